import { describe, expect, it } from 'vitest';
import { agreementCoverage, type AgreementFact } from '../../src/sharing/rules.ts';

const CSC = 'org-csc';
const POLICE = 'org-police';
const NHS = 'org-nhs';
const SCHOOL = 'org-school';

function agreement(over: Partial<AgreementFact> = {}): AgreementFact {
  return {
    id: 'a-1',
    reference: 'ISA-1',
    status: 'active',
    partyOrganisationIds: [CSC, POLICE, NHS],
    purposes: ['safeguarding_child', 'mash_enquiry'],
    categories: ['identity', 'whereabouts', 'social_care', 'police'],
    startDate: '2025-01-01',
    endDate: '2026-12-31',
    ...over,
  };
}

const share = (over: Partial<Parameters<typeof agreementCoverage>[1]> = {}) => ({
  fromOrganisationId: CSC,
  toOrganisationId: POLICE,
  purpose: 'safeguarding_child',
  categories: ['identity', 'police'],
  date: '2026-03-01',
  ...over,
});

describe('agreementCoverage: does an information sharing agreement cover a share?', () => {
  it('covers a share between parties for its purpose and categories while it is active and in date', () => {
    expect(agreementCoverage([agreement()], share())).toEqual({ status: 'covered', agreementId: 'a-1', message: 'Covered by agreement ISA-1' });
    // Either direction, and on its first and last days.
    expect(agreementCoverage([agreement()], share({ fromOrganisationId: POLICE, toOrganisationId: CSC, date: '2025-01-01' })).status).toBe('covered');
    expect(agreementCoverage([agreement()], share({ date: '2026-12-31' })).status).toBe('covered');
    expect(agreementCoverage([agreement({ endDate: null })], share({ date: '2040-01-01' })).status).toBe('covered');
  });

  it('says there is no agreement when the two organisations share none', () => {
    const r = agreementCoverage([agreement()], share({ toOrganisationId: SCHOOL }));
    expect(r).toEqual({ status: 'no_agreement', agreementId: null, message: expect.stringContaining('justify this as a one-off share') });
    expect(agreementCoverage([], share()).status).toBe('no_agreement');
    // Both must be parties: an agreement one of them has with someone else does not count.
    expect(agreementCoverage([agreement({ partyOrganisationIds: [CSC, NHS] })], share()).status).toBe('no_agreement');
  });

  it('ignores a draft: it covers nothing and does not count as an agreement', () => {
    expect(agreementCoverage([agreement({ status: 'draft' })], share())).toMatchObject({ status: 'no_agreement', agreementId: null });
    // A draft that would cover it, beside an active one that does not: not covered, and the message is about the active one.
    const r = agreementCoverage(
      [agreement({ id: 'draft', reference: 'ISA-D', status: 'draft', purposes: ['early_help'] }), agreement({ id: 'a-2', reference: 'ISA-2', purposes: ['safeguarding_child'], categories: ['identity'] })],
      share({ purpose: 'early_help', categories: ['identity'] }),
    );
    expect(r).toEqual({ status: 'not_covered', agreementId: 'a-2', message: 'Not covered by an active agreement: agreement ISA-2 does not cover early help and family support' });
  });

  it('does not cover a share after the agreement ended, or before it started, and says which', () => {
    expect(agreementCoverage([agreement()], share({ date: '2027-01-01' }))).toEqual({
      status: 'not_covered',
      agreementId: 'a-1',
      message: 'Not covered by an active agreement: agreement ISA-1 ended on 2026-12-31',
    });
    expect(agreementCoverage([agreement()], share({ date: '2024-12-31' })).message).toBe('Not covered by an active agreement: agreement ISA-1 starts on 2025-01-01');
  });

  it('does not cover a share under a suspended or ended agreement', () => {
    expect(agreementCoverage([agreement({ status: 'suspended' })], share())).toEqual({
      status: 'not_covered',
      agreementId: 'a-1',
      message: 'Not covered by an active agreement: agreement ISA-1 is suspended',
    });
    expect(agreementCoverage([agreement({ status: 'ended' })], share()).message).toBe('Not covered by an active agreement: agreement ISA-1 is ended');
  });

  it('does not cover another purpose', () => {
    expect(agreementCoverage([agreement()], share({ purpose: 'crime_prevention' }))).toEqual({
      status: 'not_covered',
      agreementId: 'a-1',
      message: 'Not covered by an active agreement: agreement ISA-1 does not cover preventing crime and reoffending',
    });
  });

  it('does not cover a category outside the agreement, naming each one missing', () => {
    expect(agreementCoverage([agreement()], share({ categories: ['identity', 'health', 'police', 'housing'] }))).toEqual({
      status: 'not_covered',
      agreementId: 'a-1',
      message: 'Not covered by an active agreement: agreement ISA-1 does not cover health, housing',
    });
  });

  it('is covered when any one agreement covers the whole share, and otherwise names the nearest miss', () => {
    const forPurpose = agreement({ id: 'p', reference: 'ISA-P', categories: ['identity'] });
    const other = agreement({ id: 'o', reference: 'ISA-O', purposes: ['early_help'], categories: ['identity', 'police'] });
    // Neither alone covers identity and police for safeguarding: the one for the purpose is the nearest.
    expect(agreementCoverage([other, forPurpose], share())).toEqual({
      status: 'not_covered',
      agreementId: 'p',
      message: 'Not covered by an active agreement: agreement ISA-P does not cover police',
    });
    const whole = agreement({ id: 'w', reference: 'ISA-W' });
    expect(agreementCoverage([other, forPurpose, whole], share())).toMatchObject({ status: 'covered', agreementId: 'w' });
  });
});
