import { indicatorTrend } from '../../../early-help/meetings.ts';
import type { Indicator } from '../../../repositories/early-help-repository.ts';
import { escapeHtml as escape } from '../../forms.ts';
import { formatDate } from '../people/format.ts';

export interface IndicatorChart {
  id: string;
  name: string;
  unit: string;
  target: number | null;
  higherIsBetter: boolean;
  /** An accessible SVG (role="img", title and description; presentation attributes only, for the CSP). */
  svg: string | null;
  rows: Array<{ periodEnd: string; label: string; value: number; againstTarget: string | null }>;
  direction: 'better' | 'worse' | 'same' | null;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * An indicator over time as a line chart drawn on the server, with its target as a dashed line. The
 * table of the same points (rows) is the information; the chart is its picture. No chart for fewer
 * than one point.
 */
export function indicatorChart(ind: Indicator): IndicatorChart {
  const { ordered, direction } = indicatorTrend(ind.values, ind.higherIsBetter);
  const rows = ordered.map((v) => ({
    periodEnd: v.periodEnd,
    label: formatDate(v.periodEnd),
    value: v.value,
    againstTarget: ind.target === null ? null : (ind.higherIsBetter ? v.value >= ind.target : v.value <= ind.target) ? 'Met' : 'Not met',
  }));
  if (ordered.length === 0) return { id: ind.id, name: ind.name, unit: ind.unit, target: ind.target, higherIsBetter: ind.higherIsBetter, svg: null, rows, direction };
  const left = 56;
  const right = 24;
  const top = 20;
  const plotH = 180;
  const bottom = 44;
  const step = ordered.length > 1 ? Math.max(60, Math.min(140, 520 / (ordered.length - 1))) : 0;
  const width = left + right + Math.max(step * (ordered.length - 1), 120);
  const height = top + plotH + bottom;
  const values = [...ordered.map((v) => v.value), ...(ind.target === null ? [] : [ind.target])];
  const max = Math.max(...values, 0);
  const min = Math.min(...values, 0);
  const span = max - min || 1;
  const y = (v: number) => top + plotH - ((v - min) / span) * plotH;
  const x = (i: number) => left + (ordered.length > 1 ? i * step : 60);
  const id = `kpi-${ind.id}`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ta-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">`,
    `<title id="${id}-title">${escape(ind.name)} over time</title>`,
    `<desc id="${id}-desc">${escape(rows.map((r) => `${r.label}: ${fmt(r.value)} ${ind.unit}`).join('; '))}${ind.target === null ? '' : `. Target ${fmt(ind.target)} ${escape(ind.unit)}`}. The table below gives the same numbers.</desc>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#0b0c0c" stroke-width="1"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#0b0c0c" stroke-width="1"/>`,
    `<text x="${left - 6}" y="${top + 5}" text-anchor="end" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">${fmt(max)}</text>`,
    `<text x="${left - 6}" y="${top + plotH + 4}" text-anchor="end" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">${fmt(min)}</text>`,
  ];
  if (ind.target !== null) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(ind.target).toFixed(1)}" y2="${y(ind.target).toFixed(1)}" stroke="#505a5f" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${width - right}" y="${(y(ind.target) - 6).toFixed(1)}" text-anchor="end" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">Target ${fmt(ind.target)}</text>`);
  }
  if (ordered.length > 1) {
    parts.push(`<polyline fill="none" stroke="#1d70b8" stroke-width="3" points="${ordered.map((v, i) => `${x(i).toFixed(1)},${y(v.value).toFixed(1)}`).join(' ')}"/>`);
  }
  ordered.forEach((v, i) => {
    parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v.value).toFixed(1)}" r="5" fill="#1d70b8"/>`);
    parts.push(`<text x="${x(i).toFixed(1)}" y="${(y(v.value) - 10).toFixed(1)}" text-anchor="middle" font-family="arial, sans-serif" font-size="12" font-weight="bold" fill="#0b0c0c">${fmt(v.value)}</text>`);
    parts.push(`<text x="${x(i).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">${escape(rows[i]!.label)}</text>`);
  });
  parts.push('</svg>');
  return { id: ind.id, name: ind.name, unit: ind.unit, target: ind.target, higherIsBetter: ind.higherIsBetter, svg: parts.join(''), rows, direction };
}
