/**
 * Front door timescales (pure): each rating has a timescale in hours, from the contact arriving to a
 * signed-off threshold decision, and a warning period before its end. The clock is worked out from
 * `now` given by the caller, so tests and jobs can move time.
 */

export const RATINGS = ['red', 'amber', 'green'] as const;
export type Rating = (typeof RATINGS)[number];

export interface Timescale {
  rating: Rating;
  hours: number;
  warnHours: number;
}

/** The defaults when a hub has not set its own (also seeded in migration 0012). */
export const DEFAULT_TIMESCALES: Readonly<Record<Rating, Timescale>> = {
  red: { rating: 'red', hours: 4, warnHours: 1 },
  amber: { rating: 'amber', hours: 24, warnHours: 4 },
  green: { rating: 'green', hours: 72, warnHours: 12 },
};

const HOUR = 3_600_000;

/** When a decision is due: the contact's arrival plus its rating's timescale. */
export function dueAt(receivedAt: Date, timescale: Pick<Timescale, 'hours'>): Date {
  return new Date(receivedAt.getTime() + timescale.hours * HOUR);
}

/**
 * - `unrated`: not yet rated, so no timescale runs yet (the queue shows how long it has waited);
 * - `running`: time left, not yet in the warning period;
 * - `warning`: within the warning period before the end;
 * - `breached`: past due without a signed-off decision;
 * - `met` / `missed`: decided on or before / after the due time.
 */
export type ClockState = 'unrated' | 'running' | 'warning' | 'breached' | 'met' | 'missed';

export interface Clock {
  state: ClockState;
  dueAt: Date | null;
  /** Milliseconds left (negative when overdue); for a decided contact, the margin at the decision. */
  remainingMs: number | null;
  /** Share of the timescale used, 0..1 (capped), for the clock face. */
  fraction: number;
  /** Milliseconds since the contact arrived (up to the decision when decided). */
  elapsedMs: number;
}

export function clockOf(
  c: { receivedAt: Date; dueAt: Date | null; decidedAt: Date | null },
  timescale: Pick<Timescale, 'hours' | 'warnHours'> | null,
  now: Date,
): Clock {
  const end = c.decidedAt ?? now;
  const elapsedMs = Math.max(0, end.getTime() - c.receivedAt.getTime());
  if (!c.dueAt || !timescale) return { state: 'unrated', dueAt: null, remainingMs: null, fraction: 0, elapsedMs };
  const remainingMs = c.dueAt.getTime() - end.getTime();
  const total = Math.max(1, c.dueAt.getTime() - c.receivedAt.getTime());
  const fraction = Math.min(1, Math.max(0, elapsedMs / total));
  if (c.decidedAt) return { state: remainingMs >= 0 ? 'met' : 'missed', dueAt: c.dueAt, remainingMs, fraction, elapsedMs };
  if (remainingMs < 0) return { state: 'breached', dueAt: c.dueAt, remainingMs, fraction, elapsedMs };
  if (remainingMs <= timescale.warnHours * HOUR) return { state: 'warning', dueAt: c.dueAt, remainingMs, fraction, elapsedMs };
  return { state: 'running', dueAt: c.dueAt, remainingMs, fraction, elapsedMs };
}

/** "3 h 20 min", "2 days 4 h", "45 min": the size of a duration, without its sign. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins ? ` ${mins} min` : ''}`;
  return `${mins} min`;
}

/** The clock in words, for the queue and screen readers. */
export function describeClock(clock: Clock): string {
  switch (clock.state) {
    case 'unrated':
      return `Not rated yet: waiting ${formatDuration(clock.elapsedMs)}`;
    case 'running':
      return `${formatDuration(clock.remainingMs!)} left`;
    case 'warning':
      return `${formatDuration(clock.remainingMs!)} left: due soon`;
    case 'breached':
      return `Overdue by ${formatDuration(clock.remainingMs!)}`;
    case 'met':
      return `Decided within the timescale (${formatDuration(clock.remainingMs!)} to spare)`;
    case 'missed':
      return `Decided ${formatDuration(clock.remainingMs!)} late`;
  }
}

/** Checks a hub's timescales: whole hours, red shortest, each warning shorter than its timescale. Errors by field. */
export function timescaleProblems(t: Record<Rating, { hours: number; warnHours: number }>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const r of RATINGS) {
    const { hours, warnHours } = t[r];
    if (!Number.isInteger(hours) || hours < 1 || hours > 720) problems[`${r}Hours`] = `The ${r} timescale must be a whole number of hours from 1 to 720`;
    if (!Number.isInteger(warnHours) || warnHours < 0) problems[`${r}WarnHours`] = `The ${r} warning must be a whole number of hours, 0 or more`;
    else if (!problems[`${r}Hours`] && warnHours >= hours) problems[`${r}WarnHours`] = `The ${r} warning must come before the end of its timescale (fewer than ${hours} hours)`;
  }
  if (!problems.amberHours && !problems.redHours && t.amber.hours < t.red.hours) problems.amberHours = 'Amber must not be shorter than red';
  if (!problems.greenHours && !problems.amberHours && t.green.hours < t.amber.hours) problems.greenHours = 'Green must not be shorter than amber';
  return problems;
}
