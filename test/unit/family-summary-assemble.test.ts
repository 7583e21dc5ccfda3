import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleFamilySummary, filterChronology, itemVisibility, type AssemblyInput } from '../../src/family-summary/assemble.ts';
import { deriveStatuses } from '../../src/family-summary/statuses.ts';
import { familyTreeInput } from '../../src/family-summary/tree.ts';
import type { FamilyMember, RecordItem } from '../../src/family-summary/types.ts';
import { inWindow, summaryWindow } from '../../src/family-summary/window.ts';
import type { DataCategory } from '../../src/policy/access-policy.ts';
import type { SummaryAccess } from '../../src/policy/family-summary.ts';
import { renderTimeline } from '../../src/web/journeys/family-summary/timeline.ts';

const TODAY = '2026-11-22';
const w5 = summaryWindow('5', TODAY);

const member = (id: string, over: Partial<FamilyMember> = {}): FamilyMember => ({
  subjectId: id,
  givenNames: id.toUpperCase(),
  familyName: 'Test',
  dateOfBirth: '1990-01-01',
  dobPrecision: 'exact',
  sex: 'female',
  deceased: false,
  shielded: false,
  createdAt: new Date('2020-01-01T00:00:00Z'),
  relationToFocus: null,
  isFocus: false,
  ...over,
});
const item = (over: Partial<RecordItem> & Pick<RecordItem, 'key' | 'subjectId'>): RecordItem => ({
  source: 'feed',
  kind: 'event',
  organisationId: 'o-police',
  organisationName: 'Police',
  category: 'police',
  title: 'Event',
  description: null,
  startDate: '2025-01-01',
  endDate: null,
  ...over,
});
const access = (id: string, categories: Partial<Record<DataCategory, 'all' | Set<string>>>, over: Partial<SummaryAccess> = {}): SummaryAccess => ({
  subjectId: id,
  allow: true,
  basis: 'relationship',
  reason: 'r',
  identity: true,
  family: true,
  involvements: true,
  contacts: true,
  categories: new Map(Object.entries(categories) as Array<[DataCategory, 'all' | Set<string>]>),
  police: 'all',
  hiddenInvolvementIds: new Set(),
  withheld: (['education', 'health', 'social_care', 'police', 'youth_justice', 'housing', 'probation', 'voluntary'] as DataCategory[])
    .filter((c) => !(c in categories))
    .map((category) => ({ category, reason: `no ${category}` })),
  purposeWithheld: new Set(),
  involvementScope: 'all',
  ...over,
});
const input = (over: Partial<AssemblyInput>): AssemblyInput => ({ members: [], access: new Map(), items: [], marks: [], involvements: [], relations: [], householdJoins: [], window: w5, ...over });

describe('the summary window', () => {
  it('is five years to today by default, and takes in periods that overlap it', () => {
    expect(w5).toEqual({ choice: '5', from: '2021-11-22', to: TODAY });
    expect(summaryWindow('1', '2028-02-29').from).toBe('2027-02-28');
    expect(summaryWindow('all', TODAY).from).toBeNull();
    expect(inWindow({ startDate: '2019-01-01', endDate: null }, w5)).toBe(true);
    expect(inWindow({ startDate: '2019-01-01', endDate: '2021-11-21' }, w5)).toBe(false);
    expect(inWindow({ startDate: '2019-01-01', endDate: '2021-11-22' }, w5)).toBe(true);
    expect(inWindow({ startDate: '2026-11-23', endDate: null }, w5)).toBe(false);
  });
});

