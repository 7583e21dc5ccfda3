/**
 * The comparisons and their levels. `compareInto` fills one level per comparison for a pair of records;
 * level 0 is always "missing on one side or both", which carries no weight.
 */
import { damerauLevenshtein, jaroWinkler } from '../matching/strings.ts';
import { NO_DAY_VALUE, type Features } from './features.ts';

export interface ComparisonDef {
  name: string;
  levels: readonly string[];
  /** Level index of exact agreement on a name (term-frequency adjusted), or -1. */
  tfLevel: number;
  /** Starting m probabilities for EM, one per level (level 0 ignored). */
  mStart: readonly number[];
}

export const C_FIRST = 0;
export const C_SURNAME = 1;
export const C_DOB = 2;
export const C_POSTCODE = 3;
export const C_NHS = 4;
export const C_OTHER = 5;
export const C_SEX = 6;
export const C_EMAIL = 7;
export const C_TOWN = 8;
export const C_ADDRESS = 9;

export const COMPARISONS: readonly ComparisonDef[] = [
  { name: 'first_name', levels: ['missing', 'exact', 'swapped with surname', 'Jaro-Winkler >= 0.95', 'nickname', 'Jaro-Winkler >= 0.88', 'same sound', 'initial only', 'different'], tfLevel: 1, mStart: [0, 0.7, 0.02, 0.08, 0.05, 0.05, 0.03, 0.02, 0.05] },
  { name: 'surname', levels: ['missing', 'exact', 'swapped with first name', 'Jaro-Winkler >= 0.95', 'Jaro-Winkler >= 0.88', 'same sound', 'different'], tfLevel: 1, mStart: [0, 0.75, 0.02, 0.08, 0.06, 0.03, 0.06] },
  { name: 'date_of_birth', levels: ['missing', 'exact', 'exact, 1 January (placeholder?)', 'day and month swapped', 'one digit off', 'within a year', 'within 5 years', 'different'], tfLevel: -1, mStart: [0, 0.75, 0.02, 0.03, 0.08, 0.04, 0.03, 0.05] },
  { name: 'postcode', levels: ['missing', 'exact', 'one character or transposition', 'same sector', 'same district', 'same area', 'different'], tfLevel: -1, mStart: [0, 0.68, 0.04, 0.07, 0.06, 0.05, 0.1] },
  { name: 'nhs_number', levels: ['missing', 'exact', 'one digit or transposition', 'different'], tfLevel: -1, mStart: [0, 0.9, 0.06, 0.04] },
  { name: 'other_identifier', levels: ['missing', 'exact', 'one character or transposition', 'different'], tfLevel: -1, mStart: [0, 0.85, 0.08, 0.07] },
  { name: 'sex', levels: ['missing', 'same', 'different'], tfLevel: -1, mStart: [0, 0.95, 0.05] },
  { name: 'email', levels: ['missing', 'exact', 'Jaro-Winkler >= 0.88', 'different'], tfLevel: -1, mStart: [0, 0.8, 0.1, 0.1] },
  { name: 'town', levels: ['missing', 'exact', 'Jaro-Winkler >= 0.88', 'different'], tfLevel: -1, mStart: [0, 0.8, 0.1, 0.1] },
  {
    name: 'address',
    levels: ['missing', 'exact', 'the same but for typing errors', 'two thirds alike', 'a third alike', 'different'],
    tfLevel: -1,
    mStart: [0, 0.6, 0.15, 0.1, 0.05, 0.1],
  },
];

export const NC = COMPARISONS.length;

/**
 * Jaro–Winkler of a and b when it could reach `min`, else 0. Jaro–Winkler >= min needs Jaro >= (min - 0.4) / 0.6,
 * and the number of matching characters is at most the characters of the shorter string whose letter
 * is in the other's letter set: a cheap bound that skips most hopeless pairs.
 */
export function jwAtLeast(a: string, b: string, maskA: number, maskB: number, min: number): number {
  let s = a;
  let maskL = maskB;
  let la = a.length;
  let lb = b.length;
  if (la > lb) {
    s = b;
    maskL = maskA;
    [la, lb] = [lb, la];
  }
  if (la === 0) return 0;
  let m = 0;
  for (let k = 0; k < la; k++) {
    const c = s.charCodeAt(k);
    let bit: number;
    if (c >= 97 && c <= 122) bit = 1 << (c - 97);
    else if (c >= 65 && c <= 90) bit = 1 << (c - 65);
    else if (c >= 48 && c <= 57) bit = 1 << (26 + ((c - 48) % 5));
    else bit = 1 << 31;
    if (maskL & bit) m++;
  }
  const jaroBound = (m / la + m / lb + 1) / 3;
  if (jaroBound < (min - 0.4) / 0.6 - 1e-9) return 0;
  return jaroWinkler(a, b);
}

