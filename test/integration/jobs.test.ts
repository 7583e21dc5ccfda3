import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '../../src/db/migrate.ts';
import { ACCESS_REVIEW_REMINDER } from '../../src/jobs/access-review-reminder.ts';
import { JobPayloadError, type JobContext } from '../../src/jobs/job-service.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, type TestApp, waitFor } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

/**
 * Background jobs on pg-boss over the application's own database: sending and running, payload
 * checks, retries ending in a failed job with its error, singleton keys, schedules, the access
 * review reminder, and a graceful stop. The service is started here only: createTestApp does not start it.
 */

describe(`background jobs (${describeDatabase()})`, () => {
  let t: TestApp;
  const echoed: Array<{ payload: unknown; ctx: JobContext }> = [];
  let failingRuns = 0;
  let releaseSlow: () => void = () => undefined;
  let slowStarted = false;
  let payloadsAccepted = true;
  let strictRuns = 0;
  const who = new Map<string, Principal>();

  beforeAll(async () => {
    t = await createTestApp();
    const jobs = t.services.jobs;
    jobs.define({
      name: 'test-echo',
      purpose: 'prove that a sent job runs',
      payload: z.object({ n: z.number().int() }).strict(),
      retry: { limit: 0 },
      async run(payload, ctx) {
        echoed.push({ payload, ctx });
        await ctx.audit({ action: 'test.echo', outcome: 'success', details: { n: payload.n } });
        return { doubled: payload.n * 2 };
      },
    });
    jobs.define({
      name: 'test-fail',
      purpose: 'prove that failures are retried and kept',
      payload: z.object({}),
      retry: { limit: 2, delaySeconds: 0, backoff: false },
      async run(_payload, ctx) {
        failingRuns += 1;
        throw new Error(`the service is down (run ${ctx.attempt})`);
      },
    });
    jobs.define({
      name: 'test-strict',
      purpose: 'prove that a payload that no longer passes fails at once',
      payload: z.object({}).refine(() => payloadsAccepted, 'no longer accepted'),
      retry: { limit: 3, delaySeconds: 0, backoff: false },
      async run() {
        strictRuns += 1;
      },
    });
    jobs.define({
      name: 'test-chase',
      purpose: 'prove that a chase is not queued twice',
      payload: z.object({ about: z.string() }),
      policy: 'exclusive',
      async run() {
        return {};
      },
    });
    jobs.define({
      name: 'test-slow',
      purpose: 'prove that stopping waits for a running job',
      payload: z.object({}),
      async run() {
        slowStarted = true;
        await new Promise<void>((resolve) => {
          releaseSlow = resolve;
        });
        return { finished: true };
      },
    });
    await jobs.start({ pollingIntervalSeconds: 0.5 });
    for (const email of ['ig.lead@csc.northbridge.example', 'social.worker@csc.northbridge.example']) {
      const user = await t.services.repositories.users.findByEmail(email);
      who.set(email, (await t.services.auth.principal(user!.id, 'password'))!);
    }
  });

  afterAll(async () => {
    releaseSlow();
    await t?.services.jobs.stop({ timeoutMs: 1000 });
    await t?.close();
  });

  const finished = (name: string, id: string) =>
    waitFor(`job ${name} ${id} to finish`, async () => {
      const s = await t.services.jobs.status(name, id);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : null;
    });

  it('keeps its own schema, created by migrate and left alone when it is current', async () => {
    const again = await migrate(t.services.database);
    expect(again.jobQueue.before).toBe(again.jobQueue.after);
    expect(again.jobQueue.after).toBeGreaterThan(0);
    const state = await t.services.jobs.state();
    expect(state.queues.map((q) => q.name)).toEqual(expect.arrayContaining([ACCESS_REVIEW_REMINDER, 'test-echo', 'test-fail', 'test-chase', 'test-slow']));
    // pg-boss's own queues (the one that dispatches schedules) are not the application's to show.
    expect(state.queues.filter((q) => q.name.startsWith('__pgboss__'))).toEqual([]);
  });

  it('runs a job that was sent, as a named system actor, and audits it as that job', async () => {
    const id = await t.services.jobs.send('test-echo', { n: 21 });
    expect(id).toBeTruthy();
    const status = await finished('test-echo', id!);
    expect(status.state).toBe('completed');
    expect(status.output).toEqual({ doubled: 42 });
    const run = echoed.find((e) => e.ctx.jobId === id)!;
    expect(run.payload).toEqual({ n: 21 });
    expect(run.ctx.attempt).toBe(1);
    expect(run.ctx.actor).toEqual({ userId: null, label: 'job:test-echo', organisationId: null, roles: [] });
    await t.services.audit.flush();
    const [entry] = await t.services.audit.search({ action: 'test.echo', limit: 5 });
    expect(entry).toMatchObject({
      actorLabel: 'job:test-echo',
      actorUserId: null,
      purpose: 'prove that a sent job runs',
      requestId: `job:${id}`,
      details: { n: 21, job: { name: 'test-echo', id, attempt: 1 } },
    });
  });

  it('refuses a payload that does not match, naming the field, and queues nothing', async () => {
    const before = (await t.services.jobs.state()).queues.find((q) => q.name === 'test-echo')!.counts;
    await expect(t.services.jobs.send('test-echo', { n: 'twenty' })).rejects.toThrow(JobPayloadError);
    await expect(t.services.jobs.send('test-echo', { n: 1, extra: true })).rejects.toThrow(/Job "test-echo": the payload is not valid/);
    await expect(t.services.jobs.send('no-such-job', {})).rejects.toThrow(/No job is defined with the name "no-such-job"/);
    const after = (await t.services.jobs.state()).queues.find((q) => q.name === 'test-echo')!.counts;
    expect(after).toEqual(before);
  });

  it('retries a failing job, then keeps it as failed with the error of its last run', async () => {
    const id = await t.services.jobs.send('test-fail', {});
    const status = await finished('test-fail', id!);
    expect(status.state).toBe('failed');
    expect(failingRuns).toBe(3);
    const state = await t.services.jobs.state();
    expect(state.queues.find((q) => q.name === 'test-fail')!.counts.failed).toBe(1);
    expect(state.failed).toContainEqual(expect.objectContaining({ queue: 'test-fail', id, attempts: 3, error: 'the service is down (run 3)' }));
  });

  it('fails a job whose payload no longer passes when it runs, without retrying it', async () => {
    const id = await t.services.jobs.send('test-strict', {}, { startAfter: 1 });
    payloadsAccepted = false;
    const status = await finished('test-strict', id!);
    expect(status.state).toBe('failed');
    expect(status.retryCount).toBe(0);
    expect(status.output).toEqual({ name: 'JobPayloadError', message: 'Job "test-strict": the payload is not valid: no longer accepted' });
    expect(strictRuns).toBe(0);
  });

  it('does not queue a chase twice: one job per singleton key while one is waiting', async () => {
    const first = await t.services.jobs.send('test-chase', { about: 'a' }, { singletonKey: 'chase:a', startAfter: 3600 });
    const second = await t.services.jobs.send('test-chase', { about: 'a' }, { singletonKey: 'chase:a', startAfter: 3600 });
    const other = await t.services.jobs.send('test-chase', { about: 'b' }, { singletonKey: 'chase:b', startAfter: 3600 });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    expect(other).toBeTruthy();
    expect((await t.services.jobs.status('test-chase', first!))!.state).toBe('created');
    await expect(t.services.jobs.send('test-echo', { n: 1 }, { singletonKey: 'x' })).rejects.toThrow(/policy "exclusive"/);
  });

  it('registers the access review reminder on its schedule, in London time', async () => {
    const { schedules } = await t.services.jobs.state();
    expect(schedules).toContainEqual({ queue: ACCESS_REVIEW_REMINDER, key: '', cron: '0 8-18 * * *', timeZone: 'Europe/London' });
  });

  it('reminds the IG lead of an unreviewed emergency access once a day, and audits each reminder', async () => {
    const db = t.services.database;
    const [person] = await db.query<{ subject_id: string }>('select subject_id from person order by subject_id limit 1');
    const sw = who.get('social.worker@csc.northbridge.example')!;
    const lead = who.get('ig.lead@csc.northbridge.example')!;
    const ctx = { requestId: 'jobs-test' };
    await t.services.people.breakGlass(sw, person!.subject_id, { reason: 'Child reported missing overnight, checking for known addresses' }, ctx);
    await t.services.people.breakGlass(sw, person!.subject_id, { reason: 'Second look an hour later, still missing from home address' }, ctx);
    const [old, recent] = await db.query<{ id: string }>('select id from break_glass where subject_id = $1 order by started_at', [person!.subject_id]);
    // The first began 25 hours ago; the second is recent and is not due yet.
    await db.query(`update break_glass set started_at = now() - interval '25 hours', expires_at = now() - interval '24 hours' where id = $1`, [old!.id]);

    const reminders = async () =>
      (await t.services.people.notifications(lead)).filter((n) => n.kind === 'access-review-reminder');
    const run = async () => {
      const id = await t.services.jobs.send(ACCESS_REVIEW_REMINDER, {});
      expect(id).toBeTruthy();
      return finished(ACCESS_REVIEW_REMINDER, id!);
    };

    const first = await run();
    expect(first.state).toBe('completed');
    expect(first.output).toEqual({ entries: 1, notified: 1 });
    expect(await reminders()).toHaveLength(1);
    expect((await reminders())[0]).toMatchObject({ subjectId: person!.subject_id, link: '/access-reviews' });
    expect((await reminders())[0]!.message).toMatch(/^Emergency access used by Kofi Mensah \(.+\) on .+ is still waiting for review\.$/);

    // Again the same day: nobody is reminded twice.
    const second = await run();
    expect(second.output).toEqual({ entries: 0, notified: 0 });
    expect(await reminders()).toHaveLength(1);

    await t.services.audit.flush();
    const audited = await t.services.audit.search({ action: 'break-glass.review-reminder', limit: 10 });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actorLabel: `job:${ACCESS_REVIEW_REMINDER}`,
      actorUserId: null,
      subjectType: 'person',
      subjectId: person!.subject_id,
      purpose: 'remind information-governance leads to review emergency access',
      details: { breakGlassId: old!.id, notified: 1 },
    });
    expect(audited[0]!.requestId).toMatch(/^job:/);

    // The next day it is reminded about again; once reviewed, never.
    await db.query(`update break_glass set last_reminded_on = last_reminded_on - 1 where id = $1`, [old!.id]);
    expect((await run()).output).toEqual({ entries: 1, notified: 1 });
    expect(await reminders()).toHaveLength(2);
    await t.services.people.review(lead, person!.subject_id, old!.id, { outcome: 'justified' }, ctx);
    await db.query(`update break_glass set last_reminded_on = last_reminded_on - 1, started_at = now() - interval '30 hours' where id = $1 or id = $2`, [old!.id, recent!.id]);
    // Only the (now old enough) second entry is due: the reviewed one is not.
    expect((await run()).output).toEqual({ entries: 1, notified: 1 });
    expect(await reminders()).toHaveLength(3);
  });

  it('stops gracefully: a running job finishes before stop returns, and nothing new starts', async () => {
    const id = await t.services.jobs.send('test-slow', {});
    await waitFor('the slow job to start', async () => slowStarted);
    let stopped = false;
    const stopping = t.services.jobs.stop({ timeoutMs: 15_000 }).then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(stopped).toBe(false);
    expect((await t.services.jobs.status('test-slow', id!))!.state).toBe('active');
    releaseSlow();
    await stopping;
    const status = await t.services.jobs.status('test-slow', id!);
    expect(status).toMatchObject({ state: 'completed', output: { finished: true } });
    expect(t.services.jobs.running).toBe(false);
    await expect(t.services.jobs.send('test-echo', { n: 1 })).rejects.toThrow(/not started/);
  });
});
