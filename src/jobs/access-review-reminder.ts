import { z } from 'zod';
import type { PersonService } from '../services/person-service.ts';
import type { JobDefinition } from './job-service.ts';

export const ACCESS_REVIEW_REMINDER = 'access-review-reminder';

const payload = z
  .object({
    /** How long an emergency access may wait for review before the IG leads are reminded. */
    olderThanHours: z.number().int().min(1).max(24 * 30).default(24),
  })
  .strict();

/**
 * The access review reminder: information-governance leads are notified of each emergency
 * (break-glass) access still not reviewed after 24 hours, once per entry per day. Break-glass
 * expiry needs no job: the policy compares `expires_at` with the time of each request.
 *
 * It runs every hour from 08:00 to 18:00 London time, so an entry that turns 24 hours old during
 * the working day is reminded about within the hour rather than the next morning; the once-a-day
 * claim in `PersonService#remindUnreviewedBreakGlass` keeps that to one reminder per entry per day.
 */
export function accessReviewReminderJob(people: PersonService): JobDefinition<typeof payload> {
  return {
    name: ACCESS_REVIEW_REMINDER,
    purpose: 'remind information-governance leads to review emergency access',
    payload,
    // One run at a time, across every server.
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 300,
    schedule: { cron: '0 8-18 * * *', timeZone: 'Europe/London' },
    async run(p, ctx) {
      return people.remindUnreviewedBreakGlass(ctx.actor, ctx.auditContext, { olderThanHours: p.olderThanHours });
    },
  };
}