/**
 * Dice similarity of two sorted bigram multisets: 2 × shared / (|a| + |b|). Below `floor` it may stop
 * early and return any value under `floor` (most compared addresses are plainly different).
 */
export function dice(a: Int32Array, b: Int32Array, floor = 0): number {
  const la = a.length;
  const lb = b.length;
  const total = la + lb;
  if (total === 0) return 0;
  const need = floor * total * 0.5; // shared bigrams needed to reach the floor
  if ((la < lb ? la : lb) < need) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < la && j < lb) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else {
      if (x < y) i++;
      else j++;
      const left = la - i < lb - j ? la - i : lb - j;
      if (common + left < need) return 0;
    }
  }
  return (2 * common) / total;
}

function sharesGroup(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}

/** Level of a forename pair (ids into f.names; the pair's surnames for the swap check). */
export function firstNameLevel(f: Features, a: number, b: number, sa: number, sb: number): number {
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  if (a === sb && b === sa) return 2;
  const x = f.names[a]!;
  const y = f.names[b]!;
  const jw = jwAtLeast(x, y, f.masks.names[a]!, f.masks.names[b]!, 0.88);
  if (jw >= 0.95) return 3;
  if (sharesGroup(f.nameGroups[a]!, f.nameGroups[b]!)) return 4;
  if (jw >= 0.88) return 5;
  const pa = f.namePhon[a]!;
  const pb = f.namePhon[b]!;
  if (pa >= 0 && (pa === pb || pa === f.namePhonAlt[b] || f.namePhonAlt[a] === pb)) return 6;
  if ((x.length === 1 || y.length === 1) && x.charCodeAt(0) === y.charCodeAt(0)) return 7;
  return 8;
}

const FIRST_DIFFERENT = 8;
const SURNAME_DIFFERENT = 6;

/** Two names the same or alike by Jaro–Winkler (>= 0.88). */
function alike(f: Features, a: number, b: number): boolean {
  return a === b || jwAtLeast(f.names[a]!, f.names[b]!, f.masks.names[a]!, f.masks.names[b]!, 0.88) >= 0.88;
}

/**
 * Name levels compared in place that a near swap would replace: one of them different, neither
 * missing, already swapped, or the same in place. A name that agrees exactly in place is never part
 * of a swap: twins sharing a surname whose forenames both look like it ("Mariana Martin", "Martine
 * Martin") have two forenames, not their names swapped.
 */
export function mightBeSwapped(first: number, sur: number): boolean {
  return (first === FIRST_DIFFERENT || sur === SURNAME_DIFFERENT) && first !== 0 && sur !== 0 && first !== 1 && sur !== 1 && first !== 2;
}

/**
 * Forename and surname swapped, each the same or a close spelling of the other record's ("Campblel
 * Joshua" for "Joshua Campbell"): asked only when the names compared in place disagree.
 */
export function nearlySwapped(f: Features, fi: number, fj: number, si: number, sj: number): boolean {
  return alike(f, fi, sj) && alike(f, si, fj);
}

export function surnameLevel(f: Features, a: number, b: number, fa: number, fb: number): number {
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  if (a === fb && b === fa) return 2;
  const jw = jwAtLeast(f.names[a]!, f.names[b]!, f.masks.names[a]!, f.masks.names[b]!, 0.88);
  if (jw >= 0.95) return 3;
  if (jw >= 0.88) return 4;
  const pa = f.namePhon[a]!;
  const pb = f.namePhon[b]!;
  if (pa >= 0 && (pa === pb || pa === f.namePhonAlt[b] || f.namePhonAlt[a] === pb)) return 5;
  return 6;
}

/** Digits of two YYYYMMDD numbers that differ, or 2 for a swap of two adjacent digits, else 9. */
function dobDigitDistance(x: number, y: number): number {
  let diff = 0;
  let firstPos = -1;
  let dx = 0;
  let dy = 0;
  for (let p = 0; p < 8; p++) {
    const a = x % 10;
    const b = y % 10;
    if (a !== b) {
      diff++;
      if (diff === 1) {
        firstPos = p;
        dx = a;
        dy = b;
      } else if (diff === 2 && p === firstPos + 1 && a === dy && b === dx) {
        diff = 1.5; // adjacent transposition: one slip of the finger
      } else if (diff > 2) return 9;
    }
    x = (x - a) / 10;
    y = (y - b) / 10;
  }
  return diff;
}

