/**
 * The hub managers' dashboard (pure): contacts received in a period counted by source, concern
 * category, rating, timeliness, outcome and re-referral, and the quality of referrals by agency.
 * Every count is a table row; the charts are drawn from the same rows.
 */
import { csvCell as feedCsvCell } from '../feeds/feed-service.ts';
import { clockOf, type Rating, type Timescale } from './timescale.ts';

export interface DashboardContact {
  id: string;
  reference: string;
  source: 'professional' | 'public' | 'police';
  receivedAt: Date;
  referrerOrganisation: string | null;
  categories: readonly string[];
  rating: Rating | null;
  dueAt: Date | null;
  /** When the decision was signed off (the clock stops then). */
  decidedAt: Date | null;
  level: string | null;
  outcome: string | null;
  reReferral: boolean;
  quality: 'good' | 'adequate' | 'poor' | null;
}

export interface CountRow {
  key: string;
  label: string;
  count: number;
}

export interface QualityRow {
  agency: string;
  good: number;
  adequate: number;
  poor: number;
  total: number;
}

/** A research request of a contact received in the period, for the research-by-agency table. */
export interface DashboardResearch {
  agency: string;
  status: 'open' | 'answered' | 'declined';
}

export interface ResearchAgencyRow {
  agency: string;
  asked: number;
  answered: number;
  declined: number;
  open: number;
}

export interface Dashboard {
  total: number;
  /** Research requests by agency: answered, declined (a recorded decision not to share) and still open. */
  research: ResearchAgencyRow[];
  bySource: CountRow[];
  byCategory: CountRow[];
  byRating: CountRow[];
  timeliness: CountRow[];
  byOutcome: CountRow[];
  reReferrals: CountRow[];
  quality: QualityRow[];
}

export const SOURCE_LABELS: Record<DashboardContact['source'], string> = {
  professional: 'Professionals',
  public: 'Members of the public',
  police: 'Police notifications',
};

export const TIMELINESS_LABELS = {
  met: 'Decided within timescale',
  missed: 'Decided late',
  open: 'Open, within timescale',
  breached: 'Open, overdue',
  unrated: 'Not rated yet',
} as const;

export function buildDashboard(
  contacts: readonly DashboardContact[],
  labels: { categories: ReadonlyArray<{ code: string; label: string }>; ratings: ReadonlyArray<{ code: string; label: string }>; outcomes: ReadonlyArray<{ code: string; label: string }> },
  timescales: Readonly<Record<Rating, Timescale>>,
  now: Date,
  research: readonly DashboardResearch[] = [],
): Dashboard {
  const count = (pred: (c: DashboardContact) => boolean) => contacts.filter(pred).length;
  const bySource = (Object.keys(SOURCE_LABELS) as Array<DashboardContact['source']>).map((key) => ({ key, label: SOURCE_LABELS[key], count: count((c) => c.source === key) }));
  const byCategory = labels.categories.map((c) => ({ key: c.code, label: c.label, count: count((x) => x.categories.includes(c.code)) }));
  const byRating = [
    ...labels.ratings.map((r) => ({ key: r.code, label: r.label, count: count((x) => x.rating === r.code) })),
    { key: 'unrated', label: 'Not rated yet', count: count((x) => x.rating === null) },
  ];
  const state = (c: DashboardContact) => clockOf({ receivedAt: c.receivedAt, dueAt: c.dueAt, decidedAt: c.decidedAt }, c.rating ? timescales[c.rating] : null, now).state;
  const states = contacts.map(state);
  const timeliness = (Object.keys(TIMELINESS_LABELS) as Array<keyof typeof TIMELINESS_LABELS>).map((key) => ({
    key,
    label: TIMELINESS_LABELS[key],
    count: states.filter((s) => (key === 'open' ? s === 'running' || s === 'warning' : s === key)).length,
  }));
  const byOutcome = [
    ...labels.outcomes.map((o) => ({ key: o.code, label: o.label, count: count((x) => x.decidedAt !== null && x.outcome === o.code) })),
    { key: 'undecided', label: 'No decision yet', count: count((x) => x.decidedAt === null) },
  ];
  const reReferrals = [
    { key: 're-referral', label: 'Re-referrals (within 12 months of a decision)', count: count((x) => x.reReferral) },
    { key: 'first', label: 'Not re-referrals', count: count((x) => !x.reReferral) },
  ];
  const agencies = new Map<string, QualityRow>();
  for (const c of contacts) {
    if (!c.quality) continue;
    const agency = c.referrerOrganisation ?? SOURCE_LABELS[c.source];
    const row = agencies.get(agency) ?? { agency, good: 0, adequate: 0, poor: 0, total: 0 };
    row[c.quality] += 1;
    row.total += 1;
    agencies.set(agency, row);
  }
  const quality = [...agencies.values()].sort((a, b) => b.total - a.total || a.agency.localeCompare(b.agency));
  return { total: contacts.length, research: researchByAgency(research), bySource, byCategory, byRating, timeliness, byOutcome, reReferrals, quality };
}

/** Research requests counted by agency: most declines first, then most asked, then by name. */
export function researchByAgency(research: readonly DashboardResearch[]): ResearchAgencyRow[] {
  const rows = new Map<string, ResearchAgencyRow>();
  for (const r of research) {
    const row = rows.get(r.agency) ?? { agency: r.agency, asked: 0, answered: 0, declined: 0, open: 0 };
    row.asked += 1;
    row[r.status] += 1;
    rows.set(r.agency, row);
  }
  return [...rows.values()].sort((a, b) => b.declined - a.declined || b.asked - a.asked || a.agency.localeCompare(b.agency));
}

/** One CSV cell (dates as ISO, null as empty), made formula-safe and quoted by the feeds' csvCell. */
export function csvCell(v: unknown): string {
  return feedCsvCell(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
}

export const CSV_HEADER = [
  'reference',
  'received_at',
  'source',
  'referrer_organisation',
  'categories',
  'rating',
  'due_at',
  'decided_at',
  'timeliness',
  'level',
  'outcome',
  're_referral',
  'referral_quality',
] as const;

/** The contacts as CSV: no names of children or adults, only what the dashboard counts. */
export function dashboardCsv(contacts: readonly DashboardContact[], timescales: Readonly<Record<Rating, Timescale>>, now: Date): string {
  const lines = [CSV_HEADER.join(',')];
  for (const c of contacts) {
    const clock = clockOf({ receivedAt: c.receivedAt, dueAt: c.dueAt, decidedAt: c.decidedAt }, c.rating ? timescales[c.rating] : null, now);
    lines.push(
      [c.reference, c.receivedAt, c.source, c.referrerOrganisation, c.categories.join(' '), c.rating, c.dueAt, c.decidedAt, clock.state, c.level, c.outcome, c.reReferral ? 'yes' : 'no', c.quality]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
