import { z } from 'zod';
import type { DirectoryService } from '../services/directory-service.ts';
import type { JobDefinition } from './job-service.ts';

export const DIRECTORY_STALENESS_REMINDER = 'directory-staleness-reminder';

const payload = z.object({}).strict();

/**
 * Service directory upkeep: the staff of each provider whose published services are out of date
 * (not checked for the configured age, three months by default) or will be within the reminder
 * window are notified, at most once a week per service (`DirectoryService#remindStale` claims each
 * reminder, so a second run or a second server sends nothing more). Every morning at 07:30 London time.
 */
export function directoryStalenessReminderJob(directory: DirectoryService): JobDefinition<typeof payload> {
  return {
    name: DIRECTORY_STALENESS_REMINDER,
    purpose: 'remind providers to check their service directory entries',
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 300,
    schedule: { cron: '30 7 * * *', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return directory.remindStale(new Date(), { actor: ctx.actor, context: ctx.auditContext });
    },
  };
}