describe('key statuses', () => {
  it('are derived from records of the right category with the right words: current first, ended ones as recent', () => {
    const items = [
      item({ key: 'a', subjectId: 'c', category: 'social_care', kind: 'involvement', title: 'Child protection plan', startDate: '2026-05-01' }),
      item({ key: 'b', subjectId: 'c', category: 'social_care', kind: 'involvement', title: 'Section 17 support', description: 'Child in need', startDate: '2023-01-01', endDate: '2024-01-01' }),
      item({ key: 'c', subjectId: 'c', category: 'education', kind: 'involvement', title: 'EHCP issued', startDate: '2022-01-01' }),
      item({ key: 'd', subjectId: 'c', category: 'youth_justice', title: 'Referral order', startDate: '2025-03-01', endDate: '2026-03-01' }),
      item({ key: 'e', subjectId: 'c', category: 'police', title: 'Child protection plan mentioned', startDate: '2025-03-01' }),
      item({ key: 'f', subjectId: 'c', category: 'social_care', kind: 'contact', title: 'Looked after review', startDate: '2025-03-01' }),
      item({ key: 'g', subjectId: 'c', category: 'social_care', kind: 'involvement', title: 'Looked after (section 20)', startDate: '2010-01-01', endDate: '2012-01-01' }),
      item({ key: 'h', subjectId: 'm', source: 'involvement', kind: 'involvement', category: 'social_care', title: 'Key worker', earlyHelpAssessment: true, startDate: '2026-01-01' }),
    ];
    expect(deriveStatuses(items, w5).map((s) => [s.subjectId, s.code, s.current])).toEqual([
      ['c', 'child_protection_plan', true],
      ['c', 'child_in_need', false],
      ['c', 'ehcp', true],
      ['c', 'youth_justice_order', false],
      ['m', 'early_help', true],
    ]);
  });
});

