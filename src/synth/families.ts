/**
 * Synthetic households: people with names (and the variants real records hold: nicknames,
 * previous surnames, aliases, misspellings), dates of birth, NHS numbers from the test range,
 * UPNs, addresses in the invented NB postcode area, relationships stored from both sides, and
 * involvements of the partnership's practitioners and teams, active and ended.
 */
import { nhsCheckDigit, upnCheckLetter } from '../people/identifiers.ts';
import { ColumnBatch } from './columns.ts';
import { alias, givenName, middleName, nicknameOf, surname, typo } from './names.ts';
import { addressOn, districtStreets, type Street } from './places.ts';
import type { Council, PartnershipBuilder, SynthTeam, TeamKind } from './partnership.ts';
import { dayToIso, type IdSource, Rng, Weighted } from './random.ts';

type Sex = 'female' | 'male' | 'unknown';

export type NameKeys = (givenNames: string, familyName: string) => { givenNorm: string; familyNorm: string; givenPhonetic: string; familyPhonetic: string };

interface Person {
  id: string;
  sex: Sex;
  /** Days since 1970-01-01; null when unknown. */
  dob: number | null;
  precision: 'exact' | 'estimated' | 'expected' | 'unknown';
  given: string;
  middle: string | null;
  family: string;
  age: number;
  unborn: boolean;
  shielded: boolean;
  deceased: boolean;
  dateOfDeath: number | null;
  otherNames: Array<{ kind: 'previous' | 'alias' | 'preferred' | 'birth'; given: string; family: string }>;
  school: SynthTeam | null;
  upnYear: number | null;
}

export interface GeneratedCounts {
  people: number;
  names: number;
  identifiers: number;
  addresses: number;
  households: number;
  relationships: number;
  involvements: number;
  activeInvolvements: number;
  sensitiveInvolvements: number;
  shielded: number;
}

/** The tables a batch writes, column by column, in an order that satisfies the foreign keys. */
export function newTables() {
  return {
    person: new ColumnBatch('person', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'sex', type: 'text' },
      { name: 'date_of_birth', type: 'date' },
      { name: 'dob_precision', type: 'text' },
      { name: 'shielded', type: 'bool' },
      { name: 'deceased', type: 'bool' },
      { name: 'date_of_death', type: 'date' },
    ]),
    person_name: new ColumnBatch('person_name', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'id', type: 'uuid' },
      { name: 'kind', type: 'text' },
      { name: 'given_names', type: 'text' },
      { name: 'family_name', type: 'text' },
      { name: 'given_norm', type: 'text' },
      { name: 'family_norm', type: 'text' },
      { name: 'given_phonetic', type: 'text' },
      { name: 'family_phonetic', type: 'text' },
    ]),
    person_identifier: new ColumnBatch('person_identifier', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'id', type: 'uuid' },
      { name: 'scheme', type: 'text' },
      { name: 'value', type: 'text' },
      { name: 'organisation_id', type: 'uuid' },
    ]),
    person_address: new ColumnBatch('person_address', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'id', type: 'uuid' },
      { name: 'line1', type: 'text' },
      { name: 'line2', type: 'text' },
      { name: 'town', type: 'text' },
      { name: 'postcode', type: 'text' },
      { name: 'from_date', type: 'date' },
      { name: 'to_date', type: 'date' },
    ]),
    household: new ColumnBatch('household', [{ name: 'id', type: 'uuid' }]),
    household_member: new ColumnBatch('household_member', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'household_id', type: 'uuid' },
      { name: 'from_date', type: 'date' },
    ]),
    relationship: new ColumnBatch('relationship', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'id', type: 'uuid' },
      { name: 'pair_id', type: 'uuid' },
      { name: 'related_subject_id', type: 'uuid' },
      { name: 'type', type: 'text' },
      { name: 'from_date', type: 'date' },
    ]),
    involvement: new ColumnBatch('involvement', [
      { name: 'subject_id', type: 'uuid' },
      { name: 'id', type: 'uuid' },
      { name: 'organisation_id', type: 'uuid' },
      { name: 'service_id', type: 'uuid' },
      { name: 'team_id', type: 'uuid' },
      { name: 'practitioner_id', type: 'uuid' },
      { name: 'role', type: 'text' },
      { name: 'start_date', type: 'date' },
      { name: 'end_date', type: 'date' },
      { name: 'early_help_assessment', type: 'bool' },
      { name: 'consent_to_show', type: 'bool' },
      { name: 'created_by', type: 'uuid' },
      { name: 'ended_by', type: 'uuid' },
      { name: 'end_reason', type: 'text' },
    ]),
  };
}
export type Tables = ReturnType<typeof newTables>;

type HouseholdKind =
  | 'single_adult' | 'single_older' | 'couple' | 'couple_children' | 'lone_parent' | 'blended'
  | 'adult_children' | 'multigen' | 'young_parent' | 'sharers';

const HOUSEHOLD_KINDS = new Weighted<HouseholdKind>([
  ['single_adult', 15], ['single_older', 12], ['couple', 17], ['couple_children', 22], ['lone_parent', 11],
  ['blended', 6], ['adult_children', 8], ['multigen', 4], ['young_parent', 2], ['sharers', 3],
]);

/** Involvements a person may have on their own, beyond registration with a GP and school. */
interface Template {
  kind: TeamKind;
  role: string;
  minAge: number;
  maxAge: number;
  weight: number;
  active: number;
  /** Probability the person consented to a sensitive service's involvement being shown. */
  consent?: number;
  sex?: Sex;
  withPractitioner?: number;
}

