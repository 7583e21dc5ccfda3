import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataCategory } from '../../src/policy/access-policy.ts';
import {
  ageOn,
  assessDecision,
  capacityProblems,
  consentCoverage,
  type ConsentFact,
  type DecisionAnswers,
  type DecisionContext,
  type LegalBasisInfo,
} from '../../src/sharing/rules.ts';

const NOW = new Date('2026-11-22T10:00:00Z');
const TODAY = '2026-11-22';
const HOUSING = 'org-housing';
const POLICE = 'org-police';

const consent = (over: Partial<ConsentFact> = {}): ConsentFact => ({
  id: 'c1',
  decision: 'given',
  givenBy: 'person',
  purposes: ['early_help'],
  recipientOrganisationIds: [],
  recipientOrganisationTypes: ['housing'],
  anyRecipient: false,
  categories: ['identity', 'whereabouts', 'social_care'],
  exceptions: [],
  validFrom: '2026-01-01',
  validUntil: null,
  recordedAt: new Date('2026-01-01T09:00:00Z'),
  withdrawnAt: null,
  ...over,
});
const target = (over: Partial<{ purpose: string; organisationId: string | null; organisationType: string | null; categories: DataCategory[] }> = {}) => ({
  purpose: 'early_help',
  organisationId: HOUSING,
  organisationType: 'housing',
  categories: ['identity', 'social_care'] as DataCategory[],
  date: TODAY,
  ...over,
});

describe('consent coverage', () => {
  it('covers a share within its purpose, recipients and categories', () => {
    const c = consentCoverage([consent()], target(), NOW);
    expect(c).toMatchObject({ position: 'given', consentId: 'c1', covered: ['identity', 'social_care'], notCovered: [] });
  });

  it('does not cover another purpose, and says so', () => {
    const c = consentCoverage([consent()], target({ purpose: 'safeguarding_child' }), NOW);
    expect(c.position).toBe('none');
    expect(c.messages.join(' ')).toMatch(/early help and family support, not safeguarding a child: consent given for one purpose does not cover another/);
  });

  it('does not cover another recipient', () => {
    const c = consentCoverage([consent()], target({ organisationId: POLICE, organisationType: 'police' }), NOW);
    expect(c.position).toBe('none');
    expect(c.messages[0]).toMatch(/other recipients/);
  });

  it('covers only the categories consented to', () => {
    const c = consentCoverage([consent()], target({ categories: ['identity', 'health'] }), NOW);
    expect(c).toMatchObject({ position: 'given', covered: ['identity'], notCovered: ['health'] });
  });

  it('a later refusal or withdrawal ends consent; history order decides', () => {
    const refused = consent({ id: 'c2', decision: 'refused', recordedAt: new Date('2026-06-01T09:00:00Z') });
    expect(consentCoverage([consent(), refused], target(), NOW)).toMatchObject({ position: 'refused', consentId: 'c2' });
    const withdrawn = consent({ withdrawnAt: new Date('2026-05-01T09:00:00Z') });
    expect(consentCoverage([withdrawn], target(), NOW)).toMatchObject({ position: 'withdrawn', consentId: 'c1' });
    // A consent given after a refusal is in force.
    const again = consent({ id: 'c3', recordedAt: new Date('2026-07-01T09:00:00Z') });
    expect(consentCoverage([refused, again], target(), NOW)).toMatchObject({ position: 'given', consentId: 'c3' });
  });

  it('an expired or future consent does not cover today', () => {
    expect(consentCoverage([consent({ validUntil: '2026-10-01' })], target(), NOW).position).toBe('none');
    expect(consentCoverage([consent({ validFrom: '2027-01-01' })], target(), NOW).position).toBe('none');
  });

  it('a nested deny provision carves out a recipient and category; a permit adds one back', () => {
    const c = consent({
      anyRecipient: true,
      recipientOrganisationTypes: [],
      exceptions: [{ type: 'deny', purposes: [], organisationIds: [POLICE], organisationTypes: [], categories: ['social_care'] }],
    });
    expect(consentCoverage([c], target({ organisationId: POLICE, organisationType: 'police' }), NOW)).toMatchObject({ covered: ['identity'], notCovered: ['social_care'] });
    expect(consentCoverage([c], target(), NOW)).toMatchObject({ covered: ['identity', 'social_care'] });
    const permit = consent({ categories: ['identity'], exceptions: [{ type: 'permit', purposes: ['early_help'], organisationIds: [], organisationTypes: [], categories: ['health'] }] });
    expect(consentCoverage([permit], target({ categories: ['identity', 'health'] }), NOW)).toMatchObject({ covered: ['identity', 'health'] });
  });

  it('property: consent never covers a purpose it does not name', () => {
    const purposes = ['early_help', 'safeguarding_child', 'housing_support', 'staff_safety'];
    fc.assert(
      fc.property(fc.subarray(purposes, { minLength: 1 }), fc.constantFrom(...purposes), (given, asked) => {
        const c = consentCoverage([consent({ purposes: given, anyRecipient: true })], target({ purpose: asked }), NOW);
        if (!given.includes(asked)) expect(c.position).toBe('none');
        else expect(c.position).toBe('given');
      }),
    );
  });
});

