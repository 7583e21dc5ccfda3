/** Multi-agency meetings: their kinds and rules. Pure. */
import { addDays } from './plan.ts';

export const MEETING_KINDS = [
  { code: 'taf_review', label: 'Team around the family review', individualCases: true, intervalDays: 42 },
  { code: 'locality_hub', label: 'Locality early help hub', individualCases: true, intervalDays: 14 },
  { code: 'jag', label: 'Joint action group (anti-social behaviour)', individualCases: true, intervalDays: 28 },
  { code: 'marac', label: 'MARAC (high-risk domestic abuse)', individualCases: true, intervalDays: 28 },
  { code: 'area', label: 'Area management meeting', individualCases: false, intervalDays: 120 },
] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number]['code'];
export const MEETING_KIND_CODES = MEETING_KINDS.map((k) => k.code) as [MeetingKind, ...MeetingKind[]];

export function meetingKind(code: string) {
  const k = MEETING_KINDS.find((x) => x.code === code);
  if (!k) throw new RangeError(`Unknown meeting kind ${code}`);
  return k;
}

/** The usual date of the next meeting of a series (a locality hub meets every two weeks). */
export function nextMeetingDate(kind: MeetingKind, heldOn: string): string {
  return addDays(heldOn, meetingKind(kind).intervalDays);
}

/** Legal bases a meeting may be held under, by the kinds of legal_basis: at least one UK GDPR article 6 basis. */
export function legalBasisProblems(codes: readonly string[], known: ReadonlyArray<{ code: string; kind: string; consent: boolean }>): string | null {
  if (codes.length === 0) return 'Choose the legal basis the agencies share their contributions under';
  const unknown = codes.filter((c) => !known.some((k) => k.code === c));
  if (unknown.length) return `Choose legal bases from the list (${unknown.join(', ')} is not one)`;
  if (codes.some((c) => known.find((k) => k.code === c)?.consent)) return 'Contributions are shared under a legal basis other than consent: remove the consent basis';
  if (!codes.some((c) => known.find((k) => k.code === c)?.kind === 'gdpr_article_6')) return 'Choose at least one UK GDPR article 6 basis';
  return null;
}

/** Problems with what a meeting of this kind may hold: an area meeting never has individual cases on its agenda. */
export function agendaProblem(kind: MeetingKind): string | null {
  return meetingKind(kind).individualCases ? null : 'An area meeting does not discuss individual cases: record actions and performance indicators instead';
}

/**
 * Contributions are prepared before the meeting: refused once it is recorded as held, or once its
 * date has passed (on the day itself they are still accepted). Null when one may still be added.
 */
export function lateContribution(m: { status: string; heldOn: string }, today: string): string | null {
  if (m.status === 'held') return 'The meeting has been held: contributions are prepared beforehand. Record what was said in the decision about the case';
  if (m.heldOn < today) return `The meeting was on ${m.heldOn}: contributions are prepared beforehand. Record what was said in the decision about the case`;
  return null;
}

export interface IndicatorPoint {
  periodEnd: string;
  value: number;
}

/** An indicator's points in time order, and whether the latest moved the right way. */
export function indicatorTrend(points: readonly IndicatorPoint[], higherIsBetter: boolean): { ordered: IndicatorPoint[]; direction: 'better' | 'worse' | 'same' | null } {
  const ordered = [...points].sort((a, b) => (a.periodEnd < b.periodEnd ? -1 : a.periodEnd > b.periodEnd ? 1 : 0));
  if (ordered.length < 2) return { ordered, direction: null };
  const last = ordered.at(-1)!.value;
  const before = ordered.at(-2)!.value;
  if (last === before) return { ordered, direction: 'same' };
  return { ordered, direction: last > before === higherIsBetter ? 'better' : 'worse' };
}
