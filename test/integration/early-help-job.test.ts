import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARLY_HELP_OVERDUE_ACTIONS } from '../../src/jobs/early-help-overdue-actions.ts';
import { createTestApp, type TestApp, waitFor } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

/** The overdue early help actions job on pg-boss, over the demo's open plan (one action overdue). */
describe(`early help overdue actions job (${describeDatabase()})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.services.jobs.start({ pollingIntervalSeconds: 0.5 });
  }, 120_000);
  afterAll(async () => {
    await t?.services.jobs.stop({ timeoutMs: 1000 });
    await t?.close();
  });

  const run = async () => {
    const id = await t.services.jobs.send(EARLY_HELP_OVERDUE_ACTIONS, {});
    expect(id).toBeTruthy();
    return waitFor('the job to finish', async () => {
      const s = await t.services.jobs.status(EARLY_HELP_OVERDUE_ACTIONS, id!);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : null;
    });
  };

  it('is scheduled every morning in London time', async () => {
    const { schedules } = await t.services.jobs.state();
    expect(schedules).toContainEqual({ queue: EARLY_HELP_OVERDUE_ACTIONS, key: '', cron: '30 7 * * *', timeZone: 'Europe/London' });
  });

  it('reminds the owner and the lead professional once a week, audited as the job', async () => {
    const first = await run();
    expect(first.state).toBe('completed');
    expect(first.output).toEqual({ overdue: 1, reminded: 1, notifications: 2 });
    const mark = await t.services.repositories.users.findByEmail('dsl@hollinlane.northbridge.example');
    const beth = await t.services.repositories.users.findByEmail('family.support@familysupport.northbridge.example');
    const notes = await t.services.database.query<{ recipient_user_id: string; link: string }>("select recipient_user_id, link from notification where kind = 'early-help-action-overdue' order by link");
    expect(notes.map((n) => n.recipient_user_id).sort()).toEqual([mark!.id, beth!.id].sort());
    expect(notes.find((n) => n.recipient_user_id === mark!.id)!.link).toBe('/early-help/tasks');

    const second = await run();
    expect(second.output).toEqual({ overdue: 1, reminded: 0, notifications: 0 });

    await t.services.audit.flush();
    const audited = await t.services.audit.search({ action: 'early-help.action.overdue-reminder', limit: 10 });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actorLabel: `job:${EARLY_HELP_OVERDUE_ACTIONS}`, actorUserId: null, subjectType: 'person' });
  });
});
