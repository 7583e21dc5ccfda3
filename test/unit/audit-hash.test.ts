import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, hashAuditEntry } from '../../src/audit/audit-hash.ts';

const entry = {
  seq: 1,
  id: '01890000-0000-7000-8000-000000000001',
  occurredAt: new Date('2026-11-21T10:00:00.123Z'),
  actorUserId: null,
  actorLabel: 'system',
  organisationId: null,
  roles: [],
  action: 'demo.load',
  outcome: 'success',
  subjectType: null,
  subjectId: null,
  purpose: null,
  reason: null,
  requestId: null,
  ip: null,
  details: { b: 1, a: [2, { d: 3, c: 4 }] },
  prevHash: GENESIS_HASH,
};

describe('audit hashing', () => {
  it('is independent of key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it('changes when any field changes', () => {
    const base = hashAuditEntry(entry);
    expect(hashAuditEntry({ ...entry, action: 'demo.loaf' })).not.toBe(base);
    expect(hashAuditEntry({ ...entry, occurredAt: new Date(entry.occurredAt.getTime() + 1) })).not.toBe(base);
    expect(hashAuditEntry({ ...entry, details: { ...entry.details, b: 2 } })).not.toBe(base);
    expect(hashAuditEntry({ ...entry, prevHash: 'f'.repeat(64) })).not.toBe(base);
    expect(hashAuditEntry({ ...entry })).toBe(base);
  });
});
