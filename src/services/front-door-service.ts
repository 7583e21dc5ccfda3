/**
 * The front door (the multi-agency safeguarding hub): contacts and referrals from professionals, the
 * public and police notifications; matching the people named to people records; rating against the
 * hub's timescales; research requests to the agencies in the hub and their answers; the threshold
 * decision with a manager's sign-off; telling the referrer; feedback on the quality of referrals; the
 * managers' dashboard. People are reached only through PersonService and the PolicyGate: accepting a
 * contact into the hub opens a MASH enquiry on each person concerned, so the hub's research runs on
 * the `mash-enquiry` basis and every read is audited; the decision closes those enquiries.
 */
import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { buildDashboard, dashboardCsv, type Dashboard, type DashboardContact } from '../front-door/dashboard.ts';
import { decisionProblems, LEVELS, OUTCOMES } from '../front-door/decision-rules.ts';
import { findReReferral } from '../front-door/re-referral.ts';
import { DECLINE_CONSIDERATIONS, declineProblems, enquiryBasisProblem, suggestedEnquiryBases } from '../front-door/research-rules.ts';
import { clockOf, DEFAULT_TIMESCALES, describeClock, dueAt, RATINGS, timescaleProblems, type Clock, type Rating, type Timescale } from '../front-door/timescale.ts';
import { csvRows, FeedFormatError } from '../feeds/parse.ts';
import { newId } from '../ids.ts';
import { DATA_CATEGORIES, type DataCategory, type OrganisationRecordDecision } from '../policy/access-policy.ts';
import {
  HUB_ORGANISATION_TYPES,
  mayOverseeHub,
  mayReadReferralFeedback,
  mayRefer,
  mayRespondToResearch,
  maySendPoliceNotifications,
  maySignOffThreshold,
  mayTriage,
  mayWorkInHub,
} from '../policy/front-door.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import {
  DuplicateExternalReferenceError,
  type CodeItem,
  type ContactPersonRow,
  type ContactRow,
  type FrontDoorRepository,
  type LinkedRecord,
  type NewContact,
  type ResearchRequestRow,
} from '../repositories/front-door-repository.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import { isoDate, optionalPostcode, type PersonService, type SearchResult } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (label: string, max: number, min = 1) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(min, min > 1 ? `Enter ${label}, in at least ${min} characters` : `Enter ${label}`)
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);
const optionalText = (label: string, max: number) => z.preprocess(blank, text(label, max).optional());

export const FAMILY_KNOWS = ['agreed', 'told_not_agreed', 'not_told', 'not_known'] as const;
export const FAMILY_KNOWS_LABELS: Record<(typeof FAMILY_KNOWS)[number], string> = {
  agreed: 'The family know about this referral and agree to it',
  told_not_agreed: 'The family have been told but do not agree',
  not_told: 'The family have not been told',
  not_known: 'Not known',
};
export const URGENCIES = ['immediate', 'today', 'routine'] as const;
export const URGENCY_LABELS: Record<(typeof URGENCIES)[number], string> = {
  immediate: 'Immediate: a child may be at risk of significant harm now',
  today: 'Today',
  routine: 'Routine',
};
export const PERSON_ROLES = ['child', 'unborn', 'adult'] as const;
export const QUALITIES = ['good', 'adequate', 'poor'] as const;
export const QUALITY_LABELS: Record<(typeof QUALITIES)[number], string> = { good: 'Good', adequate: 'Adequate', poor: 'Poor' };
export const SOURCES = ['professional', 'public', 'police'] as const;

export const personEntrySchema = z.object({
  role: z.enum(PERSON_ROLES, { error: 'Say whether this is a child, an unborn child or an adult' }),
  givenNames: text('their first name', 100),
  familyName: text('their last name', 100),
  dateOfBirth: z.preprocess(blank, isoDate('the date of birth').optional()),
  postcode: optionalPostcode,
  relationship: optionalText('how they are related to the child', 200),
});

const personsList = z
  .array(personEntrySchema, { error: 'Name the children and adults concerned' })
  .min(1, 'Name at least one child')
  .max(10, 'Name up to 10 people; add more in the summary')
  .refine((ps) => ps.some((p) => p.role !== 'adult'), { message: 'Name at least one child (or unborn child) concerned' });
const categoriesList = z.array(z.string(), { error: 'Choose at least one category of concern' }).min(1, 'Choose at least one category of concern').max(11);

export const intakeSchema = z
  .object({
    hubOrganisationId: z.preprocess(blank, z.uuid('Choose the hub').optional()),
    source: z.enum(['professional', 'public'], { error: 'Say who made the contact' }).default('professional'),
    referrerName: optionalText('the name of the person who made the contact', 200),
    referrerRole: optionalText('their role', 200),
    referrerOrganisation: optionalText('their organisation', 200),
    referrerEmail: z.preprocess(blank, z.email('Enter an email address like name@example.org').optional()),
    referrerPhone: z.preprocess(blank, z.string().trim().regex(/^(\+44\s?|0)[0-9\s()-]{9,14}$/, 'Enter a UK telephone number, like 01632 960 001').optional()),
    persons: personsList,
    categories: categoriesList,
    summary: text('what the concern is', 5000, 10),
    familyKnows: z.enum(FAMILY_KNOWS, { error: 'Say what the family know and have agreed to' }),
    familyView: optionalText('what the family said', 2000),
    referrerUrgency: z.enum(URGENCIES, { error: 'Say how urgent you think this is' }),
  })
  .superRefine((v, ctx) => {
    if (v.source === 'public' && !v.referrerName) ctx.addIssue({ code: 'custom', path: ['referrerName'], message: 'Enter the caller\'s name, or "anonymous"' });
  });
export type IntakeInput = z.input<typeof intakeSchema>;

export const policeNotificationSchema = z.object({
  reference: text('the police reference', 100),
  officer: text('the reporting officer', 200),
  occurredAt: z.preprocess(blank, z.iso.datetime({ offset: true, error: 'Give when it happened as a date and time, like 2026-11-20T22:15:00Z' }).optional()),
  persons: personsList,
  categories: categoriesList,
  summary: text('what happened', 5000, 10),
  familyKnows: z.enum(FAMILY_KNOWS, { error: 'Say what the family know' }).default('not_known'),
  urgency: z.enum(URGENCIES, { error: 'Say how urgent the police think this is' }).default('today'),
});
export const policeBatchSchema = z.object({
  hubOrganisationId: z.preprocess(blank, z.uuid('Choose the hub').optional()),
  notifications: z.array(z.unknown(), { error: 'Send the notifications as an array' }).min(1, 'Send at least one notification').max(500, 'Send up to 500 notifications at a time'),
});

export const rateSchema = z.object({
  rating: z.enum(RATINGS, { error: 'Choose red, amber or green' }),
  reason: text('why you chose this rating', 2000, 5),
  legalBases: z
    .array(z.string().max(100), { error: 'Choose the legal basis for the enquiry' })
    .max(20)
    .default([])
    .meta({ description: 'Codes from the legal_basis list: the hub\'s legal basis for the enquiry. At least one UK GDPR article 6 basis; an article 9 condition before health agencies are asked, a DPA 2018 schedule 1 condition before police, probation or youth justice are asked' }),
});

export const matchSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('existing'), subjectId: z.uuid('Choose the person this is') }),
  z.object({ action: z.literal('new'), sex: z.enum(['female', 'male', 'unknown', 'not_specified'], { error: 'Choose their sex' }) }),
], { error: 'Choose an existing person or record a new one' });

export const researchSchema = z.object({
  personId: z.uuid('Choose who the research is about'),
  agencyOrganisationIds: z.array(z.uuid(), { error: 'Choose at least one agency' }).min(1, 'Choose at least one agency'),
  question: text('what you are asking the agencies', 2000, 10),
});

export const responseItemSchema = z
  .object({
    summary: text('what your agency holds', 4000, 5),
    category: z.enum(DATA_CATEGORIES).optional(),
    linkedRecord: z.preprocess(blank, z.string().max(300).optional()),
    withheldFromFamily: z.boolean().default(false),
    withheldReason: optionalText('why it must not be disclosed to the family', 1000),
  })
  .superRefine((v, ctx) => {
    if (v.withheldFromFamily && !v.withheldReason) ctx.addIssue({ code: 'custom', path: ['withheldReason'], message: 'Say why this must not be disclosed to the family' });
  });
export const respondSchema = z
  .object({
    nothingHeld: z.boolean().default(false),
    items: z.array(responseItemSchema).max(50, 'Give up to 50 items').default([]),
  })
  .superRefine((v, ctx) => {
    if (v.nothingHeld && v.items.length) ctx.addIssue({ code: 'custom', path: ['nothingHeld'], message: 'Either say you hold nothing or give what you hold, not both' });
    if (!v.nothingHeld && v.items.length === 0) ctx.addIssue({ code: 'custom', path: ['items'], message: 'Give what your agency holds, or say it holds nothing' });
  });

