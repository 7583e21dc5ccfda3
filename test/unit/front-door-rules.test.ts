import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDashboard, csvCell, dashboardCsv, type DashboardContact } from '../../src/front-door/dashboard.ts';
import { decisionProblems, LEVELS, OUTCOMES, OUTCOMES_BY_LEVEL } from '../../src/front-door/decision-rules.ts';
import { findReReferral, twelveMonthsBefore } from '../../src/front-door/re-referral.ts';
import { clockOf, DEFAULT_TIMESCALES, describeClock, dueAt, timescaleProblems } from '../../src/front-door/timescale.ts';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-20T09:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

describe('front door clock', () => {
  const red = DEFAULT_TIMESCALES.red;
  const contact = (decidedAt: Date | null = null) => ({ receivedAt: T0, dueAt: dueAt(T0, red), decidedAt });

  it('runs from arrival: running, then a warning in the last hour, then breached; met or missed once decided', () => {
    expect(clockOf({ receivedAt: T0, dueAt: null, decidedAt: null }, null, at(1)).state).toBe('unrated');
    expect(clockOf(contact(), red, at(2)).state).toBe('running');
    expect(clockOf(contact(), red, at(3)).state).toBe('warning');
    expect(describeClock(clockOf(contact(), red, at(3.5)))).toBe('30 min left: due soon');
    expect(clockOf(contact(), red, at(4)).state).toBe('warning');
    const late = clockOf(contact(), red, at(5.25));
    expect(late.state).toBe('breached');
    expect(describeClock(late)).toBe('Overdue by 1 h 15 min');
    expect(clockOf(contact(at(3.9)), red, at(100)).state).toBe('met');
    expect(describeClock(clockOf(contact(at(30)), red, at(100)))).toBe('Decided 1 day 2 h late');
  });

  it('property: a decided clock never changes with the time it is looked at, and breached means past due', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.constantFrom('red', 'amber', 'green') as fc.Arbitrary<'red' | 'amber' | 'green'>, (decided, look, rating) => {
        const t = DEFAULT_TIMESCALES[rating];
        const c = { receivedAt: T0, dueAt: dueAt(T0, t), decidedAt: at(decided) };
        expect(clockOf(c, t, at(look))).toEqual(clockOf(c, t, at(look + 1000)));
        const open = clockOf({ ...c, decidedAt: null }, t, at(look));
        expect(open.state === 'breached').toBe(look > t.hours);
      }),
    );
  });

  it('checks a hub\'s timescales field by field', () => {
    expect(timescaleProblems({ red: { hours: 4, warnHours: 1 }, amber: { hours: 24, warnHours: 4 }, green: { hours: 72, warnHours: 12 } })).toEqual({});
    expect(timescaleProblems({ red: { hours: 0, warnHours: 0 }, amber: { hours: 24, warnHours: 24 }, green: { hours: 12, warnHours: 1.5 } })).toEqual({
      redHours: 'The red timescale must be a whole number of hours from 1 to 720',
      amberWarnHours: 'The amber warning must come before the end of its timescale (fewer than 24 hours)',
      greenWarnHours: 'The green warning must be a whole number of hours, 0 or more',
      greenHours: 'Green must not be shorter than amber',
    });
  });
});

describe('re-referrals', () => {
  const earlier = (id: string, subjectId: string, receivedAt: Date, outcome: string | null = 'early_help') => ({
    contactId: id,
    reference: id,
    subjectId,
    receivedAt,
    decidedAt: outcome ? new Date(receivedAt.getTime() + HOUR) : null,
    outcome,
  });

  it('finds the latest decided contact about any of the people in the twelve months before', () => {
    const now = new Date('2026-11-20T09:00:00Z');
    const found = findReReferral({ contactId: 'new', receivedAt: now, subjectIds: ['a', 'b'] }, [
      earlier('old', 'a', new Date('2025-11-19T09:00:00Z')),
      earlier('in', 'b', new Date('2026-03-01T09:00:00Z'), 'signpost'),
      earlier('later', 'a', new Date('2026-06-01T09:00:00Z'), 'nfa_advice'),
      earlier('undecided', 'a', new Date('2026-10-01T09:00:00Z'), null),
      earlier('other', 'c', new Date('2026-10-02T09:00:00Z')),
      earlier('new', 'a', now),
    ]);
    expect(found?.contactId).toBe('later');
    expect(findReReferral({ contactId: 'new', receivedAt: now, subjectIds: ['a'] }, [earlier('old', 'a', new Date('2025-11-19T09:00:00Z'))])).toBeNull();
    expect(findReReferral({ contactId: 'new', receivedAt: now, subjectIds: ['a'] }, [earlier('edge', 'a', new Date('2025-11-20T09:00:00Z'))])?.contactId).toBe('edge');
  });

  it('counts twelve calendar months back, a leap day falling back to 28 February', () => {
    expect(twelveMonthsBefore(new Date('2028-02-29T10:00:00Z')).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(twelveMonthsBefore(new Date('2026-11-20T09:00:00Z')).toISOString()).toBe('2025-11-20T09:00:00.000Z');
  });
});

describe('threshold decisions', () => {
  it('asks for the particulars each outcome needs, and an outcome that fits the level', () => {
    expect(decisionProblems({ level: 'universal', outcome: 'nfa_advice', rationale: 'No concerns once checks were made with health.' })).toEqual({ advice: 'Say what advice was given' });
    expect(decisionProblems({ level: 'universal', outcome: 'signpost', rationale: 'A parenting course would help the family.', serviceName: 'Parenting Together' })).toEqual({});
    expect(Object.keys(decisionProblems({ level: 'universal', outcome: 'strategy_discussion', rationale: 'x' }))).toEqual(['outcome', 'rationale']);
  });
  it('property: every level has outcomes, and only those fit it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LEVELS), fc.constantFrom(...OUTCOMES), (level, outcome) => {
        const p = decisionProblems({ level, outcome, rationale: 'A rationale long enough to count.', advice: 'a', serviceName: 's', leadProfessional: 'l' });
        expect('outcome' in p).toBe(!OUTCOMES_BY_LEVEL[level].includes(outcome));
      }),
    );
  });
});

