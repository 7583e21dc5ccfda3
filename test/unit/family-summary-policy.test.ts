import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_CATEGORIES, decide, type DataCategory, type Requester, type SubjectFacts } from '../../src/policy/access-policy.ts';
import { isAntiSocialBehaviour, PURPOSE_PROFILES, SUMMARY_CATEGORIES, summaryAccess, writtenConsentCovers } from '../../src/policy/family-summary.ts';
import type { ConsentFact } from '../../src/sharing/rules.ts';

const NOW = new Date('2026-11-22T10:00:00Z');
const hub: Requester = { userId: 'hub1', organisationId: 'csc', organisationType: 'childrens_social_care', teamIds: ['mash'], roles: ['mash_officer', 'practitioner'] };
const school: Requester = { userId: 'dsl', organisationId: 'sch', organisationType: 'school', teamIds: ['t-sch'], roles: ['practitioner'] };

const facts = (over: Partial<SubjectFacts> = {}): SubjectFacts => ({
  subjectId: 's1',
  exists: true,
  shielded: false,
  recordedBy: null,
  involvements: [],
  openEnquiryOrganisationIds: [],
  disclosures: [],
  breakGlass: [],
  ...over,
});
const consent = (over: Partial<ConsentFact & { method: string }> = {}): ConsentFact & { method: string } => ({
  id: 'c1',
  decision: 'given',
  givenBy: 'person',
  purposes: ['early_help'],
  recipientOrganisationIds: ['csc'],
  recipientOrganisationTypes: [],
  anyRecipient: false,
  categories: ['health'],
  exceptions: [],
  validFrom: '2026-01-01',
  validUntil: null,
  recordedAt: new Date('2026-01-01T00:00:00Z'),
  withdrawnAt: null,
  method: 'written',
  ...over,
});
const access = (r: Requester, f: SubjectFacts, profile: keyof typeof PURPOSE_PROFILES, consents: Array<ConsentFact & { method: string }> = []) => {
  const d = decide({ requester: r, action: 'read', categories: SUMMARY_CATEGORIES, purpose: 'test', reason: 'a reason' }, f, NOW);
  return summaryAccess(PURPOSE_PROFILES[profile], d, { requester: r, facts: f, consents, now: NOW });
};

