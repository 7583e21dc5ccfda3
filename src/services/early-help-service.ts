import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { completionProblems, domainSummary, mergePage, type Answers } from '../early-help/assessment.ts';
import { ASSESSMENT_PAGES, DOMAINS, elementsOf, type AssessmentPage, type DomainCode } from '../early-help/domains.ts';
import { agendaProblem, lateContribution, legalBasisProblems, MEETING_KIND_CODES, meetingKind, nextMeetingDate, type MeetingKind } from '../early-help/meetings.ts';
import { ACTION_STATUSES, DEFAULT_REVIEW_INTERVAL, dueForReminder, isOpen, nextReviewDue, overdueActions, progressAgainstPlan, REMINDER_EVERY_DAYS, reviewState, addDays } from '../early-help/plan.ts';
import { newId } from '../ids.ts';
import type { DataCategory, Decision, SubjectFacts } from '../policy/access-policy.ts';
import {
  earlyHelpAccess,
  leadProfessionalOf,
  mayContribute,
  mayManageMeeting,
  mayMinuteMeeting,
  mayReceiveContributions,
  mayUpdateAction,
  type EarlyHelpUse,
  type MeetingFacts,
} from '../policy/early-help.ts';
import { AccessDeniedError, requesterOf, type PolicyGate } from '../policy/policy-gate.ts';
import type { Action, Contribution, EarlyHelpRepository, Meeting } from '../repositories/early-help-repository.ts';
import type { OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { Involvement, PeopleRepository } from '../repositories/people-repository.ts';
import type { UserRepository } from '../repositories/user-repository.ts';
import type { ConsentService } from './consent-service.ts';
import { isoDate, londonDay, parse } from './person-service.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from './principal.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (label: string, max = 4000) => z.string({ error: `Enter ${label}` }).trim().min(1, `Enter ${label}`).max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);
const optionalText = (max = 4000) => z.preprocess(blank, z.string().trim().max(max, `Must be ${max} characters or fewer`).optional());
const uuid = (message: string) => z.uuid(message);

// ---------- input schemas (shared by pages and the API) ----------

export const openPlanSchema = z.object({
  reason: text('why the family needs early help', 2000),
  reviewIntervalDays: z.coerce.number({ error: 'Choose how often the plan is reviewed' }).int().min(7, 'Reviews are at least a week apart').max(182, 'Review the plan at least every six months').default(DEFAULT_REVIEW_INTERVAL),
});

const elementAnswer = z.object({ strengths: z.string().max(4000, 'Strengths must be 4000 characters or fewer').default(''), needs: z.string().max(4000, 'Needs must be 4000 characters or fewer').default('') });
export const domainPageSchema = z.object({ answers: z.record(z.string(), elementAnswer).default({}) });
export const wordsPageSchema = z.object({ childWords: optionalText(8000), familyWords: optionalText(8000) });
export const consentPageSchema = z
  .object({
    assessmentConsent: z.preprocess(blank, z.enum(['given', 'refused'], { error: 'Say whether the family consent to the assessment' }).optional()),
    givenBy: z.preprocess(blank, z.enum(['person', 'parental_responsibility', 'lawful_representative'], { error: 'Say who gave or refused consent' }).optional()),
    givenByName: optionalText(200),
    shareConsent: z.preprocess(blank, z.enum(['given', 'refused'], { error: 'Say whether the family consent to sharing the assessment' }).optional()),
    capacityAssessment: z.preprocess(blank, z.enum(['gillick', 'mental_capacity', 'presumed']).default('presumed')),
    capacityOutcome: z.preprocess(blank, z.enum(['capable', 'not_capable']).default('capable')),
    capacityReasoning: optionalText(4000),
  })
  .superRefine((v, ctx) => {
    if ((v.assessmentConsent || v.shareConsent) && !v.givenBy) ctx.addIssue({ code: 'custom', path: ['givenBy'], message: 'Say who gave or refused consent' });
  });

export const leadProfessionalSchema = z.object({
  userId: uuid('Choose the practitioner who will be the lead professional'),
  note: optionalText(4000),
});

export const actionSchema = z.object({
  description: text('what will be done', 1000),
  ownerId: uuid('Choose who will do it'),
  dueOn: isoDate('the date it is due by'),
});

export const updateActionSchema = z.object({
  status: z.enum(ACTION_STATUSES, { error: 'Choose the status' }),
  progressNote: optionalText(2000),
});

export const reviewSchema = z.object({
  summary: text('what the review found', 4000),
  reviewedOn: z.preprocess(blank, isoDate('the date of the review').optional()),
  meetingId: z.preprocess(blank, uuid('Choose a meeting').optional()),
});

export const closePlanSchema = z
  .object({
    outcome: z.enum(['needs_met', 'stepped_up', 'stepped_down', 'family_withdrew', 'moved_away'], { error: 'Choose the outcome' }),
    summary: text('a summary of the outcome', 4000),
    steppedToTeamId: z.preprocess(blank, uuid('Choose the team the family is passed to').optional()),
  })
  .superRefine((v, ctx) => {
    if ((v.outcome === 'stepped_up' || v.outcome === 'stepped_down') && !v.steppedToTeamId) {
      ctx.addIssue({ code: 'custom', path: ['steppedToTeamId'], message: v.outcome === 'stepped_up' ? "Choose the children's social care team the family is stepped up to" : 'Choose the universal service team the family is stepped down to' });
    }
  });

export const meetingSchema = z.object({
  kind: z.enum(MEETING_KIND_CODES, { error: 'Choose the kind of meeting' }),
  title: text('a title', 200),
  heldOn: isoDate('the date of the meeting'),
  location: optionalText(200),
  legalBases: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string()).default([])),
  attendeeIds: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(uuid('Choose attendees from the list')).max(60).default([])),
  previousMeetingId: z.preprocess(blank, uuid('Choose the previous meeting').optional()),
});

export const attendeeSchema = z.object({ userId: uuid('Choose the practitioner attending') });
export const agendaItemSchema = z.object({ subjectId: uuid('Choose the person to discuss'), reason: text('why they are on the agenda', 2000) });
export const contributionSchema = z.object({ body: text("your agency's contribution", 8000) });
export const decisionSchema = z.object({
  decision: text('what the meeting decided', 4000),
  allocateToUserId: z.preprocess(blank, uuid('Choose the practitioner to allocate the family to').optional()),
});
export const meetingActionSchema = actionSchema.extend({ agendaItemId: z.preprocess(blank, uuid('Choose the case the action is about').optional()) });
export const reviewActionSchema = updateActionSchema.extend({ subjectId: z.preprocess(blank, uuid('Must be a person id').optional()) });
export const heldSchema = z.object({ notes: optionalText(8000) });
export const indicatorSchema = z.object({
  name: text('the name of the indicator', 200),
  unit: text('the unit (for example %, families, days)', 40),
  target: z.preprocess(blank, z.coerce.number({ error: 'The target must be a number' }).optional()),
  higherIsBetter: z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean()),
});
export const indicatorValueSchema = z.object({
  indicatorId: uuid('Choose the indicator'),
  periodEnd: isoDate('the end of the period'),
  value: z.coerce.number({ error: 'The value must be a number' }).refine(Number.isFinite, 'The value must be a number'),
});

// ---------- views ----------

export interface TeamMember {
  involvementId: string;
  practitionerId: string | null;
  practitionerName: string | null;
  jobTitle: string | null;
  email: string | null;
  phone: string | null;
  teamName: string | null;
  organisationName: string;
  role: string;
  roleLabel: string;
  lead: boolean;
}

export interface ActionView extends Action {
  overdue: boolean;
}

