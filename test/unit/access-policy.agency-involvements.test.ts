import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { involvementFact, requester, subjectFacts } from '../support/policy.ts';
import { CASE_CATEGORIES, decide, type DataCategory, type Requester, type SubjectFacts } from '../../src/policy/access-policy.ts';
import { agencyInvolvementAccess, openedFully, type AgencyInvolvementFact } from '../../src/policy/agency-involvements.ts';

/**
 * Involvements agencies' own systems sent (linked feed records): shown in full to the sending agency
 * or where the agency's case category is open; otherwise the agency is named as holding them, with
 * why; never named for a hidden sensitive service or beyond a viewer's own organisation's basis.
 */

const NOW = new Date('2026-12-07T10:00:00Z');
const ORG = { csc: 'org-csc', police: 'org-police', nhs: 'org-nhs', school: 'org-school', clinic: 'org-clinic' } as const;
const CATEGORY: Record<string, DataCategory> = { [ORG.csc]: 'social_care', [ORG.police]: 'police', [ORG.nhs]: 'health', [ORG.school]: 'education', [ORG.clinic]: 'voluntary' };
const NAME: Record<string, string> = { [ORG.csc]: "Children's Services", [ORG.police]: 'Police', [ORG.nhs]: 'NHS Trust', [ORG.school]: 'School', [ORG.clinic]: 'Clinic' };

const U = {
  socialWorker: requester('u-sw', ORG.csc, 'childrens_social_care', ['team-fst'], ['practitioner']),
  mashOfficer: requester('u-mash', ORG.csc, 'childrens_social_care', ['team-mash'], ['mash_officer', 'practitioner']),
  policeOfficer: requester('u-police', ORG.police, 'police', ['team-ppu'], ['practitioner']),
  schoolDsl: requester('u-dsl', ORG.school, 'school', ['team-dsl'], ['practitioner']),
  schoolColleague: requester('u-dsl2', ORG.school, 'school', ['team-office'], ['practitioner']),
  healthVisitor: requester('u-hv', ORG.nhs, 'nhs_trust', ['team-hv'], ['practitioner']),
};

const inv = involvementFact;

const INV = {
  socialWork: inv('inv-sw', { organisationId: ORG.csc, teamId: 'team-fst', practitionerId: 'u-sw', role: 'allocated_social_worker', category: 'social_care' }),
  school: inv('inv-school', { organisationId: ORG.school, teamId: 'team-dsl', practitionerId: 'u-dsl', role: 'designated_safeguarding_lead', category: 'education' }),
  clinicHidden: inv('inv-clinic', { organisationId: ORG.clinic, role: 'key_worker', category: 'health', sensitive: true }),
};

const facts = subjectFacts;

interface Row extends AgencyInvolvementFact {
  ref: string;
}
const row = (ref: string, organisationId: string, endDate: string | null = null): Row => ({ ref, organisationId, organisationName: NAME[organisationId]!, caseCategory: CATEGORY[organisationId]!, endDate });

const ROWS: Row[] = [
  row('police-now', ORG.police),
  row('police-ended', ORG.police, '2025-01-31'),
  row('csc-now', ORG.csc),
  row('nhs-now', ORG.nhs),
  row('clinic-now', ORG.clinic),
];

const ASKED: DataCategory[] = ['involvements', 'contacts', ...CASE_CATEGORIES];

function access(requester: Requester, f: SubjectFacts, reason?: string) {
  const decision = decide({ requester, action: 'read', categories: ASKED, purpose: 'find who is involved', reason }, f, NOW);
  return { decision, ...agencyInvolvementAccess(requester, f, decision, ROWS, NOW) };
}
const shownRefs = (a: ReturnType<typeof access>) => a.shown.map((s) => s.row.ref).sort();
const namedOrgs = (a: ReturnType<typeof access>) => a.heldBy.map((h) => h.organisationId).sort();

