import { z } from 'zod';
import type { AgreementService } from '../services/agreement-service.ts';
import type { JobDefinition } from './job-service.ts';

export const AGREEMENT_REVIEW_REMINDER = 'agreement-review-reminder';

const payload = z.object({}).strict();

/**
 * The information sharing agreement review reminder: the IG leads of every party to an active
 * agreement whose review is due within 30 days, or overdue, are notified, at most once a week per
 * agreement (the claim in `AgreementService#remindReviews` makes a second run, or a second server,
 * send nothing more). It runs every morning at 08:00 London time.
 */
export function agreementReviewReminderJob(agreements: AgreementService): JobDefinition<typeof payload> {
  return {
    name: AGREEMENT_REVIEW_REMINDER,
    purpose: 'remind information-governance leads to review information sharing agreements',
    payload,
    // One run at a time, across every server.
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 300,
    schedule: { cron: '0 8 * * *', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return agreements.remindReviews(new Date(), { actor: ctx.actor, context: ctx.auditContext });
    },
  };
}
