import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditService, SYSTEM_ACTOR } from '../../src/audit/audit-service.ts';
import { AuditRepository } from '../../src/repositories/audit-repository.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTestDatabase, describeDatabase } from '../support/database.ts';

describe(`hash-chained audit log (${describeDatabase()})`, () => {
  let db: DatabaseHandle & { dropDatabase(): Promise<void> };
  let audit: AuditService;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.dropDatabase());
  beforeEach(async () => {
    await db.executeScript('delete from audit_event; delete from audit_head;');
    audit = new AuditService(new AuditRepository(db));
  });

  const write = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        audit.record({ actor: SYSTEM_ACTOR, action: 'test.event', outcome: 'success', subjectType: 'thing', subjectId: String(i), details: { i } }),
      ),
    );

  it('appends concurrent entries as one unbroken chain in order', async () => {
    const entries = await write(250);
    const seqs = entries.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(new Set(entries.map((e) => e.id)).size).toBe(250);
    expect(await audit.verify()).toEqual({ ok: true, entries: 250, headSeq: 250 });
  });

  it('names the first entry whose contents were altered', async () => {
    await write(20);
    await db.query(`update audit_event set reason = 'nothing to see' where seq = 7`);
    await db.query(`update audit_event set action = 'x' where seq = 12`);
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 7, problem: expect.stringMatching(/altered/) });
    expect(r.entries).toBe(6);
  });

  it('detects an entry removed from the middle', async () => {
    await write(10);
    await db.query('delete from audit_event where seq = 4');
    const r = await audit.verify();
    expect(r.firstBroken).toMatchObject({ seq: 4, problem: expect.stringMatching(/missing/) });
  });

  it('detects entries removed from the end', async () => {
    await write(10);
    await db.query('delete from audit_event where seq > 8');
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 9, problem: expect.stringMatching(/removed from the end/) });
  });

  it('detects an entry rewritten with a recomputed hash (the next link breaks)', async () => {
    await write(5);
    await db.query(`update audit_event set hash = repeat('a', 64) where seq = 2`);
    const r = await audit.verify();
    expect(r.firstBroken?.seq).toBe(2);
  });

  it('continues the chain across service restarts', async () => {
    await write(3);
    const again = new AuditService(new AuditRepository(db));
    await again.record({ actor: SYSTEM_ACTOR, action: 'after.restart', outcome: 'success' });
    expect(await again.verify()).toMatchObject({ ok: true, entries: 4 });
  });

  it('keeps one chain when two processes write their very first entries at once', async () => {
    // Two services with their own repositories stand for two processes sharing the database.
    const other = new AuditService(new AuditRepository(db));
    const both = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : audit).record({ actor: SYSTEM_ACTOR, action: 'first.entries', outcome: 'success', details: { i } }),
      ),
    );
    expect(both.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await audit.verify()).toEqual({ ok: true, entries: 20, headSeq: 20 });
  });

  it('links to the true head when another process appended since this one last wrote', async () => {
    const other = new AuditService(new AuditRepository(db));
    await write(3);
    await other.record({ actor: SYSTEM_ACTOR, action: 'elsewhere', outcome: 'success' });
    await other.record({ actor: SYSTEM_ACTOR, action: 'elsewhere', outcome: 'success' });
    const next = await audit.record({ actor: SYSTEM_ACTOR, action: 'here.again', outcome: 'success' });
    expect(next.seq).toBe(6);
    const [fifth] = await audit.search({ action: 'elsewhere', limit: 1 });
    expect(next.prevHash).toBe(fifth!.hash);
    expect(await audit.verify()).toEqual({ ok: true, entries: 6, headSeq: 6 });
  });

  it('stores text PostgreSQL cannot hold (NUL, a lone surrogate) as U+FFFD, so the entry still matches its hash', async () => {
    const e = await audit.record({
      actor: { ...SYSTEM_ACTOR, label: 'api\u0000caller' },
      action: 'odd.text',
      outcome: 'success',
      reason: 'half a pair \ud83d here',
      details: { ['key\u0000']: ['\udc00', { deep: 'nul\u0000' }] },
    });
    expect(e.reason).toBe('half a pair \uFFFD here');
    const [stored] = await audit.search({ action: 'odd.text', limit: 1 });
    expect(stored).toMatchObject({ actorLabel: 'api\uFFFDcaller', reason: 'half a pair \uFFFD here', details: { ['key\uFFFD']: ['\uFFFD', { deep: 'nul\uFFFD' }] } });
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it('searches by actor, action, subject, outcome and date, newest first', async () => {
    await write(5);
    await audit.record({ actor: { ...SYSTEM_ACTOR, label: 'ig.lead@x.example' }, action: 'audit.search', outcome: 'denied' });
    const byActor = await audit.search({ actor: 'IG.LEAD', limit: 10 });
    expect(byActor.map((e) => e.action)).toEqual(['audit.search']);
    expect((await audit.search({ action: 'test.', limit: 10 })).length).toBe(5);
    expect((await audit.search({ subjectId: '3', limit: 10 }))[0]?.details).toEqual({ i: 3 });
    expect((await audit.search({ outcome: 'denied', limit: 10 })).length).toBe(1);
    const page = await audit.search({ limit: 2 });
    expect(page[0]!.seq).toBeGreaterThan(page[1]!.seq);
    expect((await audit.search({ beforeSeq: page[1]!.seq, limit: 10 })).every((e) => e.seq < page[1]!.seq)).toBe(true);
    expect(await audit.search({ from: new Date(Date.now() + 86_400_000), limit: 10 })).toEqual([]);
  });
});