describe('assembling the summary', () => {
  const members = [member('c', { isFocus: true, dateOfBirth: '2017-01-01' }), member('m', { relationToFocus: 'parent' }), member('p', { relationToFocus: 'lives with', sex: 'male' })];
  const items = [
    item({ key: 'e1', subjectId: 'p', title: 'Domestic abuse incident', startDate: '2025-05-01' }),
    item({ key: 'e2', subjectId: 'p', title: 'Anti-social behaviour', startDate: '2025-06-01' }),
    item({ key: 'e3', subjectId: 'p', title: 'Old arrest', startDate: '2015-06-01' }),
    item({ key: 'n1', subjectId: 'm', source: 'note', kind: 'note', organisationId: 'o-gp', organisationName: 'GP', category: 'health', title: 'Note: low mood', startDate: '2026-10-01' }),
    item({ key: 's1', subjectId: 'c', organisationId: 'o-sch', organisationName: 'School', category: 'education', title: 'Exclusion', startDate: '2026-02-01' }),
    item({ key: 'involvement:da', involvementId: 'da', subjectId: 'm', source: 'involvement', kind: 'involvement', organisationId: 'o-da', organisationName: 'DA outreach', category: 'voluntary', title: 'Key worker', startDate: '2026-09-01' }),
    item({ key: 'v1', subjectId: 'm', source: 'note', kind: 'note', organisationId: 'o-da', organisationName: 'DA outreach', category: 'voluntary', title: 'Risk: safety plan', startDate: '2026-09-02' }),
  ];
  const hubAccess = new Map([
    ['c', access('c', { education: 'all', social_care: 'all', police: 'all' }, { police: 'anti-social-behaviour' })],
    ['m', access('m', { education: 'all', social_care: 'all', police: 'all' }, { police: 'anti-social-behaviour', hiddenInvolvementIds: new Set(['da']) })],
    ['p', access('p', { education: 'all', social_care: 'all', police: 'all' }, { police: 'anti-social-behaviour' })],
  ]);

  it('shows what is open, names the agency holding the rest, never a hidden sensitive service', () => {
    const s = assembleFamilySummary(
      input({
        members,
        access: hubAccess,
        items,
        involvements: [
          {
            id: 'i-gp',
            subjectId: 'm',
            organisationId: 'o-gp',
            organisationName: 'GP',
            category: 'health',
            roleLabel: 'GP',
            serviceName: null,
            teamName: null,
            teamEmail: null,
            teamPhone: null,
            practitionerName: 'Dr A',
            practitionerEmail: 'a@gp.example',
            practitionerPhone: null,
            startDate: '2020-01-01',
            endDate: null,
          },
        ],
        newDays: 90,
      }),
    );
    expect(s.chronology.map((e) => e.key)).toEqual(['e2', 's1']);
    expect(s.heldBy.map((h) => [h.memberName, h.organisationName, h.categories, h.contacts.map((c) => c.name)])).toEqual([
      ['M Test', 'GP', ['health'], ['Dr A']],
      ['P Test', 'Police', ['police'], []],
    ]);
    expect(s.heldBy.find((h) => h.organisationName === 'Police')!.reason).toMatch(/anti-social behaviour/);
    expect(JSON.stringify(s)).not.toContain('DA outreach');
    expect(s.agencies.map((a) => [a.memberName, a.organisationName, a.events])).toEqual([
      ['C Test', 'School', 1],
      ['P Test', 'Police', 1],
    ]);
    expect(s.practitioners.map((p) => [p.name, p.email, p.current])).toEqual([['Dr A', 'a@gp.example', true]]);
  });

  it('surfaces the adults’ history around an unborn child or a new partner', () => {
    const unborn = member('u', { dobPrecision: 'expected', dateOfBirth: '2027-01-10', relationToFocus: 'unborn child of their parent' });
    const s = assembleFamilySummary(
      input({
        members: [...members, unborn],
        access: new Map([...hubAccess, ['u', access('u', {})]]),
        items,
        relations: [
          { subjectId: 'p', relatedSubjectId: 'm', type: 'partner', fromDate: '2026-10-20', ended: false },
          { subjectId: 'm', relatedSubjectId: 'p', type: 'partner', fromDate: '2026-10-20', ended: false },
        ],
        householdJoins: [
          { subjectId: 'p', fromDate: '2026-10-20' },
          { subjectId: 'm', fromDate: '2015-01-01' },
        ],
      }),
    );
    // The mother's partnership is new too, but she has lived there for years: only the one who moved in is the new partner.
    expect(s.newcomers!.people.map((n) => [n.subjectId, n.why])).toEqual([
      ['p', 'A new partner'],
      ['u', 'An unborn child'],
    ]);
    expect(s.newcomers!.adults.map((a) => [a.subjectId, a.isNew])).toEqual([
      ['p', true],
      ['m', false],
    ]);
    expect(s.newcomers!.adults[0]!.history.map((h) => h.title)).toEqual(['Anti-social behaviour']);
    expect(s.newcomers!.adults[0]!.heldBy.map((h) => h.organisationName)).toEqual(['Police']);
    // Nobody new: no such section.
    expect(assembleFamilySummary(input({ members, access: hubAccess, items })).newcomers).toBeNull();
  });

  it('marks: significant and analysis shown with the item, only where the category is open', () => {
    const s = assembleFamilySummary(
      input({
        members,
        access: hubAccess,
        items,
        marks: [
          { id: 'k1', subjectId: 'p', itemKey: 'e2', significant: true, entryDate: '2026-11-01', analysis: 'Escalating', organisationId: 'o-csc', organisationName: 'CSC', category: 'social_care', recordedByName: 'Sam', recordedAt: new Date() },
          { id: 'k2', subjectId: 'm', itemKey: null, significant: false, entryDate: '2026-11-01', analysis: 'GP view', organisationId: 'o-gp', organisationName: 'GP', category: 'health', recordedByName: 'Dr A', recordedAt: new Date() },
          { id: 'k3', subjectId: 'c', itemKey: null, significant: false, entryDate: '2026-11-02', analysis: 'School view', organisationId: 'o-sch', organisationName: 'School', category: 'education', recordedByName: 'Mark', recordedAt: new Date() },
          // A police officer's analysis on its own: free text, so a hub meeting (anti-social behaviour only) does not see it even when it names ASB.
          { id: 'k4', subjectId: 'p', itemKey: null, significant: false, entryDate: '2026-11-03', analysis: 'Not ASB: a pattern of domestic abuse', organisationId: 'o-police', organisationName: 'Police', category: 'police', recordedByName: 'PC B', recordedAt: new Date() },
        ],
      }),
    );
    expect(s.chronology.find((e) => e.key === 'e2')).toMatchObject({ significant: true, marks: [{ analysis: 'Escalating' }] });
    expect(s.analyses.map((a) => a.analysis)).toEqual(['School view']);
    expect(filterChronology(s.chronology, { significantOnly: true }).map((e) => e.key)).toEqual(['e2']);
  });

  it('property: the chronology shows only items whose category is open, within the window, and every filter keeps a subset', () => {
    const cats: DataCategory[] = ['education', 'health', 'social_care', 'police'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            subjectId: fc.constantFrom('c', 'm', 'p'),
            category: fc.constantFrom(...cats),
            organisationId: fc.constantFrom('o1', 'o2'),
            start: fc.integer({ min: 0, max: 4000 }),
          }),
          { maxLength: 40 },
        ),
        fc.subarray(cats),
        fc.subarray(['o1', 'o2']),
        (gen, open, agencies) => {
          const its = gen.map((g, i) => item({ key: `k${i}`, subjectId: g.subjectId, category: g.category, organisationId: g.organisationId, organisationName: g.organisationId, startDate: new Date(Date.parse(`${TODAY}T00:00:00Z`) - g.start * 86_400_000).toISOString().slice(0, 10) }));
          const acc = new Map(['c', 'm', 'p'].map((id) => [id, access(id, Object.fromEntries(open.map((c) => [c, 'all'])))]));
          const s = assembleFamilySummary(input({ members, access: acc, items: its }));
          for (const e of s.chronology) {
            expect(open).toContain(e.category);
            expect(inWindow(e, w5)).toBe(true);
          }
          const shown = its.filter((i) => open.includes(i.category) && inWindow(i, w5)).length;
          expect(s.chronology.length).toBe(shown);
          // Every withheld item is accounted for by a notice naming its holder.
          for (const i of its.filter((x) => !open.includes(x.category) && inWindow(x, w5))) {
            expect(s.heldBy.some((h) => h.subjectId === i.subjectId && h.organisationId === i.organisationId && h.categories.includes(i.category))).toBe(true);
          }
          const f = filterChronology(s.chronology, { organisationIds: agencies });
          expect(f.every((e) => agencies.length === 0 || agencies.includes(e.organisationId))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('family tree input and the timeline drawing', () => {
  it('draws each relationship once, links housemates, and escapes every text in the SVG', () => {
    const ms = [member('c', { isFocus: true }), member('m'), member('p', { givenNames: 'Pat <script>' })].map((m) => ({ ...m, name: `${m.givenNames} ${m.familyName}` }));
    const t = familyTreeInput(
      ms,
      [
        { subjectId: 'm', relatedSubjectId: 'c', type: 'parent', fromDate: null, ended: false },
        { subjectId: 'c', relatedSubjectId: 'm', type: 'child', fromDate: null, ended: false },
      ],
      [
        { subjectId: 'c', householdId: 'h' },
        { subjectId: 'm', householdId: 'h' },
        { subjectId: 'p', householdId: 'h' },
      ],
      () => undefined,
    );
    expect(t.relations.map((r) => `${r.from}>${r.to}:${r.type}`).sort()).toEqual(['c>p:household_member', 'm>c:parent', 'm>p:household_member']);
    const svg = renderTimeline({
      entries: [{ ...item({ key: 'x', subjectId: 'p', title: '<b>Fight</b> & "more"' }), memberName: 'Pat', significant: true, marks: [] }],
      lanes: ms.map((m) => ({ subjectId: m.subjectId, name: m.name })),
      from: '2021-11-22',
      to: TODAY,
      title: 'Timeline',
    });
    expect(svg).toContain('role="img"');
    expect(svg).toContain('&lt;b&gt;Fight&lt;/b&gt; &amp; &quot;more&quot;');
    expect(svg).toContain('Pat &lt;script&gt;');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('style=');
  });
});

describe('anti-social behaviour in a hub meeting', () => {
  const hub = access('p', { police: 'all' }, { police: 'anti-social-behaviour' });
  it('is judged by the record\'s type, not by words in its free text', () => {
    const none = new Set<string>();
    expect(itemVisibility(hub, item({ key: 'a', subjectId: 'p', title: 'ASB_INCIDENT', description: 'Youths at the precinct' }), none)).toBeNull();
    // A domestic incident whose notes mention anti-social behaviour stays withheld, with the reason.
    const da = item({ key: 'b', subjectId: 'p', title: 'Domestic incident', description: 'Caller also reported anti-social behaviour (ASB) by neighbours' });
    expect(itemVisibility(hub, da, none)).toMatch(/Only anti-social behaviour is shown of police records for a hub meeting/);
  });
});