const TEMPLATES: Template[] = [
  { kind: 'school_nursing', role: 'school_nurse', minAge: 5, maxAge: 16, weight: 3, active: 0.4 },
  { kind: 'school_primary', role: 'designated_safeguarding_lead', minAge: 4, maxAge: 10, weight: 2, active: 0.5 },
  { kind: 'school_secondary', role: 'designated_safeguarding_lead', minAge: 11, maxAge: 17, weight: 2, active: 0.5 },
  { kind: 'yjs', role: 'youth_justice_worker', minAge: 10, maxAge: 17, weight: 2, active: 0.4 },
  { kind: 'ppu', role: 'police_officer', minAge: 12, maxAge: 75, weight: 2, active: 0.2 },
  { kind: 'neighbourhood', role: 'police_officer', minAge: 12, maxAge: 75, weight: 2, active: 0.2 },
  { kind: 'probation', role: 'probation_officer', minAge: 18, maxAge: 65, weight: 2, active: 0.4 },
  { kind: 'substance_misuse', role: 'key_worker', minAge: 16, maxAge: 70, weight: 1.2, active: 0.4, consent: 0.3 },
  { kind: 'cmht', role: 'therapist', minAge: 18, maxAge: 85, weight: 1.5, active: 0.4, consent: 0.4 },
  { kind: 'camhs', role: 'therapist', minAge: 8, maxAge: 17, weight: 1.5, active: 0.5, consent: 0.5 },
  { kind: 'sexual_health', role: 'other', minAge: 14, maxAge: 45, weight: 1.2, active: 0.3, consent: 0.2 },
  { kind: 'counselling', role: 'therapist', minAge: 12, maxAge: 85, weight: 0.8, active: 0.3, consent: 0.3 },
  { kind: 'tenancy', role: 'housing_officer', minAge: 18, maxAge: 95, weight: 2.5, active: 0.5 },
  { kind: 'homelessness', role: 'housing_officer', minAge: 17, maxAge: 60, weight: 1.5, active: 0.3 },
  { kind: 'asc', role: 'key_worker', minAge: 65, maxAge: 105, weight: 6, active: 0.6 },
  { kind: 'asc', role: 'key_worker', minAge: 18, maxAge: 64, weight: 1, active: 0.5 },
  { kind: 'early_help', role: 'early_help_worker', minAge: 0, maxAge: 17, weight: 3, active: 0.3 },
  { kind: 'family_support', role: 'family_support_worker', minAge: 0, maxAge: 60, weight: 3, active: 0.3 },
  { kind: 'assessment', role: 'allocated_social_worker', minAge: 0, maxAge: 17, weight: 3, active: 0.15 },
  { kind: 'gp', role: 'gp', minAge: 0, maxAge: 105, weight: 4, active: 0 },
  { kind: 'hv', role: 'health_visitor', minAge: 0, maxAge: 7, weight: 1, active: 0.2 },
  { kind: 'midwifery', role: 'midwife', minAge: 16, maxAge: 45, weight: 2, active: 0.05, sex: 'female' },
  { kind: 'young_carers', role: 'key_worker', minAge: 8, maxAge: 17, weight: 1, active: 0.5 },
];

/** Templates usable at each age (0–105), weighted. */
const TEMPLATES_BY_AGE: Array<{ female: Weighted<Template>; male: Weighted<Template> }> = Array.from({ length: 106 }, (_, age) => {
  const fits = (sex: Sex) => TEMPLATES.filter((t) => age >= t.minAge && age <= t.maxAge && (!t.sex || t.sex === sex)).map((t) => [t, t.weight] as const);
  return { female: new Weighted(fits('female')), male: new Weighted(fits('male')) };
});

const END_REASONS = ['Case closed', 'Moved away', 'Outcomes achieved', 'Transferred to another service', 'Stepped down to universal services', 'Declined further support', null];

export interface FamilyGeneratorOptions {
  seed: number;
  people: number;
  involvementsPerPerson: number;
  asOfDay: number;
  run: number;
  /** Index into the synthetic NHS number sequence to start from (so forced re-runs do not repeat numbers). */
  nhsStart: number;
  relationshipInverse: ReadonlyMap<string, string>;
  nameKeys: NameKeys;
}

/** A permutation of the 999 000 0000 – 999 999 9999 test range, skipping bodies with no valid check digit. */
class NhsNumbers {
  #i: number;
  #exhausted = false;
  constructor(start: number) {
    this.#i = start;
  }
  next(): string | null {
    while (this.#i < 1_000_000) {
      const body = `999${String((this.#i++ * 487_261 + 130_807) % 1_000_000).padStart(6, '0')}`;
      const check = nhsCheckDigit(body);
      if (check === 10 || body === '999999999') continue;
      return body + String(check);
    }
    this.#exhausted = true;
    return null;
  }
  get exhausted(): boolean {
    return this.#exhausted;
  }
}

/** Grows a family's involvement load: most families need little, a few a great deal. */
const NEED = new Weighted<number>([[0.5, 50], [1.0, 32], [1.8, 14], [3.2, 4]]);

