/**
 * Per-record features computed once before any pair is compared: names interned to ids (with their
 * phonetic codes, nickname groups and frequencies computed once per distinct name), dates of birth as
 * numbers, postcodes split into sector, district and area, identifiers and contact details normalised.
 * Everything a comparison needs is a typed-array lookup or a string already normalised.
 */
import { nicknameIndex } from '../matching/nicknames.ts';
import { doubleMetaphone } from '../matching/phonetic.ts';
import { nameKey, normaliseName } from '../matching/strings.ts';
import type { RawRecord, RecordSet } from './records.ts';

/** Interns strings to dense ids (0, 1, 2 …); '' is -1. */
export class Interner {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(s: string): number {
    if (s === '') return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }
}

export interface Features {
  n: number;
  source: Int32Array;
  /** Name ids into `names` (first names and surnames share one table, so a swap is an id comparison). */
  first: Int32Array;
  surname: Int32Array;
  middle: Int32Array;
  names: string[];
  /** Per name id: primary Double Metaphone id (-1 none), alternate id, nickname group ids. */
  namePhon: number[];
  namePhonAlt: number[];
  nameGroups: Int32Array[];
  /** Per name id: how often it is a first name / a surname (for term-frequency adjustment). */
  firstCount: number[];
  surnameCount: number[];
  firstTotal: number;
  surnameTotal: number;
  /** YYYYMMDD as a number, -1 missing; days since 1970 (NaN-free: -1e9 when not a real date); year. */
  dob: Int32Array;
  dobDays: Int32Array;
  sex: Uint8Array;
  /** Postcode ids: full, sector (or first 3 digits), district (or first 2), area; -1 missing. */
  pcFull: Int32Array;
  pcSector: Int32Array;
  pcDistrict: Int32Array;
  pcArea: Int32Array;
  nhs: Int32Array;
  other: Int32Array;
  email: Int32Array;
  town: Int32Array;
  address: Int32Array;
  /** Strings behind the ids above (for Jaro–Winkler and transposition checks). */
  strings: { nhs: string[]; other: string[]; email: string[]; town: string[]; address: string[]; postcode: string[] };
  /** Which fields have any value at all (comparisons on absent fields are left out). */
  present: { first: boolean; surname: boolean; dob: boolean; sex: boolean; postcode: boolean; nhs: boolean; other: boolean; email: boolean; town: boolean; address: boolean };
  interners: Record<'names' | 'phon' | 'groups' | 'pcFull' | 'pcSector' | 'pcDistrict' | 'pcArea' | 'nhs' | 'other' | 'email' | 'town' | 'address', Interner>;
  keyCache: Map<string, string>;
  /** Letter-set bit masks per id (names, email, town, address): a cheap bound before Jaro–Winkler. */
  masks: { names: number[]; email: number[]; town: number[]; address: number[] };
  /** Per address id: its character bigrams (spaces removed) as sorted codes, for a Dice similarity. */
  addressBigrams: Int32Array[];
  /** Per address id: the address without spaces (for an edit distance on short addresses). */
  addressCompact: string[];
  /** Per address id: the id of its numbers (house, flat) in order, or -1 when it has none. */
  addressNumbers: number[];
  numbers: Interner;
}

/** Bit per letter a–z, one bit for each digit group and one for anything else. */
export function letterMask(s: string): number {
  let m = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 97 && c <= 122) m |= 1 << (c - 97);
    else if (c >= 65 && c <= 90) m |= 1 << (c - 65);
    else if (c >= 48 && c <= 57) m |= 1 << (26 + ((c - 48) % 5));
    else m |= 1 << 31;
  }
  return m;
}

function internMasked(it: Interner, masks: number[], s: string): number {
  const id = it.id(s);
  if (id >= 0 && id === masks.length) masks.push(letterMask(s));
  return id;
}

