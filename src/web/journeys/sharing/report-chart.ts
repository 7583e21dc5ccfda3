import type { SharingDecision } from '../../../repositories/sharing-repository.ts';

export interface OutcomeRow {
  outcome: SharingDecision['outcome'];
  label: string;
  total: number;
  withConsent: number;
  withoutConsent: number;
  pending: number;
  emergency: number;
}

export interface OutcomeChart {
  /** An accessible SVG (role="img" with a title and description; presentation attributes only, for the CSP). */
  svg: string;
  rows: OutcomeRow[];
  total: number;
}

const LABELS: Record<SharingDecision['outcome'], string> = { share: 'Shared in full', share_in_part: 'Shared in part', not_share: 'Not shared' };
const COLOURS: Record<SharingDecision['outcome'], string> = { share: '#00703c', share_in_part: '#1d70b8', not_share: '#505a5f' };

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Decisions by outcome as a horizontal bar chart drawn on the server. The table of the same
 * numbers (rows) is the information; the chart is its picture.
 */
export function outcomeChart(decisions: readonly SharingDecision[]): OutcomeChart {
  const rows: OutcomeRow[] = (['share', 'share_in_part', 'not_share'] as const).map((outcome) => {
    const of = decisions.filter((d) => d.outcome === outcome);
    return {
      outcome,
      label: LABELS[outcome],
      total: of.length,
      withConsent: of.filter((d) => d.withConsent).length,
      withoutConsent: of.filter((d) => outcome !== 'not_share' && !d.withConsent).length,
      pending: of.filter((d) => d.approvalStatus === 'pending').length,
      emergency: of.filter((d) => d.emergency).length,
    };
  });
  const total = rows.reduce((n, r) => n + r.total, 0);
  const max = Math.max(1, ...rows.map((r) => r.total));
  const labelW = 130;
  const plotW = 360;
  const barH = 28;
  const gap = 14;
  const width = labelW + plotW + 50;
  const height = rows.length * (barH + gap) + gap;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ta-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="outcome-chart-title outcome-chart-desc" focusable="false">`,
    '<title id="outcome-chart-title">Sharing decisions by outcome</title>',
    `<desc id="outcome-chart-desc">${escape(rows.map((r) => `${r.label}: ${r.total}`).join('; '))}. The table below gives the same numbers.</desc>`,
  ];
  rows.forEach((r, i) => {
    const y = gap + i * (barH + gap);
    const w = r.total === 0 ? 0 : Math.max(2, (r.total / max) * plotW);
    parts.push(`<text x="${labelW - 8}" y="${y + barH / 2 + 5}" text-anchor="end" font-family="arial, sans-serif" font-size="14" fill="#0b0c0c">${escape(r.label)}</text>`);
    if (w > 0) parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLOURS[r.outcome]}"/>`);
    parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + barH / 2 + 5}" font-family="arial, sans-serif" font-size="14" font-weight="bold" fill="#0b0c0c">${r.total}</text>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="0" y2="${height}" stroke="#0b0c0c" stroke-width="1"/>`);
  parts.push('</svg>');
  return { svg: parts.join(''), rows, total };
}