export function dobLevel(f: Features, i: number, j: number): number {
  const x = f.dob[i]!;
  const y = f.dob[j]!;
  if (x < 0 || y < 0) return 0;
  if (x === y) return x % 10000 === 101 ? 2 : 1;
  const yx = (x / 10000) | 0;
  const yy = (y / 10000) | 0;
  if (yx === yy && (x % 100) * 100 + ((x / 100) | 0) % 100 === y % 10000) return 3;
  const dd = dobDigitDistance(x, y);
  if (dd === 1 || dd === 1.5) return 4;
  const di = f.dobDays[i]!;
  const dj = f.dobDays[j]!;
  if (di !== NO_DAY_VALUE && dj !== NO_DAY_VALUE) {
    const days = di > dj ? di - dj : dj - di;
    if (days <= 366) return 5;
    if (days <= 1827) return 6;
    return 7;
  }
  const years = yx > yy ? yx - yy : yy - yx;
  return years <= 1 ? 5 : years <= 5 ? 6 : 7;
}

/** One substitution or one adjacent transposition between two identifiers of the same length. */
function nearIdentifier(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let diffs = 0;
  for (let k = 0; k < a.length; k++) {
    if (a.charCodeAt(k) !== b.charCodeAt(k)) {
      diffs++;
      if (diffs === 1) first = k;
      else if (diffs === 2) {
        if (k !== first + 1 || a.charCodeAt(k) !== b.charCodeAt(first) || a.charCodeAt(first) !== b.charCodeAt(k)) return false;
      } else return false;
    }
  }
  return diffs <= 2;
}

function identifierLevel(ids: Int32Array, strings: string[], i: number, j: number): number {
  const a = ids[i]!;
  const b = ids[j]!;
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  return nearIdentifier(strings[a]!, strings[b]!) ? 2 : 3;
}

function textLevel(ids: Int32Array, strings: string[], masks: number[], i: number, j: number, t: number): number {
  const a = ids[i]!;
  const b = ids[j]!;
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  return jwAtLeast(strings[a]!, strings[b]!, masks[a]!, masks[b]!, t) >= t ? 2 : 3;
}

export function postcodeLevel(f: Features, i: number, j: number): number {
  const a = f.pcFull[i]!;
  const b = f.pcFull[j]!;
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  if (nearIdentifier(f.strings.postcode[a]!, f.strings.postcode[b]!)) return 2;
  const s = f.pcSector[i]!;
  if (s >= 0 && s === f.pcSector[j]) return 3;
  const d = f.pcDistrict[i]!;
  if (d >= 0 && d === f.pcDistrict[j]) return 4;
  const ar = f.pcArea[i]!;
  if (ar >= 0 && ar === f.pcArea[j]) return 5;
  return 6;
}

/** At most one edit (insertion, deletion, substitution, adjacent transposition) per ten characters. */
function fewEdits(a: string, b: string): boolean {
  const allowed = Math.max(1, Math.floor(Math.max(a.length, b.length) / 10));
  return Math.abs(a.length - b.length) <= allowed && damerauLevenshtein(a, b, allowed) <= allowed;
}

/**
 * Addresses (house number and street lines, normalised): exact; the same but for typing errors,
 * spacing or abbreviations (Dice similarity of character bigrams >= 0.8, or about one edit per ten
 * characters, with the same numbers or one side without numbers); two thirds alike (>= 0.6, such as another house in the same street); a third
 * alike (>= 0.35); different.
 */
export function addressLevel(f: Features, i: number, j: number): number {
  const a = f.address[i]!;
  const b = f.address[j]!;
  if (a < 0 || b < 0) return 0;
  if (a === b) return 1;
  const d = dice(f.addressBigrams[a]!, f.addressBigrams[b]!, 0.35);
  if (d >= 0.8 || (d >= 0.5 && fewEdits(f.addressCompact[a]!, f.addressCompact[b]!))) {
    const na = f.addressNumbers[a]!;
    const nb = f.addressNumbers[b]!;
    if (na === nb || na < 0 || nb < 0) return 2;
    return 3;
  }
  return d >= 0.6 ? 3 : d >= 0.35 ? 4 : 5;
}

