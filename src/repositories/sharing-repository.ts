import { sql, type Insertable, type Selectable } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { ConsentTable, RecordNoteTable, SharingAgreementTable, SharingDecisionTable } from '../db/schema.ts';
import type { DataCategory, DisclosedItem } from '../policy/access-policy.ts';
import type { AgreementFact, ConsentException, ConsentFact, LegalBasisInfo } from '../sharing/rules.ts';

// ---------- records ----------

export interface Consent extends ConsentFact {
  subjectId: string;
  givenBySubjectId: string | null;
  givenByName: string | null;
  capacityAssessment: 'gillick' | 'mental_capacity' | 'presumed';
  capacityOutcome: 'capable' | 'not_capable';
  capacityReasoning: string | null;
  capacityAssessedBy: string | null;
  capacityAssessedOn: string | null;
  method: 'verbal' | 'written' | 'electronic';
  evidence: { id: string; filename: string; contentType: string; sizeBytes: number; sha256: string } | null;
  notes: string | null;
  organisationId: string;
  organisationName: string;
  recordedBy: string;
  recordedByName: string;
  withdrawnBy: string | null;
  withdrawalReason: string | null;
  withdrawalMethod: string | null;
  source: 'app' | 'api' | 'fhir';
  externalId: string | null;
}

export type NewConsent = Omit<Selectable<ConsentTable>, 'exceptions' | 'withdrawn_at' | 'withdrawn_by' | 'withdrawal_reason' | 'withdrawal_method'> & {
  exceptions: ConsentException[];
};

export interface NewEvidence {
  subjectId: string;
  id: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
}

export interface RecordNote {
  subjectId: string;
  id: string;
  organisationId: string;
  organisationName: string;
  category: DataCategory;
  kind: RecordNoteTable['kind'];
  title: string;
  body: string;
  recordedBy: string;
  recordedByName: string;
  recordedAt: Date;
}

export type SharingDecisionRow = Selectable<SharingDecisionTable>;

export interface SharingDecision {
  subjectId: string;
  id: string;
  organisationId: string;
  organisationName: string;
  decidedBy: string;
  decidedByName: string;
  createdAt: Date;
  purpose: string;
  purposeDetail: string;
  requestFrom: string | null;
  recipientOrganisationId: string | null;
  recipientOrganisationName: string | null;
  recipientTeamId: string | null;
  recipientTeamName: string | null;
  recipientUserId: string | null;
  recipientUserName: string | null;
  recipientDescription: string | null;
  identifies: boolean;
  confidential: boolean;
  consentPosition: SharingDecisionRow['consent_position'];
  consentId: string | null;
  notSeekingReason: string | null;
  notSeekingDetail: string | null;
  riskChild: boolean;
  riskAdult: boolean;
  publicInterest: boolean;
  riskDetail: string | null;
  legalBases: string[];
  categories: DataCategory[];
  minimumNecessary: string | null;
  withheld: string | null;
  personTold: SharingDecisionRow['person_told'];
  notToldReason: string | null;
  outcome: SharingDecisionRow['outcome'];
  reasons: string;
  withConsent: boolean;
  override: boolean;
  emergency: boolean;
  routine: boolean;
  agreementId: string | null;
  agreementReference: string | null;
  agreementStatus: SharingDecisionRow['agreement_status'];
  oneOffJustification: string | null;
  approvalRequired: boolean;
  approvalStatus: SharingDecisionRow['approval_status'];
  approvalRequestedAt: Date | null;
  approvedBy: string | null;
  approvedByName: string | null;
  approvedAt: Date | null;
  approvalNote: string | null;
  lastChasedAt: Date | null;
  chaseCount: number;
  status: SharingDecisionRow['status'];
  disclosureId: string | null;
}

