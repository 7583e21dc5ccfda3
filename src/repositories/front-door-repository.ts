/**
 * The front door's tables (migration 0012): contacts into the hub with their people and categories,
 * research requests to agencies and their answers, threshold decisions, feedback and the hub's
 * timescales. The only code that builds SQL for them.
 */
import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { FrontDoorContactTable } from '../db/schema.ts';
import { DEFAULT_TIMESCALES, RATINGS, type Rating, type Timescale } from '../front-door/timescale.ts';
import type { LegalBasisInfo } from '../sharing/rules.ts';

export type ContactSource = 'professional' | 'public' | 'police';
export type ContactStatus = 'new' | 'in_hub' | 'awaiting_sign_off' | 'decided';

export interface CodeItem {
  code: string;
  label: string;
}

export interface ContactPersonRow {
  id: string;
  position: number;
  role: 'child' | 'adult' | 'unborn';
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  postcode: string | null;
  relationship: string | null;
  subjectId: string | null;
  enquiryId: string | null;
  matchedBy: string | null;
  matchedAt: Date | null;
}

export interface DecisionRow {
  level: string;
  outcome: string;
  rationale: string;
  advice: string | null;
  serviceId: string | null;
  serviceName: string | null;
  leadProfessional: string | null;
  decidedBy: string;
  decidedByName: string;
  decidedAt: Date;
  signOff: 'pending' | 'approved' | 'returned';
  signedOffBy: string | null;
  signedOffByName: string | null;
  signedOffAt: Date | null;
  managerComment: string | null;
  referrerToldAt: Date | null;
  referrerToldHow: string | null;
}

export interface FeedbackRow {
  quality: 'good' | 'adequate' | 'poor';
  comments: string;
  givenBy: string;
  givenByName: string;
  givenAt: Date;
  referrerOrganisationId: string | null;
}

export interface ContactRow {
  organisationId: string;
  id: string;
  reference: string;
  source: ContactSource;
  receivedAt: Date;
  recordedBy: string | null;
  referrerUserId: string | null;
  referrerName: string;
  referrerRole: string | null;
  referrerOrganisationId: string | null;
  referrerOrganisation: string | null;
  referrerEmail: string | null;
  referrerPhone: string | null;
  externalReference: string | null;
  summary: string;
  familyKnows: 'agreed' | 'told_not_agreed' | 'not_told' | 'not_known';
  familyView: string | null;
  referrerUrgency: 'immediate' | 'today' | 'routine';
  status: ContactStatus;
  rating: Rating | null;
  ratingReason: string | null;
  ratedBy: string | null;
  ratedAt: Date | null;
  dueAt: Date | null;
  warnedAt: Date | null;
  breachReportedAt: Date | null;
  decidedAt: Date | null;
  reReferral: boolean;
  previousContactId: string | null;
  previousOutcome: string | null;
  previousDecidedAt: Date | null;
  /** The hub's legal basis for the enquiry (codes of legal_basis), chosen when it was taken into the hub. */
  legalBases: string[];
  categories: string[];
  persons: ContactPersonRow[];
  decision: DecisionRow | null;
  feedback: FeedbackRow | null;
}

export interface NewContact {
  organisationId: string;
  id: string;
  reference: string;
  source: ContactSource;
  receivedAt: Date;
  recordedBy: string | null;
  referrerUserId: string | null;
  referrerName: string;
  referrerRole: string | null;
  referrerOrganisationId: string | null;
  referrerOrganisation: string | null;
  referrerEmail: string | null;
  referrerPhone: string | null;
  externalReference: string | null;
  summary: string;
  familyKnows: ContactRow['familyKnows'];
  familyView: string | null;
  referrerUrgency: ContactRow['referrerUrgency'];
  categories: string[];
  persons: Array<Omit<ContactPersonRow, 'subjectId' | 'enquiryId' | 'matchedBy' | 'matchedAt'>>;
}

export interface SentIdentity {
  givenNames: string;
  familyName: string;
  dateOfBirth: string | null;
  postcode: string | null;
}

export interface ResearchItemRow {
  id: string;
  position: number;
  category: string;
  summary: string;
  linkedRecordKind: string | null;
  linkedRecordId: string | null;
  withheldFromFamily: boolean;
  withheldReason: string | null;
}

export interface ResearchRequestRow {
  subjectId: string;
  id: string;
  organisationId: string;
  contactId: string;
  contactReference: string;
  contactPersonId: string;
  agencyOrganisationId: string;
  agencyName: string;
  agencyCaseCategory: string;
  question: string;
  sentIdentity: SentIdentity;
  requestedBy: string;
  requestedAt: Date;
  dueAt: Date;
  /** The hub's legal basis when the agency was asked. */
  legalBases: string[];
  status: 'open' | 'answered' | 'declined';
  nothingHeld: boolean | null;
  /** A decline: the agency holds information but will not share it. */
  decline: { consideration: string; reason: string; askInstead: string | null; askAgainOn: string | null } | null;
  respondedBy: string | null;
  respondedByName: string | null;
  respondedAt: Date | null;
  items: ResearchItemRow[];
}

