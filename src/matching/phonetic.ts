/**
 * Phonetic name codes: American Soundex and Lawrence Philips' Double Metaphone.
 *
 * Pure and dependency-free. Input is folded to upper-case A–Z first (accents removed with the same
 * table as `normaliseName`), so "Zoë" and "Zoe" code the same.
 */

import { normaliseName } from './strings.ts';

// ---------------------------------------------------------------------------------------------
// Soundex
// ---------------------------------------------------------------------------------------------

/** Soundex digit per letter A–Z; 0 = vowel (A E I O U Y), -1 = H or W (transparent). */
const SOUNDEX_CODE = new Int8Array(26);
{
  const groups: [string, number][] = [
    ['AEIOUY', 0],
    ['HW', -1],
    ['BFPV', 1],
    ['CGJKQSXZ', 2],
    ['DT', 3],
    ['L', 4],
    ['MN', 5],
    ['R', 6],
  ];
  for (const [letters, code] of groups) for (const ch of letters) SOUNDEX_CODE[ch.charCodeAt(0) - 65] = code;
}

/** Upper-case A–Z only (plus spaces when `keepSpaces`), accents folded. */
function lettersOnly(name: string, keepSpaces: boolean): string {
  const norm = normaliseName(name);
  let out = '';
  for (let i = 0; i < norm.length; i++) {
    const c = norm.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(c - 32);
    else if (c === 32 && keepSpaces) out += ' ';
  }
  return out;
}

/**
 * American Soundex (the US National Archives rules): first letter kept, then up to three digits;
 * adjacent letters with the same code count once, also when separated by H or W, but not when separated by
 * a vowel; a second letter with the same code as the first is dropped ("Pfister" → P236).
 * Returns "" when there are no letters. "Robert" → R163, "Ashcraft" → A261, "Tymczak" → T522.
 */
export function soundex(name: string): string {
  const s = lettersOnly(name, false);
  if (s === '') return '';
  let out = s[0]!;
  let last = SOUNDEX_CODE[s.charCodeAt(0) - 65]!;
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const code = SOUNDEX_CODE[s.charCodeAt(i) - 65]!;
    if (code > 0) {
      if (code !== last) out += String(code);
      last = code;
    } else if (code === 0) {
      last = 0; // a vowel separates letters with the same code
    }
    // H and W: leave `last` alone, so letters either side with the same code count once.
  }
  while (out.length < 4) out += '0';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Double Metaphone
// ---------------------------------------------------------------------------------------------

/*
 * A port of Lawrence Philips' original C++ implementation (C/C++ Users Journal, June 2000), rule for
 * rule and in the same order, including its conventions:
 *  - the word is upper-cased and padded with five spaces, so a look-ahead past the end sees ' '
 *    (this is what makes e.g. "LOCH" end in K and "JOSE" code as H);
 *  - IsVowel is false outside the word; StringAt is false for a negative start;
 *  - an alternate of " " means "add nothing to the alternate";
 *  - both codes are cut to `maxLength` (4 in the original).
 * Names are folded to A–Z first (Ç and Ñ, which the original handles specially, fold to C and N),
 * apostrophes are dropped and hyphens become spaces.
 */

const PAD = '     ';

class Dm {
  readonly w: string; // padded word
  readonly length: number; // unpadded length
  readonly last: number;
  readonly slavoGermanic: boolean;
  primary = '';
  secondary = '';

  constructor(word: string) {
    this.length = word.length;
    this.last = word.length - 1;
    this.w = word + PAD;
    this.slavoGermanic =
      word.indexOf('W') >= 0 || word.indexOf('K') >= 0 || word.indexOf('CZ') >= 0 || word.indexOf('WITZ') >= 0;
  }

  at(i: number): string {
    return i >= 0 && i < this.w.length ? this.w[i]! : '';
  }

  isVowel(i: number): boolean {
    if (i < 0 || i >= this.length) return false;
    const c = this.w[i];
    return c === 'A' || c === 'E' || c === 'I' || c === 'O' || c === 'U' || c === 'Y';
  }

