/**
 * How alike two people's names and dates of birth are, with reasons a practitioner can read.
 *
 * Used by person search ranking, the "this person may already be recorded" warning and record linkage.
 * The scores are heuristics in [0, 1], not probabilities: 1 is the same name, around 0.9 a nickname or
 * an obvious variant, around 0.5 one part the same and one different. Linkage should calibrate its own
 * weights from the `level` of each part rather than rely on these numbers.
 *
 * For many candidates, prepare each name once (`prepareName`) and use `comparePreparedNames`.
 */

import { areNicknameKeys, preferredSharedGroup } from './nicknames.ts';
import { doubleMetaphone, sharedMetaphone } from './phonetic.ts';
import { damerauLevenshtein, jaroWinkler, levenshtein, normaliseName } from './strings.ts';

export interface PersonName {
  given: string;
  family: string;
}

export type NameMatchLevel =
  | 'exact' // the same after normalisation (case, accents, apostrophes, hyphens)
  | 'nickname' // forenames that are forms of the same name (Bob / Robert)
  | 'part' // one part of a multi-part name is the same (Smith / Smith-Jones, John / John Paul)
  | 'typo' // one letter different or two adjacent letters swapped
  | 'phonetic' // sounds the same (Double Metaphone)
  | 'initial' // an initial that fits the other forename (R / Robert)
  | 'similar' // spelled similarly (Jaro–Winkler ≥ 0.9)
  | 'different'
  | 'missing'; // not recorded on one or both sides

export interface NameFieldComparison {
  level: NameMatchLevel;
  score: number;
  reason: string;
}

export interface NameComparison {
  /** 0..1; symmetric: compareNames(a, b).score === compareNames(b, a).score. */
  score: number;
  /** Short, plain-English reasons, forename first. */
  reasons: string[];
  forename: NameFieldComparison;
  surname: NameFieldComparison;
  /** True when the best reading is that forename and surname were entered the other way round. */
  swapped: boolean;
}

interface PreparedPart {
  display: string;
  /** Normalised, spaces removed: "smithjones". */
  key: string;
  /** Normalised parts: ["smith", "jones"] (just [key] for a one-part name). */
  parts: string[];
  /** Double Metaphone of key (index 0) and of each part when there are several. */
  codes: Array<[string, string]>;
}

export interface PreparedName {
  given: PreparedPart;
  family: PreparedPart;
}

const FORENAME_WEIGHT = 0.5;
const SURNAME_WEIGHT = 0.5;

const SCORE = {
  exact: 1,
  nickname: 0.92,
  part: 0.9,
  typoAndPhonetic: 0.9,
  typo: 0.85,
  phonetic3: 0.85, // shared code of 3+ characters
  phonetic2: 0.75, // shorter codes only count when the first vowel agrees too
  phonetic1: 0.6,
  initial: 0.6,
  missing: 0.5, // unknown: neither for nor against
  partPenalty: 0.9, // a non-exact match between parts counts for less than one between whole names
  swapPenalty: 0.95,
} as const;

/**
 * Jaro–Winkler mapped to a score: unrelated names (JW up to about 0.75) get nothing, 0.9 ("spelled
 * similarly") gets 0.6 and near-identical spellings approach 0.85. Piecewise linear, so monotone.
 */
function spellingScore(jw: number): number {
  if (jw <= 0.75) return 0;
  if (jw <= 0.9) return ((jw - 0.75) / 0.15) * 0.6;
  return 0.6 + ((jw - 0.9) / 0.1) * 0.25;
}

/** The first vowel of a normalised word (y counts as i, except as the first letter), or 0. */
function firstVowel(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 97 || c === 101 || c === 105 || c === 111 || c === 117) return c;
    if (c === 121 && i > 0) return 105;
  }
  return 0;
}

function titleCase(s: string): string {
  let out = '';
  let start = true;
  for (const ch of s) {
    out += start ? ch.toUpperCase() : ch;
    start = ch === ' ' || ch === '-' || ch === "'";
  }
  return out;
}

function preparePart(raw: string): PreparedPart {
  const display = (raw ?? '').trim().replace(/\s+/g, ' ');
  const norm = normaliseName(display);
  if (norm === '') return { display, key: '', parts: [], codes: [] };
  const split = norm.split(' ');
  const key = split.join('');
  const parts = split.length > 1 ? split : [key];
  const codes: Array<[string, string]> = [doubleMetaphone(key)];
  if (split.length > 1) for (const p of split) codes.push(doubleMetaphone(p));
  return { display, key, parts, codes };
}

/** Normalises a name once for many comparisons. */
export function prepareName(name: PersonName): PreparedName {
  return { given: preparePart(name.given), family: preparePart(name.family) };
}

type Kind = 'forename' | 'surname';

interface PairResult {
  level: NameMatchLevel;
  score: number;
  code?: string; // shared phonetic code
}

