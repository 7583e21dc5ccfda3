import { z } from 'zod';
import type { FrontDoorService } from '../services/front-door-service.ts';
import type { JobDefinition } from './job-service.ts';

export const FRONT_DOOR_CLOCK = 'front-door-clock';

const payload = z.object({}).strict();

/**
 * The front door's clock: every 15 minutes, the hub's MASH officers and team managers are warned of
 * each contact entering the warning period before its timescale ends, and told of each contact whose
 * timescale has ended without a signed-off decision (a breach). Each notice is claimed once per
 * contact (`FrontDoorService#notifyClocks`), so a second run, or a second server, sends nothing more.
 */
export function frontDoorClockJob(frontDoor: FrontDoorService): JobDefinition<typeof payload> {
  return {
    name: FRONT_DOOR_CLOCK,
    purpose: 'keep the multi-agency safeguarding hub within its timescales',
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 30, backoff: true, maxDelaySeconds: 600 },
    timeoutSeconds: 300,
    schedule: { cron: '*/15 * * * *', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return frontDoor.notifyClocks(ctx.actor, ctx.auditContext);
    },
  };
}
