import type { Insertable, Selectable, Transaction } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type {
  Database,
  EarlyHelpActionTable,
  EarlyHelpAssessmentTable,
  EarlyHelpCaseTable,
  EarlyHelpReviewTable,
  InvolvementTable,
  MeetingActionTable,
  MeetingTable,
} from '../db/schema.ts';
import { cleanAnswers, type Answers } from '../early-help/assessment.ts';
import type { ActionStatus } from '../early-help/plan.ts';

// ---------- records ----------

export interface EarlyHelpCase {
  subjectId: string;
  id: string;
  organisationId: string;
  organisationName: string;
  openedBy: string;
  openedByName: string;
  openedAt: Date;
  reason: string;
  reviewIntervalDays: number;
  nextReviewDue: string;
  status: 'open' | 'closed';
  closedAt: Date | null;
  closedBy: string | null;
  outcome: string | null;
  outcomeSummary: string | null;
  steppedToOrganisationId: string | null;
  steppedToOrganisationName: string | null;
}

export interface Assessment {
  subjectId: string;
  id: string;
  caseId: string;
  version: number;
  status: 'draft' | 'complete';
  answers: Answers;
  childWords: string | null;
  familyWords: string | null;
  assessmentConsent: 'given' | 'refused' | null;
  assessmentConsentId: string | null;
  consentGivenBy: 'person' | 'parental_responsibility' | 'lawful_representative' | null;
  consentGivenByName: string | null;
  shareConsent: 'given' | 'refused' | null;
  sharingConsentId: string | null;
  pagesSaved: string[];
  startedBy: string;
  startedAt: Date;
  updatedBy: string;
  updatedAt: Date;
  completedBy: string | null;
  completedByName: string | null;
  completedAt: Date | null;
}

export interface Action {
  subjectId: string | null;
  id: string;
  caseId: string | null;
  meetingId: string | null;
  description: string;
  ownerId: string;
  ownerName: string;
  ownerOrganisation: string;
  dueOn: string;
  status: ActionStatus;
  progressNote: string | null;
  completedOn: string | null;
  lastRemindedOn: string | null;
  reviewedMeetingId: string | null;
  createdAt: Date;
}

export interface Review {
  id: string;
  caseId: string;
  reviewedOn: string;
  summary: string;
  progress: unknown;
  nextReviewDue: string;
  meetingId: string | null;
  recordedBy: string;
  recordedByName: string;
}

export interface Handover {
  id: string;
  caseId: string;
  fromUserId: string | null;
  fromName: string | null;
  toUserId: string;
  toName: string;
  note: string | null;
  handedOverAt: Date;
}

export interface Meeting {
  id: string;
  seriesId: string;
  kind: string;
  kindLabel: string;
  individualCases: boolean;
  title: string;
  organisationId: string;
  organisationName: string;
  heldOn: string;
  location: string | null;
  legalBases: string[];
  status: 'scheduled' | 'held';
  notes: string | null;
  createdBy: string;
  attendees: Array<{ userId: string; name: string; organisationId: string; organisationName: string; jobTitle: string | null }>;
}

export interface AgendaItem {
  subjectId: string;
  id: string;
  meetingId: string;
  reason: string;
  addedBy: string;
  decision: string | null;
  decidedAt: Date | null;
}

export interface Contribution {
  subjectId: string;
  id: string;
  agendaItemId: string;
  organisationId: string;
  organisationName: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
}

export interface Indicator {
  id: string;
  name: string;
  unit: string;
  target: number | null;
  higherIsBetter: boolean;
  values: Array<{ periodEnd: string; value: number; meetingId: string }>;
}

export interface NewNotification {
  id: string;
  recipientUserId: string;
  kind: string;
  subjectId: string | null;
  message: string;
  link: string | null;
}

type Db = Transaction<Database> | DatabaseHandle['db'];

const caseOf = (r: Selectable<EarlyHelpCaseTable> & { organisation_name: string; opened_by_name: string; stepped_to_name: string | null }): EarlyHelpCase => ({
  subjectId: r.subject_id,
  id: r.id,
  organisationId: r.organisation_id,
  organisationName: r.organisation_name,
  openedBy: r.opened_by,
  openedByName: r.opened_by_name,
  openedAt: r.opened_at,
  reason: r.reason,
  reviewIntervalDays: r.review_interval_days,
  nextReviewDue: r.next_review_due,
  status: r.status,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
  outcome: r.outcome,
  outcomeSummary: r.outcome_summary,
  steppedToOrganisationId: r.stepped_to_organisation_id,
  steppedToOrganisationName: r.stepped_to_name,
});