describe('dashboard', () => {
  const c = (over: Partial<DashboardContact>): DashboardContact => ({
    id: 'x',
    reference: 'MASH-1',
    source: 'professional',
    receivedAt: T0,
    referrerOrganisation: 'Hollin Lane Primary School',
    categories: ['neglect'],
    rating: 'red',
    dueAt: at(4),
    decidedAt: at(3),
    level: 'early_help',
    outcome: 'early_help',
    reReferral: false,
    quality: 'good',
    ...over,
  });
  const labels = {
    categories: [{ code: 'neglect', label: 'Neglect' }, { code: 'domestic_abuse', label: 'Domestic abuse' }],
    ratings: [{ code: 'red', label: 'Red' }, { code: 'amber', label: 'Amber' }, { code: 'green', label: 'Green' }],
    outcomes: [{ code: 'early_help', label: 'Early help' }, { code: 'signpost', label: 'Signposted' }],
  };

  it('counts by source, category, rating, timeliness, outcome, re-referral and quality by agency', () => {
    const d = buildDashboard(
      [
        c({}),
        c({ id: 'y', source: 'police', referrerOrganisation: 'Northbridge Police', categories: ['domestic_abuse', 'neglect'], decidedAt: at(6), outcome: 'signpost', quality: 'poor', reReferral: true }),
        c({ id: 'z', source: 'public', referrerOrganisation: null, rating: null, dueAt: null, decidedAt: null, outcome: null, quality: null }),
        c({ id: 'w', rating: 'amber', dueAt: at(24), decidedAt: null, outcome: null, quality: null }),
      ],
      labels,
      DEFAULT_TIMESCALES,
      at(30),
    );
    const counts = (rows: Array<{ key: string; count: number }>) => Object.fromEntries(rows.map((r) => [r.key, r.count]));
    expect(d.total).toBe(4);
    expect(counts(d.bySource)).toEqual({ professional: 2, public: 1, police: 1 });
    expect(counts(d.byCategory)).toEqual({ neglect: 4, domestic_abuse: 1 });
    expect(counts(d.byRating)).toEqual({ red: 2, amber: 1, green: 0, unrated: 1 });
    expect(counts(d.timeliness)).toEqual({ met: 1, missed: 1, open: 0, breached: 1, unrated: 1 });
    expect(counts(d.byOutcome)).toEqual({ early_help: 1, signpost: 1, undecided: 2 });
    expect(counts(d.reReferrals)).toEqual({ 're-referral': 1, first: 3 });
    expect(d.quality).toEqual([
      { agency: 'Hollin Lane Primary School', good: 1, adequate: 0, poor: 0, total: 1 },
      { agency: 'Northbridge Police', good: 0, adequate: 0, poor: 1, total: 1 },
    ]);
  });

  it('exports CSV that a spreadsheet cannot run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('a,b')).toBe('"a,b"');
    const csv = dashboardCsv([c({ referrerOrganisation: '@evil' })], DEFAULT_TIMESCALES, at(30));
    const [head, row] = csv.trim().split('\r\n');
    expect(head).toBe('reference,received_at,source,referrer_organisation,categories,rating,due_at,decided_at,timeliness,level,outcome,re_referral,referral_quality');
    expect(row).toBe("MASH-1,2026-11-20T09:00:00.000Z,professional,'@evil,neglect,red,2026-11-20T13:00:00.000Z,2026-11-20T12:00:00.000Z,met,early_help,early_help,no,good");
  });
});