describe('family summary purpose profiles', () => {
  const enquiry = facts({ openEnquiryOrganisationIds: ['csc'] });

  it('hub meeting on a MASH enquiry: education, social care, youth justice, housing and police (anti-social behaviour only); not health, probation or voluntary', () => {
    const a = access(hub, enquiry, 'hub-meeting');
    expect([...a.categories.keys()].sort()).toEqual(['education', 'housing', 'police', 'social_care', 'youth_justice']);
    expect(a.police).toBe('anti-social-behaviour');
    expect(a.withheld.find((w) => w.category === 'health')!.reason).toMatch(/written consent/);
    expect(a.purposeWithheld).toEqual(new Set(['health', 'probation', 'voluntary']));
    // Working with the family on the same enquiry: every case category, all police records.
    const w = access(hub, enquiry, 'work-with-family');
    expect([...w.categories.keys()].sort()).toEqual([...CASE_CATEGORIES].sort());
    expect(w.police).toBe('all');
  });

  it('health for a hub meeting: only with written consent covering it for the purpose, to the viewer', () => {
    expect(access(hub, enquiry, 'hub-meeting', [consent()]).categories.get('health')).toBe('all');
    expect(access(hub, enquiry, 'hub-meeting', [consent({ method: 'verbal' })]).categories.has('health')).toBe(false);
    expect(access(hub, enquiry, 'hub-meeting', [consent({ purposes: ['education'] })]).categories.has('health')).toBe(false);
    expect(access(hub, enquiry, 'hub-meeting', [consent({ recipientOrganisationIds: ['other'] })]).categories.has('health')).toBe(false);
    expect(access(hub, enquiry, 'hub-meeting', [consent({ withdrawnAt: new Date('2026-06-01T00:00:00Z') })]).categories.has('health')).toBe(false);
    expect(access(hub, enquiry, 'hub-meeting', [consent({ decision: 'refused' })]).categories.has('health')).toBe(false);
    expect(writtenConsentCovers([consent({ categories: ['education'] })], hub, 'health', ['early_help'], NOW)).toBe(false);
  });

  it('health for a hub meeting: or exactly what a recorded decision to share (a disclosure) sent', () => {
    const disclosed = facts({
      openEnquiryOrganisationIds: ['csc'],
      disclosures: [{ recipientUserId: null, recipientTeamId: null, recipientOrganisationId: 'csc', categories: ['health'], items: [{ type: 'note', id: 'n1', category: 'health' }], expiresAt: null, revoked: false }],
    });
    const scope = access(hub, disclosed, 'hub-meeting').categories.get('health');
    expect(scope).toEqual(new Set(['note:n1']));
    const revoked = facts({ ...disclosed, disclosures: disclosed.disclosures.map((d) => ({ ...d, revoked: true })) });
    expect(access(hub, revoked, 'hub-meeting').categories.has('health')).toBe(false);
  });

  it('a school with a working relationship sees its own category; the hub-meeting profile never adds to it', () => {
    const rel = facts({ involvements: [{ id: 'i1', organisationId: 'sch', teamId: 't-sch', practitionerId: null, role: 'school', category: 'education', sensitive: false, consentToShow: false, active: true }] });
    expect([...access(school, rel, 'work-with-family').categories.keys()]).toEqual(['education']);
    expect([...access(school, rel, 'hub-meeting').categories.keys()]).toEqual(['education']);
    expect(access(school, rel, 'hub-meeting').withheld.find((w) => w.category === 'social_care')!.reason).toMatch(/Held by another agency/);
  });

  it('property: a profile only narrows decide(): every category shown is allowed by the policy, and every case category is shown or withheld with a reason', () => {
    const cat = fc.constantFrom(...CASE_CATEGORIES);
    fc.assert(
      fc.property(
        fc.record({
          roles: fc.subarray(['practitioner', 'mash_officer', 'team_manager', 'ig_lead']),
          enquiry: fc.boolean(),
          involvementCategories: fc.array(cat, { maxLength: 3 }),
          disclosed: fc.array(cat, { maxLength: 3 }),
          consentCategories: fc.array(cat, { maxLength: 3 }),
          method: fc.constantFrom('written', 'verbal', 'electronic'),
          profile: fc.constantFrom('hub-meeting' as const, 'work-with-family' as const),
        }),
        (g) => {
          const r: Requester = { ...hub, roles: g.roles };
          const f = facts({
            openEnquiryOrganisationIds: g.enquiry ? ['csc'] : [],
            involvements: g.involvementCategories.map((c, i) => ({ id: `i${i}`, organisationId: 'csc', teamId: 'mash', practitionerId: null, role: 'other', category: c, sensitive: false, consentToShow: false, active: true })),
            disclosures: g.disclosed.length ? [{ recipientUserId: 'hub1', recipientTeamId: null, recipientOrganisationId: null, categories: g.disclosed as DataCategory[], expiresAt: null, revoked: false }] : [],
          });
          const d = decide({ requester: r, action: 'read', categories: SUMMARY_CATEGORIES, purpose: 'p', reason: 'a reason' }, f, NOW);
          const a = summaryAccess(PURPOSE_PROFILES[g.profile], d, { requester: r, facts: f, consents: [consent({ categories: g.consentCategories, method: g.method })], now: NOW });
          for (const c of a.categories.keys()) {
            expect(d.allowed).toContain(c);
            expect(PURPOSE_PROFILES[g.profile].categories).toContain(c);
          }
          for (const c of CASE_CATEGORIES) expect(a.categories.has(c) !== a.withheld.some((w) => w.category === c)).toBe(true);
          if (g.profile === 'hub-meeting' && a.categories.has('health')) {
            const byConsent = g.method === 'written' && g.consentCategories.includes('health');
            expect(byConsent || g.disclosed.includes('health')).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('recognises anti-social behaviour records', () => {
    for (const t of ['Anti-social behaviour', 'ASB warning', 'Antisocial behaviour', 'Community protection notice', 'Noise nuisance']) expect(isAntiSocialBehaviour(t)).toBe(true);
    for (const t of ['Domestic abuse incident', 'Arrest: criminal damage', 'Social care visit', 'Wasb']) expect(isAntiSocialBehaviour(t)).toBe(false);
  });

  it('recognises anti-social behaviour however an agency system spells the type (codes, dashes, case)', () => {
    const asb = ['ASB', 'asb', 'ASB_INCIDENT', 'asb-incident', 'ASB/Nuisance', 'ASBWarning', 'AntiSocialBehaviour', 'antisocial_behaviour', 'ANTI-SOCIAL BEHAVIOUR',
      'Anti\u2013social behaviour', 'Anti\u2011social behaviour', 'Anti social behaviour', 'ASBO breach', 'Anti-social behaviour order', 'CPN issued', 'Community Protection Warning'];
    for (const t of asb) expect(isAntiSocialBehaviour(t), t).toBe(true);
    for (const t of ['Domestic incident', 'Missing person (child)', 'Basbury Road stop', 'Associal', 'Social services referral', 'Antisocialist meeting']) expect(isAntiSocialBehaviour(t), t).toBe(false);
  });
});