  /** True if the `len` characters at `start` equal one of `options`. */
  stringAt(start: number, len: number, ...options: string[]): boolean {
    if (start < 0) return false;
    const w = this.w;
    // As the original's Mid(): a window running past the padded end is shorter and matches nothing of length len.
    if (start + len > w.length) return false;
    for (let i = 0; i < options.length; i++) if (w.startsWith(options[i]!, start)) return true;
    return false;
  }

  add(main: string, alt?: string): void {
    if (main !== '') this.primary += main;
    if (alt !== undefined && alt !== '') {
      if (alt !== ' ') this.secondary += alt;
    } else if (main !== '' && main !== ' ') {
      this.secondary += main;
    }
  }
}

/** Upper-cased A–Z and spaces, apostrophes dropped, hyphens and other separators as single spaces. */
function prepareForMetaphone(name: string): string {
  return lettersOnly(name, true);
}

/**
 * Double Metaphone: [primary, alternate] phonetic codes (each at most `maxLength` characters, 4 by
 * default as in the original). The alternate equals the primary when there is no alternative reading.
 * "Smith" → ["SM0", "XMT"], "Schmidt" → ["XMT", "SMT"], "Catherine" and "Kathryn" → ["K0RN", "KTRN"].
 * "0" (zero) stands for the "th" sound and "X" for "sh"/"ch".
 */
