import { z } from 'zod';
import type { BirthsFeedService } from '../feeds/births.ts';
import type { JobDefinition } from './job-service.ts';

export const BIRTHS_FEED = 'births-feed';

const payload = z.object({}).strict();

/**
 * The weekly list of new births for each children's centre (src/feeds/births.ts): every Monday at
 * 07:00 London time it decides last week's list for each centre with a reach area, child by child
 * (audited as `job:births-feed`), and tells the centre's team managers and IG lead how many children
 * are on it, linking to the download. Only children with their parents' consent are listed.
 */
export function birthsFeedJob(births: BirthsFeedService): JobDefinition<typeof payload> {
  return {
    name: BIRTHS_FEED,
    purpose: 'tell children’s centres of new births in their reach area, with the parents’ consent (early help)',
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 300, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 600,
    schedule: { cron: '0 7 * * 1', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return births.announceWeekly(ctx.actor, ctx.auditContext);
    },
  };
}