describe('capacity to consent', () => {
  const input = (over: Partial<Parameters<typeof capacityProblems>[0]> = {}) => ({
    givenBy: 'person' as const,
    capacityAssessment: 'presumed' as const,
    capacityOutcome: 'capable' as const,
    ...over,
  });
  it('presumes capacity from 16 and needs a Gillick assessment under 16', () => {
    expect(capacityProblems(input(), 17)).toEqual({});
    expect(capacityProblems(input(), 14)).toHaveProperty('capacityAssessment');
    expect(capacityProblems(input({ capacityAssessment: 'gillick', capacityReasoning: 'Understood the purpose and the consequences well' }), 14)).toEqual({});
    expect(capacityProblems(input({ capacityAssessment: 'gillick', capacityOutcome: 'not_capable', capacityReasoning: 'Could not weigh up the consequences of sharing' }), 14)).toHaveProperty('givenBy');
  });
  it('an adult found to lack capacity cannot consent; a lawful representative needs that assessment', () => {
    const lacks = { capacityAssessment: 'mental_capacity' as const, capacityOutcome: 'not_capable' as const, capacityReasoning: 'Could not retain the information for long enough' };
    expect(capacityProblems(input(lacks), 40)).toHaveProperty('givenBy');
    expect(capacityProblems(input({ ...lacks, givenBy: 'lawful_representative', givenByName: 'A. Deputy' }), 40)).toEqual({});
    expect(capacityProblems(input({ givenBy: 'lawful_representative', givenByName: 'A. Deputy' }), 40)).toHaveProperty('capacityAssessment');
  });
  it('parental responsibility ends at 18; an unborn child needs the expectant parent', () => {
    expect(capacityProblems(input({ givenBy: 'parental_responsibility', givenByName: 'Parent' }), 19)).toHaveProperty('givenBy');
    expect(capacityProblems(input({ givenBy: 'parental_responsibility', givenByName: 'Parent' }), 5)).toEqual({});
    expect(capacityProblems(input(), -1)).toHaveProperty('givenBy');
  });
  it('works out ages on birthdays and for expected dates', () => {
    expect(ageOn('2010-11-22', 'exact', TODAY)).toBe(16);
    expect(ageOn('2010-11-23', 'exact', TODAY)).toBe(15);
    expect(ageOn('2027-02-01', 'expected', TODAY)).toBe(-1);
    expect(ageOn(null, 'unknown', TODAY)).toBeNull();
  });
});

