import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanAnswers, completionProblems, domainSummary, mergePage, type AssessmentContent } from '../../src/early-help/assessment.ts';
import { DOMAINS, ELEMENTS } from '../../src/early-help/domains.ts';
import { agendaProblem, indicatorTrend, lateContribution, legalBasisProblems, nextMeetingDate } from '../../src/early-help/meetings.ts';
import { addDays, dueForReminder, isOverdue, nextReviewDue, overdueActions, progressAgainstPlan, reviewState, type PlanAction } from '../../src/early-help/plan.ts';

const TODAY = '2026-11-22';
const action = (over: Partial<PlanAction>): PlanAction => ({ id: 'a', description: 'x', ownerId: 'u', dueOn: TODAY, status: 'not_started', ...over });

describe('plan rules', () => {
  it('an action is overdue only when open and past its date (due today is not yet overdue)', () => {
    expect(isOverdue(action({ dueOn: '2026-11-21' }), TODAY)).toBe(true);
    expect(isOverdue(action({ dueOn: TODAY }), TODAY)).toBe(false);
    expect(isOverdue(action({ dueOn: '2026-11-01', status: 'done' }), TODAY)).toBe(false);
    expect(isOverdue(action({ dueOn: '2026-11-01', status: 'dropped' }), TODAY)).toBe(false);
    expect(isOverdue(action({ dueOn: '2026-11-01', status: 'in_progress' }), TODAY)).toBe(true);
  });

  it('lists overdue actions oldest first', () => {
    const list = [action({ id: 'b', dueOn: '2026-11-20' }), action({ id: 'a', dueOn: '2026-10-01' }), action({ id: 'c', dueOn: '2026-12-01' })];
    expect(overdueActions(list, TODAY).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('sets the next review the interval on, across months and years, and refuses silly intervals', () => {
    expect(nextReviewDue('2026-11-22', 42)).toBe('2027-01-03');
    expect(nextReviewDue('2028-02-01', 28)).toBe('2028-02-29');
    expect(() => nextReviewDue(TODAY, 3)).toThrow(RangeError);
    expect(() => nextReviewDue(TODAY, 400)).toThrow(RangeError);
    expect(reviewState('2026-11-20', TODAY)).toEqual({ days: -2, overdue: true, dueSoon: false });
    expect(reviewState('2026-11-25', TODAY)).toEqual({ days: 3, overdue: false, dueSoon: true });
  });

  it('adding days and comparing dates agree (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20000 }), fc.integer({ min: -400, max: 400 }), (offset, n) => {
        const d = addDays('2000-01-01', offset);
        const e = addDays(d, n);
        expect(addDays(e, -n)).toBe(d);
        expect(e > d).toBe(n > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('compares progress with the plan at a review', () => {
    const p = progressAgainstPlan(
      [action({ id: 'done-late', status: 'done', dueOn: '2026-11-01', completedOn: '2026-11-05' }), action({ id: 'late', dueOn: '2026-11-12' }), action({ id: 'ok', dueOn: '2026-12-12' }), action({ id: 'drop', status: 'dropped' })],
      TODAY,
    );
    expect(p).toMatchObject({ done: 1, overdue: 1, onTrack: 1, dropped: 1, total: 4 });
    expect(p.rows.find((r) => r.id === 'late')!.lateBy).toBe(10);
    expect(p.rows.find((r) => r.id === 'done-late')!.doneLate).toBe(true);
  });

  it('reminds an overdue action on its first overdue day and then weekly', () => {
    const base = { ...action({ dueOn: '2026-11-01' }), lastRemindedOn: null as string | null };
    expect(dueForReminder([base], TODAY)).toHaveLength(1);
    expect(dueForReminder([{ ...base, lastRemindedOn: '2026-11-20' }], TODAY)).toHaveLength(0);
    expect(dueForReminder([{ ...base, lastRemindedOn: '2026-11-15' }], TODAY)).toHaveLength(1);
    expect(dueForReminder([{ ...base, status: 'done' }], TODAY)).toHaveLength(0);
  });
});

describe('the assessment', () => {
  const empty: AssessmentContent = { answers: {}, childWords: null, familyWords: null, assessmentConsent: null, assessmentConsentId: null, shareConsent: null, sharingConsentId: null };

  it('has the three CAF domains with their elements', () => {
    expect(DOMAINS.map((d) => d.code)).toEqual(['development', 'parenting', 'family']);
    expect(ELEMENTS.filter((e) => e.domain === 'parenting').map((e) => e.code)).toEqual(['basic_care', 'emotional_warmth', 'guidance_boundaries']);
  });

  it('names every part still missing, by page', () => {
    expect(completionProblems(empty).map((p) => `${p.page}.${p.field}`)).toEqual([
      'consent.assessmentConsent',
      'consent.shareConsent',
      'development.health-strengths',
      'parenting.basic_care-strengths',
      'family.family_history-strengths',
      'words.childWords',
      'words.familyWords',
    ]);
    const whole: AssessmentContent = {
      answers: { health: { strengths: 'well', needs: '' }, basic_care: { strengths: '', needs: 'help' }, wider_family: { strengths: 'nan', needs: '' } },
      childWords: 'ok',
      familyWords: 'ok',
      assessmentConsent: 'given',
      assessmentConsentId: '0192f0c4-0000-7000-8000-000000000001',
      shareConsent: 'refused',
      sharingConsentId: null,
    };
    expect(completionProblems(whole)).toEqual([]);
    expect(completionProblems({ ...whole, assessmentConsent: 'refused' })[0]!.message).toMatch(/refused/);
    expect(completionProblems({ ...whole, shareConsent: 'given' }).map((p) => p.field)).toEqual(['shareConsent']);
    // Consent to the assessment counts only once it is a consent record (made through the consent service).
    expect(completionProblems({ ...whole, assessmentConsentId: null }).map((p) => p.field)).toEqual(['assessmentConsent']);
  });

  it('saving one page keeps the other pages and drops blank elements', () => {
    const before = { health: { strengths: 'a', needs: '' }, basic_care: { strengths: 'b', needs: '' } };
    const after = mergePage(before, 'development', { health: { strengths: '  ', needs: '' }, learning: { strengths: ' reads well ', needs: '' } });
    expect(after).toEqual({ basic_care: { strengths: 'b', needs: '' }, learning: { strengths: 'reads well', needs: '' } });
    expect(domainSummary(after).map((d) => [d.domain, d.strengths, d.needs])).toEqual([['development', 1, 0], ['parenting', 1, 0], ['family', 0, 0]]);
  });

  it('reads back only known elements from storage', () => {
    expect(cleanAnswers({ health: { strengths: 'x' }, bogus: { strengths: 'y', needs: 'z' } })).toEqual({ health: { strengths: 'x', needs: '' } });
    expect(cleanAnswers(null)).toEqual({});
  });
});

describe('meetings', () => {
  const bases = [
    { code: 'gdpr_6_1_e', kind: 'gdpr_article_6', consent: false },
    { code: 'ca1989_s17', kind: 'statute', consent: false },
  ];
  it('needs a known legal basis including an article 6 basis', () => {
    expect(legalBasisProblems([], bases)).toMatch(/Choose the legal basis/);
    expect(legalBasisProblems(['ca1989_s17'], bases)).toMatch(/article 6/);
    expect(legalBasisProblems(['nope'], bases)).toMatch(/nope/);
    expect(legalBasisProblems(['gdpr_6_1_e', 'ca1989_s17'], bases)).toBeNull();
    expect(legalBasisProblems(['gdpr_6_1_e', 'gdpr_6_1_a'], [...bases, { code: 'gdpr_6_1_a', kind: 'gdpr_article_6', consent: true }])).toMatch(/other than consent/);
  });
  it('has a locality hub every two weeks and no cases at an area meeting', () => {
    expect(nextMeetingDate('locality_hub', '2026-11-22')).toBe('2026-12-06');
    expect(agendaProblem('area')).toMatch(/does not discuss individual cases/);
    expect(agendaProblem('marac')).toBeNull();
  });
  it('takes contributions before the meeting (and on the day), never after it is held or its date has passed', () => {
    expect(lateContribution({ status: 'scheduled', heldOn: '2026-11-23' }, '2026-11-22')).toBeNull();
    expect(lateContribution({ status: 'scheduled', heldOn: '2026-11-22' }, '2026-11-22')).toBeNull();
    expect(lateContribution({ status: 'scheduled', heldOn: '2026-11-21' }, '2026-11-22')).toMatch(/was on 2026-11-21: contributions are prepared beforehand/);
    expect(lateContribution({ status: 'held', heldOn: '2026-11-22' }, '2026-11-22')).toMatch(/has been held/);
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), fc.constantFrom('scheduled', 'held'), (offset, status) => {
        const late = lateContribution({ status, heldOn: addDays('2026-11-22', offset) }, '2026-11-22');
        expect(late === null).toBe(status === 'scheduled' && offset >= 0);
      }),
    );
  });
  it('orders indicator points by period and says whether the latest moved the right way', () => {
    expect(indicatorTrend([{ periodEnd: '2026-06-30', value: 5 }, { periodEnd: '2026-03-31', value: 8 }], false)).toEqual({
      ordered: [{ periodEnd: '2026-03-31', value: 8 }, { periodEnd: '2026-06-30', value: 5 }],
      direction: 'better',
    });
    expect(indicatorTrend([{ periodEnd: '2026-03-31', value: 8 }], true).direction).toBeNull();
  });
});