/** Compares two single normalised words (or whole keys). Symmetric in its score. */
function comparePair(x: string, y: string, cx: [string, string], cy: [string, string], nicknames: boolean): PairResult {
  if (x === y) return { level: 'exact', score: SCORE.exact };
  if (nicknames && areNicknameKeys(x, y)) return { level: 'nickname', score: SCORE.nickname };
  if (nicknames && ((x.length === 1 && y.startsWith(x)) || (y.length === 1 && x.startsWith(y)))) {
    return { level: 'initial', score: SCORE.initial };
  }
  const jw = jaroWinkler(x, y);
  let best: PairResult = { level: jw >= 0.9 ? 'similar' : 'different', score: spellingScore(jw) };

  // One typing mistake, on names long enough for that to mean something, not in the first letter
  // (Jason / Mason, Dean / Sean are different names).
  const typo =
    Math.min(x.length, y.length) >= 5 && x.charCodeAt(0) === y.charCodeAt(0) && damerauLevenshtein(x, y, 1) <= 1;
  // Double Metaphone ignores vowels after the first letter, so a short shared code (Tom / Tim: TM) is
  // weak evidence: it only counts when the first vowel agrees as well (Lee / Leigh).
  let code = sharedMetaphone(cx, cy);
  if (code !== null && code.length < 3 && firstVowel(x) !== firstVowel(y)) code = null;
  if (typo) {
    const s = code !== null ? SCORE.typoAndPhonetic : SCORE.typo;
    if (s > best.score) best = code !== null ? { level: 'typo', score: s, code } : { level: 'typo', score: s };
  } else if (code !== null) {
    const s = code.length >= 3 ? SCORE.phonetic3 : code.length === 2 ? SCORE.phonetic2 : SCORE.phonetic1;
    if (s > best.score) best = { level: 'phonetic', score: s, code };
  }
  return best;
}

interface FieldResult extends PairResult {
  /** Which parts matched, when the best match was between parts of a multi-part name. */
  xPart?: string;
  yPart?: string;
}

function compareField(a: PreparedPart, b: PreparedPart, nicknames: boolean): FieldResult {
  if (a.key === '' || b.key === '') return { level: 'missing', score: SCORE.missing };
  let best: FieldResult = comparePair(a.key, b.key, a.codes[0]!, b.codes[0]!, nicknames);
  if (best.level === 'exact' || (a.parts.length === 1 && b.parts.length === 1)) return best;
  for (let i = 0; i < a.parts.length; i++) {
    const ca = a.codes[a.parts.length > 1 ? i + 1 : 0]!;
    for (let j = 0; j < b.parts.length; j++) {
      const cb = b.codes[b.parts.length > 1 ? j + 1 : 0]!;
      const r = comparePair(a.parts[i]!, b.parts[j]!, ca, cb, nicknames);
      const score = r.level === 'exact' ? SCORE.part : r.score * SCORE.partPenalty;
      if (score > best.score) {
        best = { ...r, level: r.level === 'exact' ? 'part' : r.level, score, xPart: a.parts[i]!, yPart: b.parts[j]! };
      }
    }
  }
  return best;
}

function describe(kind: Kind, r: FieldResult, a: PreparedPart, b: PreparedPart): string {
  const x = r.xPart !== undefined ? titleCase(r.xPart) : a.display;
  const y = r.yPart !== undefined ? titleCase(r.yPart) : b.display;
  switch (r.level) {
    case 'exact':
      return `same ${kind}`;
    case 'missing':
      return `${kind} missing from one or both records`;
    case 'part': {
      const whole = a.parts.length > 1 ? a.display : b.display;
      const piece = titleCase(r.xPart ?? '');
      return a.parts.length > 1 && b.parts.length > 1
        ? `${kind}s have ${piece} in common`
        : `${kind} ${piece} is part of ${whole}`;
    }
    case 'nickname': {
      const keyX = r.xPart ?? a.key;
      const keyY = r.yPart ?? b.key;
      const canonical = preferredSharedGroup(keyX, keyY) ?? keyY;
      if (canonical === keyY) return `${kind} ${x} is a nickname or variant of ${y}`;
      if (canonical === keyX) return `${kind} ${y} is a nickname or variant of ${x}`;
      return `${kind}s ${x} and ${y} are both forms of ${titleCase(canonical)}`;
    }
    case 'initial':
      return `${kind} initial fits (${x} / ${y})`;
    case 'phonetic':
      return `${kind} sounds the same (${r.code ?? ''})`;
    case 'typo': {
      const keyX = r.xPart ?? a.key;
      const keyY = r.yPart ?? b.key;
      const how = levenshtein(keyX, keyY, 1) <= 1 ? 'differs by one letter' : 'has two letters swapped';
      return r.code !== undefined ? `${kind} ${how} and sounds the same (${x} / ${y})` : `${kind} ${how} (${x} / ${y})`;
    }
    case 'similar':
      return `${kind} spelled similarly (${x} / ${y})`;
    case 'different':
      return `different ${kind}`;
  }
}

