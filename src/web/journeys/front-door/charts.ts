/**
 * The front door's pictures, drawn on the server as SVG (presentation attributes only, for the CSP):
 * horizontal bar charts for the dashboard, each with a title and a description and a table of the
 * same numbers beside it, and the clock face on each contact in the queue (hidden from screen
 * readers, which get the clock in words).
 */
import type { CountRow } from '../../../front-door/dashboard.ts';
import type { Clock } from '../../../front-door/timescale.ts';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** GOV.UK colours with enough contrast against white for the bars (3:1 or more). */
const PALETTE = ['#1d70b8', '#00703c', '#d4351c', '#f47738', '#4c2c92', '#505a5f', '#28a197', '#912b88', '#003078', '#85994b', '#b58840', '#6f72af'];
const KEY_COLOURS: Record<string, string> = { red: '#d4351c', amber: '#f47738', green: '#00703c', unrated: '#505a5f', met: '#00703c', missed: '#d4351c', breached: '#942514', open: '#1d70b8' };

export interface BarChart {
  id: string;
  title: string;
  svg: string;
  rows: CountRow[];
  total: number;
}

export function barChart(id: string, title: string, rows: readonly CountRow[]): BarChart {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const labelW = 260;
  const plotW = 320;
  const barH = 22;
  const gap = 10;
  const width = labelW + plotW + 50;
  const height = Math.max(1, rows.length) * (barH + gap) + gap;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ta-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">`,
    `<title id="${id}-title">${escape(title)}</title>`,
    `<desc id="${id}-desc">${escape(rows.map((r) => `${r.label}: ${r.count}`).join('; '))}. The table gives the same numbers.</desc>`,
  ];
  rows.forEach((r, i) => {
    const y = gap + i * (barH + gap);
    const w = r.count === 0 ? 0 : Math.max(2, (r.count / max) * plotW);
    parts.push(`<text x="${labelW - 8}" y="${y + barH / 2 + 5}" text-anchor="end" font-family="arial, sans-serif" font-size="14" fill="#0b0c0c">${escape(r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label)}</text>`);
    if (w > 0) parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${KEY_COLOURS[r.key] ?? PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + barH / 2 + 5}" font-family="arial, sans-serif" font-size="14" font-weight="bold" fill="#0b0c0c">${r.count}</text>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="0" y2="${height}" stroke="#0b0c0c" stroke-width="1"/>`);
  parts.push('</svg>');
  return { id, title, svg: parts.join(''), rows: [...rows], total: rows.reduce((n, r) => n + r.count, 0) };
}

/** A small clock face: the share of the timescale used, red once it is over. */
export function clockFace(clock: Clock): string {
  const late = clock.state === 'breached' || clock.state === 'missed';
  const warn = clock.state === 'warning';
  const colour = late ? '#d4351c' : warn ? '#b35d00' : '#0b0c0c';
  const fill = late ? '#f4c7c1' : warn ? '#fde2c7' : '#bbd4ea';
  const f = clock.state === 'unrated' ? 0 : clock.fraction;
  const angle = f * 2 * Math.PI;
  const large = f > 0.5 ? 1 : 0;
  const sector = f >= 1 ? `<circle cx="12" cy="12" r="10" fill="${fill}"/>` : f > 0 ? `<path d="M12 12 L12 2 A10 10 0 ${large} 1 ${(12 + 10 * Math.sin(angle)).toFixed(2)} ${(12 - 10 * Math.cos(angle)).toFixed(2)} Z" fill="${fill}"/>` : '';
  const x = 12 + 8 * Math.sin(angle);
  const y = 12 - 8 * Math.cos(angle);
  const dash = clock.state === 'unrated' ? ' stroke-dasharray="3 2"' : '';
  return `<svg class="ta-clock" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" fill="#ffffff" stroke="${colour}" stroke-width="2"${dash}/>${sector}<line x1="12" y1="12" x2="${x.toFixed(2)}" y2="${y.toFixed(2)}" stroke="${colour}" stroke-width="2" stroke-linecap="round"/><circle cx="12" cy="12" r="1.5" fill="${colour}"/></svg>`;
}