const assessmentOf = (r: Selectable<EarlyHelpAssessmentTable> & { completed_by_name: string | null }): Assessment => ({
  subjectId: r.subject_id,
  id: r.id,
  caseId: r.case_id,
  version: r.version,
  status: r.status,
  answers: cleanAnswers(r.answers),
  childWords: r.child_words,
  familyWords: r.family_words,
  assessmentConsent: r.assessment_consent,
  assessmentConsentId: r.assessment_consent_id,
  consentGivenBy: r.consent_given_by,
  consentGivenByName: r.consent_given_by_name,
  shareConsent: r.share_consent,
  sharingConsentId: r.sharing_consent_id,
  pagesSaved: r.pages_saved,
  startedBy: r.started_by,
  startedAt: r.started_at,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
  completedBy: r.completed_by,
  completedByName: r.completed_by_name,
  completedAt: r.completed_at,
});

type ActionRow = (Selectable<EarlyHelpActionTable> | (Selectable<MeetingActionTable> & { subject_id: null; case_id: null; completed_on: null })) & {
  owner_name: string;
  owner_organisation: string;
};
const actionOf = (r: ActionRow): Action => ({
  subjectId: r.subject_id,
  id: r.id,
  caseId: r.case_id,
  meetingId: r.meeting_id,
  description: r.description,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  ownerOrganisation: r.owner_organisation,
  dueOn: r.due_on,
  status: r.status,
  progressNote: r.progress_note,
  completedOn: r.completed_on,
  lastRemindedOn: r.last_reminded_on,
  reviewedMeetingId: r.reviewed_meeting_id,
  createdAt: r.created_at,
});

/** Early help records and multi-agency meetings: the only code that builds their SQL. */
export class EarlyHelpRepository {
  readonly #h: DatabaseHandle;

  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  // ----- cases -----

