import { describe, expect, it } from 'vitest';
import { decide, mayApproveShare, mayReportOnSharing, type Requester, type SubjectFacts } from '../../src/policy/access-policy.ts';

const NOW = new Date('2026-11-22T10:00:00Z');
const recipient: Requester = { userId: 'u-housing', organisationId: 'o-housing', organisationType: 'housing', teamIds: ['t-tenancy'], roles: ['practitioner'] };
const facts = (disclosures: SubjectFacts['disclosures']): SubjectFacts => ({
  subjectId: 's1',
  exists: true,
  shielded: false,
  recordedBy: null,
  involvements: [{ id: 'i1', organisationId: 'o-csc', teamId: 't-fst', practitionerId: 'u-sw', role: 'allocated_social_worker', category: 'social_care', sensitive: false, consentToShow: false, active: true }],
  openEnquiryOrganisationIds: [],
  disclosures,
  breakGlass: [],
});
const disclosure = (over: Partial<SubjectFacts['disclosures'][number]> = {}): SubjectFacts['disclosures'][number] => ({
  recipientUserId: null,
  recipientTeamId: null,
  recipientOrganisationId: 'o-housing',
  categories: ['identity', 'social_care'],
  items: [
    { type: 'identity', id: null, category: 'identity' },
    { type: 'note', id: 'n-visits', category: 'social_care' },
  ],
  expiresAt: new Date('2027-01-01T00:00:00Z'),
  revoked: false,
  ...over,
});
const read = (f: SubjectFacts) => decide({ requester: recipient, action: 'read', categories: ['identity', 'whereabouts', 'social_care'], purpose: 'see what was shared' }, f, NOW);

describe('disclosures open exactly the items sent', () => {
  it('lists the disclosed items of each category opened only by the disclosure', () => {
    const d = read(facts([disclosure()]));
    expect(d.allowed).toEqual(['identity', 'social_care']);
    expect(d.basisByCategory).toEqual({ identity: 'disclosure', social_care: 'disclosure' });
    expect(d.disclosedItems).toEqual([
      { type: 'identity', id: null, category: 'identity' },
      { type: 'note', id: 'n-visits', category: 'social_care' },
    ]);
    expect(d.redacted.map((r) => r.category)).toEqual(['whereabouts']);
  });

  it('opens nothing once revoked or expired', () => {
    expect(read(facts([disclosure({ revoked: true })])).allow).toBe(false);
    expect(read(facts([disclosure({ expiresAt: NOW })])).allow).toBe(false);
  });

  it('a disclosure naming categories but no items opens the whole category', () => {
    const d = read(facts([disclosure({ items: [] })]));
    expect(d.disclosedItems).toEqual([
      { type: 'all', id: null, category: 'identity' },
      { type: 'all', id: null, category: 'social_care' },
    ]);
  });

  it('what was disclosed to someone cannot be passed on by them', () => {
    const d = decide({ requester: recipient, action: 'share', categories: ['identity', 'social_care'], purpose: 'onward share' }, facts([disclosure()]), NOW);
    expect(d.allow).toBe(false);
  });
});

describe('an organisation\'s own sharing records', () => {
  const manager: Requester = { userId: 'u-tm', organisationId: 'o-csc', organisationType: 'childrens_social_care', teamIds: [], roles: ['team_manager'] };
  it('a manager of the deciding organisation approves, never the decider', () => {
    expect(mayApproveShare(manager, { organisationId: 'o-csc', decidedBy: 'u-sw' }).allow).toBe(true);
    expect(mayApproveShare(manager, { organisationId: 'o-csc', decidedBy: 'u-tm' }).allow).toBe(false);
    expect(mayApproveShare(manager, { organisationId: 'o-police', decidedBy: 'u-x' }).allow).toBe(false);
    expect(mayApproveShare({ ...manager, roles: ['practitioner'] }, { organisationId: 'o-csc', decidedBy: 'u-sw' }).allow).toBe(false);
  });
  it('managers and the IG lead report on their own organisation only', () => {
    expect(mayReportOnSharing(manager, 'o-csc').allow).toBe(true);
    expect(mayReportOnSharing({ ...manager, roles: ['ig_lead'] }, 'o-csc').allow).toBe(true);
    expect(mayReportOnSharing(manager, 'o-police').allow).toBe(false);
    expect(mayReportOnSharing({ ...manager, roles: ['practitioner'] }, 'o-csc').allow).toBe(false);
  });
});
