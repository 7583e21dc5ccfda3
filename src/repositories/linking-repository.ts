/**
 * Record linkage decisions (migration 0008): links from agency source records to people, and the
 * review queue of uncertain pairs. Links and decisions are kept; undoing a link marks it undone.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { DataCategory } from '../policy/access-policy.ts';

export interface LinkSourceRecord {
  organisationId: string;
  kind: string;
  sourceRecordId: string;
  givenNames: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  nhsNumber: string | null;
  postcode: string | null;
  address: string | null;
  email: string | null;
  subjectId: string | null;
  lastRunId: string;
}

export interface LinkReviewRow {
  subjectId: string;
  id: string;
  organisationId: string;
  kind: string;
  sourceRecordId: string;
  weight: number;
  probability: number;
  explanation: unknown;
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
}

export interface RecordLinkRow {
  subjectId: string;
  id: string;
  organisationId: string;
  kind: string;
  sourceRecordId: string;
  how: 'auto' | 'accepted' | 'manual' | 'created';
  weight: number | null;
  runId: string | null;
  createdBy: string;
  createdAt: Date;
  undoneBy: string | null;
  undoneAt: Date | null;
  undoReason: string | null;
}

const SOURCE_COLUMNS = sql`organisation_id, kind, source_record_id, given_names, family_name, to_char(date_of_birth, 'YYYY-MM-DD') as date_of_birth,
  sex, nhs_number, postcode, address, email, subject_id, last_run_id`;

interface SourceRow {
  organisation_id: string;
  kind: string;
  source_record_id: string;
  given_names: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  sex: string | null;
  nhs_number: string | null;
  postcode: string | null;
  address: string | null;
  email: string | null;
  subject_id: string | null;
  last_run_id: string;
}

const toSource = (r: SourceRow): LinkSourceRecord => ({
  organisationId: r.organisation_id,
  kind: r.kind,
  sourceRecordId: r.source_record_id,
  givenNames: r.given_names,
  familyName: r.family_name,
  dateOfBirth: r.date_of_birth,
  sex: r.sex,
  nhsNumber: r.nhs_number,
  postcode: r.postcode,
  address: r.address,
  email: r.email,
  subjectId: r.subject_id,
  lastRunId: r.last_run_id,
});

interface ReviewDbRow {
  subject_id: string;
  id: string;
  organisation_id: string;
  kind: string;
  source_record_id: string;
  weight: number;
  probability: number;
  explanation: unknown;
  status: LinkReviewRow['status'];
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
}

const toReview = (r: ReviewDbRow): LinkReviewRow => ({
  subjectId: r.subject_id,
  id: r.id,
  organisationId: r.organisation_id,
  kind: r.kind,
  sourceRecordId: r.source_record_id,
  weight: Number(r.weight),
  probability: Number(r.probability),
  explanation: typeof r.explanation === 'string' ? (JSON.parse(r.explanation) as unknown) : r.explanation,
  status: r.status,
  createdAt: new Date(r.created_at),
  decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at) : null,
  note: r.note,
});

/**
 * The involvements, contacts and events an organisation sent about one of its people records follow
 * that record: linked to the same person, or to nobody when its link is undone.
 */
function attachDependents(db: Transaction<Database>, organisationId: string, personRecordId: string, subjectId: string | null) {
  return sql`update source_record set subject_id = ${subjectId}
    where organisation_id = ${organisationId} and kind <> 'people' and person_record_id = ${personRecordId}
      and subject_id is distinct from ${subjectId}::uuid`.execute(db);
}

/** A link of one agency record to a person, with the record, its organisation and what follows it. */
export interface PersonLinkRow {
  linkId: string;
  organisationId: string;
  organisationName: string;
  caseCategory: string;
  kind: string;
  sourceRecordId: string;
  how: RecordLinkRow['how'];
  weight: number | null;
  createdBy: string;
  createdAt: Date;
  undoneBy: string | null;
  undoneAt: Date | null;
  undoReason: string | null;
  givenNames: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  postcode: string | null;
  /** The involvements, contacts and events now following this record to the person, by kind. */
  dependants: Record<string, number>;
}