export interface LinkedRecord {
  kind: string;
  sourceRecordId: string;
  description: string;
}

export interface OpenClockRow {
  organisationId: string;
  id: string;
  reference: string;
  rating: Rating;
  receivedAt: Date;
  dueAt: Date;
  warnedAt: Date | null;
  breachReportedAt: Date | null;
}

export class DuplicateExternalReferenceError extends Error {
  readonly contactId: string;
  constructor(contactId: string) {
    super('This notification was received before');
    this.name = 'DuplicateExternalReferenceError';
    this.contactId = contactId;
  }
}

type ContactDb = Selectable<FrontDoorContactTable>;

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));

function toContact(r: ContactDb): Omit<ContactRow, 'categories' | 'persons' | 'decision' | 'feedback'> {
  return {
    organisationId: r.organisation_id,
    id: r.id,
    reference: r.reference,
    source: r.source as ContactSource,
    receivedAt: new Date(r.received_at),
    recordedBy: r.recorded_by,
    referrerUserId: r.referrer_user_id,
    referrerName: r.referrer_name,
    referrerRole: r.referrer_role,
    referrerOrganisationId: r.referrer_organisation_id,
    referrerOrganisation: r.referrer_organisation,
    referrerEmail: r.referrer_email,
    referrerPhone: r.referrer_phone,
    externalReference: r.external_reference,
    summary: r.summary,
    familyKnows: r.family_knows as ContactRow['familyKnows'],
    familyView: r.family_view,
    referrerUrgency: r.referrer_urgency as ContactRow['referrerUrgency'],
    status: r.status as ContactStatus,
    rating: r.rating as Rating | null,
    ratingReason: r.rating_reason,
    ratedBy: r.rated_by,
    ratedAt: date(r.rated_at),
    dueAt: date(r.due_at),
    warnedAt: date(r.warned_at),
    breachReportedAt: date(r.breach_reported_at),
    decidedAt: date(r.decided_at),
    reReferral: r.re_referral,
    previousContactId: r.previous_contact_id,
    previousOutcome: r.previous_outcome,
    previousDecidedAt: date(r.previous_decided_at),
    legalBases: r.legal_bases ?? [],
  };
}

