import { newId } from '../ids.ts';
import type { AuditOutcome } from '../db/schema.ts';
import type { AuditRepository, AuditSearch, StoredAuditEntry } from '../repositories/audit-repository.ts';
import { GENESIS_HASH, hashAuditEntry } from './audit-hash.ts';

/** Who did something: a signed-in practitioner, an API caller, or the system itself. */
export interface Actor {
  userId: string | null;
  /** Email of a practitioner, or a name such as "system" or "cli". */
  label: string;
  organisationId: string | null;
  roles: readonly string[];
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system', organisationId: null, roles: [] };

export interface AuditContext {
  requestId?: string | null | undefined;
  ip?: string | null | undefined;
}

export interface AuditEntryInput {
  actor: Actor;
  action: string;
  outcome: AuditOutcome;
  subjectType?: string | null | undefined;
  subjectId?: string | null | undefined;
  purpose?: string | null | undefined;
  reason?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
  context?: AuditContext | undefined;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  headSeq: number | null;
  firstBroken?: { seq: number; id: string | null; problem: string };
}

/**
 * Text as PostgreSQL will store it: a NUL (which text and jsonb refuse) and a lone UTF-16
 * surrogate (which would be stored as U+FFFD) both become U+FFFD before the entry is hashed. So an
 * entry never fails to store (failing its whole group commit) and its stored contents always
 * match its hash.
 */
function storableText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '\uFFFD') : wellFormed;
}

function storableOrNull(s: string | null | undefined): string | null {
  return s == null ? null : storableText(s);
}

function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(storable);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [storableText(k), storable(v)]));
}

interface Pending {
  input: AuditEntryInput;
  occurredAt: Date;
  resolve: (e: StoredAuditEntry) => void;
  reject: (err: unknown) => void;
}

/**
 * Appends audit entries to the hash chain. Concurrent callers are grouped: while one batch
 * commits, new entries queue, and the next batch takes them all in one transaction. A caller's
 * promise resolves only once its entry is committed, so nothing is shown before it is audited.
 */
export class AuditService {
  readonly #repo: AuditRepository;
  #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  readonly #maxBatch = 500;

  constructor(repo: AuditRepository) {
    this.#repo = repo;
  }

  record(input: AuditEntryInput): Promise<StoredAuditEntry> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, occurredAt: new Date(), resolve, reject });
      if (!this.#flushing) this.#flushing = this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          const stored = await this.#repo.appendBatch((head) => {
            let seq = head?.seq ?? 0;
            let prevHash = head?.hash ?? GENESIS_HASH;
            return batch.map((p) => {
              const i = p.input;
              seq += 1;
              const fields = {
                seq,
                id: newId(),
                occurredAt: p.occurredAt,
                actorUserId: i.actor.userId,
                actorLabel: storableText(i.actor.label),
                organisationId: i.actor.organisationId,
                roles: i.actor.roles.map(storableText),
                action: storableText(i.action),
                outcome: i.outcome,
                subjectType: storableOrNull(i.subjectType),
                subjectId: storableOrNull(i.subjectId),
                purpose: storableOrNull(i.purpose),
                reason: storableOrNull(i.reason),
                requestId: storableOrNull(i.context?.requestId),
                ip: storableOrNull(i.context?.ip),
                details: storable(i.details ?? {}) as Record<string, unknown>,
                prevHash,
              };
              const hash = hashAuditEntry(fields);
              prevHash = hash;
              return { ...fields, hash };
            });
          });
          batch.forEach((p, idx) => p.resolve(stored[idx]!));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  /** Waits for every queued entry to be written (used on shutdown). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  search(q: AuditSearch): Promise<StoredAuditEntry[]> {
    return this.#repo.search(q);
  }

  /**
   * Recomputes the whole chain. Reports the first entry whose hash does not match its contents,
   * whose link to the previous entry is broken, or whose seq shows a gap (an entry removed),
   * and a head that does not match the last entry (entries removed from the end).
   */
  async verify(onProgress?: (checked: number) => void): Promise<VerifyResult> {
    const head = await this.#repo.head();
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    const pageSize = 5000;
    for (;;) {
      const page = await this.#repo.page(expectedSeq - 1, pageSize);
      if (page.length === 0) break;
      for (const e of page) {
        if (e.seq !== expectedSeq) {
          return {
            ok: false,
            entries: count,
            headSeq: head?.seq ?? null,
            firstBroken: {
              seq: expectedSeq,
              id: null,
              problem: `entry ${expectedSeq}${e.seq - expectedSeq > 1 ? `-${e.seq - 1}` : ''} is missing (removed)`,
            },
          };
        }
        const { hash, ...fields } = e;
        if (e.prevHash !== prevHash) {
          return {
            ok: false,
            entries: count,
            headSeq: head?.seq ?? null,
            firstBroken: { seq: e.seq, id: e.id, problem: 'does not link to the entry before it' },
          };
        }
        if (hashAuditEntry(fields) !== hash) {
          return {
            ok: false,
            entries: count,
            headSeq: head?.seq ?? null,
            firstBroken: { seq: e.seq, id: e.id, problem: 'contents were altered (hash does not match)' },
          };
        }
        prevHash = hash;
        expectedSeq += 1;
        count += 1;
      }
      onProgress?.(count);
    }
    const lastSeq = expectedSeq - 1;
    // Entries appended while we were checking move the head on: read it again before judging.
    const finalHead = lastSeq > (head?.seq ?? 0) ? await this.#repo.head() : head;
    if ((finalHead?.seq ?? 0) !== lastSeq || (finalHead && finalHead.hash !== prevHash)) {
      return this.#headMismatch(count, lastSeq, finalHead);
    }
    return { ok: true, entries: count, headSeq: finalHead?.seq ?? null };
  }

  #headMismatch(count: number, lastSeq: number, head: { seq: number; hash: string } | null): VerifyResult {
    return {
        ok: false,
        entries: count,
        headSeq: head?.seq ?? null,
        firstBroken: {
          seq: lastSeq + 1,
          id: null,
          problem: !head
            ? 'the head record is missing'
            : head.seq > lastSeq
              ? `the log ends at entry ${lastSeq} but its head records entry ${head.seq}: entries were removed from the end`
              : `the head record (entry ${head.seq}) does not match the last entry: the head was altered`,
      },
    };
  }
}
