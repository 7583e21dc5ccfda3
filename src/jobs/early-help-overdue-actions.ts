import type { EarlyHelpService } from '../services/early-help-service.ts';
import { dailyReminderJob } from './daily-reminder-job.ts';

export const EARLY_HELP_OVERDUE_ACTIONS = 'early-help-overdue-actions';

/**
 * Overdue early help actions: every morning at 07:30 London time, each action past its due date and
 * not done is reminded to its owner, and the child's lead professional is told, at most once a week
 * per action (`EarlyHelpRepository#claimReminder` makes a second run, or a second server, send nothing more).
 */
export function earlyHelpOverdueActionsJob(earlyHelp: EarlyHelpService) {
  return dailyReminderJob({
    name: EARLY_HELP_OVERDUE_ACTIONS,
    purpose: 'remind owners and lead professionals of overdue early help actions',
    cron: '30 7 * * *',
    remind: (now, by) => earlyHelp.remindOverdue(now, by),
  });
}