const NO_DAY = -1_000_000_000;

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** UK postcode parts (outward/inward), or for all-digit postcodes (FEBRL's 4 digits): prefixes. */
export function postcodeParts(raw: string): { full: string; sector: string; district: string; area: string } | null {
  const pc = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (pc === '') return null;
  if (/^\d+$/.test(pc)) {
    return { full: pc, sector: pc.length > 3 ? `#${pc.slice(0, 3)}` : '', district: pc.length > 2 ? `#${pc.slice(0, 2)}` : '', area: '' };
  }
  const m = /^([A-Z]{1,2})(\d[A-Z\d]?)(\d)([A-Z]{2})$/.exec(pc);
  if (m) return { full: pc, sector: `${m[1]}${m[2]} ${m[3]}`, district: `${m[1]}${m[2]}`, area: m[1]! };
  const out = /^([A-Z]{1,2})(\d[A-Z\d]?)$/.exec(pc); // outward code only
  if (out) return { full: pc, sector: '', district: pc, area: out[1]! };
  return { full: pc, sector: '', district: '', area: '' };
}

function sexCode(raw: string): number {
  const s = raw.trim().toLowerCase();
  if (s === '') return 0;
  if (s === 'm' || s === 'male' || s === 'man' || s === 'boy') return 1;
  if (s === 'f' || s === 'female' || s === 'woman' || s === 'girl') return 2;
  if (s === 'u' || s === 'unknown' || s === 'not known' || s === 'not stated' || s === 'x') return 0;
  return 3;
}

/** Reserved slots at the end of the arrays, for records checked against the set one at a time. */
export const SCRATCH_SLOTS = 1;

export function prepareFeatures(set: RecordSet): Features {
  const n = set.size;
  const size = n + SCRATCH_SLOTS;
  const f: Features = {
    n,
    source: new Int32Array(size),
    first: new Int32Array(size),
    surname: new Int32Array(size),
    middle: new Int32Array(size),
    names: [],
    namePhon: [],
    namePhonAlt: [],
    nameGroups: [],
    firstCount: [],
    surnameCount: [],
    firstTotal: 0,
    surnameTotal: 0,
    dob: new Int32Array(size),
    dobDays: new Int32Array(size),
    sex: new Uint8Array(size),
    pcFull: new Int32Array(size),
    pcSector: new Int32Array(size),
    pcDistrict: new Int32Array(size),
    pcArea: new Int32Array(size),
    nhs: new Int32Array(size),
    other: new Int32Array(size),
    email: new Int32Array(size),
    town: new Int32Array(size),
    address: new Int32Array(size),
    strings: { nhs: [], other: [], email: [], town: [], address: [], postcode: [] },
    present: { first: false, surname: false, dob: false, sex: false, postcode: false, nhs: false, other: false, email: false, town: false, address: false },
    interners: {
      names: new Interner(),
      phon: new Interner(),
      groups: new Interner(),
      pcFull: new Interner(),
      pcSector: new Interner(),
      pcDistrict: new Interner(),
      pcArea: new Interner(),
      nhs: new Interner(),
      other: new Interner(),
      email: new Interner(),
      town: new Interner(),
      address: new Interner(),
    },
    keyCache: new Map(),
    masks: { names: [], email: [], town: [], address: [] },
    addressBigrams: [],
    addressCompact: [],
    addressNumbers: [],
    numbers: new Interner(),
  };
  const it = f.interners;
  f.names = it.names.values;
  f.strings = { nhs: it.nhs.values, other: it.other.values, email: it.email.values, town: it.town.values, address: it.address.values, postcode: it.pcFull.values };
  const c = set.columns;
  for (let i = 0; i < n; i++) {
    fillRecord(f, i, {
      source: set.sources[i]!,
      firstName: c.firstName[i]!,
      middleNames: c.middleNames[i]!,
      surname: c.surname[i]!,
      fullName: c.fullName[i]!,
      dob: c.dob[i]!,
      sex: c.sex[i]!,
      postcode: c.postcode[i]!,
      address: c.address[i]!,
      town: c.town[i]!,
      nhsNumber: c.nhsNumber[i]!,
      otherIdentifier: c.otherIdentifier[i]!,
      email: c.email[i]!,
    });
    const fi = f.first[i]!;
    const si = f.surname[i]!;
    if (fi >= 0) {
      f.firstCount[fi]!++;
      f.firstTotal++;
    }
    if (si >= 0) {
      f.surnameCount[si]!++;
      f.surnameTotal++;
    }
  }
  const any = (a: Int32Array) => a.subarray(0, n).some((v) => v >= 0);
  f.present = {
    first: any(f.first),
    surname: any(f.surname),
    dob: any(f.dob),
    sex: f.sex.subarray(0, n).some((v) => v > 0),
    postcode: any(f.pcFull),
    nhs: any(f.nhs),
    other: any(f.other),
    email: any(f.email),
    town: any(f.town),
    address: any(f.address),
  };
  return f;
}

function nameId(f: Features, raw: string): number {
  if (raw === '') return -1;
  let k = f.keyCache.get(raw);
  if (k === undefined) {
    k = nameKey(raw);
    if (f.keyCache.size < 1_000_000) f.keyCache.set(raw, k);
  }
  const it = f.interners;
  const before = it.names.values.length;
  const id = it.names.id(k);
  if (id === before) {
    // a name seen for the first time: its sounds and nickname groups, once
    const [p, a] = doubleMetaphone(k);
    f.namePhon.push(it.phon.id(p));
    f.namePhonAlt.push(it.phon.id(a));
    f.nameGroups.push(Int32Array.from([...nicknameIndex().groupsOfKey(k)].map((g) => it.groups.id(g))).sort());
    f.firstCount.push(0);
    f.surnameCount.push(0);
    f.masks.names.push(letterMask(k));
  }
  return id;
}

/** Writes one record's features into `slot` (a record of the set, or a scratch slot for a query). */
export function fillRecord(f: Features, slot: number, r: Omit<RawRecord, 'id'>): void {
  const it = f.interners;
  let first = r.firstName;
  let sur = r.surname;
  let mid = r.middleNames;
  if ((first === '' || sur === '') && r.fullName !== '') {
    const parts = normaliseName(r.fullName).split(' ').filter((p) => p !== '');
    if (first === '' && parts.length > 0) first = parts[0]!;
    if (sur === '' && parts.length > 1) sur = parts[parts.length - 1]!;
    if (mid === '' && parts.length > 2) mid = parts.slice(1, -1).join(' ');
  }
  f.source[slot] = r.source;
  f.first[slot] = nameId(f, first);
  f.surname[slot] = nameId(f, sur);
  f.middle[slot] = nameId(f, mid);
  f.dob[slot] = -1;
  f.dobDays[slot] = NO_DAY;
  const d = r.dob;
  if (d.length === 8 && /^\d{8}$/.test(d)) {
    const v = Number(d);
    f.dob[slot] = v;
    const y = Math.floor(v / 10000);
    const m = Math.floor(v / 100) % 100;
    const day = v % 100;
    if (m >= 1 && m <= 12 && day >= 1 && day <= 31) f.dobDays[slot] = daysFromCivil(y, m, day);
  }
  f.sex[slot] = sexCode(r.sex);
  const parts = postcodeParts(r.postcode);
  f.pcFull[slot] = parts ? it.pcFull.id(parts.full) : -1;
  f.pcSector[slot] = parts ? it.pcSector.id(parts.sector) : -1;
  f.pcDistrict[slot] = parts ? it.pcDistrict.id(parts.district) : -1;
  f.pcArea[slot] = parts ? it.pcArea.id(parts.area) : -1;
  f.nhs[slot] = it.nhs.id(r.nhsNumber.replace(/[\s-]/g, ''));
  f.other[slot] = it.other.id(r.otherIdentifier.toUpperCase().replace(/[\s-]/g, ''));
  f.email[slot] = internMasked(it.email, f.masks.email, r.email.trim().toLowerCase());
  f.town[slot] = internMasked(it.town, f.masks.town, normaliseName(r.town));
  const address = normaliseAddress(r.address);
  const aid = internMasked(it.address, f.masks.address, address);
  f.address[slot] = aid;
  if (aid >= 0 && aid === f.addressBigrams.length) {
    const compact = address.replace(/ /g, '');
    f.addressCompact.push(compact);
    f.addressBigrams.push(bigrams(compact));
    f.addressNumbers.push(f.numbers.id((address.match(/\d+/g) ?? []).join(' ')));
  }
}

/** Street types and other words as often abbreviated as not in UK addresses. */
const ADDRESS_WORDS: Readonly<Record<string, string>> = {
  rd: 'road', st: 'street', str: 'street', ave: 'avenue', av: 'avenue', cres: 'crescent', cresc: 'crescent', ct: 'court', crt: 'court',
  dr: 'drive', drv: 'drive', ln: 'lane', pl: 'place', sq: 'square', cl: 'close', gdns: 'gardens', gdn: 'garden', gr: 'grove', gro: 'grove',
  ter: 'terrace', terr: 'terrace', tce: 'terrace', pk: 'park', wy: 'way', hse: 'house', ho: 'house', cott: 'cottage', cotts: 'cottages',
  mt: 'mount', bldgs: 'buildings', est: 'estate', apt: 'flat', apartment: 'flat',
};

/** Address lines in one form: lower case, punctuation gone, common abbreviations written out. */
export function normaliseAddress(raw: string): string {
  const s = normaliseName(raw);
  if (s === '') return s;
  return s
    .split(' ')
    .map((w) => ADDRESS_WORDS[w] ?? w)
    .join(' ');
}

/** Character bigrams of `t` (an address without its spaces), as sorted codes (a multiset). */
export function bigrams(t: string): Int32Array {
  const out = new Int32Array(Math.max(t.length - 1, 0));
  for (let k = 0; k + 1 < t.length; k++) out[k] = t.charCodeAt(k) * 65536 + t.charCodeAt(k + 1);
  return out.sort();
}

export const NO_DAY_VALUE = NO_DAY;
