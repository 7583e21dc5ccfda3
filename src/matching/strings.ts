/**
 * Name normalisation and string distances used by person search, duplicate warnings and record linkage.
 *
 * Pure and dependency-free. The distance functions run on thousands of candidates per search, so they
 * work on UTF-16 code units with module-level scratch buffers (no per-call allocation beyond growth),
 * and everything that can be precomputed is built once at module load.
 */

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

/** Letters that Unicode decomposition does not reduce to ASCII. */
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ĸ: 'k',
  ŋ: 'n',
  ſ: 's',
  ƒ: 'f',
  ŧ: 't',
  ȥ: 'z',
  ɨ: 'i',
};

/** Characters removed without splitting the name: "O'Brien" → "obrien". */
const JOINERS = new Set(["'", '’', '‘', 'ʼ', 'ʻ', '`', '´', '′', 'ʹ']);

/**
 * Per-code-unit fold table for U+0000–U+206F (Latin, combining marks, Greek, Cyrillic, Hebrew,
 * Arabic, Latin Extended Additional and General Punctuation): the folded text, '' to drop the
 * character, or ' ' for a word separator. Built once.
 */
const FOLD_LIMIT = 0x2070;
const FOLD: string[] = new Array<string>(FOLD_LIMIT);
const COMBINING_MARK_RE = /\p{M}/gu;
const LETTER_OR_DIGIT_RE = /^[\p{L}\p{N}]+$/u;
const ASCII_WORD_RE = /^[a-z0-9]+$/;

function foldChar(ch: string): string {
  if (JOINERS.has(ch)) return '';
  const lower = ch.toLowerCase();
  const special = SPECIAL_FOLDS[lower];
  if (special !== undefined) return special;
  const stripped = lower.normalize('NFD').replace(COMBINING_MARK_RE, '');
  if (stripped === '') return /\p{M}/u.test(ch) ? '' : ' ';
  if (ASCII_WORD_RE.test(stripped)) return stripped;
  const specialStripped = SPECIAL_FOLDS[stripped];
  if (specialStripped !== undefined) return specialStripped;
  if (LETTER_OR_DIGIT_RE.test(stripped)) return stripped; // Greek, Cyrillic, Arabic …: kept, lower-cased
  return ' ';
}

for (let c = 0; c < FOLD_LIMIT; c++) {
  // Lone surrogates cannot occur below 0xD800, so String.fromCharCode is exact here.
  FOLD[c] = foldChar(String.fromCharCode(c));
}

/** True when `s` is already lower-case ASCII words separated by single spaces (the common case for stored names). */
function isAlreadyNormal(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  let prevSpace = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) prevSpace = false;
    else if (c === 32 && !prevSpace) prevSpace = true;
    else return false;
  }
  return !prevSpace;
}

/**
 * Lower case, accents removed (é → e, ß → ss, ø → o), apostrophes removed ("O'Brien" → "obrien"),
 * hyphens, full stops and other punctuation turned into single spaces ("Smith-Jones" → "smith jones"),
 * trimmed. Letters of other scripts are kept, lower-cased. Use `nameKey` for a space-free key and
 * `nameTokens` for searching by parts.
 */
export function normaliseName(name: string): string {
  if (isAlreadyNormal(name)) return name;
  let out = '';
  let pendingSpace = false;
  const n = name.length;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    let piece: string;
    if (c < FOLD_LIMIT) {
      piece = FOLD[c]!;
    } else {
      // Rare: CJK, emoji, presentation forms … — fold by code point.
      const cp = name.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (cp > 0xffff) i++;
      piece = foldChar(ch);
    }
    if (piece === '') continue;
    if (piece === ' ') {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    out += piece;
  }
  return out;
}

/** The normalised name with spaces removed: "Smith-Jones" → "smithjones", "O'Brien" → "obrien". */
export function nameKey(name: string): string {
  const norm = normaliseName(name);
  return norm.indexOf(' ') < 0 ? norm : norm.split(' ').join('');
}