const ROLE_FOR_STEP: Record<string, string> = { school: 'school', gp_practice: 'gp', nhs_trust: 'health_visitor', childrens_social_care: 'allocated_social_worker', local_authority: 'allocated_social_worker' };

/**
 * Early help: a child's plan (assessment, lead professional, team around the family, actions,
 * reviews, outcome) and multi-agency meetings. Every read and write about a person goes through the
 * PolicyGate (decide) and the early help rules (src/policy/early-help.ts), and is audited.
 */
export class EarlyHelpService {
  readonly #repo: EarlyHelpRepository;
  readonly #people: PeopleRepository;
  readonly #users: UserRepository;
  readonly #orgs: OrganisationRepository;
  readonly #consents: ConsentService;
  readonly #gate: PolicyGate;
  readonly #audit: AuditService;

  constructor(deps: { earlyHelp: EarlyHelpRepository; people: PeopleRepository; users: UserRepository; organisations: OrganisationRepository; consents: ConsentService; gate: PolicyGate; audit: AuditService }) {
    this.#repo = deps.earlyHelp;
    this.#people = deps.people;
    this.#users = deps.users;
    this.#orgs = deps.organisations;
    this.#consents = deps.consents;
    this.#gate = deps.gate;
    this.#audit = deps.audit;
  }

  #today(): string {
    return londonDay(this.#gate.now());
  }

  /** decide() on the child, narrowed by the early help rules, audited (allowed or refused) before anything is read or written. */
  async #access(p: Principal, subjectId: string, use: EarlyHelpUse, auditAction: string, purpose: string, ctx: AuditContext, details: Record<string, unknown> = {}): Promise<{ decision: Decision; facts: SubjectFacts }> {
    const action = use === 'read' ? 'read' : 'update';
    const categories: DataCategory[] = ['identity', 'involvements'];
    const found = (await this.#gate.decideMany(p, [subjectId], { action, categories, purpose })).get(subjectId);
    const req = { action, subjectId, categories, purpose, auditAction, details: { ...details, earlyHelp: use } } as const;
    if (!found || !found.facts.exists) {
      if (found) await this.#gate.record(p, req, found.decision, ctx);
      throw new NotFoundError('No such person');
    }
    const decision = earlyHelpAccess(requesterOf(p), found.facts, found.decision, use);
    await this.#gate.record(p, req, decision, ctx);
    if (!decision.allow) throw new AccessDeniedError(decision);
    return { decision, facts: found.facts };
  }