describe('agency-reported involvements', () => {
  it('shows the sending agency its own rows in full with contacts, whatever else the viewer may see', () => {
    const a = access(U.policeOfficer, facts({ involvements: [inv('inv-pol', { organisationId: ORG.police, practitionerId: 'u-police', role: 'police_officer', category: 'police' })] }));
    expect(a.shown.filter((s) => s.row.organisationId === ORG.police).map((s) => [s.row.ref, s.contacts])).toEqual([
      ['police-now', true],
      ['police-ended', true],
    ]);
  });

  it('names another agency as holding records, with why, where the viewer may know who is involved but not see that agency’s records', () => {
    const a = access(U.socialWorker, facts({ involvements: [INV.socialWork, INV.clinicHidden] }));
    expect(a.decision.basis).toBe('relationship');
    expect(openedFully(a.decision, 'police')).toBe(false);
    expect(shownRefs(a)).toContain('csc-now');
    expect(shownRefs(a)).not.toContain('police-now');
    const police = a.heldBy.find((h) => h.organisationId === ORG.police)!;
    expect(police.organisationName).toBe('Police');
    expect(police.reason).toBe(a.decision.redacted.find((r) => r.category === 'police')!.reason);
    // one notice per agency, however many rows it holds
    expect(a.heldBy.filter((h) => h.organisationId === ORG.police)).toHaveLength(1);
  });

  it('never names an organisation whose every involvement here is a hidden sensitive service', () => {
    const a = access(U.socialWorker, facts({ involvements: [INV.socialWork, INV.clinicHidden] }));
    expect(a.decision.hiddenInvolvementIds).toContain('inv-clinic');
    expect(shownRefs(a)).not.toContain('clinic-now');
    expect(namedOrgs(a)).not.toContain(ORG.clinic);
    // once the person consents to showing it, the clinic is no longer hidden
    const consented = access(U.socialWorker, facts({ involvements: [INV.socialWork, { ...INV.clinicHidden, consentToShow: true }] }));
    expect([...shownRefs(consented), ...namedOrgs(consented)]).toEqual(expect.arrayContaining([expect.stringMatching(/clinic/)]));
  });

  it('shows every agency’s rows to a MASH officer acting on an open enquiry', () => {
    const a = access(U.mashOfficer, facts({ involvements: [INV.socialWork], openEnquiryOrganisationIds: [ORG.csc] }));
    expect(a.decision.basis).toBe('mash-enquiry');
    expect(shownRefs(a)).toEqual(['clinic-now', 'csc-now', 'nhs-now', 'police-ended', 'police-now']);
    expect(a.heldBy).toEqual([]);
  });

  it('names nothing beyond their own organisation to a viewer whose only basis is their organisation’s involvement', () => {
    const a = access(U.schoolColleague, facts({ involvements: [INV.school] }));
    expect(a.decision.basis).toBe('own-organisation');
    expect(a.shown).toEqual([]);
    expect(a.heldBy).toEqual([]);
  });

  it('under the contact minimum names the agencies involved now, not those whose involvement has ended, and shows none of their words', () => {
    const a = access(U.healthVisitor, facts({ involvements: [INV.socialWork] }), 'Health visitor asked to see the family about a concern');
    expect(a.decision.basis).toBe('contact-minimum');
    expect(a.shown.filter((s) => s.row.organisationId !== ORG.nhs)).toEqual([]);
    // the clinic has no involvement recorded here to hide it, so it is named like any agency
    expect(namedOrgs(a)).toEqual([ORG.clinic, ORG.csc, ORG.police].sort());
  });

  it('never shows another agency’s rows on a disclosure alone (a disclosure carries chosen items, never a feed record)', () => {
    const f = facts({
      involvements: [INV.school],
      disclosures: [{ recipientUserId: U.healthVisitor.userId, recipientTeamId: null, recipientOrganisationId: null, categories: ['involvements', 'police'], expiresAt: null, revoked: false }],
    });
    const a = access(U.healthVisitor, f);
    expect(a.decision.basisByCategory.police).toBe('disclosure');
    expect(a.shown.filter((s) => s.row.organisationId !== ORG.nhs)).toEqual([]);
  });

  it('keeps its promises for any viewer, person and rows (property)', () => {
    const requesters = Object.values(U);
    const orgs = Object.values(ORG);
    const involvementFact = fc.record({
      organisationId: fc.constantFrom(...orgs),
      practitioner: fc.boolean(),
      sensitive: fc.boolean(),
      consentToShow: fc.boolean(),
      active: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: requesters.length - 1 }),
        fc.array(involvementFact, { maxLength: 4 }),
        fc.subarray([ORG.csc, ORG.police]),
        fc.array(fc.record({ organisationId: fc.constantFrom(...orgs), ended: fc.boolean() }), { maxLength: 6 }),
        fc.boolean(),
        (who, involvements, enquiries, rowSpecs, withReason) => {
          const requester = requesters[who]!;
          const f = facts({
            involvements: involvements.map((x, k) =>
              inv(`inv-${k}`, {
                organisationId: x.organisationId,
                category: CATEGORY[x.organisationId]!,
                practitionerId: x.practitioner ? requesters.find((r) => r.organisationId === x.organisationId)?.userId ?? null : null,
                sensitive: x.sensitive,
                consentToShow: x.consentToShow,
                active: x.active,
              }),
            ),
            openEnquiryOrganisationIds: enquiries,
          });
          const rows = rowSpecs.map((r, k) => row(`r${k}`, r.organisationId, r.ended ? '2025-06-30' : null));
          const decision = decide({ requester, action: 'read', categories: ASKED, purpose: 'find who is involved', reason: withReason ? 'A concern raised today' : undefined }, f, NOW);
          if (!decision.allow) return;
          const result = agencyInvolvementAccess(requester, f, decision, rows, NOW);
          const hidden = new Set(decision.hiddenInvolvementIds);
          const hiddenOrg = (o: string) => f.involvements.some((i) => i.organisationId === o) && f.involvements.filter((i) => i.organisationId === o).every((i) => hidden.has(i.id));
          const beyondOwn = decide({ requester, action: 'read', categories: ['involvements'], purpose: 'check' }, { ...f, involvements: [] }, NOW).allow || f.involvements.some((i) => i.active && (i.practitionerId === requester.userId || (i.teamId !== null && requester.teamIds.includes(i.teamId))));
          const mayKnow = (r: Row) => (r.endDate === null && decision.allowed.includes('contacts')) || (decision.allowed.includes('involvements') && beyondOwn);
          for (const { row: r, contacts } of result.shown) {
            if (r.organisationId !== requester.organisationId) expect(mayKnow(r)).toBe(true);
            const own = r.organisationId === requester.organisationId;
            // another agency's words only where its case category is open, on a basis other than a disclosure
            if (!own) expect(openedFully(decision, r.caseCategory)).toBe(true);
            if (!own) expect(hiddenOrg(r.organisationId)).toBe(false);
            if (contacts && !own) expect(decision.allowed).toContain('contacts');
            // an ended involvement only under the involvements category
            if (!own && r.endDate !== null) expect(decision.allowed).toContain('involvements');
          }
          for (const h of result.heldBy) {
            expect(rows.some((r) => r.organisationId === h.organisationId && mayKnow(r))).toBe(true);
            expect(h.organisationId).not.toBe(requester.organisationId);
            expect(hiddenOrg(h.organisationId)).toBe(false);
            expect(rows.some((r) => r.organisationId === h.organisationId)).toBe(true);
            expect(openedFully(decision, CATEGORY[h.organisationId]!)).toBe(false);
            expect(h.reason.length).toBeGreaterThan(0);
          }
          // every row is accounted for: shown, its agency named, or deliberately not mentioned
          const named = new Set(result.heldBy.map((h) => h.organisationId));
          for (const r of rows) {
            const shown = result.shown.some((s) => s.row === r);
            if (r.organisationId === requester.organisationId) expect(shown).toBe(true);
            if (shown) expect(named.has(r.organisationId) && openedFully(decision, r.caseCategory)).toBe(false);
          }
        },
      ),
      { numRuns: 500, seed: 20261207 },
    );
  });
});