/** An agency's decision not to share what it holds (checked by `declineProblems()`). */
export const declineSchema = z
  .object({
    consideration: z.preprocess(blank, z.string().optional()),
    reason: z.preprocess(blank, z.string().max(4000, 'The reason must be 4000 characters or fewer').optional()),
    askInstead: optionalText('whom the hub should ask instead', 500),
    askAgainOn: z.preprocess(blank, z.string().optional()),
  })
  .meta({ description: `consideration: one of ${DECLINE_CONSIDERATIONS.join(', ')}; askAgainOn: YYYY-MM-DD, in the future` });

export const decisionSchema = z
  .object({
    level: z.enum(LEVELS, { error: 'Choose the level of need' }),
    outcome: z.enum(OUTCOMES, { error: 'Choose the outcome' }),
    rationale: z.string({ error: 'Give the rationale for the decision' }).trim().max(5000, 'The rationale must be 5000 characters or fewer'),
    advice: optionalText('the advice given', 2000),
    serviceId: optionalText('the service id', 100),
    serviceName: optionalText('the service', 300),
    leadProfessional: optionalText('the lead professional', 300),
  })
  .superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(decisionProblems(v))) ctx.addIssue({ code: 'custom', path: [path], message });
  });

export const signOffSchema = z
  .object({ approve: z.boolean({ error: 'Say whether you sign the decision off or return it' }), comment: optionalText('your comment', 2000) })
  .superRefine((v, ctx) => {
    if (!v.approve && !v.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'Say why you are returning the decision' });
  });

export const referrerToldSchema = z.object({ how: text('how the referrer was told', 300) });
export const feedbackSchema = z.object({
  quality: z.enum(QUALITIES, { error: 'Choose the quality of the referral' }),
  comments: text('what was good or missing', 2000, 5),
});
/**
 * A hub's timescales. The checks across fields (`timescaleProblems()`) run even when a field is missing
 * or not a number (`when`), so the form and the API name every problem in one answer, not one pass
 * after another; a field that is not a number keeps its own message (the first issue on a path wins).
 */
export const timescalesSchema = z
  .object({
    redHours: z.coerce.number({ error: 'Enter the red timescale in hours' }),
    redWarnHours: z.coerce.number({ error: 'Enter the red warning in hours' }),
    amberHours: z.coerce.number({ error: 'Enter the amber timescale in hours' }),
    amberWarnHours: z.coerce.number({ error: 'Enter the amber warning in hours' }),
    greenHours: z.coerce.number({ error: 'Enter the green timescale in hours' }),
    greenWarnHours: z.coerce.number({ error: 'Enter the green warning in hours' }),
  })
  .superRefine(
    (v, ctx) => {
      const n = (x: unknown) => (typeof x === 'number' ? x : Number.NaN);
      const t = {
        red: { hours: n(v.redHours), warnHours: n(v.redWarnHours) },
        amber: { hours: n(v.amberHours), warnHours: n(v.amberWarnHours) },
        green: { hours: n(v.greenHours), warnHours: n(v.greenWarnHours) },
      };
      for (const [path, message] of Object.entries(timescaleProblems(t))) ctx.addIssue({ code: 'custom', path: [path], message });
    },
    { when: () => true },
  );
export const periodSchema = z
  .object({ from: z.preprocess(blank, isoDate('the start date').optional()), to: z.preprocess(blank, isoDate('the end date').optional()) })
  .refine((v) => !v.from || !v.to || v.to >= v.from, { path: ['to'], message: 'The end date must be on or after the start date' });

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) fields[issue.path.map(String).join('.') || 'form'] ??= issue.message;
  throw new ValidationError(fields);
}

export interface QueueItem {
  contact: ContactRow;
  clock: Clock;
  clockText: string;
  openResearch: number;
}

export interface ResearchView extends Omit<ResearchRequestRow, 'items'> {
  late: boolean;
  /** The answer's items the caller may see (null when the answer is withheld from them). */
  items: ResearchRequestRow['items'] | null;
  /** Why the answer, or some of it, is not shown. */
  withheld: string | null;
}

export interface ContactView {
  contact: ContactRow;
  clock: Clock;
  clockText: string;
  timescale: Timescale | null;
  research: ResearchView[];
  hubName: string;
}

export interface PoliceImportResult {
  received: number;
  accepted: Array<{ row: number; reference: string; contactId: string }>;
  unchanged: Array<{ row: number; reference: string; contactId: string }>;
  refused: Array<{ row: number; column: string; message: string }>;
}

const HOUR = 3_600_000;

const CSV_PERSON_FIELDS: Record<string, string> = { role: 'role', given_names: 'givenNames', family_name: 'familyName', date_of_birth: 'dateOfBirth', postcode: 'postcode', relationship: 'relationship' };
const CSV_FIELDS: Record<string, string> = { reference: 'reference', officer: 'officer', occurred_at: 'occurredAt', summary: 'summary', family_knows: 'familyKnows', urgency: 'urgency' };

/** One CSV row of police notifications as the notification object the JSON batch sends. */
export function policeCsvRow(fields: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof fields[k] === 'string' && (fields[k] as string).trim() !== '' ? (fields[k] as string) : undefined);
  const out: Record<string, unknown> = {};
  for (const [col, key] of Object.entries(CSV_FIELDS)) if (text(col) !== undefined) out[key] = text(col);
  out.categories = (text('categories') ?? '').split(/[\s,;]+/).filter(Boolean);
  const persons: Array<Record<string, string>> = [];
  for (let i = 1; i <= 4; i++) {
    const person: Record<string, string> = {};
    for (const [col, key] of Object.entries(CSV_PERSON_FIELDS)) {
      const v = text(`person${i}_${col}`);
      if (v !== undefined) person[key] = v;
    }
    if (Object.keys(person).length) persons.push(person);
  }
  out.persons = persons;
  return out;
}

/** A field path of a notification (`persons.0.dateOfBirth`) as the CSV column it came from (`person1_date_of_birth`). */
export function policeCsvColumn(path: string): string {
  const m = /^persons(?:\.(\d+)(?:\.(\w+))?)?$/.exec(path);
  if (m) {
    const n = Number(m[1] ?? 0) + 1;
    const col = Object.entries(CSV_PERSON_FIELDS).find(([, k]) => k === (m[2] ?? 'givenNames'))?.[0] ?? 'given_names';
    return `person${n}_${col}`;
  }
  if (path.startsWith('categories')) return 'categories';
  return Object.entries(CSV_FIELDS).find(([, k]) => k === path)?.[0] ?? path;
}