  #cases(db: Db = this.#h.db) {
    return db
      .selectFrom('early_help_case as c')
      .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
      .innerJoin('app_user as u', 'u.id', 'c.opened_by')
      .leftJoin('organisation as s', 's.id', 'c.stepped_to_organisation_id')
      .selectAll('c')
      .select(['o.name as organisation_name', 'u.display_name as opened_by_name', 's.name as stepped_to_name']);
  }

  async cases(subjectId: string): Promise<EarlyHelpCase[]> {
    return (await this.#cases().where('c.subject_id', '=', subjectId).orderBy('c.opened_at', 'desc').execute()).map(caseOf);
  }

  async findCase(subjectId: string, id: string): Promise<EarlyHelpCase | undefined> {
    const r = await this.#cases().where('c.subject_id', '=', subjectId).where('c.id', '=', id).executeTakeFirst();
    return r ? caseOf(r) : undefined;
  }

  async openCase(subjectId: string): Promise<EarlyHelpCase | undefined> {
    const r = await this.#cases().where('c.subject_id', '=', subjectId).where('c.status', '=', 'open').executeTakeFirst();
    return r ? caseOf(r) : undefined;
  }

  /** False when the person already has an open early help plan (one at a time). */
  async insertCase(row: Omit<Selectable<EarlyHelpCaseTable>, 'closed_at' | 'closed_by' | 'outcome' | 'outcome_summary' | 'stepped_to_organisation_id' | 'stepped_to_involvement_id' | 'status'>): Promise<boolean> {
    const r = await this.#h.db
      .insertInto('early_help_case')
      .values({ ...row, status: 'open', closed_at: null, closed_by: null, outcome: null, outcome_summary: null, stepped_to_organisation_id: null, stepped_to_involvement_id: null })
      .onConflict((oc) => oc.column('subject_id').where('status', '=', 'open').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /**
   * Closes an open plan with its outcome; stepping up or down also starts the receiving
   * organisation's involvement (so its practitioners see the history), and the lead professional's
   * involvement ends with the plan, in the same transaction. False if it was already closed.
   */
  async closeCase(
    subjectId: string,
    id: string,
    c: { at: Date; by: string; outcome: string; summary: string; steppedTo: { organisationId: string; involvement: Insertable<InvolvementTable> } | null; endLead?: { involvementId: string; endDate: string; reason: string } | null },
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('early_help_case')
        .set({
          status: 'closed',
          closed_at: c.at,
          closed_by: c.by,
          outcome: c.outcome,
          outcome_summary: c.summary,
          stepped_to_organisation_id: c.steppedTo?.organisationId ?? null,
          stepped_to_involvement_id: c.steppedTo?.involvement.id ?? null,
        })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (c.steppedTo) await trx.insertInto('involvement').values(c.steppedTo.involvement).execute();
      if (c.endLead) {
        await trx
          .updateTable('involvement')
          .set({ end_date: c.endLead.endDate, ended_by: c.by, end_reason: c.endLead.reason })
          .where('subject_id', '=', subjectId)
          .where('id', '=', c.endLead.involvementId)
          .where('role', '=', 'lead_professional')
          .where('end_date', 'is', null)
          .execute();
      }
      return true;
    });
  }

  // ----- assessments -----

  #assessments(db: Db = this.#h.db) {
    return db.selectFrom('early_help_assessment as a').leftJoin('app_user as u', 'u.id', 'a.completed_by').selectAll('a').select('u.display_name as completed_by_name');
  }

  async assessments(subjectId: string): Promise<Assessment[]> {
    return (await this.#assessments().where('a.subject_id', '=', subjectId).orderBy('a.started_at', 'desc').orderBy('a.version', 'desc').execute()).map(assessmentOf);
  }

  async findAssessment(subjectId: string, id: string): Promise<Assessment | undefined> {
    const r = await this.#assessments().where('a.subject_id', '=', subjectId).where('a.id', '=', id).executeTakeFirst();
    return r ? assessmentOf(r) : undefined;
  }

  /** A new draft: version 1, or the next version copied from the newest completed one. False if a draft is already open for the plan. */
  async insertDraft(a: { subjectId: string; id: string; caseId: string; by: string; at: Date; from: Assessment | null }): Promise<boolean> {
    const f = a.from;
    const r = await this.#h.db
      .insertInto('early_help_assessment')
      .values({
        subject_id: a.subjectId,
        id: a.id,
        case_id: a.caseId,
        version: f ? f.version + 1 : 1,
        status: 'draft',
        answers: JSON.stringify(f?.answers ?? {}),
        child_words: f?.childWords ?? null,
        family_words: f?.familyWords ?? null,
        assessment_consent: f?.assessmentConsent ?? null,
        assessment_consent_id: f?.assessmentConsentId ?? null,
        consent_given_by: f?.consentGivenBy ?? null,
        consent_given_by_name: f?.consentGivenByName ?? null,
        share_consent: f?.shareConsent ?? null,
        sharing_consent_id: f?.sharingConsentId ?? null,
        pages_saved: f ? [...f.pagesSaved] : [],
        started_by: a.by,
        started_at: a.at,
        updated_by: a.by,
        updated_at: a.at,
        completed_by: null,
        completed_at: null,
      })
      .onConflict((oc) => oc.columns(['subject_id', 'case_id']).where('status', '=', 'draft').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Saves a page of a draft. False when it is no longer a draft (completed: locked). */
  async saveDraft(
    subjectId: string,
    id: string,
    page: string,
    patch: Partial<{ answers: Answers; childWords: string | null; familyWords: string | null; assessmentConsent: 'given' | 'refused' | null; assessmentConsentId: string | null; consentGivenBy: Assessment['consentGivenBy']; consentGivenByName: string | null; shareConsent: 'given' | 'refused' | null; sharingConsentId: string | null }>,
    by: string,
    at: Date,
  ): Promise<boolean> {
    const current = await this.findAssessment(subjectId, id);
    if (!current || current.status !== 'draft') return false;
    const pages = current.pagesSaved.includes(page) ? current.pagesSaved : [...current.pagesSaved, page];
    const r = await this.#h.db
      .updateTable('early_help_assessment')
      .set({
        ...(patch.answers !== undefined ? { answers: JSON.stringify(patch.answers) } : {}),
        ...(patch.childWords !== undefined ? { child_words: patch.childWords } : {}),
        ...(patch.familyWords !== undefined ? { family_words: patch.familyWords } : {}),
        ...(patch.assessmentConsent !== undefined ? { assessment_consent: patch.assessmentConsent } : {}),
        ...(patch.assessmentConsentId !== undefined ? { assessment_consent_id: patch.assessmentConsentId } : {}),
        ...(patch.consentGivenBy !== undefined ? { consent_given_by: patch.consentGivenBy } : {}),
        ...(patch.consentGivenByName !== undefined ? { consent_given_by_name: patch.consentGivenByName } : {}),
        ...(patch.shareConsent !== undefined ? { share_consent: patch.shareConsent } : {}),
        ...(patch.sharingConsentId !== undefined ? { sharing_consent_id: patch.sharingConsentId } : {}),
        pages_saved: pages,
        updated_by: by,
        updated_at: at,
      })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Completes (locks) a draft and marks the assessor's involvement as holding the early help assessment. */
  async completeAssessment(subjectId: string, id: string, by: string, at: Date): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('early_help_assessment')
        .set({ status: 'complete', completed_by: by, completed_at: at, updated_by: by, updated_at: at })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('involvement')
        .set({ early_help_assessment: true })
        .where('subject_id', '=', subjectId)
        .where('practitioner_id', '=', by)
        .where('end_date', 'is', null)
        .execute();
      return true;
    });
  }

  // ----- lead professional -----

  /** Names the lead professional: ends the current one's involvement (if any) and starts the new one's, with the handover, at once. */
  async handOver(h: {
    subjectId: string;
    caseId: string;
    endInvolvementId: string | null;
    endDate: string;
    endReason: string;
    involvement: { id: string; organisationId: string; teamId: string | null; practitionerId: string };
    handover: { id: string; fromUserId: string | null; toUserId: string; note: string | null };
    by: string;
    at: Date;
  }): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      if (h.endInvolvementId) {
        const r = await trx
          .updateTable('involvement')
          .set({ end_date: h.endDate, ended_by: h.by, end_reason: h.endReason })
          .where('subject_id', '=', h.subjectId)
          .where('id', '=', h.endInvolvementId)
          .where('end_date', 'is', null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
      }
      await trx
        .insertInto('involvement')
        .values({
          subject_id: h.subjectId,
          id: h.involvement.id,
          organisation_id: h.involvement.organisationId,
          service_id: null,
          team_id: h.involvement.teamId,
          practitioner_id: h.involvement.practitionerId,
          role: 'lead_professional',
          start_date: h.endDate,
          end_date: null,
          early_help_assessment: false,
          consent_to_show: false,
          created_at: h.at,
          created_by: h.by,
          ended_by: null,
          end_reason: null,
        })
        .execute();
      await trx
        .insertInto('early_help_handover')
        .values({
          subject_id: h.subjectId,
          id: h.handover.id,
          case_id: h.caseId,
          from_user_id: h.handover.fromUserId,
          to_user_id: h.handover.toUserId,
          involvement_id: h.involvement.id,
          note: h.handover.note,
          recorded_by: h.by,
          handed_over_at: h.at,
        })
        .execute();
      return true;
    });
  }

  async handovers(subjectId: string): Promise<Handover[]> {
    const rows = await this.#h.db
      .selectFrom('early_help_handover as h')
      .innerJoin('app_user as t', 't.id', 'h.to_user_id')
      .leftJoin('app_user as f', 'f.id', 'h.from_user_id')
      .select(['h.id', 'h.case_id', 'h.from_user_id', 'f.display_name as from_name', 'h.to_user_id', 't.display_name as to_name', 'h.note', 'h.handed_over_at'])
      .where('h.subject_id', '=', subjectId)
      .orderBy('h.handed_over_at', 'desc')
      .execute();
    return rows.map((r) => ({ id: r.id, caseId: r.case_id, fromUserId: r.from_user_id, fromName: r.from_name, toUserId: r.to_user_id, toName: r.to_name, note: r.note, handedOverAt: r.handed_over_at }));
  }

  // ----- actions -----

  #actions(db: Db = this.#h.db) {
    return db
      .selectFrom('early_help_action as a')
      .innerJoin('app_user as u', 'u.id', 'a.owner_id')
      .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
      .selectAll('a')
      .select(['u.display_name as owner_name', 'o.name as owner_organisation']);
  }

  async actions(subjectId: string): Promise<Action[]> {
    return (await this.#actions().where('a.subject_id', '=', subjectId).orderBy('a.due_on').orderBy('a.id').execute()).map(actionOf);
  }

  async findAction(subjectId: string, id: string): Promise<Action | undefined> {
    const r = await this.#actions().where('a.subject_id', '=', subjectId).where('a.id', '=', id).executeTakeFirst();
    return r ? actionOf(r) : undefined;
  }

  async insertAction(a: { subjectId: string; id: string; caseId: string | null; meetingId: string | null; description: string; ownerId: string; dueOn: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('early_help_action')
      .values({
        subject_id: a.subjectId,
        id: a.id,
        case_id: a.caseId,
        meeting_id: a.meetingId,
        description: a.description,
        owner_id: a.ownerId,
        due_on: a.dueOn,
        status: 'not_started',
        progress_note: null,
        completed_on: null,
        created_by: a.by,
        created_at: a.at,
        updated_at: a.at,
        last_reminded_on: null,
        reviewed_meeting_id: null,
      })
      .execute();
  }

  async updateAction(subjectId: string, id: string, u: { status: ActionStatus; progressNote: string | null; completedOn: string | null; reviewedMeetingId?: string | null; at: Date }): Promise<void> {
    await this.#h.db
      .updateTable('early_help_action')
      .set({
        status: u.status,
        progress_note: u.progressNote,
        completed_on: u.completedOn,
        updated_at: u.at,
        ...(u.reviewedMeetingId !== undefined ? { reviewed_meeting_id: u.reviewedMeetingId } : {}),
      })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .execute();
  }

  /** Open plans of children the practitioner (or one of their teams) works with: their early help caseload. */
  async openPlansFor(userId: string, teamIds: readonly string[], limit = 200): Promise<Array<{ subjectId: string; caseId: string; nextReviewDue: string; lead: boolean }>> {
    const rows = await this.#h.db
      .selectFrom('early_help_case as c')
      .innerJoin('involvement as i', (j) => j.onRef('i.subject_id', '=', 'c.subject_id'))
      .select(['c.subject_id', 'c.id', 'c.next_review_due', 'i.role', 'i.practitioner_id'])
      .where('c.status', '=', 'open')
      .where('i.end_date', 'is', null)
      .where((eb) => eb.or([eb('i.practitioner_id', '=', userId), ...(teamIds.length ? [eb('i.team_id', 'in', [...teamIds])] : [])]))
      .orderBy('c.next_review_due')
      .limit(limit * 4)
      .execute();
    const out = new Map<string, { subjectId: string; caseId: string; nextReviewDue: string; lead: boolean }>();
    for (const r of rows) {
      const lead = r.role === 'lead_professional' && r.practitioner_id === userId;
      const seen = out.get(r.subject_id);
      if (seen) seen.lead ||= lead;
      else out.set(r.subject_id, { subjectId: r.subject_id, caseId: r.id, nextReviewDue: r.next_review_due, lead });
    }
    return [...out.values()].slice(0, limit);
  }

  /** A practitioner's open actions: about people (plans and meetings) and on area action plans. */
  async tasksOf(userId: string): Promise<{ personal: Action[]; area: Action[] }> {
    const [personal, area] = await Promise.all([
      this.#actions().where('a.owner_id', '=', userId).where('a.status', 'in', ['not_started', 'in_progress']).orderBy('a.due_on').execute(),
      this.#meetingActions().where('a.owner_id', '=', userId).where('a.status', 'in', ['not_started', 'in_progress']).orderBy('a.due_on').execute(),
    ]);
    return { personal: personal.map(actionOf), area: area.map((r) => actionOf({ ...r, subject_id: null, case_id: null, completed_on: null })) };
  }

  /** Open actions about people due before `today` (candidates for a reminder). */
  async overdueActions(today: string, limit = 1000): Promise<Action[]> {
    return (await this.#actions().where('a.status', 'in', ['not_started', 'in_progress']).where('a.due_on', '<', today).orderBy('a.due_on').limit(limit).execute()).map(actionOf);
  }

  /**
   * Claims one overdue action's reminder for today and writes its notifications, in one transaction,
   * only if it was not reminded since `remindedBefore` (so two runs never both remind).
   */
  async claimReminder(subjectId: string, id: string, today: string, remindedBefore: string, notifications: NewNotification[], at: Date): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('early_help_action')
        .set({ last_reminded_on: today })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('status', 'in', ['not_started', 'in_progress'])
        .where((eb) => eb.or([eb('last_reminded_on', 'is', null), eb('last_reminded_on', '<=', remindedBefore)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: n.subjectId, message: n.message, link: n.link, created_at: at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  // ----- reviews -----

  async insertReview(r: Omit<Selectable<EarlyHelpReviewTable>, 'progress'> & { progress: unknown }): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx.insertInto('early_help_review').values({ ...r, progress: JSON.stringify(r.progress) }).execute();
      await trx.updateTable('early_help_case').set({ next_review_due: r.next_review_due }).where('subject_id', '=', r.subject_id).where('id', '=', r.case_id).execute();
    });
  }

  async reviews(subjectId: string): Promise<Review[]> {
    const rows = await this.#h.db
      .selectFrom('early_help_review as r')
      .innerJoin('app_user as u', 'u.id', 'r.recorded_by')
      .selectAll('r')
      .select('u.display_name as recorded_by_name')
      .where('r.subject_id', '=', subjectId)
      .orderBy('r.reviewed_on', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      reviewedOn: r.reviewed_on,
      summary: r.summary,
      progress: r.progress,
      nextReviewDue: r.next_review_due,
      meetingId: r.meeting_id,
      recordedBy: r.recorded_by,
      recordedByName: r.recorded_by_name,
    }));
  }

  // ----- meetings -----

  async insertMeeting(m: Selectable<MeetingTable>, attendees: Array<{ userId: string; organisationId: string }>): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx.insertInto('meeting').values(m).execute();
      if (attendees.length) {
        await trx
          .insertInto('meeting_attendee')
          .values(attendees.map((a) => ({ meeting_id: m.id, user_id: a.userId, organisation_id: a.organisationId, added_by: m.created_by, added_at: m.created_at })))
          .onConflict((oc) => oc.columns(['meeting_id', 'user_id']).doNothing())
          .execute();
      }
    });
  }

  async addAttendee(meetingId: string, a: { userId: string; organisationId: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('meeting_attendee')
      .values({ meeting_id: meetingId, user_id: a.userId, organisation_id: a.organisationId, added_by: a.by, added_at: a.at })
      .onConflict((oc) => oc.columns(['meeting_id', 'user_id']).doNothing())
      .execute();
  }

  async #attendees(meetingIds: readonly string[]) {
    if (meetingIds.length === 0) return [];
    return this.#h.db
      .selectFrom('meeting_attendee as a')
      .innerJoin('app_user as u', 'u.id', 'a.user_id')
      .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
      .select(['a.meeting_id', 'a.user_id', 'u.display_name', 'u.job_title', 'a.organisation_id', 'o.name as organisation_name'])
      .where('a.meeting_id', 'in', [...meetingIds])
      .orderBy('o.name')
      .orderBy('u.display_name')
      .execute();
  }

  #meetings() {
    return this.#h.db
      .selectFrom('meeting as m')
      .innerJoin('meeting_kind as k', 'k.code', 'm.kind')
      .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
      .selectAll('m')
      .select(['k.label as kind_label', 'k.individual_cases', 'o.name as organisation_name']);
  }

  async #withAttendees(rows: Array<Selectable<MeetingTable> & { kind_label: string; individual_cases: boolean; organisation_name: string }>): Promise<Meeting[]> {
    const attendees = await this.#attendees(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      seriesId: r.series_id,
      kind: r.kind,
      kindLabel: r.kind_label,
      individualCases: r.individual_cases,
      title: r.title,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      heldOn: r.held_on,
      location: r.location,
      legalBases: r.legal_bases,
      status: r.status,
      notes: r.notes,
      createdBy: r.created_by,
      attendees: attendees
        .filter((a) => a.meeting_id === r.id)
        .map((a) => ({ userId: a.user_id, name: a.display_name, organisationId: a.organisation_id, organisationName: a.organisation_name, jobTitle: a.job_title })),
    }));
  }

  async findMeeting(id: string): Promise<Meeting | undefined> {
    const rows = await this.#meetings().where('m.id', '=', id).execute();
    return (await this.#withAttendees(rows))[0];
  }

  /** Several meetings at once, with their attendees (two queries whatever the number). */
  async findMeetings(ids: readonly string[]): Promise<Map<string, Meeting>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#meetings().where('m.id', 'in', [...new Set(ids)]).execute();
    return new Map((await this.#withAttendees(rows)).map((m) => [m.id, m]));
  }

  /** Meetings a practitioner attends, set up, or that their organisation hosts; newest first. */
  async meetingsFor(userId: string, organisationId: string, limit = 200): Promise<Meeting[]> {
    const rows = await this.#meetings()
      .where((eb) =>
        eb.or([
          eb('m.created_by', '=', userId),
          eb('m.organisation_id', '=', organisationId),
          eb.exists(eb.selectFrom('meeting_attendee as a').select('a.user_id').whereRef('a.meeting_id', '=', 'm.id').where('a.user_id', '=', userId)),
        ]),
      )
      .orderBy('m.held_on', 'desc')
      .limit(limit)
      .execute();
    return this.#withAttendees(rows);
  }

  /** The meeting of the same series held just before this one (whose actions this one reviews). */
  async previousInSeries(seriesId: string, heldOn: string, id: string): Promise<Meeting | undefined> {
    const rows = await this.#meetings()
      .where('m.series_id', '=', seriesId)
      .where('m.id', '!=', id)
      .where('m.held_on', '<=', heldOn)
      .orderBy('m.held_on', 'desc')
      .orderBy('m.created_at', 'desc')
      .limit(1)
      .execute();
    return (await this.#withAttendees(rows))[0];
  }

  async setMeetingStatus(id: string, status: 'scheduled' | 'held', notes: string | null): Promise<void> {
    await this.#h.db.updateTable('meeting').set({ status, notes }).where('id', '=', id).execute();
  }

  async agenda(meetingId: string): Promise<AgendaItem[]> {
    const rows = await this.#h.db.selectFrom('meeting_agenda_item').selectAll().where('meeting_id', '=', meetingId).orderBy('added_at').orderBy('id').execute();
    return rows.map((r) => ({ subjectId: r.subject_id, id: r.id, meetingId: r.meeting_id, reason: r.reason, addedBy: r.added_by, decision: r.decision, decidedAt: r.decided_at }));
  }

  async insertAgendaItem(a: { subjectId: string; id: string; meetingId: string; reason: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('meeting_agenda_item')
      .values({ subject_id: a.subjectId, id: a.id, meeting_id: a.meetingId, reason: a.reason, added_by: a.by, added_at: a.at, decision: null, decided_by: null, decided_at: null })
      .execute();
  }

  async decideAgendaItem(subjectId: string, id: string, decision: string, by: string, at: Date): Promise<void> {
    await this.#h.db.updateTable('meeting_agenda_item').set({ decision, decided_by: by, decided_at: at }).where('subject_id', '=', subjectId).where('id', '=', id).execute();
  }

  async contributions(meetingId: string): Promise<Contribution[]> {
    const rows = await this.#h.db
      .selectFrom('meeting_contribution as c')
      .innerJoin('app_user as u', 'u.id', 'c.author_id')
      .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
      .selectAll('c')
      .select(['u.display_name as author_name', 'o.name as organisation_name'])
      .where('c.meeting_id', '=', meetingId)
      .orderBy('c.created_at')
      .execute();
    return rows.map((r) => ({
      subjectId: r.subject_id,
      id: r.id,
      agendaItemId: r.agenda_item_id,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      authorId: r.author_id,
      authorName: r.author_name,
      body: r.body,
      createdAt: r.created_at,
    }));
  }

  async insertContribution(c: { subjectId: string; id: string; meetingId: string; agendaItemId: string; organisationId: string; authorId: string; body: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('meeting_contribution')
      .values({ subject_id: c.subjectId, id: c.id, meeting_id: c.meetingId, agenda_item_id: c.agendaItemId, organisation_id: c.organisationId, author_id: c.authorId, body: c.body, created_at: c.at })
      .execute();
  }

  /** Actions about people agreed at these meetings. */
  async actionsOfMeetings(meetingIds: readonly string[]): Promise<Action[]> {
    if (meetingIds.length === 0) return [];
    return (await this.#actions().where('a.meeting_id', 'in', [...meetingIds]).orderBy('a.due_on').execute()).map(actionOf);
  }

  // ----- area action plans and indicators -----

  #meetingActions() {
    return this.#h.db
      .selectFrom('meeting_action as a')
      .innerJoin('app_user as u', 'u.id', 'a.owner_id')
      .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
      .selectAll('a')
      .select(['u.display_name as owner_name', 'o.name as owner_organisation']);
  }

  async areaActions(meetingIds: readonly string[]): Promise<Action[]> {
    if (meetingIds.length === 0) return [];
    const rows = await this.#meetingActions().where('a.meeting_id', 'in', [...meetingIds]).orderBy('a.due_on').execute();
    return rows.map((r) => actionOf({ ...r, subject_id: null, case_id: null, completed_on: null }));
  }

  async findAreaAction(meetingId: string, id: string): Promise<Action | undefined> {
    const r = await this.#meetingActions().where('a.meeting_id', '=', meetingId).where('a.id', '=', id).executeTakeFirst();
    return r ? actionOf({ ...r, subject_id: null, case_id: null, completed_on: null }) : undefined;
  }

  async insertAreaAction(a: { meetingId: string; id: string; description: string; ownerId: string; dueOn: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('meeting_action')
      .values({
        meeting_id: a.meetingId,
        id: a.id,
        description: a.description,
        owner_id: a.ownerId,
        due_on: a.dueOn,
        status: 'not_started',
        progress_note: null,
        created_by: a.by,
        created_at: a.at,
        updated_at: a.at,
        last_reminded_on: null,
        reviewed_meeting_id: null,
      })
      .execute();
  }

  async updateAreaAction(meetingId: string, id: string, u: { status: ActionStatus; progressNote: string | null; reviewedMeetingId?: string | null; at: Date }): Promise<void> {
    await this.#h.db
      .updateTable('meeting_action')
      .set({ status: u.status, progress_note: u.progressNote, updated_at: u.at, ...(u.reviewedMeetingId !== undefined ? { reviewed_meeting_id: u.reviewedMeetingId } : {}) })
      .where('meeting_id', '=', meetingId)
      .where('id', '=', id)
      .execute();
  }

  async meetingIdsOfSeries(seriesId: string): Promise<string[]> {
    return (await this.#h.db.selectFrom('meeting').select('id').where('series_id', '=', seriesId).execute()).map((r) => r.id);
  }

  async indicators(seriesId: string): Promise<Indicator[]> {
    const [inds, values] = await Promise.all([
      this.#h.db.selectFrom('meeting_indicator').selectAll().where('series_id', '=', seriesId).orderBy('created_at').execute(),
      this.#h.db.selectFrom('meeting_indicator_value').selectAll().where('series_id', '=', seriesId).orderBy('period_end').execute(),
    ]);
    return inds.map((i) => ({
      id: i.id,
      name: i.name,
      unit: i.unit,
      target: i.target,
      higherIsBetter: i.higher_is_better,
      values: values.filter((v) => v.indicator_id === i.id).map((v) => ({ periodEnd: v.period_end, value: Number(v.value), meetingId: v.meeting_id })),
    }));
  }

  /** False when the series already has an indicator of that name (whatever the case). */
  async insertIndicator(i: { seriesId: string; id: string; name: string; unit: string; target: number | null; higherIsBetter: boolean; by: string; at: Date }): Promise<boolean> {
    const existing = await this.#h.db.selectFrom('meeting_indicator').select('id').where('series_id', '=', i.seriesId).where((eb) => eb(eb.fn('lower', ['name']), '=', i.name.toLowerCase())).executeTakeFirst();
    if (existing) return false;
    await this.#h.db
      .insertInto('meeting_indicator')
      .values({ series_id: i.seriesId, id: i.id, name: i.name, unit: i.unit, target: i.target, higher_is_better: i.higherIsBetter, created_by: i.by, created_at: i.at })
      .execute();
    return true;
  }

  /** Records (or corrects) an indicator's value for a period. */
  async recordIndicatorValue(v: { seriesId: string; indicatorId: string; periodEnd: string; value: number; meetingId: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .insertInto('meeting_indicator_value')
      .values({ series_id: v.seriesId, indicator_id: v.indicatorId, period_end: v.periodEnd, value: v.value, meeting_id: v.meetingId, recorded_by: v.by, recorded_at: v.at })
      .onConflict((oc) => oc.columns(['series_id', 'indicator_id', 'period_end']).doUpdateSet({ value: v.value, meeting_id: v.meetingId, recorded_by: v.by, recorded_at: v.at }))
      .execute();
  }

  // ----- people's names for pages (only after the policy allowed identity) -----

  async activePractitioners(): Promise<Array<{ id: string; name: string; organisationId: string; organisationName: string; jobTitle: string | null }>> {
    const rows = await this.#h.db
      .selectFrom('app_user as u')
      .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
      .innerJoin('user_role as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.display_name', 'u.organisation_id', 'o.name as organisation_name', 'u.job_title'])
      .where('u.status', '=', 'active')
      .where('r.role_code', 'in', ['practitioner', 'team_manager', 'mash_officer'])
      .distinct()
      .orderBy('o.name')
      .orderBy('u.display_name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.display_name, organisationId: r.organisation_id, organisationName: r.organisation_name, jobTitle: r.job_title }));
  }

  async legalBases(): Promise<Array<{ code: string; kind: string; label: string; consent: boolean }>> {
    return this.#h.db.selectFrom('legal_basis').select(['code', 'kind', 'label', 'consent']).orderBy('code').execute();
  }

  async outcomes(): Promise<Array<{ code: string; label: string }>> {
    return this.#h.db.selectFrom('early_help_outcome').select(['code', 'label']).orderBy('code').execute();
  }

  async domainCodes(): Promise<{ domains: string[]; elements: Array<{ code: string; domain: string }> }> {
    const [d, e] = await Promise.all([
      this.#h.db.selectFrom('early_help_domain').select('code').orderBy('position').execute(),
      this.#h.db.selectFrom('early_help_element').select(['code', 'domain_code']).execute(),
    ]);
    return { domains: d.map((x) => x.code), elements: e.map((x) => ({ code: x.code, domain: x.domain_code })) };
  }

  /** A person by an identifier (the demo finds its invented children by their test-range NHS numbers). */
  async subjectByIdentifier(scheme: string, value: string): Promise<string | undefined> {
    return (await this.#h.db.selectFrom('person_identifier').select('subject_id').where('scheme', '=', scheme).where('value', '=', value).executeTakeFirst())?.subject_id;
  }

  /** The current name of each of these people (one query; only for people the caller was already allowed to see). */
  async names(subjectIds: readonly string[]): Promise<Map<string, string>> {
    if (subjectIds.length === 0) return new Map();
    const rows = await this.#h.db
      .selectFrom('person_name')
      .select(['subject_id', 'kind', 'given_names', 'family_name'])
      .where('subject_id', 'in', [...new Set(subjectIds)])
      .orderBy('subject_id')
      .orderBy('created_at')
      .execute();
    // The first current name, else the first name recorded (as the service's single lookup does).
    const out = new Map<string, string>();
    for (const r of rows) if (r.kind === 'current' && !out.has(r.subject_id)) out.set(r.subject_id, `${r.given_names} ${r.family_name}`);
    for (const r of rows) if (!out.has(r.subject_id)) out.set(r.subject_id, `${r.given_names} ${r.family_name}`);
    return out;
  }

  /** The lead professional(s) of these people: active lead_professional involvements with a practitioner. */
  async leadProfessionals(subjectIds: readonly string[]): Promise<Map<string, string>> {
    if (subjectIds.length === 0) return new Map();
    const rows = await this.#h.db
      .selectFrom('involvement')
      .select(['subject_id', 'practitioner_id'])
      .where('subject_id', 'in', [...subjectIds])
      .where('role', '=', 'lead_professional')
      .where('end_date', 'is', null)
      .where('practitioner_id', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.subject_id, r.practitioner_id!]));
  }
}
