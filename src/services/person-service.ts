import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { newId } from '../ids.ts';
import { compareNames, dobSimilarity } from '../matching/name-similarity.ts';
import { nameVariantsForKey } from '../matching/nicknames.ts';
import { doubleMetaphone } from '../matching/phonetic.ts';
import { normaliseName } from '../matching/strings.ts';
import { validateLocalId, validateNhsNumber, validatePostcode, validateUpn } from '../people/identifiers.ts';
import { decide, householdAccess, involvementsBeyondOwnOrganisation, mayAppearInSearch, mayBreakGlass, mayReviewBreakGlass, type Basis, type DataCategory, type Decision, type SubjectFacts } from '../policy/access-policy.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import {
  DuplicateIdentifierError,
  RepeatedRequestError,
  type HouseholdAddress,
  type HouseholdRecord,
  type Involvement,
  type NewName,
  type PeopleRepository,
  type PersonRecord,
  type Relationship,
  type SearchCandidate,
} from '../repositories/people-repository.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { UserRepository } from '../repositories/user-repository.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

// ---------- input rules, shared by forms and the API ----------

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const isoDate = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label[0]!.toUpperCase()}${label.slice(1)} must be a date like 2019-03-27`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
    }, `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date`);

/** A postcode that may be left blank: normalised when given, with validatePostcode's message when wrong. */
export const optionalPostcode = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const r = validatePostcode(v);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.value;
    }),
);

const personName = z.object({
  givenNames: z.string({ error: 'Enter their first name' }).trim().min(1, 'Enter their first name').max(100, 'First names must be 100 characters or fewer'),
  familyName: z.string({ error: 'Enter their last name' }).trim().min(1, 'Enter their last name').max(100, 'Last name must be 100 characters or fewer'),
});

const otherName = personName.extend({ kind: z.enum(['previous', 'alias', 'preferred', 'birth'], { error: 'Choose what kind of name this is' }) });

const addressInput = z.object({
  line1: z.string({ error: 'Enter the first line of the address' }).trim().min(1, 'Enter the first line of the address').max(200),
  line2: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  town: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  postcode: z.string({ error: 'Enter the postcode' }).transform((v, ctx) => {
    const r = validatePostcode(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    return r.value;
  }),
  fromDate: z.preprocess(blankToUndefined, isoDate('the date they moved in').optional()),
});

const identifierInput = z
  .object({
    scheme: z.enum(['nhs_number', 'upn', 'local'], { error: 'Choose the kind of identifier' }),
    value: z.string({ error: 'Enter the identifier' }).trim().min(1, 'Enter the identifier'),
    organisationId: z.preprocess(blankToUndefined, z.uuid('Choose the organisation whose identifier this is').optional()),
  })
  .transform((v, ctx) => {
    const r = v.scheme === 'nhs_number' ? validateNhsNumber(v.value) : v.scheme === 'upn' ? validateUpn(v.value) : validateLocalId(v.value);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: r.message });
      return z.NEVER;
    }
    return { ...v, value: r.value };
  });

export const createPersonSchema = z
  .object({
    givenNames: personName.shape.givenNames,
    familyName: personName.shape.familyName,
    otherNames: z.array(otherName).max(20).default([]),
    sex: z.enum(['female', 'male', 'unknown', 'not_specified'], { error: 'Choose their sex' }),
    gender: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
    dateOfBirth: z.preprocess(blankToUndefined, isoDate('the date of birth').optional()),
    dobPrecision: z.enum(['exact', 'estimated', 'expected', 'unknown'], { error: 'Say whether the date of birth is exact, estimated or an expected date' }),
    nhsNumber: z.preprocess(blankToUndefined, z.string().optional()),
    upn: z.preprocess(blankToUndefined, z.string().optional()),
    localIds: z.array(z.object({ organisationId: z.uuid('Choose the organisation'), value: z.string().trim().min(1, 'Enter the local id') })).max(20).default([]),
    address: addressInput.optional(),
    shielded: z.boolean().default(false),
    deceased: z.boolean().default(false),
    dateOfDeath: z.preprocess(blankToUndefined, isoDate('the date of death').optional()),
  })
  .superRefine((v, ctx) => {
    const today = new Date().toISOString().slice(0, 10);
    if (v.dobPrecision === 'unknown' && v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['dobPrecision'], message: 'Choose exact or estimated when you give a date of birth' });
    }
    if (v.dobPrecision !== 'unknown' && !v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: v.dobPrecision === 'expected' ? 'Enter the expected date of birth' : 'Enter the date of birth' });
    }
    if (v.dateOfBirth) {
      if (v.dobPrecision === 'expected' && v.dateOfBirth < today) {
        ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'An expected date of birth must be today or in the future' });
      }
      if (v.dobPrecision !== 'expected' && v.dateOfBirth > today) {
        ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'The date of birth must be in the past: for an unborn child choose "expected date"' });
      }
      if (v.dateOfBirth < '1890-01-01') ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'The date of birth must be after 1890' });
    }
    if (v.nhsNumber) {
      const r = validateNhsNumber(v.nhsNumber);
      if (!r.ok) ctx.addIssue({ code: 'custom', path: ['nhsNumber'], message: r.message });
    }
    if (v.upn) {
      const r = validateUpn(v.upn);
      if (!r.ok) ctx.addIssue({ code: 'custom', path: ['upn'], message: r.message });
    }
    if (v.dateOfDeath && !v.deceased) ctx.addIssue({ code: 'custom', path: ['deceased'], message: 'Tick "deceased" when you give a date of death' });
    if (v.dateOfDeath && v.dateOfBirth && v.dateOfDeath < v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: 'The date of death must be after the date of birth' });
    }
    if (v.dateOfDeath && v.dateOfDeath > today) ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: 'The date of death must be in the past' });
  });
export type CreatePersonInput = z.input<typeof createPersonSchema>;

export const searchSchema = z
  .object({
    name: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
    dateOfBirth: z.preprocess(blankToUndefined, isoDate('the date of birth').optional()),
    postcode: optionalPostcode,
    identifier: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()),
    reason: z.preprocess(blankToUndefined, z.string({ error: 'Say why you are searching' }).trim().min(5, 'Say why you are searching, in a few words').max(500)),
  })
  .refine((v) => v.name || v.dateOfBirth || v.postcode || v.identifier, {
    message: 'Enter a name, date of birth, postcode or identifier to search for',
    path: ['name'],
  });
export type SearchInput = z.input<typeof searchSchema>;

export const involvementSchema = z
  .object({
    role: z.string({ error: 'Choose the role' }).min(1, 'Choose the role'),
    serviceId: z.preprocess(blankToUndefined, z.uuid().optional()),
    teamId: z.preprocess(blankToUndefined, z.uuid().optional()),
    practitionerId: z.preprocess(blankToUndefined, z.uuid().optional()),
    startDate: isoDate('the start date'),
    earlyHelpAssessment: z.boolean().default(false),
    consentToShow: z.boolean().default(false),
  })
  .refine((v) => v.startDate <= new Date().toISOString().slice(0, 10), { message: 'The start date must be today or earlier', path: ['startDate'] });

export const endInvolvementSchema = z.object({
  endDate: isoDate('the end date'),
  reason: z.preprocess(blankToUndefined, z.string().trim().max(500).optional()),
});

export const relationshipSchema = z.object({
  relatedSubjectId: z.uuid('Choose the person they are related to'),
  type: z.string({ error: 'Choose the relationship' }).min(1, 'Choose the relationship'),
  fromDate: z.preprocess(blankToUndefined, isoDate('the start date').optional()),
});

const notFuture = (label: string) => (v: string | undefined) => v === undefined || v <= new Date().toISOString().slice(0, 10) || `${label} must be today or earlier`;

export const householdSchema = z
  .object({
    label: z.preprocess(blankToUndefined, z.string().trim().max(100, 'The name of the household must be 100 characters or fewer').optional()),
    address: z.enum(['current', 'none'], { error: 'Choose whether the household is at their current address' }).default('current'),
    memberSubjectIds: z.array(z.uuid('Choose people from the list')).max(20, 'Choose at most 20 people: add others afterwards').default([]),
    fromDate: z.preprocess(blankToUndefined, isoDate('the date they started living together').optional()),
  })
  .superRefine((v, ctx) => {
    const r = notFuture('The date they started living together')(v.fromDate);
    if (r !== true) ctx.addIssue({ code: 'custom', path: ['fromDate'], message: r });
  });

export const householdMemberSchema = z
  .object({
    memberSubjectId: z.uuid('Choose the person who lives here'),
    fromDate: z.preprocess(blankToUndefined, isoDate('the date they moved in').optional()),
  })
  .superRefine((v, ctx) => {
    const r = notFuture('The date they moved in')(v.fromDate);
    if (r !== true) ctx.addIssue({ code: 'custom', path: ['fromDate'], message: r });
  });

export const leaveHouseholdSchema = z
  .object({ toDate: isoDate('the date they left') })
  .superRefine((v, ctx) => {
    const r = notFuture('The date they left')(v.toDate);
    if (r !== true) ctx.addIssue({ code: 'custom', path: ['toDate'], message: r });
  });

export const breakGlassSchema = z.object({
  reason: z.string({ error: 'Say why you need emergency access' }).trim().min(20, 'Say why you need emergency access, in at least 20 characters').max(1000),
});

export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) fields[issue.path.length ? issue.path.map(String).join('.') : 'form'] ??= issue.message;
  throw new ValidationError(fields);
}

// ---------- results ----------

export interface ContactCard {
  involvementId: string;
  organisationName: string;
  serviceName: string | null;
  teamName: string | null;
  role: string;
  practitionerName: string | null;
  jobTitle: string | null;
  email: string | null;
  phone: string | null;
  since: string;
  earlyHelpAssessment: boolean;
}

export interface SearchResult {
  subjectId: string;
  givenNames: string;
  familyName: string;
  otherNames: string[];
  dateOfBirth: string | null;
  dobPrecision: string;
  deceased: boolean;
  score: number;
  why: string[];
  access: 'record' | 'contact-minimum';
  contacts: ContactCard[];
}

export interface Withheld {
  category: DataCategory;
  reason: string;
}

export interface PersonView {
  subjectId: string;
  basis: Decision['basis'];
  basisReason: string;
  allowed: DataCategory[];
  withheld: Withheld[];
  /** The full identity, or only current name and date of birth under the contact minimum; null if identity is withheld. */
  identity: Omit<PersonRecord, 'addresses'> | { names: PersonRecord['names']; dateOfBirth: string | null; dobPrecision: string; subjectId: string } | null;
  addresses: PersonRecord['addresses'] | null;
  relationships: Relationship[] | null;
  involvements: Involvement[] | null;
  /** The households they live or lived in, current first; null when family is withheld. */
  households: HouseholdView[] | null;
  contacts: ContactCard[];
  /** Involvements left out entirely (sensitive services without consent): only their count is never shown either. */
  activeBreakGlass: boolean;
}

export interface HouseholdPeriod {
  fromDate: string | null;
  toDate: string | null;
}

export interface HouseholdMemberView {
  withheld: false;
  subjectId: string;
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  dobPrecision: string;
  sex: string;
  deceased: boolean;
  shielded: boolean;
  /** They live there now. */
  current: boolean;
  /** When they lived there, oldest first (more than one when they left and came back). */
  periods: HouseholdPeriod[];
}

/** A member the viewer may not see: neither who they are nor when they lived there is shown. */
export interface WithheldHouseholdMember {
  withheld: true;
  reason: string;
}

export interface HouseholdView {
  id: string;
  label: string | null;
  address: HouseholdAddress | null;
  /** Why the address is not shown, when a household with an address has it withheld. */
  addressWithheld: string | null;
  /** The person viewed lives here now. */
  current: boolean;
  /** When the person viewed lived here. */
  periods: HouseholdPeriod[];
  /** Everyone who lives or lived here, the person viewed included: current members first. */
  members: Array<HouseholdMemberView | WithheldHouseholdMember>;
}

/** The policy refused to let a member join or leave a household: `field` names the input at fault. */
/** The policy refused a change to another (shielded) person's record made through this one: a household or a relationship. */
export class HouseholdMemberRefusedError extends AccessDeniedError {
  readonly field: string;
  constructor(decision: Decision, field: string, what = 'record where this person lives') {
    super({ ...decision, reason: `You cannot ${what}: ${decision.reason.charAt(0).toLowerCase()}${decision.reason.slice(1)}` });
    this.name = 'HouseholdMemberRefusedError';
    this.field = field;
  }
}

export class LikelyMatchesError extends Error {
  readonly status = 409;
  readonly matches: SearchResult[];
  constructor(matches: SearchResult[]) {
    super('This person may already be recorded');
    this.name = 'LikelyMatchesError';
    this.matches = matches;
  }
}

const LONDON_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** The calendar day in London, YYYY-MM-DD. */
export function londonDay(at: Date): string {
  return LONDON_DAY.format(at);
}

const VIEW_CATEGORIES: DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts'];
const BREAK_GLASS_MINUTES = 60;

export function nameKeys(givenNames: string, familyName: string): Pick<NewName, 'givenNorm' | 'familyNorm' | 'givenPhonetic' | 'familyPhonetic'> {
  const givenNorm = normaliseName(givenNames).split(' ')[0] ?? '';
  const familyNorm = normaliseName(familyName).replace(/ /g, '');
  return { givenNorm, familyNorm, givenPhonetic: doubleMetaphone(givenNorm)[0], familyPhonetic: doubleMetaphone(familyNorm)[0] };
}

/**
 * The keys to find a first name and surname by (search tokens, normalised, surname last): the
 * surname's sound and spelling (with the last two words joined, for a double-barrelled name
 * typed with a space), and the first names' sounds together with those of their nicknames.
 * Names are stored with the primary Double Metaphone code of the first forename and of the
 * surname without spaces.
 */
function fullNameKeys(tokens: readonly string[], limit: number) {
  const given = tokens.slice(0, -1);
  const familyNorms = [tokens.at(-1)!, ...(tokens.length > 2 ? [tokens.slice(-2).join('')] : [])];
  const givenForms = [...new Set(given.flatMap((g) => nameVariantsForKey(g.replace(/ /g, ''))))];
  const codes = (names: readonly string[], both: boolean) => [...new Set(names.flatMap((n) => (both ? doubleMetaphone(n) : [doubleMetaphone(n)[0]])).filter(Boolean))];
  return {
    familyPhonetics: codes(familyNorms, true),
    familyNorms,
    // Both codes of what was typed (a spelling whose primary code is another's secondary), the primary of each nickname.
    givenPhonetics: [...new Set([...codes(given, true), ...codes(givenForms, false)])],
    givenNorms: given,
    givenForms,
    surnameLimit: Math.ceil(limit / 10),
  };
}

/** 2019-03-27 as 27 March 2019, for messages. */
function longDate(iso: string): string {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function swappedDate(iso: string): string | null {
  const [y, m, d] = iso.split('-');
  if (!y || !m || !d || m === d || Number(d) > 12) return null;
  const swapped = `${y}-${d}-${m}`;
  const dt = new Date(`${swapped}T00:00:00Z`);
  return !Number.isNaN(dt.getTime()) && dt.toISOString().slice(0, 10) === swapped ? swapped : null;
}

function contactCard(i: Involvement): ContactCard {
  return {
    involvementId: i.id,
    organisationName: i.organisationName,
    serviceName: i.serviceName,
    teamName: i.teamName,
    role: i.roleLabel,
    practitionerName: i.practitionerName,
    jobTitle: i.practitionerJobTitle,
    email: i.practitionerEmail ?? i.teamEmail,
    phone: i.practitionerPhone ?? i.teamPhone,
    since: i.startDate,
    earlyHelpAssessment: i.earlyHelpAssessment,
  };
}

/**
 * For a category the decision opens only through a disclosure, whether an item was among those
 * disclosed; true for every item of a category opened on any other basis.
 */
export function disclosedOnly(decision: Decision) {
  return (category: DataCategory, type: string, id: string) => {
    if (decision.basisByCategory[category] !== 'disclosure') return true;
    return decision.disclosedItems.some((x) => x.category === category && (x.type === 'all' || (x.type === type && x.id === id)));
  };
}

const isActive = (i: Involvement, today: string) => i.endDate === null || i.endDate > today;

/**
 * People and who is involved with them. Every method passes the PolicyGate before it reads or
 * writes, and the gate audits the decision.
 */
export class PersonService {
  readonly #people: PeopleRepository;
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #audit: AuditService;
  readonly #gate: PolicyGate;
  readonly #candidateLimit: number;

  /** `candidateLimit`: how many people each way of matching a search may bring in to be scored (2000). */
  constructor(deps: { people: PeopleRepository; organisations: OrganisationRepository; users: UserRepository; audit: AuditService; gate: PolicyGate; candidateLimit?: number }) {
    this.#people = deps.people;
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#audit = deps.audit;
    this.#gate = deps.gate;
    this.#candidateLimit = deps.candidateLimit ?? 2000;
  }

  get gate(): PolicyGate {
    return this.#gate;
  }

  // ----- search -----

  async search(p: Principal, input: unknown, ctx: AuditContext, options: { purpose?: string; limit?: number } = {}): Promise<SearchResult[]> {
    const q = parse(searchSchema, input);
    const purpose = options.purpose ?? 'find who is involved';
    const results = await this.#match(p, q, { purpose, reason: q.reason, limit: options.limit ?? 25, threshold: 0.55 });
    // The search and each person shown are recorded together (one group commit), not one after the other.
    const searchEntry = this.#audit.record({
      actor: actorOf(p),
      action: 'person.search',
      outcome: 'success',
      subjectType: 'person-search',
      purpose,
      reason: q.reason,
      details: {
        criteria: Object.fromEntries(Object.entries({ name: q.name, dateOfBirth: q.dateOfBirth, postcode: q.postcode, identifier: q.identifier }).filter(([, v]) => v)),
        results: results.map((r) => ({ subjectId: r.subjectId, access: r.access })),
      },
      context: ctx,
    });
    // Each person shown is a look at their record: it appears in their "who viewed this record".
    await Promise.all([
      searchEntry,
      ...results.map((r) =>
        this.#audit.record({
          actor: actorOf(p),
          action: 'person.search.result',
          outcome: 'success',
          subjectType: 'person',
          subjectId: r.subjectId,
          purpose,
          reason: q.reason,
          details: { access: r.access, shown: ['identity', 'contacts'] },
          context: ctx,
        }),
      ),
    ]);
    return results;
  }

  async #match(
    p: Principal,
    q: { name?: string | undefined; dateOfBirth?: string | undefined; postcode?: string | undefined; identifier?: string | undefined },
    opts: { purpose: string; reason: string; limit: number; threshold: number },
  ): Promise<SearchResult[]> {
    const tokens = q.name ? normaliseName(q.name).split(' ').filter(Boolean) : [];
    const given = tokens.length > 1 ? tokens.slice(0, -1).join(' ') : '';
    const family = tokens.at(-1) ?? '';
    const dates = q.dateOfBirth ? [q.dateOfBirth, swappedDate(q.dateOfBirth)].filter((d): d is string => Boolean(d)) : undefined;
    const phonetics = tokens.length ? [...new Set(tokens.flatMap((t) => doubleMetaphone(t)).filter(Boolean))] : undefined;
    const identifier = q.identifier?.replace(/[\s-]/g, '').toUpperCase();
    const candidates = await this.#people.searchCandidates({
      dates,
      familyPhonetics: phonetics,
      familyNorms: tokens.length ? tokens : undefined,
      fullName: tokens.length > 1 ? fullNameKeys(tokens, this.#candidateLimit) : undefined,
      postcode: q.postcode,
      identifier,
      limit: this.#candidateLimit,
    });
    const scored: Array<{ c: SearchCandidate; score: number; why: string[]; exact: boolean }> = [];
    for (const c of candidates) {
      const why: string[] = [];
      const parts: number[] = [];
      let exactName = false;
      if (tokens.length) {
        let best = { score: 0, reasons: [] as string[] };
        for (const n of c.names) {
          const r = compareNames({ given, family }, { given: n.givenNames, family: n.familyName });
          // A single word searched matches either name.
          const single = tokens.length === 1 ? Math.max(r.score, compareNames({ given: '', family }, { given: '', family: n.givenNames }).score * 0.9) : r.score;
          if (single > best.score) best = { score: single, reasons: r.reasons };
          // A shielded person is found only by their current name: an old name or alias must not undo a protective change.
          if (n.kind === 'current' && normaliseName(`${n.givenNames} ${n.familyName}`) === tokens.join(' ')) exactName = true;
        }
        parts.push(best.score);
        why.push(...best.reasons);
      }
      if (q.dateOfBirth) {
        const d = c.dateOfBirth ? dobSimilarity(q.dateOfBirth, c.dateOfBirth) : { level: 'none', score: 0 };
        parts.push(d.score);
        if (d.level !== 'none') why.push(d.level === 'exact' ? 'same date of birth' : `date of birth: ${d.level.replace(/-/g, ' ')}`);
      }
      if (q.postcode) {
        const hit = c.postcodes.includes(q.postcode);
        parts.push(hit ? 1 : 0);
        if (hit) why.push('lived at this postcode');
      }
      if (identifier) {
        const hit = c.identifiers.some((i) => i.value === identifier);
        parts.push(hit ? 1 : 0);
        if (hit) why.push('same identifier');
      }
      const score = parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : 0;
      const exact = exactName && Boolean(q.dateOfBirth) && c.dateOfBirth === q.dateOfBirth;
      if (!mayAppearInSearch(c.shielded, exact)) continue;
      if (score >= opts.threshold) scored.push({ c, score, why, exact });
    }
    scored.sort((a, b) => b.score - a.score);
    const top = scored.slice(0, opts.limit);
    const decisions = await this.#gate.decideMany(p, top.map((t) => t.c.subjectId), {
      action: 'search',
      categories: VIEW_CATEGORIES,
      purpose: opts.purpose,
      reason: opts.reason,
    });
    const involvements = await this.#people.involvements(top.map((t) => t.c.subjectId));
    const today = new Date().toISOString().slice(0, 10);
    return top.map(({ c, score, why }) => {
      const d = decisions.get(c.subjectId)?.decision;
      const hidden = new Set(d?.hiddenInvolvementIds ?? []);
      const current = c.names.find((n) => n.kind === 'current') ?? c.names[0]!;
      const record = Boolean(d?.bases.some((b) => b === 'relationship' || b === 'mash-enquiry' || b === 'break-glass'));
      return {
        subjectId: c.subjectId,
        givenNames: current.givenNames,
        familyName: current.familyName,
        otherNames: c.shielded && !record ? [] : c.names.filter((n) => n !== current).map((n) => `${n.givenNames} ${n.familyName}`),
        dateOfBirth: c.dateOfBirth,
        dobPrecision: c.dobPrecision,
        deceased: c.deceased,
        score: Math.round(score * 100) / 100,
        why,
        access: record ? 'record' : 'contact-minimum',
        contacts: d?.allowed.includes('contacts')
          ? involvements.filter((i) => i.subjectId === c.subjectId && isActive(i, today) && !hidden.has(i.id)).map(contactCard)
          : [],
      } satisfies SearchResult;
    });
  }

  // ----- create -----

  async create(
    p: Principal,
    input: unknown,
    ctx: AuditContext,
    options: { confirmNotDuplicate?: boolean; requestKey?: string } = {},
  ): Promise<{ subjectId: string; repeated: boolean }> {
    const v = parse(createPersonSchema, input);
    if (options.requestKey) {
      const existing = await this.#people.findByRequestKey(options.requestKey);
      if (existing) return { subjectId: existing, repeated: true };
    }
    const create = decide(
      { requester: requesterOf(p), action: 'create', categories: ['identity'], purpose: 'record a person' },
      { subjectId: '', exists: false, shielded: false, involvements: [], openEnquiryOrganisationIds: [], disclosures: [], breakGlass: [] },
      this.#gate.now(),
    );
    if (!create.allow) {
      await this.#audit.record({ actor: actorOf(p), action: 'person.create', outcome: 'denied', subjectType: 'person', reason: create.reason, context: ctx });
      throw new AccessDeniedError(create);
    }
    for (const [n, l] of v.localIds.entries()) {
      if (!(await this.#orgs.findById(l.organisationId))) throw new ValidationError({ [`localIds.${n}.organisationId`]: 'Choose an organisation that is recorded' });
    }
    if (!options.confirmNotDuplicate && v.dateOfBirth) {
      const matches = await this.#match(
        p,
        { name: `${v.givenNames} ${v.familyName}`, dateOfBirth: v.dateOfBirth },
        { purpose: 'check for an existing record before recording a person', reason: 'duplicate check before recording a person', limit: 5, threshold: 0.8 },
      );
      if (matches.length) {
        // A retry racing the request it repeats may find the person that request just made.
        const made = options.requestKey ? await this.#people.findByRequestKey(options.requestKey) : undefined;
        if (made) return { subjectId: made, repeated: true };
        await this.#audit.record({
          actor: actorOf(p),
          action: 'person.create.likely-matches',
          outcome: 'success',
          subjectType: 'person-search',
          purpose: 'duplicate check before recording a person',
          details: { results: matches.map((m) => m.subjectId) },
          context: ctx,
        });
        throw new LikelyMatchesError(matches);
      }
    }
    const subjectId = newId();
    const names: Array<NewName & { id: string }> = [
      { id: newId(), kind: 'current', givenNames: v.givenNames, familyName: v.familyName, ...nameKeys(v.givenNames, v.familyName) },
      ...v.otherNames.map((n) => ({ id: newId(), kind: n.kind, givenNames: n.givenNames, familyName: n.familyName, ...nameKeys(n.givenNames, n.familyName) })),
    ];
    const identifiers: Array<{ id: string; scheme: 'nhs_number' | 'upn' | 'local'; value: string; organisationId: string | null }> = [];
    if (v.nhsNumber) identifiers.push({ id: newId(), scheme: 'nhs_number', value: (validateNhsNumber(v.nhsNumber) as { value: string }).value, organisationId: null });
    if (v.upn) identifiers.push({ id: newId(), scheme: 'upn', value: (validateUpn(v.upn) as { value: string }).value, organisationId: null });
    for (const l of v.localIds) identifiers.push({ id: newId(), scheme: 'local', value: l.value, organisationId: l.organisationId });
    try {
      await this.#people.insertPerson(
        {
          subjectId,
          sex: v.sex,
          gender: v.gender ?? null,
          dateOfBirth: v.dateOfBirth ?? null,
          dobPrecision: v.dobPrecision,
          shielded: v.shielded,
          deceased: v.deceased,
          dateOfDeath: v.dateOfDeath ?? null,
          createdBy: p.userId,
          requestKey: options.requestKey ?? null,
          names,
          identifiers,
          addresses: v.address
            ? [{ id: newId(), line1: v.address.line1, line2: v.address.line2 ?? null, town: v.address.town ?? null, postcode: v.address.postcode, fromDate: v.address.fromDate ?? null, toDate: null }]
            : [],
        },
        new Date(),
      );
    } catch (err) {
      if (err instanceof DuplicateIdentifierError) {
        const field = err.scheme === 'nhs_number' ? 'nhsNumber' : err.scheme === 'upn' ? 'upn' : 'localIds';
        throw new ValidationError({ [field]: `Another person already has this ${err.scheme === 'nhs_number' ? 'NHS number' : err.scheme === 'upn' ? 'UPN' : 'local id'}: search for them instead` });
      }
      if (err instanceof RepeatedRequestError && options.requestKey) {
        return { subjectId: (await this.#people.findByRequestKey(options.requestKey))!, repeated: true };
      }
      throw err;
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: 'person.create',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'record a person',
      details: { shielded: v.shielded, confirmedNotDuplicate: Boolean(options.confirmNotDuplicate) },
      context: ctx,
    });
    return { subjectId, repeated: false };
  }

  // ----- view -----

  async view(p: Principal, subjectId: string, ctx: AuditContext, options: { purpose?: string; reason?: string } = {}): Promise<PersonView> {
    const { decision, facts } = await this.#gate.check(
      p,
      { action: 'read', subjectId, categories: VIEW_CATEGORIES, purpose: options.purpose ?? 'work with the person', reason: options.reason, auditAction: 'person.read' },
      ctx,
    );
    const can = (c: DataCategory) => decision.allowed.includes(c);
    const purpose = options.purpose ?? 'work with the person';
    const [record, relationships, involvements, households] = await Promise.all([
      this.#people.findPerson(subjectId),
      can('family') ? this.#people.relationships(subjectId) : Promise.resolve(null),
      can('involvements') || can('contacts') ? this.#people.involvements([subjectId]) : Promise.resolve([] as Involvement[]),
      this.#householdViews(p, subjectId, decision, purpose, ctx),
    ]);
    if (!record) throw new NotFoundError('No such person');
    const now = this.#gate.now();
    const visible = this.#visibleInvolvements(p, facts, decision, involvements, now);
    const today = now.toISOString().slice(0, 10);
    // Identity in full only when a basis stronger than the contact minimum (or a disclosure of who they are) opens it.
    const identityBasis = this.#basisFor(p, facts, 'identity', now);
    // A disclosure of the identity item is the name and date of birth; a disclosure of the whole category is all of it.
    const identityInFull = identityBasis !== 'disclosure' || decision.disclosedItems.some((x) => x.category === 'identity' && x.type === 'all');
    const fullIdentity = can('identity') && identityBasis !== 'contact-minimum' && identityInFull;
    const { addresses, ...identity } = record;
    const disclosed = disclosedOnly(decision);
    return {
      subjectId,
      basis: decision.basis,
      basisReason: decision.reason,
      allowed: decision.allowed,
      withheld: decision.redacted,
      identity: !can('identity')
        ? null
        : fullIdentity
          ? identity
          : { subjectId, names: identity.names.filter((n) => n.kind === 'current'), dateOfBirth: identity.dateOfBirth, dobPrecision: identity.dobPrecision },
      addresses: can('whereabouts') ? addresses.filter((a) => disclosed('whereabouts', 'address', a.id)) : null,
      relationships: relationships ? relationships.filter((r) => disclosed('family', 'relationship', r.id)) : null,
      involvements: can('involvements') ? visible.listed : null,
      households,
      contacts: can('contacts') ? visible.all.filter((i) => isActive(i, today)).map(contactCard) : [],
      activeBreakGlass: facts.breakGlass.some((b) => b.userId === p.userId && b.expiresAt > now),
    };
  }

  /**
   * The basis on which one category is open to the requester, leaving the contact minimum aside
   * (it needs a reason): 'contact-minimum' when only that opens it.
   */
  #basisFor(p: Principal, facts: SubjectFacts, category: DataCategory, now: Date): Basis {
    const d = decide({ requester: requesterOf(p), action: 'read', categories: [category], purpose: 'check the basis' }, facts, now);
    return d.allow ? d.basis : 'contact-minimum';
  }

  /**
   * Involvements the requester may know of: never hidden ones (sensitive services without
   * consent). `listed` is what the involvements category shows them: only their own
   * organisation's when that is their only basis for it.
   */
  #visibleInvolvements(p: Principal, facts: SubjectFacts, decision: Decision, involvements: Involvement[], now: Date): { all: Involvement[]; listed: Involvement[] } {
    const hidden = new Set(decision.hiddenInvolvementIds);
    const all = involvements.filter((i) => !hidden.has(i.id));
    const beyondOwn = involvementsBeyondOwnOrganisation(requesterOf(p), facts, now);
    // A disclosure opens exactly the involvements it carried.
    const disclosed = disclosedOnly(decision);
    const listed = (beyondOwn ? all : all.filter((i) => i.organisationId === p.organisationId)).filter((i) => disclosed('involvements', 'involvement', i.id));
    return { all: all.filter((i) => disclosed('contacts', 'involvement', i.id)), listed };
  }

  /** "Who else is working with this person": the involved practitioners and how to reach them. */
  async whoIsInvolved(p: Principal, subjectId: string, ctx: AuditContext, options: { purpose?: string; reason?: string } = {}) {
    // The involvements come with the facts (one statement), and back from the gate only once it has audited an allowing decision.
    const { decision, facts, involvements, now } = await this.#gate.checkWithInvolvements(
      p,
      { action: 'read', subjectId, categories: ['involvements', 'contacts'], purpose: options.purpose ?? 'find who is involved', reason: options.reason, auditAction: 'person.involvements.read' },
      ctx,
    );
    const { all, listed } = this.#visibleInvolvements(p, facts, decision, involvements, now);
    const today = now.toISOString().slice(0, 10);
    const contacts = decision.allowed.includes('contacts');
    // Without the contacts category: who is involved (as the involvements category allows) but not how to reach them.
    const current = contacts ? all.filter((i) => isActive(i, today)).map(contactCard) : listed.filter((i) => isActive(i, today)).map((i) => ({ ...contactCard(i), email: null, phone: null }));
    return {
      basis: decision.basis,
      withheld: decision.redacted,
      current,
      past: decision.allowed.includes('involvements') ? listed.filter((i) => !isActive(i, today)).map(contactCard) : [],
    };
  }

  // ----- households -----

  /** The person's current and previous households with their members, as the policy allows. */
  async households(p: Principal, subjectId: string, ctx: AuditContext, options: { purpose?: string; reason?: string } = {}) {
    const purpose = options.purpose ?? 'see who they live with';
    const { decision } = await this.#gate.check(
      p,
      { action: 'read', subjectId, categories: ['family', 'whereabouts'], purpose, reason: options.reason, auditAction: 'person.households.read' },
      ctx,
    );
    return { basis: decision.basis, withheld: decision.redacted, households: await this.#householdViews(p, subjectId, decision, purpose, ctx) };
  }

  /**
   * The households as the viewer may see them (householdAccess in the policy): null without the
   * family category. Each shielded member's own whereabouts are decided on, and that decision,
   * shown or withheld, is audited on the member's record.
   */
  async #householdViews(p: Principal, subjectId: string, decision: Decision, purpose: string, ctx: AuditContext): Promise<HouseholdView[] | null> {
    if (!decision.allowed.includes('family')) return null;
    const records = await this.#people.householdsOf(subjectId);
    if (records.length === 0) return [];
    const today = this.#gate.now().toISOString().slice(0, 10);
    const shielded = [...new Set(records.flatMap((h) => h.members.filter((m) => m.shielded && m.subjectId !== subjectId).map((m) => m.subjectId)))];
    const decisions = shielded.length
      ? await this.#gate.decideMany(p, shielded, { action: 'read', categories: ['whereabouts'], purpose })
      : new Map<string, { decision: Decision; facts: SubjectFacts }>();
    await Promise.all(
      [...decisions].map(([id, d]) =>
        this.#gate.record(
          p,
          { action: 'read', subjectId: id, categories: ['whereabouts'], purpose, auditAction: 'person.household-member.read', details: { householdOf: subjectId } },
          d.decision,
          ctx,
        ),
      ),
    );
    const views = records.map((h) => this.#householdView(h, subjectId, decision, decisions, today));
    // Current households first, then the most recently left.
    const lastLeft = (v: HouseholdView) => v.periods.reduce((a, x) => ((x.toDate ?? '9999') > a ? (x.toDate ?? '9999') : a), '');
    return views.sort((a, b) => Number(b.current) - Number(a.current) || lastLeft(b).localeCompare(lastLeft(a)));
  }

  #householdView(h: HouseholdRecord, subjectId: string, decision: Decision, decisions: Map<string, { decision: Decision }>, today: string): HouseholdView {
    const isCurrent = (m: { toDate: string | null }) => m.toDate === null || m.toDate > today;
    const people = new Map<string, HouseholdRecord['members']>();
    for (const m of h.members) people.set(m.subjectId, [...(people.get(m.subjectId) ?? []), m]);
    const access = householdAccess(
      { subjectId, decision },
      [...people].map(([id, ms]) => ({ subjectId: id, shielded: ms[0]!.shielded, current: ms.some(isCurrent), whereabouts: decisions.get(id)?.decision })),
    );
    const periods = (ms: HouseholdRecord['members']) => ms.map((m) => ({ fromDate: m.fromDate, toDate: m.toDate }));
    const shown: HouseholdMemberView[] = [];
    const withheld: WithheldHouseholdMember[] = [];
    for (const [id, ms] of people) {
      const reason = access.withheldMembers.get(id);
      if (reason) {
        withheld.push({ withheld: true, reason });
        continue;
      }
      const m = ms[0]!;
      shown.push({
        withheld: false,
        subjectId: id,
        givenNames: m.givenNames,
        familyName: m.familyName,
        dateOfBirth: m.dateOfBirth,
        dobPrecision: m.dobPrecision,
        sex: m.sex,
        deceased: m.deceased,
        shielded: m.shielded,
        current: ms.some(isCurrent),
        periods: periods(ms),
      });
    }
    shown.sort((a, b) => Number(b.current) - Number(a.current));
    const own = people.get(subjectId) ?? [];
    return {
      id: h.id,
      label: h.label,
      address: access.addressWithheld ? null : h.address,
      addressWithheld: h.address && access.addressWithheld ? access.addressWithheld : null,
      current: own.some(isCurrent),
      periods: periods(own),
      members: [...shown, ...withheld],
    };
  }

  /**
   * Whether each person may be recorded as joining or leaving a household through the record of
   * `subjectId`, on which the caller already passed the gate. Membership is the joiner's family and
   * whereabouts too: for a shielded person that needs the policy's leave to change their own record
   * (a refusal is audited on their record and named on `field`). Returns the people not shielded,
   * whose change rests on the decision about `subjectId`.
   */
  async #admitMembers(p: Principal, subjectId: string, memberIds: readonly string[], field: string, purpose: string, auditAction: string, ctx: AuditContext): Promise<void> {
    if (memberIds.length === 0) return;
    const decisions = await this.#gate.decideMany(p, memberIds, { action: 'update', categories: ['family', 'whereabouts'], purpose });
    for (const id of memberIds) {
      const d = decisions.get(id);
      if (!d) throw new ValidationError({ [field]: memberIds.length === 1 ? 'That person is not recorded' : 'One of the people chosen is not recorded' });
      if (!d.facts.shielded) continue;
      await this.#gate.record(p, { action: 'update', subjectId: id, categories: ['family', 'whereabouts'], purpose, auditAction, details: { through: subjectId } }, d.decision, ctx);
      if (!d.decision.allow) throw new HouseholdMemberRefusedError(d.decision, field);
    }
  }

  /** Audits, on each other person's own record, a household change made through `subjectId`'s record. */
  async #recordMemberChange(p: Principal, subjectId: string, memberIds: readonly string[], action: string, purpose: string, details: Record<string, unknown>, ctx: AuditContext): Promise<void> {
    await Promise.all(
      memberIds
        .filter((id) => id !== subjectId)
        .map((id) => this.#audit.record({ actor: actorOf(p), action, outcome: 'success', subjectType: 'person', subjectId: id, purpose, details: { ...details, through: subjectId }, context: ctx })),
    );
  }

  /** A new household of the person (at their current address, or none), optionally with others who live with them. */
  async createHousehold(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<string> {
    const v = parse(householdSchema, input);
    const others = [...new Set(v.memberSubjectIds)];
    if (others.includes(subjectId)) throw new ValidationError({ memberSubjectIds: 'They are in the household already: choose only the people who live with them' });
    const purpose = 'record a household';
    await this.#gate.check(
      p,
      {
        action: 'update',
        subjectId,
        categories: v.address === 'current' ? ['family', 'whereabouts'] : ['family'],
        purpose,
        auditAction: 'person.household.create',
        details: { address: v.address, members: others },
      },
      ctx,
    );
    let address: HouseholdAddress | null = null;
    if (v.address === 'current') {
      const today = this.#gate.now().toISOString().slice(0, 10);
      const current = (await this.#people.findPerson(subjectId))?.addresses.find((a) => a.toDate === null || a.toDate > today);
      if (!current) throw new ValidationError({ address: 'No current address is recorded for them: add their address first, or choose "No address recorded"' });
      address = { line1: current.line1, line2: current.line2, town: current.town, postcode: current.postcode };
    }
    await this.#admitMembers(p, subjectId, others, 'memberSubjectIds', purpose, 'person.household.member.add', ctx);
    const id = newId();
    const fromDate = v.fromDate ?? null;
    await this.#people.insertHousehold(
      { id, label: v.label ?? null, address, createdBy: p.userId },
      [subjectId, ...others].map((m) => ({ id: newId(), subjectId: m, fromDate })),
      new Date(),
    );
    await this.#recordMemberChange(p, subjectId, others, 'person.household.member.add', purpose, { householdId: id }, ctx);
    return id;
  }

  /** The person's household, which they live in now, for a change made through their record. */
  async #currentHousehold(subjectId: string, householdId: string): Promise<HouseholdRecord> {
    const h = await this.#people.findHousehold(householdId);
    if (!h || !h.members.some((m) => m.subjectId === subjectId)) throw new NotFoundError('No such household');
    if (!h.members.some((m) => m.subjectId === subjectId && m.toDate === null)) {
      throw new ValidationError({ form: 'They no longer live in this household: only a household they live in now can be changed from their record' });
    }
    return h;
  }

  /** Someone joins one of the person's current households. */
  async addHouseholdMember(p: Principal, subjectId: string, householdId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(householdMemberSchema, input);
    const purpose = 'record who lives in a household';
    await this.#gate.check(
      p,
      { action: 'update', subjectId, categories: ['family'], purpose, auditAction: 'person.household.member.add', details: { householdId, memberSubjectId: v.memberSubjectId } },
      ctx,
    );
    const h = await this.#currentHousehold(subjectId, householdId);
    if (v.memberSubjectId === subjectId) throw new ValidationError({ memberSubjectId: 'They live in this household already: choose someone who lives with them' });
    // The policy about the joiner first: whether a shielded person lives here is not told to someone who may not know.
    await this.#admitMembers(p, subjectId, [v.memberSubjectId], 'memberSubjectId', purpose, 'person.household.member.add', ctx);
    const already = 'They already live in this household';
    if (h.members.some((m) => m.subjectId === v.memberSubjectId && m.toDate === null)) throw new ValidationError({ memberSubjectId: already });
    const left = h.members.filter((m) => m.subjectId === v.memberSubjectId && m.toDate !== null).map((m) => m.toDate!).sort().at(-1);
    if (left && v.fromDate && v.fromDate < left) throw new ValidationError({ fromDate: `The date they moved in must be on or after the date they last left, ${longDate(left)}` });
    const r = await this.#people.insertHouseholdMember({ id: newId(), householdId, subjectId: v.memberSubjectId, fromDate: v.fromDate ?? null, createdBy: p.userId }, new Date());
    if (r === 'exists') throw new ValidationError({ memberSubjectId: already });
    await this.#recordMemberChange(p, subjectId, [v.memberSubjectId], 'person.household.member.add', purpose, { householdId }, ctx);
  }

  /** Someone (the person or another member) leaves one of the person's current households; the membership is kept with its end date. */
  async leaveHousehold(p: Principal, subjectId: string, householdId: string, memberSubjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(leaveHouseholdSchema, input);
    const purpose = 'record someone leaving a household';
    await this.#gate.check(
      p,
      { action: 'update', subjectId, categories: ['family'], purpose, auditAction: 'person.household.member.leave', details: { householdId, memberSubjectId } },
      ctx,
    );
    const h = await this.#currentHousehold(subjectId, householdId);
    if (memberSubjectId !== subjectId) await this.#admitMembers(p, subjectId, [memberSubjectId], 'form', purpose, 'person.household.member.leave', ctx);
    const open = h.members.find((m) => m.subjectId === memberSubjectId && m.toDate === null);
    if (!open) throw new ValidationError({ form: 'They do not live in this household now' });
    if (open.fromDate && v.toDate < open.fromDate) throw new ValidationError({ toDate: `The date they left must be on or after the date they moved in, ${longDate(open.fromDate)}` });
    if (!(await this.#people.endHouseholdMember(householdId, memberSubjectId, v.toDate, p.userId))) throw new ValidationError({ form: 'They do not live in this household now' });
    await this.#recordMemberChange(p, subjectId, [memberSubjectId], 'person.household.member.leave', purpose, { householdId, toDate: v.toDate }, ctx);
  }

  // ----- changes -----

  async addInvolvement(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<string> {
    const v = parse(involvementSchema, input);
    await this.#gate.check(p, { action: 'add-involvement', subjectId, categories: ['involvements'], purpose: 'record an involvement', auditAction: 'person.involvement.add', details: { role: v.role } }, ctx);
    const roles = await this.#people.involvementRoles();
    if (!roles.some((r) => r.code === v.role)) throw new ValidationError({ role: 'Choose a role from the list' });
    if (v.teamId) {
      const team = await this.#orgs.findTeam(v.teamId);
      if (!team || team.organisationId !== p.organisationId) throw new ValidationError({ teamId: 'Choose one of your organisation\'s teams' });
    }
    if (v.practitionerId) {
      const u = await this.#users.findById(v.practitionerId);
      if (!u || u.organisationId !== p.organisationId || u.status !== 'active') throw new ValidationError({ practitionerId: 'Choose an active practitioner in your organisation' });
    }
    if (v.serviceId) {
      const services = await this.#people.services(p.organisationId);
      if (!services.some((s) => s.id === v.serviceId)) throw new ValidationError({ serviceId: 'Choose one of your organisation\'s services' });
    }
    const teamId = v.teamId ?? (v.practitionerId ? null : p.teamIds[0] ?? null);
    const practitionerId = v.practitionerId ?? (v.teamId ? null : p.userId);
    const today = this.#gate.now().toISOString().slice(0, 10);
    const existing = (await this.#people.involvements([subjectId])).find(
      (i) =>
        isActive(i, today) &&
        i.organisationId === p.organisationId &&
        i.role === v.role &&
        i.teamId === teamId &&
        i.practitionerId === practitionerId &&
        i.serviceId === (v.serviceId ?? null),
    );
    if (existing) throw new ValidationError({ role: 'This involvement is already recorded: end it or choose another role' });
    const id = newId();
    await this.#people.insertInvolvement(
      {
        subjectId,
        id,
        organisationId: p.organisationId,
        serviceId: v.serviceId ?? null,
        teamId,
        practitionerId,
        role: v.role,
        startDate: v.startDate,
        endDate: null,
        earlyHelpAssessment: v.earlyHelpAssessment,
        consentToShow: v.consentToShow,
        createdBy: p.userId,
      },
      new Date(),
    );
    return id;
  }

  async endInvolvement(p: Principal, subjectId: string, involvementId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(endInvolvementSchema, input);
    const { facts } = await this.#gate.check(
      p,
      { action: 'end-involvement', subjectId, categories: ['involvements'], purpose: 'end an involvement', reason: v.reason, auditAction: 'person.involvement.end', details: { involvementId } },
      ctx,
    );
    const inv = facts.involvements.find((i) => i.id === involvementId);
    if (!inv) throw new ValidationError({ form: 'No such involvement' });
    if (inv.organisationId !== p.organisationId) throw new ValidationError({ form: 'Only the organisation that is involved can end its involvement' });
    const record = await this.#people.findInvolvement(subjectId, involvementId);
    if (record && v.endDate < record.startDate) throw new ValidationError({ endDate: 'The end date must be on or after the start date' });
    if (!(await this.#people.endInvolvement(subjectId, involvementId, v.endDate, p.userId, v.reason ?? null))) {
      throw new ValidationError({ form: 'This involvement has already ended' });
    }
  }

  async addRelationship(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<'created' | 'exists'> {
    const v = parse(relationshipSchema, input);
    if (v.relatedSubjectId === subjectId) throw new ValidationError({ relatedSubjectId: 'A person cannot be related to themselves' });
    const types = await this.#people.relationshipTypes();
    const type = types.find((t) => t.code === v.type);
    if (!type) throw new ValidationError({ type: 'Choose a relationship from the list' });
    const purpose = 'record a relationship';
    await this.#gate.check(
      p,
      { action: 'update', subjectId, categories: ['family'], purpose, auditAction: 'person.relationship.add', details: { relatedSubjectId: v.relatedSubjectId, type: v.type } },
      ctx,
    );
    // The relationship is written on the other person's record too (from their side): the policy is asked
    // about them as well. A shielded person's family is changed only where the policy allows it (refusal
    // audited on their record); anyone else's record gets an audit entry of the change made through this one.
    const other = (await this.#gate.decideMany(p, [v.relatedSubjectId], { action: 'update', categories: ['family'], purpose })).get(v.relatedSubjectId);
    if (!other) throw new ValidationError({ relatedSubjectId: 'That person is not recorded' });
    const otherSide = { action: 'update' as const, subjectId: v.relatedSubjectId, categories: ['family' as const], purpose, auditAction: 'person.relationship.add', details: { through: subjectId, type: type.inverseCode } };
    if (other.facts.shielded) {
      await this.#gate.record(p, otherSide, other.decision, ctx);
      if (!other.decision.allow) throw new HouseholdMemberRefusedError(other.decision, 'relatedSubjectId', 'record this person’s family');
    }
    const result = await this.#people.insertRelationship(
      { subjectId, relatedSubjectId: v.relatedSubjectId, type: v.type, inverseType: type.inverseCode, fromDate: v.fromDate ?? null, createdBy: p.userId },
      { pairId: newId(), forward: newId(), backward: newId() },
      new Date(),
    );
    if (!other.facts.shielded && result === 'created') {
      await this.#audit.record({ actor: actorOf(p), action: otherSide.auditAction, outcome: 'success', subjectType: 'person', subjectId: v.relatedSubjectId, purpose, details: otherSide.details, context: ctx });
    }
    return result;
  }

  async addName(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(otherName.extend({ kind: z.enum(['current', 'previous', 'alias', 'preferred', 'birth'], { error: 'Choose what kind of name this is' }) }), input);
    await this.#gate.check(p, { action: 'update', subjectId, categories: ['identity'], purpose: 'record a name', auditAction: 'person.name.add', details: { kind: v.kind } }, ctx);
    await this.#people.insertName(subjectId, { id: newId(), kind: v.kind, givenNames: v.givenNames, familyName: v.familyName, ...nameKeys(v.givenNames, v.familyName) }, new Date());
  }

  async addAddress(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(addressInput, input);
    await this.#gate.check(p, { action: 'update', subjectId, categories: ['whereabouts'], purpose: 'record an address', auditAction: 'person.address.add' }, ctx);
    await this.#people.insertAddress(subjectId, { id: newId(), line1: v.line1, line2: v.line2 ?? null, town: v.town ?? null, postcode: v.postcode, fromDate: v.fromDate ?? null }, new Date());
  }

  async addIdentifier(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(identifierInput, input);
    await this.#gate.check(p, { action: 'update', subjectId, categories: ['identity'], purpose: 'record an identifier', auditAction: 'person.identifier.add', details: { scheme: v.scheme } }, ctx);
    try {
      await this.#people.insertIdentifier(subjectId, { id: newId(), scheme: v.scheme, value: v.value, organisationId: v.scheme === 'local' ? (v.organisationId ?? p.organisationId) : null }, new Date());
    } catch (err) {
      if (err instanceof DuplicateIdentifierError) throw new ValidationError({ value: 'Another person already has this identifier' });
      throw err;
    }
  }

  async setFlags(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(
      z.object({ shielded: z.boolean().optional(), deceased: z.boolean().optional(), dateOfDeath: z.preprocess(blankToUndefined, isoDate('the date of death').optional()) }),
      input,
    );
    await this.#gate.check(p, { action: 'update', subjectId, categories: ['identity', 'whereabouts'], purpose: 'change flags', auditAction: 'person.flags.update', details: v }, ctx);
    await this.#people.setFlags(subjectId, { shielded: v.shielded, deceased: v.deceased, dateOfDeath: v.dateOfDeath }, new Date());
  }

  // ----- break-glass and oversight -----

  async breakGlass(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<{ expiresAt: Date }> {
    const v = parse(breakGlassSchema, input);
    if (!(await this.#people.exists(subjectId))) throw new NotFoundError('No such person');
    const allowed = mayBreakGlass(requesterOf(p));
    if (!allowed.allow) {
      await this.#audit.record({ actor: actorOf(p), action: 'person.break-glass', outcome: 'denied', subjectType: 'person', subjectId, purpose: 'emergency access', reason: allowed.reason, context: ctx });
      throw new ForbiddenError(allowed.reason);
    }
    const now = new Date();
    const expiresAt = new Date(now.getTime() + BREAK_GLASS_MINUTES * 60_000);
    const id = newId();
    const leads = await this.#people.usersWithRole('ig_lead');
    await this.#people.insertBreakGlass(
      { subjectId, id, userId: p.userId, organisationId: p.organisationId, reason: v.reason, startedAt: now, expiresAt },
      leads.map((recipientUserId) => ({
        id: newId(),
        recipientUserId,
        kind: 'break-glass',
        subjectId,
        message: `${p.displayName} (${p.organisationName}) used emergency access to a record: "${v.reason.slice(0, 200)}"`,
        link: '/access-reviews',
      })),
    );
    await this.#audit.record({
      actor: actorOf(p),
      action: 'person.break-glass',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'emergency access',
      reason: v.reason,
      details: { breakGlassId: id, expiresAt: expiresAt.toISOString(), notified: leads.length },
      context: ctx,
    });
    return { expiresAt };
  }

  async accessHistory(p: Principal, subjectId: string, ctx: AuditContext) {
    await this.#gate.check(p, { action: 'read', subjectId, categories: ['access_history'], purpose: 'review who viewed the record', auditAction: 'person.access-history.read' }, ctx);
    return this.#audit.search({ subjectId, subjectType: 'person', limit: 500 });
  }

  /** Refuses, and audits the refusal, unless the policy lets the caller review emergency access. */
  async #mayReview(p: Principal, action: string, ctx: AuditContext, subjectId?: string): Promise<void> {
    const allowed = mayReviewBreakGlass(requesterOf(p));
    if (allowed.allow) return;
    await this.#audit.record({ actor: actorOf(p), action, outcome: 'denied', ...(subjectId ? { subjectType: 'person', subjectId } : {}), reason: allowed.reason, context: ctx });
    throw new ForbiddenError(allowed.reason);
  }

  async reviewQueue(p: Principal, ctx: AuditContext) {
    await this.#mayReview(p, 'break-glass.queue.read', ctx);
    const [open, done] = await Promise.all([this.#people.breakGlassQueue(false), this.#people.breakGlassQueue(true, 50)]);
    await this.#audit.record({ actor: actorOf(p), action: 'break-glass.queue.read', outcome: 'success', details: { open: open.length }, context: ctx });
    return { open, done };
  }

  async review(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#mayReview(p, 'break-glass.review', ctx, subjectId);
    const v = parse(z.object({ outcome: z.enum(['justified', 'not_justified'], { error: 'Choose whether the access was justified' }), note: z.preprocess(blankToUndefined, z.string().trim().max(1000).optional()) }), input);
    if (v.outcome === 'not_justified' && !v.note) throw new ValidationError({ note: 'Say why the access was not justified and what happens next' });
    if (!(await this.#people.reviewBreakGlass(subjectId, id, { reviewedBy: p.userId, outcome: v.outcome, note: v.note ?? null }, new Date()))) {
      throw new ValidationError({ form: 'This emergency access has already been reviewed' });
    }
    await this.#audit.record({ actor: actorOf(p), action: 'break-glass.review', outcome: 'success', subjectType: 'person', subjectId, details: { breakGlassId: id, outcome: v.outcome }, context: ctx });
  }

  /**
   * The access review reminder (run by the job in src/jobs/access-review-reminder.ts, as a system
   * actor): every information-governance lead is notified of each emergency access still not
   * reviewed `olderThanHours` after it began, at most once per entry per (London) day, however often
   * this runs and on however many servers. Each reminder is audited against the person. It reads
   * who used emergency access and when, never the person's record. With entries due and no active
   * IG lead nothing is marked reminded, and it fails, saying so.
   */
  async remindUnreviewedBreakGlass(by: Actor, ctx: AuditContext, options: { olderThanHours: number; now?: Date }): Promise<{ entries: number; notified: number }> {
    const now = options.now ?? new Date();
    const today = londonDay(now);
    const leads = await this.#people.usersWithRole('ig_lead');
    const entries = await this.#people.claimReviewReminders({ today, startedBefore: new Date(now.getTime() - options.olderThanHours * 3_600_000), now }, (due) => {
      if (leads.length === 0) {
        throw new Error(`${due.length} emergency access ${due.length === 1 ? 'entry is' : 'entries are'} waiting for review, but there is no active information-governance lead to remind`);
      }
      return due.flatMap((e) =>
        leads.map((recipientUserId) => ({
          id: newId(),
          recipientUserId,
          kind: 'access-review-reminder',
          subjectId: e.subjectId,
          message: `Emergency access used by ${e.userName} (${e.organisationName}) on ${LONDON_TIME.format(e.startedAt)} is still waiting for review.`,
          link: '/access-reviews',
        })),
      );
    });
    await Promise.all(
      entries.map((e) =>
        this.#audit.record({
          actor: by,
          action: 'break-glass.review-reminder',
          outcome: 'success',
          subjectType: 'person',
          subjectId: e.subjectId,
          purpose: 'remind information-governance leads to review emergency access',
          reason: `emergency access not reviewed within ${options.olderThanHours} hours`,
          details: { breakGlassId: e.id, startedAt: e.startedAt.toISOString(), notified: leads.length, day: today },
          context: ctx,
        }),
      ),
    );
    return { entries: entries.length, notified: entries.length * leads.length };
  }

  async notifications(p: Principal) {
    return this.#people.notificationsFor(p.userId);
  }

  async referenceData(p: Principal) {
    const [roles, relationshipTypes, services, teams, practitioners] = await Promise.all([
      this.#people.involvementRoles(),
      this.#people.relationshipTypes(),
      this.#people.services(p.organisationId),
      this.#orgs.teams(p.organisationId),
      this.#users.list({ organisationId: p.organisationId, status: 'active' }),
    ]);
    return {
      roles,
      relationshipTypes,
      services,
      teams: teams.map((t) => ({ id: t.id, name: t.name })),
      practitioners: practitioners.map((u) => ({ id: u.id, name: u.displayName, jobTitle: u.jobTitle })),
    };
  }
}

