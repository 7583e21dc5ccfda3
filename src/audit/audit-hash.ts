import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers: everything but the hash itself. */
export interface HashedAuditFields {
  seq: number;
  id: string;
  occurredAt: Date;
  actorUserId: string | null;
  actorLabel: string;
  organisationId: string | null;
  roles: string[];
  action: string;
  outcome: string;
  subjectType: string | null;
  subjectId: string | null;
  purpose: string | null;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashAuditEntry(e: HashedAuditFields): string {
  const body = canonicalJson({ ...e, occurredAt: e.occurredAt.toISOString() });
  return crypto.createHash('sha256').update(e.prevHash).update('\n').update(body).digest('hex');
}