/**
 * Search tokens for a name: the whole name joined, then each part, without repeats.
 * "Smith-Jones" → ["smithjones", "smith", "jones"]; "O'Brien" → ["obrien"]; "" → [].
 */
export function nameTokens(name: string): string[] {
  const norm = normaliseName(name);
  if (norm === '') return [];
  if (norm.indexOf(' ') < 0) return [norm];
  const parts = norm.split(' ');
  const tokens = [parts.join('')];
  for (const p of parts) if (!tokens.includes(p)) tokens.push(p);
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Scratch buffers (single-threaded: safe to share between calls)
// ---------------------------------------------------------------------------------------------

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);
let row0 = new Int32Array(64);
let row1 = new Int32Array(64);
let row2 = new Int32Array(64);

function ensureFlags(la: number, lb: number): void {
  if (flagsA.length < la) flagsA = new Uint8Array(Math.max(la, flagsA.length * 2));
  if (flagsB.length < lb) flagsB = new Uint8Array(Math.max(lb, flagsB.length * 2));
}

function ensureRows(n: number): void {
  if (row0.length < n) {
    const size = Math.max(n, row0.length * 2);
    row0 = new Int32Array(size);
    row1 = new Int32Array(size);
    row2 = new Int32Array(size);
  }
}

// ---------------------------------------------------------------------------------------------
// Jaro and Jaro–Winkler
// ---------------------------------------------------------------------------------------------

/**
 * Jaro similarity in [0, 1]: 1 for identical strings (including two empty strings), 0 when either is
 * empty or nothing matches. Symmetric: the pair is put in a canonical order first, because the greedy
 * matching step can otherwise depend on which string is scanned.
 */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  // Canonical order: shorter first, then by code units.
  if (a.length > b.length || (a.length === b.length && a > b)) {
    const t = a;
    a = b;
    b = t;
  }
  const la = a.length;
  const lb = b.length;
  if (la === 0) return 0;
  const window = Math.max(0, (lb >> 1) - 1);
  ensureFlags(la, lb);
  const fa = flagsA;
  const fb = flagsB;
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);

  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < lb ? i + window + 1 : lb;
    const c = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (fb[j] === 0 && b.charCodeAt(j) === c) {
        fa[i] = 1;
        fb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;

  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const m = matches;
  const t = halfTranspositions >> 1;
  return (m / la + m / lb + (m - t) / m) / 3;
}

/**
 * Jaro–Winkler similarity in [0, 1] (Winkler 1990): the Jaro similarity raised for a common prefix of up
 * to `maxPrefix` (4) characters by `prefixScale` (0.1) per character, applied only when the Jaro value
 * exceeds `boostThreshold` (0.7, Winkler's original; pass 0 to always apply it).
 * Equals 1 exactly when the strings are equal. Compares code units: normalise names first.
 */