export function doubleMetaphone(name: string, maxLength = 4): [string, string] {
  const word = prepareForMetaphone(name);
  if (word === '') return ['', ''];
  const m = new Dm(word);
  const { length, last } = m;
  let current = 0;

  // Skip these when at the start of the word.
  if (m.stringAt(0, 2, 'GN', 'KN', 'PN', 'WR', 'PS')) current += 1;

  // Initial 'X' is pronounced 'Z', e.g. 'Xavier'.
  if (m.at(0) === 'X') {
    m.add('S');
    current += 1;
  }

  while (m.primary.length < maxLength || m.secondary.length < maxLength) {
    if (current >= length) break;
    switch (m.at(current)) {
      case 'A':
      case 'E':
      case 'I':
      case 'O':
      case 'U':
      case 'Y':
        if (current === 0) m.add('A'); // all initial vowels map to 'A'
        current += 1;
        break;

      case 'B':
        // "-mb", e.g. "dumb", is handled under 'M'.
        m.add('P');
        current += m.at(current + 1) === 'B' ? 2 : 1;
        break;

      case 'C':
        current = handleC(m, current);
        break;

      case 'D':
        if (m.stringAt(current, 2, 'DG')) {
          if (m.stringAt(current + 2, 1, 'I', 'E', 'Y')) {
            m.add('J'); // e.g. 'edge'
            current += 3;
          } else {
            m.add('TK'); // e.g. 'edgar'
            current += 2;
          }
          break;
        }
        if (m.stringAt(current, 2, 'DT', 'DD')) {
          m.add('T');
          current += 2;
          break;
        }
        m.add('T');
        current += 1;
        break;

      case 'F':
        current += m.at(current + 1) === 'F' ? 2 : 1;
        m.add('F');
        break;

      case 'G':
        current = handleG(m, current);
        break;

      case 'H':
        // Only keep if first and before a vowel, or between two vowels.
        if ((current === 0 || m.isVowel(current - 1)) && m.isVowel(current + 1)) {
          m.add('H');
          current += 2;
        } else {
          current += 1; // also takes care of 'HH'
        }
        break;

      case 'J':
        current = handleJ(m, current);
        break;

      case 'K':
        current += m.at(current + 1) === 'K' ? 2 : 1;
        m.add('K');
        break;

      case 'L':
        if (m.at(current + 1) === 'L') {
          // Spanish, e.g. 'cabrillo', 'gallegos'.
          if (
            (current === length - 3 && m.stringAt(current - 1, 4, 'ILLO', 'ILLA', 'ALLE')) ||
            ((m.stringAt(last - 1, 2, 'AS', 'OS') || m.stringAt(last, 1, 'A', 'O')) &&
              m.stringAt(current - 1, 4, 'ALLE'))
          ) {
            m.add('L', ' ');
            current += 2;
            break;
          }
          current += 2;
        } else {
          current += 1;
        }
        m.add('L');
        break;

      case 'M':
        if (
          (m.stringAt(current - 1, 3, 'UMB') && (current + 1 === last || m.stringAt(current + 2, 2, 'ER'))) ||
          m.at(current + 1) === 'M'
        ) {
          current += 2; // 'dumb', 'thumb'
        } else {
          current += 1;
        }
        m.add('M');
        break;

      case 'N':
        current += m.at(current + 1) === 'N' ? 2 : 1;
        m.add('N');
        break;

      case 'P':
        if (m.at(current + 1) === 'H') {
          m.add('F');
          current += 2;
          break;
        }
        // Also account for "campbell", "raspberry".
        current += m.stringAt(current + 1, 1, 'P', 'B') ? 2 : 1;
        m.add('P');
        break;

      case 'Q':
        current += m.at(current + 1) === 'Q' ? 2 : 1;
        m.add('K');
        break;

      case 'R':
        // French, e.g. 'rogier', but exclude 'hochmeier'.
        if (
          current === last &&
          !m.slavoGermanic &&
          m.stringAt(current - 2, 2, 'IE') &&
          !m.stringAt(current - 4, 2, 'ME', 'MA')
        ) {
          m.add('', 'R');
        } else {
          m.add('R');
        }
        current += m.at(current + 1) === 'R' ? 2 : 1;
        break;

      case 'S':
        current = handleS(m, current);
        break;

      case 'T':
        if (m.stringAt(current, 4, 'TION')) {
          m.add('X');
          current += 3;
          break;
        }
        if (m.stringAt(current, 3, 'TIA', 'TCH')) {
          m.add('X');
          current += 3;
          break;
        }
        if (m.stringAt(current, 2, 'TH') || m.stringAt(current, 3, 'TTH')) {
          // Special case 'thomas', 'thames', or Germanic.
          if (m.stringAt(current + 2, 2, 'OM', 'AM') || m.stringAt(0, 4, 'VAN ', 'VON ') || m.stringAt(0, 3, 'SCH')) {
            m.add('T');
          } else {
            m.add('0', 'T');
          }
          current += 2;
          break;
        }
        current += m.stringAt(current + 1, 1, 'T', 'D') ? 2 : 1;
        m.add('T');
        break;

      case 'V':
        current += m.at(current + 1) === 'V' ? 2 : 1;
        m.add('F');
        break;

      case 'W':
        // Can also be in the middle of a word.
        if (m.stringAt(current, 2, 'WR')) {
          m.add('R');
          current += 2;
          break;
        }
        if (current === 0 && (m.isVowel(current + 1) || m.stringAt(current, 2, 'WH'))) {
          // Wasserman should match Vasserman; Uomo should match Womo.
          if (m.isVowel(current + 1)) m.add('A', 'F');
          else m.add('A');
          // No break: the original falls through to the checks below.
        }
        // Arnow should match Arnoff.
        if (
          (current === last && m.isVowel(current - 1)) ||
          m.stringAt(current - 1, 5, 'EWSKI', 'EWSKY', 'OWSKI', 'OWSKY') ||
          m.stringAt(0, 3, 'SCH')
        ) {
          m.add('', 'F');
          current += 1;
          break;
        }
        // Polish, e.g. 'filipowicz'.
        if (m.stringAt(current, 4, 'WICZ', 'WITZ')) {
          m.add('TS', 'FX');
          current += 4;
          break;
        }
        current += 1; // else skip it
        break;

      case 'X':
        // French, e.g. 'breaux'.
        if (!(current === last && (m.stringAt(current - 3, 3, 'IAU', 'EAU') || m.stringAt(current - 2, 2, 'AU', 'OU')))) {
          m.add('KS');
        }
        current += m.stringAt(current + 1, 1, 'C', 'X') ? 2 : 1;
        break;

      case 'Z':
        // Chinese pinyin, e.g. 'zhao'.
        if (m.at(current + 1) === 'H') {
          m.add('J');
          current += 2;
          break;
        }
        if (m.stringAt(current + 1, 2, 'ZO', 'ZI', 'ZA') || (m.slavoGermanic && current > 0 && m.at(current - 1) !== 'T')) {
          m.add('S', 'TS');
        } else {
          m.add('S');
        }
        current += m.at(current + 1) === 'Z' ? 2 : 1;
        break;

      default:
        current += 1;
    }
  }

  return [m.primary.slice(0, maxLength), m.secondary.slice(0, maxLength)];
}

