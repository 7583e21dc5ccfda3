import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  damerauLevenshtein,
  jaro,
  jaroWinkler,
  levenshtein,
  nameKey,
  nameTokens,
  normaliseName,
} from '../../src/matching/strings.ts';
import { doubleMetaphone, sharedMetaphone, soundex } from '../../src/matching/phonetic.ts';
import {
  areNicknames,
  configureNicknames,
  createNicknameIndex,
  DEFAULT_NICKNAME_CSV_PATH,
  nameGroups,
  nicknameIndex,
  parseNicknameCsv,
} from '../../src/matching/nicknames.ts';
import { parseDiminutives, UK_DIMINUTIVES_TEXT } from '../../src/matching/uk-diminutives.ts';
import { compareNames, comparePreparedNames, dobSimilarity, prepareName } from '../../src/matching/name-similarity.ts';

// ---------- reference implementations for property tests (slow, obviously correct) ----------

function refLevenshtein(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function refOsa(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Short strings over a small alphabet, so that equal, near-equal and shared-prefix pairs are common. */
const smallWord = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'e'), maxLength: 10 });
const anyWord = fc.oneof(smallWord, fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 }));

// ---------- normalisation ----------

describe('normaliseName', () => {
  it.each([
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['D’Arcy', 'darcy'],
    ['Smith-Jones', 'smith jones'],
    ['  Mary   Ann  ', 'mary ann'],
    ['Zoë', 'zoe'],
    ['Siobhán', 'siobhan'],
    ['MÜLLER', 'muller'],
    ['Strauß', 'strauss'],
    ['Łukasz Wałęsa', 'lukasz walesa'],
    ['Ørsted', 'orsted'],
    ['Æthelred', 'aethelred'],
    ['José María', 'jose maria'],
    ['St. John', 'st john'],
    ['Anne-Marie O’Neill', 'anne marie oneill'],
    ['İlkay', 'ilkay'],
    ['Иван', 'иван'],
    ['محمد', 'محمد'],
    ['', ''],
    ['---', ''],
    ['already normal', 'already normal'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseName(raw)).toBe(expected);
  });

  it('is idempotent and never leaves leading, trailing or double spaces', () => {
    fc.assert(
      fc.property(anyWord, (s) => {
        const once = normaliseName(s);
        expect(normaliseName(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toContain('  ');
      }),
    );
  });

  it('makes search tokens for whole and parts', () => {
    expect(nameTokens('Smith-Jones')).toEqual(['smithjones', 'smith', 'jones']);
    expect(nameTokens("O'Brien")).toEqual(['obrien']);
    expect(nameTokens('Mary Mary')).toEqual(['marymary', 'mary']);
    expect(nameTokens('  ')).toEqual([]);
    expect(nameKey('Smith-Jones')).toBe('smithjones');
    expect(nameKey("O'Brien")).toBe(nameKey('OBrien'));
  });
});

// ---------- Jaro–Winkler ----------

describe('jaroWinkler', () => {
  it.each([
    // Winkler's / Wikipedia's standard examples
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
    ['CRATE', 'TRACE', 0.733, 0.733],
    ['abc', 'abc', 1, 1],
    ['', '', 1, 1],
    ['', 'abc', 0, 0],
    ['abc', 'xyz', 0, 0],
  ])('%s / %s: Jaro %f, Jaro–Winkler %f', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
  });

  it('applies the prefix bonus only above the 0.7 threshold unless told otherwise', () => {
    expect(jaroWinkler('abcxyz', 'abcpqr')).toBeCloseTo(jaro('abcxyz', 'abcpqr'), 10);
    expect(jaroWinkler('abcxyz', 'abcpqr', 0.1, 4, 0)).toBeGreaterThan(jaro('abcxyz', 'abcpqr'));
  });

  it('is symmetric, within [0, 1], and 1 exactly when the strings are equal', () => {
    fc.assert(
      fc.property(anyWord, anyWord, (a, b) => {
        const x = jaroWinkler(a, b);
        expect(x).toBe(jaroWinkler(b, a));
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        expect(x === 1).toBe(a === b);
        expect(jaro(a, b)).toBe(jaro(b, a));
      }),
      { numRuns: 2000 },
    );
  });

  it('is never below Jaro', () => {
    fc.assert(
      fc.property(anyWord, anyWord, (a, b) => {
        expect(jaroWinkler(a, b)).toBeGreaterThanOrEqual(jaro(a, b));
      }),
    );
  });

  it('gives the same answer however long the strings before it were (scratch buffers are reset)', () => {
    const long = 'x'.repeat(500);
    const before = jaroWinkler('martha', 'marhta');
    jaroWinkler(long, long + 'y');
    expect(jaroWinkler('martha', 'marhta')).toBe(before);
  });
});

// ---------- edit distances ----------

describe('levenshtein and damerauLevenshtein', () => {
  it.each([
    ['kitten', 'sitting', 3, 3],
    ['flaw', 'lawn', 2, 2],
    ['', 'abc', 3, 3],
    ['abc', '', 3, 3],
    ['same', 'same', 0, 0],
    ['ca', 'ac', 2, 1],
    ['jonhson', 'johnson', 2, 1],
    // Optimal string alignment, not unrestricted Damerau: ca → abc is 3, not 2.
    ['ca', 'abc', 3, 3],
  ])('%j / %j: Levenshtein %i, OSA %i', (a, b, lev, osa) => {
    expect(levenshtein(a, b)).toBe(lev);
    expect(damerauLevenshtein(a, b)).toBe(osa);
  });

  it('stops early at the cut-off and reports cut-off + 1', () => {
    expect(levenshtein('kitten', 'sitting', 2)).toBe(3);
    expect(levenshtein('kitten', 'sitting', 3)).toBe(3);
    expect(levenshtein('abc', 'abcdefgh', 2)).toBe(3);
    expect(levenshtein('abc', 'xyz', 0)).toBe(1);
    expect(damerauLevenshtein('jonhson', 'johnson', 1)).toBe(1);
    expect(damerauLevenshtein('smith', 'jones', 1)).toBe(2);
  });

  it('match a straightforward reference implementation, with and without a cut-off', () => {
    fc.assert(
      fc.property(anyWord, anyWord, fc.integer({ min: 0, max: 6 }), (a, b, k) => {
        const lev = refLevenshtein(a, b);
        const osa = refOsa(a, b);
        expect(levenshtein(a, b)).toBe(lev);
        expect(levenshtein(b, a)).toBe(lev);
        expect(levenshtein(a, b, k)).toBe(Math.min(lev, k + 1));
        expect(damerauLevenshtein(a, b)).toBe(osa);
        expect(damerauLevenshtein(b, a)).toBe(osa);
        expect(damerauLevenshtein(a, b, k)).toBe(Math.min(osa, k + 1));
        expect(osa).toBeLessThanOrEqual(lev);
      }),
      { numRuns: 2000 },
    );
  });

  it('satisfies the triangle inequality', () => {
    fc.assert(
      fc.property(smallWord, smallWord, smallWord, (a, b, c) => {
        expect(levenshtein(a, c)).toBeLessThanOrEqual(levenshtein(a, b) + levenshtein(b, c));
      }),
    );
  });
});

// ---------- phonetic codes ----------

describe('soundex', () => {
  it.each([
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Rubin', 'R150'],
    ['Ashcraft', 'A261'], // H rule: s and c either side of h coded once
    ['Ashcroft', 'A261'],
    ['Tymczak', 'T522'], // vowel separates: z and k both coded
    ['Pfister', 'P236'], // second letter with the first letter's code dropped
    ['Honeyman', 'H555'],
    ['Lee', 'L000'],
    ["O'Brien", 'O165'],
    ['Zoë', 'Z000'],
    ['', ''],
    ['123', ''],
  ])('%s → %s', (name, code) => {
    expect(soundex(name)).toBe(code);
  });

  it('is always a letter and three digits, or empty', () => {
    fc.assert(
      fc.property(anyWord, (s) => {
        expect(soundex(s)).toMatch(/^(|[A-Z][0-9]{3})$/);
      }),
    );
  });
});

describe('doubleMetaphone', () => {
  it.each([
    ['Smith', 'SM0', 'XMT'],
    ['Smyth', 'SM0', 'XMT'],
    ['Schmidt', 'XMT', 'SMT'],
    ['Thompson', 'TMPS', 'TMPS'],
    ['Tomson', 'TMSN', 'TMSN'],
    ['Thomas', 'TMS', 'TMS'],
    ['Catherine', 'K0RN', 'KTRN'],
    ['Kathryn', 'K0RN', 'KTRN'],
    ['Stephen', 'STFN', 'STFN'],
    ['Steven', 'STFN', 'STFN'],
    ['Phillips', 'FLPS', 'FLPS'],
    ['Filips', 'FLPS', 'FLPS'],
    ['Knight', 'NT', 'NT'],
    ['Night', 'NT', 'NT'],
    ['Shaw', 'X', 'XF'],
    ['Shore', 'XR', 'XR'],
    ['Jones', 'JNS', 'ANS'],
    ['Jackson', 'JKSN', 'AKSN'],
    ['Mohammed', 'MHMT', 'MHMT'],
    ['Muhammad', 'MHMT', 'MHMT'],
    ['Michael', 'MKL', 'MXL'],
    ['Xavier', 'SF', 'SFR'],
    ['Wasserman', 'ASRM', 'FSRM'],
    ['Jose', 'HS', 'HS'],
    ['Loch', 'LK', 'LK'],
    ['Hugh', 'H', 'H'],
    ['Laugh', 'LF', 'LF'],
    ['Edge', 'AJ', 'AJ'],
    ['Edgar', 'ATKR', 'ATKR'],
    ['Caesar', 'SSR', 'SSR'],
    ['Chianti', 'KNT', 'KNT'],
    ['Czerny', 'SRN', 'XRN'],
    ['Focaccia', 'FKX', 'FKX'],
    ['Bellocchio', 'PLX', 'PLX'],
    ['Bacchus', 'PKS', 'PKS'],
    ['Accident', 'AKST', 'AKST'],
    ['McHugh', 'MK', 'MK'],
    ['Mac Gregor', 'MKRK', 'MKRK'],
    ['Ghislane', 'JLN', 'JLN'],
    ['Tagliaro', 'TKLR', 'TLR'],
    ['Biaggi', 'PJ', 'PK'],
    ['Rogier', 'RJ', 'RJR'],
    ['Sugar', 'XKR', 'SKR'],
    ['Schermerhorn', 'XRMR', 'SKRM'],
    ['School', 'SKL', 'SKL'],
    ['Filipowicz', 'FLPT', 'FLPF'],
    ['Arnow', 'ARN', 'ARNF'],
    ['Breaux', 'PR', 'PR'],
    ['Zhao', 'J', 'J'],
    ['Cabrillo', 'KPRL', 'KPR'],
    ['Gallegos', 'KLKS', 'KKS'],
    ['Dumb', 'TM', 'TM'],
    ['Campbell', 'KMPL', 'KMPL'],
    ['Architect', 'ARKT', 'ARKT'],
    ['Tichner', 'TXNR', 'TKNR'],
    ["O'Brien", 'APRN', 'APRN'],
    ['', '', ''],
  ])('%s → %s / %s', (name, primary, alternate) => {
    expect(doubleMetaphone(name)).toEqual([primary, alternate]);
  });

  it.each([
    ['Smith', 'Smyth', 'SM0'],
    ['Smith', 'Schmidt', 'XMT'],
    ['Catherine', 'Kathryn', 'K0RN'],
    ['Stephen', 'Steven', 'STFN'],
    ['Phillips', 'Filips', 'FLPS'],
    ['Knight', 'Night', 'NT'],
    ['Mohammed', 'Muhammad', 'MHMT'],
  ])('%s and %s share %s', (a, b, code) => {
    expect(sharedMetaphone(doubleMetaphone(a), doubleMetaphone(b))).toBe(code);
  });

  it.each([
    ['Shaw', 'Shore'],
    ['Thompson', 'Tomson'], // the P is sounded in Double Metaphone, and codes stop at 4 characters
    ['Smith', 'Jones'],
  ])('%s and %s do not share a code', (a, b) => {
    expect(sharedMetaphone(doubleMetaphone(a), doubleMetaphone(b))).toBeNull();
  });

  it('returns longer codes when asked', () => {
    expect(doubleMetaphone('Thompson', 8)).toEqual(['TMPSN', 'TMPSN']);
    expect(doubleMetaphone('Wasserman', 8)).toEqual(['ASRMN', 'FSRMN']);
  });

  it('never throws, and codes are short upper-case strings; sharing is symmetric', () => {
    fc.assert(
      fc.property(anyWord, anyWord, (a, b) => {
        const [p, s] = doubleMetaphone(a);
        expect(p).toMatch(/^[A-Z0]{0,4}$/);
        expect(s).toMatch(/^[A-Z0]{0,4}$/);
        expect(sharedMetaphone(doubleMetaphone(a), doubleMetaphone(b))).toBe(
          sharedMetaphone(doubleMetaphone(b), doubleMetaphone(a)),
        );
      }),
    );
  });
});

// ---------- nicknames ----------

const NICKNAME_PAIRS: Array<[string, string]> = [
  ['Bob', 'Robert'],
  ['Bobby', 'Robert'],
  ['Rob', 'Robert'],
  ['Robbie', 'Robert'],
  ['Bob', 'Rob'],
  ['Bill', 'William'],
  ['Will', 'William'],
  ['Liam', 'William'],
  ['Peggy', 'Margaret'],
  ['Maggie', 'Margaret'],
  ['Meg', 'Margaret'],
  ['Jack', 'John'],
  ['Harry', 'Henry'],
  ['Kate', 'Catherine'],
  ['Katie', 'Catherine'],
  ['Kath', 'Catherine'],
  ['Cathy', 'Catherine'],
  ['Kathryn', 'Catherine'],
  ['Alfie', 'Alfred'],
  ['Alf', 'Alfred'],
  ['Ollie', 'Oliver'],
  ['Izzy', 'Isabella'],
  ['Bella', 'Isabel'],
  ['Isobel', 'Isabella'],
  ['Sid', 'Sidney'],
  ['Taz', 'Tariq'],
  ['Mo', 'Mohammed'],
  ['Mohammed', 'Muhammad'],
  ['Mohammad', 'Mohamed'],
  ['Jo', 'Joseph'],
  ['Jos', 'Josephine'],
  ['Joe', 'Joseph'],
  ['Jo', 'Joanne'],
  ['Sandy', 'Alexander'],
  ['Sandy', 'Alexandra'],
  ['Alex', 'Alexander'],
  ['Xander', 'Alexander'],
  ['Lexi', 'Alexandra'],
  ['Lottie', 'Charlotte'],
  ['Charlie', 'Charlotte'],
  ['Charlie', 'Charles'],
  ['Chas', 'Charles'],
  ['Chaz', 'Charles'],
  ['Ted', 'Edward'],
  ['Ed', 'Edward'],
  ['Eddie', 'Edward'],
  ['Ned', 'Edward'],
  ['Becky', 'Rebecca'],
  ['Nell', 'Eleanor'],
  ['Ellie', 'Eleanor'],
  ['Ellie', 'Ellen'],
  ['Nell', 'Helen'],
  ['Jim', 'James'],
  ['Jimmy', 'James'],
  ['Jamie', 'James'],
  ['Sam', 'Samuel'],
  ['Sam', 'Samantha'],
  ['Tom', 'Thomas'],
  ['Tommy', 'Thomas'],
  ['Dan', 'Daniel'],
  ['Danny', 'Daniel'],
  ['Stephen', 'Steven'],
  ['BOB', '  robert '],
  ['Zoë', 'Zoey'],
];

const NOT_NICKNAMES: Array<[string, string]> = [
  ['Samuel', 'Samantha'],
  ['Joseph', 'Josephine'],
  ['Charles', 'Charlotte'],
  ['Robert', 'William'],
  ['Alexander', 'Alexandra'],
  ['Tom', 'Tim'],
  ['Bob', ''],
  ['Xyzzy', 'Plugh'],
];

describe('nicknames: built-in UK table alone (as in production, without ../shared)', () => {
  beforeAll(() => configureNicknames({ csvPath: null }));
  afterAll(() => configureNicknames({}));

  it('has a few hundred names and reads its own table cleanly', () => {
    const groups = parseDiminutives(UK_DIMINUTIVES_TEXT);
    expect(groups.size).toBeGreaterThan(150);
    let names = 0;
    for (const [canonical, variants] of groups) {
      expect(canonical).toMatch(/^[a-z]+$/);
      for (const v of variants) expect(v).toMatch(/^[a-z]+$/);
      names += variants.length + 1;
    }
    expect(names).toBeGreaterThan(500);
    expect(nicknameIndex().sources).toEqual({ builtIn: true, csvPath: null, csvPairs: 0 });
  });

  it.each(NICKNAME_PAIRS)('%s ≈ %s', (a, b) => {
    expect(areNicknames(a, b)).toBe(true);
    expect(areNicknames(b, a)).toBe(true);
  });

  it.each(NOT_NICKNAMES)('%s ≉ %s', (a, b) => {
    expect(areNicknames(a, b)).toBe(false);
    expect(areNicknames(b, a)).toBe(false);
  });

  it('lists the groups a name belongs to', () => {
    expect([...nameGroups('Bob')]).toContain('robert');
    expect([...nameGroups('Sam')].sort()).toEqual(['samantha', 'samuel']);
    expect([...nameGroups('Robert')]).toEqual(['robert']);
    expect(nameGroups('Xyzzy').size).toBe(0);
  });

  it('treats a name as a form of itself', () => {
    expect(areNicknames('Xyzzy', 'xyzzy')).toBe(true);
  });
});

describe('nicknames: CSV', () => {
  const csv = 'name1,relationship,name2\nzebedee,has_nickname,zeb\r\nzebedee,is_not,zed\n,has_nickname,x\n\nrobert,has_nickname,dobbin\n';

  it('parses the carltonnorthern format, skipping the header, other relations and blanks', () => {
    expect(parseNicknameCsv(csv)).toEqual([
      ['zebedee', 'zeb'],
      ['robert', 'dobbin'],
    ]);
  });

  it('merges CSV rows with the built-in table', () => {
    const index = createNicknameIndex({ csvPath: null, csvText: csv });
    expect([...index.groupsOfKey('zeb')]).toEqual(['zebedee']);
    expect([...index.groupsOfKey('dobbin')]).toEqual(['robert']);
    expect(index.groupsOfKey('bob').has('robert')).toBe(true);
    expect(index.groupsOfKey('zed').size).toBe(0);
    expect(index.sources.csvPairs).toBe(2);
  });

  it('is not needed: a missing file is ignored', () => {
    const index = createNicknameIndex({ csvPath: '/nonexistent/nicknames.csv' });
    expect(index.sources.csvPath).toBeNull();
    expect(index.groupsOfKey('bob').has('robert')).toBe(true);
  });

  it.skipIf(!existsSync(DEFAULT_NICKNAME_CSV_PATH))('loads ../shared/fixtures/linkage/nicknames_carltonnorthern.csv when present', () => {
    const index = createNicknameIndex();
    expect(index.sources.csvPath).toBe(DEFAULT_NICKNAME_CSV_PATH);
    expect(index.sources.csvPairs).toBeGreaterThan(2000);
    expect(index.groupsOfKey('abby').has('abbigail')).toBe(true);
    expect(index.size).toBeGreaterThan(createNicknameIndex({ csvPath: null }).size);
  });
});

// ---------- name comparison ----------

describe('compareNames', () => {
  beforeAll(() => configureNicknames({ csvPath: null }));
  afterAll(() => configureNicknames({}));

  const n = (given: string, family: string) => ({ given, family });

  it.each([
    [n('Robert', 'Smith'), n('Robert', 'Smith'), 1, 1, ['same forename', 'same surname']],
    [n("Siobhan O'Brien", ''), n('Siobhán O’Brien', ''), 0.75, 0.75, ['same forename', 'surname missing from one or both records']],
    [n('Bob', 'Smith'), n('Robert', 'Smith'), 0.95, 0.97, ['forename Bob is a nickname or variant of Robert', 'same surname']],
    [n('Bob', 'Smith'), n('Rob', 'Smith'), 0.95, 0.97, ['forenames Bob and Rob are both forms of Robert', 'same surname']],
    [n('Robert', 'Smith'), n('Robert', 'Schmidt'), 0.9, 0.95, ['same forename', 'surname sounds the same (XMT)']],
    [n('Robert', 'Smith'), n('Robert', 'Smyth'), 0.9, 0.97, ['same forename', 'surname differs by one letter and sounds the same (Smith / Smyth)']],
    [n('Sarah', 'Jonhson'), n('Sarah', 'Johnson'), 0.9, 0.97, ['same forename', 'surname has two letters swapped and sounds the same (Jonhson / Johnson)']],
    [n('Catherine', 'Lee'), n('Kathryn', 'Leigh'), 0.7, 0.85, ['forename Kathryn is a nickname or variant of Catherine', 'surname sounds the same (L)']],
    [n('Amy', 'Smith-Jones'), n('Amy', 'Jones'), 0.9, 0.97, ['same forename', 'surname Jones is part of Smith-Jones']],
    [n('John Paul', 'Smith'), n('John', 'Smith'), 0.9, 0.97, ['forename John is part of John Paul', 'same surname']],
    [n('R', 'Smith'), n('Robert', 'Smith'), 0.75, 0.85, ['forename initial fits (R / Robert)', 'same surname']],
    [n('Smith', 'John'), n('John', 'Smith'), 0.9, 0.96, ['forename and surname appear to be the other way round', 'same forename', 'same surname']],
    [n('Tom', 'Jones'), n('Tim', 'Jones'), 0.5, 0.65, ['different forename', 'same surname']],
    [n('Samuel', 'Ward'), n('Samantha', 'Ward'), 0.5, 0.65, ['different forename', 'same surname']],
    [n('Jason', 'Smith'), n('Mason', 'Smith'), 0.5, 0.75, ['different forename', 'same surname']],
    [n('Alice', 'Brown'), n('Zed', 'Green'), 0, 0.1, ['different forename', 'different surname']],
    [n('', 'Smith'), n('Bob', 'Smith'), 0.75, 0.75, ['forename missing from one or both records', 'same surname']],
  ])('%o vs %o scores %f–%f', (a, b, lo, hi, reasons) => {
    const r = compareNames(a, b);
    expect(r.score).toBeGreaterThanOrEqual(lo);
    expect(r.score).toBeLessThanOrEqual(hi);
    expect(r.reasons).toEqual(reasons);
  });

  it('reports levels for linkage', () => {
    const r = compareNames(n('Bob', 'Schmidt'), n('Robert', 'Smith'));
    expect(r.forename.level).toBe('nickname');
    expect(r.surname.level).toBe('phonetic');
    expect(r.swapped).toBe(false);
    expect(compareNames(n('Smith', 'John'), n('John', 'Smith')).swapped).toBe(true);
  });

  it('ranks a nickname above a different name with the same surname', () => {
    const target = n('Robert', 'Smith');
    expect(compareNames(n('Bob', 'Smith'), target).score).toBeGreaterThan(compareNames(n('Richard', 'Smith'), target).score);
  });

  const namePart = fc.oneof(
    fc.constantFrom('Bob', 'Robert', 'Rob', 'Smith', 'Smyth', 'Schmidt', 'Jones', 'John', 'Jon', 'Sam', 'Samuel', 'Anne-Marie', "O'Brien", 'R', ''),
    fc.string({ maxLength: 10 }),
    smallWord,
  );
  const personName = fc.record({ given: namePart, family: namePart });

  it('is symmetric, within [0, 1], and 1 for the same name', () => {
    fc.assert(
      fc.property(personName, personName, (a, b) => {
        const ab = compareNames(a, b);
        const ba = compareNames(b, a);
        expect(ab.score).toBeCloseTo(ba.score, 12);
        expect(ab.score).toBeGreaterThanOrEqual(0);
        expect(ab.score).toBeLessThanOrEqual(1);
        expect(ab.reasons.length).toBeGreaterThanOrEqual(2);
        if (normaliseName(a.given) !== '' && normaliseName(a.family) !== '') expect(compareNames(a, a).score).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same answer for prepared names', () => {
    fc.assert(
      fc.property(personName, personName, (a, b) => {
        expect(comparePreparedNames(prepareName(a), prepareName(b))).toEqual(compareNames(a, b));
      }),
    );
  });
});

// ---------- dates of birth ----------

describe('dobSimilarity', () => {
  it.each([
    ['2012-03-04', '2012-03-04', 'exact', 1],
    ['2012-03-04', '2012-04-03', 'day-month-swapped', 0.8],
    ['2012-03-14', '2012-03-17', 'one-digit', 0.7],
    ['2012-03-14', '2014-03-14', 'one-digit', 0.7],
    ['2012-03-14', '2012-05-14', 'one-digit', 0.7],
    ['2012-03-14', '2012-05-17', 'within-year', null],
    ['2011-12-31', '2012-01-01', 'within-year', null],
    ['2012-03-14', '2015-08-20', 'none', 0],
    ['2012-02-30', '2012-02-30', 'none', 0], // not a real date
    ['', '2012-03-04', 'none', 0],
    ['14/03/2012', '2012-03-14', 'none', 0],
  ])('%s / %s → %s', (a, b, level, score) => {
    const r = dobSimilarity(a, b);
    expect(r.level).toBe(level);
    if (score !== null) expect(r.score).toBeCloseTo(score, 10);
    else {
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThan(0.5);
    }
  });

  it('scores a closer date higher within the year', () => {
    expect(dobSimilarity('2011-12-31', '2012-01-01').score).toBeGreaterThan(dobSimilarity('2012-03-14', '2012-10-28').score);
  });

  it('accepts 29 February only in leap years', () => {
    expect(dobSimilarity('2012-02-29', '2012-02-29').level).toBe('exact');
    expect(dobSimilarity('2013-02-29', '2013-02-29').level).toBe('none');
    expect(dobSimilarity('2000-02-29', '2000-02-29').level).toBe('exact');
    expect(dobSimilarity('1900-02-29', '1900-02-29').level).toBe('none');
  });

  const isoDate = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

  it('is symmetric and within [0, 1]; exact only for equal dates', () => {
    fc.assert(
      fc.property(isoDate, isoDate, (a, b) => {
        const ab = dobSimilarity(a, b);
        expect(dobSimilarity(b, a)).toEqual(ab);
        expect(ab.score).toBeGreaterThanOrEqual(0);
        expect(ab.score).toBeLessThanOrEqual(1);
        expect(ab.level === 'exact').toBe(a === b);
      }),
    );
  });
});
