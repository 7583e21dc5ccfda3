import type { DirectoryService } from '../services/directory-service.ts';
import { dailyReminderJob } from './daily-reminder-job.ts';

export const DIRECTORY_STALENESS_REMINDER = 'directory-staleness-reminder';

/**
 * Service directory upkeep: the staff of each provider whose published services are out of date
 * (not checked for the configured age, three months by default) or will be within the reminder
 * window are notified, at most once a week per service (`DirectoryService#remindStale` claims each
 * reminder, so a second run or a second server sends nothing more). Every morning at 07:30 London time.
 */
export function directoryStalenessReminderJob(directory: DirectoryService) {
  return dailyReminderJob({
    name: DIRECTORY_STALENESS_REMINDER,
    purpose: 'remind providers to check their service directory entries',
    cron: '30 7 * * *',
    remind: (now, by) => directory.remindStale(now, by),
  });
}
