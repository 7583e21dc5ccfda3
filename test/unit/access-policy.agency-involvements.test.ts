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

  it('never shows the words of an organisation that also runs a service hidden from the viewer; names it only where a visible involvement is known', () => {
    // the NHS trust: health visiting (visible, current) and a drug and alcohol service (hidden, no consent)
    const hv = inv('inv-hv', { organisationId: ORG.nhs, teamId: 'team-hv', role: 'health_visitor', category: 'health' });
    const drugs = inv('inv-drugs', { organisationId: ORG.nhs, role: 'key_worker', category: 'health', sensitive: true });
    const gp = requester('u-gp', 'org-gp', 'gp_practice', ['team-gp'], ['practitioner']);
    const a = access(gp, facts({ involvements: [inv('inv-gp', { organisationId: 'org-gp', practitionerId: 'u-gp', role: 'gp', category: 'health' }), hv, drugs] }));
    expect(openedFully(a.decision, 'health')).toBe(true);
    expect(a.shown.filter((s) => s.row.organisationId === ORG.nhs)).toEqual([]);
    expect(a.heldBy.find((h) => h.organisationId === ORG.nhs)?.reason).toBe('Your access does not cover their records.');
    // under the contact minimum, with health visiting ended and the hidden service current: not named at all
    const ended = access(U.schoolDsl, facts({ involvements: [{ ...hv, active: false }, drugs] }), 'A concern raised today');
    expect(ended.decision.basis).toBe('contact-minimum');
    expect(namedOrgs(ended)).not.toContain(ORG.nhs);
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
    // with a stated reason the contact minimum opens contacts, so the current police row may be known of
    const a = access(U.healthVisitor, f, 'Health visitor asked to see the family about a concern');
    expect(a.decision.basisByCategory.police).toBe('disclosure');
    expect(a.decision.allowed).toContain('contacts');
    expect(a.shown.filter((s) => s.row.organisationId !== ORG.nhs)).toEqual([]);
    expect(namedOrgs(a)).toContain(ORG.police);
  });

  it('keeps its promises for any viewer, person and rows (property)', () => {
    const requesters = Object.values(U);
    const orgs = Object.values(ORG);
    const involvementSpec = fc.record({
      organisationId: fc.constantFrom(...orgs),
      practitioner: fc.boolean(),
      sensitive: fc.boolean(),
      consentToShow: fc.boolean(),
      active: fc.boolean(),
    });
    const disclosureSpec = fc.record({
      categories: fc.subarray<DataCategory>(['involvements', 'contacts', 'police', 'health', 'social_care'], { minLength: 1 }),
      expired: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: requesters.length - 1 }),
        fc.array(involvementSpec, { maxLength: 4 }),
        fc.subarray([ORG.csc, ORG.police]),
        fc.array(fc.record({ organisationId: fc.constantFrom(...orgs), ended: fc.boolean() }), { maxLength: 6 }),
        fc.boolean(),
        fc.option(disclosureSpec, { nil: undefined }),
        fc.constantFrom<'none' | 'recorded-by' | 'break-glass'>('none', 'recorded-by', 'break-glass'),
        (who, involvementSpecs, enquiries, rowSpecs, withReason, disclosure, other) => {
          const requester = requesters[who]!;
          const f = facts({
            involvements: involvementSpecs.map((x, k) =>
              inv(`inv-${k}`, {
                organisationId: x.organisationId,
                category: CATEGORY[x.organisationId]!,
                practitionerId: x.practitioner ? (requesters.find((r) => r.organisationId === x.organisationId)?.userId ?? null) : null,
                sensitive: x.sensitive,
                consentToShow: x.consentToShow,
                active: x.active,
              }),
            ),
            openEnquiryOrganisationIds: enquiries,
            disclosures: disclosure
              ? [{ recipientUserId: requester.userId, recipientTeamId: null, recipientOrganisationId: null, categories: disclosure.categories, expiresAt: disclosure.expired ? new Date(NOW.getTime() - 1000) : null, revoked: false }]
              : [],
            recordedBy: other === 'recorded-by' ? { userId: requester.userId, at: new Date(NOW.getTime() - 86_400_000) } : null,
            breakGlass: other === 'break-glass' ? [{ userId: requester.userId, expiresAt: new Date(NOW.getTime() + 3_600_000) }] : [],
          });
          const rows = rowSpecs.map((r, k) => row(`r${k}`, r.organisationId, r.ended ? '2025-06-30' : null));
          const decision = decide({ requester, action: 'read', categories: ASKED, purpose: 'find who is involved', reason: withReason ? 'A concern raised today' : undefined }, f, NOW);
          if (!decision.allow) return;
          const result = agencyInvolvementAccess(requester, f, decision, rows, NOW);

          const hidden = new Set(decision.hiddenInvolvementIds);
          const ofOrg = (o: string) => f.involvements.filter((i) => i.organisationId === o);
          const allHidden = (o: string) => ofOrg(o).length > 0 && ofOrg(o).every((i) => hidden.has(i.id));
          const someHidden = (o: string) => ofOrg(o).some((i) => hidden.has(i.id));
          const contacts = openedFully(decision, 'contacts');
          const involvements = openedFully(decision, 'involvements');
          // beyond their own organisation: a working relationship, or a basis that opens involvements without them
          const beyondOwn =
            f.involvements.some((i) => i.active && (i.practitionerId === requester.userId || (i.teamId !== null && requester.teamIds.includes(i.teamId)))) ||
            decide({ requester, action: 'read', categories: ['involvements'], purpose: 'check' }, { ...f, involvements: [] }, NOW).allow;
          const mayKnow = (r: Row) => (r.endDate === null && contacts) || (involvements && beyondOwn);
          const knownHere = (o: string) => ofOrg(o).some((i) => !hidden.has(i.id) && ((i.active && contacts) || (involvements && beyondOwn)));
          const named = new Set(result.heldBy.map((h) => h.organisationId));

          for (const r of rows) {
            const shown = result.shown.find((x) => x.row === r);
            if (r.organisationId === requester.organisationId) {
              expect(shown?.contacts).toBe(true);
              continue;
            }
            if (shown) {
              // another agency's words: only where its case category is open other than by a disclosure,
              // never from an organisation running a service hidden from the viewer, and only if the viewer may know of it
              expect(openedFully(decision, r.caseCategory)).toBe(true);
              expect(someHidden(r.organisationId)).toBe(false);
              expect(mayKnow(r)).toBe(true);
              if (shown.contacts) expect(contacts).toBe(true);
            }
            // never named or shown where every involvement of the organisation here is hidden
            if (allHidden(r.organisationId)) expect(Boolean(shown) || named.has(r.organisationId)).toBe(false);
            // complete: what the viewer may know of is shown or its agency named (unless it runs a hidden service they do not know of)
            if (mayKnow(r) && (!someHidden(r.organisationId) || knownHere(r.organisationId))) expect(Boolean(shown) || named.has(r.organisationId)).toBe(true);
          }
          for (const h of result.heldBy) {
            expect(h.organisationId).not.toBe(requester.organisationId);
            expect(rows.some((r) => r.organisationId === h.organisationId && mayKnow(r))).toBe(true);
            if (someHidden(h.organisationId)) expect(knownHere(h.organisationId)).toBe(true);
            else expect(openedFully(decision, CATEGORY[h.organisationId]!)).toBe(false);
            expect(h.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1000, seed: 20261207 },
    );
  });
});