describe('the guided decision', () => {
  const bases = new Map<string, LegalBasisInfo>(
    (
      [
        ['gdpr_6_1_a', 'gdpr_article_6', true],
        ['gdpr_6_1_e', 'gdpr_article_6', false],
        ['gdpr_9_2_g', 'gdpr_article_9', false],
        ['dpa_sch1_p18_offence', 'criminal_offence', false],
        ['ca1989_s47', 'statute', false],
      ] as const
    ).map(([code, kind, consentBasis]) => [code, { code, kind, label: code, consent: consentBasis }]),
  );
  const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
    coverage: { position: 'none', consentId: null, covered: [], notCovered: ['identity'], messages: [] },
    legalBases: bases,
    agreement: { status: 'covered', agreementId: 'a1', message: 'Covered' },
    ...over,
  });
  const answers = (over: Partial<DecisionAnswers> = {}): DecisionAnswers => ({
    purpose: 'safeguarding_child',
    purposeDetail: 'Protect the child from neglect at home',
    identifies: true,
    confidential: true,
    consentPosition: 'not_sought',
    notSeekingReason: 'unsafe',
    notSeekingDetail: 'Telling the parent first would put the child at risk',
    riskChild: true,
    riskAdult: false,
    publicInterest: false,
    riskDetail: 'Child left alone for days without food',
    legalBases: ['gdpr_6_1_e', 'ca1989_s47'],
    categories: ['identity', 'social_care'],
    minimumNecessary: 'Only the welfare concern and the address',
    personTold: 'will_tell',
    outcome: 'share',
    reasons: 'Risk of significant harm to the child',
    emergency: false,
    routine: false,
    hasRecipient: true,
    itemCount: 2,
    ...over,
  });

  it('a complete share without consent is lawful and needs a manager', () => {
    expect(assessDecision(answers(), ctx())).toMatchObject({ errors: {}, withConsent: false, approvalRequired: true });
  });

  it('confidential information without consent and without risk or public interest cannot be shared', () => {
    const r = assessDecision(answers({ riskChild: false, riskDetail: undefined }), ctx());
    expect(r.errors.risk).toMatch(/If there is none, the decision is not to share/);
  });

  it('asks for an article 9 condition for health and a schedule 1 condition for police data', () => {
    expect(assessDecision(answers({ categories: ['identity', 'health'] }), ctx()).errors.legalBases).toMatch(/article 9/);
    expect(assessDecision(answers({ categories: ['identity', 'police'] }), ctx()).errors.legalBases).toMatch(/schedule 1/);
    expect(assessDecision(answers({ categories: ['identity', 'police'], legalBases: ['gdpr_6_1_e', 'dpa_sch1_p18_offence'] }), ctx()).errors).toEqual({});
  });

  it('will not let consent be the legal basis when there is none', () => {
    expect(assessDecision(answers({ legalBases: ['gdpr_6_1_a'] }), ctx()).errors.legalBases).toMatch(/cannot rely on consent/);
  });

  it('checks a claim of consent against the records', () => {
    const r = assessDecision(answers({ consentPosition: 'given' }), ctx({ coverage: { position: 'none', consentId: null, covered: [], notCovered: [], messages: ['Consent recorded on 2026-01-01 is for early help, not safeguarding'] } }));
    expect(r.errors.consentPosition).toMatch(/not safeguarding/);
    const covered = ctx({ coverage: { position: 'given', consentId: 'c1', covered: ['identity', 'social_care'], notCovered: [], messages: [] } });
    expect(assessDecision(answers({ consentPosition: 'given', legalBases: ['gdpr_6_1_a'] }), covered)).toMatchObject({ errors: {}, withConsent: true, approvalRequired: false });
  });

  it('records an override when sharing against a refusal', () => {
    const refused = ctx({ coverage: { position: 'refused', consentId: 'c1', covered: [], notCovered: ['identity'], messages: [] } });
    expect(assessDecision(answers({ consentPosition: 'refused' }), refused)).toMatchObject({ errors: {}, override: true, approvalRequired: true });
  });

  it('a decision not to share needs only its reasons', () => {
    const r = assessDecision(answers({ outcome: 'not_share', riskChild: false, legalBases: [], itemCount: 0, hasRecipient: false }), ctx());
    expect(r).toMatchObject({ errors: {}, shares: false, approvalRequired: false });
  });

  it('a decision not to share despite a recorded risk of harm is flagged and needs a manager\'s sign-off (LSCB case 5)', () => {
    const r = assessDecision(answers({ outcome: 'not_share', consentPosition: 'refused', legalBases: [], itemCount: 0, reasons: 'It is the mother\'s decision' }), ctx());
    expect(r).toMatchObject({ errors: {}, shares: false, approvalRequired: true });
    expect(r.flags[0]).toMatch(/risk of significant harm to a child is recorded but the decision is not to share: a manager must sign this off/);
    expect(assessDecision(answers({ outcome: 'not_share', riskChild: false, riskAdult: true }), ctx()).flags[0]).toMatch(/serious harm to an adult/);
    expect(assessDecision(answers({ outcome: 'not_share', riskDetail: undefined }), ctx()).errors.riskDetail).toBeDefined();
  });

  it('a share from a record always identifies the person: answering "identifies nobody" cannot skip consent, legal basis and approval', () => {
    const r = assessDecision(answers({ identifies: false, legalBases: [], consentPosition: 'not_needed' }), ctx());
    expect(r.errors.identifies).toMatch(/identifies them/);
  });

  it('an emergency needs a risk of harm; no agreement needs a one-off justification', () => {
    expect(assessDecision(answers({ emergency: true, riskChild: false, publicInterest: true }), ctx()).errors.emergency).toBeDefined();
    expect(assessDecision(answers(), ctx({ agreement: { status: 'no_agreement', agreementId: null, message: '' } })).errors.oneOffJustification).toBeDefined();
    expect(assessDecision(answers({ routine: true }), ctx({ agreement: { status: 'not_covered', agreementId: 'a1', message: 'purpose' } })).flags[0]).toMatch(/Routine share outside/);
  });

  it('property: every share without covering consent needs approval; nothing shared lacks a recipient or items', () => {
    fc.assert(
      fc.property(
        fc.record({
          consentPosition: fc.constantFrom('given', 'refused', 'withdrawn', 'not_sought', 'not_needed') as fc.Arbitrary<DecisionAnswers['consentPosition']>,
          outcome: fc.constantFrom('share', 'share_in_part', 'not_share') as fc.Arbitrary<DecisionAnswers['outcome']>,
          confidential: fc.boolean(),
          hasRecipient: fc.boolean(),
          itemCount: fc.nat({ max: 3 }),
          covered: fc.boolean(),
        }),
        (a) => {
          const coverage = a.covered ? { position: 'given' as const, consentId: 'c1', covered: ['identity', 'social_care'] as DataCategory[], notCovered: [], messages: [] } : ctx().coverage;
          const r = assessDecision(answers({ ...a, withheld: 'The history of the case, not needed' }), ctx({ coverage }));
          if (Object.keys(r.errors).length > 0) return;
          if (r.shares) {
            expect(a.hasRecipient && a.itemCount > 0).toBe(true);
            expect(r.approvalRequired).toBe(!r.withConsent);
            if (r.withConsent) expect(a.covered && a.consentPosition === 'given').toBe(true);
          }
        },
      ),
    );
  });
});
