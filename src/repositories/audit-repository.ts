import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { AuditOutcome } from '../db/schema.ts';
import { GENESIS_HASH, type HashedAuditFields } from '../audit/audit-hash.ts';

export interface StoredAuditEntry extends HashedAuditFields {
  hash: string;
}

export interface AuditSearch {
  actor?: string | undefined;
  action?: string | undefined;
  subjectId?: string | undefined;
  subjectType?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Return entries with seq below this (newest first paging). */
  beforeSeq?: number | undefined;
  limit: number;
}

function toStored(r: Record<string, unknown>): StoredAuditEntry {
  return {
    seq: Number(r.seq),
    id: r.id as string,
    occurredAt: r.occurred_at as Date,
    actorUserId: (r.actor_user_id as string | null) ?? null,
    actorLabel: r.actor_label as string,
    organisationId: (r.organisation_id as string | null) ?? null,
    roles: (r.roles as string[]) ?? [],
    action: r.action as string,
    outcome: r.outcome as string,
    subjectType: (r.subject_type as string | null) ?? null,
    subjectId: (r.subject_id as string | null) ?? null,
    purpose: (r.purpose as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
    details: (r.details as Record<string, unknown>) ?? {},
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/**
 * Inserts a batch of entries and moves the head on, in one statement, only if the head is still
 * `($4, $5)`: the update of the head row comes first and takes its lock, and the entries are
 * inserted only when it matched. Otherwise nothing is written and `inserted` is 0. The entries
 * travel as one JSON array ($1), so the statement text is the same for any batch size and can be
 * a named prepared statement.
 */
const APPEND_IF_HEAD = `
  with head as (
    update audit_head set seq = $2, hash = $3
     where id = 1 and seq = $4 and hash = $5
    returning 1
  ), ins as (
    insert into audit_event (seq, id, occurred_at, actor_user_id, actor_label, organisation_id, roles, action, outcome,
                             subject_type, subject_id, purpose, reason, request_id, ip, details, prev_hash, hash)
    select e.seq, e.id, e.occurred_at, e.actor_user_id, e.actor_label, e.organisation_id, e.roles, e.action, e.outcome,
           e.subject_type, e.subject_id, e.purpose, e.reason, e.request_id, e.ip, e.details, e.prev_hash, e.hash
      from head, jsonb_to_recordset($1::jsonb) as e(
        seq bigint, id uuid, occurred_at timestamptz, actor_user_id uuid, actor_label text, organisation_id uuid,
        roles text[], action text, outcome text, subject_type text, subject_id text, purpose text, reason text,
        request_id text, ip text, details jsonb, prev_hash text, hash text)
    returning 1
  )
  select (select count(*) from ins)::int as inserted`;

function appendParams(head: { seq: number; hash: string }, entries: readonly StoredAuditEntry[]): unknown[] {
  const rows = entries.map((e) => ({
    seq: e.seq,
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    actor_user_id: e.actorUserId,
    actor_label: e.actorLabel,
    organisation_id: e.organisationId,
    roles: e.roles,
    action: e.action,
    outcome: e.outcome,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    purpose: e.purpose,
    reason: e.reason,
    request_id: e.requestId,
    ip: e.ip,
    details: e.details,
    prev_hash: e.prevHash,
    hash: e.hash,
  }));
  const last = entries.at(-1)!;
  return [JSON.stringify(rows), last.seq, last.hash, head.seq, head.hash];
}

/** The only code that reads or writes audit tables. Writes are appends; there is no update or delete. */
export class AuditRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  /**
   * The head this repository last wrote or read under lock: the next batch is built on it.
   * `undefined` until the first batch, and again after any failure.
   */
  #head: { seq: number; hash: string } | undefined;

  /**
   * Appends a batch atomically. `build` receives the current head and returns the fully hashed
   * entries to insert after it.
   *
   * Usually one statement and one round trip: the batch is built on the head this repository
   * last wrote, and APPEND_IF_HEAD inserts the entries and moves the head on only if the head is
   * still exactly that (the head row's lock makes this atomic against any other writer). When it
   * is not (another process appended meanwhile), or on the first batch, the batch is built again
   * under the head row's lock: `begin` and the lock in one message, the same statement, `commit`
   * (three round trips).
   */
  async appendBatch(
    build: (head: { seq: number; hash: string } | null) => StoredAuditEntry[],
  ): Promise<StoredAuditEntry[]> {
    const known = this.#head;
    this.#head = undefined;
    if (known) {
      const entries = build(known);
      if (entries.length === 0) {
        this.#head = known;
        return entries;
      }
      const [r] = await this.#h.query<{ inserted: number }>(APPEND_IF_HEAD, appendParams(known, entries), { name: 'audit_append_if_head' });
      if (r?.inserted === entries.length) {
        this.#head = { seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash };
        return entries;
      }
      if (r?.inserted) throw new Error(`audit append wrote ${r.inserted} of ${entries.length} entries`);
    }
    return this.#appendLocked(build);
  }

  async #appendLocked(build: (head: { seq: number; hash: string } | null) => StoredAuditEntry[]): Promise<StoredAuditEntry[]> {
    return this.#h.withConnection(async (conn) => {
      // The head row is created (seq 0, the genesis hash) if it is missing, so that the very first
      // writers of two processes queue on its lock instead of both inserting entry 1.
      const [head] = await conn.queryScript<{ seq: number; hash: string }>(
        `begin; insert into audit_head (id, seq, hash) values (1, 0, '${GENESIS_HASH}') on conflict (id) do nothing; ` +
          'select seq, hash from audit_head where id = 1 for update',
      );
      try {
        if (!head) throw new Error('the audit head row could not be locked');
        const locked = { seq: Number(head.seq), hash: head.hash };
        const entries = build(locked.seq === 0 ? null : locked);
        if (entries.length > 0) {
          const [r] = await conn.query<{ inserted: number }>(APPEND_IF_HEAD, appendParams(locked, entries), { name: 'audit_append_if_head' });
          if (r?.inserted !== entries.length) throw new Error(`audit append wrote ${r?.inserted ?? 0} of ${entries.length} entries under lock`);
        }
        await conn.executeScript('commit');
        const last = entries.at(-1);
        this.#head = last ? { seq: last.seq, hash: last.hash } : locked.seq === 0 ? undefined : locked;
        return entries;
      } catch (err) {
        await conn.executeScript('rollback').catch(() => undefined);
        throw err;
      }
    });
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const r = await this.#h.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    return r ? { seq: Number(r.seq), hash: r.hash } : null;
  }

  /** Reads entries in seq order from `afterSeq`, a page at a time (for verification). */
  async page(afterSeq: number, limit: number): Promise<StoredAuditEntry[]> {
    const rows = await this.#h.db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', afterSeq as never)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => toStored(r as unknown as Record<string, unknown>));
  }

  async search(q: AuditSearch): Promise<StoredAuditEntry[]> {
    let query = this.#h.db.selectFrom('audit_event').selectAll();
    if (q.actor) {
      const like = `%${q.actor.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`lower(actor_label) like ${like}`);
    }
    if (q.action) query = query.where('action', 'like', `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
    if (q.subjectType) query = query.where('subject_type', '=', q.subjectType);
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    if (q.from) query = query.where('occurred_at', '>=', q.from);
    if (q.to) query = query.where('occurred_at', '<', q.to);
    if (q.beforeSeq) query = query.where('seq', '<', q.beforeSeq as never);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map((r) => toStored(r as unknown as Record<string, unknown>));
  }

  async count(): Promise<number> {
    const r = await this.#h.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
