/**
 * Person identifiers: validation, normalisation and synthetic generation.
 *
 * Pure and dependency-free. Every validator takes whatever a practitioner typed (spaces, hyphens,
 * lower case) and returns either the normalised value or a message written for a practitioner,
 * in the GOV.UK error-message style ("Enter …", "… must be …").
 */

export type IdentifierResult = { ok: true; value: string } | { ok: false; message: string };

/** A source of randomness returning a number in [0, 1), like Math.random. Inject a seeded one for repeatable data. */
export type RandomSource = () => number;

const CODE_0 = 48;
const CODE_9 = 57;

function fail(message: string): IdentifierResult {
  return { ok: false, message };
}

function randomInt(rand: RandomSource, n: number): number {
  const r = Math.floor(rand() * n);
  // Defend against sources that return 1 (or slightly out of range).
  return r < 0 ? 0 : r >= n ? n - 1 : r;
}

// ---------------------------------------------------------------------------------------------
// NHS number
// ---------------------------------------------------------------------------------------------

/**
 * Modulus 11 check digit over the first nine digits of `digits` (weights 10 down to 2).
 * Returns 0–9, or 10 when no valid check digit exists (such numbers are never issued).
 */
export function nhsCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - CODE_0) * (10 - i);
  const check = 11 - (sum % 11);
  return check === 11 ? 0 : check;
}

/** Strips spaces and hyphens; returns null if anything other than digits remains. */
function nhsDigits(raw: string): string | null {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= CODE_0 && c <= CODE_9) out += raw[i];
    else if (c === 32 || c === 45 || c === 0x2010 || c === 0x2011 || c === 0x2013 || c === 0xa0 || c === 9) continue;
    else return null;
  }
  return out;
}

function isRepeatedDigit(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== s.charCodeAt(0)) return false;
  return true;
}

/**
 * Validates an NHS number (England, Wales and the Isle of Man; the same format and check is used for
 * Scottish CHI and Northern Irish H&C numbers). Accepts "943 476 5919", "943-476-5919" or "9434765919";
 * the value returned is the 10 digits with no separators.
 *
 * Numbers made of one repeated digit (0000000000, 1111111111 …) pass the modulus 11 check but are
 * treated as invalid: they are placeholders, not issued numbers.
 */
export function validateNhsNumber(raw: string): IdentifierResult {
  const trimmed = (raw ?? '').trim();
  if (trimmed === '') return fail('Enter an NHS number');
  const digits = nhsDigits(trimmed);
  if (digits === null) return fail('NHS number must only include numbers, like 943 476 5919');
  if (digits.length !== 10) return fail('NHS number must be 10 digits');
  if (isRepeatedDigit(digits)) {
    return fail('NHS number is not valid: a number made of one repeated digit, like 000 000 0000, is never issued');
  }
  const check = nhsCheckDigit(digits);
  if (check === 10 || check !== digits.charCodeAt(9) - CODE_0) {
    return fail('NHS number is not valid: the check digit does not match (check for a typing mistake)');
  }
  return { ok: true, value: digits };
}

/** "9434765919" → "943 476 5919" (the NHS display format). Returns the input unchanged if it is not 10 digits. */
export function formatNhsNumber(value: string): string {
  if (value.length !== 10) return value;
  return `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}`;
}

/**
 * A valid NHS number in the range 999 000 0000 – 999 999 9999, which NHS England reserves for
 * test and synthetic data, so a generated number can never belong to a real patient.
 */
export function generateNhsNumber(rand: RandomSource): string {
  let prefix = '999';
  for (let i = 0; i < 5; i++) prefix += String(randomInt(rand, 10));
  const start = randomInt(rand, 10);
  // Some bodies have no valid check digit (remainder 10), and 999999999 would make the placeholder
  // 9999999999. Stepping the last digit (weight 2) moves the remainder by 2 each time, so at most two of
  // any ten steps are unusable: this always ends within three steps, whatever `rand` returns.
  for (let k = 0; ; k++) {
    const body = prefix + String((start + k) % 10);
    const check = nhsCheckDigit(body);
    if (check === 10) continue;
    const value = body + String(check);
    if (isRepeatedDigit(value)) continue;
    return value;
  }
}

/** True for numbers in the reserved synthetic/test range 999 000 0000 – 999 999 9999. */
export function isSyntheticNhsNumber(value: string): boolean {
  return value.length === 10 && value.startsWith('999');
}

// ---------------------------------------------------------------------------------------------
// Unique Pupil Number (England; Wales uses a compatible scheme)
// ---------------------------------------------------------------------------------------------

