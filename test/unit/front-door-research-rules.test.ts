import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { researchByAgency, type DashboardResearch } from '../../src/front-door/dashboard.ts';
import { DECLINE_CONSIDERATIONS, declineProblems, enquiryBasisProblem, suggestedEnquiryBases } from '../../src/front-door/research-rules.ts';
import type { DataCategory } from '../../src/policy/access-policy.ts';
import { assessDecision, legalBasesProblem, type LegalBasisInfo } from '../../src/sharing/rules.ts';

const B = (code: string, kind: LegalBasisInfo['kind'], consent = false): [string, LegalBasisInfo] => [code, { code, kind, label: code, consent }];
const KNOWN = new Map<string, LegalBasisInfo>([
  B('gdpr_6_1_a', 'gdpr_article_6', true),
  B('gdpr_6_1_e', 'gdpr_article_6'),
  B('gdpr_9_2_a', 'gdpr_article_9', true),
  B('gdpr_9_2_g', 'gdpr_article_9'),
  B('gdpr_9_2_h', 'gdpr_article_9'),
  B('dpa_sch1_p18_offence', 'criminal_offence'),
  B('ca1989_s17', 'statute'),
  B('ca1989_s47', 'statute'),
  B('ca2004_s11', 'statute'),
]);

describe("the hub's legal basis for an enquiry", () => {
  it('needs a choice and an article 6 basis', () => {
    expect(enquiryBasisProblem([], [], KNOWN, false)).toBe('Choose the legal basis for the enquiry: at least one UK GDPR article 6 basis');
    expect(enquiryBasisProblem(['ca1989_s47'], [], KNOWN, false)).toBe('Choose a UK GDPR article 6 basis for sharing personal data');
    expect(enquiryBasisProblem(['gdpr_6_1_e', 'nope'], [], KNOWN, false)).toBe('Unknown legal basis: nope');
    expect(enquiryBasisProblem(['gdpr_6_1_e', 'ca1989_s47'], [], KNOWN, false)).toBeNull();
  });

  it('needs an article 9 condition to ask health, and a schedule 1 condition to ask police, probation or youth justice', () => {
    expect(enquiryBasisProblem(['gdpr_6_1_e'], ['health'], KNOWN, false)).toContain('article 9 condition');
    expect(enquiryBasisProblem(['gdpr_6_1_e', 'gdpr_9_2_g'], ['health'], KNOWN, false)).toBeNull();
    for (const c of ['police', 'probation', 'youth_justice'] as DataCategory[]) expect(enquiryBasisProblem(['gdpr_6_1_e', 'gdpr_9_2_g'], [c], KNOWN, false)).toContain('schedule 1 condition');
    expect(enquiryBasisProblem(['gdpr_6_1_e', 'dpa_sch1_p18_offence'], ['police', 'education'], KNOWN, false)).toBeNull();
  });

  it('relies on consent only when the family agreed', () => {
    expect(enquiryBasisProblem(['gdpr_6_1_a'], [], KNOWN, false)).toContain('You cannot rely on consent');
    expect(enquiryBasisProblem(['gdpr_6_1_a'], [], KNOWN, true)).toBeNull();
  });

  it('property: the same rule as a sharing decision without consent (no duplicate logic)', () => {
    const codes = [...KNOWN.keys(), 'unknown_code'];
    const categories: DataCategory[] = ['identity', 'health', 'police', 'probation', 'education', 'social_care'];
    fc.assert(
      fc.property(fc.subarray(codes, { minLength: 1 }), fc.subarray(categories), (chosen, cats) => {
        const share = assessDecision(
          {
            purpose: 'mash_enquiry', purposeDetail: 'A MASH enquiry about a child', identifies: true, confidential: false, consentPosition: 'not_needed',
            riskChild: false, riskAdult: false, publicInterest: false, legalBases: chosen, categories: cats, minimumNecessary: 'Only what the hub asked for',
            personTold: 'told', outcome: 'share', reasons: 'To protect the child', emergency: false, routine: false, hasRecipient: true, itemCount: 1,
          },
          { coverage: { position: 'none', consentId: null, covered: [], notCovered: [], messages: [] }, legalBases: KNOWN, agreement: null },
        );
        expect(enquiryBasisProblem(chosen, cats, KNOWN, false)).toBe(share.errors.legalBases ?? null);
        expect(legalBasesProblem(chosen, cats, KNOWN, false)).toBe(share.errors.legalBases ?? null);
      }),
    );
  });

  it('suggests public task with section 47 (section 17 when green), and the conditions the concerns point to', () => {
    expect(suggestedEnquiryBases(['neglect'], 'red')).toEqual(['gdpr_6_1_e', 'ca1989_s47', 'ca2004_s11']);
    expect(suggestedEnquiryBases(['neglect'], 'green')).toContain('ca1989_s17');
    expect(suggestedEnquiryBases(['parental_mental_health'], 'amber')).toEqual(expect.arrayContaining(['gdpr_9_2_g', 'gdpr_9_2_h']));
    expect(suggestedEnquiryBases(['domestic_abuse'], 'amber')).toContain('dpa_sch1_p18_offence');
    // Every suggestion passes the rule for what its concerns point to.
    expect(enquiryBasisProblem(suggestedEnquiryBases(['parental_mental_health', 'domestic_abuse'], 'red'), ['health', 'police'], KNOWN, false)).toBeNull();
  });
});

