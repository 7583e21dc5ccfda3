import { z } from 'zod';
import type { EarlyHelpService } from '../services/early-help-service.ts';
import type { JobDefinition } from './job-service.ts';

export const EARLY_HELP_OVERDUE_ACTIONS = 'early-help-overdue-actions';

const payload = z.object({}).strict();

/**
 * Overdue early help actions: every morning at 07:30 London time, each action past its due date and
 * not done is reminded to its owner, and the child's lead professional is told, at most once a week
 * per action (`EarlyHelpRepository#claimReminder` makes a second run, or a second server, send nothing more).
 */
export function earlyHelpOverdueActionsJob(earlyHelp: EarlyHelpService): JobDefinition<typeof payload> {
  return {
    name: EARLY_HELP_OVERDUE_ACTIONS,
    purpose: 'remind owners and lead professionals of overdue early help actions',
    payload,
    policy: 'exclusive',
    retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 3600 },
    timeoutSeconds: 300,
    schedule: { cron: '30 7 * * *', timeZone: 'Europe/London' },
    async run(_p, ctx) {
      return earlyHelp.remindOverdue(new Date(), { actor: ctx.actor, context: ctx.auditContext });
    },
  };
}
