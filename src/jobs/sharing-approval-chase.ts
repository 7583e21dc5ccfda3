import { z } from 'zod';
import type { SharingService } from '../services/sharing-service.ts';
import type { JobDefinition } from './job-service.ts';

export const SHARING_APPROVAL_CHASE = 'sharing-approval-chase';

const payload = z.object({}).strict();

/**
 * Chases approvals of shares without consent until they are given: the deciding organisation's
 * team managers are reminded of an emergency share (already sent) every hour and of any other
 * every day, and its IG lead too from the third reminder. It runs every 15 minutes, day and night
 * (an emergency does not wait for office hours); the claim in `SharingService#chaseApprovals`
 * sends each reminder once, however many servers run it.
 */
export function sharingApprovalChaseJob(sharing: SharingService): JobDefinition<typeof payload> {
  return {
    name: SHARING_APPROVAL_CHASE,
    purpose: 'chase approvals of shares made without consent',
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 900 },
    timeoutSeconds: 300,
    schedule: { cron: '*/15 * * * *', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return sharing.chaseApprovals(new Date(), { actor: ctx.actor, context: ctx.auditContext });
    },
  };
}