function handleC(m: Dm, current: number): number {
  // Various Germanic.
  if (
    current > 1 &&
    !m.isVowel(current - 2) &&
    m.stringAt(current - 1, 3, 'ACH') &&
    m.at(current + 2) !== 'I' &&
    (m.at(current + 2) !== 'E' || m.stringAt(current - 2, 6, 'BACHER', 'MACHER'))
  ) {
    m.add('K');
    return current + 2;
  }
  // Special case 'caesar'.
  if (current === 0 && m.stringAt(current, 6, 'CAESAR')) {
    m.add('S');
    return current + 2;
  }
  // Italian 'chianti'.
  if (m.stringAt(current, 4, 'CHIA')) {
    m.add('K');
    return current + 2;
  }
  if (m.stringAt(current, 2, 'CH')) {
    // Find 'michael'.
    if (current > 0 && m.stringAt(current, 4, 'CHAE')) {
      m.add('K', 'X');
      return current + 2;
    }
    // Greek roots, e.g. 'chemistry', 'chorus'.
    if (
      current === 0 &&
      (m.stringAt(current + 1, 5, 'HARAC', 'HARIS') || m.stringAt(current + 1, 3, 'HOR', 'HYM', 'HIA', 'HEM')) &&
      !m.stringAt(0, 5, 'CHORE')
    ) {
      m.add('K');
      return current + 2;
    }
    // Germanic, Greek, or otherwise 'ch' for 'kh' sound.
    if (
      m.stringAt(0, 4, 'VAN ', 'VON ') ||
      m.stringAt(0, 3, 'SCH') ||
      // 'architect' but not 'arch', 'orchestra', 'orchid'
      m.stringAt(current - 2, 6, 'ORCHES', 'ARCHIT', 'ORCHID') ||
      m.stringAt(current + 2, 1, 'T', 'S') ||
      ((m.stringAt(current - 1, 1, 'A', 'O', 'U', 'E') || current === 0) &&
        // e.g. 'wachtler', 'wechsler', but not 'tichner'
        m.stringAt(current + 2, 1, 'L', 'R', 'N', 'M', 'B', 'H', 'F', 'V', 'W', ' '))
    ) {
      m.add('K');
    } else if (current > 0) {
      if (m.stringAt(0, 2, 'MC')) m.add('K'); // e.g. 'McHugh'
      else m.add('X', 'K');
    } else {
      m.add('X');
    }
    return current + 2;
  }
  // e.g. 'czerny'
  if (m.stringAt(current, 2, 'CZ') && !m.stringAt(current - 2, 4, 'WICZ')) {
    m.add('S', 'X');
    return current + 2;
  }
  // e.g. 'focaccia'
  if (m.stringAt(current + 1, 3, 'CIA')) {
    m.add('X');
    return current + 3;
  }
  // Double 'C', but not if e.g. 'McClellan'.
  if (m.stringAt(current, 2, 'CC') && !(current === 1 && m.at(0) === 'M')) {
    // 'bellocchio' but not 'bacchus'
    if (m.stringAt(current + 2, 1, 'I', 'E', 'H') && !m.stringAt(current + 2, 2, 'HU')) {
      // 'accident', 'accede', 'succeed'
      if ((current === 1 && m.at(current - 1) === 'A') || m.stringAt(current - 1, 5, 'UCCEE', 'UCCES')) {
        m.add('KS');
      } else {
        m.add('X'); // 'bacci', 'bertucci', other Italian
      }
      return current + 3;
    }
    // Pierce's rule.
    m.add('K');
    return current + 2;
  }
  if (m.stringAt(current, 2, 'CK', 'CG', 'CQ')) {
    m.add('K');
    return current + 2;
  }
  if (m.stringAt(current, 2, 'CI', 'CE', 'CY')) {
    // Italian vs. English.
    if (m.stringAt(current, 3, 'CIO', 'CIE', 'CIA')) m.add('S', 'X');
    else m.add('S');
    return current + 2;
  }
  m.add('K');
  // Name sent in 'mac caffrey', 'mac gregor'.
  if (m.stringAt(current + 1, 2, ' C', ' Q', ' G')) return current + 3;
  if (m.stringAt(current + 1, 1, 'C', 'K', 'Q') && !m.stringAt(current + 1, 2, 'CE', 'CI')) return current + 2;
  return current + 1;
}