  async #audited(p: Principal | Actor, action: string, subjectType: string, subjectId: string, purpose: string, details: Record<string, unknown>, ctx: AuditContext, outcome: 'success' | 'denied' = 'success', reason?: string) {
    await this.#audit.record({ actor: 'userId' in p && 'email' in p ? actorOf(p as Principal) : (p as Actor), action, outcome, subjectType, subjectId, purpose, reason, details, context: ctx });
  }

  async #name(subjectId: string): Promise<{ name: string; dateOfBirth: string | null }> {
    const person = await this.#people.findPerson(subjectId);
    if (!person) throw new NotFoundError('No such person');
    const n = person.names.find((x) => x.kind === 'current') ?? person.names[0];
    return { name: n ? `${n.givenNames} ${n.familyName}` : 'Unnamed person', dateOfBirth: person.dateOfBirth };
  }

  // ----- the child's early help -----

  /** Everything about a child's early help the team around the family sees: plans (open and past), assessments, lead professional and team, actions, reviews, handovers. */
  async overview(p: Principal, subjectId: string, ctx: AuditContext) {
    const { decision, facts } = await this.#access(p, subjectId, 'read', 'early-help.read', 'coordinate early help', ctx);
    const today = this.#today();
    const [person, cases, assessments, involvements, actions, reviews, handovers] = await Promise.all([
      this.#name(subjectId),
      this.#repo.cases(subjectId),
      this.#repo.assessments(subjectId),
      this.#people.involvements([subjectId]),
      this.#repo.actions(subjectId),
      this.#repo.reviews(subjectId),
      this.#repo.handovers(subjectId),
    ]);
    const team = this.#team(involvements, decision, today);
    const open = cases.find((c) => c.status === 'open') ?? null;
    const withOverdue = (a: Action): ActionView => ({ ...a, overdue: isOpen(a) && a.dueOn < today });
    const r = requesterOf(p);
    return {
      subjectId,
      person,
      basis: decision.basis,
      openCase: open,
      cases,
      review: open ? reviewState(open.nextReviewDue, today) : null,
      assessments: assessments.map((a) => ({ ...a, summary: domainSummary(a.answers) })),
      draft: open ? (assessments.find((a) => a.caseId === open.id && a.status === 'draft') ?? null) : null,
      lead: team.find((t) => t.lead) ?? null,
      team,
      withheldInvolvements: decision.hiddenInvolvementIds.length,
      actions: actions.map(withOverdue),
      overdue: overdueActions(actions.filter((a) => !open || a.caseId === open.id || a.caseId === null), today).map(withOverdue),
      reviews,
      handovers,
      may: {
        write: earlyHelpAccess(r, facts, decision, 'write').allow,
        lead: earlyHelpAccess(r, facts, decision, 'lead').allow,
      },
      today,
    };
  }

  #team(involvements: Involvement[], decision: Decision, today: string): TeamMember[] {
    return involvements
      .filter((i) => !decision.hiddenInvolvementIds.includes(i.id) && (i.endDate === null || i.endDate > today) && (i.practitionerId || i.teamId))
      .map((i) => ({
        involvementId: i.id,
        practitionerId: i.practitionerId,
        practitionerName: i.practitionerName,
        jobTitle: i.practitionerJobTitle,
        email: i.practitionerEmail ?? i.teamEmail,
        phone: i.practitionerPhone ?? i.teamPhone,
        teamName: i.teamName,
        organisationName: i.organisationName,
        role: i.role,
        roleLabel: i.roleLabel,
        lead: i.role === 'lead_professional' && i.practitionerId !== null,
      }))
      .sort((a, b) => Number(b.lead) - Number(a.lead) || a.organisationName.localeCompare(b.organisationName));
  }

  async openPlan(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(openPlanSchema, input);
    await this.#access(p, subjectId, 'write', 'early-help.plan.open', 'start early help', ctx);
    const now = this.#gate.now();
    const id = newId();
    const ok = await this.#repo.insertCase({
      subject_id: subjectId,
      id,
      organisation_id: p.organisationId,
      opened_by: p.userId,
      opened_at: now,
      reason: v.reason,
      review_interval_days: v.reviewIntervalDays,
      next_review_due: nextReviewDue(this.#today(), v.reviewIntervalDays),
    });
    if (!ok) throw new ValidationError({ form: 'This child already has an open early help plan' });
    await this.#audited(p, 'early-help.plan.opened', 'person', subjectId, 'start early help', { caseId: id, reviewIntervalDays: v.reviewIntervalDays }, ctx);
    return { id };
  }

  async #openCaseOrFail(subjectId: string) {
    const c = await this.#repo.openCase(subjectId);
    if (!c) throw new ValidationError({ form: 'Start an early help plan for this child first' });
    return c;
  }

  // ----- the assessment -----

  /** Starts a draft assessment (or returns the draft already open): version 1, or the next version of the completed one. */
  async startAssessment(p: Principal, subjectId: string, ctx: AuditContext): Promise<{ id: string; version: number; resumed: boolean }> {
    await this.#access(p, subjectId, 'write', 'early-help.assessment.start', 'assess early help needs', ctx);
    const c = await this.#openCaseOrFail(subjectId);
    const all = (await this.#repo.assessments(subjectId)).filter((a) => a.caseId === c.id);
    const draft = all.find((a) => a.status === 'draft');
    if (draft) return { id: draft.id, version: draft.version, resumed: true };
    const latest = all.filter((a) => a.status === 'complete').sort((a, b) => b.version - a.version)[0] ?? null;
    const id = newId();
    if (!(await this.#repo.insertDraft({ subjectId, id, caseId: c.id, by: p.userId, at: this.#gate.now(), from: latest }))) {
      return this.startAssessment(p, subjectId, ctx);
    }
    await this.#audited(p, 'early-help.assessment.started', 'person', subjectId, 'assess early help needs', { assessmentId: id, version: latest ? latest.version + 1 : 1, from: latest?.id ?? null }, ctx);
    return { id, version: latest ? latest.version + 1 : 1, resumed: false };
  }

  async assessment(p: Principal, subjectId: string, id: string, ctx: AuditContext) {
    await this.#access(p, subjectId, 'read', 'early-help.assessment.read', 'coordinate early help', ctx, { assessmentId: id });
    const a = await this.#repo.findAssessment(subjectId, id);
    if (!a) throw new NotFoundError('No such assessment');
    const person = await this.#name(subjectId);
    return { ...a, person, summary: domainSummary(a.answers), problems: a.status === 'draft' ? completionProblems(a) : [] };
  }

  /**
   * Saves one page of a draft (save as you go): what is entered is kept even when other pages are
   * still empty. The consent page records consent to share through the consent service (a new
   * consent record each time the family's answer changes). A completed assessment is locked.
   */
  async saveAssessmentPage(p: Principal, subjectId: string, id: string, page: string, input: unknown, ctx: AuditContext): Promise<void> {
    if (!(ASSESSMENT_PAGES as readonly string[]).includes(page)) throw new NotFoundError('No such page of the assessment');
    const pg = page as AssessmentPage;
    const { facts } = await this.#access(p, subjectId, 'write', 'early-help.assessment.save', 'assess early help needs', ctx, { assessmentId: id, page });
    const a = await this.#repo.findAssessment(subjectId, id);
    if (!a) throw new NotFoundError('No such assessment');
    if (a.status !== 'draft') throw new ValidationError({ form: 'This assessment is complete and locked: start a new version to change it' });
    const now = this.#gate.now();
    let patch: Parameters<EarlyHelpRepository['saveDraft']>[3];
    if (pg === 'consent') {
      const v = parse(consentPageSchema, input);
      patch = { assessmentConsent: v.assessmentConsent ?? null, consentGivenBy: v.givenBy ?? null, consentGivenByName: v.givenByName ?? null, shareConsent: v.shareConsent ?? null };
      // Consent to the assessment itself is a consent record too (given or refused: both are decisions
      // kept on the person's consent history), for early help by the assessing organisation only.
      const record = (decision: NonNullable<typeof v.shareConsent>, recipientOrganisationIds: string[], categories: DataCategory[], notes: string) =>
        this.#consents.record(
          p,
          subjectId,
          {
            decision,
            givenBy: v.givenBy,
            givenByName: v.givenByName,
            capacityAssessment: v.capacityAssessment,
            capacityOutcome: v.capacityOutcome,
            capacityReasoning: v.capacityReasoning,
            purposes: ['early_help'],
            recipientOrganisationIds,
            categories,
            method: 'verbal',
            notes,
          },
          ctx,
        );
      const assessmentChanged = v.assessmentConsent && (v.assessmentConsent !== a.assessmentConsent || !a.assessmentConsentId || v.givenBy !== a.consentGivenBy || (v.givenByName ?? null) !== a.consentGivenByName);
      if (v.assessmentConsent && assessmentChanged) {
        const recorded = await record(v.assessmentConsent, [p.organisationId], ['identity', 'family', 'involvements'], `Consent to the early help assessment (version ${a.version}) by the assessing organisation`);
        patch.assessmentConsentId = recorded.id;
      } else if (!v.assessmentConsent) {
        patch.assessmentConsentId = null;
      }
      const changed = v.shareConsent && (v.shareConsent !== a.shareConsent || !a.sharingConsentId || v.givenBy !== a.consentGivenBy || (v.givenByName ?? null) !== a.consentGivenByName);
      if (v.shareConsent && changed) {
        const team = [...new Set([p.organisationId, ...facts.involvements.filter((i) => i.active).map((i) => i.organisationId)])];
        const recorded = await record(v.shareConsent, team, ['identity', 'whereabouts', 'family', 'involvements'], `Consent to share the early help assessment (version ${a.version}) with the team around the family`);
        patch.sharingConsentId = recorded.id;
      } else if (!v.shareConsent) {
        patch.sharingConsentId = null;
      }
    } else if (pg === 'words') {
      const v = parse(wordsPageSchema, input);
      patch = { childWords: v.childWords ?? null, familyWords: v.familyWords ?? null };
    } else {
      const v = parse(domainPageSchema, input);
      const domain = DOMAINS.find((d) => d.page === pg)!.code as DomainCode;
      const known = new Set<string>(elementsOf(domain).map((e) => e.code));
      const page: Answers = {};
      for (const [code, ans] of Object.entries(v.answers)) if (known.has(code)) page[code as keyof Answers] = ans;
      patch = { answers: mergePage(a.answers, domain, page) };
    }
    if (!(await this.#repo.saveDraft(subjectId, id, pg, patch, p.userId, now))) {
      throw new ValidationError({ form: 'This assessment is complete and locked: start a new version to change it' });
    }
    await this.#audited(p, 'early-help.assessment.saved', 'person', subjectId, 'assess early help needs', { assessmentId: id, page, version: a.version }, ctx);
  }

  /** Completes and locks a draft: refused, naming each missing part, until it is whole. */
  async completeAssessment(p: Principal, subjectId: string, id: string, ctx: AuditContext): Promise<void> {
    await this.#access(p, subjectId, 'write', 'early-help.assessment.complete', 'assess early help needs', ctx, { assessmentId: id });
    const a = await this.#repo.findAssessment(subjectId, id);
    if (!a) throw new NotFoundError('No such assessment');
    if (a.status !== 'draft') throw new ValidationError({ form: 'This assessment is already complete and locked' });
    const problems = completionProblems(a);
    if (problems.length) throw new ValidationError(Object.fromEntries(problems.map((x) => [`${x.page}.${x.field}`, x.message])));
    if (!(await this.#repo.completeAssessment(subjectId, id, p.userId, this.#gate.now()))) throw new ValidationError({ form: 'This assessment is already complete and locked' });
    await this.#audited(p, 'early-help.assessment.completed', 'person', subjectId, 'assess early help needs', { assessmentId: id, version: a.version }, ctx);
  }

  // ----- lead professional and the team -----

  /** Names the lead professional, or hands over to a new one: one involvement ends and the other starts, with the handover note. */
  async nameLeadProfessional(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(leadProfessionalSchema, input);
    const { facts } = await this.#access(p, subjectId, 'lead', 'early-help.lead-professional', 'name the lead professional', ctx, { to: v.userId });
    const c = await this.#openCaseOrFail(subjectId);
    await this.#handOver(p, subjectId, c.id, facts, v.userId, v.note ?? null, ctx);
  }

  async #handOver(p: Principal, subjectId: string, caseId: string, facts: SubjectFacts, toUserId: string, note: string | null, ctx: AuditContext, field = 'userId') {
    const to = await this.#users.findById(toUserId);
    if (!to || to.status !== 'active' || !to.roles.some((r) => ['practitioner', 'team_manager', 'mash_officer'].includes(r))) {
      throw new ValidationError({ [field]: 'Choose an active practitioner' });
    }
    const current = leadProfessionalOf(facts);
    if (current?.practitionerId === to.id) throw new ValidationError({ [field]: `${to.displayName} is already the lead professional` });
    const now = this.#gate.now();
    const ok = await this.#repo.handOver({
      subjectId,
      caseId,
      endInvolvementId: current?.id ?? null,
      endDate: this.#today(),
      endReason: `Handed over to ${to.displayName} as lead professional`,
      involvement: { id: newId(), organisationId: to.organisationId, teamId: to.teamIds[0] ?? null, practitionerId: to.id },
      handover: { id: newId(), fromUserId: current?.practitionerId ?? null, toUserId: to.id, note },
      by: p.userId,
      at: now,
    });
    if (!ok) throw new ValidationError({ form: 'The lead professional changed while you were doing this: look again' });
    await this.#people.insertNotifications(
      [{ id: newId(), recipientUserId: to.id, kind: 'early-help-lead-professional', subjectId, message: 'You are now the lead professional for a family', link: `/early-help/people/${subjectId}` }],
      now,
    );
    await this.#audited(p, 'early-help.lead-professional.handover', 'person', subjectId, 'name the lead professional', { caseId, from: current?.practitionerId ?? null, to: to.id }, ctx);
  }

  // ----- the plan -----

  async addAction(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(actionSchema, input);
    const { facts } = await this.#access(p, subjectId, 'write', 'early-help.action.add', 'plan early help', ctx);
    const c = await this.#openCaseOrFail(subjectId);
    const inTeam = facts.involvements.some((i) => i.active && i.practitionerId === v.ownerId);
    if (!inTeam) throw new ValidationError({ ownerId: 'The owner must be in the team around the family: record their involvement first' });
    const id = newId();
    await this.#repo.insertAction({ subjectId, id, caseId: c.id, meetingId: null, description: v.description, ownerId: v.ownerId, dueOn: v.dueOn, by: p.userId, at: this.#gate.now() });
    await this.#audited(p, 'early-help.action.added', 'person', subjectId, 'plan early help', { actionId: id, caseId: c.id, owner: v.ownerId, dueOn: v.dueOn }, ctx);
    return { id };
  }

  async updateAction(p: Principal, subjectId: string, actionId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(updateActionSchema, input);
    const { facts } = await this.#access(p, subjectId, 'write', 'early-help.action.update', 'plan early help', ctx, { actionId });
    const a = await this.#repo.findAction(subjectId, actionId);
    if (!a) throw new NotFoundError('No such action');
    const may = mayUpdateAction(requesterOf(p), facts, a);
    if (!may.allow) {
      await this.#audited(p, 'early-help.action.update', 'person', subjectId, 'plan early help', { actionId }, ctx, 'denied', may.reason);
      throw new ForbiddenError(may.reason);
    }
    await this.#repo.updateAction(subjectId, actionId, {
      status: v.status,
      progressNote: v.progressNote ?? a.progressNote,
      completedOn: v.status === 'done' ? (a.completedOn ?? this.#today()) : null,
      at: this.#gate.now(),
    });
    await this.#audited(p, 'early-help.action.updated', 'person', subjectId, 'plan early help', { actionId, status: v.status }, ctx);
  }

  /** A review: progress against the plan as it stands, what was found, and the next review date (the plan's interval on). */
  async recordReview(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<{ id: string; nextReviewDue: string }> {
    const v = parse(reviewSchema, input);
    await this.#access(p, subjectId, 'lead', 'early-help.review', 'review the early help plan', ctx);
    const c = await this.#openCaseOrFail(subjectId);
    const today = this.#today();
    const reviewedOn = v.reviewedOn ?? today;
    if (reviewedOn > today) throw new ValidationError({ reviewedOn: 'A review is recorded once it has been held: the date cannot be in the future' });
    if (v.meetingId) {
      // Only a meeting that discussed this child (and that the reviewer attended or runs) is linked: no other meeting's id.
      const m = await this.#repo.findMeeting(v.meetingId);
      const discussed = m && mayMinuteMeeting(requesterOf(p), this.#meetingFacts(m)).allow && (await this.#repo.agenda(m.id)).some((i) => i.subjectId === subjectId);
      if (!discussed) throw new ValidationError({ meetingId: 'Choose a meeting that discussed this child and that you attended' });
    }
    const actions = (await this.#repo.actions(subjectId)).filter((a) => a.caseId === c.id);
    const progress = progressAgainstPlan(actions, reviewedOn);
    const next = nextReviewDue(reviewedOn, c.reviewIntervalDays);
    const id = newId();
    await this.#repo.insertReview({ subject_id: subjectId, id, case_id: c.id, reviewed_on: reviewedOn, summary: v.summary, progress, next_review_due: next, meeting_id: v.meetingId ?? null, recorded_by: p.userId, recorded_at: this.#gate.now() });
    await this.#audited(p, 'early-help.review.recorded', 'person', subjectId, 'review the early help plan', { reviewId: id, caseId: c.id, done: progress.done, overdue: progress.overdue, nextReviewDue: next }, ctx);
    return { id, nextReviewDue: next };
  }

  /**
   * Closes the plan with its outcome. Stepping up (to children's social care) or down (to a universal
   * service) starts the receiving team's involvement, so they see the whole early help history.
   */
  async closePlan(p: Principal, subjectId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(closePlanSchema, input);
    const { facts } = await this.#access(p, subjectId, 'lead', 'early-help.plan.close', 'close the early help plan', ctx, { outcome: v.outcome });
    const c = await this.#openCaseOrFail(subjectId);
    // The lead professional is the family's single point of contact for the plan: that role ends with it.
    const lead = leadProfessionalOf(facts);
    const endLead = lead ? { involvementId: lead.id, endDate: this.#today(), reason: 'The early help plan was closed' } : null;
    const now = this.#gate.now();
    let steppedTo: Parameters<EarlyHelpRepository['closeCase']>[2]['steppedTo'] = null;
    if (v.steppedToTeamId && (v.outcome === 'stepped_up' || v.outcome === 'stepped_down')) {
      const team = await this.#orgs.findTeam(v.steppedToTeamId);
      const org = team ? await this.#orgs.findById(team.organisationId) : undefined;
      if (!team || !org) throw new ValidationError({ steppedToTeamId: 'Choose a recorded team' });
      const social = org.typeCode === 'childrens_social_care' || org.typeCode === 'local_authority';
      if (v.outcome === 'stepped_up' && !social) throw new ValidationError({ steppedToTeamId: "Stepping up goes to a children's social care team" });
      if (v.outcome === 'stepped_down' && social) throw new ValidationError({ steppedToTeamId: 'Stepping down goes to a universal service (a school, GP, health visiting or similar)' });
      const involvementId = newId();
      steppedTo = {
        organisationId: org.id,
        involvement: {
          subject_id: subjectId,
          id: involvementId,
          organisation_id: org.id,
          service_id: null,
          team_id: team.id,
          practitioner_id: null,
          role: v.outcome === 'stepped_up' ? 'allocated_social_worker' : (ROLE_FOR_STEP[org.typeCode] ?? 'key_worker'),
          start_date: this.#today(),
          end_date: null,
          early_help_assessment: false,
          consent_to_show: false,
          created_at: now,
          created_by: p.userId,
          ended_by: null,
          end_reason: null,
        },
      };
    }
    if (!(await this.#repo.closeCase(subjectId, c.id, { at: now, by: p.userId, outcome: v.outcome, summary: v.summary, steppedTo, endLead }))) {
      throw new ValidationError({ form: 'The plan is already closed' });
    }
    await this.#audited(p, 'early-help.plan.closed', 'person', subjectId, 'close the early help plan', { caseId: c.id, outcome: v.outcome, steppedToOrganisationId: steppedTo?.organisationId ?? null, steppedToTeamId: v.steppedToTeamId ?? null, endedLeadInvolvementId: endLead?.involvementId ?? null }, ctx);
  }

  // ----- tasks -----

  /**
   * A practitioner's task list: their open actions from plans and meetings, soonest first, with the
   * person's name where the policy shows it to them (their team, or they attended the meeting that
   * agreed it); otherwise withheld with the reason. Each person shown is audited.
   */
  async tasks(p: Principal, ctx: AuditContext) {
    const today = this.#today();
    const [{ personal, area }, plans] = await Promise.all([this.#repo.tasksOf(p.userId), this.#repo.openPlansFor(p.userId, p.teamIds)]);
    const subjects = [...new Set([...personal.map((a) => a.subjectId!), ...plans.map((x) => x.subjectId)])];
    const decisions = await this.#gate.decideMany(p, subjects, { action: 'read', categories: ['identity'], purpose: 'see my early help tasks' });
    // Meetings of personal and area actions in one look-up (no query per task).
    const meetings = await this.#repo.findMeetings([...personal, ...area].map((a) => a.meetingId).filter((x): x is string => Boolean(x)));
    const viaTeam = (s: string) => {
      const d = decisions.get(s);
      return Boolean(d?.decision.allowed.includes('identity') && d.decision.basis !== 'contact-minimum');
    };
    const viaMeeting = (a: Action) => {
      const m = a.meetingId ? meetings.get(a.meetingId) : undefined;
      return Boolean(m && mayReceiveContributions(requesterOf(p), this.#meetingFacts(m)).allow);
    };
    // Names only of people decide() (their team) or the meeting's legal basis shows them, read once for all.
    const shown = new Set<string>([...personal.filter((a) => viaTeam(a.subjectId!) || viaMeeting(a)).map((a) => a.subjectId!), ...plans.filter((x) => decisions.get(x.subjectId)?.decision.allowed.includes('identity')).map((x) => x.subjectId)]);
    const allNames = await this.#repo.names([...shown]);
    const names = new Map<string, string>([...shown].map((s) => [s, allNames.get(s) ?? 'Unnamed person']));
    const out = personal.map((a) => {
      const name = viaTeam(a.subjectId!) || viaMeeting(a) ? names.get(a.subjectId!)! : null;
      return { ...a, overdue: a.dueOn < today, personName: name, meetingTitle: (a.meetingId ? meetings.get(a.meetingId)?.title : null) ?? null, withheld: name ? null : 'The person is not named: you do not work with them and did not attend the meeting that agreed this' };
    });
    // The plans of the children the practitioner works with: named only where decide() shows their identity (their team).
    const myPlans = plans.filter((x) => decisions.get(x.subjectId)?.decision.allowed.includes('identity')).map((x) => ({ ...x, personName: names.get(x.subjectId)!, review: reviewState(x.nextReviewDue, today) }));
    await Promise.all(
      subjects.map((s) =>
        this.#audited(p, 'early-help.tasks.read', 'person', s, 'see my early help tasks', { actions: personal.filter((a) => a.subjectId === s).map((a) => a.id), plan: plans.some((x) => x.subjectId === s), named: names.has(s) }, ctx),
      ),
    );
    return {
      plans: myPlans,
      personal: out,
      area: area.map((a) => ({ ...a, overdue: a.dueOn < today, meetingTitle: meetings.get(a.meetingId!)?.title ?? null })),
      today,
    };
  }

  /** The job: each overdue action is reminded to its owner, and the child's lead professional is told, at most once a week per action. */
  async remindOverdue(now: Date, by: { actor: Actor; context: AuditContext }): Promise<{ overdue: number; reminded: number; notifications: number }> {
    const today = londonDay(now);
    const overdue = await this.#repo.overdueActions(today);
    const due = dueForReminder(overdue, today);
    const leads = await this.#repo.leadProfessionals([...new Set(due.map((a) => a.subjectId!))]);
    let reminded = 0;
    let notifications = 0;
    for (const a of due) {
      const link = `/early-help/people/${a.subjectId}`;
      const list = [{ id: newId(), recipientUserId: a.ownerId, kind: 'early-help-action-overdue', subjectId: a.subjectId, message: `An early help action you own was due on ${a.dueOn} and is not done`, link: '/early-help/tasks' }];
      const lead = leads.get(a.subjectId!);
      if (lead && lead !== a.ownerId) list.push({ id: newId(), recipientUserId: lead, kind: 'early-help-action-overdue', subjectId: a.subjectId, message: `An action in a plan you lead was due on ${a.dueOn} and is not done`, link });
      if (await this.#repo.claimReminder(a.subjectId!, a.id, today, addDays(today, -REMINDER_EVERY_DAYS), list, now)) {
        reminded++;
        notifications += list.length;
        await this.#audited(by.actor, 'early-help.action.overdue-reminder', 'person', a.subjectId!, 'remind owners of overdue early help actions', { actionId: a.id, dueOn: a.dueOn, notified: list.map((n) => n.recipientUserId) }, by.context);
      }
    }
    return { overdue: overdue.length, reminded, notifications };
  }

  // ----- meetings -----

  #meetingFacts(m: Meeting): MeetingFacts {
    return { organisationId: m.organisationId, createdBy: m.createdBy, attendeeIds: m.attendees.map((a) => a.userId), legalBases: m.legalBases };
  }

  async #meetingFor(p: Principal, id: string, need: 'see' | 'manage' | 'minute', ctx: AuditContext): Promise<Meeting> {
    const m = await this.#repo.findMeeting(id);
    if (!m) throw new NotFoundError('No such meeting');
    const f = this.#meetingFacts(m);
    const r = requesterOf(p);
    const decision =
      need === 'manage'
        ? mayManageMeeting(r, f)
        : need === 'minute'
          ? mayMinuteMeeting(r, f)
          : f.attendeeIds.includes(p.userId) || p.organisationId === m.organisationId || p.userId === m.createdBy
            ? { allow: true, reason: 'an attendee or the hosting organisation' }
            : { allow: false, reason: 'Only attendees and the hosting organisation see this meeting' };
    if (!decision.allow) {
      await this.#audited(p, `meeting.${need}`, 'meeting', id, 'multi-agency meeting', { kind: m.kind }, ctx, 'denied', decision.reason);
      throw new ForbiddenError(decision.reason);
    }
    return m;
  }

  async meetings(p: Principal) {
    return this.#repo.meetingsFor(p.userId, p.organisationId);
  }

  async createMeeting(p: Principal, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(meetingSchema, input);
    if (!p.roles.some((r) => ['practitioner', 'team_manager', 'mash_officer'].includes(r))) throw new ForbiddenError('Only practitioners and team managers set up meetings');
    const problems: Record<string, string> = {};
    const basisProblem = legalBasisProblems(v.legalBases, await this.#repo.legalBases());
    if (basisProblem) problems.legalBases = basisProblem;
    let seriesId = newId();
    if (v.previousMeetingId) {
      const prev = await this.#repo.findMeeting(v.previousMeetingId);
      if (!prev || !mayMinuteMeeting(requesterOf(p), this.#meetingFacts(prev)).allow) problems.previousMeetingId = 'Choose a meeting you attended or chair';
      else if (prev.kind !== v.kind) problems.previousMeetingId = 'The previous meeting must be of the same kind';
      else seriesId = prev.seriesId;
    }
    const attendees: Array<{ userId: string; organisationId: string }> = [{ userId: p.userId, organisationId: p.organisationId }];
    for (const [n, uid] of v.attendeeIds.entries()) {
      const u = await this.#users.findById(uid);
      if (!u || u.status !== 'active') problems[`attendeeIds.${n}`] = 'Choose active practitioners';
      else attendees.push({ userId: u.id, organisationId: u.organisationId });
    }
    if (Object.keys(problems).length) throw new ValidationError(problems);
    const id = newId();
    await this.#repo.insertMeeting(
      { id, series_id: seriesId, kind: v.kind, title: v.title, organisation_id: p.organisationId, held_on: v.heldOn, location: v.location ?? null, legal_bases: [...new Set(v.legalBases)], status: 'scheduled', notes: null, created_by: p.userId, created_at: this.#gate.now() },
      attendees,
    );
    await this.#audited(p, 'meeting.create', 'meeting', id, 'multi-agency meeting', { kind: v.kind, legalBases: v.legalBases, attendees: attendees.map((a) => a.userId), seriesId }, ctx);
    return { id };
  }

  /**
   * A meeting as this practitioner may see it. Attendees get the agenda of cases, each agency's
   * contribution, decisions and actions (each person audited on their record as shared under the
   * meeting's legal basis). Anyone else sees only that the meeting exists, with how many cases are
   * withheld and why; each withheld case is audited as refused.
   */
  async meeting(p: Principal, id: string, ctx: AuditContext) {
    const m = await this.#meetingFor(p, id, 'see', ctx);
    const r = requesterOf(p);
    const facts = this.#meetingFacts(m);
    const receive = mayReceiveContributions(r, facts);
    const agenda = await this.#repo.agenda(id);
    const [contributions, personalActions, previous, legalBases] = await Promise.all([
      receive.allow ? this.#repo.contributions(id) : Promise.resolve([] as Contribution[]),
      receive.allow ? this.#repo.actionsOfMeetings([id]) : Promise.resolve([] as Action[]),
      this.#repo.previousInSeries(m.seriesId, m.heldOn, m.id),
      this.#repo.legalBases(),
    ]);
    const today = this.#today();
    const items = [];
    // Names of the people on the agenda and in the previous meeting's actions: one look-up, only for attendees.
    const prevPersonal = previous && receive.allow && mayReceiveContributions(r, this.#meetingFacts(previous)).allow ? await this.#repo.actionsOfMeetings([previous.id]) : [];
    const names = receive.allow ? await this.#repo.names([...agenda.map((i) => i.subjectId), ...prevPersonal.map((a) => a.subjectId!)]) : new Map<string, string>();
    for (const item of agenda) {
      await this.#audited(
        p,
        'meeting.contribution.read',
        'person',
        item.subjectId,
        'multi-agency meeting',
        { meetingId: id, agendaItemId: item.id, legalBases: m.legalBases, basis: receive.allow ? 'meeting-attendee' : 'none', contributions: contributions.filter((c) => c.agendaItemId === item.id).map((c) => c.id) },
        ctx,
        receive.allow ? 'success' : 'denied',
        receive.reason,
      );
      if (!receive.allow) continue;
      items.push({
        ...item,
        person: { name: names.get(item.subjectId) ?? 'Unnamed person' },
        contributions: contributions.filter((c) => c.agendaItemId === item.id),
        actions: personalActions.filter((a) => a.subjectId === item.subjectId).map((a) => ({ ...a, overdue: isOpen(a) && a.dueOn < today })),
      });
    }
    // Actions agreed at the previous meeting of the series, reviewed at this one.
    let toReview: Array<Action & { overdue: boolean; personName: string | null }> = [];
    if (previous) {
      const prevArea = await this.#repo.areaActions([previous.id]);
      const named: Array<Action & { overdue: boolean; personName: string | null }> = [];
      for (const a of prevPersonal) {
        await this.#audited(p, 'meeting.action.read', 'person', a.subjectId!, 'multi-agency meeting', { meetingId: id, previousMeetingId: previous.id, actionId: a.id }, ctx);
        named.push({ ...a, overdue: isOpen(a) && a.dueOn < today, personName: names.get(a.subjectId!) ?? 'Unnamed person' });
      }
      toReview = [...named, ...prevArea.map((a) => ({ ...a, overdue: isOpen(a) && a.dueOn < today, personName: null }))];
    }
    const seriesMeetings = m.individualCases ? [] : await this.#repo.meetingIdsOfSeries(m.seriesId);
    const [areaActions, indicators] = m.individualCases ? [[], []] : await Promise.all([this.#repo.areaActions([m.id]), this.#repo.indicators(m.seriesId)]);
    return {
      ...m,
      legalBasisLabels: m.legalBases.map((c) => legalBases.find((b) => b.code === c)?.label ?? c),
      nextUsualDate: nextMeetingDate(m.kind as MeetingKind, m.heldOn),
      mayReceive: receive,
      contributionsClosed: lateContribution(m, today),
      withheldCases: receive.allow ? 0 : agenda.length,
      agenda: items,
      previous: previous ? { id: previous.id, title: previous.title, heldOn: previous.heldOn } : null,
      toReview,
      areaActions: areaActions.map((a) => ({ ...a, overdue: isOpen(a) && a.dueOn < today })),
      indicators,
      seriesMeetingCount: seriesMeetings.length,
      may: {
        manage: mayManageMeeting(r, facts).allow,
        minute: mayMinuteMeeting(r, facts).allow,
        contribute: mayContribute(r, facts).allow,
      },
    };
  }

  async addAttendee(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(attendeeSchema, input);
    await this.#meetingFor(p, id, 'manage', ctx);
    const u = await this.#users.findById(v.userId);
    if (!u || u.status !== 'active') throw new ValidationError({ userId: 'Choose an active practitioner' });
    await this.#repo.addAttendee(id, { userId: u.id, organisationId: u.organisationId, by: p.userId, at: this.#gate.now() });
    await this.#audited(p, 'meeting.attendee.add', 'meeting', id, 'multi-agency meeting', { userId: u.id }, ctx);
  }

  /** Puts a case on the agenda: this shares the person's identity with the attendees, so the gate must allow the chair to share it. */
  async addAgendaItem(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(agendaItemSchema, input);
    const m = await this.#meetingFor(p, id, 'manage', ctx);
    const problem = agendaProblem(m.kind as MeetingKind);
    if (problem) throw new ValidationError({ subjectId: problem });
    await this.#gate.check(
      p,
      { action: 'share', subjectId: v.subjectId, categories: ['identity'], purpose: 'multi-agency meeting', auditAction: 'meeting.agenda.add', details: { meetingId: id, legalBases: m.legalBases, recipients: m.attendees.map((a) => a.userId) } },
      ctx,
    );
    const itemId = newId();
    await this.#repo.insertAgendaItem({ subjectId: v.subjectId, id: itemId, meetingId: id, reason: v.reason, by: p.userId, at: this.#gate.now() });
    return { id: itemId };
  }

  /** Decisions and actions about a case are recorded by attendees only (who received what was shared); a refusal is audited on the person. */
  async #attendingFor(p: Principal, m: Meeting, subjectId: string, action: string, ctx: AuditContext): Promise<void> {
    const may = mayReceiveContributions(requesterOf(p), this.#meetingFacts(m));
    if (may.allow) return;
    await this.#audited(p, action, 'person', subjectId, 'multi-agency meeting', { meetingId: m.id }, ctx, 'denied', may.reason);
    throw new ForbiddenError('Only attendees record decisions and actions about the cases discussed');
  }

  async #agendaItem(meetingId: string, itemId: string) {
    const item = (await this.#repo.agenda(meetingId)).find((i) => i.id === itemId);
    if (!item) throw new NotFoundError('No such case on the agenda');
    return item;
  }

  /**
   * An agency's contribution about a case, prepared before the meeting: only by an attendee, about
   * someone their agency works with (the gate checks a share of what they hold), and shared with the
   * attendees only, under the meeting's legal basis (recorded on the person's audit trail).
   */
  async contribute(p: Principal, id: string, itemId: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(contributionSchema, input);
    const m = await this.#meetingFor(p, id, 'see', ctx);
    const item = await this.#agendaItem(id, itemId);
    const may = mayContribute(requesterOf(p), this.#meetingFacts(m));
    if (!may.allow) {
      await this.#audited(p, 'meeting.contribution.share', 'person', item.subjectId, 'multi-agency meeting', { meetingId: id }, ctx, 'denied', may.reason);
      throw new ForbiddenError(may.reason);
    }
    const late = lateContribution(m, this.#today());
    if (late) {
      await this.#audited(p, 'meeting.contribution.share', 'person', item.subjectId, 'multi-agency meeting', { meetingId: id, agendaItemId: itemId }, ctx, 'denied', late);
      throw new ValidationError({ body: late });
    }
    await this.#gate.check(
      p,
      {
        action: 'share',
        subjectId: item.subjectId,
        categories: ['identity', 'involvements'],
        purpose: 'multi-agency meeting',
        auditAction: 'meeting.contribution.share',
        details: { meetingId: id, agendaItemId: itemId, legalBases: m.legalBases, recipients: m.attendees.map((a) => a.userId) },
      },
      ctx,
    );
    const cid = newId();
    await this.#repo.insertContribution({ subjectId: item.subjectId, id: cid, meetingId: id, agendaItemId: itemId, organisationId: p.organisationId, authorId: p.userId, body: v.body, at: this.#gate.now() });
    return { id: cid };
  }

  /** What the meeting decided about a case; a locality hub may allocate the family to a lead professional (which opens the plan if none is open). */
  async decideItem(p: Principal, id: string, itemId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(decisionSchema, input);
    const m = await this.#meetingFor(p, id, 'minute', ctx);
    const item = await this.#agendaItem(id, itemId);
    await this.#attendingFor(p, m, item.subjectId, 'meeting.decision', ctx);
    if (v.allocateToUserId && m.kind !== 'locality_hub') throw new ValidationError({ allocateToUserId: 'Only a locality early help hub allocates families' });
    await this.#repo.decideAgendaItem(item.subjectId, itemId, v.decision, p.userId, this.#gate.now());
    await this.#audited(p, 'meeting.decision', 'person', item.subjectId, 'multi-agency meeting', { meetingId: id, agendaItemId: itemId, allocateTo: v.allocateToUserId ?? null }, ctx);
    if (v.allocateToUserId) {
      const { facts } = await this.#gate.check(p, { action: 'add-involvement', subjectId: item.subjectId, categories: ['involvements'], purpose: 'allocate early help', auditAction: 'early-help.allocate', details: { meetingId: id, to: v.allocateToUserId } }, ctx);
      const to = await this.#users.findById(v.allocateToUserId);
      if (!to) throw new ValidationError({ allocateToUserId: 'Choose an active practitioner' });
      let c = await this.#repo.openCase(item.subjectId);
      if (!c) {
        await this.#repo.insertCase({ subject_id: item.subjectId, id: newId(), organisation_id: to.organisationId, opened_by: p.userId, opened_at: this.#gate.now(), reason: item.reason, review_interval_days: DEFAULT_REVIEW_INTERVAL, next_review_due: nextReviewDue(this.#today(), DEFAULT_REVIEW_INTERVAL) });
        c = (await this.#repo.openCase(item.subjectId))!;
      }
      await this.#handOver(p, item.subjectId, c.id, facts, v.allocateToUserId, `Allocated at ${m.title} on ${m.heldOn}`, ctx, 'allocateToUserId');
    }
  }

  /** An action agreed at the meeting: about a case on the agenda (it appears in the owner's task list and the child's plan), or on an area meeting's action plan. */
  async addMeetingAction(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(meetingActionSchema, input);
    const m = await this.#meetingFor(p, id, 'minute', ctx);
    const owner = m.attendees.find((a) => a.userId === v.ownerId);
    const ownerUser = await this.#users.findById(v.ownerId);
    if (!ownerUser || ownerUser.status !== 'active') throw new ValidationError({ ownerId: 'Choose an active practitioner' });
    const aid = newId();
    const now = this.#gate.now();
    if (v.agendaItemId) {
      if (!owner) throw new ValidationError({ ownerId: 'The owner of an action about a case must be attending the meeting' });
      const item = await this.#agendaItem(id, v.agendaItemId);
      await this.#attendingFor(p, m, item.subjectId, 'meeting.action.add', ctx);
      const c = await this.#repo.openCase(item.subjectId);
      await this.#repo.insertAction({ subjectId: item.subjectId, id: aid, caseId: c?.id ?? null, meetingId: id, description: v.description, ownerId: v.ownerId, dueOn: v.dueOn, by: p.userId, at: now });
      await this.#audited(p, 'meeting.action.add', 'person', item.subjectId, 'multi-agency meeting', { meetingId: id, actionId: aid, owner: v.ownerId, dueOn: v.dueOn }, ctx);
    } else {
      if (m.individualCases) throw new ValidationError({ agendaItemId: 'Choose the case on the agenda the action is about' });
      await this.#repo.insertAreaAction({ meetingId: id, id: aid, description: v.description, ownerId: v.ownerId, dueOn: v.dueOn, by: p.userId, at: now });
      await this.#audited(p, 'meeting.action.add', 'meeting', id, 'multi-agency meeting', { actionId: aid, owner: v.ownerId, dueOn: v.dueOn }, ctx);
    }
    return { id: aid };
  }

  /** Reviews, at this meeting, an action agreed at the previous meeting of the series. */
  async reviewMeetingAction(p: Principal, id: string, actionId: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(reviewActionSchema, input);
    const m = await this.#meetingFor(p, id, 'minute', ctx);
    const previous = await this.#repo.previousInSeries(m.seriesId, m.heldOn, m.id);
    if (!previous) throw new ValidationError({ form: 'This meeting has no earlier meeting whose actions it reviews' });
    const now = this.#gate.now();
    if (v.subjectId) {
      const a = await this.#repo.findAction(v.subjectId, actionId);
      if (!a || a.meetingId !== previous.id) throw new NotFoundError('No such action from the previous meeting');
      if (!mayReceiveContributions(requesterOf(p), this.#meetingFacts(m)).allow) throw new ForbiddenError('Only attendees review the actions about cases');
      await this.#repo.updateAction(v.subjectId, actionId, { status: v.status, progressNote: v.progressNote ?? a.progressNote, completedOn: v.status === 'done' ? (a.completedOn ?? this.#today()) : null, reviewedMeetingId: id, at: now });
      await this.#audited(p, 'meeting.action.review', 'person', v.subjectId, 'multi-agency meeting', { meetingId: id, actionId, status: v.status }, ctx);
    } else {
      const a = await this.#repo.findAreaAction(previous.id, actionId);
      if (!a) throw new NotFoundError('No such action from the previous meeting');
      await this.#repo.updateAreaAction(previous.id, actionId, { status: v.status, progressNote: v.progressNote ?? a.progressNote, reviewedMeetingId: id, at: now });
      await this.#audited(p, 'meeting.action.review', 'meeting', id, 'multi-agency meeting', { actionId, status: v.status }, ctx);
    }
  }

  async markHeld(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(heldSchema, input);
    await this.#meetingFor(p, id, 'manage', ctx);
    await this.#repo.setMeetingStatus(id, 'held', v.notes ?? null);
    await this.#audited(p, 'meeting.held', 'meeting', id, 'multi-agency meeting', {}, ctx);
  }

  async addIndicator(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<{ id: string }> {
    const v = parse(indicatorSchema, input);
    const m = await this.#meetingFor(p, id, 'minute', ctx);
    if (m.individualCases) throw new ValidationError({ name: 'Performance indicators belong to area meetings' });
    const iid = newId();
    if (!(await this.#repo.insertIndicator({ seriesId: m.seriesId, id: iid, name: v.name, unit: v.unit, target: v.target ?? null, higherIsBetter: v.higherIsBetter, by: p.userId, at: this.#gate.now() }))) {
      throw new ValidationError({ name: 'These meetings already track an indicator of that name' });
    }
    await this.#audited(p, 'meeting.indicator.add', 'meeting', id, 'multi-agency meeting', { indicatorId: iid }, ctx);
    return { id: iid };
  }

  async recordIndicatorValue(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<void> {
    const v = parse(indicatorValueSchema, input);
    const m = await this.#meetingFor(p, id, 'minute', ctx);
    if (!(await this.#repo.indicators(m.seriesId)).some((i) => i.id === v.indicatorId)) throw new ValidationError({ indicatorId: 'Choose one of these meetings\' indicators' });
    await this.#repo.recordIndicatorValue({ seriesId: m.seriesId, indicatorId: v.indicatorId, periodEnd: v.periodEnd, value: v.value, meetingId: id, by: p.userId, at: this.#gate.now() });
    await this.#audited(p, 'meeting.indicator.value', 'meeting', id, 'multi-agency meeting', { indicatorId: v.indicatorId, periodEnd: v.periodEnd }, ctx);
  }

  // ----- reference data for forms -----

  async practitioners() {
    return this.#repo.activePractitioners();
  }

  async legalBases() {
    const order = ['gdpr_article_6', 'gdpr_article_9', 'criminal_offence', 'statute', 'common_law'];
    return (await this.#repo.legalBases()).filter((b) => !b.consent).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.code.localeCompare(b.code));
  }

  async stepTeams() {
    const [orgs, teams] = await Promise.all([this.#orgs.list(), this.#orgs.teams()]);
    return teams
      .map((t) => ({ ...t, organisation: orgs.find((o) => o.id === t.organisationId)! }))
      .filter((t) => t.organisation?.active)
      .map((t) => ({ id: t.id, name: t.name, organisationName: t.organisation.name, social: t.organisation.typeCode === 'childrens_social_care' || t.organisation.typeCode === 'local_authority' }));
  }

  meetingKind(code: string) {
    return meetingKind(code);
  }
}

/**
 * The demo's open early help plan (all invented): Jaydon Fletcher, 9, at Hollin Lane Primary after
 * his father's death (the Fletcher family of the demo). Beth Nolan of the family support trust is
 * already the lead professional; the plan has a completed assessment, three actions (one overdue),
 * a review, and a team around the family review meeting with the school's contribution.
 */
export async function loadEarlyHelpDemo(repo: EarlyHelpRepository, now: Date, userIds: ReadonlyMap<string, string>, orgIds: ReadonlyMap<string, string>): Promise<void> {
  const jaydon = await repo.subjectByIdentifier('nhs_number', '9990412065');
  const beth = userIds.get('family.support@familysupport.northbridge.example');
  const mark = userIds.get('dsl@hollinlane.northbridge.example');
  const gp = userIds.get('gp@riverside.northbridge.example');
  const vcs = orgIds.get('vcs');
  if (!jaydon || !beth || !mark || !gp || !vcs) return;
  const today = londonDay(now);
  const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const day = (days: number) => addDays(today, -days);
  const caseId = newId();
  await repo.insertCase({ subject_id: jaydon, id: caseId, organisation_id: vcs, opened_by: beth, opened_at: at(45), reason: 'Jaydon has been withdrawn at school since his father died; his mother is struggling and asked for help', review_interval_days: 42, next_review_due: day(-3) });
  const assessmentId = newId();
  await repo.insertDraft({ subjectId: jaydon, id: assessmentId, caseId, by: beth, at: at(44), from: null });
  await repo.saveDraft(jaydon, assessmentId, 'consent', { assessmentConsent: 'given', consentGivenBy: 'parental_responsibility', consentGivenByName: 'Kerry Fletcher', shareConsent: 'refused', sharingConsentId: null }, beth, at(44));
  const answers: Answers = {
    emotional_social: { strengths: 'Close to his younger sister; enjoys football club', needs: 'Grieving; tearful in class and withdrawn from friends' },
    learning: { strengths: 'Reading at the expected level', needs: 'Falling behind in maths since the spring' },
    emotional_warmth: { strengths: 'Kerry is warm and attentive', needs: 'Kerry is low and finds mornings hard' },
    family_history: { strengths: 'Grandmother nearby and willing to help', needs: 'Recent bereavement; no family support with the school run' },
  };
  await repo.saveDraft(jaydon, assessmentId, 'development', { answers }, beth, at(43));
  await repo.saveDraft(jaydon, assessmentId, 'words', { childWords: 'I miss Dad. I like it when Nan picks me up.', familyWords: 'Kerry: "I just need some help getting back on our feet."' }, beth, at(42));
  await repo.completeAssessment(jaydon, assessmentId, beth, at(42));
  const actions: Array<[string, string, number, 'not_started' | 'in_progress' | 'done']> = [
    ['Go with Kerry to the first bereavement support group session', beth, 20, 'done'],
    ['Refer Jaydon to the school counsellor', mark, 5, 'not_started'],
    ['Daily check-in with Jaydon at the start of school', mark, -30, 'in_progress'],
  ];
  for (const [description, owner, dueDaysAgo, status] of actions) {
    const id = newId();
    await repo.insertAction({ subjectId: jaydon, id, caseId, meetingId: null, description, ownerId: owner, dueOn: day(dueDaysAgo), by: beth, at: at(42) });
    if (status !== 'not_started') await repo.updateAction(jaydon, id, { status, progressNote: null, completedOn: status === 'done' ? day(dueDaysAgo + 2) : null, at: at(10) });
  }
  const meetingId = newId();
  await repo.insertMeeting(
    { id: meetingId, series_id: meetingId, kind: 'taf_review', title: 'Fletcher family: team around the family review', organisation_id: vcs, held_on: day(-7), location: 'Hollin Lane Primary School', legal_bases: ['gdpr_6_1_e', 'ca2004_s10'], status: 'scheduled', notes: null, created_by: beth, created_at: at(3) },
    [{ userId: beth, organisationId: vcs }],
  );
  const school = orgIds.get('school');
  if (school) await repo.addAttendee(meetingId, { userId: mark, organisationId: school, by: beth, at: at(3) });
  const surgery = orgIds.get('gp');
  if (surgery) await repo.addAttendee(meetingId, { userId: gp, organisationId: surgery, by: beth, at: at(3) });
  const itemId = newId();
  await repo.insertAgendaItem({ subjectId: jaydon, id: itemId, meetingId, reason: 'Six-week review of the early help plan', by: beth, at: at(3) });
  if (school) await repo.insertContribution({ subjectId: jaydon, id: newId(), meetingId, agendaItemId: itemId, organisationId: school, authorId: mark, body: 'Attendance 94% this half term. Settling better in mornings; still quiet at lunchtimes.', at: at(1) });
}