export interface Disclosure {
  subjectId: string;
  id: string;
  decisionId: string | null;
  senderUserId: string | null;
  senderName: string | null;
  senderOrganisationId: string | null;
  senderOrganisationName: string | null;
  recipientUserId: string | null;
  recipientUserName: string | null;
  recipientTeamId: string | null;
  recipientTeamName: string | null;
  recipientOrganisationId: string | null;
  recipientOrganisationName: string | null;
  purpose: string | null;
  message: string | null;
  categories: DataCategory[];
  items: DisclosedItem[];
  grantedAt: Date;
  expiresAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export interface NewDisclosure {
  subjectId: string;
  id: string;
  decisionId: string | null;
  senderUserId: string;
  senderOrganisationId: string;
  recipientUserId: string | null;
  recipientTeamId: string | null;
  recipientOrganisationId: string | null;
  purpose: string;
  message: string | null;
  categories: DataCategory[];
  items: DisclosedItem[];
  grantedAt: Date;
  expiresAt: Date | null;
}

export interface Agreement {
  id: string;
  reference: string;
  title: string;
  purposes: string[];
  legalBases: string[];
  categories: string[];
  retention: string;
  startDate: string;
  endDate: string | null;
  reviewDate: string;
  status: SharingAgreementTable['status'];
  notes: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  lastReviewedAt: Date | null;
  lastRemindedAt: Date | null;
  parties: Array<{
    organisationId: string;
    organisationName: string;
    signatoryName: string | null;
    signatoryRole: string | null;
    signedAt: Date | null;
    signedBy: string | null;
  }>;
}

export interface DecisionFilter {
  organisationId?: string | undefined;
  withConsent?: boolean | undefined;
  override?: boolean | undefined;
  approvalStatus?: 'pending' | 'approved' | 'declined' | undefined;
  outcome?: 'share' | 'share_in_part' | 'not_share' | undefined;
  emergency?: boolean | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit?: number | undefined;
}

// ---------- mapping ----------

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));

function consentOf(r: Record<string, unknown>): Consent {
  const c = r as unknown as Selectable<ConsentTable> & {
    organisation_name: string;
    recorded_by_name: string;
    evidence_filename: string | null;
    evidence_content_type: string | null;
    evidence_size: number | null;
    evidence_sha256: string | null;
  };
  return {
    subjectId: c.subject_id,
    id: c.id,
    decision: c.decision,
    givenBy: c.given_by,
    givenBySubjectId: c.given_by_subject_id,
    givenByName: c.given_by_name,
    capacityAssessment: c.capacity_assessment,
    capacityOutcome: c.capacity_outcome,
    capacityReasoning: c.capacity_reasoning,
    capacityAssessedBy: c.capacity_assessed_by,
    capacityAssessedOn: c.capacity_assessed_on,
    purposes: c.purposes,
    recipientOrganisationIds: c.recipient_organisation_ids,
    recipientOrganisationTypes: c.recipient_organisation_types,
    anyRecipient: c.any_recipient,
    categories: c.categories,
    exceptions: (c.exceptions ?? []) as ConsentException[],
    method: c.method,
    evidence: c.evidence_id
      ? { id: c.evidence_id, filename: c.evidence_filename!, contentType: c.evidence_content_type!, sizeBytes: Number(c.evidence_size), sha256: c.evidence_sha256! }
      : null,
    validFrom: c.valid_from,
    validUntil: c.valid_until,
    notes: c.notes,
    organisationId: c.organisation_id,
    organisationName: c.organisation_name,
    recordedBy: c.recorded_by,
    recordedByName: c.recorded_by_name,
    recordedAt: c.recorded_at,
    withdrawnAt: c.withdrawn_at,
    withdrawnBy: c.withdrawn_by,
    withdrawalReason: c.withdrawal_reason,
    withdrawalMethod: c.withdrawal_method,
    source: c.source,
    externalId: c.external_id,
  };
}

function decisionOf(r: Record<string, unknown>): SharingDecision {
  const d = r as unknown as SharingDecisionRow & {
    organisation_name: string;
    decided_by_name: string;
    recipient_organisation_name: string | null;
    recipient_team_name: string | null;
    recipient_user_name: string | null;
    approved_by_name: string | null;
    agreement_reference: string | null;
  };
  return {
    subjectId: d.subject_id,
    id: d.id,
    organisationId: d.organisation_id,
    organisationName: d.organisation_name,
    decidedBy: d.decided_by,
    decidedByName: d.decided_by_name,
    createdAt: d.created_at,
    purpose: d.purpose,
    purposeDetail: d.purpose_detail,
    requestFrom: d.request_from,
    recipientOrganisationId: d.recipient_organisation_id,
    recipientOrganisationName: d.recipient_organisation_name,
    recipientTeamId: d.recipient_team_id,
    recipientTeamName: d.recipient_team_name,
    recipientUserId: d.recipient_user_id,
    recipientUserName: d.recipient_user_name,
    recipientDescription: d.recipient_description,
    identifies: d.identifies,
    confidential: d.confidential,
    consentPosition: d.consent_position,
    consentId: d.consent_id,
    notSeekingReason: d.not_seeking_reason,
    notSeekingDetail: d.not_seeking_detail,
    riskChild: d.risk_child,
    riskAdult: d.risk_adult,
    publicInterest: d.public_interest,
    riskDetail: d.risk_detail,
    legalBases: d.legal_bases,
    categories: d.categories as DataCategory[],
    minimumNecessary: d.minimum_necessary,
    withheld: d.withheld,
    personTold: d.person_told,
    notToldReason: d.not_told_reason,
    outcome: d.outcome,
    reasons: d.reasons,
    withConsent: d.with_consent,
    override: d.override,
    emergency: d.emergency,
    routine: d.routine,
    agreementId: d.agreement_id,
    agreementReference: d.agreement_reference,
    agreementStatus: d.agreement_status,
    oneOffJustification: d.one_off_justification,
    approvalRequired: d.approval_required,
    approvalStatus: d.approval_status,
    approvalRequestedAt: d.approval_requested_at,
    approvedBy: d.approved_by,
    approvedByName: d.approved_by_name,
    approvedAt: d.approved_at,
    approvalNote: d.approval_note,
    lastChasedAt: d.last_chased_at,
    chaseCount: Number(d.chase_count),
    status: d.status,
    disclosureId: d.disclosure_id,
  };
}