export class FamilyGenerator {
  readonly counts: GeneratedCounts = {
    people: 0, names: 0, identifiers: 0, addresses: 0, households: 0, relationships: 0, involvements: 0,
    activeInvolvements: 0, sensitiveInvolvements: 0, shielded: 0,
  };
  readonly #p: PartnershipBuilder;
  readonly #ids: IdSource;
  readonly #rng: Rng;
  readonly #o: FamilyGeneratorOptions;
  readonly #today: number;
  readonly #nhs: NhsNumbers;
  readonly #streets = new Map<number, Street[]>();
  readonly #upnSerial = new Map<string, number>();
  readonly #keyCache = new Map<string, ReturnType<NameKeys>>();
  readonly #sensitiveTeams = new Set<string>();
  readonly #orgOfTeam = new Map<string, string>();
  /** Men living alone, who may be the other parent of children in a lone-parent household nearby. */
  readonly #singleMen: Array<{ id: string; family: string; council: number; age: number; batch: number }> = [];
  #batch = 0;
  #localSerial = 0;
  /** Share of people given an NHS number: nearly all, unless the test range would run out. */
  readonly #nhsShare: number;
  #t!: Tables;
  #hhInvolvements = 0;

  constructor(partnership: PartnershipBuilder, ids: IdSource, options: FamilyGeneratorOptions) {
    this.#p = partnership;
    this.#ids = ids;
    this.#o = options;
    this.#rng = new Rng(options.seed, 0xfa111e5);
    this.#today = options.asOfDay;
    this.#nhs = new NhsNumbers(options.nhsStart);
    const capacity = ((1_000_000 - options.nhsStart) * 10) / 11;
    this.#nhsShare = Math.min(0.98, (0.92 * capacity) / options.people);
    const sensitive = new Set(partnership.services.filter((s) => s.sensitiveKind).map((s) => s.id));
    for (const t of partnership.teams) {
      if (t.serviceId && sensitive.has(t.serviceId)) this.#sensitiveTeams.add(t.id);
      this.#orgOfTeam.set(t.id, t.organisationId);
    }
    const perDistrict = Math.ceil(options.people / Math.max(1, partnership.councils.reduce((n, c) => n + c.districts.length, 0)));
    for (const c of partnership.councils) {
      for (const d of c.districts) this.#streets.set(d, districtStreets(d, Math.max(8, Math.ceil(perDistrict / 60))));
    }
  }

  get nhsExhausted(): boolean {
    return this.#nhs.exhausted;
  }

  /** Generates whole households into `tables` until at least `people` more people exist; returns how many. */
  fill(tables: Tables, people: number, batch: number): number {
    this.#t = tables;
    this.#batch = batch;
    const before = this.counts.people;
    while (this.counts.people - before < people) this.#household();
    return this.counts.people - before;
  }

  // ------------------------------------------------------------------ people

  #keys(given: string, family: string) {
    const k = `${given}\u0000${family}`;
    let v = this.#keyCache.get(k);
    if (!v) {
      v = this.#o.nameKeys(given, family);
      if (this.#keyCache.size < 500_000) this.#keyCache.set(k, v);
    }
    return v;
  }

  #person(sex: Sex, minAge: number, maxAge: number, family: string): Person {
    const rng = this.#rng;
    const lo = this.#today - Math.floor((maxAge + 1) * 365.25) + 1;
    const hi = this.#today - Math.floor(minAge * 365.25);
    const dob = lo + rng.int(Math.max(1, hi - lo));
    const age = Math.floor((this.#today - dob) / 365.25);
    const year = 1970 + Math.floor(dob / 365.25);
    const s = sex === 'unknown' ? (rng.chance(0.5) ? 'female' : 'male') : sex;
    const given = givenName(rng, s, year);
    const middle = year >= 1950 && rng.chance(0.45) ? middleName(rng, s, year) : null;
    return {
      id: this.#ids.next(), sex, dob, precision: 'exact', given, middle, family, age, unborn: false, shielded: false,
      deceased: false, dateOfDeath: null, otherNames: [], school: null, upnYear: null,
    };
  }

  #unborn(family: string): Person {
    const due = this.#today + 14 + this.#rng.int(230);
    return {
      id: this.#ids.next(), sex: 'unknown', dob: due, precision: 'expected', given: 'Unborn', middle: null, family, age: -1,
      unborn: true, shielded: false, deceased: false, dateOfDeath: null, otherNames: [], school: null, upnYear: null,
    };
  }