export function jaroWinkler(a: string, b: string, prefixScale = 0.1, maxPrefix = 4, boostThreshold = 0.7): number {
  const j = jaro(a, b);
  if (j === 1 || j <= boostThreshold) return j;
  const limit = Math.min(maxPrefix, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const jw = j + prefix * prefixScale * (1 - j);
  // Only equal strings may score 1 (guards against rounding for very long strings).
  return jw >= 1 ? 1 - Number.EPSILON : jw;
}

// ---------------------------------------------------------------------------------------------
// Edit distances
// ---------------------------------------------------------------------------------------------

// The result of `trimCommon`, kept in module variables so the hot path allocates nothing.
let trimmedA = '';
let trimmedB = '';
let trimmedStart = 0;
let trimmedLa = 0;
let trimmedLb = 0;

/**
 * Drops the common prefix and suffix of two strings (they never change an edit distance) and orders them
 * so the shorter remainder comes first: afterwards `trimmedA`/`trimmedB` from `trimmedStart`, of lengths
 * `trimmedLa <= trimmedLb`.
 */
function trimCommon(a: string, b: string): void {
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const la = endA - start;
  const lb = endB - start;
  trimmedStart = start;
  if (la > lb) {
    trimmedA = b;
    trimmedB = a;
    trimmedLa = lb;
    trimmedLb = la;
  } else {
    trimmedA = a;
    trimmedB = b;
    trimmedLa = la;
    trimmedLb = lb;
  }
}

/**
 * Levenshtein edit distance (insert, delete, substitute; each cost 1), on UTF-16 code units.
 * With `maxDistance`, stops as soon as the distance must exceed it and returns `maxDistance + 1`,
 * so "is it within 2?" is `levenshtein(a, b, 2) <= 2`.
 */
export function levenshtein(a: string, b: string, maxDistance = Infinity): number {
  if (a === b) return 0;
  const over = maxDistance + 1;
  trimCommon(a, b);
  a = trimmedA;
  b = trimmedB;
  const la = trimmedLa;
  const lb = trimmedLb;
  const offA = trimmedStart;
  const offB = trimmedStart;
  if (lb - la > maxDistance) return over;
  if (la === 0) return lb;

  ensureRows(la + 1);
  const row = row0;
  for (let i = 0; i <= la; i++) row[i] = i;
  for (let j = 1; j <= lb; j++) {
    const cb = b.charCodeAt(offB + j - 1);
    let diag = row[0]!; // D[i-1][j-1]
    row[0] = j;
    let rowMin = j;
    for (let i = 1; i <= la; i++) {
      const above = row[i]!; // D[i][j-1]
      const cost = a.charCodeAt(offA + i - 1) === cb ? 0 : 1;
      let v = diag + cost;
      const del = above + 1;
      if (del < v) v = del;
      const ins = row[i - 1]! + 1;
      if (ins < v) v = ins;
      row[i] = v;
      diag = above;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > maxDistance) return over;
  }
  const d = row[la]!;
  return d > maxDistance ? over : d;
}

/**
 * Damerau–Levenshtein distance, optimal string alignment variant: Levenshtein plus the transposition of
 * two adjacent characters ("Jonhson" → "Johnson" is 1), each substring edited at most once.
 * Same `maxDistance` cut-off convention as `levenshtein`.
 */
export function damerauLevenshtein(a: string, b: string, maxDistance = Infinity): number {
  if (a === b) return 0;
  const over = maxDistance + 1;
  trimCommon(a, b);
  a = trimmedA;
  b = trimmedB;
  const la = trimmedLa;
  const lb = trimmedLb;
  const offA = trimmedStart;
  const offB = trimmedStart;
  if (lb - la > maxDistance) return over;
  if (la === 0) return lb;

  ensureRows(la + 1);
  // Three rolling rows over b's positions: prev2 = D[..][j-2], prev = D[..][j-1], cur = D[..][j].
  let prev2 = row0;
  let prev = row1;
  let cur = row2;
  for (let i = 0; i <= la; i++) prev[i] = i;
  for (let j = 1; j <= lb; j++) {
    const cb = b.charCodeAt(offB + j - 1);
    const cbPrev = j > 1 ? b.charCodeAt(offB + j - 2) : -1;
    cur[0] = j;
    let rowMin = j;
    for (let i = 1; i <= la; i++) {
      const ca = a.charCodeAt(offA + i - 1);
      const cost = ca === cb ? 0 : 1;
      let v = prev[i - 1]! + cost;
      const del = prev[i]! + 1;
      if (del < v) v = del;
      const ins = cur[i - 1]! + 1;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca === cbPrev && a.charCodeAt(offA + i - 2) === cb) {
        const tr = prev2[i - 2]! + 1;
        if (tr < v) v = tr;
      }
      cur[i] = v;
      if (v < rowMin) rowMin = v;
    }
    // A transposition reaches back two rows, so only cut off when both of the last two rows exceed the limit.
    if (rowMin > maxDistance) {
      let prevMin = Infinity;
      for (let i = 0; i <= la; i++) if (prev[i]! < prevMin) prevMin = prev[i]!;
      if (prevMin > maxDistance) return over;
    }
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[la]!;
  return d > maxDistance ? over : d;
}