function handleG(m: Dm, current: number): number {
  if (m.at(current + 1) === 'H') {
    if (current > 0 && !m.isVowel(current - 1)) {
      m.add('K');
      return current + 2;
    }
    // 'ghislane', 'ghiradelli'
    if (current === 0) {
      if (m.at(current + 2) === 'I') m.add('J');
      else m.add('K');
      return current + 2;
    }
    // Parker's rule (with some further refinements): 'hugh', 'bough', 'broughton'.
    if (
      (current > 1 && m.stringAt(current - 2, 1, 'B', 'H', 'D')) ||
      (current > 2 && m.stringAt(current - 3, 1, 'B', 'H', 'D')) ||
      (current > 3 && m.stringAt(current - 4, 1, 'B', 'H'))
    ) {
      return current + 2;
    }
    // 'laugh', 'McLaughlin', 'cough', 'gough', 'rough', 'tough'
    if (current > 2 && m.at(current - 1) === 'U' && m.stringAt(current - 3, 1, 'C', 'G', 'L', 'R', 'T')) {
      m.add('F');
    } else if (current > 0 && m.at(current - 1) !== 'I') {
      m.add('K');
    }
    return current + 2;
  }

  if (m.at(current + 1) === 'N') {
    if (current === 1 && m.isVowel(0) && !m.slavoGermanic) {
      m.add('KN', 'N');
    } else if (!m.stringAt(current + 2, 2, 'EY') && m.at(current + 1) !== 'Y' && !m.slavoGermanic) {
      // not e.g. 'cagney'
      m.add('N', 'KN');
    } else {
      m.add('KN');
    }
    return current + 2;
  }

  // 'tagliaro'
  if (m.stringAt(current + 1, 2, 'LI') && !m.slavoGermanic) {
    m.add('KL', 'L');
    return current + 2;
  }

  // -ges-, -gep-, -gel-, -gie- at the beginning
  if (
    current === 0 &&
    (m.at(current + 1) === 'Y' ||
      m.stringAt(current + 1, 2, 'ES', 'EP', 'EB', 'EL', 'EY', 'IB', 'IL', 'IN', 'IE', 'EI', 'ER'))
  ) {
    m.add('K', 'J');
    return current + 2;
  }

  // -ger-, -gy-
  if (
    (m.stringAt(current + 1, 2, 'ER') || m.at(current + 1) === 'Y') &&
    !m.stringAt(0, 6, 'DANGER', 'RANGER', 'MANGER') &&
    !m.stringAt(current - 1, 1, 'E', 'I') &&
    !m.stringAt(current - 1, 3, 'RGY', 'OGY')
  ) {
    m.add('K', 'J');
    return current + 2;
  }

  // Italian, e.g. 'biaggi'
  if (m.stringAt(current + 1, 1, 'E', 'I', 'Y') || m.stringAt(current - 1, 4, 'AGGI', 'OGGI')) {
    if (m.stringAt(0, 4, 'VAN ', 'VON ') || m.stringAt(0, 3, 'SCH') || m.stringAt(current + 1, 2, 'ET')) {
      m.add('K'); // obvious Germanic
    } else if (m.stringAt(current + 1, 4, 'IER ')) {
      m.add('J'); // always soft if French ending
    } else {
      m.add('J', 'K');
    }
    return current + 2;
  }

  m.add('K');
  return current + (m.at(current + 1) === 'G' ? 2 : 1);
}