export class LinkingRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  /** The organisation's unlinked people records, of one run when given. */
  async unlinkedPeopleRecords(organisationId: string, runId?: string): Promise<LinkSourceRecord[]> {
    const run = runId ? sql`and last_run_id = ${runId}` : sql``;
    const { rows } = await sql<SourceRow>`select ${SOURCE_COLUMNS} from source_record
      where organisation_id = ${organisationId} and kind = 'people' and subject_id is null ${run}
      order by source_record_id`.execute(this.#h.db);
    return rows.map(toSource);
  }

  async sourceRecord(organisationId: string, kind: string, sourceRecordId: string): Promise<LinkSourceRecord | undefined> {
    const { rows } = await sql<SourceRow>`select ${SOURCE_COLUMNS} from source_record
      where organisation_id = ${organisationId} and kind = ${kind} and source_record_id = ${sourceRecordId}`.execute(this.#h.db);
    return rows[0] ? toSource(rows[0]) : undefined;
  }

  /** Every pair already reviewed or waiting for each of these records (any status), by record id. */
  async reviewsOf(organisationId: string, kind: string, sourceRecordIds: readonly string[]): Promise<Map<string, LinkReviewRow[]>> {
    const out = new Map<string, LinkReviewRow[]>();
    if (sourceRecordIds.length === 0) return out;
    const { rows } = await sql<ReviewDbRow>`select * from link_review
      where organisation_id = ${organisationId} and kind = ${kind} and source_record_id = any(${sourceRecordIds}::text[])`.execute(this.#h.db);
    for (const r of rows.map(toReview)) {
      const list = out.get(r.sourceRecordId);
      if (list) list.push(r);
      else out.set(r.sourceRecordId, [r]);
    }
    return out;
  }

  async findReview(id: string): Promise<LinkReviewRow | undefined> {
    const { rows } = await sql<ReviewDbRow>`select * from link_review where id = ${id}`.execute(this.#h.db);
    return rows[0] ? toReview(rows[0]) : undefined;
  }

  async pendingReviews(organisationId: string, limit = 200): Promise<LinkReviewRow[]> {
    const { rows } = await sql<ReviewDbRow>`select * from link_review
      where organisation_id = ${organisationId} and status = 'pending' order by created_at, id limit ${limit}`.execute(this.#h.db);
    return rows.map(toReview);
  }

  async insertReview(r: { subjectId: string; id: string; organisationId: string; kind: string; sourceRecordId: string; weight: number; probability: number; explanation: unknown }, now: Date): Promise<void> {
    await sql`insert into link_review (subject_id, id, organisation_id, kind, source_record_id, weight, probability, explanation, status, created_at)
      values (${r.subjectId}, ${r.id}, ${r.organisationId}, ${r.kind}, ${r.sourceRecordId}, ${r.weight}, ${r.probability},
        ${JSON.stringify(r.explanation)}::jsonb, 'pending', ${now})`.execute(this.#h.db);
  }

  /** Re-opens a decided pair (after an undone link). */
  async reopenReview(subjectId: string, id: string): Promise<void> {
    await sql`update link_review set status = 'pending', decided_by = null, decided_at = null, note = null
      where subject_id = ${subjectId} and id = ${id}`.execute(this.#h.db);
  }

  /**
   * Decides a pending pair; an accepted one links the source record in the same transaction.
   * Returns false when the pair was no longer pending or the record is already linked.
   */
  async decideReview(
    review: LinkReviewRow,
    d: { status: 'accepted' | 'rejected'; decidedBy: string; note: string | null; linkId: string },
    now: Date,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const updated = await sql`update link_review set status = ${d.status}, decided_by = ${d.decidedBy}, decided_at = ${now}, note = ${d.note}
        where subject_id = ${review.subjectId} and id = ${review.id} and status = 'pending'`.execute(trx);
      if (Number(updated.numAffectedRows ?? 0) !== 1) return false;
      if (d.status === 'accepted') {
        const linked = await sql`update source_record set subject_id = ${review.subjectId}
          where organisation_id = ${review.organisationId} and kind = ${review.kind} and source_record_id = ${review.sourceRecordId} and subject_id is null`.execute(trx);
        if (Number(linked.numAffectedRows ?? 0) !== 1) throw new Error(`source record ${review.sourceRecordId} is already linked`);
        if (review.kind === 'people') await attachDependents(trx, review.organisationId, review.sourceRecordId, review.subjectId);
        await sql`insert into record_link (subject_id, id, organisation_id, kind, source_record_id, how, weight, run_id, created_by, created_at)
          values (${review.subjectId}, ${d.linkId}, ${review.organisationId}, ${review.kind}, ${review.sourceRecordId}, 'accepted', ${review.weight}, null, ${d.decidedBy}, ${now})`.execute(trx);
      }
      return true;
    });
  }

  /** Links an unlinked source record automatically. False when it was linked meanwhile. */
  async insertAutoLink(
    l: { subjectId: string; id: string; organisationId: string; kind: string; sourceRecordId: string; weight: number | null; runId: string | null; createdBy: string; how?: 'auto' | 'created' },
    now: Date,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const linked = await sql`update source_record set subject_id = ${l.subjectId}
        where organisation_id = ${l.organisationId} and kind = ${l.kind} and source_record_id = ${l.sourceRecordId} and subject_id is null`.execute(trx);
      if (Number(linked.numAffectedRows ?? 0) !== 1) return false;
      if (l.kind === 'people') await attachDependents(trx, l.organisationId, l.sourceRecordId, l.subjectId);
      await sql`insert into record_link (subject_id, id, organisation_id, kind, source_record_id, how, weight, run_id, created_by, created_at)
        values (${l.subjectId}, ${l.id}, ${l.organisationId}, ${l.kind}, ${l.sourceRecordId}, ${l.how ?? 'auto'}, ${l.weight}, ${l.runId}, ${l.createdBy}, ${now})`.execute(trx);
      return true;
    });
  }

  async findLink(id: string): Promise<RecordLinkRow | undefined> {
    const { rows } = await sql<Record<string, unknown>>`select * from record_link where id = ${id}`.execute(this.#h.db);
    const r = rows[0];
    if (!r) return undefined;
    return {
      subjectId: r.subject_id as string,
      id: r.id as string,
      organisationId: r.organisation_id as string,
      kind: r.kind as string,
      sourceRecordId: r.source_record_id as string,
      how: r.how as RecordLinkRow['how'],
      weight: r.weight === null ? null : Number(r.weight),
      runId: r.run_id as string | null,
      createdBy: r.created_by as string,
      createdAt: new Date(r.created_at as string),
      undoneBy: r.undone_by as string | null,
      undoneAt: r.undone_at ? new Date(r.undone_at as string) : null,
      undoReason: r.undo_reason as string | null,
    };
  }

  async activeLinkOf(organisationId: string, kind: string, sourceRecordId: string): Promise<string | undefined> {
    const { rows } = await sql<{ id: string }>`select id from record_link
      where organisation_id = ${organisationId} and kind = ${kind} and source_record_id = ${sourceRecordId} and undone_at is null`.execute(this.#h.db);
    return rows[0]?.id;
  }

  /**
   * Undoes a link: marks it undone, takes the person off the source record, and re-opens the pair
   * for review (a pending pair with the same weight), all in one transaction.
   */
  async undoLink(link: RecordLinkRow, u: { undoneBy: string; reason: string; reopen: { id: string; explanation: unknown; probability: number } | null }, now: Date): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const done = await sql`update record_link set undone_by = ${u.undoneBy}, undone_at = ${now}, undo_reason = ${u.reason}
        where subject_id = ${link.subjectId} and id = ${link.id} and undone_at is null`.execute(trx);
      if (Number(done.numAffectedRows ?? 0) !== 1) return false;
      await sql`update source_record set subject_id = null
        where organisation_id = ${link.organisationId} and kind = ${link.kind} and source_record_id = ${link.sourceRecordId} and subject_id = ${link.subjectId}`.execute(trx);
      if (link.kind === 'people') await attachDependents(trx, link.organisationId, link.sourceRecordId, null);
      const reopened = await sql`update link_review set status = 'pending', decided_by = null, decided_at = null, note = null
        where organisation_id = ${link.organisationId} and kind = ${link.kind} and source_record_id = ${link.sourceRecordId} and subject_id = ${link.subjectId}`.execute(trx);
      if (link.kind === 'people') await attachDependents(trx, link.organisationId, link.sourceRecordId, null);
      if (Number(reopened.numAffectedRows ?? 0) === 0 && u.reopen) {
        await sql`insert into link_review (subject_id, id, organisation_id, kind, source_record_id, weight, probability, explanation, status, created_at)
          values (${link.subjectId}, ${u.reopen.id}, ${link.organisationId}, ${link.kind}, ${link.sourceRecordId}, ${link.weight ?? 0}, ${u.reopen.probability},
            ${JSON.stringify(u.reopen.explanation)}::jsonb, 'pending', ${now})`.execute(trx);
      }
      return true;
    });
  }

  /**
   * Every link of an agency record to the person, newest first, undone ones too (with who undid them
   * and why), and how many involvements, contacts and events follow each linked record.
   */
  async linksOfPerson(subjectId: string, limit = 500): Promise<PersonLinkRow[]> {
    const { rows } = await sql<Record<string, unknown>>`
      select l.id as link_id, l.organisation_id, o.name as organisation_name, ot.case_category, l.kind, l.source_record_id, l.how, l.weight,
        l.created_by, l.created_at, l.undone_by, l.undone_at, l.undo_reason,
        s.given_names, s.family_name, to_char(s.date_of_birth, 'YYYY-MM-DD') as date_of_birth, s.postcode,
        (select coalesce(jsonb_object_agg(d.kind, d.n), '{}'::jsonb) from (
          select x.kind, count(*)::int as n from source_record x
          where x.organisation_id = l.organisation_id and x.kind <> 'people' and x.person_record_id = l.source_record_id
            and x.subject_id = l.subject_id and l.undone_at is null and l.kind = 'people'
          group by x.kind) d) as dependants
      from record_link l
      join source_record s on s.organisation_id = l.organisation_id and s.kind = l.kind and s.source_record_id = l.source_record_id
      join organisation o on o.id = l.organisation_id
      join organisation_type ot on ot.code = o.type_code
      where l.subject_id = ${subjectId}
      order by l.undone_at is not null, l.created_at desc, l.id
      limit ${limit}`.execute(this.#h.db);
    return rows.map((r) => ({
      linkId: r.link_id as string,
      organisationId: r.organisation_id as string,
      organisationName: r.organisation_name as string,
      caseCategory: r.case_category as string,
      kind: r.kind as string,
      sourceRecordId: r.source_record_id as string,
      how: r.how as RecordLinkRow['how'],
      weight: r.weight === null ? null : Number(r.weight),
      createdBy: r.created_by as string,
      createdAt: new Date(r.created_at as string),
      undoneBy: r.undone_by as string | null,
      undoneAt: r.undone_at ? new Date(r.undone_at as string) : null,
      undoReason: r.undo_reason as string | null,
      givenNames: r.given_names as string | null,
      familyName: r.family_name as string | null,
      dateOfBirth: r.date_of_birth as string | null,
      postcode: r.postcode as string | null,
      dependants: (typeof r.dependants === 'string' ? JSON.parse(r.dependants) : (r.dependants ?? {})) as Record<string, number>,
    }));
  }

  /**
   * The involvements agencies' systems sent about a person: their feeds' involvements records now
   * linked to the person (an undone link clears `subject_id`, so they leave with it), current first.
   */
  async agencyInvolvementsOf(subjectId: string, limit = 500): Promise<AgencyInvolvementRow[]> {
    const { rows } = await sql<Record<string, unknown>>`
      select s.organisation_id, o.name as organisation_name, ot.case_category, s.source_record_id, s.role, s.practitioner_name, s.team_name,
        s.phone, s.email, to_char(s.start_date, 'YYYY-MM-DD') as start_date, to_char(s.end_date, 'YYYY-MM-DD') as end_date,
        s.last_changed_at
      from source_record s
      join organisation o on o.id = s.organisation_id
      join organisation_type ot on ot.code = o.type_code
      where s.subject_id = ${subjectId} and s.kind = 'involvements'
      order by s.end_date is not null, s.end_date desc, s.start_date desc, o.name, s.source_record_id
      limit ${limit}`.execute(this.#h.db);
    return rows.map((r) => ({
      organisationId: r.organisation_id as string,
      organisationName: r.organisation_name as string,
      caseCategory: r.case_category as DataCategory,
      sourceRecordId: r.source_record_id as string,
      role: (r.role as string | null) ?? 'Involved',
      practitionerName: r.practitioner_name as string | null,
      teamName: r.team_name as string | null,
      phone: r.phone as string | null,
      email: r.email as string | null,
      startDate: r.start_date as string,
      endDate: r.end_date as string | null,
      sentAt: new Date(r.last_changed_at as string),
    }));
  }

  /**
   * Up to `limit` people drawn at random, as the linkage engine reads them: current name, date of
   * birth (YYYYMMDD), sex, current postcode and NHS number. For training the model only.
   */
  async trainingPeople(limit: number): Promise<TrainingRow[]> {
    const { rows } = await sql<TrainingRow>`
      select p.subject_id as id, n.given_names as first_name, n.family_name as surname, coalesce(to_char(p.date_of_birth, 'YYYYMMDD'), '') as dob,
        case p.sex when 'female' then 'F' when 'male' then 'M' else '' end as sex,
        coalesce((select a.postcode from person_address a where a.subject_id = p.subject_id and a.to_date is null order by a.from_date desc nulls last limit 1), '') as postcode,
        coalesce((select i.value from person_identifier i where i.subject_id = p.subject_id and i.scheme = 'nhs_number' limit 1), '') as nhs_number
      from person p
      join lateral (select given_names, family_name from person_name x where x.subject_id = p.subject_id and x.kind = 'current' limit 1) n on true
      order by random()
      limit ${limit}`.execute(this.#h.db);
    return rows;
  }

  /** Up to `limit` of every organisation's people records drawn at random, for training the model only. */
  async trainingRecords(limit: number): Promise<TrainingRow[]> {
    const { rows } = await sql<TrainingRow>`
      select organisation_id || '/' || source_record_id as id, coalesce(given_names, '') as first_name, coalesce(family_name, '') as surname,
        coalesce(to_char(date_of_birth, 'YYYYMMDD'), '') as dob,
        case lower(coalesce(sex, '')) when 'female' then 'F' when 'f' then 'F' when 'male' then 'M' when 'm' then 'M' else '' end as sex,
        coalesce(postcode, '') as postcode, coalesce(replace(nhs_number, ' ', ''), '') as nhs_number
      from source_record where kind = 'people'
      order by random()
      limit ${limit}`.execute(this.#h.db);
    return rows;
  }

  async saveModel(m: { id: string; trainedBy: string; records: number; params: unknown; nameFrequencies: unknown }, now: Date): Promise<void> {
    await sql`insert into linkage_model (id, trained_at, trained_by, records, params, name_frequencies)
      values (${m.id}, ${now}, ${m.trainedBy}, ${m.records}, ${JSON.stringify(m.params)}::jsonb, ${JSON.stringify(m.nameFrequencies)}::jsonb)`.execute(this.#h.db);
  }

  async latestModel(): Promise<{ id: string; trainedAt: Date; trainedBy: string; records: number; params: unknown; nameFrequencies: unknown } | undefined> {
    const { rows } = await sql<{ id: string; trained_at: Date; trained_by: string; records: number; params: unknown; name_frequencies: unknown }>`
      select * from linkage_model order by trained_at desc, id desc limit 1`.execute(this.#h.db);
    const r = rows[0];
    if (!r) return undefined;
    const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
    return { id: r.id, trainedAt: new Date(r.trained_at), trainedBy: r.trained_by, records: Number(r.records), params: json(r.params), nameFrequencies: json(r.name_frequencies) };
  }
}

/** An involvement as an agency's system sent it (kind involvements, 0007 and 0014), linked to a person. */
export interface AgencyInvolvementRow {
  organisationId: string;
  organisationName: string;
  caseCategory: DataCategory;
  sourceRecordId: string;
  role: string;
  practitionerName: string | null;
  teamName: string | null;
  phone: string | null;
  email: string | null;
  startDate: string;
  endDate: string | null;
  /** When the agency last sent a change to it. */
  sentAt: Date;
}

export interface TrainingRow {
  id: string;
  first_name: string;
  surname: string;
  dob: string;
  sex: string;
  postcode: string;
  nhs_number: string;
}