/**
 * The check-letter alphabet: A–Z without I, O and S. A value v (0–22) maps to UPN_ALPHABET[v].
 * The same alphabet gives the value of the final letter of a temporary UPN.
 */
export const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** Letter → alphabet index (0–22), or -1; indexed by char code, built once. */
const UPN_LETTER_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < UPN_ALPHABET.length; i++) UPN_LETTER_VALUE[UPN_ALPHABET.charCodeAt(i)] = i;

/**
 * The check letter for the 12 characters after it (characters 2–13 of the UPN).
 * DfE "Unique pupil numbers (UPNs): a guide for schools and local authorities", Annex A, and the
 * Government Data Standards Catalogue entry for the UPN: each of characters 2–13 is multiplied by its
 * position (2 to 13), a letter in position 13 (temporary UPN) counts as its index in UPN_ALPHABET,
 * the sum is taken modulo 23 and the remainder indexes UPN_ALPHABET.
 * Returns null if `body` is not 11 digits followed by a digit or an allowed letter.
 */
export function upnCheckLetter(body: string): string | null {
  if (body.length !== 12) return null;
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const c = body.charCodeAt(i);
    let v: number;
    if (c >= CODE_0 && c <= CODE_9) v = c - CODE_0;
    else if (i === 11 && c < 128 && UPN_LETTER_VALUE[c]! >= 0) v = UPN_LETTER_VALUE[c]!;
    else return null;
    sum += v * (i + 2);
  }
  return UPN_ALPHABET[sum % 23]!;
}

/**
 * Validates a Unique Pupil Number: a check letter, then a 3-digit local authority number, a 4-digit
 * establishment number, a 2-digit year and a 3-digit serial. A temporary UPN has a 2-digit serial and a
 * final letter (any letter except I, O and S). Spaces and hyphens are ignored and letters upper-cased.
 *
 * The local authority number is not checked against the DfE list (new authorities are created from time
 * to time); only the shape and the check letter are.
 */
export function validateUpn(raw: string): IdentifierResult {
  let value = '';
  const s = (raw ?? '').trim();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === ' ' || ch === '-') continue;
    value += ch;
  }
  value = value.toUpperCase();
  if (value === '') return fail('Enter a UPN');
  if (value.length !== 13) return fail('UPN must be 13 characters, like A123456789012');
  const first = value.charCodeAt(0);
  if (first < 65 || first > 90) return fail('UPN must start with a letter, like A123456789012');
  for (let i = 1; i < 12; i++) {
    const c = value.charCodeAt(i);
    if (c < CODE_0 || c > CODE_9) {
      return fail('UPN must be a letter followed by 12 numbers (a temporary UPN ends with a letter)');
    }
  }
  const last = value.charCodeAt(12);
  const lastIsDigit = last >= CODE_0 && last <= CODE_9;
  if (!lastIsDigit) {
    if (last < 65 || last > 90) {
      return fail('UPN must be a letter followed by 12 numbers (a temporary UPN ends with a letter)');
    }
    if (UPN_LETTER_VALUE[last]! < 0) return fail('UPN is not valid: a temporary UPN cannot end with I, O or S');
  }
  const expected = upnCheckLetter(value.slice(1));
  if (expected === null || expected !== value[0]) {
    return fail('UPN is not valid: the check letter does not match (check for a typing mistake)');
  }
  return { ok: true, value };
}

/** True if a (normalised, valid) UPN is a temporary one, i.e. ends with a letter. */
export function isTemporaryUpn(value: string): boolean {
  const c = value.charCodeAt(12);
  return c >= 65 && c <= 90;
}

export interface GenerateUpnOptions {
  /** Issue a temporary UPN (two-digit serial and a final letter). Default false. */
  temporary?: boolean;
  /**
   * 3-digit local authority number. Default "999", which is not an allocated LA number, so a
   * generated UPN cannot be a real pupil's (there is no reserved test range for UPNs).
   */
  laCode?: string;
}

/** A valid synthetic UPN. */
export function generateUpn(rand: RandomSource, options: GenerateUpnOptions = {}): string {
  const la = options.laCode ?? '999';
  if (!/^\d{3}$/.test(la)) throw new Error('laCode must be 3 digits');
  let body = la;
  for (let i = 0; i < 4; i++) body += String(randomInt(rand, 10)); // establishment number
  body += String(randomInt(rand, 10)) + String(randomInt(rand, 10)); // year
  if (options.temporary) {
    body += String(randomInt(rand, 10)) + String(randomInt(rand, 10));
    body += UPN_ALPHABET[randomInt(rand, UPN_ALPHABET.length)]!;
  } else {
    for (let i = 0; i < 3; i++) body += String(randomInt(rand, 10));
  }
  return upnCheckLetter(body)! + body;
}

