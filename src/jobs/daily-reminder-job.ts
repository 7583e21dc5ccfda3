import { z } from 'zod';
import type { Actor, AuditContext } from '../audit/audit-service.ts';
import type { JobDefinition } from './job-service.ts';

const payload = z.object({}).strict();

/**
 * A reminder job that runs once a day, one run at a time across every server (`exclusive`), with
 * the same retry and timeout as the other reminders. `remind` is given the run's time and the job's
 * actor and audit context; its claim on each reminder keeps a second run from sending anything more.
 */
export function dailyReminderJob(o: {
  name: string;
  purpose: string;
  /** Cron in Europe/London time, e.g. `30 7 * * *`. */
  cron: string;
  remind(now: Date, by: { actor: Actor; context: AuditContext }): Promise<Record<string, unknown>>;
}): JobDefinition<typeof payload> {
  return {
    name: o.name,
    purpose: o.purpose,
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 300,
    schedule: { cron: o.cron, timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return o.remind(new Date(), { actor: ctx.actor, context: ctx.auditContext });
    },
  };
}
