import { formatDate } from './format.ts';

export interface DayCount {
  date: string;
  label: string;
  count: number;
}

export interface ViewsChart {
  /** An accessible SVG (role="img", title and description; presentation attributes only, for the CSP). */
  svg: string;
  days: DayCount[];
  total: number;
}

/** A day as YYYY-MM-DD in the UK. */
function ukDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * A bar chart of how many times the record was viewed on each of the last `span` days (UK
 * dates), drawn as SVG on the server. The same numbers go in a table beside it: the chart is
 * an illustration, the table is the information.
 */
export function viewsPerDayChart(viewedAt: readonly Date[], now: Date, span = 30): ViewsChart {
  const today = ukDay(now);
  const first = addDays(today, -(span - 1));
  const counts = new Map<string, number>();
  for (const at of viewedAt) {
    const day = ukDay(at);
    if (day >= first && day <= today) counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const days: DayCount[] = [];
  for (let i = 0; i < span; i++) {
    const date = addDays(first, i);
    days.push({ date, label: formatDate(date), count: counts.get(date) ?? 0 });
  }
  const total = days.reduce((a, d) => a + d.count, 0);
  const max = Math.max(1, ...days.map((d) => d.count));
  // A scale with whole-number ticks: 0, the top, and the middle when it is whole.
  const top = max <= 4 ? max : Math.ceil(max / 4) * 4;
  const ticks = [...new Set([0, top / 2, top].filter((v) => Number.isInteger(v)))];

  const left = 40;
  const barW = 18;
  const gap = 4;
  const plotH = 160;
  const topPad = 10;
  const width = left + span * (barW + gap) + 10;
  const height = topPad + plotH + 50;
  const y = (v: number) => topPad + plotH - (v / top) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ta-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="views-chart-title views-chart-desc" focusable="false">`,
  );
  parts.push(`<title id="views-chart-title">Views of this record per day, ${formatDate(first)} to ${formatDate(today)}</title>`);
  const busiest = days.reduce((a, d) => (d.count > a.count ? d : a), days[0]!);
  parts.push(
    `<desc id="views-chart-desc">${total} view${total === 1 ? '' : 's'} in ${span} days${total ? `; the most on ${busiest.label} (${busiest.count})` : ''}. The table below gives the same numbers.</desc>`,
  );
  for (const t of ticks) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(t)}" y2="${y(t)}" stroke="#b1b4b6" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">${t}</text>`);
  }
  days.forEach((d, i) => {
    const x = left + i * (barW + gap) + gap / 2;
    if (d.count > 0) {
      const h = (d.count / top) * plotH;
      parts.push(`<rect x="${x}" y="${y(d.count)}" width="${barW}" height="${h}" fill="#1d70b8"/>`);
    }
    // Label every seventh day, counting back from today, so the latest day is always labelled.
    if ((span - 1 - i) % 7 === 0) {
      const [, m, dd] = d.date.split('-');
      parts.push(
        `<text x="${x + barW / 2}" y="${topPad + plotH + 18}" text-anchor="middle" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">${Number(dd)}/${Number(m)}</text>`,
      );
    }
  });
  parts.push(`<line x1="${left}" x2="${width - 10}" y1="${topPad + plotH}" y2="${topPad + plotH}" stroke="#0b0c0c" stroke-width="1"/>`);
  parts.push(`<text x="${left}" y="${height - 8}" font-family="arial, sans-serif" font-size="12" fill="#0b0c0c">Day (day/month)</text>`);
  parts.push('</svg>');
  return { svg: parts.join(''), days, total };
}