function toComparison(kind: Kind, r: FieldResult, a: PreparedPart, b: PreparedPart): NameFieldComparison {
  return { level: r.level, score: r.score, reason: describe(kind, r, a, b) };
}

/** Compares two prepared names. See `compareNames`. */
export function comparePreparedNames(a: PreparedName, b: PreparedName): NameComparison {
  const given = compareField(a.given, b.given, true);
  const family = compareField(a.family, b.family, false);
  const straight = FORENAME_WEIGHT * given.score + SURNAME_WEIGHT * family.score;

  // Forename and surname the other way round. Cross pairs are compared without nickname and initial
  // rules, so that the result does not depend on the order of the arguments.
  if (
    given.level !== 'exact' &&
    a.given.key !== '' &&
    a.family.key !== '' &&
    b.given.key !== '' &&
    b.family.key !== ''
  ) {
    const g2 = compareField(a.given, b.family, false);
    // Skip the second cross comparison when even a perfect one could not win (most candidates).
    const bound = (FORENAME_WEIGHT * g2.score + SURNAME_WEIGHT * SCORE.exact) * SCORE.swapPenalty;
    const f2 = bound > straight + 0.05 ? compareField(a.family, b.given, false) : null;
    const swappedScore = f2 === null ? 0 : (FORENAME_WEIGHT * g2.score + SURNAME_WEIGHT * f2.score) * SCORE.swapPenalty;
    if (f2 !== null && swappedScore > straight + 0.05) {
      const forename = toComparison('forename', g2, a.given, b.family);
      const surname = toComparison('surname', f2, a.family, b.given);
      return {
        score: clamp01(swappedScore),
        reasons: ['forename and surname appear to be the other way round', forename.reason, surname.reason],
        forename,
        surname,
        swapped: true,
      };
    }
  }

  const forename = toComparison('forename', given, a.given, b.given);
  const surname = toComparison('surname', family, a.family, b.family);
  return { score: clamp01(straight), reasons: [forename.reason, surname.reason], forename, surname, swapped: false };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * How alike two names are: exact, nickname (forenames only), part of a double-barrelled or multi-part
 * name, one typing mistake, the same sound (Double Metaphone), an initial, similar spelling (Jaro–Winkler),
 * and forename/surname swapped. Returns a score in [0, 1] and reasons such as
 * "forename Bob is a nickname or variant of Robert" and "surname sounds the same (SMT)".
 * A part missing on either side counts as neutral (0.5 for that part).
 */
export function compareNames(a: PersonName, b: PersonName): NameComparison {
  return comparePreparedNames(prepareName(a), prepareName(b));
}

// ---------------------------------------------------------------------------------------------
// Dates of birth
// ---------------------------------------------------------------------------------------------

export type DobLevel = 'exact' | 'day-month-swapped' | 'one-digit' | 'within-year' | 'none';

export interface DobSimilarity {
  level: DobLevel;
  score: number;
}

const DOB_SCORE = { exact: 1, swapped: 0.8, oneDigit: 0.7, withinYearMax: 0.5 } as const;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function parseIsoDate(s: string): Ymd | null {
  if (typeof s !== 'string' || s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  if (m < 1 || m > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!;
  if (d > max) return null;
  return { y, m, d };
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm; valid for years 0–9999). */
function daysFromCivil({ y, m, d }: Ymd): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * How alike two ISO dates of birth (YYYY-MM-DD) are:
 *  - exact: the same date (1);
 *  - day-month-swapped: same year, day and month transposed, e.g. 2012-03-04 / 2012-04-03 (0.8);
 *  - one-digit: exactly one digit different, a typing mistake, e.g. 2012-03-14 / 2012-03-17 (0.7);
 *  - within-year: otherwise no more than 366 days apart (0.5 falling to 0 as the gap grows);
 *  - none: further apart, or either date missing or not a real date (0). Callers that need to tell
 *    "missing" from "different" should check for a missing date before calling.
 */
export function dobSimilarity(a: string, b: string): DobSimilarity {
  const x = parseIsoDate(a);
  const y = parseIsoDate(b);
  if (x === null || y === null) return { level: 'none', score: 0 };
  if (x.y === y.y && x.m === y.m && x.d === y.d) return { level: 'exact', score: DOB_SCORE.exact };
  if (x.y === y.y && x.d === y.m && x.m === y.d) return { level: 'day-month-swapped', score: DOB_SCORE.swapped };
  let differing = 0;
  for (let i = 0; i < 10; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) differing++;
  if (differing === 1) return { level: 'one-digit', score: DOB_SCORE.oneDigit };
  const days = Math.abs(daysFromCivil(x) - daysFromCivil(y));
  if (days <= 366) return { level: 'within-year', score: DOB_SCORE.withinYearMax * (1 - days / 367) };
  return { level: 'none', score: 0 };
}
