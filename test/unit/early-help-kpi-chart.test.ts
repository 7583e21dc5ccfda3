import { describe, expect, it } from 'vitest';
import { indicatorChart } from '../../src/web/journeys/early-help/kpi-chart.ts';

describe('indicator chart', () => {
  const ind = { id: 'k1', name: 'Families <with> a plan', unit: 'families', target: 120, higherIsBetter: true, values: [
    { periodEnd: '2026-06-30', value: 97, meetingId: 'm2' },
    { periodEnd: '2026-03-31', value: 84, meetingId: 'm1' },
  ] };

  it('draws an accessible SVG in time order, escaped, with a table of the same numbers', () => {
    const c = indicatorChart(ind);
    expect(c.rows.map((r) => [r.label, r.value, r.againstTarget])).toEqual([['31 March 2026', 84, 'Not met'], ['30 June 2026', 97, 'Not met']]);
    expect(c.svg).toContain('role="img"');
    expect(c.svg).toContain('<title id="kpi-k1-title">Families &lt;with&gt; a plan over time</title>');
    expect(c.svg).toContain('31 March 2026: 84 families; 30 June 2026: 97 families. Target 120 families');
    expect(c.svg).not.toMatch(/style=|<script/);
    expect(c.svg!.match(/<circle/g)).toHaveLength(2);
    expect(c.direction).toBe('better');
    // The unit is typed by users too: escaped wherever it appears in the SVG (the page shows it with |safe).
    expect(indicatorChart({ ...ind, unit: '<img src=x onerror=alert(1)>' }).svg).not.toContain('<img');
  });

  it('has no chart without values, and a single point draws no line', () => {
    expect(indicatorChart({ ...ind, values: [] }).svg).toBeNull();
    const one = indicatorChart({ ...ind, values: [ind.values[0]!] });
    expect(one.svg).not.toContain('<polyline');
  });
});
