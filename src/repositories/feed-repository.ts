import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { FeedFormat, FeedKind, FeedMapping, NormalisedRecord } from '../feeds/mapping.ts';

export interface Feed {
  id: string;
  organisationId: string;
  organisationName: string;
  name: string;
  kind: FeedKind;
  format: FeedFormat;
  mapping: FeedMapping;
  createdBy: string | null;
  createdAt: Date;
}

export type ImportStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export interface ImportRun {
  id: string;
  organisationId: string;
  feedId: string;
  status: ImportStatus;
  rowsSeen: number;
  rowsAccepted: number;
  rowsUnchanged: number;
  rowsRejected: number;
  bytesRead: number;
  bytesTotal: number | null;
  checkpointRow: number;
  fileSha256: string | null;
  startedBy: string;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  failure: string | null;
}

export interface ImportErrorRow {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
}

/** The run's cumulative counts as of a checkpoint; written in the same transaction as the batch. */
export interface RunProgress {
  checkpointRow: number;
  rowsSeen: number;
  rowsAccepted: number;
  rowsUnchanged: number;
  rowsRejected: number;
  bytesRead: number;
}

/** A child born in the period, with their current name and address, for the outbound births list. */
export interface BirthCandidate {
  subjectId: string;
  givenNames: string | null;
  familyName: string | null;
  dateOfBirth: string;
  sex: string;
  shielded: boolean;
  line1: string;
  town: string | null;
  postcode: string;
}

/** A run marked running that has not moved for this long is taken to have stopped with its process. */
export const STALE_RUN_MS = 5 * 60_000;

type RunRow = {
  id: string;
  organisation_id: string;
  feed_id: string;
  status: string;
  rows_seen: number;
  rows_accepted: number;
  rows_unchanged: number;
  rows_rejected: number;
  bytes_read: number;
  bytes_total: number | null;
  checkpoint_row: number;
  file_sha256: string | null;
  started_by: string;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  failure: string | null;
};

const mapRun = (r: RunRow): ImportRun => ({
  id: r.id,
  organisationId: r.organisation_id,
  feedId: r.feed_id,
  status: r.status as ImportStatus,
  rowsSeen: Number(r.rows_seen),
  rowsAccepted: Number(r.rows_accepted),
  rowsUnchanged: Number(r.rows_unchanged),
  rowsRejected: Number(r.rows_rejected),
  bytesRead: Number(r.bytes_read),
  bytesTotal: r.bytes_total === null ? null : Number(r.bytes_total),
  checkpointRow: Number(r.checkpoint_row),
  fileSha256: r.file_sha256,
  startedBy: r.started_by,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  failure: r.failure,
});