  /** Nicknames, aliases and the misspellings other agencies recorded. */
  #variants(p: Person): void {
    const rng = this.#rng;
    if (p.unborn) return;
    if (p.age >= 8 && rng.chance(0.3)) {
      const nick = nicknameOf(rng, p.given);
      if (nick) p.otherNames.push({ kind: 'preferred', given: nick, family: p.family });
    }
    if (p.age >= 14 && rng.chance(0.015)) {
      p.otherNames.push({ kind: 'alias', given: alias(rng, p.sex === 'male' ? 'male' : 'female', 1970 + Math.floor((p.dob ?? 0) / 365.25)), family: p.family });
    }
    if (rng.chance(0.025)) {
      const family = rng.chance(0.6);
      const variant = family ? { given: p.given, family: typo(rng, p.family) } : { given: typo(rng, p.given), family: p.family };
      if (variant.given !== p.given || variant.family !== p.family) p.otherNames.push({ kind: 'alias', ...variant });
    }
    // Some adults' dates of birth are only estimated; a few are not known at all.
    if (p.age >= 18 && rng.chance(0.004)) {
      // Recorded as 1 January of the year they were thought to be born, as agencies do.
      p.precision = 'estimated';
      p.dob = Math.floor(Date.UTC(Number(dayToIso(p.dob!).slice(0, 4)), 0, 1) / 86_400_000);
    } else if (p.age >= 18 && rng.chance(0.002)) {
      p.precision = 'unknown';
      p.dob = null;
    }
    if (p.age >= 75 && rng.chance(0.01)) {
      p.deceased = true;
      p.dateOfDeath = this.#today - 1 - rng.int(700);
    }
  }

  #writePerson(p: Person, household: Household): void {
    const t = this.#t;
    const rng = this.#rng;
    this.#variants(p);
    t.person.push(p.id, p.sex, p.dob === null ? null : dayToIso(p.dob), p.precision, p.shielded, p.deceased, p.dateOfDeath === null ? null : dayToIso(p.dateOfDeath));
    const given = p.middle ? `${p.given} ${p.middle}` : p.given;
    const names: Array<{ kind: string; given: string; family: string }> = [{ kind: 'current', given, family: p.family }, ...p.otherNames];
    for (const n of names) {
      const k = this.#keys(n.given, n.family);
      t.person_name.push(p.id, this.#ids.next(), n.kind, n.given, n.family, k.givenNorm, k.familyNorm, k.givenPhonetic, k.familyPhonetic);
    }
    this.counts.names += names.length;
    if (!p.unborn && rng.chance(p.age >= 18 ? this.#nhsShare * 0.95 : this.#nhsShare)) {
      const nhs = this.#nhs.next();
      if (nhs) {
        t.person_identifier.push(p.id, this.#ids.next(), 'nhs_number', nhs, null);
        this.counts.identifiers++;
      }
    }
    if (p.school && p.upnYear !== null && rng.chance(0.97)) {
      const upn = this.#upn(p.school, p.upnYear);
      if (upn) {
        t.person_identifier.push(p.id, this.#ids.next(), 'upn', upn, null);
        this.counts.identifiers++;
      }
    }
    // Addresses: the household's, from when they moved in (or were born); sometimes an earlier one.
    const from = p.dob !== null && p.dob > household.movedIn && !p.unborn ? p.dob : household.movedIn;
    if (!p.unborn) {
      const a = household.address;
      t.person_address.push(p.id, this.#ids.next(), a.line1, a.line2, a.town, a.postcode, dayToIso(from), null);
      this.counts.addresses++;
      if (household.previous && (p.dob === null || p.dob < household.movedIn - 200)) {
        const prev = household.previous;
        const start = Math.max(p.dob ?? 0, household.movedIn - 200 - rng.int(3000));
        t.person_address.push(p.id, this.#ids.next(), prev.line1, prev.line2, prev.town, prev.postcode, dayToIso(start), dayToIso(household.movedIn - 1));
        this.counts.addresses++;
      }
      t.household_member.push(p.id, household.id, dayToIso(from));
    }
    if (p.shielded) this.counts.shielded++;
    this.counts.people++;
  }

  #upn(school: SynthTeam, year: number): string | null {
    const yy = String(year % 100).padStart(2, '0');
    const key = `${school.establishment}${yy}`;
    const serial = (this.#upnSerial.get(key) ?? 0) + 1;
    if (serial > 999) return null;
    this.#upnSerial.set(key, serial);
    // LA numbers 990–999 are not allocated to any authority; each forced run takes the next one down.
    const la = String(999 - ((this.#o.run - 1) % 10));
    const body = `${la}${school.establishment}${yy}${String(serial).padStart(3, '0')}`;
    return `${upnCheckLetter(body)}${body}`;
  }

  // ------------------------------------------------------------------ relationships

  #relate(a: Person, b: Person, type: string, from: number | null): void {
    const inverse = this.#o.relationshipInverse.get(type);
    if (!inverse) throw new Error(`Unknown relationship type ${type}`);
    const pair = this.#ids.next();
    const f = from === null ? null : dayToIso(from);
    this.#t.relationship.push(a.id, this.#ids.next(), pair, b.id, type, f);
    this.#t.relationship.push(b.id, this.#ids.next(), pair, a.id, inverse, f);
    this.counts.relationships += 2;
  }

  #relateIds(a: string, b: string, type: string, from: number | null): void {
    const inverse = this.#o.relationshipInverse.get(type)!;
    const pair = this.#ids.next();
    const f = from === null ? null : dayToIso(from);
    this.#t.relationship.push(a, this.#ids.next(), pair, b, type, f);
    this.#t.relationship.push(b, this.#ids.next(), pair, a, inverse, f);
    this.counts.relationships += 2;
  }

  // ------------------------------------------------------------------ households

  #household(): void {
    const rng = this.#rng;
    const council = rng.pick(this.#p.councils);
    const district = rng.pick(council.districts);
    const streets = this.#streets.get(district)!;
    const streetIndex = rng.int(streets.length);
    const street = streets[streetIndex]!;
    const address = addressOn(rng, street);
    let previous = null;
    if (rng.chance(0.3)) {
      const otherDistrict = rng.pick(council.districts);
      previous = addressOn(rng, rng.pick(this.#streets.get(otherDistrict)!));
    }
    const hh: Household = {
      id: this.#ids.next(),
      council,
      movedIn: this.#today - 30 - rng.int(365 * 12),
      address,
      previous,
      // Neighbours share a GP practice and schools.
      gp: council.gpPractices[streetIndex % council.gpPractices.length]!,
      primary: council.primarySchools[(streetIndex * 7 + district) % council.primarySchools.length]!,
      secondary: council.secondarySchools[(streetIndex * 3 + district) % council.secondarySchools.length]!,
      need: NEED.pick(rng),
      members: [],
    };
    this.#t.household.push(hh.id);
    this.counts.households++;
    this.#hhInvolvements = 0;
    const kind = HOUSEHOLD_KINDS.pick(rng);
    const build = this.#builders[kind];
    build(hh);
    for (const p of hh.members) this.#writePerson(p, hh);
    this.#involvements(hh);
  }

  readonly #builders: Record<HouseholdKind, (hh: Household) => void> = {
    single_adult: (hh) => {
      const sex = this.#rng.chance(0.5) ? 'male' : 'female';
      const p = this.#person(sex, 19, 64, surname(this.#rng));
      this.#maybeMaidenName(p, 0.3);
      hh.members.push(p);
      if (sex === 'male' && p.age >= 20 && p.age <= 50 && this.#singleMen.length < 5000) {
        this.#singleMen.push({ id: p.id, family: p.family, council: hh.council.index, age: p.age, batch: this.#batch });
      }
    },
    single_older: (hh) => {
      const p = this.#person(this.#rng.chance(0.62) ? 'female' : 'male', 65, 99, surname(this.#rng));
      this.#maybeMaidenName(p, 0.8);
      hh.members.push(p);
    },
    couple: (hh) => {
      const older = this.#rng.chance(0.45);
      const [a, b] = this.#couple(hh, older ? 60 : 21, older ? 92 : 59);
      hh.members.push(a, b);
      this.#maybeExpecting(hh, a, b);
    },
    couple_children: (hh) => {
      const [a, b] = this.#couple(hh, 23, 52);
      hh.members.push(a, b);
      const kids = this.#children(hh, [a, b], 1 + this.#weightedChildren(), b.family);
      this.#siblings(kids, 'sibling');
      this.#maybeExpecting(hh, a, b);
    },
    lone_parent: (hh) => {
      const rng = this.#rng;
      const mother = rng.chance(0.9);
      const parent = this.#person(mother ? 'female' : 'male', 19, 52, surname(rng));
      hh.members.push(parent);
      if (mother) this.#maybeMaidenName(parent, 0.35);
      // Children often carry the other parent's surname.
      const other = mother && rng.chance(0.45) ? this.#otherParent(hh) : null;
      const kidsSurname = other ? other.family : mother && rng.chance(0.4) ? surname(rng) : parent.family;
      const kids = this.#children(hh, [parent], 1 + this.#weightedChildren(), kidsSurname);
      this.#siblings(kids, 'sibling');
      if (other) for (const k of kids) this.#relateIds(other.id, k.id, 'parent', k.dob);
      if (mother) this.#maybeExpecting(hh, parent, null);
      if (mother && rng.chance(0.05)) this.#fleeing(hh, parent, kids);
    },
    blended: (hh) => {
      const rng = this.#rng;
      const mother = this.#person('female', 24, 50, surname(rng));
      const stepFather = this.#person('male', Math.max(22, mother.age - 6), Math.min(60, mother.age + 8), surname(rng));
      const exSurname = surname(rng);
      if (rng.chance(0.5)) {
        mother.otherNames.push({ kind: 'previous', given: mother.given, family: mother.family });
        mother.family = stepFather.family;
      }
      hh.members.push(mother, stepFather);
      const together = hh.movedIn - rng.int(365 * 3);
      this.#relate(mother, stepFather, 'partner', together);
      const kids = this.#children(hh, [mother], 1 + rng.int(3), exSurname);
      this.#siblings(kids, 'sibling');
      for (const k of kids) {
        this.#relate(stepFather, k, 'step_parent', Math.max(together, k.dob ?? together));
        if (rng.chance(0.12)) {
          // Took the step-parent's surname; older records have the old one.
          k.otherNames.push({ kind: 'previous', given: k.given, family: k.family });
          k.family = stepFather.family;
        }
      }
      if (hh.members.length < 6 && rng.chance(0.5)) {
        const baby = this.#childOf(hh, [mother, stepFather], stepFather.family, 0, Math.min(8, Math.floor((this.#today - together) / 365.25)));
        for (const k of kids) this.#relate(k, baby, 'half_sibling', baby.dob);
      }
      this.#maybeExpecting(hh, mother, stepFather);
    },
    adult_children: (hh) => {
      const [a, b] = this.#couple(hh, 44, 72);
      hh.members.push(a, b);
      const kids = this.#children(hh, [a, b], 1 + this.#rng.int(2), b.family, 18, 32);
      this.#siblings(kids, 'sibling');
    },
    multigen: (hh) => {
      const rng = this.#rng;
      const grand = this.#person(rng.chance(0.7) ? 'female' : 'male', 62, 90, surname(rng));
      hh.members.push(grand);
      const parentSex = rng.chance(0.6) ? 'female' : 'male';
      const parent = this.#person(parentSex, Math.max(22, grand.age - 40), Math.min(55, grand.age - 18), grand.family);
      hh.members.push(parent);
      this.#relate(grand, parent, 'parent', parent.dob);
      let partner: Person | null = null;
      if (rng.chance(0.55)) {
        partner = this.#person(parentSex === 'female' ? 'male' : 'female', Math.max(20, parent.age - 6), parent.age + 6, parentSex === 'female' ? surname(rng) : parent.family);
        if (parentSex === 'female') {
          parent.otherNames.push({ kind: 'birth', given: parent.given, family: parent.family });
          parent.family = partner.family;
        }
        hh.members.push(partner);
        this.#relate(parent, partner, 'partner', hh.movedIn - rng.int(3000));
      }
      const kids = this.#children(hh, partner ? [parent, partner] : [parent], 1 + rng.int(2), partner && parentSex === 'female' ? partner.family : parent.family);
      this.#siblings(kids, 'sibling');
      for (const k of kids) this.#relate(grand, k, 'household_member', k.dob);
      if (rng.chance(0.3)) this.#relate(parent, grand, 'carer', null);
    },
    young_parent: (hh) => {
      const rng = this.#rng;
      const mother = this.#person('female', 16, 21, surname(rng));
      hh.members.push(mother);
      let partner: Person | null = null;
      if (rng.chance(0.5)) {
        partner = this.#person('male', 18, 28, surname(rng));
        hh.members.push(partner);
        this.#relate(mother, partner, 'partner', this.#today - rng.int(400));
      }
      const babies = mother.age >= 17 && rng.chance(0.6) ? this.#children(hh, [mother], 1, rng.chance(0.5) ? mother.family : surname(rng), 0, Math.min(3, mother.age - 16)) : [];
      this.#siblings(babies, 'sibling');
      if (babies.length === 0 || rng.chance(0.4)) {
        const unborn = this.#unborn(mother.family);
        hh.members.push(unborn);
        this.#relate(mother, unborn, 'expecting', null);
        if (partner && rng.chance(0.5)) this.#relate(partner, unborn, 'expecting', null);
      }
    },
    sharers: (hh) => {
      const rng = this.#rng;
      const n = 2 + rng.int(3);
      const people: Person[] = [];
      for (let i = 0; i < n; i++) {
        const p = this.#person(rng.chance(0.5) ? 'female' : 'male', 19, 38, surname(rng));
        people.push(p);
        hh.members.push(p);
      }
      for (let i = 0; i < people.length; i++) {
        for (let j = i + 1; j < people.length; j++) this.#relate(people[i]!, people[j]!, 'household_member', hh.movedIn);
      }
    },
  };

  #weightedChildren(): number {
    const r = this.#rng.next();
    return r < 0.45 ? 0 : r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
  }

  #maybeMaidenName(p: Person, chance: number): void {
    if (p.sex === 'female' && p.age >= 22 && this.#rng.chance(chance)) {
      p.otherNames.push({ kind: 'birth', given: p.given, family: surname(this.#rng) });
    }
  }

  /** A couple: the woman usually took the man's surname (her birth surname is kept as a name). */
  #couple(hh: Household, minAge: number, maxAge: number): [Person, Person] {
    const rng = this.#rng;
    const man = this.#person('male', minAge, maxAge, surname(rng));
    const woman = this.#person('female', Math.max(18, man.age - 8), Math.min(100, man.age + 4), surname(rng));
    if (rng.chance(0.7)) {
      woman.otherNames.push({ kind: 'birth', given: woman.given, family: woman.family });
      woman.family = man.family;
    }
    this.#relate(woman, man, 'partner', hh.movedIn - rng.int(365 * 5));
    // [mother-to-be first, partner second]; the family's surname is the man's.
    return [woman, man];
  }

  #children(hh: Household, parents: Person[], count: number, family: string, minAge = 0, maxAge = 17): Person[] {
    const kids: Person[] = [];
    const youngestParent = Math.min(...parents.map((p) => p.age));
    const cap = Math.min(maxAge, youngestParent - 16);
    for (let i = 0; i < count && hh.members.length < 6; i++) {
      if (cap < minAge) break;
      kids.push(this.#childOf(hh, parents, family, minAge, cap));
    }
    return kids;
  }

  #childOf(hh: Household, parents: Person[], family: string, minAge: number, maxAge: number): Person {
    const rng = this.#rng;
    const sex = rng.chance(0.5) ? 'female' : 'male';
    const c = this.#person(sex, minAge, Math.max(minAge, maxAge), family);
    if (rng.chance(0.06)) c.family = `${family}-${surname(rng)}`.replace(/^(.+)-\1$/, '$1');
    if (c.age >= 4 && c.age <= 17) {
      c.school = c.age <= 10 ? hh.primary : hh.secondary;
      c.upnYear = 1970 + Math.floor(((c.dob ?? 0) + 365.25 * 4.5) / 365.25);
    }
    hh.members.push(c);
    for (const p of parents) this.#relate(p, c, 'parent', c.dob);
    return c;
  }

  #siblings(kids: Person[], type: string): void {
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) this.#relate(kids[i]!, kids[j]!, type, null);
    }
  }

  #otherParent(hh: Household): { id: string; family: string } | null {
    const men = this.#singleMen;
    for (let attempt = 0; attempt < 4 && men.length; attempt++) {
      const i = this.#rng.int(men.length);
      const m = men[i]!;
      // Only someone already committed: two batches may be in flight at once on separate connections.
      if (m.council === hh.council.index && m.batch <= this.#batch - 2) {
        men[i] = men[men.length - 1]!;
        men.pop();
        return m;
      }
    }
    return null;
  }

  #maybeExpecting(hh: Household, woman: Person, partner: Person | null): void {
    if (woman.sex !== 'female' || woman.age < 17 || woman.age > 43 || hh.members.length >= 6 || !this.#rng.chance(0.04)) return;
    const unborn = this.#unborn(partner?.family ?? woman.family);
    hh.members.push(unborn);
    this.#relate(woman, unborn, 'expecting', null);
    if (partner) this.#relate(partner, unborn, 'expecting', null);
    hh.expecting = woman;
  }

  /** A parent fleeing domestic abuse with the children: shielded, known to the refuge and the police. */
  #fleeing(hh: Household, parent: Person, kids: Person[]): void {
    parent.shielded = true;
    for (const k of kids) k.shielded = true;
    hh.fleeing = parent;
  }

  // ------------------------------------------------------------------ involvements

  #dateBetween(lo: number, hi: number): number {
    return hi <= lo ? lo : lo + this.#rng.int(hi - lo);
  }

  /** Writes one involvement; `team` decides the organisation and service. */
  #involve(
    p: Person,
    team: SynthTeam,
    role: string,
    o: { active: boolean; practitioner?: string | null; start?: number; eha?: boolean; consent?: boolean; earliest?: number },
  ): void {
    const rng = this.#rng;
    const born = p.unborn ? this.#today - 200 : (p.dob ?? this.#today - 365 * 40);
    const earliest = Math.max(born, o.earliest ?? born, this.#today - 365 * 15);
    let start: number;
    let end: number | null = null;
    if (o.active) {
      start = o.start ?? this.#dateBetween(Math.max(earliest, this.#today - 365 * 3), this.#today - 1);
    } else {
      start = o.start ?? this.#dateBetween(earliest, this.#today - 40);
      end = Math.min(this.#today - 1, start + 30 + rng.int(700));
    }
    if (start > this.#today - 1) start = this.#today - 1;
    if (end !== null && end < start) end = start;
    if (p.deceased && p.dateOfDeath !== null) {
      if (start > p.dateOfDeath) start = p.dateOfDeath;
      if (end === null || end > p.dateOfDeath) end = p.dateOfDeath;
    }
    const practitioner = o.practitioner === undefined ? (team.members.length ? rng.pick(team.members) : null) : o.practitioner;
    const sensitive = this.#sensitiveTeams.has(team.id);
    this.#t.involvement.push(
      p.id,
      this.#ids.next(),
      this.#orgOfTeam.get(team.id)!,
      team.serviceId,
      team.id,
      practitioner,
      role,
      dayToIso(start),
      end === null ? null : dayToIso(end),
      o.eha ?? false,
      sensitive ? (o.consent ?? false) : false,
      practitioner,
      end === null ? null : practitioner,
      end === null ? null : END_REASONS[rng.int(END_REASONS.length)]!,
    );
    this.counts.involvements++;
    this.#hhInvolvements++;
    if (end === null) this.counts.activeInvolvements++;
    if (sensitive) this.counts.sensitiveInvolvements++;
  }

  #team(council: Council, kind: TeamKind): SynthTeam {
    return this.#rng.pick(this.#p.teamsFor(council, kind));
  }

  #involvements(hh: Household): void {
    const rng = this.#rng;
    const c = hh.council;
    const living = hh.members.filter((p) => !p.unborn);
    const children = living.filter((p) => p.age < 18);
    const adults = living.filter((p) => p.age >= 18);

    // Universal services: a GP for everyone, school for children, health visiting for the under-fives.
    for (const p of living) {
      this.#involve(p, hh.gp, 'gp', { active: !p.deceased, practitioner: null, start: Math.max(p.dob ?? 0, hh.movedIn) });
      if (p.school) {
        this.#involve(p, p.school, 'school', { active: true, practitioner: null, start: Math.max(p.dob! + Math.floor(365.25 * (p.school.kind === 'school_primary' ? 4.5 : 11.5)), this.#today - 365 * 7) });
        if (p.school.kind === 'school_secondary') {
          this.#involve(p, hh.primary, 'school', { active: false, practitioner: null, start: p.dob! + Math.floor(365.25 * 4.5) });
        }
      }
      if (p.age <= 4) this.#involve(p, this.#team(c, 'hv'), 'health_visitor', { active: true, start: p.dob! + 10 });
    }
    const unborn = hh.members.find((p) => p.unborn);
    if (unborn) {
      const mw = this.#team(c, 'midwifery');
      const midwife = rng.pick(mw.members);
      const mother = hh.expecting ?? adults.find((a) => a.sex === 'female') ?? living[0];
      const booked = this.#today - 20 - rng.int(150);
      this.#involve(unborn, mw, 'midwife', { active: true, practitioner: midwife, start: booked });
      if (mother) this.#involve(mother, mw, 'midwife', { active: true, practitioner: midwife, start: booked });
      if (rng.chance(0.6)) this.#involve(unborn, this.#team(c, 'hv'), 'health_visitor', { active: true, start: this.#today - rng.int(60) - 1 });
    }

    // Family episodes: early help, children's social care, domestic abuse.
    if (children.length) {
      if (rng.chance(Math.min(0.6, 0.07 * hh.need))) this.#earlyHelp(hh, children, adults);
      if (rng.chance(Math.min(0.4, 0.04 * hh.need))) this.#socialCare(hh, children);
    }
    if (hh.fleeing) this.#domesticAbuse(hh, hh.fleeing, children, true);
    else if (adults.some((a) => a.sex === 'female' && a.age < 60) && rng.chance(Math.min(0.2, 0.012 * hh.need))) {
      this.#domesticAbuse(hh, adults.find((a) => a.sex === 'female' && a.age < 60)!, children, false);
    }

    // Individual involvements, enough to bring the partnership to its average per person.
    const target = this.#o.involvementsPerPerson;
    const deficit = target * this.counts.people - this.counts.involvements; // people already counted for this household
    const want = Math.max(0, target * living.length * hh.need - this.#hhInvolvements) + Math.max(-living.length, Math.min(living.length * 2, deficit / 500));
    const extra = living.length ? Math.min(living.length * 8, rng.poisson(Math.max(0, want))) : 0;
    for (let i = 0; i < extra; i++) {
      const p = rng.pick(living);
      const byAge = TEMPLATES_BY_AGE[Math.min(105, Math.max(0, p.age))]!;
      const tpl = (p.sex === 'male' ? byAge.male : byAge.female).pick(rng);
      const team =
        tpl.kind === 'school_primary' || tpl.kind === 'school_secondary'
          ? (p.school ?? (tpl.kind === 'school_primary' ? hh.primary : hh.secondary))
          : tpl.kind === 'gp'
            ? rng.pick(c.gpPractices)
            : this.#team(c, tpl.kind);
      const active = !p.deceased && rng.chance(tpl.active);
      this.#involve(p, team, tpl.role, {
        active,
        practitioner: tpl.kind === 'gp' ? null : undefined,
        consent: tpl.consent !== undefined && rng.chance(tpl.consent),
      });
    }
  }

  #earlyHelp(hh: Household, children: Person[], adults: Person[]): void {
    const rng = this.#rng;
    const c = hh.council;
    const active = rng.chance(0.4);
    // The lead professional is whoever knows the family best: early help, the school, the health visitor or a charity.
    const r = rng.next();
    const young = children.some((k) => k.age <= 4);
    const leadTeam =
      r < 0.4 ? this.#team(c, 'early_help')
        : r < 0.6 ? this.#team(c, 'family_support')
          : r < 0.8 && children.some((k) => k.school) ? children.find((k) => k.school)!.school!
            : young ? this.#team(c, 'hv') : this.#team(c, 'early_help');
    const lead = leadTeam.members.length ? rng.pick(leadTeam.members) : null;
    const start = this.#dateBetween(Math.max(this.#today - 365 * 4, ...children.map((k) => k.dob!)), this.#today - (active ? 1 : 60));
    const members = [...children, ...adults.slice(0, 1 + rng.int(Math.max(1, adults.length)))];
    for (const p of members) this.#involve(p, leadTeam, 'lead_professional', { active, practitioner: lead, start, eha: true });
    if (leadTeam.kind !== 'family_support' && rng.chance(0.5)) {
      const fs = this.#team(c, 'family_support');
      const worker = rng.pick(fs.members);
      for (const p of children) this.#involve(p, fs, 'family_support_worker', { active, practitioner: worker, start: start + rng.int(30) });
    }
  }

  #socialCare(hh: Household, children: Person[]): void {
    const rng = this.#rng;
    const c = hh.council;
    const active = rng.chance(0.35);
    const team = rng.chance(0.08) ? this.#team(c, 'children_in_care') : this.#team(c, 'fst');
    const worker = rng.pick(team.members);
    const start = this.#dateBetween(Math.max(this.#today - 365 * 6, ...children.map((k) => k.dob!)), this.#today - (active ? 1 : 90));
    for (const k of children) this.#involve(k, team, 'allocated_social_worker', { active, practitioner: worker, start });
    // The council's case-management id for the children it works with.
    for (const k of children) {
      this.#t.person_identifier.push(k.id, this.#ids.next(), 'local', `MOS${this.#o.run % 10}${String(++this.#localSerial).padStart(7, '0')}`, c.cscOrganisationId);
      this.counts.identifiers++;
    }
  }

  #domesticAbuse(hh: Household, victim: Person, children: Person[], fleeing: boolean): void {
    const rng = this.#rng;
    const c = hh.council;
    const incident = this.#today - 20 - rng.int(fleeing ? 200 : 1500);
    this.#involve(victim, this.#team(c, 'da_police'), 'police_officer', { active: fleeing, start: incident });
    const da = this.#team(c, 'da_support');
    const worker = rng.pick(da.members);
    const supportActive = fleeing || rng.chance(0.4);
    this.#involve(victim, da, 'key_worker', { active: supportActive, practitioner: worker, start: incident + 3, consent: rng.chance(0.25) });
    if (fleeing) {
      const housing = this.#team(c, 'homelessness');
      this.#involve(victim, housing, 'housing_officer', { active: true, start: incident + 5 });
      if (children.length) {
        const sw = this.#team(c, 'assessment');
        const worker2 = rng.pick(sw.members);
        for (const k of children) this.#involve(k, sw, 'allocated_social_worker', { active: true, practitioner: worker2, start: incident + 7 });
      }
    }
  }
}

interface Household {
  id: string;
  council: Council;
  movedIn: number;
  address: ReturnType<typeof addressOn>;
  previous: ReturnType<typeof addressOn> | null;
  gp: SynthTeam;
  primary: SynthTeam;
  secondary: SynthTeam;
  need: number;
  members: Person[];
  expecting?: Person;
  fleeing?: Person;
}
