/** Wording for the family summary pages and PDF. */
import { formatDate } from '../people/format.ts';

export const dateText = (iso: string) => formatDate(iso);

/** 22 November 2026 at 5:08am (London time). */
export function dateTimeText(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')} at ${get('hour')}:${get('minute')}${get('dayPeriod').toLowerCase().replace(/\s/g, '')} (London time)`;
}

export const periodText = (start: string, end: string | null) => (end && end !== start ? `${dateText(start)} to ${dateText(end)}` : dateText(start));

const CATEGORY_LABELS: Record<string, string> = {
  education: 'Education',
  health: 'Health',
  social_care: 'Social care',
  police: 'Police',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  probation: 'Probation',
  voluntary: 'Voluntary sector',
};
export const categoryLabel = (c: string) => CATEGORY_LABELS[c] ?? c.replace(/_/g, ' ');
