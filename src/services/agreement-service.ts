import { z } from 'zod';
import { SYSTEM_ACTOR, type Actor, type AuditContext, type AuditService } from '../audit/audit-service.ts';
import type { StoredAuditEntry } from '../repositories/audit-repository.ts';
import { newId } from '../ids.ts';
import type { DataCategory } from '../policy/access-policy.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { Agreement, SharingRepository } from '../repositories/sharing-repository.ts';
import {
  agreementCoverage,
  CRIMINAL_OFFENCE_CATEGORIES,
  PURPOSES,
  SHAREABLE_CATEGORIES,
  SPECIAL_CATEGORIES,
  type AgreementCoverage,
} from '../sharing/rules.ts';
import { isoDate, parse } from './person-service.ts';
import { actorOf, ForbiddenError, hasRole, NotFoundError, ValidationError, type Principal } from './principal.ts';

// ---------- input rules, shared by the forms and the API ----------

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const DAY = 86_400_000;

export const AGREEMENT_STATUSES = ['draft', 'active', 'suspended', 'ended'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** A review is "due" from this many days before its date; reminders go out at most once a week. */
export const REVIEW_DUE_DAYS = 30;
export const REMINDER_INTERVAL_DAYS = 7;

const purpose = z.enum(PURPOSES, { error: 'Choose purposes from the list' });
const category = z.enum(SHAREABLE_CATEGORIES as [DataCategory, ...DataCategory[]], { error: 'Choose kinds of information from the list' });
const optionalText = (label: string, max: number) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be ${max} characters or fewer`).optional());

export const agreementPartySchema = z.object({
  organisationId: z.uuid('Choose an organisation from the list'),
  signatoryName: optionalText('The signatory\'s name', 120).meta({ description: 'Who is expected to sign for this organisation (they can be named when signing instead)' }),
  signatoryRole: optionalText('The signatory\'s role', 120),
});

export const createAgreementSchema = z
  .object({
    reference: z
      .string({ error: 'Enter a reference' })
      .trim()
      .min(1, 'Enter a reference')
      .max(40, 'The reference must be 40 characters or fewer')
      .regex(/^[A-Za-z0-9][A-Za-z0-9/._-]*$/, 'The reference can contain only letters, digits, hyphens, slashes, dots and underscores, like NB-ISA-004')
      .meta({ description: 'Unique (whatever the case), e.g. NB-ISA-004' }),
    title: z.string({ error: 'Enter a title' }).trim().min(5, 'Enter a title of at least 5 characters').max(200, 'The title must be 200 characters or fewer'),
    parties: z
      .array(agreementPartySchema, { error: 'Choose the organisations that are party to the agreement' })
      .min(2, 'Choose at least two organisations: an agreement is between organisations')
      .max(50, 'An agreement can have at most 50 parties'),
    purposes: z.array(purpose, { error: 'Choose at least one purpose' }).min(1, 'Choose at least one purpose'),
    legalBases: z
      .array(z.string().trim().min(1), { error: 'Choose at least one legal basis' })
      .min(1, 'Choose at least one legal basis')
      .meta({ description: 'Codes from the legal_basis list: at least one UK GDPR article 6 basis, an article 9 condition for health information, a DPA 2018 schedule 1 condition for criminal offence information' }),
    categories: z.array(category, { error: 'Choose at least one kind of information' }).min(1, 'Choose at least one kind of information'),
    retention: z
      .string({ error: 'Say how long the information is kept and what happens then' })
      .trim()
      .min(10, 'Say how long the information is kept and what happens then, in at least 10 characters')
      .max(1000, 'Retention must be 1000 characters or fewer'),
    startDate: isoDate('the start date'),
    endDate: z.preprocess(blankToUndefined, isoDate('the end date').optional()),
    reviewDate: isoDate('the review date'),
    notes: optionalText('Notes', 4000),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.parties.forEach((party, i) => {
      if (seen.has(party.organisationId)) ctx.addIssue({ code: 'custom', path: ['parties', i, 'organisationId'], message: 'Each organisation can be a party only once' });
      seen.add(party.organisationId);
      if (party.signatoryRole && !party.signatoryName) ctx.addIssue({ code: 'custom', path: ['parties', i, 'signatoryName'], message: 'Enter the signatory\'s name as well as their role' });
    });
    if (v.endDate && v.endDate < v.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'The end date must be on or after the start date' });
    if (v.reviewDate <= v.startDate) ctx.addIssue({ code: 'custom', path: ['reviewDate'], message: 'The review date must be after the start date' });
  });
export type CreateAgreementInput = z.input<typeof createAgreementSchema>;

export const signAgreementSchema = z.object({
  signatoryName: z.string({ error: 'Enter the name of the person signing' }).trim().min(2, 'Enter the name of the person signing').max(120, 'The name must be 120 characters or fewer'),
  signatoryRole: z
    .string({ error: 'Enter their role, like Caldicott guardian or data protection officer' })
    .trim()
    .min(2, 'Enter their role, like Caldicott guardian or data protection officer')
    .max(120, 'The role must be 120 characters or fewer'),
});

const reason = z
  .string({ error: 'Give the reason, in at least 10 characters' })
  .trim()
  .min(10, 'Give the reason, in at least 10 characters')
  .max(2000, 'The reason must be 2000 characters or fewer');

export const STATUS_ACTIONS = ['suspend', 'end', 'reinstate'] as const;
export const changeStatusSchema = z.object({
  action: z.enum(STATUS_ACTIONS, { error: 'Choose whether to suspend, end or reinstate the agreement' }),
  reason,
});

export const recordReviewSchema = z.object({
  nextReviewDate: isoDate('the next review date'),
  summary: z
    .string({ error: 'Say what the review found, in at least 10 characters' })
    .trim()
    .min(10, 'Say what the review found, in at least 10 characters')
    .max(2000, 'The summary must be 2000 characters or fewer'),
});

/** A query-string boolean: true or false; blank means no filter. */
const booleanish = z.preprocess((v) => (v === '' ? undefined : v === 'true' || v === 'yes' ? true : v === 'false' || v === 'no' ? false : v), z.boolean().optional());

export const agreementFilterSchema = z.object({
  organisationId: z.preprocess(blankToUndefined, z.uuid('Choose an organisation from the list').optional()),
  status: z.preprocess(blankToUndefined, z.enum(AGREEMENT_STATUSES, { error: 'Choose a status from the list' }).optional()),
  reviewDue: booleanish.meta({ description: `Only active agreements whose review is due within ${REVIEW_DUE_DAYS} days or overdue` }),
});
export type AgreementFilter = z.input<typeof agreementFilterSchema>;

export const coverageQuerySchema = z.object({
  from: z.uuid('Choose the organisation sharing the information'),
  to: z.uuid('Choose the organisation receiving it'),
  purpose,
  categories: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(category, { error: 'Choose at least one kind of information' }).min(1, 'Choose at least one kind of information'),
  ),
  date: z.preprocess(blankToUndefined, isoDate('the date of the share').optional()),
});

// ---------- results ----------

export interface AgreementView extends Agreement {
  /** Every party has signed. */
  allSigned: boolean;
  /** Whole days from today to the review date: negative when it is overdue. */
  daysToReview: number;
  /** Active, and its review is within REVIEW_DUE_DAYS days or overdue. */
  reviewDue: boolean;
}

export interface AgreementHistoryEntry {
  at: Date;
  action: string;
  by: string;
  reason: string | null;
  details: Record<string, unknown>;
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY));
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

const SUBJECT_TYPE = 'sharing-agreement';

/**
 * The register of information sharing agreements between organisations. Agreements are not
 * personal data: everyone signed in may read the register. The information-governance leads
 * of the parties manage an agreement (sign for their organisation, activate it once every party
 * has signed, suspend, end or reinstate it, record its reviews); a system administrator may
 * also add one. Every change, and every refusal, is audited.
 */
export class AgreementService {
  readonly #sharing: SharingRepository;
  readonly #orgs: OrganisationRepository;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: { sharing: SharingRepository; organisations: OrganisationRepository; audit: AuditService; now?: (() => Date) | undefined }) {
    this.#sharing = deps.sharing;
    this.#orgs = deps.organisations;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  #view(a: Agreement, today: string): AgreementView {
    const daysToReview = daysBetween(today, a.reviewDate);
    return { ...a, allSigned: a.parties.every((p) => p.signedAt !== null), daysToReview, reviewDue: a.status === 'active' && daysToReview <= REVIEW_DUE_DAYS };
  }

  async #deny(p: Principal, action: string, why: string, ctx: AuditContext, id?: string): Promise<never> {
    await this.#audit.record({ actor: actorOf(p), action: `${SUBJECT_TYPE}.${action}`, outcome: 'denied', subjectType: SUBJECT_TYPE, subjectId: id ?? null, reason: why, context: ctx });
    throw new ForbiddenError(why);
  }

  async #load(id: string): Promise<Agreement> {
    const a = await this.#sharing.agreement(id);
    if (!a) throw new NotFoundError('No such information sharing agreement');
    return a;
  }

  /** The IG lead of a party organisation, or a refusal (audited). */
  async #requirePartyLead(p: Principal, a: Agreement, action: string, ctx: AuditContext): Promise<void> {
    if (hasRole(p, 'ig_lead') && a.parties.some((x) => x.organisationId === p.organisationId)) return;
    await this.#deny(p, action, `Only the information-governance lead of an organisation that is party to ${a.reference} can do that`, ctx, a.id);
  }

  /** Whether this principal may manage the agreement (for offering the actions on a page). */
  mayManage(p: Principal, a: Pick<Agreement, 'parties'>): boolean {
    return hasRole(p, 'ig_lead') && a.parties.some((x) => x.organisationId === p.organisationId);
  }

  mayCreate(p: Principal): boolean {
    return hasRole(p, 'ig_lead', 'system_admin');
  }

  /** For the form pages: refuses (and audits the refusal) before a form is shown to someone who may not send it. */
  async assertMayCreate(p: Principal, ctx: AuditContext): Promise<void> {
    if (!this.mayCreate(p)) await this.#deny(p, 'create', 'Only an information-governance lead or a system administrator can add an agreement', ctx);
  }

  /** The agreement, for a party's IG lead about to act on it; refuses (audited) anyone else. */
  async forManager(p: Principal, id: string, action: 'sign' | 'activate' | 'status' | 'review', ctx: AuditContext): Promise<AgreementView> {
    const a = await this.#load(id);
    await this.#requirePartyLead(p, a, action, ctx);
    return this.#view(a, isoDay(this.#now()));
  }

  // ----- reading -----

  async list(_p: Principal, filter: AgreementFilter = {}): Promise<AgreementView[]> {
    const f = parse(agreementFilterSchema, filter);
    const today = isoDay(this.#now());
    const all = await this.#sharing.agreements({ organisationId: f.organisationId, status: f.status });
    const views = all.map((a) => this.#view(a, today));
    return f.reviewDue === true ? views.filter((a) => a.reviewDue) : f.reviewDue === false ? views.filter((a) => !a.reviewDue) : views;
  }

  async get(_p: Principal, id: string): Promise<AgreementView> {
    return this.#view(await this.#load(id), isoDay(this.#now()));
  }

  /** Active agreements whose review is due within REVIEW_DUE_DAYS days or overdue, most urgent first. */
  async reviewsDue(_p: Principal, organisationId?: string): Promise<AgreementView[]> {
    const today = isoDay(this.#now());
    const active = await this.#sharing.agreements({ status: 'active', organisationId });
    return active
      .map((a) => this.#view(a, today))
      .filter((a) => a.reviewDue)
      .sort((a, b) => a.daysToReview - b.daysToReview || a.reference.localeCompare(b.reference));
  }

  /** What happened to the agreement, newest first, from the audit log (agreements are not personal data). */
  async history(_p: Principal, id: string): Promise<AgreementHistoryEntry[]> {
    const entries: StoredAuditEntry[] = await this.#audit.search({ subjectId: id, limit: 200 });
    return entries
      .filter((e) => e.subjectType === SUBJECT_TYPE && e.outcome === 'success')
      .map((e) => ({ at: e.occurredAt, action: e.action.slice(SUBJECT_TYPE.length + 1), by: e.actorLabel, reason: e.reason, details: e.details }));
  }

  /** Whether an active agreement between the two organisations covers this purpose and every category. */
  async coverage(_p: Principal, query: unknown): Promise<AgreementCoverage & { date: string }> {
    const q = parse(coverageQuerySchema, query);
    if (q.from === q.to) throw new ValidationError({ to: 'Choose a different organisation: sharing within one organisation needs no agreement' });
    const [from, to] = await Promise.all([this.#orgs.findById(q.from), this.#orgs.findById(q.to)]);
    const unknown: Record<string, string> = {};
    if (!from) unknown.from = 'No such organisation';
    if (!to) unknown.to = 'No such organisation';
    if (Object.keys(unknown).length) throw new ValidationError(unknown);
    const date = q.date ?? isoDay(this.#now());
    const facts = await this.#sharing.agreementFactsBetween(q.from, q.to);
    return { ...agreementCoverage(facts, { fromOrganisationId: q.from, toOrganisationId: q.to, purpose: q.purpose, categories: q.categories, date }), date };
  }

  async purposes() {
    return this.#sharing.purposes();
  }

  /** The organisations that can be party to an agreement (active ones), by name. */
  async organisations(): Promise<Array<{ id: string; name: string }>> {
    return (await this.#orgs.list()).filter((o) => o.active).map((o) => ({ id: o.id, name: o.name }));
  }

  /** The legal bases in the order they are needed: UK GDPR article 6, article 9, criminal offence data, statutes, common law. */
  async legalBases() {
    const order = ['gdpr_article_6', 'gdpr_article_9', 'criminal_offence', 'statute', 'common_law'];
    return [...(await this.#sharing.legalBases()).values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.code.localeCompare(b.code));
  }

  // ----- changing -----

  async create(p: Principal, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    if (!this.mayCreate(p)) await this.#deny(p, 'create', 'Only an information-governance lead or a system administrator can add an agreement', ctx);
    const v = parse(createAgreementSchema, input);
    const problems: Record<string, string> = {};

    const orgs = await Promise.all(v.parties.map((x) => this.#orgs.findById(x.organisationId)));
    orgs.forEach((o, i) => {
      if (!o) problems[`parties.${i}.organisationId`] = 'No such organisation';
      else if (!o.active) problems[`parties.${i}.organisationId`] = `${o.name} is no longer active`;
    });
    if (!hasRole(p, 'system_admin') && !v.parties.some((x) => x.organisationId === p.organisationId)) {
      problems.parties = `Your organisation (${p.organisationName}) must be one of the parties: an information-governance lead adds agreements for their own organisation`;
    }

    const bases = await this.#sharing.legalBases();
    const unknownBases = v.legalBases.filter((c) => !bases.has(c));
    const chosen = v.legalBases.map((c) => bases.get(c)).filter((b) => b !== undefined);
    if (unknownBases.length) problems.legalBases = `Unknown legal basis: ${unknownBases.join(', ')}`;
    else if (!chosen.some((b) => b.kind === 'gdpr_article_6')) problems.legalBases = 'Choose at least one UK GDPR article 6 basis for sharing personal data';
    else if (v.categories.some((c) => SPECIAL_CATEGORIES.includes(c)) && !chosen.some((b) => b.kind === 'gdpr_article_9')) {
      problems.legalBases = 'Health information is special category data: choose a UK GDPR article 9 condition too';
    } else if (v.categories.some((c) => CRIMINAL_OFFENCE_CATEGORIES.includes(c)) && !chosen.some((b) => b.kind === 'criminal_offence')) {
      problems.legalBases = 'Police, probation and youth justice information is criminal offence data: choose a Data Protection Act 2018 schedule 1 condition too';
    }

    if (await this.#sharing.agreementByReference(v.reference)) problems.reference = `There is already an agreement with the reference ${v.reference}`;
    if (Object.keys(problems).length) throw new ValidationError(problems);

    const now = this.#now();
    const id = newId();
    try {
      await this.#sharing.insertAgreement(
        {
          id,
          reference: v.reference,
          title: v.title,
          purposes: [...new Set(v.purposes)],
          legal_bases: [...new Set(v.legalBases)],
          categories: [...new Set(v.categories)],
          retention: v.retention,
          start_date: v.startDate,
          end_date: v.endDate ?? null,
          review_date: v.reviewDate,
          status: 'draft',
          notes: v.notes ?? null,
          created_by: p.userId,
          created_at: now,
          updated_at: now,
          last_reviewed_at: null,
          last_reminded_at: null,
        },
        v.parties.map((x) => ({ organisationId: x.organisationId, signatoryName: x.signatoryName ?? null, signatoryRole: x.signatoryRole ?? null })),
      );
    } catch (err) {
      // Another request took the reference between the check and the insert.
      if ((err as { code?: unknown })?.code === '23505') throw new ValidationError({ reference: `There is already an agreement with the reference ${v.reference}` });
      throw err;
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: `${SUBJECT_TYPE}.create`,
      outcome: 'success',
      subjectType: SUBJECT_TYPE,
      subjectId: id,
      details: { reference: v.reference, parties: v.parties.map((x) => x.organisationId), purposes: v.purposes, legalBases: v.legalBases, categories: v.categories, reviewDate: v.reviewDate },
      context: ctx,
    });
    return { id };
  }

  /** The IG lead signs for their own organisation, while the agreement is a draft. */
  async sign(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const a = await this.#load(id);
    await this.#requirePartyLead(p, a, 'sign', ctx);
    const v = parse(signAgreementSchema, input);
    if (a.status !== 'draft') throw new ValidationError({ form: `${a.reference} is ${a.status}: only a draft is signed` });
    const now = this.#now();
    if (!(await this.#sharing.signAgreement(id, p.organisationId, { signatoryName: v.signatoryName, signatoryRole: v.signatoryRole, by: p.userId, at: now }))) {
      throw new ValidationError({ form: `${p.organisationName} has already signed ${a.reference}` });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: `${SUBJECT_TYPE}.sign`,
      outcome: 'success',
      subjectType: SUBJECT_TYPE,
      subjectId: id,
      details: { reference: a.reference, organisationId: p.organisationId, organisation: p.organisationName, signatoryName: v.signatoryName, signatoryRole: v.signatoryRole },
      context: ctx,
    });
  }

  /** Draft to active, once every party has signed and while its end date has not passed. */
  async activate(p: Principal, id: string, ctx: AuditContext): Promise<void> {
    const a = await this.#load(id);
    await this.#requirePartyLead(p, a, 'activate', ctx);
    if (a.status !== 'draft') throw new ValidationError({ form: `${a.reference} is ${a.status}: only a draft can be activated` });
    const unsigned = a.parties.filter((x) => x.signedAt === null).map((x) => x.organisationName);
    if (unsigned.length) throw new ValidationError({ form: `Every party must sign before the agreement is active: waiting for ${unsigned.join(', ')}` });
    const now = this.#now();
    const today = isoDay(now);
    if (a.endDate && a.endDate < today) throw new ValidationError({ form: `${a.reference} ended on ${a.endDate}: it cannot be made active` });
    if (!(await this.#sharing.transitionAgreement(id, ['draft'], { status: 'active' }, now))) {
      throw new ValidationError({ form: `${a.reference} is no longer a draft: someone else changed it` });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: `${SUBJECT_TYPE}.activate`,
      outcome: 'success',
      subjectType: SUBJECT_TYPE,
      subjectId: id,
      details: { reference: a.reference, from: 'draft', to: 'active' },
      context: ctx,
    });
  }

  /** Suspend (active), reinstate (suspended) or end (draft, active or suspended), with a reason. */
  async changeStatus(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<AgreementStatus> {
    const a = await this.#load(id);
    await this.#requirePartyLead(p, a, 'status', ctx);
    const v = parse(changeStatusSchema, input);
    const rules: Record<(typeof STATUS_ACTIONS)[number], { from: AgreementStatus[]; to: AgreementStatus }> = {
      suspend: { from: ['active'], to: 'suspended' },
      reinstate: { from: ['suspended'], to: 'active' },
      end: { from: ['draft', 'active', 'suspended'], to: 'ended' },
    };
    const rule = rules[v.action];
    if (!rule.from.includes(a.status)) {
      throw new ValidationError({
        action:
          v.action === 'suspend' ? `Only an active agreement can be suspended: ${a.reference} is ${a.status}`
          : v.action === 'reinstate' ? `Only a suspended agreement can be reinstated: ${a.reference} is ${a.status}`
          : `${a.reference} has already ended`,
      });
    }
    const now = this.#now();
    const today = isoDay(now);
    if (v.action === 'reinstate' && a.endDate && a.endDate < today) throw new ValidationError({ action: `${a.reference} ended on ${a.endDate}: it cannot be reinstated` });
    // Ending it today brings its end date forward (never before it started).
    const endDate = v.action === 'end' && today >= a.startDate && (a.endDate === null || a.endDate > today) ? today : undefined;
    if (!(await this.#sharing.transitionAgreement(id, rule.from, { status: rule.to, ...(endDate ? { end_date: endDate } : {}) }, now))) {
      throw new ValidationError({ action: `${a.reference} was changed by someone else meanwhile: look at it again` });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: `${SUBJECT_TYPE}.${v.action}`,
      outcome: 'success',
      subjectType: SUBJECT_TYPE,
      subjectId: id,
      reason: v.reason,
      details: { reference: a.reference, from: a.status, to: rule.to, ...(endDate ? { endDate } : {}) },
      context: ctx,
    });
    return rule.to;
  }

  /** Records that the agreement was reviewed and when it is next reviewed. */
  async recordReview(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const a = await this.#load(id);
    await this.#requirePartyLead(p, a, 'review', ctx);
    const v = parse(recordReviewSchema, input);
    if (a.status !== 'active' && a.status !== 'suspended') throw new ValidationError({ form: `${a.reference} is ${a.status}: only an active or suspended agreement is reviewed` });
    const now = this.#now();
    if (v.nextReviewDate <= isoDay(now)) throw new ValidationError({ nextReviewDate: 'The next review date must be in the future' });
    // A new review date starts a new round of reminders.
    if (!(await this.#sharing.transitionAgreement(id, ['active', 'suspended'], { review_date: v.nextReviewDate, last_reviewed_at: now, last_reminded_at: null }, now))) {
      throw new ValidationError({ form: `${a.reference} was changed by someone else meanwhile: look at it again` });
    }
    await this.#audit.record({
      actor: actorOf(p),
      action: `${SUBJECT_TYPE}.review`,
      outcome: 'success',
      subjectType: SUBJECT_TYPE,
      subjectId: id,
      reason: v.summary,
      details: { reference: a.reference, previousReviewDate: a.reviewDate, nextReviewDate: v.nextReviewDate },
      context: ctx,
    });
  }

  /**
   * Reminds the IG leads of every party to each active agreement whose review is due within
   * REVIEW_DUE_DAYS days or overdue, at most once every REMINDER_INTERVAL_DAYS days per agreement.
   * Safe to run as often as wanted, and from two servers at once: each reminder is claimed in the
   * same transaction that writes its notifications. Audited as `by` (the reminder job, or the system).
   */
  async remindReviews(now: Date = this.#now(), by: { actor: Actor; context?: AuditContext | undefined } = { actor: SYSTEM_ACTOR }): Promise<{ agreements: number; notifications: number }> {
    const today = isoDay(now);
    const remindedBefore = new Date(now.getTime() - REMINDER_INTERVAL_DAYS * DAY);
    const due = await this.#sharing.reviewsDue(addDays(today, REVIEW_DUE_DAYS), remindedBefore);
    let agreements = 0;
    let notifications = 0;
    for (const a of due) {
      const leads = await this.#sharing.igLeadsOf(a.parties.map((x) => x.organisationId));
      const days = daysBetween(today, a.reviewDate);
      const when = days < 0 ? `was due for review on ${a.reviewDate} (${-days} day${days === -1 ? '' : 's'} overdue)` : days === 0 ? 'is due for review today' : `is due for review on ${a.reviewDate} (in ${days} day${days === 1 ? '' : 's'})`;
      const rows = leads.map((l) => ({
        id: newId(),
        recipientUserId: l.userId,
        kind: 'agreement-review',
        message: `Information sharing agreement ${a.reference} (${a.title}) ${when}`,
        link: `/agreements/${a.id}`,
      }));
      if (!(await this.#sharing.claimReviewReminder(a.id, remindedBefore, now, rows))) continue;
      agreements += 1;
      notifications += rows.length;
      await this.#audit.record({
        actor: by.actor,
        action: `${SUBJECT_TYPE}.review.remind`,
        outcome: 'success',
        subjectType: SUBJECT_TYPE,
        subjectId: a.id,
        purpose: 'remind information-governance leads to review information sharing agreements',
        details: { reference: a.reference, reviewDate: a.reviewDate, daysToReview: days, notified: rows.length },
        context: by.context,
      });
    }
    return { agreements, notifications };
  }
}
