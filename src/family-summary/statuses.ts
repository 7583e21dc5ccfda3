/**
 * Key statuses derived from records the viewer may see. Each status has the case category it belongs
 * to and words that name it in an agency's record (its role, type or description): a child protection
 * plan is a social care record saying so, an EHCP an education (or social care) record saying so, and
 * so on. A status is current when its record has started and not ended by today; one that ended
 * within the window is shown as recent. Open early help is also any active involvement recorded with
 * an early help assessment, or by an early help worker.
 */
import type { DataCategory } from '../policy/access-policy.ts';
import type { KeyStatus, RecordItem, StatusCode } from './types.ts';
import { inWindow, type SummaryWindow } from './window.ts';

export interface StatusRule {
  code: StatusCode;
  label: string;
  categories: readonly DataCategory[];
  pattern: RegExp;
}

export const STATUS_RULES: readonly StatusRule[] = [
  { code: 'child_protection_plan', label: 'Child protection plan', categories: ['social_care'], pattern: /child protection (plan|conference)|\bcp plan\b|\bcpp\b|\bsection 47\b/i },
  { code: 'child_in_need', label: 'Child in need', categories: ['social_care'], pattern: /child in need|\bcin\b|\bsection 17\b/i },
  { code: 'looked_after', label: 'Looked after', categories: ['social_care'], pattern: /looked[- ]after|\bcla\b|\blac\b|\bin care\b|care order|section 20\b|foster/i },
  { code: 'ehcp', label: 'Education, health and care plan', categories: ['education', 'social_care'], pattern: /education,? health,? and care plan|\behcp\b/i },
  {
    code: 'youth_justice_order',
    label: 'Youth justice order',
    categories: ['youth_justice'],
    pattern: /\border\b|youth rehabilitation|\byro\b|referral order|detention and training|\bdto\b|youth conditional caution/i,
  },
  { code: 'early_help', label: 'Open early help', categories: ['social_care', 'voluntary', 'education'], pattern: /early help|family support|team around the family|\btaf\b/i },
];

const text = (i: RecordItem) => `${i.title} ${i.description ?? ''}`;

/** Which status a record shows, if any (the first rule that matches its category and words). */
export function statusOf(item: RecordItem): StatusRule | undefined {
  if (item.source === 'involvement' && (item.earlyHelpAssessment || /early help/i.test(item.title))) return STATUS_RULES.find((r) => r.code === 'early_help');
  if (item.kind === 'contact' || item.kind === 'note') return undefined;
  let words: string | undefined;
  for (const r of STATUS_RULES) {
    if (!r.categories.includes(item.category)) continue;
    words ??= text(item);
    if (r.pattern.test(words)) return r;
  }
  return undefined;
}

/**
 * The statuses of each person from the visible records in the window: one per person and status,
 * the current one first (the latest started), else the most recently ended.
 */
export function deriveStatuses(items: readonly RecordItem[], window: SummaryWindow): KeyStatus[] {
  const best = new Map<string, KeyStatus>();
  for (const item of items) {
    if (!inWindow(item, window)) continue;
    const rule = statusOf(item);
    if (!rule) continue;
    const current = item.endDate === null || item.endDate > window.to;
    const s: KeyStatus = {
      subjectId: item.subjectId,
      code: rule.code,
      label: rule.label,
      current,
      since: item.startDate,
      until: item.endDate,
      organisationName: item.organisationName,
      itemKey: item.key,
    };
    const key = `${item.subjectId} ${rule.code}`;
    const had = best.get(key);
    if (!had || better(s, had)) best.set(key, s);
  }
  return [...best.values()].sort((a, b) => a.subjectId.localeCompare(b.subjectId) || STATUS_ORDER.indexOf(a.code) - STATUS_ORDER.indexOf(b.code));
}

const STATUS_ORDER = STATUS_RULES.map((r) => r.code);

function better(a: KeyStatus, b: KeyStatus): boolean {
  if (a.current !== b.current) return a.current;
  if (a.current) return a.since > b.since || (a.since === b.since && a.itemKey < b.itemKey);
  return (a.until ?? '') > (b.until ?? '') || ((a.until ?? '') === (b.until ?? '') && a.itemKey < b.itemKey);
}