export class FrontDoorRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  // ----- code lists and timescales -----

  async codeLists(): Promise<{ categories: CodeItem[]; ratings: CodeItem[]; levels: CodeItem[]; outcomes: CodeItem[] }> {
    const db = this.#h.db;
    const [categories, ratings, levels, outcomes] = await Promise.all([
      db.selectFrom('front_door_concern_category').select(['code', 'label']).orderBy('sort').execute(),
      db.selectFrom('front_door_rating').select(['code', 'label']).orderBy('sort').execute(),
      db.selectFrom('front_door_level').select(['code', 'label']).orderBy('sort').execute(),
      db.selectFrom('front_door_outcome').select(['code', 'label']).orderBy('sort').execute(),
    ]);
    return { categories, ratings, levels, outcomes };
  }

  /** The hub's timescales: its own where set, the defaults of front_door_rating otherwise. */
  async timescales(organisationId: string): Promise<Record<Rating, Timescale>> {
    const [defaults, own] = await Promise.all([
      this.#h.db.selectFrom('front_door_rating').select(['code', 'default_hours', 'default_warn_hours']).execute(),
      this.#h.db.selectFrom('front_door_timescale').select(['rating', 'hours', 'warn_hours']).where('organisation_id', '=', organisationId).execute(),
    ]);
    const out = { ...DEFAULT_TIMESCALES } as Record<Rating, Timescale>;
    for (const d of defaults) if ((RATINGS as readonly string[]).includes(d.code)) out[d.code as Rating] = { rating: d.code as Rating, hours: d.default_hours, warnHours: d.default_warn_hours };
    for (const o of own) if ((RATINGS as readonly string[]).includes(o.rating)) out[o.rating as Rating] = { rating: o.rating as Rating, hours: o.hours, warnHours: o.warn_hours };
    return out;
  }

  async setTimescales(organisationId: string, t: Record<Rating, { hours: number; warnHours: number }>, by: string, now: Date): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      for (const rating of RATINGS) {
        await trx
          .insertInto('front_door_timescale')
          .values({ organisation_id: organisationId, rating, hours: t[rating].hours, warn_hours: t[rating].warnHours, updated_by: by, updated_at: now })
          .onConflict((oc) => oc.columns(['organisation_id', 'rating']).doUpdateSet({ hours: t[rating].hours, warn_hours: t[rating].warnHours, updated_by: by, updated_at: now }))
          .execute();
      }
    });
  }

  /** Organisations that run a hub (active, of the given types), by name. */
  async hubs(types: readonly string[]): Promise<Array<{ id: string; name: string }>> {
    return this.#h.db.selectFrom('organisation').select(['id', 'name']).where('type_code', 'in', [...types]).where('active', '=', true).orderBy('name').execute();
  }

  // ----- contacts -----

  /** Records a contact with its categories and people in one transaction. A police notification sent again throws DuplicateExternalReferenceError. */
  async insertContact(c: NewContact): Promise<void> {
    if (c.externalReference !== null) {
      const existing = await this.#h.db
        .selectFrom('front_door_contact')
        .select('id')
        .where('organisation_id', '=', c.organisationId)
        .where('referrer_organisation_id', c.referrerOrganisationId === null ? 'is' : '=', c.referrerOrganisationId)
        .where('external_reference', '=', c.externalReference)
        .executeTakeFirst();
      if (existing) throw new DuplicateExternalReferenceError(existing.id);
    }
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('front_door_contact')
        .values({
          organisation_id: c.organisationId,
          id: c.id,
          reference: c.reference,
          source: c.source,
          received_at: c.receivedAt,
          recorded_by: c.recordedBy,
          referrer_user_id: c.referrerUserId,
          referrer_name: c.referrerName,
          referrer_role: c.referrerRole,
          referrer_organisation_id: c.referrerOrganisationId,
          referrer_organisation: c.referrerOrganisation,
          referrer_email: c.referrerEmail,
          referrer_phone: c.referrerPhone,
          external_reference: c.externalReference,
          summary: c.summary,
          family_knows: c.familyKnows,
          family_view: c.familyView,
          referrer_urgency: c.referrerUrgency,
          status: 'new',
          rating: null,
          rating_reason: null,
          rated_by: null,
          rated_at: null,
          due_at: null,
          warned_at: null,
          breach_reported_at: null,
          decided_at: null,
          previous_contact_id: null,
          previous_outcome: null,
          previous_decided_at: null,
        })
        .execute();
      if (c.categories.length) {
        await trx
          .insertInto('front_door_contact_category')
          .values(c.categories.map((category) => ({ organisation_id: c.organisationId, contact_id: c.id, category })))
          .execute();
      }
      await trx
        .insertInto('front_door_contact_person')
        .values(
          c.persons.map((p) => ({
            organisation_id: c.organisationId,
            contact_id: c.id,
            id: p.id,
            position: p.position,
            role: p.role,
            given_names: p.givenNames,
            family_name: p.familyName,
            date_of_birth: p.dateOfBirth,
            postcode: p.postcode,
            relationship: p.relationship,
            subject_id: null,
            enquiry_id: null,
            matched_by: null,
            matched_at: null,
          })),
        )
        .execute();
    });
  }

  async findContact(organisationId: string, id: string): Promise<ContactRow | null> {
    const row = await this.#h.db.selectFrom('front_door_contact').selectAll().where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const [full] = await this.#complete([row]);
    return full ?? null;
  }

  /** A hub's contacts: open ones (not decided), or those received in a period. */
  async listContacts(organisationId: string, filter: { open?: boolean; from?: Date; to?: Date }): Promise<ContactRow[]> {
    let q = this.#h.db.selectFrom('front_door_contact').selectAll().where('organisation_id', '=', organisationId);
    if (filter.open) q = q.where('status', '<>', 'decided');
    if (filter.from) q = q.where('received_at', '>=', filter.from);
    if (filter.to) q = q.where('received_at', '<', filter.to);
    const rows = await q.orderBy('received_at').execute();
    return this.#complete(rows);
  }

  async #complete(rows: ContactDb[]): Promise<ContactRow[]> {
    if (rows.length === 0) return [];
    const orgs = [...new Set(rows.map((r) => r.organisation_id))];
    const ids = rows.map((r) => r.id);
    const db = this.#h.db;
    const [cats, persons, decisions, feedback] = await Promise.all([
      db.selectFrom('front_door_contact_category').select(['contact_id', 'category']).where('organisation_id', 'in', orgs).where('contact_id', 'in', ids).execute(),
      db.selectFrom('front_door_contact_person').selectAll().where('organisation_id', 'in', orgs).where('contact_id', 'in', ids).orderBy('position').execute(),
      db
        .selectFrom('front_door_decision as d')
        .innerJoin('app_user as u', 'u.id', 'd.decided_by')
        .leftJoin('app_user as m', 'm.id', 'd.signed_off_by')
        .selectAll('d')
        .select(['u.display_name as decided_by_name', 'm.display_name as signed_off_by_name'])
        .where('d.organisation_id', 'in', orgs)
        .where('d.contact_id', 'in', ids)
        .execute(),
      db
        .selectFrom('front_door_feedback as f')
        .innerJoin('app_user as u', 'u.id', 'f.given_by')
        .selectAll('f')
        .select('u.display_name as given_by_name')
        .where('f.organisation_id', 'in', orgs)
        .where('f.contact_id', 'in', ids)
        .execute(),
    ]);
    // Grouped once by contact (ids are unique across hubs: UUIDv7), so a long dashboard period stays linear.
    const group = <T extends { contact_id: string }>(xs: readonly T[]) => {
      const m = new Map<string, T[]>();
      for (const x of xs) {
        const list = m.get(x.contact_id);
        if (list) list.push(x);
        else m.set(x.contact_id, [x]);
      }
      return m;
    };
    const catsBy = group(cats);
    const personsBy = group(persons);
    const decisionBy = new Map(decisions.map((x) => [x.contact_id, x]));
    const feedbackBy = new Map(feedback.map((x) => [x.contact_id, x]));
    return rows.map((r) => {
      const d = decisionBy.get(r.id);
      const f = feedbackBy.get(r.id);
      return {
        ...toContact(r),
        categories: (catsBy.get(r.id) ?? []).map((c) => c.category),
        persons: (personsBy.get(r.id) ?? [])
          .map((p) => ({
            id: p.id,
            position: p.position,
            role: p.role as ContactPersonRow['role'],
            givenNames: p.given_names,
            familyName: p.family_name,
            dateOfBirth: p.date_of_birth,
            postcode: p.postcode,
            relationship: p.relationship,
            subjectId: p.subject_id,
            enquiryId: p.enquiry_id,
            matchedBy: p.matched_by,
            matchedAt: date(p.matched_at),
          })),
        decision: d
          ? {
              level: d.level,
              outcome: d.outcome,
              rationale: d.rationale,
              advice: d.advice,
              serviceId: d.service_id,
              serviceName: d.service_name,
              leadProfessional: d.lead_professional,
              decidedBy: d.decided_by,
              decidedByName: d.decided_by_name,
              decidedAt: new Date(d.decided_at),
              signOff: d.sign_off as DecisionRow['signOff'],
              signedOffBy: d.signed_off_by,
              signedOffByName: d.signed_off_by_name,
              signedOffAt: date(d.signed_off_at),
              managerComment: d.manager_comment,
              referrerToldAt: date(d.referrer_told_at),
              referrerToldHow: d.referrer_told_how,
            }
          : null,
        feedback: f
          ? {
              quality: f.quality as FeedbackRow['quality'],
              comments: f.comments,
              givenBy: f.given_by,
              givenByName: f.given_by_name,
              givenAt: new Date(f.given_at),
              referrerOrganisationId: f.referrer_organisation_id,
            }
          : null,
      };
    });
  }

  /**
   * Rates a contact (and takes it into the hub): sets the rating, its due time and the status. Only
   * while it is not decided; a new rating re-arms the warning and breach notices.
   */
  async rate(organisationId: string, id: string, r: { rating: Rating; reason: string; legalBases: readonly string[]; by: string; at: Date; dueAt: Date }): Promise<boolean> {
    const res = await this.#h.db
      .updateTable('front_door_contact')
      .set({ rating: r.rating, rating_reason: r.reason, legal_bases: [...r.legalBases], rated_by: r.by, rated_at: r.at, due_at: r.dueAt, warned_at: null, breach_reported_at: null, status: 'in_hub' })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .where('status', 'in', ['new', 'in_hub'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async setPersonSubject(organisationId: string, contactId: string, personId: string, m: { subjectId: string; by: string; at: Date }): Promise<void> {
    await this.#h.db
      .updateTable('front_door_contact_person')
      .set({ subject_id: m.subjectId, matched_by: m.by, matched_at: m.at })
      .where('organisation_id', '=', organisationId)
      .where('contact_id', '=', contactId)
      .where('id', '=', personId)
      .execute();
  }

  /** Opens the MASH enquiry on a person concerned (the hub's basis for its research) and notes it on the contact's person. */
  async openEnquiry(organisationId: string, contactId: string, personId: string, e: { subjectId: string; enquiryId: string; by: string; reason: string; at: Date }): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('enquiry')
        .values({ subject_id: e.subjectId, id: e.enquiryId, organisation_id: organisationId, opened_by: e.by, opened_at: e.at, closed_at: null, reason: e.reason })
        .execute();
      await trx
        .updateTable('front_door_contact_person')
        .set({ enquiry_id: e.enquiryId })
        .where('organisation_id', '=', organisationId)
        .where('contact_id', '=', contactId)
        .where('id', '=', personId)
        .execute();
    });
  }

  /** Closes the enquiries this contact opened (not another contact's on the same person). */
  async closeEnquiries(persons: ReadonlyArray<{ subjectId: string; enquiryId: string }>, at: Date): Promise<void> {
    for (const p of persons) {
      await this.#h.db.updateTable('enquiry').set({ closed_at: at }).where('subject_id', '=', p.subjectId).where('id', '=', p.enquiryId).where('closed_at', 'is', null).execute();
    }
  }

  async setReReferral(organisationId: string, id: string, previous: { contactId: string; outcome: string; decidedAt: Date } | null): Promise<void> {
    await this.#h.db
      .updateTable('front_door_contact')
      .set({
        re_referral: previous !== null,
        previous_contact_id: previous?.contactId ?? null,
        previous_outcome: previous?.outcome ?? null,
        previous_decided_at: previous?.decidedAt ?? null,
      })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .execute();
  }

  /** Earlier contacts of the hub about these people, with their signed-off outcome. */
  async earlierContacts(organisationId: string, subjectIds: readonly string[]) {
    if (subjectIds.length === 0) return [];
    const rows = await this.#h.db
      .selectFrom('front_door_contact_person as p')
      .innerJoin('front_door_contact as c', (j) => j.onRef('c.organisation_id', '=', 'p.organisation_id').onRef('c.id', '=', 'p.contact_id'))
      .leftJoin('front_door_decision as d', (j) => j.onRef('d.organisation_id', '=', 'c.organisation_id').onRef('d.contact_id', '=', 'c.id').on('d.sign_off', '=', 'approved'))
      .select(['c.id as contact_id', 'c.reference', 'p.subject_id', 'c.received_at', 'c.decided_at', 'd.outcome'])
      .where('p.organisation_id', '=', organisationId)
      .where('p.subject_id', 'in', [...subjectIds])
      .execute();
    return rows.map((r) => ({
      contactId: r.contact_id,
      reference: r.reference,
      subjectId: r.subject_id!,
      receivedAt: new Date(r.received_at),
      decidedAt: date(r.decided_at),
      outcome: r.outcome ?? null,
    }));
  }

  // ----- research -----

  async insertResearchRequest(r: {
    subjectId: string;
    id: string;
    organisationId: string;
    contactId: string;
    contactPersonId: string;
    agencyOrganisationId: string;
    question: string;
    sentIdentity: SentIdentity;
    legalBases: readonly string[];
    requestedBy: string;
    requestedAt: Date;
    dueAt: Date;
  }): Promise<void> {
    await this.#h.db
      .insertInto('front_door_research_request')
      .values({
        subject_id: r.subjectId,
        id: r.id,
        organisation_id: r.organisationId,
        contact_id: r.contactId,
        contact_person_id: r.contactPersonId,
        agency_organisation_id: r.agencyOrganisationId,
        question: r.question,
        sent_identity: JSON.stringify(r.sentIdentity),
        legal_bases: [...r.legalBases],
        requested_by: r.requestedBy,
        requested_at: r.requestedAt,
        due_at: r.dueAt,
        status: 'open',
        nothing_held: null,
        decline_consideration: null,
        decline_reason: null,
        decline_ask_instead: null,
        decline_ask_again_on: null,
        responded_by: null,
        responded_at: null,
        overdue_notified_at: null,
      })
      .execute();
  }

  #research() {
    return this.#h.db
      .selectFrom('front_door_research_request as r')
      .innerJoin('organisation as o', 'o.id', 'r.agency_organisation_id')
      .innerJoin('organisation_type as ot', 'ot.code', 'o.type_code')
      .innerJoin('front_door_contact as c', (j) => j.onRef('c.organisation_id', '=', 'r.organisation_id').onRef('c.id', '=', 'r.contact_id'))
      .leftJoin('app_user as u', 'u.id', 'r.responded_by')
      .selectAll('r')
      .select(['o.name as agency_name', 'ot.case_category', 'c.reference as contact_reference', 'u.display_name as responded_by_name']);
  }

  async #withItems(rows: Awaited<ReturnType<ReturnType<FrontDoorRepository['research']>['execute']>>): Promise<ResearchRequestRow[]> {
    if (rows.length === 0) return [];
    const items = await this.#h.db
      .selectFrom('front_door_research_item')
      .selectAll()
      .where('subject_id', 'in', [...new Set(rows.map((r) => r.subject_id))])
      .where('request_id', 'in', rows.map((r) => r.id))
      .orderBy('position')
      .execute();
    const itemsBy = new Map<string, typeof items>();
    for (const i of items) {
      const key = `${i.subject_id}/${i.request_id}`;
      const list = itemsBy.get(key);
      if (list) list.push(i);
      else itemsBy.set(key, [i]);
    }
    return rows.map((r) => ({
      subjectId: r.subject_id,
      id: r.id,
      organisationId: r.organisation_id,
      contactId: r.contact_id,
      contactReference: r.contact_reference,
      contactPersonId: r.contact_person_id,
      agencyOrganisationId: r.agency_organisation_id,
      agencyName: r.agency_name,
      agencyCaseCategory: r.case_category,
      question: r.question,
      sentIdentity: (typeof r.sent_identity === 'string' ? JSON.parse(r.sent_identity) : r.sent_identity) as SentIdentity,
      requestedBy: r.requested_by,
      requestedAt: new Date(r.requested_at),
      dueAt: new Date(r.due_at),
      legalBases: r.legal_bases,
      status: r.status as ResearchRequestRow['status'],
      nothingHeld: r.nothing_held,
      decline:
        r.status === 'declined'
          ? { consideration: r.decline_consideration ?? '', reason: r.decline_reason ?? '', askInstead: r.decline_ask_instead, askAgainOn: r.decline_ask_again_on }
          : null,
      respondedBy: r.responded_by,
      respondedByName: r.responded_by_name,
      respondedAt: date(r.responded_at),
      items: (itemsBy.get(`${r.subject_id}/${r.id}`) ?? [])
        .map((i) => ({
          id: i.id,
          position: i.position,
          category: i.category,
          summary: i.summary,
          linkedRecordKind: i.linked_record_kind,
          linkedRecordId: i.linked_record_id,
          withheldFromFamily: i.withheld_from_family,
          withheldReason: i.withheld_reason,
        })),
    }));
  }

  /** Exposed for the row type only. */
  research() {
    return this.#research();
  }

  async researchForContact(organisationId: string, contactId: string): Promise<ResearchRequestRow[]> {
    return this.#withItems(await this.#research().where('r.organisation_id', '=', organisationId).where('r.contact_id', '=', contactId).orderBy('r.requested_at').execute());
  }

  /** How many research requests are still open for each of a hub's contacts. */
  async openResearchCounts(organisationId: string): Promise<Map<string, number>> {
    const rows = await this.#h.db
      .selectFrom('front_door_research_request')
      .select(['contact_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('organisation_id', '=', organisationId)
      .where('status', '=', 'open')
      .groupBy('contact_id')
      .execute();
    return new Map(rows.map((r) => [r.contact_id, Number(r.n)]));
  }

  async researchForAgency(agencyOrganisationId: string, status?: ResearchRequestRow['status']): Promise<ResearchRequestRow[]> {
    let q = this.#research().where('r.agency_organisation_id', '=', agencyOrganisationId);
    if (status) q = q.where('r.status', '=', status);
    return this.#withItems(await q.orderBy('r.due_at').execute());
  }

  async findResearch(subjectId: string, id: string): Promise<ResearchRequestRow | null> {
    const rows = await this.#withItems(await this.#research().where('r.subject_id', '=', subjectId).where('r.id', '=', id).execute());
    return rows[0] ?? null;
  }

  /** Records an agency's answer with its items, once: false when it was answered already. */
  async respond(
    subjectId: string,
    id: string,
    a: { nothingHeld: boolean; by: string; at: Date; items: Array<Omit<ResearchItemRow, 'id'> & { id: string }> },
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('front_door_research_request')
        .set({ status: 'answered', nothing_held: a.nothingHeld, responded_by: a.by, responded_at: a.at })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      if (a.items.length) {
        await trx
          .insertInto('front_door_research_item')
          .values(
            a.items.map((i) => ({
              subject_id: subjectId,
              id: i.id,
              request_id: id,
              position: i.position,
              category: i.category,
              summary: i.summary,
              linked_record_kind: i.linkedRecordKind,
              linked_record_id: i.linkedRecordId,
              withheld_from_family: i.withheldFromFamily,
              withheld_reason: i.withheldReason,
            })),
          )
          .execute();
      }
      return true;
    });
  }

  /** Records an agency's decision not to share what it holds, once: false when the request was answered already. */
  async decline(subjectId: string, id: string, d: { consideration: string; reason: string; askInstead: string | null; askAgainOn: string | null; by: string; at: Date }): Promise<boolean> {
    const res = await this.#h.db
      .updateTable('front_door_research_request')
      .set({
        status: 'declined',
        decline_consideration: d.consideration,
        decline_reason: d.reason,
        decline_ask_instead: d.askInstead,
        decline_ask_again_on: d.askAgainOn,
        responded_by: d.by,
        responded_at: d.at,
      })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** The agency and status of each research request of a hub's contacts received in a period (for the dashboard). */
  async researchInPeriod(organisationId: string, from: Date, to: Date): Promise<Array<{ agency: string; status: 'open' | 'answered' | 'declined' }>> {
    const rows = await this.#h.db
      .selectFrom('front_door_research_request as r')
      .innerJoin('front_door_contact as c', (j) => j.onRef('c.organisation_id', '=', 'r.organisation_id').onRef('c.id', '=', 'r.contact_id'))
      .innerJoin('organisation as o', 'o.id', 'r.agency_organisation_id')
      .select(['o.name as agency', 'r.status'])
      .where('r.organisation_id', '=', organisationId)
      .where('c.received_at', '>=', from)
      .where('c.received_at', '<', to)
      .execute();
    return rows.map((r) => ({ agency: r.agency, status: r.status as 'open' | 'answered' | 'declined' }));
  }

  /** The case category of each organisation's type (what an agency asked for research holds). */
  async caseCategories(organisationIds: readonly string[]): Promise<Map<string, string>> {
    if (organisationIds.length === 0) return new Map();
    const rows = await this.#h.db
      .selectFrom('organisation as o')
      .innerJoin('organisation_type as ot', 'ot.code', 'o.type_code')
      .select(['o.id', 'ot.case_category'])
      .where('o.id', 'in', [...organisationIds])
      .execute();
    return new Map(rows.map((r) => [r.id, r.case_category]));
  }

  /** The legal bases of the code list (for choosing and checking the hub's basis). */
  async legalBases(): Promise<Map<string, LegalBasisInfo & { description: string }>> {
    const rows = await this.#h.db.selectFrom('legal_basis').selectAll().orderBy('kind').orderBy('code').execute();
    return new Map(rows.map((r) => [r.code, { code: r.code, kind: r.kind as LegalBasisInfo['kind'], label: r.label, description: r.description, consent: r.consent }]));
  }

  /** An organisation's own records linked to a person (its feeds' source records, src/linkage). */
  async linkedRecords(organisationId: string, subjectId: string): Promise<LinkedRecord[]> {
    const rows = await this.#h.db
      .selectFrom('source_record')
      .select(['kind', 'source_record_id', 'role', 'event_type', 'description', 'given_names', 'family_name'])
      .where('organisation_id', '=', organisationId)
      .where('subject_id', '=', subjectId)
      .orderBy('kind')
      .orderBy('source_record_id')
      .limit(200)
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      sourceRecordId: r.source_record_id,
      description: [r.event_type, r.role, r.description, r.kind === 'people' ? [r.given_names, r.family_name].filter(Boolean).join(' ') : null].filter(Boolean).join(': ') || r.kind,
    }));
  }

  // ----- decision, sign-off, referrer told, feedback -----

  /** Records (or, after it was returned, replaces) the threshold decision and puts the contact to sign-off. */
  async recordDecision(
    organisationId: string,
    contactId: string,
    d: Pick<DecisionRow, 'level' | 'outcome' | 'rationale' | 'advice' | 'serviceId' | 'serviceName' | 'leadProfessional' | 'decidedBy' | 'decidedAt'>,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('front_door_contact')
        .set({ status: 'awaiting_sign_off' })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', contactId)
        .where('status', '=', 'in_hub')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      const values = {
        level: d.level,
        outcome: d.outcome,
        rationale: d.rationale,
        advice: d.advice,
        service_id: d.serviceId,
        service_name: d.serviceName,
        lead_professional: d.leadProfessional,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        sign_off: 'pending',
        signed_off_by: null,
        signed_off_at: null,
        manager_comment: null,
      };
      await trx
        .insertInto('front_door_decision')
        .values({ organisation_id: organisationId, contact_id: contactId, ...values, referrer_told_at: null, referrer_told_by: null, referrer_told_how: null })
        .onConflict((oc) => oc.columns(['organisation_id', 'contact_id']).doUpdateSet(values))
        .execute();
      return true;
    });
  }

  /**
   * A manager's sign-off: approved (the contact is decided, the clock stops) or returned to the hub
   * (back in the hub, the clock running). Once only per pending decision.
   */
  async signOff(
    organisationId: string,
    contactId: string,
    s: { approve: boolean; by: string; at: Date; comment: string | null; notifications: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }> },
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('front_door_decision')
        .set({
          sign_off: s.approve ? 'approved' : 'returned',
          signed_off_by: s.by,
          signed_off_at: s.at,
          manager_comment: s.comment,
          ...(s.approve && s.notifications.length ? { referrer_told_at: s.at, referrer_told_by: s.by, referrer_told_how: 'notification' } : {}),
        })
        .where('organisation_id', '=', organisationId)
        .where('contact_id', '=', contactId)
        .where('sign_off', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('front_door_contact')
        .set(s.approve ? { status: 'decided', decided_at: s.at } : { status: 'in_hub' })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', contactId)
        .execute();
      if (s.notifications.length) {
        await trx
          .insertInto('notification')
          .values(s.notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: s.at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  async recordReferrerTold(organisationId: string, contactId: string, t: { by: string; at: Date; how: string }): Promise<boolean> {
    const res = await this.#h.db
      .updateTable('front_door_decision')
      .set({ referrer_told_at: t.at, referrer_told_by: t.by, referrer_told_how: t.how })
      .where('organisation_id', '=', organisationId)
      .where('contact_id', '=', contactId)
      .where('sign_off', '=', 'approved')
      .where('referrer_told_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async insertFeedback(
    organisationId: string,
    contactId: string,
    f: { referrerOrganisationId: string | null; quality: FeedbackRow['quality']; comments: string; by: string; at: Date },
    notifications: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }>,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto('front_door_feedback')
        .values({ organisation_id: organisationId, contact_id: contactId, referrer_organisation_id: f.referrerOrganisationId, quality: f.quality, comments: f.comments, given_by: f.by, given_at: f.at })
        .onConflict((oc) => oc.columns(['organisation_id', 'contact_id']).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: f.at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  /** Feedback on an agency's referrals (for its managers), newest first. */
  async feedbackForReferrer(referrerOrganisationId: string) {
    return this.#h.db
      .selectFrom('front_door_feedback as f')
      .innerJoin('front_door_contact as c', (j) => j.onRef('c.organisation_id', '=', 'f.organisation_id').onRef('c.id', '=', 'f.contact_id'))
      .innerJoin('organisation as h', 'h.id', 'c.organisation_id')
      .select(['c.reference', 'c.received_at', 'c.referrer_name', 'c.referrer_user_id', 'f.quality', 'f.comments', 'f.given_at', 'h.name as hub_name'])
      .where('f.referrer_organisation_id', '=', referrerOrganisationId)
      .orderBy('f.given_at', 'desc')
      .execute();
  }

  // ----- people to tell -----

  async notify(rows: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }>, at: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.#h.db
      .insertInto('notification')
      .values(rows.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: at, read_at: null })))
      .execute();
  }

  /** Active users of an organisation with any of the roles. */
  async usersWithRoles(organisationId: string, roles: readonly string[]): Promise<Array<{ id: string; displayName: string }>> {
    const rows = await this.#h.db
      .selectFrom('app_user as u')
      .innerJoin('user_role as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.display_name'])
      .distinct()
      .where('u.organisation_id', '=', organisationId)
      .where('u.status', '=', 'active')
      .where('r.role_code', 'in', [...roles])
      .orderBy('u.display_name')
      .execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
  }

  // ----- the clock: warnings and breaches -----

  /** Every rated contact not yet decided whose warning or breach may not have been sent. */
  async openClocks(): Promise<OpenClockRow[]> {
    const rows = await this.#h.db
      .selectFrom('front_door_contact')
      .select(['organisation_id', 'id', 'reference', 'rating', 'received_at', 'due_at', 'warned_at', 'breach_reported_at'])
      .where('status', 'in', ['in_hub', 'awaiting_sign_off'])
      .where('due_at', 'is not', null)
      .where('breach_reported_at', 'is', null)
      .execute();
    return rows.map((r) => ({
      organisationId: r.organisation_id,
      id: r.id,
      reference: r.reference,
      rating: r.rating as Rating,
      receivedAt: new Date(r.received_at),
      dueAt: new Date(r.due_at!),
      warnedAt: date(r.warned_at),
      breachReportedAt: date(r.breach_reported_at),
    }));
  }

  /** Open research requests past their due time whose agency has not been told yet. */
  async overdueResearch(now: Date): Promise<Array<{ subjectId: string; id: string; agencyOrganisationId: string; contactReference: string; dueAt: Date }>> {
    const rows = await this.#h.db
      .selectFrom('front_door_research_request as r')
      .innerJoin('front_door_contact as c', (j) => j.onRef('c.organisation_id', '=', 'r.organisation_id').onRef('c.id', '=', 'r.contact_id'))
      .select(['r.subject_id', 'r.id', 'r.agency_organisation_id', 'c.reference', 'r.due_at'])
      .where('r.status', '=', 'open')
      .where('r.due_at', '<', now)
      .where('r.overdue_notified_at', 'is', null)
      .execute();
    return rows.map((r) => ({ subjectId: r.subject_id, id: r.id, agencyOrganisationId: r.agency_organisation_id, contactReference: r.reference, dueAt: new Date(r.due_at) }));
  }

  /** Claims the overdue notice of one research request and writes its notifications, once. */
  async claimResearchOverdue(subjectId: string, id: string, at: Date, notifications: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }>): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('front_door_research_request')
        .set({ overdue_notified_at: at })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('overdue_notified_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  /**
   * Claims a warning or breach notice for one contact and writes its notifications in one
   * transaction, only if it was not claimed before (a second run, or a second server, sends nothing).
   */
  async claimClockNotice(
    organisationId: string,
    id: string,
    kind: 'warning' | 'breach',
    at: Date,
    notifications: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }>,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const column = kind === 'warning' ? 'warned_at' : 'breach_reported_at';
      const res = await trx
        .updateTable('front_door_contact')
        .set(kind === 'warning' ? { warned_at: at } : { breach_reported_at: at, warned_at: at })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where(column, 'is', null)
        .where('status', 'in', ['in_hub', 'awaiting_sign_off'])
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: at, read_at: null })))
          .execute();
      }
      return true;
    });
  }
}