// ---------------------------------------------------------------------------------------------
// Postcode
// ---------------------------------------------------------------------------------------------

/**
 * UK postcode (no space, upper case), following the Royal Mail / BS 7666 rules:
 * outward code A9, A99, A9A, AA9, AA99 or AA9A; inward code 9AA. Q, V and X never start a postcode;
 * I, J and Z are never second; only ABCDEFGHJKPSTUW appear third in A9A and ABEHMNPRVWXY fourth in AA9A;
 * the inward letters never use C, I, K, M, O or V. GIR 0AA is the one historic exception.
 * BFPO numbers and the overseas-territory codes (ASCN 1ZZ, …) are not accepted.
 */
const POSTCODE_COMPACT_RE =
  /^(?:GIR0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$/;

/** Upper case, with all whitespace removed; null if anything other than letters, digits and spaces. */
function compactPostcode(raw: string): string | null {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0xa0) continue;
    if (c >= 97 && c <= 122) c -= 32;
    if ((c >= 65 && c <= 90) || (c >= CODE_0 && c <= CODE_9)) out += String.fromCharCode(c);
    else return null;
  }
  return out;
}

/** "sw1a1aa" → "SW1A 1AA"; null if it is not a UK postcode. */
export function normalisePostcode(raw: string): string | null {
  const compact = compactPostcode(raw ?? '');
  if (compact === null || compact.length < 5 || compact.length > 7) return null;
  if (!POSTCODE_COMPACT_RE.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** Validates a UK postcode and normalises it to upper case with one space: "sw1a1aa" → "SW1A 1AA". */
export function validatePostcode(raw: string): IdentifierResult {
  const trimmed = (raw ?? '').trim();
  if (trimmed === '') return fail('Enter a postcode');
  const value = normalisePostcode(trimmed);
  if (value === null) return fail('Enter a full UK postcode, like SW1A 1AA');
  return { ok: true, value };
}

/** Outward code: "SW1A 1AA" → "SW1A". Accepts un-normalised input; null if not a postcode. */
export function postcodeOutward(postcode: string): string | null {
  const pc = normalisePostcode(postcode);
  return pc === null ? null : pc.slice(0, pc.length - 4);
}

/**
 * Postcode district: the outward code, "SW1A 1AA" → "SW1A" (this follows ONS usage; Royal Mail would
 * call SW1A a sub-district of SW1).
 */
export function postcodeDistrict(postcode: string): string | null {
  return postcodeOutward(postcode);
}

/** Postcode sector: outward code plus the inward digit, "SW1A 1AA" → "SW1A 1". */
export function postcodeSector(postcode: string): string | null {
  const pc = normalisePostcode(postcode);
  return pc === null ? null : pc.slice(0, pc.length - 2);
}

/** Postcode area: the leading letters, "SW1A 1AA" → "SW", "M1 1AE" → "M" ("GIR" for GIR 0AA). */
export function postcodeArea(postcode: string): string | null {
  const pc = normalisePostcode(postcode);
  if (pc === null) return null;
  let end = 0;
  while (end < pc.length) {
    const c = pc.charCodeAt(end);
    if (c < 65 || c > 90) break;
    end++;
  }
  return pc.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// Local (system-specific) identifier
// ---------------------------------------------------------------------------------------------

/** Control, format, unassigned, private-use and surrogate code points, and line/paragraph separators. */
const NOT_PRINTABLE_RE = /[\p{C}\p{Zl}\p{Zp}]/u;
export const LOCAL_ID_MAX_LENGTH = 64;

/**
 * A local case-management or system identifier (e.g. a Mosaic or LCS person ID): 1 to 64 printable
 * characters, surrounding spaces removed. Nothing else is assumed about its shape.
 */
export function validateLocalId(raw: string): IdentifierResult {
  const value = (raw ?? '').trim();
  if (value === '') return fail('Enter a local ID');
  if (NOT_PRINTABLE_RE.test(value)) {
    return fail('Local ID must only include letters, numbers, spaces and printable symbols');
  }
  let length = 0;
  for (const _ of value) length++;
  if (length > LOCAL_ID_MAX_LENGTH) return fail(`Local ID must be ${LOCAL_ID_MAX_LENGTH} characters or fewer`);
  return { ok: true, value };
}
