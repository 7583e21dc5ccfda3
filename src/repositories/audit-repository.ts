import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { AuditOutcome } from '../db/schema.ts';
import type { HashedAuditFields } from '../audit/audit-hash.ts';

export interface StoredAuditEntry extends HashedAuditFields {
  hash: string;
}

export interface AuditSearch {
  actor?: string | undefined;
  action?: string | undefined;
  subjectId?: string | undefined;
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

/** The only code that reads or writes audit tables. Writes are appends; there is no update or delete. */
export class AuditRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  /**
   * Appends a batch in one transaction. `build` receives the current head (under an exclusive
   * lock on the head row) and returns the fully hashed entries to insert.
   */
  async appendBatch(
    build: (head: { seq: number; hash: string } | null) => StoredAuditEntry[],
  ): Promise<StoredAuditEntry[]> {
    return this.#h.db.transaction().execute(async (trx) => {
      const head = await trx
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirst();
      const entries = build(head ? { seq: Number(head.seq), hash: head.hash } : null);
      if (entries.length === 0) return entries;
      await trx
        .insertInto('audit_event')
        .values(
          entries.map((e) => ({
            seq: e.seq,
            id: e.id,
            occurred_at: e.occurredAt,
            actor_user_id: e.actorUserId,
            actor_label: e.actorLabel,
            organisation_id: e.organisationId,
            roles: e.roles,
            action: e.action,
            outcome: e.outcome as AuditOutcome,
            subject_type: e.subjectType,
            subject_id: e.subjectId,
            purpose: e.purpose,
            reason: e.reason,
            request_id: e.requestId,
            ip: e.ip,
            details: JSON.stringify(e.details),
            prev_hash: e.prevHash,
            hash: e.hash,
          })) as never,
        )
        .execute();
      const last = entries[entries.length - 1]!;
      await trx
        .insertInto('audit_head')
        .values({ id: 1, seq: last.seq, hash: last.hash })
        .onConflict((oc) => oc.column('id').doUpdateSet({ seq: last.seq, hash: last.hash }))
        .execute();
      return entries;
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