export class FrontDoorService {
  readonly #repo: FrontDoorRepository;
  readonly #orgs: OrganisationRepository;
  readonly #persons: PersonService;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: { frontDoor: FrontDoorRepository; organisations: OrganisationRepository; persons: PersonService; gate: PolicyGate; audit: AuditService; now?: (() => Date) | undefined }) {
    this.#repo = deps.frontDoor;
    this.#orgs = deps.organisations;
    this.#persons = deps.persons;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  codeLists(): Promise<{ categories: CodeItem[]; ratings: CodeItem[]; levels: CodeItem[]; outcomes: CodeItem[] }> {
    return this.#repo.codeLists();
  }

  hubs(): Promise<Array<{ id: string; name: string }>> {
    return this.#repo.hubs(HUB_ORGANISATION_TYPES);
  }

  /** The hub a contact goes to: the one named, or the only one (or the caller's own). */
  async #hub(requested: string | undefined, p?: Principal): Promise<{ id: string; name: string }> {
    const hubs = await this.hubs();
    if (requested) {
      const h = hubs.find((x) => x.id === requested);
      if (!h) throw new ValidationError({ hubOrganisationId: 'Choose a hub from the list' });
      return h;
    }
    const own = p ? hubs.find((x) => x.id === p.organisationId) : undefined;
    if (own) return own;
    if (hubs.length === 1) return hubs[0]!;
    throw new ValidationError({ hubOrganisationId: hubs.length ? 'Choose the hub' : 'There is no hub to refer to' });
  }

  async #validCategories(codes: readonly string[], path: string): Promise<string[]> {
    const known = new Set((await this.#repo.codeLists()).categories.map((c) => c.code));
    const unknown = codes.find((c) => !known.has(c));
    if (unknown !== undefined) throw new ValidationError({ [path]: `"${unknown.slice(0, 40)}" is not a category of concern: use one of ${[...known].join(', ')}` });
    return [...new Set(codes)];
  }

  #reference(id: string, at: Date): string {
    return `MASH-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${id.replace(/-/g, '').slice(-6).toUpperCase()}`;
  }

  // ----- intake -----

  /**
   * A contact: from a professional (web form or API; the referrer is the caller) or, recorded by a MASH
   * officer from a call, from a member of the public.
   */
  async intake(p: Principal, input: unknown, ctx: AuditContext): Promise<{ id: string; reference: string }> {
    const r = requesterOf(p);
    const refer = mayRefer(r);
    if (!refer.allow) {
      await this.#audit.record({ actor: actorOf(p), action: 'front-door.contact.create', outcome: 'denied', subjectType: 'front-door-contact', reason: refer.reason, context: ctx });
      throw new ForbiddenError(refer.reason);
    }
    const v = parseInput(intakeSchema, input);
    const hub = await this.#hub(v.hubOrganisationId, p);
    if (v.source === 'public') {
      const triage = mayTriage(r, hub.id);
      if (!triage.allow) {
        await this.#audit.record({ actor: actorOf(p), action: 'front-door.contact.create', outcome: 'denied', subjectType: 'front-door-contact', reason: triage.reason, context: ctx });
        throw new ForbiddenError('Only the hub\'s MASH officers record a call from a member of the public');
      }
    }
    const categories = await this.#validCategories(v.categories, 'categories');
    const now = this.#now();
    const id = newId();
    const reference = this.#reference(id, now);
    const professional = v.source === 'professional';
    const contact: NewContact = {
      organisationId: hub.id,
      id,
      reference,
      source: v.source,
      receivedAt: now,
      recordedBy: p.userId,
      referrerUserId: professional ? p.userId : null,
      referrerName: professional ? p.displayName : v.referrerName!,
      referrerRole: professional ? (v.referrerRole ?? null) : (v.referrerRole ?? 'Member of the public'),
      referrerOrganisationId: professional ? p.organisationId : null,
      referrerOrganisation: professional ? p.organisationName : null,
      referrerEmail: professional ? (v.referrerEmail ?? p.email) : (v.referrerEmail ?? null),
      referrerPhone: v.referrerPhone ?? null,
      externalReference: null,
      summary: v.summary,
      familyKnows: v.familyKnows,
      familyView: v.familyView ?? null,
      referrerUrgency: v.referrerUrgency,
      categories,
      persons: v.persons.map((x, i) => ({
        id: newId(),
        position: i,
        role: x.role,
        givenNames: x.givenNames,
        familyName: x.familyName,
        dateOfBirth: x.dateOfBirth ?? null,
        postcode: x.postcode ?? null,
        relationship: x.relationship ?? null,
      })),
    };
    await this.#repo.insertContact(contact);
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.contact.create',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: id,
      purpose: 'refer a concern to the multi-agency safeguarding hub',
      details: { hub: hub.id, source: v.source, reference, categories, persons: contact.persons.length },
      context: ctx,
    });
    return { id, reference };
  }

  /**
   * Police notifications as a feed: a batch from a police force's system. Each notification is checked
   * on its own: the good ones are kept (nothing accepted is lost to a bad one), a notification sent
   * before (same force, same police reference) is not kept twice, and each problem names the row (the
   * notification's place in the batch, from 1) and the column (the field).
   */
  async importPoliceNotifications(p: Principal, input: unknown, ctx: AuditContext): Promise<PoliceImportResult> {
    await this.#mayImportPolice(p, ctx);
    const batch = parseInput(policeBatchSchema, input);
    const hub = await this.#hub(batch.hubOrganisationId);
    return this.#importPolice(p, hub, batch.notifications.map((raw, i) => ({ row: i + 1, raw, column: (path: string) => path })), ctx, 'json');
  }

  /**
   * The same as a CSV file (header row 1, so the first notification is row 2): columns `reference`,
   * `officer`, `occurred_at`, `categories` (codes separated by spaces), `summary`, `family_knows`,
   * `urgency`, and for up to four people `person1_role`, `person1_given_names`, `person1_family_name`,
   * `person1_date_of_birth`, `person1_postcode`, `person1_relationship` … `person4_…`. Errors name the
   * CSV's row and column. At most 500 notifications a file.
   */
  async importPoliceNotificationsCsv(p: Principal, source: AsyncIterable<Uint8Array>, hubOrganisationId: string | undefined, ctx: AuditContext): Promise<PoliceImportResult> {
    await this.#mayImportPolice(p, ctx);
    const hub = await this.#hub(hubOrganisationId);
    const rows: Array<{ row: number; raw: unknown; column: (path: string) => string }> = [];
    const unreadable: PoliceImportResult['refused'] = [];
    try {
      for await (const r of csvRows(source)) {
        if (rows.length + unreadable.length >= 500) {
          unreadable.push({ row: r.row, column: '(row)', message: 'Send up to 500 notifications in one file: this row and those after it were not read' });
          break;
        }
        if (r.problem) unreadable.push({ row: r.row, column: r.problem.column ?? '(row)', message: `The row ${r.problem.reason}` });
        else rows.push({ row: r.row, raw: policeCsvRow(r.fields), column: policeCsvColumn });
      }
    } catch (err) {
      if (!(err instanceof FeedFormatError)) throw err;
      unreadable.push({ row: err.row, column: '(file)', message: err.message.replace(/^Row \d+: /, '') });
    }
    const result = await this.#importPolice(p, hub, rows, ctx, 'csv');
    result.received += unreadable.length;
    result.refused = [...unreadable, ...result.refused].sort((a, b) => a.row - b.row);
    return result;
  }

  /** Refuses (audited) anyone who may not send police notifications: for the page that takes them. */
  async requirePoliceSender(p: Principal, ctx: AuditContext): Promise<void> {
    await this.#mayImportPolice(p, ctx);
  }

  async #mayImportPolice(p: Principal, ctx: AuditContext): Promise<void> {
    const allowed = maySendPoliceNotifications({ ...requesterOf(p), via: p.via });
    if (!allowed.allow) {
      await this.#audit.record({ actor: actorOf(p), action: 'front-door.police-notifications.import', outcome: 'denied', subjectType: 'front-door-contact', reason: allowed.reason, context: ctx });
      throw new ForbiddenError(allowed.reason);
    }
  }

  async #importPolice(
    p: Principal,
    hub: { id: string },
    rows: ReadonlyArray<{ row: number; raw: unknown; column: (path: string) => string }>,
    ctx: AuditContext,
    format: 'json' | 'csv',
  ): Promise<PoliceImportResult> {
    const known = new Set((await this.#repo.codeLists()).categories.map((c) => c.code));
    const result: PoliceImportResult = { received: rows.length, accepted: [], unchanged: [], refused: [] };
    for (const { row, raw, column } of rows) {
      const parsed = policeNotificationSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        const seen = new Set<string>();
        for (const issue of parsed.error.issues) {
          const col = column(issue.path.map(String).join('.') || '(row)');
          if (seen.has(col)) continue;
          seen.add(col);
          result.refused.push({ row, column: col, message: issue.message });
        }
        continue;
      }
      const n = parsed.data;
      const badCategory = n.categories.findIndex((c) => !known.has(c));
      if (badCategory >= 0) {
        result.refused.push({ row, column: column(`categories.${badCategory}`), message: `"${n.categories[badCategory]!.slice(0, 40)}" is not a category of concern` });
        continue;
      }
      const now = this.#now();
      const id = newId();
      const reference = this.#reference(id, now);
      try {
        await this.#repo.insertContact({
          organisationId: hub.id,
          id,
          reference,
          source: 'police',
          receivedAt: now,
          recordedBy: p.userId,
          referrerUserId: null,
          referrerName: n.officer,
          referrerRole: 'Police officer',
          referrerOrganisationId: p.organisationId,
          referrerOrganisation: p.organisationName,
          referrerEmail: null,
          referrerPhone: null,
          externalReference: n.reference,
          summary: n.occurredAt ? `${n.summary}\n\n(Police: occurred ${n.occurredAt})` : n.summary,
          familyKnows: n.familyKnows,
          familyView: null,
          referrerUrgency: n.urgency,
          categories: [...new Set(n.categories)],
          persons: n.persons.map((x, j) => ({
            id: newId(),
            position: j,
            role: x.role,
            givenNames: x.givenNames,
            familyName: x.familyName,
            dateOfBirth: x.dateOfBirth ?? null,
            postcode: x.postcode ?? null,
            relationship: x.relationship ?? null,
          })),
        });
        result.accepted.push({ row, reference: n.reference, contactId: id });
      } catch (err) {
        if (!(err instanceof DuplicateExternalReferenceError)) throw err;
        result.unchanged.push({ row, reference: n.reference, contactId: err.contactId });
      }
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.police-notifications.import',
      outcome: 'success',
      subjectType: 'front-door-contact',
      purpose: 'police notifications to the multi-agency safeguarding hub',
      details: { hub: hub.id, format, received: result.received, accepted: result.accepted.map((a) => a.contactId), unchanged: result.unchanged.length, refused: result.refused.length },
      context: ctx,
    });
    return result;
  }

  // ----- the queue and a contact -----

  async #requireHub(p: Principal, rule: (r: ReturnType<typeof requesterOf>) => OrganisationRecordDecision, action: string, ctx: AuditContext, subjectId?: string): Promise<void> {
    const d = rule(requesterOf(p));
    if (!d.allow) {
      await this.#audit.record({ actor: actorOf(p), action, outcome: 'denied', subjectType: 'front-door-contact', subjectId: subjectId ?? null, reason: d.reason, context: ctx });
      throw new ForbiddenError(d.reason);
    }
  }

  async timescales(p: Principal): Promise<Record<Rating, Timescale>> {
    return this.#repo.timescales(p.organisationId);
  }

  async setTimescales(p: Principal, input: unknown, ctx: AuditContext): Promise<Record<Rating, Timescale>> {
    await this.#requireHub(p, (r) => mayOverseeHub(r, p.organisationId, 'configure'), 'front-door.timescales.update', ctx);
    const v = parseInput(timescalesSchema, input);
    const t = { red: { hours: v.redHours, warnHours: v.redWarnHours }, amber: { hours: v.amberHours, warnHours: v.amberWarnHours }, green: { hours: v.greenHours, warnHours: v.greenWarnHours } };
    const problems = timescaleProblems(t);
    if (Object.keys(problems).length) throw new ValidationError(problems);
    const before = await this.#repo.timescales(p.organisationId);
    await this.#repo.setTimescales(p.organisationId, t, p.userId, this.#now());
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.timescales.update',
      outcome: 'success',
      subjectType: 'organisation',
      subjectId: p.organisationId,
      details: { before, after: t },
      context: ctx,
    });
    return this.#repo.timescales(p.organisationId);
  }

  /** The hub's open contacts, each with its clock: overdue first, then by what is due soonest, then unrated by arrival. */
  async queue(p: Principal, ctx: AuditContext): Promise<QueueItem[]> {
    await this.#requireHub(p, (r) => mayWorkInHub(r, p.organisationId), 'front-door.queue.read', ctx);
    const [contacts, timescales, open] = await Promise.all([
      this.#repo.listContacts(p.organisationId, { open: true }),
      this.#repo.timescales(p.organisationId),
      this.#repo.openResearchCounts(p.organisationId),
    ]);
    const now = this.#now();
    const items: QueueItem[] = contacts.map((c) => {
      const clock = clockOf(c, c.rating ? timescales[c.rating] : null, now);
      return { contact: c, clock, clockText: describeClock(clock), openResearch: open.get(c.id) ?? 0 };
    });
    const rank = (i: QueueItem) => (i.clock.state === 'breached' ? 0 : i.clock.state === 'unrated' ? 2 : 1);
    items.sort((a, b) => rank(a) - rank(b) || (a.clock.dueAt?.getTime() ?? a.contact.receivedAt.getTime()) - (b.clock.dueAt?.getTime() ?? b.contact.receivedAt.getTime()));
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.queue.read',
      outcome: 'success',
      subjectType: 'front-door-contact',
      purpose: 'triage contacts to the multi-agency safeguarding hub',
      details: { contacts: items.map((i) => i.contact.id) },
      context: ctx,
    });
    return items;
  }

  async #contact(p: Principal, id: string): Promise<ContactRow> {
    const c = await this.#repo.findContact(p.organisationId, id);
    if (!c) throw new NotFoundError('No such contact in your hub');
    return c;
  }

  /**
   * One contact as the hub sees it. The research answers about each person are read through the
   * gate on the hub's enquiry basis (audited on that person's record); what the caller's basis does
   * not open is listed as withheld, with why.
   */
  async view(p: Principal, id: string, ctx: AuditContext): Promise<ContactView> {
    await this.#requireHub(p, (r) => mayWorkInHub(r, p.organisationId), 'front-door.contact.read', ctx, id);
    const c = await this.#contact(p, id);
    const [timescales, research, hub] = await Promise.all([this.#repo.timescales(p.organisationId), this.#repo.researchForContact(p.organisationId, id), this.#orgs.findById(p.organisationId)]);
    const now = this.#now();
    const timescale = c.rating ? timescales[c.rating] : null;
    const clock = clockOf(c, timescale, now);
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.contact.read',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: id,
      purpose: 'triage contacts to the multi-agency safeguarding hub',
      details: { subjects: c.persons.map((x) => x.subjectId).filter(Boolean), legalBases: c.legalBases, declinedResearch: research.filter((r) => r.status === 'declined').map((r) => r.id) },
      context: ctx,
    });
    const views: ResearchView[] = [];
    const bySubject = new Map<string, ResearchRequestRow[]>();
    for (const r of research) bySubject.set(r.subjectId, [...(bySubject.get(r.subjectId) ?? []), r]);
    for (const [subjectId, requests] of bySubject) {
      const answered = requests.filter((r) => r.status === 'answered' && r.items.length > 0);
      let allowed = new Set<DataCategory>();
      let withheld: string | null = null;
      if (answered.length) {
        const categories = [...new Set(answered.flatMap((r) => r.items.map((i) => i.category as DataCategory)))];
        try {
          const { decision } = await this.#gate.check(
            p,
            {
              action: 'read',
              subjectId,
              categories,
              purpose: 'MASH research',
              auditAction: 'front-door.research.read',
              details: { contact: id, requests: answered.map((r) => r.id), legalBases: c.legalBases },
            },
            ctx,
          );
          allowed = new Set(decision.allowed);
          withheld = decision.redacted.length ? decision.redacted.map((x) => x.reason).filter((v, i, a) => a.indexOf(v) === i).join('; ') : null;
        } catch (err) {
          if (!(err instanceof AccessDeniedError)) throw err;
          withheld = err.decision.reason;
        }
      }
      for (const r of requests) {
        const late = r.respondedAt ? r.respondedAt > r.dueAt : now > r.dueAt;
        const items = r.status === 'answered' ? r.items.filter((i) => allowed.has(i.category as DataCategory)) : [];
        const hidden = r.status === 'answered' && items.length < r.items.length;
        views.push({ ...r, late, items: r.status === 'answered' && r.items.length > 0 && items.length === 0 ? null : items, withheld: hidden ? withheld : null });
      }
    }
    views.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
    return { contact: c, clock, clockText: describeClock(clock), timescale, research: views, hubName: hub?.name ?? '' };
  }

  // ----- matching people -----

  /** Likely existing people for one person named, through the people search (audited as a search). */
  async candidates(p: Principal, contactId: string, personId: string, ctx: AuditContext): Promise<SearchResult[]> {
    await this.#requireHub(p, (r) => mayTriage(r, p.organisationId), 'front-door.person.match', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const person = c.persons.find((x) => x.id === personId);
    if (!person) throw new NotFoundError('No such person on this contact');
    return this.#persons.search(
      p,
      { name: `${person.givenNames} ${person.familyName}`, dateOfBirth: person.dateOfBirth ?? undefined, reason: `MASH contact ${c.reference}: matching the people named` },
      ctx,
      { purpose: 'match the people named in a contact to the multi-agency safeguarding hub', limit: 5 },
    );
  }

  /**
   * Matches a person named to an existing record, or records them as new. While the contact is in
   * the hub, a MASH enquiry is opened on them. The contact is then checked for a re-referral.
   */
  async match(p: Principal, contactId: string, personId: string, input: unknown, ctx: AuditContext): Promise<{ subjectId: string }> {
    await this.#requireHub(p, (r) => mayTriage(r, p.organisationId), 'front-door.person.match', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const person = c.persons.find((x) => x.id === personId);
    if (!person) throw new NotFoundError('No such person on this contact');
    if (c.status === 'decided' || c.status === 'awaiting_sign_off') throw new ValidationError({ form: 'The decision on this contact has been made: its people can no longer be changed' });
    if (person.subjectId) throw new ValidationError({ form: `${person.givenNames} ${person.familyName} is already matched` });
    const v = parseInput(matchSchema, input);
    let subjectId: string;
    if (v.action === 'existing') {
      // The person must exist; the look is audited on their record (the contact minimum, with the contact as the reason).
      await this.#gate.check(
        p,
        { action: 'read', subjectId: v.subjectId, categories: ['identity'], purpose: 'match the people named in a MASH contact', reason: `MASH contact ${c.reference}`, auditAction: 'front-door.person.match', details: { contact: contactId } },
        ctx,
      );
      if (c.persons.some((x) => x.subjectId === v.subjectId)) throw new ValidationError({ subjectId: 'That person is already matched to someone else on this contact' });
      subjectId = v.subjectId;
    } else {
      const created = await this.#persons.create(
        p,
        {
          givenNames: person.givenNames,
          familyName: person.familyName,
          sex: v.sex,
          dateOfBirth: person.dateOfBirth ?? undefined,
          dobPrecision: person.dateOfBirth ? (person.role === 'unborn' ? 'expected' : 'exact') : 'unknown',
        },
        ctx,
        { confirmNotDuplicate: true },
      );
      subjectId = created.subjectId;
    }
    const now = this.#now();
    await this.#repo.setPersonSubject(p.organisationId, contactId, personId, { subjectId, by: p.userId, at: now });
    if (c.status === 'in_hub') await this.#openEnquiry(p, c, { ...person, subjectId }, ctx);
    await this.#checkReReferral(p.organisationId, contactId);
    return { subjectId };
  }

  async #openEnquiry(p: Principal, c: ContactRow, person: ContactPersonRow & { subjectId: string }, ctx: AuditContext): Promise<void> {
    const enquiryId = newId();
    const reason = `MASH contact ${c.reference}: ${c.categories.join(', ')}`;
    await this.#repo.openEnquiry(p.organisationId, c.id, person.id, { subjectId: person.subjectId, enquiryId, by: p.userId, reason, at: this.#now() });
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.enquiry.open',
      outcome: 'success',
      subjectType: 'person',
      subjectId: person.subjectId,
      purpose: 'MASH enquiry',
      reason,
      details: { contact: c.id, enquiry: enquiryId, basis: 'mash-enquiry' },
      context: ctx,
    });
  }

  async #checkReReferral(organisationId: string, contactId: string): Promise<void> {
    const c = await this.#repo.findContact(organisationId, contactId);
    if (!c) return;
    const subjectIds = c.persons.map((x) => x.subjectId).filter((s): s is string => s !== null);
    const earlier = await this.#repo.earlierContacts(organisationId, subjectIds);
    const found = findReReferral({ contactId, receivedAt: c.receivedAt, subjectIds }, earlier);
    await this.#repo.setReReferral(organisationId, contactId, found ? { contactId: found.contactId, outcome: found.outcome!, decidedAt: found.decidedAt! } : null);
  }

  // ----- rating -----

  /** Rates the contact and takes it into the hub: the timescale starts from its arrival; enquiries open on the people matched. */
  async rate(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#requireHub(p, (r) => mayTriage(r, p.organisationId), 'front-door.contact.rate', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const v = parseInput(rateSchema, input);
    const legalBases = [...new Set(v.legalBases)];
    const basisProblem = enquiryBasisProblem(legalBases, [], await this.#repo.legalBases(), c.familyKnows === 'agreed');
    if (basisProblem) throw new ValidationError({ legalBases: basisProblem });
    const timescales = await this.#repo.timescales(p.organisationId);
    const due = dueAt(c.receivedAt, timescales[v.rating]);
    const now = this.#now();
    if (!(await this.#repo.rate(p.organisationId, contactId, { rating: v.rating, reason: v.reason, legalBases, by: p.userId, at: now, dueAt: due }))) {
      throw new ValidationError({ rating: 'A decision has been recorded on this contact: it can no longer be rated' });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.contact.rate',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: contactId,
      reason: v.reason,
      details: { rating: v.rating, hours: timescales[v.rating].hours, dueAt: due.toISOString(), previous: c.rating, legalBases, previousLegalBases: c.legalBases },
      context: ctx,
    });
    if (c.status === 'new') {
      for (const person of c.persons) if (person.subjectId && !person.enquiryId) await this.#openEnquiry(p, c, { ...person, subjectId: person.subjectId }, ctx);
    }
  }

  // ----- research -----

  /** Agencies the hub may ask: every active organisation but the hub itself. */
  async agencies(p: Principal): Promise<Array<{ id: string; name: string }>> {
    return (await this.#orgs.list()).filter((o) => o.active && o.id !== p.organisationId).map((o) => ({ id: o.id, name: o.name }));
  }

  /**
   * Asks agencies what they hold about one person. Sending who the person is to each agency is a share
   * under the hub's enquiry (the gate checks `share` of identity, audited on the person's record); the
   * agency is sent the name, date of birth and postcode the hub holds, as the hub's basis shows them.
   */
  async requestResearch(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<string[]> {
    await this.#requireHub(p, (r) => mayTriage(r, p.organisationId), 'front-door.research.request', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const v = parseInput(researchSchema, input);
    if (c.status !== 'in_hub') throw new ValidationError({ form: c.status === 'new' ? 'Rate the contact first: research runs once it is in the hub' : 'The decision on this contact has been made' });
    const person = c.persons.find((x) => x.id === v.personId);
    if (!person) throw new ValidationError({ personId: 'Choose someone named on this contact' });
    if (!person.subjectId || !person.enquiryId) throw new ValidationError({ personId: `Match ${person.givenNames} ${person.familyName} to a person record first` });
    const agencies = await this.agencies(p);
    for (const a of v.agencyOrganisationIds) if (!agencies.some((x) => x.id === a)) throw new ValidationError({ agencyOrganisationIds: 'Choose agencies from the list' });
    // The hub's legal basis must cover what the agencies asked hold (health: an article 9 condition; police, probation, youth justice: schedule 1).
    const asked = await this.#repo.caseCategories(v.agencyOrganisationIds);
    const basisProblem = enquiryBasisProblem(c.legalBases, [...new Set(asked.values())] as DataCategory[], await this.#repo.legalBases(), c.familyKnows === 'agreed');
    if (basisProblem) throw new ValidationError({ agencyOrganisationIds: `The hub's legal basis for this enquiry does not cover asking these agencies: ${basisProblem}. Change the legal basis with the rating first` });
    const subjectId = person.subjectId;
    await this.#gate.check(
      p,
      { action: 'share', subjectId, categories: ['identity'], purpose: 'MASH research', auditAction: 'front-door.research.request', details: { contact: contactId, agencies: v.agencyOrganisationIds, legalBases: c.legalBases } },
      ctx,
    );
    const view = await this.#persons.view(p, subjectId, ctx, { purpose: 'MASH research' });
    const name = view.identity?.names.find((n) => n.kind === 'current');
    const current = view.addresses?.find((a) => a.toDate === null);
    const sentIdentity = {
      givenNames: name?.givenNames ?? person.givenNames,
      familyName: name?.familyName ?? person.familyName,
      dateOfBirth: view.identity?.dateOfBirth ?? person.dateOfBirth,
      postcode: current?.postcode ?? null,
    };
    const timescales = await this.#repo.timescales(p.organisationId);
    const now = this.#now();
    const due = c.dueAt ?? dueAt(c.receivedAt, c.rating ? timescales[c.rating] : DEFAULT_TIMESCALES.green);
    const ids: string[] = [];
    for (const agency of [...new Set(v.agencyOrganisationIds)]) {
      const id = newId();
      await this.#repo.insertResearchRequest({
        subjectId,
        id,
        organisationId: p.organisationId,
        contactId,
        contactPersonId: person.id,
        agencyOrganisationId: agency,
        question: v.question,
        sentIdentity,
        legalBases: c.legalBases,
        requestedBy: p.userId,
        requestedAt: now,
        dueAt: due,
      });
      ids.push(id);
      // The agency's MASH officers and managers are told (its practitioners when it has neither); the notice names nobody.
      const staff = await this.#repo.usersWithRoles(agency, ['mash_officer', 'team_manager']);
      const to = staff.length ? staff : await this.#repo.usersWithRoles(agency, ['practitioner']);
      await this.#repo.notify(
        to.map((u) => ({ id: newId(), recipientUserId: u.id, kind: 'front-door-research', message: `The multi-agency safeguarding hub asks what your agency holds (contact ${c.reference}); answer by ${due.toISOString().slice(0, 16).replace('T', ' ')} UTC.`, link: `/front-door/research/${subjectId}/${id}` })),
        now,
      );
    }
    return ids;
  }

  /** The research requests to the caller's agency: open ones first, by when they are due. */
  async researchInbox(p: Principal, ctx: AuditContext): Promise<Array<ResearchRequestRow & { late: boolean; dueText: string }>> {
    const d = mayRespondToResearch(requesterOf(p), { agencyOrganisationId: p.organisationId });
    if (!d.allow) {
      await this.#audit.record({ actor: actorOf(p), action: 'front-door.research.inbox', outcome: 'denied', subjectType: 'front-door-research', reason: d.reason, context: ctx });
      throw new ForbiddenError(d.reason);
    }
    const rows = await this.#repo.researchForAgency(p.organisationId);
    const now = this.#now();
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.research.inbox',
      outcome: 'success',
      subjectType: 'front-door-research',
      details: { requests: rows.map((r) => r.id) },
      context: ctx,
    });
    return rows
      .map((r) => {
        const ms = r.dueAt.getTime() - (r.respondedAt ?? now).getTime();
        const done = r.status === 'declined' ? 'Declined' : 'Answered';
        return { ...r, late: ms < 0, dueText: r.status !== 'open' ? (ms < 0 ? `${done} late` : `${done} in time`) : ms < 0 ? `Overdue by ${Math.ceil(-ms / HOUR)} h` : `${Math.floor(ms / HOUR)} h left` };
      })
      .sort((a, b) => (a.status === b.status ? a.dueAt.getTime() - b.dueAt.getTime() : a.status === 'open' ? -1 : 1));
  }

  /**
   * One request as the agency asked sees it: what the hub sent to find the person, the question, and
   * the agency's own records linked to that person. Never the contact, its other people, or what other
   * agencies answered. The look is audited on the person's record.
   */
  async researchRequest(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<{ request: Omit<ResearchRequestRow, 'contactId' | 'contactPersonId'>; linkedRecords: LinkedRecord[] }> {
    const r = await this.#repo.findResearch(subjectId, id);
    if (!r) throw new NotFoundError('No such research request');
    const d = mayRespondToResearch(requesterOf(p), r);
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.research.open',
      outcome: d.allow ? 'success' : 'denied',
      subjectType: 'person',
      subjectId,
      purpose: 'answer a MASH research request',
      reason: d.reason,
      details: { request: id, shown: d.allow ? ['identity (as sent by the hub)'] : [], legalBases: r.legalBases },
      context: ctx,
    });
    if (!d.allow) throw new ForbiddenError(d.reason);
    const linkedRecords = await this.#repo.linkedRecords(p.organisationId, subjectId);
    const { contactId: _c, contactPersonId: _p, ...request } = r;
    return { request, linkedRecords };
  }

  /**
   * The agency's answer: what it holds (its own case category unless it says otherwise), each item
   * optionally naming one of its linked records, and marked when it must not be disclosed to the family.
   */
  async respond(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const { r, reason } = await this.#researchToAnswer(p, subjectId, id, 'front-door.research.respond', ctx);
    const v = parseInput(respondSchema, input);
    const linked = await this.#repo.linkedRecords(p.organisationId, subjectId);
    const items = v.items.map((item, position) => {
      let kind: string | null = null;
      let recordId: string | null = null;
      if (item.linkedRecord) {
        const sep = item.linkedRecord.indexOf(':');
        kind = item.linkedRecord.slice(0, sep);
        recordId = item.linkedRecord.slice(sep + 1);
        if (sep < 1 || !linked.some((l) => l.kind === kind && l.sourceRecordId === recordId)) {
          throw new ValidationError({ [`items.${position}.linkedRecord`]: 'Choose one of your agency\'s records linked to this person' });
        }
      }
      return {
        id: newId(),
        position,
        category: item.category ?? r.agencyCaseCategory,
        summary: item.summary,
        linkedRecordKind: kind,
        linkedRecordId: recordId,
        withheldFromFamily: item.withheldFromFamily,
        withheldReason: item.withheldFromFamily ? item.withheldReason! : null,
      };
    });
    // What is shared must be covered by the hub's legal basis as asked (an item in another category than the agency's own may not be).
    if (items.some((i) => i.category !== r.agencyCaseCategory)) {
      const known = await this.#repo.legalBases();
      for (const i of items) {
        // Consent bases were checked against what the family agreed when the hub chose them.
        const problem = enquiryBasisProblem(r.legalBases, [i.category as DataCategory], known, true);
        if (problem) throw new ValidationError({ [`items.${i.position}.category`]: `The hub's legal basis does not cover this: ${problem}. Decline to share it, or ask the hub to change its legal basis` });
      }
    }
    const now = this.#now();
    if (!(await this.#repo.respond(subjectId, id, { nothingHeld: v.nothingHeld, by: p.userId, at: now, items }))) {
      throw new ValidationError({ form: 'This request has been answered already' });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.research.respond',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'answer a MASH research request',
      reason,
      details: {
        request: id,
        hub: r.organisationId,
        nothingHeld: v.nothingHeld,
        items: items.length,
        categories: [...new Set(items.map((i) => i.category))],
        withheldFromFamily: items.filter((i) => i.withheldFromFamily).length,
        late: now > r.dueAt,
        legalBases: r.legalBases,
      },
      context: ctx,
    });
  }

  /**
   * The agency declines to share what it holds: not sharing is a decision too (principle 2), recorded
   * with the legal consideration, the reason, and whom the hub should ask or when to ask again. The
   * request then counts as answered (no overdue notice), the hub sees the decline and its reason on the
   * contact and the decision page, and it is audited on the person as a decision not to share.
   */
  async decline(p: Principal, subjectId: string, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const { r } = await this.#researchToAnswer(p, subjectId, id, 'front-door.research.decline', ctx);
    const v = parseInput(declineSchema, input);
    const now = this.#now();
    const problems = declineProblems({ consideration: v.consideration, reason: v.reason, askInstead: v.askInstead, askAgainOn: v.askAgainOn }, now.toISOString().slice(0, 10));
    if (Object.keys(problems).length) throw new ValidationError(problems);
    const decline = { consideration: v.consideration!, reason: v.reason!.trim(), askInstead: v.askInstead ?? null, askAgainOn: v.askAgainOn ?? null };
    if (!(await this.#repo.decline(subjectId, id, { ...decline, by: p.userId, at: now }))) throw new ValidationError({ form: 'This request has been answered already' });
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.research.decline',
      outcome: 'success',
      subjectType: 'person',
      subjectId,
      purpose: 'answer a MASH research request',
      reason: decline.reason,
      details: {
        request: id,
        hub: r.organisationId,
        decision: 'not_share',
        recipient: r.organisationId,
        category: r.agencyCaseCategory,
        consideration: decline.consideration,
        askInstead: decline.askInstead,
        askAgainOn: decline.askAgainOn,
        legalBases: r.legalBases,
        late: now > r.dueAt,
      },
      context: ctx,
    });
    // The hub's MASH officers are told that the agency declined (the notice names nobody).
    const staff = await this.#repo.usersWithRoles(r.organisationId, ['mash_officer']);
    await this.#repo.notify(
      staff.map((u) => ({ id: newId(), recipientUserId: u.id, kind: 'front-door-research', message: `${r.agencyName} declined to share what it holds for contact ${r.contactReference}.`, link: `/front-door/contacts/${r.contactId}` })),
      now,
    );
  }

  /** The legal bases of the code list, article 6 first, and those suggested for a contact. */
  async legalBases(): Promise<Array<{ code: string; kind: string; label: string; description: string }>> {
    const order = ['gdpr_article_6', 'gdpr_article_9', 'criminal_offence', 'statute', 'common_law'];
    return [...(await this.#repo.legalBases()).values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.code.localeCompare(b.code));
  }

  suggestedLegalBases(c: Pick<ContactRow, 'categories' | 'rating' | 'legalBases'>): string[] {
    return c.legalBases.length ? c.legalBases : suggestedEnquiryBases(c.categories, c.rating);
  }

  // ----- decision, sign-off, referrer, feedback -----

  async decide(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#requireHub(p, (r) => mayTriage(r, p.organisationId), 'front-door.decision.record', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const v = parseInput(decisionSchema, input);
    if (c.status === 'new') throw new ValidationError({ form: 'Rate the contact first' });
    if (!c.persons.some((x) => x.subjectId)) throw new ValidationError({ form: 'Match the people named to person records first' });
    const now = this.#now();
    const ok = await this.#repo.recordDecision(p.organisationId, contactId, {
      level: v.level,
      outcome: v.outcome,
      rationale: v.rationale,
      advice: v.advice ?? null,
      serviceId: v.outcome === 'signpost' ? (v.serviceId ?? null) : null,
      serviceName: v.outcome === 'signpost' ? (v.serviceName ?? null) : null,
      leadProfessional: v.outcome === 'early_help' ? (v.leadProfessional ?? null) : null,
      decidedBy: p.userId,
      decidedAt: now,
    });
    if (!ok) throw new ValidationError({ form: 'A decision is already waiting for sign-off, or has been signed off' });
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.decision.record',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: contactId,
      reason: v.rationale.slice(0, 1000),
      details: { level: v.level, outcome: v.outcome, serviceId: v.serviceId ?? null, serviceName: v.serviceName ?? null },
      context: ctx,
    });
    // The hub's other team managers are asked to sign it off.
    const managers = (await this.#repo.usersWithRoles(p.organisationId, ['team_manager'])).filter((m) => m.id !== p.userId);
    await this.#repo.notify(
      managers.map((m) => ({ id: newId(), recipientUserId: m.id, kind: 'front-door-sign-off', message: `A threshold decision on contact ${c.reference} is waiting for your sign-off.`, link: `/front-door/contacts/${contactId}` })),
      now,
    );
  }

  /**
   * A manager's sign-off. Approved: the contact is decided (its clock stops), the enquiries it opened
   * close, and a referrer who is a user of the system is told the outcome at once (others are told by
   * the hub, which records how). Returned: back to the hub with the manager's comment.
   */
  async signOff(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#requireHub(p, (r) => mayWorkInHub(r, p.organisationId), 'front-door.decision.sign-off', ctx, contactId);
    const c = await this.#contact(p, contactId);
    if (!c.decision || c.decision.signOff !== 'pending') throw new ValidationError({ form: 'There is no decision waiting for sign-off' });
    const decidedBy = c.decision.decidedBy;
    await this.#requireHub(p, (r) => maySignOffThreshold(r, { hubOrganisationId: c.organisationId, decidedBy }), 'front-door.decision.sign-off', ctx, contactId);
    const v = parseInput(signOffSchema, input);
    const now = this.#now();
    const lists = await this.#repo.codeLists();
    const outcome = lists.outcomes.find((o) => o.code === c.decision!.outcome)?.label ?? c.decision.outcome;
    const received = c.receivedAt.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    const notifications =
      v.approve && c.referrerUserId
        ? [
            {
              id: newId(),
              recipientUserId: c.referrerUserId,
              kind: 'front-door-outcome',
              // The outcome only: no names, no research, nothing withheld from the family.
              message: `The multi-agency safeguarding hub has decided on your referral ${c.reference} of ${received}: ${outcome}.`,
              link: '/front-door/referrals',
            },
          ]
        : [];
    if (!(await this.#repo.signOff(p.organisationId, contactId, { approve: v.approve, by: p.userId, at: now, comment: v.comment ?? null, notifications }))) {
      throw new ValidationError({ form: 'This decision has been signed off or returned already' });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: v.approve ? 'front-door.decision.sign-off' : 'front-door.decision.return',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: contactId,
      reason: v.comment ?? 'signed off',
      details: { decidedBy, outcome: c.decision.outcome, referrerNotified: notifications.length > 0 },
      context: ctx,
    });
    if (v.approve) {
      const open = c.persons.filter((x): x is ContactPersonRow & { subjectId: string; enquiryId: string } => x.subjectId !== null && x.enquiryId !== null);
      await this.#repo.closeEnquiries(open.map((x) => ({ subjectId: x.subjectId, enquiryId: x.enquiryId })), now);
      for (const x of open) {
        await this.#audit.record({
          actor: actorOf(p),
          action: 'front-door.enquiry.close',
          outcome: 'success',
          subjectType: 'person',
          subjectId: x.subjectId,
          purpose: 'MASH enquiry',
          reason: `MASH contact ${c.reference} decided: ${outcome}`,
          details: { contact: contactId, enquiry: x.enquiryId },
          context: ctx,
        });
      }
    }
  }

  async recordReferrerTold(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#requireHub(p, (r) => mayWorkInHub(r, p.organisationId), 'front-door.referrer.told', ctx, contactId);
    const v = parseInput(referrerToldSchema, input);
    if (!(await this.#repo.recordReferrerTold(p.organisationId, contactId, { by: p.userId, at: this.#now(), how: v.how }))) {
      throw new ValidationError({ how: 'The referrer has been told already, or the decision is not signed off yet' });
    }
    await this.#audit.record({ actor: actorOf(p), action: 'front-door.referrer.told', outcome: 'success', subjectType: 'front-door-contact', subjectId: contactId, details: { how: v.how }, context: ctx });
  }

  /** The hub's view of the referral's quality, fed back to the referring agency (its managers and the referrer are notified). */
  async feedback(p: Principal, contactId: string, input: unknown, ctx: AuditContext): Promise<void> {
    await this.#requireHub(p, (r) => mayWorkInHub(r, p.organisationId), 'front-door.feedback.give', ctx, contactId);
    const c = await this.#contact(p, contactId);
    const v = parseInput(feedbackSchema, input);
    if (c.status !== 'decided') throw new ValidationError({ quality: 'Give feedback once the decision is signed off' });
    const now = this.#now();
    const recipients = new Set<string>();
    if (c.referrerUserId) recipients.add(c.referrerUserId);
    if (c.referrerOrganisationId) for (const m of await this.#repo.usersWithRoles(c.referrerOrganisationId, ['team_manager'])) recipients.add(m.id);
    const notifications = [...recipients].map((recipientUserId) => ({
      id: newId(),
      recipientUserId,
      kind: 'front-door-feedback',
      message: `Feedback from the multi-agency safeguarding hub on referral ${c.reference}: ${QUALITY_LABELS[v.quality].toLowerCase()}.`,
      link: '/front-door/referrals',
    }));
    if (!(await this.#repo.insertFeedback(p.organisationId, contactId, { referrerOrganisationId: c.referrerOrganisationId, quality: v.quality, comments: v.comments, by: p.userId, at: now }, notifications))) {
      throw new ValidationError({ quality: 'Feedback has been given on this referral already' });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: 'front-door.feedback.give',
      outcome: 'success',
      subjectType: 'front-door-contact',
      subjectId: contactId,
      details: { quality: v.quality, referrerOrganisation: c.referrerOrganisationId, notified: notifications.length },
      context: ctx,
    });
  }

  /** The feedback on the caller's agency's referrals (its managers see all; a referrer sees their own). */
  async referralFeedback(p: Principal, ctx: AuditContext) {
    const rows = (await this.#repo.feedbackForReferrer(p.organisationId)).filter(
      (f) => mayReadReferralFeedback(requesterOf(p), { referrerOrganisationId: p.organisationId, referrerUserId: f.referrer_user_id }).allow,
    );
    await this.#audit.record({ actor: actorOf(p), action: 'front-door.feedback.read', outcome: 'success', subjectType: 'organisation', subjectId: p.organisationId, details: { rows: rows.length }, context: ctx });
    return rows.map((f) => ({ reference: f.reference, receivedAt: new Date(f.received_at), referrerName: f.referrer_name, quality: f.quality as (typeof QUALITIES)[number], comments: f.comments, givenAt: new Date(f.given_at), hubName: f.hub_name }));
  }

  // ----- oversight -----

  /** The request the agency is answering (or declining), once the policy allows it; a refusal is audited as `action`. */
  async #researchToAnswer(p: Principal, subjectId: string, id: string, action: string, ctx: AuditContext): Promise<{ r: ResearchRequestRow; reason: string }> {
    const r = await this.#repo.findResearch(subjectId, id);
    if (!r) throw new NotFoundError('No such research request');
    const d = mayRespondToResearch(requesterOf(p), r);
    if (!d.allow) {
      await this.#audit.record({ actor: actorOf(p), action, outcome: 'denied', subjectType: 'person', subjectId, reason: d.reason, details: { request: id, legalBases: r.legalBases }, context: ctx });
      throw new ForbiddenError(d.reason);
    }
    return { r, reason: d.reason };
  }

  async #period(input: unknown): Promise<{ from: Date; to: Date; fromIso: string; toIso: string }> {
    const v = parseInput(periodSchema, input);
    const now = this.#now();
    const toIso = v.to ?? now.toISOString().slice(0, 10);
    const fromIso = v.from ?? new Date(Date.parse(`${toIso}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    return { from: new Date(`${fromIso}T00:00:00Z`), to: new Date(Date.parse(`${toIso}T00:00:00Z`) + 86_400_000), fromIso, toIso };
  }

  async #dashboardRows(p: Principal, input: unknown, ctx: AuditContext, action: string) {
    await this.#requireHub(p, (r) => mayOverseeHub(r, p.organisationId, 'read'), action, ctx);
    const period = await this.#period(input);
    const [contacts, timescales, lists, research] = await Promise.all([
      this.#repo.listContacts(p.organisationId, { from: period.from, to: period.to }),
      this.#repo.timescales(p.organisationId),
      this.#repo.codeLists(),
      this.#repo.researchInPeriod(p.organisationId, period.from, period.to),
    ]);
    const rows: DashboardContact[] = contacts.map((c) => ({
      id: c.id,
      reference: c.reference,
      source: c.source,
      receivedAt: c.receivedAt,
      referrerOrganisation: c.referrerOrganisation,
      categories: c.categories,
      rating: c.rating,
      dueAt: c.dueAt,
      decidedAt: c.decidedAt,
      level: c.decision?.signOff === 'approved' ? c.decision.level : null,
      outcome: c.decision?.signOff === 'approved' ? c.decision.outcome : null,
      reReferral: c.reReferral,
      quality: c.feedback?.quality ?? null,
    }));
    await this.#audit.record({
      actor: actorOf(p),
      action,
      outcome: 'success',
      subjectType: 'organisation',
      subjectId: p.organisationId,
      purpose: 'oversee the multi-agency safeguarding hub',
      details: { from: period.fromIso, to: period.toIso, contacts: rows.length },
      context: ctx,
    });
    return { rows, timescales, lists, period, research };
  }

  async dashboard(p: Principal, input: unknown, ctx: AuditContext): Promise<{ dashboard: Dashboard; from: string; to: string; timescales: Record<Rating, Timescale> }> {
    const { rows, timescales, lists, period, research } = await this.#dashboardRows(p, input, ctx, 'front-door.dashboard.read');
    return { dashboard: buildDashboard(rows, lists, timescales, this.#now(), research), from: period.fromIso, to: period.toIso, timescales };
  }

  async dashboardCsv(p: Principal, input: unknown, ctx: AuditContext): Promise<{ csv: string; from: string; to: string }> {
    const { rows, timescales, period } = await this.#dashboardRows(p, input, ctx, 'front-door.dashboard.export');
    return { csv: dashboardCsv(rows, timescales, this.#now()), from: period.fromIso, to: period.toIso };
  }

  /**
   * Warns the hub's MASH officers and team managers before a contact's timescale ends, and reports a
   * breach when it has. Each notice is claimed once per contact (a re-rating re-arms them), so running
   * this twice, or on two servers, sends nothing more.
   */
  async notifyClocks(by: Actor, ctx: AuditContext, now = this.#now()): Promise<{ warnings: number; breaches: number; researchOverdue: number }> {
    const open = await this.#repo.openClocks();
    const timescalesByHub = new Map<string, Record<Rating, Timescale>>();
    const staffByHub = new Map<string, Array<{ id: string; displayName: string }>>();
    let warnings = 0;
    let breaches = 0;
    for (const c of open) {
      const timescales = timescalesByHub.get(c.organisationId) ?? (await this.#repo.timescales(c.organisationId));
      timescalesByHub.set(c.organisationId, timescales);
      const clock = clockOf({ receivedAt: c.receivedAt, dueAt: c.dueAt, decidedAt: null }, timescales[c.rating], now);
      const kind = clock.state === 'breached' ? 'breach' : clock.state === 'warning' && !c.warnedAt ? 'warning' : null;
      if (!kind) continue;
      const staff = staffByHub.get(c.organisationId) ?? (await this.#repo.usersWithRoles(c.organisationId, ['mash_officer', 'team_manager']));
      staffByHub.set(c.organisationId, staff);
      const message =
        kind === 'breach'
          ? `Contact ${c.reference} is overdue: its ${c.rating} timescale (${timescales[c.rating].hours} h) ended ${describeClock(clock).toLowerCase().replace('overdue by ', '')} ago without a signed-off decision.`
          : `Contact ${c.reference} is due soon: ${describeClock(clock).replace(': due soon', '')} of its ${c.rating} timescale.`;
      const notifications = staff.map((s) => ({ id: newId(), recipientUserId: s.id, kind: `front-door-${kind}`, message, link: `/front-door/contacts/${c.id}` }));
      if (!(await this.#repo.claimClockNotice(c.organisationId, c.id, kind, now, notifications))) continue;
      if (kind === 'breach') breaches += 1;
      else warnings += 1;
      await this.#audit.record({
        actor: by,
        action: `front-door.clock.${kind}`,
        outcome: 'success',
        subjectType: 'front-door-contact',
        subjectId: c.id,
        purpose: 'keep the multi-agency safeguarding hub within its timescales',
        details: { rating: c.rating, dueAt: c.dueAt.toISOString(), notified: notifications.length },
        context: ctx,
      });
    }
    // Agencies whose answers are overdue are told once (their MASH officers and managers, else practitioners).
    let researchOverdue = 0;
    const toByAgency = new Map<string, Array<{ id: string; displayName: string }>>();
    for (const r of await this.#repo.overdueResearch(now)) {
      let to = toByAgency.get(r.agencyOrganisationId);
      if (!to) {
        const staff = await this.#repo.usersWithRoles(r.agencyOrganisationId, ['mash_officer', 'team_manager']);
        to = staff.length ? staff : await this.#repo.usersWithRoles(r.agencyOrganisationId, ['practitioner']);
        toByAgency.set(r.agencyOrganisationId, to);
      }
      const notifications = to.map((u) => ({
        id: newId(),
        recipientUserId: u.id,
        kind: 'front-door-research-overdue',
        message: `Your agency's answer to the hub's research request (contact ${r.contactReference}) is overdue: it was due ${r.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
        link: `/front-door/research/${r.subjectId}/${r.id}`,
      }));
      if (!(await this.#repo.claimResearchOverdue(r.subjectId, r.id, now, notifications))) continue;
      researchOverdue += 1;
      await this.#audit.record({
        actor: by,
        action: 'front-door.research.overdue',
        outcome: 'success',
        subjectType: 'front-door-research',
        subjectId: r.id,
        purpose: 'keep the multi-agency safeguarding hub within its timescales',
        details: { agency: r.agencyOrganisationId, dueAt: r.dueAt.toISOString(), notified: notifications.length },
        context: ctx,
      });
    }
    return { warnings, breaches, researchOverdue };
  }
}

