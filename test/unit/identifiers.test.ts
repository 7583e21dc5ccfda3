import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatNhsNumber,
  generateNhsNumber,
  generateUpn,
  isSyntheticNhsNumber,
  isTemporaryUpn,
  nhsCheckDigit,
  normalisePostcode,
  postcodeArea,
  postcodeDistrict,
  postcodeOutward,
  postcodeSector,
  upnCheckLetter,
  UPN_ALPHABET,
  validateLocalId,
  validateNhsNumber,
  validatePostcode,
  validateUpn,
  type IdentifierResult,
} from '../../src/people/identifiers.ts';

/** A small seeded PRNG (mulberry32) so generated identifiers are repeatable from a fast-check seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function valueOf(r: IdentifierResult): string | null {
  return r.ok ? r.value : null;
}

function messageOf(r: IdentifierResult): string | null {
  return r.ok ? null : r.message;
}

describe('NHS number', () => {
  it.each([
    ['9434765919', '9434765919'],
    ['943 476 5919', '9434765919'],
    ['943-476-5919', '9434765919'],
    ['  943 476 5919  ', '9434765919'],
    ['4010232137', '4010232137'],
    ['9990000018', '9990000018'],
  ])('accepts %j as %s', (raw, expected) => {
    expect(validateNhsNumber(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'Enter an NHS number'],
    ['   ', 'Enter an NHS number'],
    ['943476591', 'NHS number must be 10 digits'],
    ['94347659190', 'NHS number must be 10 digits'],
    ['943 476 591A', 'NHS number must only include numbers, like 943 476 5919'],
    ['943.476.5919', 'NHS number must only include numbers, like 943 476 5919'],
    ['9434765918', 'NHS number is not valid: the check digit does not match (check for a typing mistake)'],
    ['9434765929', 'NHS number is not valid: the check digit does not match (check for a typing mistake)'],
    // 123456789 has remainder 1, so its check digit would be 10: no number starting 123456789 is valid.
    ['1234567890', 'NHS number is not valid: the check digit does not match (check for a typing mistake)'],
  ])('rejects %j: %s', (raw, message) => {
    expect(messageOf(validateNhsNumber(raw))).toBe(message);
  });

  it('computes the modulus 11 check digit (weights 10 to 2; 11 becomes 0; 10 means no valid number)', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsCheckDigit('123456789')).toBe(10);
    expect(nhsCheckDigit('000000000')).toBe(0);
  });

  it.each(['0000000000', '1111111111', '4444444444', '9999999999'])(
    'rejects the repeated-digit placeholder %s even though it passes modulus 11',
    (raw) => {
      expect(nhsCheckDigit(raw)).toBe(Number(raw[9]));
      expect(messageOf(validateNhsNumber(raw))).toMatch(/one repeated digit.*never issued/);
    },
  );

  it('formats for display', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('generates only valid numbers in the reserved 999 test range', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const n = generateNhsNumber(seeded(seed));
        expect(validateNhsNumber(n)).toEqual({ ok: true, value: n });
        expect(isSyntheticNhsNumber(n)).toBe(true);
        expect(n.startsWith('999')).toBe(true);
      }),
    );
  });

  it('copes with a random source that returns the edge values 0 and (wrongly) 1', () => {
    expect(validateNhsNumber(generateNhsNumber(() => 0)).ok).toBe(true);
    let calls = 0;
    const edge = () => (calls++ % 2 === 0 ? 1 : 0);
    expect(validateNhsNumber(generateNhsNumber(edge)).ok).toBe(true);
  });

  it('detects every single-digit change to a valid number', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (seed, pos, delta) => {
        const n = generateNhsNumber(seeded(seed));
        const digit = (Number(n[pos]) + delta) % 10;
        const changed = n.slice(0, pos) + String(digit) + n.slice(pos + 1);
        expect(validateNhsNumber(changed).ok).toBe(false);
      }),
    );
  });

  it('detects a swap of two different adjacent digits among the first nine', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 7 }), (seed, pos) => {
        const n = generateNhsNumber(seeded(seed));
        fc.pre(n[pos] !== n[pos + 1]);
        const swapped = n.slice(0, pos) + n[pos + 1] + n[pos] + n.slice(pos + 2);
        expect(validateNhsNumber(swapped).ok).toBe(false);
      }),
    );
  });
});

describe('Unique Pupil Number', () => {
  it.each([
    // Published valid example (python-stdnum, stdnum.gb.upn documentation).
    ['B801200005001', 'B801200005001'],
    // Published valid example (dfeqa test suite).
    ['A123456789012', 'A123456789012'],
    // Lower case, spaces and hyphens are tidied.
    ['b801 2000 05001', 'B801200005001'],
    ['a123-456-789-012', 'A123456789012'],
    // Temporary UPN worked by hand: 8×2 + 1×4 + 2×5 + 5×10 + A(0)×13 = 80; 80 mod 23 = 11 → M.
    ['M80120000500A', 'M80120000500A'],
  ])('accepts %j', (raw, expected) => {
    expect(validateUpn(raw)).toEqual({ ok: true, value: expected });
  });

  it('computes the check letter as in the DfE guidance (weights 2–13, modulus 23, no I, O or S)', () => {
    expect(UPN_ALPHABET).toHaveLength(23);
    expect(UPN_ALPHABET).not.toMatch(/[IOS]/);
    expect(upnCheckLetter('801200005001')).toBe('B');
    expect(upnCheckLetter('123456789012')).toBe('A');
    expect(upnCheckLetter('80120000500A')).toBe('M');
    // The DfE census-validation example (error 1510) corrects B207000016049. Its weighted sum is
    // 2×2 + 7×4 + 1×9 + 6×10 + 4×12 + 9×13 = 266 (the published text says 267, an arithmetic slip),
    // 266 mod 23 = 13 → P.
    expect(upnCheckLetter('207000016049')).toBe('P');
    expect(validateUpn('P207000016049').ok).toBe(true);
    expect(validateUpn('B207000016049').ok).toBe(false);
  });

  it.each([
    ['', 'Enter a UPN'],
    ['B80120000500', 'UPN must be 13 characters, like A123456789012'],
    ['B8012000050011', 'UPN must be 13 characters, like A123456789012'],
    ['1801200005001', 'UPN must start with a letter, like A123456789012'],
    ['X80120000A001', 'UPN must be a letter followed by 12 numbers (a temporary UPN ends with a letter)'],
    ['B80120000500!', 'UPN must be a letter followed by 12 numbers (a temporary UPN ends with a letter)'],
    ['A80120000500I', 'UPN is not valid: a temporary UPN cannot end with I, O or S'],
    ['A80120000500O', 'UPN is not valid: a temporary UPN cannot end with I, O or S'],
    ['A80120000500S', 'UPN is not valid: a temporary UPN cannot end with I, O or S'],
    ['A801200005001', 'UPN is not valid: the check letter does not match (check for a typing mistake)'],
    ['B801200005002', 'UPN is not valid: the check letter does not match (check for a typing mistake)'],
    ['B811200005001', 'UPN is not valid: the check letter does not match (check for a typing mistake)'],
    ['I801200005001', 'UPN is not valid: the check letter does not match (check for a typing mistake)'],
  ])('rejects %j: %s', (raw, message) => {
    expect(messageOf(validateUpn(raw))).toBe(message);
  });

  it('generates valid permanent and temporary UPNs', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, temporary) => {
        const upn = generateUpn(seeded(seed), { temporary });
        expect(validateUpn(upn)).toEqual({ ok: true, value: upn });
        expect(isTemporaryUpn(upn)).toBe(temporary);
        expect(upn.slice(1, 4)).toBe('999');
      }),
    );
    expect(generateUpn(seeded(1), { laCode: '201' }).slice(1, 4)).toBe('201');
    expect(() => generateUpn(seeded(1), { laCode: '20' })).toThrow();
  });

  it('detects any single changed character', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 22 }), (seed, temporary, pos, delta) => {
        const upn = generateUpn(seeded(seed), { temporary });
        const ch = upn[pos]!;
        let replacement: string;
        if (ch >= '0' && ch <= '9') replacement = String((Number(ch) + (delta % 9) + 1) % 10);
        else replacement = UPN_ALPHABET[(UPN_ALPHABET.indexOf(ch) + delta) % 23]!;
        fc.pre(replacement !== ch);
        const changed = upn.slice(0, pos) + replacement + upn.slice(pos + 1);
        expect(validateUpn(changed).ok).toBe(false);
      }),
    );
  });
});

describe('postcode', () => {
  it.each([
    ['SW1A 1AA', 'SW1A 1AA'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['  sw1a   1aa ', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
    ['m11ae', 'M1 1AE'],
    ['B33 8TH', 'B33 8TH'],
    ['CR2 6XH', 'CR2 6XH'],
    ['DN55 1PT', 'DN55 1PT'],
    ['W1A 0AX', 'W1A 0AX'],
    ['EC1A 1BB', 'EC1A 1BB'],
    ['LS1 4AP', 'LS1 4AP'],
    ['E1W 1YY', 'E1W 1YY'],
    ['GIR 0AA', 'GIR 0AA'],
    ['gir0aa', 'GIR 0AA'],
  ])('accepts %j as %s', (raw, expected) => {
    expect(validatePostcode(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'Enter a postcode'],
    ['   ', 'Enter a postcode'],
    ['SW1A', 'Enter a full UK postcode, like SW1A 1AA'],
    ['SW1A 1A', 'Enter a full UK postcode, like SW1A 1AA'],
    ['SW1A 1AAA', 'Enter a full UK postcode, like SW1A 1AA'],
    ['SW1A-1AA', 'Enter a full UK postcode, like SW1A 1AA'],
    ['QA1 1AA', 'Enter a full UK postcode, like SW1A 1AA'], // Q never starts a postcode
    ['AI1 1AA', 'Enter a full UK postcode, like SW1A 1AA'], // I never second
    ['SW1A 1AI', 'Enter a full UK postcode, like SW1A 1AA'], // no I in the inward code
    ['SW1A 1CA', 'Enter a full UK postcode, like SW1A 1AA'], // no C in the inward code
    ['BFPO 1234', 'Enter a full UK postcode, like SW1A 1AA'],
    ['12345', 'Enter a full UK postcode, like SW1A 1AA'],
    ['90210', 'Enter a full UK postcode, like SW1A 1AA'],
  ])('rejects %j', (raw, message) => {
    expect(messageOf(validatePostcode(raw))).toBe(message);
  });

  it.each([
    ['SW1A 1AA', 'SW1A', 'SW1A', 'SW1A 1', 'SW'],
    ['sw1a1aa', 'SW1A', 'SW1A', 'SW1A 1', 'SW'],
    ['M1 1AE', 'M1', 'M1', 'M1 1', 'M'],
    ['DN55 1PT', 'DN55', 'DN55', 'DN55 1', 'DN'],
    ['W1A 0AX', 'W1A', 'W1A', 'W1A 0', 'W'],
    ['GIR 0AA', 'GIR', 'GIR', 'GIR 0', 'GIR'],
  ])('splits %s into outward %s, district %s, sector %s, area %s', (pc, outward, district, sector, area) => {
    expect(postcodeOutward(pc)).toBe(outward);
    expect(postcodeDistrict(pc)).toBe(district);
    expect(postcodeSector(pc)).toBe(sector);
    expect(postcodeArea(pc)).toBe(area);
  });

  it('gives null parts for something that is not a postcode', () => {
    for (const f of [postcodeOutward, postcodeDistrict, postcodeSector, postcodeArea]) expect(f('not one')).toBeNull();
  });

  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const digit = fc.constantFrom(...'0123456789');
  const letter = (set: string) => fc.constantFrom(...set);
  const first = letter(upper.replace(/[QVX]/g, ''));
  const second = letter(upper.replace(/[IJZ]/g, ''));
  const outward = fc.oneof(
    fc.tuple(first, digit).map((p) => p.join('')),
    fc.tuple(first, digit, digit).map((p) => p.join('')),
    fc.tuple(first, digit, letter('ABCDEFGHJKPSTUW')).map((p) => p.join('')),
    fc.tuple(first, second, digit).map((p) => p.join('')),
    fc.tuple(first, second, digit, digit).map((p) => p.join('')),
    fc.tuple(first, second, digit, letter('ABEHMNPRVWXY')).map((p) => p.join('')),
  );
  const inwardLetter = letter(upper.replace(/[CIKMOV]/g, ''));
  const postcode = fc.tuple(outward, digit, inwardLetter, inwardLetter).map(([o, d, a, b]) => `${o} ${d}${a}${b}`);

  it('accepts every well-formed postcode however it is typed, and normalising is idempotent', () => {
    fc.assert(
      fc.property(postcode, fc.boolean(), fc.constantFrom('', ' ', '  '), (pc, lower, gap) => {
        const typed = (lower ? pc.toLowerCase() : pc).replace(' ', gap);
        const r = validatePostcode(typed);
        expect(r).toEqual({ ok: true, value: pc });
        expect(normalisePostcode(pc)).toBe(pc);
      }),
    );
  });

  it('normalising any string is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), postcode), (s) => {
        const once = normalisePostcode(s);
        if (once !== null) expect(normalisePostcode(once)).toBe(once);
      }),
    );
  });
});

describe('local ID', () => {
  it.each([
    ['ABC-123', 'ABC-123'],
    ['  MOS 0042  ', 'MOS 0042'],
    ['x', 'x'],
    ['x'.repeat(64), 'x'.repeat(64)],
    ['Ünïcødé/ID#7', 'Ünïcødé/ID#7'],
  ])('accepts %j', (raw, expected) => {
    expect(validateLocalId(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'Enter a local ID'],
    ['   ', 'Enter a local ID'],
    ['x'.repeat(65), 'Local ID must be 64 characters or fewer'],
    ['a\nb', 'Local ID must only include letters, numbers, spaces and printable symbols'],
    ['a\u0007b', 'Local ID must only include letters, numbers, spaces and printable symbols'],
    ['a\u200bb', 'Local ID must only include letters, numbers, spaces and printable symbols'],
  ])('rejects %j', (raw, message) => {
    expect(messageOf(validateLocalId(raw))).toBe(message);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(valueOf(validateLocalId('😀'.repeat(64)))).toBe('😀'.repeat(64));
    expect(validateLocalId('😀'.repeat(65)).ok).toBe(false);
  });
});
