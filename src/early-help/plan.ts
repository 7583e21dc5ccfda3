/** The plan's rules: review due dates, overdue actions, and progress against the plan at a review. Pure. */

export const ACTION_STATUSES = ['not_started', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const OPEN_STATUSES: readonly ActionStatus[] = ['not_started', 'in_progress'];

export const STATUS_LABELS: Record<ActionStatus, string> = { not_started: 'Not started', in_progress: 'In progress', done: 'Done', dropped: 'No longer needed' };

/** Review intervals the lead professional may choose, in days (the usual TAF cycle is six weeks). */
export const REVIEW_INTERVALS = [14, 28, 42, 56, 84, 91, 182] as const;
export const DEFAULT_REVIEW_INTERVAL = 42;

/** How often an owner is reminded of the same overdue action, at most. */
export const REMINDER_EVERY_DAYS = 7;

export interface PlanAction {
  id: string;
  description: string;
  ownerId: string;
  dueOn: string;
  status: ActionStatus;
  completedOn?: string | null;
}

/** ISO date plus days (UTC calendar arithmetic: no clock, no time zone). */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function isOpen(a: Pick<PlanAction, 'status'>): boolean {
  return OPEN_STATUSES.includes(a.status);
}

/** An open action whose due date has passed (due today is not yet overdue). */
export function isOverdue(a: Pick<PlanAction, 'status' | 'dueOn'>, today: string): boolean {
  return isOpen(a) && a.dueOn < today;
}

export function overdueActions<A extends Pick<PlanAction, 'status' | 'dueOn'>>(actions: readonly A[], today: string): A[] {
  return actions.filter((a) => isOverdue(a, today)).sort((x, y) => (x.dueOn < y.dueOn ? -1 : x.dueOn > y.dueOn ? 1 : 0));
}

/** The next review: the interval after the review just held (or after the plan was opened). */
export function nextReviewDue(from: string, intervalDays: number): string {
  if (!Number.isInteger(intervalDays) || intervalDays < 7 || intervalDays > 182) throw new RangeError('The review interval must be 7 to 182 days');
  return addDays(from, intervalDays);
}

/** Days to the next review: negative when it is overdue. */
export function reviewState(nextDue: string, today: string): { days: number; overdue: boolean; dueSoon: boolean } {
  const days = daysBetween(today, nextDue);
  return { days, overdue: days < 0, dueSoon: days >= 0 && days <= 7 };
}

export type Progress = 'done' | 'dropped' | 'on_track' | 'overdue';

/** Each action as it stands against the plan at a review, and the counts: what a review compares. */
export function progressAgainstPlan(actions: readonly PlanAction[], today: string) {
  const rows = actions.map((a) => {
    const progress: Progress = a.status === 'done' ? 'done' : a.status === 'dropped' ? 'dropped' : isOverdue(a, today) ? 'overdue' : 'on_track';
    const lateBy = progress === 'overdue' ? daysBetween(a.dueOn, today) : 0;
    const doneLate = a.status === 'done' && a.completedOn ? a.completedOn > a.dueOn : false;
    return { id: a.id, description: a.description, ownerId: a.ownerId, dueOn: a.dueOn, status: a.status, progress, lateBy, doneLate };
  });
  const count = (p: Progress) => rows.filter((r) => r.progress === p).length;
  return { rows, done: count('done'), dropped: count('dropped'), onTrack: count('on_track'), overdue: count('overdue'), total: rows.length };
}

/**
 * Overdue actions due a reminder today: overdue, and not reminded in the last REMINDER_EVERY_DAYS
 * days (so each is reminded on the first day it is overdue, then weekly).
 */
export function dueForReminder<A extends Pick<PlanAction, 'status' | 'dueOn'> & { lastRemindedOn: string | null }>(actions: readonly A[], today: string): A[] {
  return actions.filter((a) => isOverdue(a, today) && (a.lastRemindedOn === null || daysBetween(a.lastRemindedOn, today) >= REMINDER_EVERY_DAYS));
}