describe("an agency's decision not to share", () => {
  const today = '2026-11-22';
  it('needs the legal consideration and a reason; the date to ask again is real and in the future', () => {
    expect(declineProblems({ consideration: undefined, reason: undefined }, today)).toEqual({
      consideration: 'Choose the legal consideration that stops you sharing',
      reason: 'Say why your agency will not share what it holds, in at least 20 characters',
    });
    expect(declineProblems({ consideration: 'because', reason: 'A live police investigation would be prejudiced' }, today)).toEqual({ consideration: 'Choose the legal consideration that stops you sharing' });
    expect(declineProblems({ consideration: 'other', reason: 'Something else applies here, honestly' }, today)).toEqual({ reason: 'Describe the legal consideration, in at least 40 characters' });
    const ok = { consideration: 'prejudice_investigation', reason: 'A live police investigation would be prejudiced' };
    expect(declineProblems(ok, today)).toEqual({});
    expect(declineProblems({ ...ok, askAgainOn: '' }, today)).toEqual({});
    expect(declineProblems({ ...ok, askAgainOn: '2027-02-30' }, today)).toEqual({ askAgainOn: 'Enter the date to ask again as a real date, for example 2027-03-01' });
    expect(declineProblems({ ...ok, askAgainOn: today }, today)).toEqual({ askAgainOn: 'The date to ask again must be in the future' });
    expect(declineProblems({ ...ok, askAgainOn: '2026-12-01', askInstead: 'DS Rana' }, today)).toEqual({});
    for (const c of DECLINE_CONSIDERATIONS) expect(declineProblems({ consideration: c, reason: 'x'.repeat(40) }, today)).toEqual({});
  });
});

describe('research by agency on the dashboard', () => {
  it('counts answered, declined and open for each agency, most declines first', () => {
    const rows: DashboardResearch[] = [
      { agency: 'Health', status: 'answered' },
      { agency: 'Police', status: 'declined' },
      { agency: 'Police', status: 'open' },
      { agency: 'Health', status: 'answered' },
      { agency: 'Housing', status: 'open' },
    ];
    expect(researchByAgency(rows)).toEqual([
      { agency: 'Police', asked: 2, answered: 0, declined: 1, open: 1 },
      { agency: 'Health', asked: 2, answered: 2, declined: 0, open: 0 },
      { agency: 'Housing', asked: 1, answered: 0, declined: 0, open: 1 },
    ]);
  });

  it('property: every request is counted once, under its agency', () => {
    const row = fc.record({ agency: fc.constantFrom('A', 'B', 'C'), status: fc.constantFrom('open', 'answered', 'declined') as fc.Arbitrary<DashboardResearch['status']> });
    fc.assert(
      fc.property(fc.array(row), (rows) => {
        const out = researchByAgency(rows);
        expect(out.reduce((n, r) => n + r.asked, 0)).toBe(rows.length);
        for (const r of out) expect(r.answered + r.declined + r.open).toBe(r.asked);
        expect(out.reduce((n, r) => n + r.declined, 0)).toBe(rows.filter((r) => r.status === 'declined').length);
      }),
    );
  });
});
