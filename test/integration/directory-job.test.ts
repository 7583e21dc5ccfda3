import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_STALENESS_REMINDER } from '../../src/jobs/directory-staleness-reminder.ts';
import { createTestApp, type TestApp, waitFor } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

describe(`The directory staleness reminder job on pg-boss (${describeDatabase()})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.services.jobs.start({ pollingIntervalSeconds: 0.5, schedule: false });
  });
  afterAll(async () => {
    await t?.services.jobs.stop({ timeoutMs: 1000 });
    await t?.close();
  });

  it('is scheduled daily, reminds the owners of out-of-date services as the job, and sends nothing more on a second run', async () => {
    const state = await t.services.jobs.state();
    expect(state.queues.map((q) => q.name)).toContain(DIRECTORY_STALENESS_REMINDER);
    const run = async () => {
      const id = await t.services.jobs.send(DIRECTORY_STALENESS_REMINDER, {});
      return waitFor('the reminder job', async () => {
        const s = await t.services.jobs.status(DIRECTORY_STALENESS_REMINDER, id!);
        return s && (s.state === 'completed' || s.state === 'failed') ? s : null;
      });
    };
    const first = await run();
    expect(first.state).toBe('completed');
    // The demo's "Stay and Play" was last checked 130 days ago: its owner's staff are told.
    expect(first.output).toMatchObject({ services: expect.any(Number), notifications: expect.any(Number) });
    expect((first.output as { services: number }).services).toBeGreaterThanOrEqual(1);
    const staff = await t.services.directory.repository.ownerStaff((await t.services.repositories.organisations.findByName("Northbridge Children's Services"))!.id);
    const rows = await t.services.database.query<{ recipient_user_id: string; message: string; link: string }>(
      "select recipient_user_id, message, link from notification where kind = 'directory-stale' and message like '%Stay and Play%'",
    );
    expect(rows.map((r) => r.recipient_user_id).sort()).toEqual([...staff].sort());
    expect(rows[0]!.link).toMatch(/^\/directory\/manage\/services\//);
    await t.services.audit.flush();
    const [entry] = await t.services.audit.search({ action: 'directory.service.stale-reminder', limit: 20 });
    expect(entry).toMatchObject({ actorLabel: `job:${DIRECTORY_STALENESS_REMINDER}`, actorUserId: null });
    const second = await run();
    expect(second.output).toEqual({ services: 0, notifications: 0 });
  });
});
