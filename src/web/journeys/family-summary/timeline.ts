/**
 * The chronology drawn as a timeline: pure, server-side SVG (presentation attributes only, so the
 * strict CSP holds), one lane per person, involvements as bars over their period, events, contacts
 * and notes as marks at their date, significant ones ringed. Shape tells the kind and colour the
 * category, and the legend says so in words; the accessible table beside it carries everything.
 */
import type { ChronologyEntry } from '../../../family-summary/types.ts';
import { categoryLabel } from './format.ts';

const COLOURS: Record<string, string> = {
  education: '#1d70b8',
  health: '#00703c',
  social_care: '#4c2c92',
  police: '#0b0c0c',
  youth_justice: '#d4351c',
  housing: '#6f72af',
  probation: '#b58840',
  voluntary: '#28a197',
};
const colour = (c: string) => COLOURS[c] ?? '#505a5f';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export interface TimelineInput {
  entries: readonly ChronologyEntry[];
  lanes: ReadonlyArray<{ subjectId: string; name: string }>;
  from: string | null;
  to: string;
  title: string;
}

export function renderTimeline(input: TimelineInput): string {
  const LEFT = 170;
  const RIGHT = 20;
  const WIDTH = 960;
  const LANE = 50;
  const TOP = 30;
  const lanes = input.lanes.length ? input.lanes : [{ subjectId: '', name: '' }];
  const first = input.from ?? input.entries.reduce((m, e) => (e.startDate < m ? e.startDate : m), input.to);
  const start = day(first);
  const end = Math.max(day(input.to), start + 1);
  const x = (iso: string) => LEFT + ((Math.min(Math.max(day(iso), start), end) - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const legendTop = TOP + lanes.length * LANE + 30;
  const cats = [...new Set(input.entries.map((e) => e.category))].sort();
  const height = legendTop + 40 + Math.ceil(cats.length / 4) * 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="ta-timeline-title ta-timeline-desc" class="ta-timeline" font-family="arial, sans-serif">`,
    `<title id="ta-timeline-title">${esc(input.title)}</title>`,
    `<desc id="ta-timeline-desc">${input.entries.length} entries from ${esc(first)} to ${esc(input.to)}, one row per person. The table below lists every entry.</desc>`,
  );
  // Year ticks.
  const y0 = Number(first.slice(0, 4));
  const y1 = Number(input.to.slice(0, 4));
  const step = Math.max(1, Math.ceil((y1 - y0 + 1) / 12));
  for (let y = y0 + 1; y <= y1; y += step) {
    const tx = x(`${y}-01-01`);
    out.push(`<line x1="${tx.toFixed(1)}" y1="${TOP - 8}" x2="${tx.toFixed(1)}" y2="${TOP + lanes.length * LANE}" stroke="#b1b4b6" stroke-width="1"/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${TOP - 12}" font-size="12" text-anchor="middle" fill="#0b0c0c">${y}</text>`);
  }
  lanes.forEach((lane, i) => {
    const ly = TOP + i * LANE + LANE / 2;
    out.push(`<line x1="${LEFT}" y1="${ly}" x2="${WIDTH - RIGHT}" y2="${ly}" stroke="#dcdcdc" stroke-width="1"/>`);
    out.push(`<text x="${LEFT - 8}" y="${ly + 4}" font-size="13" text-anchor="end" fill="#0b0c0c">${esc(lane.name.length > 22 ? `${lane.name.slice(0, 21)}…` : lane.name)}</text>`);
  });
  const laneOf = new Map(lanes.map((l, i) => [l.subjectId, i]));
  // Involvements that overlap in time are stacked in up to three rows of their lane (first free row).
  const rowEnds = new Map<string, string[]>();
  const barRow = (e: ChronologyEntry) => {
    const ends = rowEnds.get(e.subjectId) ?? [];
    rowEnds.set(e.subjectId, ends);
    let row = ends.findIndex((end) => end < e.startDate);
    if (row < 0) row = ends.length < 3 ? ends.length : 2;
    ends[row] = e.endDate ?? input.to;
    return row;
  };
  for (const e of input.entries) {
    const i = laneOf.get(e.subjectId);
    if (i === undefined) continue;
    const ly = TOP + i * LANE + LANE / 2;
    const c = colour(e.category);
    const label = `${e.startDate}${e.endDate ? ` to ${e.endDate}` : ''}: ${e.organisationName}, ${e.title}${e.significant ? ' (significant)' : ''}`;
    const t = `<title>${esc(label)}</title>`;
    if (e.kind === 'involvement') {
      const x1 = x(e.startDate);
      const x2 = Math.max(x(e.endDate ?? input.to), x1 + 3);
      out.push(`<rect x="${x1.toFixed(1)}" y="${ly - 20 + barRow(e) * 6}" width="${(x2 - x1).toFixed(1)}" height="5" fill="${c}" opacity="0.8">${t}</rect>`);
    } else {
      const cx = x(e.startDate);
      if (e.kind === 'contact') out.push(`<rect x="${(cx - 4).toFixed(1)}" y="${ly - 4}" width="8" height="8" fill="${c}">${t}</rect>`);
      else if (e.kind === 'note') out.push(`<path d="M${cx.toFixed(1)} ${ly - 5}l5 5l-5 5l-5 -5z" fill="${c}">${t}</path>`);
      else out.push(`<circle cx="${cx.toFixed(1)}" cy="${ly}" r="4" fill="${c}">${t}</circle>`);
    }
    if (e.significant) out.push(`<circle cx="${x(e.startDate).toFixed(1)}" cy="${ly}" r="9" fill="none" stroke="#d4351c" stroke-width="2"/>`);
  }
  // Legend: shapes, then colours.
  const ly = legendTop;
  out.push(
    `<rect x="${LEFT}" y="${ly - 3}" width="24" height="6" fill="#505a5f"/><text x="${LEFT + 30}" y="${ly + 4}" font-size="12" fill="#0b0c0c">involvement (bar over its period)</text>`,
    `<circle cx="${LEFT + 250}" cy="${ly}" r="4" fill="#505a5f"/><text x="${LEFT + 260}" y="${ly + 4}" font-size="12" fill="#0b0c0c">event</text>`,
    `<rect x="${LEFT + 316}" y="${ly - 4}" width="8" height="8" fill="#505a5f"/><text x="${LEFT + 330}" y="${ly + 4}" font-size="12" fill="#0b0c0c">contact</text>`,
    `<path d="M${LEFT + 400} ${ly - 5}l5 5l-5 5l-5 -5z" fill="#505a5f"/><text x="${LEFT + 410}" y="${ly + 4}" font-size="12" fill="#0b0c0c">note</text>`,
    `<circle cx="${LEFT + 470}" cy="${ly}" r="9" fill="none" stroke="#d4351c" stroke-width="2"/><text x="${LEFT + 484}" y="${ly + 4}" font-size="12" fill="#0b0c0c">marked significant</text>`,
  );
  cats.forEach((cat, k) => {
    const cx = LEFT + (k % 4) * 190;
    const cy = ly + 26 + Math.floor(k / 4) * 20;
    out.push(`<rect x="${cx}" y="${cy - 6}" width="12" height="12" fill="${colour(cat)}"/><text x="${cx + 18}" y="${cy + 4}" font-size="12" fill="#0b0c0c">${esc(categoryLabel(cat))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