/**
 * The demo hub's queue (invented): a school's referral not yet rated, a police notification rated
 * amber and nearly due, and a neighbour's call rated red and already overdue. Their people are not yet
 * matched, so the demo's MASH officer can match them, ask the agencies and decide. Called by
 * DemoService#load (idempotent with it: it runs only when the demo partnership is first loaded).
 */
export async function loadFrontDoorDemo(repo: FrontDoorRepository, now: Date, orgIds: ReadonlyMap<string, string>, userIds: ReadonlyMap<string, string>): Promise<void> {
  const hub = orgIds.get('csc');
  if (!hub) return;
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const timescales = await repo.timescales(hub);
  const officer = userIds.get('mash.officer@csc.northbridge.example')!;
  const contacts: Array<Omit<NewContact, 'organisationId' | 'id' | 'reference'> & { rating?: Rating; ratingReason?: string }> = [
    {
      source: 'professional',
      receivedAt: ago(2),
      recordedBy: userIds.get('dsl@hollinlane.northbridge.example') ?? null,
      referrerUserId: userIds.get('dsl@hollinlane.northbridge.example') ?? null,
      referrerName: 'Mark Oduya',
      referrerRole: 'Designated safeguarding lead',
      referrerOrganisationId: orgIds.get('school') ?? null,
      referrerOrganisation: 'Hollin Lane Primary School',
      referrerEmail: 'dsl@hollinlane.northbridge.example',
      referrerPhone: '01632 960 010',
      externalReference: null,
      summary: 'Jaydon has come to school hungry most days this week and in the same clothes. His mother seemed unwell at pick-up on Tuesday and his sister Mia was collected late twice.',
      familyKnows: 'told_not_agreed',
      familyView: 'Mum said things are difficult since her partner died and she does not want social workers involved.',
      referrerUrgency: 'today',
      categories: ['neglect', 'parental_substance_misuse'],
      persons: [
        { id: newId(), position: 0, role: 'child', givenNames: 'Jaydon', familyName: 'Fletcher', dateOfBirth: null, postcode: 'NB5 1AW', relationship: null },
        { id: newId(), position: 1, role: 'child', givenNames: 'Mia', familyName: 'Fletcher', dateOfBirth: null, postcode: 'NB5 1AW', relationship: 'Sister' },
        { id: newId(), position: 2, role: 'adult', givenNames: 'Kerry', familyName: 'Fletcher', dateOfBirth: null, postcode: 'NB5 1AW', relationship: 'Mother' },
      ],
    },
    {
      source: 'police',
      receivedAt: ago(21),
      recordedBy: userIds.get('police.officer@police.northbridge.example') ?? null,
      referrerUserId: null,
      referrerName: 'PC Dana Kirby',
      referrerRole: 'Police officer',
      referrerOrganisationId: orgIds.get('police') ?? null,
      referrerOrganisation: 'Northbridge Police',
      referrerEmail: null,
      referrerPhone: null,
      externalReference: 'NBP-DEMO-004417',
      summary: 'Police called to a verbal argument between adults at a flat in Canal Side late at night; a pregnant woman present. No arrests. DASH risk assessment: medium.',
      familyKnows: 'not_known',
      familyView: null,
      referrerUrgency: 'today',
      categories: ['domestic_abuse'],
      persons: [
        { id: newId(), position: 0, role: 'unborn', givenNames: 'Unborn', familyName: 'Marsh', dateOfBirth: null, postcode: 'NB3 4QT', relationship: null },
        { id: newId(), position: 1, role: 'adult', givenNames: 'Chloe', familyName: 'Marsh', dateOfBirth: null, postcode: 'NB3 4QT', relationship: 'Mother' },
        { id: newId(), position: 2, role: 'adult', givenNames: 'Tyler', familyName: 'Quinn', dateOfBirth: null, postcode: 'NB3 4QT', relationship: "Mother's partner" },
      ],
      rating: 'amber',
      ratingReason: 'Domestic abuse with a pregnancy; medium risk; no injuries reported',
    },
    {
      source: 'public',
      receivedAt: ago(5),
      recordedBy: officer,
      referrerUserId: null,
      referrerName: 'Anonymous neighbour',
      referrerRole: 'Member of the public',
      referrerOrganisationId: null,
      referrerOrganisation: null,
      referrerEmail: null,
      referrerPhone: null,
      externalReference: null,
      summary: 'A neighbour rang to say a girl of about six has been left alone in the flat below since yesterday evening and was crying at the window this morning.',
      familyKnows: 'not_known',
      familyView: null,
      referrerUrgency: 'immediate',
      categories: ['neglect'],
      persons: [{ id: newId(), position: 0, role: 'child', givenNames: 'Tia', familyName: 'Lawson', dateOfBirth: null, postcode: 'NB7 2PL', relationship: null }],
      rating: 'red',
      ratingReason: 'A young child possibly left alone overnight',
    },
  ];
  for (const c of contacts) {
    const id = newId();
    const reference = `MASH-${c.receivedAt.toISOString().slice(0, 10).replace(/-/g, '')}-${id.replace(/-/g, '').slice(-6).toUpperCase()}`;
    const { rating, ratingReason, ...contact } = c;
    await repo.insertContact({ ...contact, organisationId: hub, id, reference });
    if (rating) await repo.rate(hub, id, { rating, reason: ratingReason ?? rating, legalBases: suggestedEnquiryBases(c.categories, rating), by: officer, at: new Date(c.receivedAt.getTime() + 20 * 60_000), dueAt: dueAt(c.receivedAt, timescales[rating]) });
  }
}