/**
 * Fills `out[0..NC)` with the level of each comparison for records i and j. With `deferred` the two
 * dearest checks are left to a caller that makes them only when they could change its decision: the
 * address level stays 0 (missing) and names are not checked for a near swap (`addressLevel`,
 * `nearlySwapped`).
 */
export function compareInto(f: Features, i: number, j: number, out: Uint8Array, deferred = false): void {
  const fi = f.first[i]!;
  const fj = f.first[j]!;
  const si = f.surname[i]!;
  const sj = f.surname[j]!;
  let first = firstNameLevel(f, fi, fj, si, sj);
  let sur = surnameLevel(f, si, sj, fi, fj);
  if (!deferred && mightBeSwapped(first, sur) && nearlySwapped(f, fi, fj, si, sj)) {
    first = 2;
    sur = 2;
  }
  out[C_FIRST] = first;
  out[C_SURNAME] = sur;
  out[C_DOB] = dobLevel(f, i, j);
  out[C_POSTCODE] = postcodeLevel(f, i, j);
  out[C_NHS] = identifierLevel(f.nhs, f.strings.nhs, i, j);
  out[C_OTHER] = identifierLevel(f.other, f.strings.other, i, j);
  const xi = f.sex[i]!;
  const xj = f.sex[j]!;
  out[C_SEX] = xi === 0 || xj === 0 ? 0 : xi === xj ? 1 : 2;
  out[C_EMAIL] = textLevel(f.email, f.strings.email, f.masks.email, i, j, 0.88);
  out[C_TOWN] = textLevel(f.town, f.strings.town, f.masks.town, i, j, 0.88);
  out[C_ADDRESS] = deferred ? 0 : addressLevel(f, i, j);
}

/**
 * The same address, for the twin rule: the same postcode, or the same address lines, or address lines
 * the same but for typing errors where no two recorded postcodes disagree (one is missing).
 */
export function sameAddress(levels: Uint8Array): boolean {
  const p = levels[C_POSTCODE]!;
  const a = levels[C_ADDRESS]!;
  return p === 1 || a === 1 || (a === 2 && p === 0);
}

/**
 * Twins (or other siblings born together): same date of birth, same surname, same postcode or address,
 * and forenames that are not forms of one another — unless an NHS number or other identifier is the
 * same or one keystroke apart, or the email address is the same (twins have their own). Such a pair is never linked, directly or through others.
 */
export function isTwinPair(f: Features, i: number, j: number, levels: Uint8Array): boolean {
  if (levels[C_DOB] !== 1 && levels[C_DOB] !== 2) return false;
  if (levels[C_NHS] === 1 || levels[C_NHS] === 2 || levels[C_OTHER] === 1 || levels[C_OTHER] === 2 || levels[C_EMAIL] === 1) return false;
  if (levels[C_SURNAME] !== 1) return false;
  if (!sameAddress(levels)) return false;
  return levels[C_FIRST] === 8;
}

/** Forename levels that say two forenames are forms of one another (exact, swapped, close spellings, nickname, sound): not an initial, not different. */
export function forenamesAgree(level: number): boolean {
  return level >= 1 && level <= 6;
}

/**
 * Whether two groups of records (each taken to be one person) are twins, so must not be joined. Each
 * group is given as its records by twin key (date of birth and surname, of records with a forename).
 * They are twins when, among the records that share a key across the groups, some pair is twins
 * (`isTwinPair`, which also asks for the same address) and no pair has forenames that are forms of one
 * another. A group that already holds a record with the other group's forename at that date of birth and
 * surname (wherever it lived) is the same person, and a record of it with another forename is an error
 * in that record, held to the group by other evidence (an identifier); groups with no forename in
 * common stay apart however strong their other links.
 */
export function areTwinGroups(f: Features, a: ReadonlyMap<string, readonly number[]>, b: ReadonlyMap<string, readonly number[]>, levels: Uint8Array): boolean {
  let twins = false;
  for (const [key, rb] of b) {
    const ra = a.get(key);
    if (!ra) continue;
    for (const r1 of rb) {
      for (const r2 of ra) {
        compareInto(f, r1, r2, levels);
        if (forenamesAgree(levels[C_FIRST]!)) return false;
        if (!twins && isTwinPair(f, r1, r2, levels)) twins = true;
      }
    }
  }
  return twins;
}