function disclosureOf(r: Record<string, unknown>): Disclosure {
  const d = r as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a joined row, typed field by field below
  return {
    subjectId: d.subject_id,
    id: d.id,
    decisionId: d.decision_id,
    senderUserId: d.granted_by,
    senderName: d.sender_name,
    senderOrganisationId: d.sender_organisation_id,
    senderOrganisationName: d.sender_organisation_name,
    recipientUserId: d.recipient_user_id,
    recipientUserName: d.recipient_user_name,
    recipientTeamId: d.recipient_team_id,
    recipientTeamName: d.recipient_team_name,
    recipientOrganisationId: d.recipient_organisation_id,
    recipientOrganisationName: d.recipient_organisation_name,
    purpose: d.purpose,
    message: d.message,
    categories: d.categories as DataCategory[],
    items: (d.items ?? []) as DisclosedItem[],
    grantedAt: d.granted_at,
    expiresAt: d.expires_at,
    acknowledgedAt: d.acknowledged_at,
    acknowledgedBy: d.acknowledged_by,
    revokedAt: d.revoked_at,
    revokedBy: d.revoked_by,
    revokeReason: d.revoke_reason,
  };
}

/** Consents, sharing decisions, disclosures, agencies' notes and information sharing agreements. */
export class SharingRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  // ----- code lists -----

  async purposes(): Promise<Array<{ code: string; label: string; description: string }>> {
    return this.#h.db.selectFrom('sharing_purpose').selectAll().orderBy('label').execute();
  }

  async legalBases(): Promise<Map<string, LegalBasisInfo & { description: string }>> {
    const rows = await this.#h.db.selectFrom('legal_basis').selectAll().orderBy('kind').orderBy('code').execute();
    return new Map(rows.map((r) => [r.code, { code: r.code, kind: r.kind as LegalBasisInfo['kind'], label: r.label, description: r.description, consent: r.consent }]));
  }

  // ----- consent -----

  #consents() {
    return this.#h.db
      .selectFrom('consent as c')
      .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
      .innerJoin('app_user as u', 'u.id', 'c.recorded_by')
      .leftJoin('consent_evidence as e', (j) => j.onRef('e.subject_id', '=', 'c.subject_id').onRef('e.id', '=', 'c.evidence_id'))
      .selectAll('c')
      .select([
        'o.name as organisation_name',
        'u.display_name as recorded_by_name',
        'e.filename as evidence_filename',
        'e.content_type as evidence_content_type',
        'e.size_bytes as evidence_size',
        'e.sha256 as evidence_sha256',
      ]);
  }

  async insertConsent(c: NewConsent, evidence: NewEvidence | null): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      if (evidence) {
        await trx
          .insertInto('consent_evidence')
          .values({
            subject_id: evidence.subjectId,
            id: evidence.id,
            filename: evidence.filename,
            content_type: evidence.contentType,
            size_bytes: evidence.content.byteLength,
            sha256: evidence.sha256,
            content: evidence.content,
            uploaded_by: evidence.uploadedBy,
            uploaded_at: evidence.uploadedAt,
          })
          .execute();
      }
      await trx
        .insertInto('consent')
        .values({ ...c, exceptions: JSON.stringify(c.exceptions) })
        .execute();
    });
  }

  async consents(subjectId: string): Promise<Consent[]> {
    const rows = await this.#consents().where('c.subject_id', '=', subjectId).orderBy('c.recorded_at', 'desc').execute();
    return rows.map(consentOf);
  }

  /** The consents of several people in one query, each person's newest first. */
  async consentsOf(subjectIds: readonly string[]): Promise<Map<string, Consent[]>> {
    const out = new Map<string, Consent[]>(subjectIds.map((id) => [id, []]));
    if (subjectIds.length === 0) return out;
    const rows = await this.#consents().where('c.subject_id', 'in', subjectIds).orderBy('c.recorded_at', 'desc').execute();
    for (const c of rows.map(consentOf)) out.get(c.subjectId)?.push(c);
    return out;
  }

  async consent(subjectId: string, id: string): Promise<Consent | undefined> {
    const row = await this.#consents().where('c.subject_id', '=', subjectId).where('c.id', '=', id).executeTakeFirst();
    return row ? consentOf(row) : undefined;
  }

  async consentByRequestKey(subjectId: string, key: string): Promise<string | undefined> {
    const row = await this.#h.db.selectFrom('consent').select('id').where('subject_id', '=', subjectId).where('request_key', '=', key).executeTakeFirst();
    return row?.id;
  }

  async consentByExternalId(subjectId: string, externalId: string): Promise<string | undefined> {
    const row = await this.#h.db.selectFrom('consent').select('id').where('subject_id', '=', subjectId).where('external_id', '=', externalId).executeTakeFirst();
    return row?.id;
  }

  /** Whose consent this is (for reading a consent by its id alone, as FHIR does); no other column. */
  async consentSubject(id: string): Promise<string | undefined> {
    const row = await this.#h.db.selectFrom('consent').select('subject_id').where('id', '=', id).executeTakeFirst();
    return row?.subject_id;
  }

  /** Marks a consent or refusal withdrawn; false if it was already withdrawn. */
  async withdrawConsent(subjectId: string, id: string, w: { at: Date; by: string; reason: string; method: string }): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('consent')
      .set({ withdrawn_at: w.at, withdrawn_by: w.by, withdrawal_reason: w.reason, withdrawal_method: w.method })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async evidence(subjectId: string, id: string): Promise<{ filename: string; contentType: string; content: Uint8Array; sha256: string } | undefined> {
    const row = await this.#h.db
      .selectFrom('consent_evidence')
      .select(['filename', 'content_type', 'content', 'sha256'])
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { filename: row.filename, contentType: row.content_type, content: bytes(row.content), sha256: row.sha256 } : undefined;
  }

  /**
   * People whose consents the requester might see (the policy decides): those their organisation
   * recorded consent about, and those they or their team work with. Newest first, capped.
   */
  async consentSubjectsNear(r: { userId: string; organisationId: string; teamIds: readonly string[] }, limit: number): Promise<string[]> {
    const teamIds = r.teamIds.length ? [...r.teamIds] : ['00000000-0000-0000-0000-000000000000'];
    const rows = await this.#h.db
      .selectFrom('consent as c')
      .select('c.subject_id')
      .where((eb) =>
        eb.or([
          eb('c.organisation_id', '=', r.organisationId),
          eb.exists(
            eb
              .selectFrom('involvement as i')
              .select('i.id')
              .whereRef('i.subject_id', '=', 'c.subject_id')
              .where('i.end_date', 'is', null)
              .where((e2) => e2.or([e2('i.practitioner_id', '=', r.userId), e2('i.team_id', 'in', teamIds)])),
          ),
        ]),
      )
      .groupBy('c.subject_id')
      .orderBy(sql`max(c.recorded_at)`, 'desc')
      .limit(limit)
      .execute();
    return rows.map((x) => x.subject_id);
  }

  // ----- who to tell -----

  /** Active users of an organisation holding any of the roles. */
  async organisationUsersWithRole(organisationId: string, roles: readonly string[]): Promise<string[]> {
    const rows = await this.#h.db
      .selectFrom('app_user as u')
      .innerJoin('user_role as r', 'r.user_id', 'u.id')
      .select('u.id')
      .distinct()
      .where('u.organisation_id', '=', organisationId)
      .where('u.status', '=', 'active')
      .where('r.role_code', 'in', [...roles])
      .execute();
    return rows.map((r) => r.id);
  }

  async teamMemberIds(teamId: string): Promise<string[]> {
    const rows = await this.#h.db
      .selectFrom('team_member as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select('u.id')
      .where('m.team_id', '=', teamId)
      .where('u.status', '=', 'active')
      .execute();
    return rows.map((r) => r.id);
  }

  // ----- notes -----

  async insertNote(n: Selectable<RecordNoteTable>): Promise<void> {
    await this.#h.db.insertInto('record_note').values(n).execute();
  }

  async notes(subjectId: string): Promise<RecordNote[]> {
    const rows = await this.#h.db
      .selectFrom('record_note as n')
      .innerJoin('organisation as o', 'o.id', 'n.organisation_id')
      .innerJoin('app_user as u', 'u.id', 'n.recorded_by')
      .selectAll('n')
      .select(['o.name as organisation_name', 'u.display_name as recorded_by_name'])
      .where('n.subject_id', '=', subjectId)
      .orderBy('n.recorded_at', 'desc')
      .execute();
    return rows.map((n) => ({
      subjectId: n.subject_id,
      id: n.id,
      organisationId: n.organisation_id,
      organisationName: n.organisation_name,
      category: n.category as DataCategory,
      kind: n.kind,
      title: n.title,
      body: n.body,
      recordedBy: n.recorded_by,
      recordedByName: n.recorded_by_name,
      recordedAt: n.recorded_at,
    }));
  }

  // ----- decisions -----

  #decisions() {
    return this.#h.db
      .selectFrom('sharing_decision as d')
      .innerJoin('organisation as o', 'o.id', 'd.organisation_id')
      .innerJoin('app_user as u', 'u.id', 'd.decided_by')
      .leftJoin('organisation as ro', 'ro.id', 'd.recipient_organisation_id')
      .leftJoin('team as rt', 'rt.id', 'd.recipient_team_id')
      .leftJoin('app_user as ru', 'ru.id', 'd.recipient_user_id')
      .leftJoin('app_user as au', 'au.id', 'd.approved_by')
      .leftJoin('sharing_agreement as a', 'a.id', 'd.agreement_id')
      .selectAll('d')
      .select([
        'o.name as organisation_name',
        'u.display_name as decided_by_name',
        'ro.name as recipient_organisation_name',
        'rt.name as recipient_team_name',
        'ru.display_name as recipient_user_name',
        'au.display_name as approved_by_name',
        'a.reference as agreement_reference',
      ]);
  }

  /** Records a decision, and the disclosure that goes with it when it is sent at once, in one transaction. */
  async insertDecision(d: Insertable<SharingDecisionTable>, disclosure: NewDisclosure | null): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx.insertInto('sharing_decision').values(d).execute();
      if (disclosure) await trx.insertInto('disclosure_grant').values(this.#disclosureRow(disclosure)).execute();
    });
  }

  async decisionByRequestKey(subjectId: string, key: string): Promise<string | undefined> {
    const row = await this.#h.db.selectFrom('sharing_decision').select('id').where('subject_id', '=', subjectId).where('request_key', '=', key).executeTakeFirst();
    return row?.id;
  }

  async decision(subjectId: string, id: string): Promise<SharingDecision | undefined> {
    const row = await this.#decisions().where('d.subject_id', '=', subjectId).where('d.id', '=', id).executeTakeFirst();
    return row ? decisionOf(row) : undefined;
  }

  async decisionsFor(subjectId: string): Promise<SharingDecision[]> {
    const rows = await this.#decisions().where('d.subject_id', '=', subjectId).orderBy('d.created_at', 'desc').execute();
    return rows.map(decisionOf);
  }

  async findDecisions(f: DecisionFilter): Promise<SharingDecision[]> {
    let q = this.#decisions();
    if (f.organisationId) q = q.where('d.organisation_id', '=', f.organisationId);
    if (f.withConsent !== undefined) q = q.where('d.with_consent', '=', f.withConsent);
    if (f.override !== undefined) q = q.where('d.override', '=', f.override);
    if (f.approvalStatus) q = q.where('d.approval_status', '=', f.approvalStatus);
    if (f.outcome) q = q.where('d.outcome', '=', f.outcome);
    if (f.emergency !== undefined) q = q.where('d.emergency', '=', f.emergency);
    if (f.from) q = q.where('d.created_at', '>=', f.from);
    if (f.to) q = q.where('d.created_at', '<', f.to);
    const rows = await q.orderBy('d.created_at', 'desc').limit(f.limit ?? 500).execute();
    return rows.map(decisionOf);
  }

  /** What a decision would send (kept until it is sent, at once or on approval). */
  async decisionItems(subjectId: string, id: string): Promise<DisclosedItem[] | null> {
    const row = await this.#h.db.selectFrom('sharing_decision').select('share_items').where('subject_id', '=', subjectId).where('id', '=', id).executeTakeFirst();
    return row ? ((row.share_items ?? []) as DisclosedItem[]) : null;
  }

  async decisionShare(subjectId: string, id: string): Promise<{ message: string | null; expiresAt: Date | null } | undefined> {
    const row = await this.#h.db
      .selectFrom('sharing_decision')
      .select(['share_message', 'share_expires_at'])
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { message: row.share_message, expiresAt: row.share_expires_at } : undefined;
  }

  /** Current names and dates of birth, for listing what was shared (the caller has passed the policy). */
  async currentNames(subjectIds: readonly string[]): Promise<Map<string, { givenNames: string; familyName: string; dateOfBirth: string | null }>> {
    if (subjectIds.length === 0) return new Map();
    const rows = await this.#h.db
      .selectFrom('person as p')
      .innerJoin('person_name as n', (j) => j.onRef('n.subject_id', '=', 'p.subject_id').on('n.kind', '=', 'current'))
      .select(['p.subject_id', 'n.given_names', 'n.family_name', 'p.date_of_birth'])
      .where('p.subject_id', 'in', [...subjectIds])
      .execute();
    return new Map(rows.map((r) => [r.subject_id, { givenNames: r.given_names, familyName: r.family_name, dateOfBirth: r.date_of_birth }]));
  }

  /**
   * Settles a pending approval: approved (with the disclosure to send, unless it went already in an
   * emergency) or declined (revoking an emergency disclosure). False if it was no longer pending.
   */
  async settleApproval(
    subjectId: string,
    id: string,
    s: { status: 'approved' | 'declined'; by: string; at: Date; note: string | null; decisionStatus: SharingDecisionRow['status']; disclosure: NewDisclosure | null; revokeDisclosureId: string | null },
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('sharing_decision')
        .set({
          approval_status: s.status,
          approved_by: s.by,
          approved_at: s.at,
          approval_note: s.note,
          status: s.decisionStatus,
          updated_at: s.at,
          ...(s.disclosure ? { disclosure_id: s.disclosure.id } : {}),
        })
        .where('subject_id', '=', subjectId)
        .where('id', '=', id)
        .where('approval_status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (s.disclosure) await trx.insertInto('disclosure_grant').values(this.#disclosureRow(s.disclosure)).execute();
      if (s.revokeDisclosureId) {
        await trx
          .updateTable('disclosure_grant')
          .set({ revoked_at: s.at, revoked_by: s.by, revoke_reason: 'The manager declined to approve this emergency share' })
          .where('subject_id', '=', subjectId)
          .where('id', '=', s.revokeDisclosureId)
          .where('revoked_at', 'is', null)
          .execute();
      }
      return true;
    });
  }

  /** Pending approvals not chased since `before`, oldest first. */
  async approvalsToChase(before: Date, limit = 200): Promise<SharingDecision[]> {
    const rows = await this.#decisions()
      .where('d.approval_status', '=', 'pending')
      .where((eb) => eb.or([eb('d.last_chased_at', 'is', null), eb('d.last_chased_at', '<', before)]))
      .where('d.approval_requested_at', '<', before)
      .orderBy('d.approval_requested_at')
      .limit(limit)
      .execute();
    return rows.map(decisionOf);
  }

  /** Claims a chase (so two runners never chase the same decision twice in one round). */
  async markChased(subjectId: string, id: string, at: Date, before: Date): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('sharing_decision')
      .set((eb) => ({ last_chased_at: at, chase_count: eb('chase_count', '+', 1) }))
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('approval_status', '=', 'pending')
      .where((eb) => eb.or([eb('last_chased_at', 'is', null), eb('last_chased_at', '<', before)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ----- disclosures -----

  #disclosureRow(d: NewDisclosure) {
    return {
      subject_id: d.subjectId,
      id: d.id,
      decision_id: d.decisionId,
      granted_by: d.senderUserId,
      sender_organisation_id: d.senderOrganisationId,
      recipient_user_id: d.recipientUserId,
      recipient_team_id: d.recipientTeamId,
      recipient_organisation_id: d.recipientOrganisationId,
      purpose: d.purpose,
      message: d.message,
      categories: d.categories,
      items: JSON.stringify(d.items),
      granted_at: d.grantedAt,
      expires_at: d.expiresAt,
      revoked_at: null,
    };
  }

  #disclosures() {
    return this.#h.db
      .selectFrom('disclosure_grant as g')
      .leftJoin('app_user as su', 'su.id', 'g.granted_by')
      .leftJoin('organisation as so', 'so.id', 'g.sender_organisation_id')
      .leftJoin('app_user as ru', 'ru.id', 'g.recipient_user_id')
      .leftJoin('team as rt', 'rt.id', 'g.recipient_team_id')
      .leftJoin('organisation as ro', 'ro.id', 'g.recipient_organisation_id')
      .selectAll('g')
      .select([
        'su.display_name as sender_name',
        'so.name as sender_organisation_name',
        'ru.display_name as recipient_user_name',
        'rt.name as recipient_team_name',
        'ro.name as recipient_organisation_name',
      ]);
  }

  async disclosure(subjectId: string, id: string): Promise<Disclosure | undefined> {
    const row = await this.#disclosures().where('g.subject_id', '=', subjectId).where('g.id', '=', id).executeTakeFirst();
    return row ? disclosureOf(row) : undefined;
  }

  async disclosuresFor(subjectId: string): Promise<Disclosure[]> {
    const rows = await this.#disclosures().where('g.subject_id', '=', subjectId).orderBy('g.granted_at', 'desc').execute();
    return rows.map(disclosureOf);
  }

  /** What was sent to this practitioner, their teams or their organisation, newest first. */
  async inbox(r: { userId: string; organisationId: string; teamIds: readonly string[] }, limit = 200): Promise<Disclosure[]> {
    const teamIds = r.teamIds.length ? [...r.teamIds] : ['00000000-0000-0000-0000-000000000000'];
    const rows = await this.#disclosures()
      .where((eb) =>
        eb.or([eb('g.recipient_user_id', '=', r.userId), eb('g.recipient_team_id', 'in', teamIds), eb('g.recipient_organisation_id', '=', r.organisationId)]),
      )
      .where('g.decision_id', 'is not', null)
      .orderBy('g.granted_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(disclosureOf);
  }

  async acknowledge(subjectId: string, id: string, by: string, at: Date): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('disclosure_grant')
      .set({ acknowledged_at: at, acknowledged_by: by })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revoke(subjectId: string, id: string, by: string, at: Date, reason: string): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('disclosure_grant')
      .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
      .where('subject_id', '=', subjectId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ----- agreements -----

  async insertAgreement(a: Selectable<SharingAgreementTable>, parties: Array<{ organisationId: string; signatoryName: string | null; signatoryRole: string | null }>): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx.insertInto('sharing_agreement').values(a).execute();
      await trx
        .insertInto('sharing_agreement_party')
        .values(parties.map((p) => ({ agreement_id: a.id, organisation_id: p.organisationId, signatory_name: p.signatoryName, signatory_role: p.signatoryRole, signed_at: null, signed_by: null })))
        .execute();
    });
  }

  async agreements(filter: { organisationId?: string | undefined; status?: string | undefined } = {}): Promise<Agreement[]> {
    let q = this.#h.db.selectFrom('sharing_agreement as a').selectAll('a');
    if (filter.organisationId) {
      const org = filter.organisationId;
      q = q.where((eb) => eb.exists(eb.selectFrom('sharing_agreement_party as p').select('p.agreement_id').whereRef('p.agreement_id', '=', 'a.id').where('p.organisation_id', '=', org)));
    }
    if (filter.status) q = q.where('a.status', '=', filter.status as SharingAgreementTable['status']);
    const rows = await q.orderBy('a.review_date').execute();
    if (rows.length === 0) return [];
    const parties = await this.#h.db
      .selectFrom('sharing_agreement_party as p')
      .innerJoin('organisation as o', 'o.id', 'p.organisation_id')
      .selectAll('p')
      .select('o.name as organisation_name')
      .where(
        'p.agreement_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('o.name')
      .execute();
    return rows.map((a) => ({
      id: a.id,
      reference: a.reference,
      title: a.title,
      purposes: a.purposes,
      legalBases: a.legal_bases,
      categories: a.categories,
      retention: a.retention,
      startDate: a.start_date,
      endDate: a.end_date,
      reviewDate: a.review_date,
      status: a.status,
      notes: a.notes,
      createdBy: a.created_by,
      createdAt: a.created_at,
      updatedAt: a.updated_at,
      lastReviewedAt: a.last_reviewed_at,
      lastRemindedAt: a.last_reminded_at,
      parties: parties
        .filter((p) => p.agreement_id === a.id)
        .map((p) => ({
          organisationId: p.organisation_id,
          organisationName: p.organisation_name,
          signatoryName: p.signatory_name,
          signatoryRole: p.signatory_role,
          signedAt: p.signed_at,
          signedBy: p.signed_by,
        })),
    }));
  }

  async agreement(id: string): Promise<Agreement | undefined> {
    const row = await this.#h.db.selectFrom('sharing_agreement').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return (await this.agreements()).find((a) => a.id === id);
  }

  async agreementByReference(reference: string): Promise<string | undefined> {
    const row = await this.#h.db.selectFrom('sharing_agreement').select('id').where(sql<string>`lower(reference)`, '=', reference.toLowerCase()).executeTakeFirst();
    return row?.id;
  }

  /** Every non-draft agreement both organisations are parties to, as facts for the coverage rule. */
  async agreementFactsBetween(a: string, b: string): Promise<AgreementFact[]> {
    const all = await this.agreements({ organisationId: a });
    return all
      .filter((x) => x.parties.some((p) => p.organisationId === b))
      .map((x) => ({
        id: x.id,
        reference: x.reference,
        status: x.status,
        partyOrganisationIds: x.parties.map((p) => p.organisationId),
        purposes: x.purposes,
        categories: x.categories,
        startDate: x.startDate,
        endDate: x.endDate,
      }));
  }

  async updateAgreement(id: string, set: Partial<Pick<Selectable<SharingAgreementTable>, 'status' | 'review_date' | 'last_reviewed_at' | 'last_reminded_at' | 'end_date' | 'notes'>>, at: Date): Promise<void> {
    await this.#h.db.updateTable('sharing_agreement').set({ ...set, updated_at: at }).where('id', '=', id).execute();
  }

  /** `by` is null for a signature recorded from a paper copy (the demo's agreements signed before the register). */
  async signAgreement(id: string, organisationId: string, s: { signatoryName: string; signatoryRole: string; by: string | null; at: Date }): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('sharing_agreement_party')
      .set({ signatory_name: s.signatoryName, signatory_role: s.signatoryRole, signed_by: s.by, signed_at: s.at })
      .where('agreement_id', '=', id)
      .where('organisation_id', '=', organisationId)
      .where('signed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Active agreements whose review date falls on or before `by`, not reminded since `remindedBefore`. */
  async reviewsDue(by: string, remindedBefore: Date): Promise<Agreement[]> {
    const all = await this.agreements({ status: 'active' });
    return all.filter((a) => a.reviewDate <= by && (!a.lastRemindedAt || a.lastRemindedAt < remindedBefore));
  }

  /**
   * Moves an agreement on only from one of the `from` statuses (so two people acting at once
   * cannot both suspend, end or activate it); false when it was not in one of them.
   */
  async transitionAgreement(
    id: string,
    from: ReadonlyArray<SharingAgreementTable['status']>,
    set: Partial<Pick<Selectable<SharingAgreementTable>, 'status' | 'review_date' | 'last_reviewed_at' | 'last_reminded_at' | 'end_date'>>,
    at: Date,
  ): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('sharing_agreement')
      .set({ ...set, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Claims one review reminder and writes its notifications in one transaction: the claim
   * succeeds only if the agreement was not reminded since `remindedBefore`, so a second run (or
   * a second server) sends nothing. False when it was already claimed.
   */
  async claimReviewReminder(
    id: string,
    remindedBefore: Date,
    at: Date,
    notifications: Array<{ id: string; recipientUserId: string; kind: string; message: string; link: string | null }>,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('sharing_agreement')
        .set({ last_reminded_at: at })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('last_reminded_at', 'is', null), eb('last_reminded_at', '<', remindedBefore)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (notifications.length > 0) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: n.kind, subject_id: null, message: n.message, link: n.link, created_at: at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  /** The active information-governance leads of these organisations (who manage and are reminded about agreements). */
  async igLeadsOf(organisationIds: readonly string[]): Promise<Array<{ userId: string; organisationId: string }>> {
    if (organisationIds.length === 0) return [];
    const rows = await this.#h.db
      .selectFrom('app_user as u')
      .innerJoin('user_role as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.organisation_id'])
      .where('r.role_code', '=', 'ig_lead')
      .where('u.status', '=', 'active')
      .where('u.organisation_id', 'in', [...organisationIds])
      .orderBy('u.id')
      .execute();
    return rows.map((r) => ({ userId: r.id, organisationId: r.organisation_id }));
  }
}