/** Feeds, import runs and their errors, and the source records they write (migration 0007). */
export class FeedRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  #feeds() {
    return this.#h.db
      .selectFrom('feed as f')
      .innerJoin('organisation as o', 'o.id', 'f.organisation_id')
      .select(['f.id', 'f.organisation_id', 'o.name as organisation_name', 'f.name', 'f.kind', 'f.format', 'f.mapping', 'f.created_by', 'f.created_at']);
  }

  static #mapFeed(r: {
    id: string;
    organisation_id: string;
    organisation_name: string;
    name: string;
    kind: string;
    format: string;
    mapping: Record<string, unknown>;
    created_by: string | null;
    created_at: Date;
  }): Feed {
    return {
      id: r.id,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      name: r.name,
      kind: r.kind as FeedKind,
      format: r.format as FeedFormat,
      mapping: r.mapping as unknown as FeedMapping,
      createdBy: r.created_by,
      createdAt: r.created_at,
    };
  }

  async insertFeed(f: { id: string; organisationId: string; name: string; kind: FeedKind; format: FeedFormat; mapping: FeedMapping; createdBy: string | null }, now: Date): Promise<'created' | 'name-taken'> {
    const taken = await this.#h.db
      .selectFrom('feed')
      .select('id')
      .where('organisation_id', '=', f.organisationId)
      .where(sql<string>`lower(name)`, '=', f.name.toLowerCase())
      .executeTakeFirst();
    if (taken) return 'name-taken';
    await this.#h.db
      .insertInto('feed')
      .values({
        organisation_id: f.organisationId,
        id: f.id,
        name: f.name,
        kind: f.kind,
        format: f.format,
        mapping: JSON.stringify(f.mapping),
        created_by: f.createdBy,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return 'created';
  }

  async findFeed(id: string): Promise<Feed | undefined> {
    const r = await this.#feeds().where('f.id', '=', id).executeTakeFirst();
    return r && FeedRepository.#mapFeed(r);
  }

  async findFeedsByName(name: string): Promise<Feed[]> {
    const rows = await this.#feeds().where(sql<string>`lower(f.name)`, '=', name.toLowerCase()).execute();
    return rows.map(FeedRepository.#mapFeed);
  }

  async listFeeds(organisationId: string): Promise<Feed[]> {
    const rows = await this.#feeds().where('f.organisation_id', '=', organisationId).orderBy('f.name').execute();
    return rows.map(FeedRepository.#mapFeed);
  }

  async insertRun(r: { id: string; organisationId: string; feedId: string; bytesTotal: number | null; fileSha256: string | null; startedBy: string }, now: Date): Promise<void> {
    await this.#h.db
      .insertInto('import_run')
      .values({
        organisation_id: r.organisationId,
        id: r.id,
        feed_id: r.feedId,
        status: 'running',
        bytes_total: r.bytesTotal,
        file_sha256: r.fileSha256,
        started_by: r.startedBy,
        started_at: now,
        updated_at: now,
      })
      .execute();
  }

  /**
   * The run to resume for this file: the newest run of the feed with the same SHA-256 that did not
   * complete (interrupted, failed, or left running by a process that stopped). Null when there is none.
   */
  async resumableRun(organisationId: string, feedId: string, fileSha256: string): Promise<ImportRun | null> {
    const r = await this.#h.db
      .selectFrom('import_run')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('feed_id', '=', feedId)
      .where('file_sha256', '=', fileSha256)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!r || r.status === 'completed') return null;
    return mapRun(r as RunRow);
  }

  /** Marks a run as running again (resumed); only if it is not completed. */
  async reopenRun(organisationId: string, id: string, now: Date): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('import_run')
      .set({ status: 'running', finished_at: null, failure: null, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .where('status', '<>', 'completed')
      // a run still marked running is taken over only when nothing has advanced it for STALE_RUN_MS
      .where((eb) => eb.or([eb('status', '<>', 'running'), eb('updated_at', '<', new Date(now.getTime() - STALE_RUN_MS))]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async findRun(id: string): Promise<ImportRun | undefined> {
    const r = await this.#h.db.selectFrom('import_run').selectAll().where('id', '=', id).executeTakeFirst();
    return r && mapRun(r as RunRow);
  }

  async listRuns(organisationId: string, feedId: string, limit = 20): Promise<ImportRun[]> {
    const rows = await this.#h.db
      .selectFrom('import_run')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('feed_id', '=', feedId)
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => mapRun(r as RunRow));
  }

  /**
   * Commits one batch: the accepted records upserted (a record whose content has not changed is not
   * rewritten), the rejected rows' problems, and the run's counts and checkpoint, in ONE transaction.
   * Returns how many records were inserted, changed and left as they were.
   */
  async commitBatch(
    run: { organisationId: string; runId: string; feedId: string; kind: FeedKind },
    records: readonly NormalisedRecord[],
    errors: ReadonlyArray<ImportErrorRow & { seq: number }>,
    progress: (written: { inserted: number; updated: number; unchanged: number }) => RunProgress,
    now: Date,
  ): Promise<{ inserted: number; updated: number; unchanged: number }> {
    // Within a batch a record id sent twice keeps its last row (as it would across batches).
    const byId = new Map<string, NormalisedRecord>();
    for (const r of records) byId.set(r.sourceRecordId, r);
    const recs = [...byId.values()];
    const col = <K extends keyof NormalisedRecord>(k: K) => recs.map((r) => r[k]);
    return this.#h.db.transaction().execute(async (trx) => {
      let inserted = 0;
      let updated = 0;
      if (recs.length) {
        const rows = await sql<{ inserted: boolean }>`
          insert into source_record (organisation_id, kind, source_record_id, feed_id, person_record_id, given_names, family_name,
            date_of_birth, sex, nhs_number, postcode, address, phone, email, role, practitioner_name, team_name, start_date, end_date, event_type,
            description, raw, content_sha256, first_seen_at, last_changed_at, first_run_id, last_run_id)
          select ${run.organisationId}::uuid, ${run.kind}, t.sid, ${run.feedId}::uuid, t.pid, t.gn, t.fn, t.dob::date, t.sex, t.nhs, t.pc, t.addr,
            t.phone, t.email, t.role, t.pn, t.tn, t.sd::date, t.ed::date, t.et, t.descr, t.raw::jsonb, t.sha, ${now}::timestamptz, ${now}::timestamptz,
            ${run.runId}::uuid, ${run.runId}::uuid
          from unnest(${col('sourceRecordId')}::text[], ${col('personRecordId')}::text[], ${col('givenNames')}::text[], ${col('familyName')}::text[],
            ${col('dateOfBirth')}::text[], ${col('sex')}::text[], ${col('nhsNumber')}::text[], ${col('postcode')}::text[], ${col('address')}::text[],
            ${col('phone')}::text[], ${col('email')}::text[], ${col('role')}::text[], ${col('practitionerName')}::text[], ${col('teamName')}::text[],
            ${col('startDate')}::text[], ${col('endDate')}::text[], ${col('eventType')}::text[], ${col('description')}::text[],
            ${recs.map((r) => JSON.stringify(r.raw))}::text[], ${col('contentSha256')}::text[])
            as t(sid, pid, gn, fn, dob, sex, nhs, pc, addr, phone, email, role, pn, tn, sd, ed, et, descr, raw, sha)
          on conflict (organisation_id, kind, source_record_id) do update set
            feed_id = excluded.feed_id, person_record_id = excluded.person_record_id, given_names = excluded.given_names,
            family_name = excluded.family_name, date_of_birth = excluded.date_of_birth, sex = excluded.sex, nhs_number = excluded.nhs_number,
            postcode = excluded.postcode, address = excluded.address, phone = excluded.phone, email = excluded.email, role = excluded.role,
            practitioner_name = excluded.practitioner_name, team_name = excluded.team_name, start_date = excluded.start_date, end_date = excluded.end_date, event_type = excluded.event_type, description = excluded.description,
            raw = excluded.raw, content_sha256 = excluded.content_sha256, last_changed_at = excluded.last_changed_at, last_run_id = excluded.last_run_id
          where source_record.content_sha256 <> excluded.content_sha256
          returning (xmax = 0) as inserted`.execute(trx);
        for (const r of rows.rows) {
          if (r.inserted) inserted++;
          else updated++;
        }
      }
      const written = { inserted, updated, unchanged: recs.length - inserted - updated };
      if (recs.length && run.kind !== 'people') {
        // An involvement, contact or event follows the person its people record is linked to (or none).
        await sql`
          update source_record e set subject_id = (select p.subject_id from source_record p
            where p.organisation_id = e.organisation_id and p.kind = 'people' and p.source_record_id = e.person_record_id)
          where e.organisation_id = ${run.organisationId} and e.kind = ${run.kind} and e.source_record_id = any(${col('sourceRecordId')}::text[])
            and e.subject_id is distinct from (select p.subject_id from source_record p
              where p.organisation_id = e.organisation_id and p.kind = 'people' and p.source_record_id = e.person_record_id)`.execute(trx);
      }
      if (errors.length) {
        await sql`
          insert into import_error (organisation_id, run_id, row_number, seq, column_name, value_excerpt, reason)
          select ${run.organisationId}::uuid, ${run.runId}::uuid, t.r, t.s, t.c, t.v, t.reason
          from unnest(${errors.map((e) => e.rowNumber)}::bigint[], ${errors.map((e) => e.seq)}::int[], ${errors.map((e) => e.column)}::text[],
            ${errors.map((e) => e.value)}::text[], ${errors.map((e) => e.reason)}::text[]) as t(r, s, c, v, reason)
          on conflict do nothing`.execute(trx);
      }
      const p = progress(written);
      await trx
        .updateTable('import_run')
        .set({
          checkpoint_row: p.checkpointRow,
          rows_seen: p.rowsSeen,
          rows_accepted: p.rowsAccepted,
          rows_unchanged: p.rowsUnchanged,
          rows_rejected: p.rowsRejected,
          bytes_read: p.bytesRead,
          updated_at: now,
        })
        .where('organisation_id', '=', run.organisationId)
        .where('id', '=', run.runId)
        .execute();
      return written;
    });
  }

  async finishRun(organisationId: string, id: string, r: { status: Exclude<ImportStatus, 'running'>; fileSha256: string | null; failure: string | null; bytesRead: number }, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('import_run')
      .set({ status: r.status, file_sha256: r.fileSha256, failure: r.failure, finished_at: now, updated_at: now, bytes_read: r.bytesRead })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .execute();
  }

  /** A run's refused rows in row order, a page at a time (for the CSV report). */
  async errors(organisationId: string, runId: string, afterRow: number, afterSeq: number, limit: number): Promise<Array<ImportErrorRow & { seq: number }>> {
    const rows = await this.#h.db
      .selectFrom('import_error')
      .select(['row_number', 'seq', 'column_name', 'value_excerpt', 'reason'])
      .where('organisation_id', '=', organisationId)
      .where('run_id', '=', runId)
      .where((eb) => eb.or([eb('row_number', '>', afterRow), eb.and([eb('row_number', '=', afterRow), eb('seq', '>', afterSeq)])]))
      .orderBy('row_number')
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ rowNumber: Number(r.row_number), seq: r.seq, column: r.column_name, value: r.value_excerpt, reason: r.reason }));
  }

  async countSourceRecords(organisationId: string, kind: FeedKind): Promise<number> {
    const r = await this.#h.db
      .selectFrom('source_record')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async sourceRecord(organisationId: string, kind: FeedKind, sourceRecordId: string) {
    return this.#h.db
      .selectFrom('source_record')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('kind', '=', kind)
      .where('source_record_id', '=', sourceRecordId)
      .executeTakeFirst();
  }

  // ---------- outbound: children's centres' reach areas and new births ----------

  /** Replaces a centre's reach area (postcode districts and sectors) in one transaction. */
  async setReachArea(organisationId: string, prefixes: readonly string[], now: Date): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('reach_area').where('organisation_id', '=', organisationId).execute();
      if (prefixes.length) await trx.insertInto('reach_area').values(prefixes.map((prefix) => ({ organisation_id: organisationId, prefix, created_at: now }))).execute();
    });
  }

  async reachArea(organisationId: string): Promise<string[]> {
    const rows = await this.#h.db.selectFrom('reach_area').select('prefix').where('organisation_id', '=', organisationId).orderBy('prefix').execute();
    return rows.map((r) => r.prefix);
  }

  /** Every organisation with a reach area: the children's centres the weekly list goes to. */
  async centres(): Promise<Array<{ id: string; name: string; typeCode: string }>> {
    return this.#h.db
      .selectFrom('organisation as o')
      .select(['o.id', 'o.name', 'o.type_code as typeCode'])
      .where('o.active', '=', true)
      .where((eb) => eb.exists(eb.selectFrom('reach_area as r').select('r.prefix').whereRef('r.organisation_id', '=', 'o.id')))
      .orderBy('o.name')
      .execute();
  }

  /**
   * Children born from `from` to `to` (exact dates of birth, alive) whose current address is in one of
   * the postcode districts or sectors given. Only the identity and whereabouts the list needs; the
   * caller decides, per child, whether they may be passed on (src/feeds/births.ts).
   */
  async birthsIn(from: string, to: string, prefixes: readonly string[]): Promise<BirthCandidate[]> {
    if (!prefixes.length) return [];
    const districts = prefixes.filter((p) => !p.includes(' '));
    const sectors = prefixes.filter((p) => p.includes(' '));
    const rows = await sql<{
      subject_id: string;
      given_names: string | null;
      family_name: string | null;
      date_of_birth: string;
      sex: string;
      shielded: boolean;
      line1: string;
      town: string | null;
      postcode: string;
    }>`
      select p.subject_id, n.given_names, n.family_name, p.date_of_birth::text as date_of_birth, p.sex, p.shielded, a.line1, a.town, a.postcode
      from person p
      join lateral (select line1, town, postcode from person_address a where a.subject_id = p.subject_id and a.to_date is null
                    order by a.from_date desc nulls last, a.created_at desc limit 1) a on true
      left join lateral (select given_names, family_name from person_name n where n.subject_id = p.subject_id and n.kind = 'current'
                    order by n.created_at desc limit 1) n on true
      where p.date_of_birth between ${from}::date and ${to}::date and p.dob_precision = 'exact' and not p.deceased
        and (split_part(a.postcode, ' ', 1) = any(${districts}::text[]) or left(a.postcode, length(a.postcode) - 2) = any(${sectors}::text[]))
      order by p.date_of_birth, n.family_name, n.given_names`.execute(this.#h.db);
    return rows.rows.map((r) => ({
      subjectId: r.subject_id,
      givenNames: r.given_names,
      familyName: r.family_name,
      dateOfBirth: r.date_of_birth,
      sex: r.sex,
      shielded: r.shielded,
      line1: r.line1,
      town: r.town,
      postcode: r.postcode,
    }));
  }

  /** The active practitioners of an organisation with one of the roles (who the weekly list is announced to). */
  async staffWithRoles(organisationId: string, roles: readonly string[]): Promise<string[]> {
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

  async notify(rows: ReadonlyArray<{ id: string; recipientUserId: string; kind: string; message: string; link: string }>, now: Date): Promise<void> {
    if (!rows.length) return;
    await this.#h.db
      .insertInto('notification')
      .values(rows.map((r) => ({ id: r.id, recipient_user_id: r.recipientUserId, kind: r.kind, subject_id: null, message: r.message, link: r.link, created_at: now, read_at: null })))
      .execute();
  }
}