function handleJ(m: Dm, current: number): number {
  // Obvious Spanish, 'jose', 'san jacinto'.
  if (m.stringAt(current, 4, 'JOSE') || m.stringAt(0, 4, 'SAN ')) {
    if ((current === 0 && m.at(current + 4) === ' ') || m.stringAt(0, 4, 'SAN ')) m.add('H');
    else m.add('J', 'H');
    return current + 1;
  }
  if (current === 0 && !m.stringAt(current, 4, 'JOSE')) {
    m.add('J', 'A'); // Yankelovich / Jankelowicz
  } else if (
    // Spanish pronunciation of e.g. 'bajador'
    m.isVowel(current - 1) &&
    !m.slavoGermanic &&
    (m.at(current + 1) === 'A' || m.at(current + 1) === 'O')
  ) {
    m.add('J', 'H');
  } else if (current === m.last) {
    m.add('J', ' ');
  } else if (
    !m.stringAt(current + 1, 1, 'L', 'T', 'K', 'S', 'N', 'M', 'B', 'Z') &&
    !m.stringAt(current - 1, 1, 'S', 'K', 'L')
  ) {
    m.add('J');
  }
  return current + (m.at(current + 1) === 'J' ? 2 : 1); // it could happen!
}

function handleS(m: Dm, current: number): number {
  // Special cases 'island', 'isle', 'carlisle', 'carlysle'.
  if (m.stringAt(current - 1, 3, 'ISL', 'YSL')) return current + 1;

  // Special case 'sugar-'.
  if (current === 0 && m.stringAt(current, 5, 'SUGAR')) {
    m.add('X', 'S');
    return current + 1;
  }

  if (m.stringAt(current, 2, 'SH')) {
    // Germanic
    if (m.stringAt(current + 1, 4, 'HEIM', 'HOEK', 'HOLM', 'HOLZ')) m.add('S');
    else m.add('X');
    return current + 2;
  }

  // Italian and Armenian.
  if (m.stringAt(current, 3, 'SIO', 'SIA') || m.stringAt(current, 4, 'SIAN')) {
    if (!m.slavoGermanic) m.add('S', 'X');
    else m.add('S');
    return current + 3;
  }

  // German and anglicisations, e.g. 'smith' matches 'schmidt', 'snider' matches 'schneider';
  // also -sz- in Slavic languages, although in Hungarian it is pronounced 's'.
  if ((current === 0 && m.stringAt(current + 1, 1, 'M', 'N', 'L', 'W')) || m.stringAt(current + 1, 1, 'Z')) {
    m.add('S', 'X');
    return current + (m.stringAt(current + 1, 1, 'Z') ? 2 : 1);
  }

  if (m.stringAt(current, 2, 'SC')) {
    // Schlesinger's rule.
    if (m.at(current + 2) === 'H') {
      // Dutch origin, e.g. 'school', 'schooner'.
      if (m.stringAt(current + 3, 2, 'OO', 'ER', 'EN', 'UY', 'ED', 'EM')) {
        // 'schermerhorn', 'schenker'
        if (m.stringAt(current + 3, 2, 'ER', 'EN')) m.add('X', 'SK');
        else m.add('SK');
        return current + 3;
      }
      if (current === 0 && !m.isVowel(3) && m.at(3) !== 'W') m.add('X', 'S');
      else m.add('X');
      return current + 3;
    }
    if (m.stringAt(current + 2, 1, 'I', 'E', 'Y')) {
      m.add('S');
      return current + 3;
    }
    m.add('SK');
    return current + 3;
  }

  // French, e.g. 'resnais', 'artois'.
  if (current === m.last && m.stringAt(current - 2, 2, 'AI', 'OI')) m.add('', 'S');
  else m.add('S');
  return current + (m.stringAt(current + 1, 1, 'S', 'Z') ? 2 : 1);
}

/**
 * The Double Metaphone code two names share (primary or alternate of either), or null if none.
 * Primary codes that agree win; otherwise the longest shared code (ties: alphabetical), so the result
 * does not depend on the order of the arguments.
 */
export function sharedMetaphone(a: readonly [string, string], b: readonly [string, string]): string | null {
  if (a[0] !== '' && a[0] === b[0]) return a[0];
  let best: string | null = null;
  for (const x of a) {
    if (x === '' || (x !== b[0] && x !== b[1])) continue;
    if (best === null || x.length > best.length || (x.length === best.length && x < best)) best = x;
  }
  return best;
}
