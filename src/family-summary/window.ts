/** The period a summary covers: the last N years to today (five by default), or everything. */
export const WINDOW_CHOICES = ['1', '2', '5', '10', 'all'] as const;
export type WindowChoice = (typeof WINDOW_CHOICES)[number];
export const DEFAULT_WINDOW: WindowChoice = '5';

export interface SummaryWindow {
  choice: WindowChoice;
  /** YYYY-MM-DD, inclusive; null for everything. */
  from: string | null;
  to: string;
}

export const isWindowChoice = (s: unknown): s is WindowChoice => typeof s === 'string' && (WINDOW_CHOICES as readonly string[]).includes(s);

/** The window ending today; a 29 February start falls back to 28 February. */
export function summaryWindow(choice: WindowChoice, today: string): SummaryWindow {
  if (choice === 'all') return { choice, from: null, to: today };
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const year = y - Number(choice);
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const from = `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
  return { choice, from, to: today };
}

/** A dated record or period is in the window when any of it falls in it (and it has started by the end). */
export function inWindow(item: { startDate: string; endDate: string | null }, w: SummaryWindow): boolean {
  if (item.startDate > w.to) return false;
  if (w.from === null) return true;
  return (item.endDate ?? w.to) >= w.from;
}

export const windowLabel = (w: SummaryWindow) => (w.choice === 'all' ? 'all records' : w.choice === '1' ? 'the last year' : `the last ${w.choice} years`);
