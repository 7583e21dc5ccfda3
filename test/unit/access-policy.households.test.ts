import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decide,
  householdAccess,
  SHIELDED_HOUSEHOLD_ADDRESS_REASON,
  SHIELDED_MEMBER_REASON,
  type Decision,
  type InvolvementFact,
  type Requester,
  type SubjectFacts,
} from '../../src/policy/access-policy.ts';

/**
 * Households under the access policy: membership is family data and the household's address is
 * the whereabouts of everyone living there, so a shielded member, and the address while they live
 * there, are shown only to practitioners working with them. First a table of cases through
 * decide() and householdAccess() together, then properties over generated households.
 */

const NOW = new Date('2026-11-21T10:00:00Z');
const SW: Requester = { userId: 'u-sw', organisationId: 'o-csc', organisationType: 'childrens_social_care', teamIds: ['t-fst'], roles: ['practitioner'] };
const MASH: Requester = { userId: 'u-mash', organisationId: 'o-csc', organisationType: 'childrens_social_care', teamIds: ['t-mash'], roles: ['mash_officer'] };

let ids = 0;
function involvement(over: Partial<InvolvementFact> = {}): InvolvementFact {
  return { id: `i-${++ids}`, organisationId: 'o-csc', teamId: null, practitionerId: 'u-sw', role: 'allocated_social_worker', category: 'social_care', sensitive: false, consentToShow: false, active: true, ...over };
}

function facts(subjectId: string, over: Partial<SubjectFacts> = {}): SubjectFacts {
  return { subjectId, exists: true, shielded: false, recordedBy: null, involvements: [], openEnquiryOrganisationIds: [], disclosures: [], breakGlass: [], ...over };
}

/** The viewer's decision about the person viewed, as the service asks it (family and whereabouts). */
const viewing = (r: Requester, f: SubjectFacts) => decide({ requester: r, action: 'read', categories: ['family', 'whereabouts'], purpose: 'see who they live with' }, f, NOW);
/** The viewer's decision about a member's own whereabouts, as the service asks it for shielded members. */
const whereaboutsOf = (r: Requester, f: SubjectFacts) => decide({ requester: r, action: 'read', categories: ['whereabouts'], purpose: 'see who they live with' }, f, NOW);

describe('households under the access policy: cases', () => {
  const child = facts('child', { involvements: [involvement()] });

  it('shows every member and the address to a practitioner working with the child when nobody is shielded', () => {
    const mum = facts('mum');
    const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [
      { subjectId: 'child', shielded: false, current: true },
      { subjectId: 'mum', shielded: false, current: true, whereabouts: whereaboutsOf(SW, mum) },
    ]);
    expect(a).toEqual({ addressWithheld: null, withheldMembers: new Map() });
  });

  it('withholds a shielded mother the practitioner does not work with, and the address while she lives there', () => {
    const mum = facts('mum', { shielded: true, involvements: [involvement({ practitionerId: 'u-police', organisationId: 'o-police', category: 'police' })] });
    const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [
      { subjectId: 'child', shielded: false, current: true },
      { subjectId: 'mum', shielded: true, current: true, whereabouts: whereaboutsOf(SW, mum) },
    ]);
    expect(a.withheldMembers).toEqual(new Map([['mum', SHIELDED_MEMBER_REASON]]));
    expect(a.addressWithheld).toBe(SHIELDED_HOUSEHOLD_ADDRESS_REASON);
  });

  it('shows the address of a home a withheld shielded member has left (she is still withheld)', () => {
    const mum = facts('mum', { shielded: true });
    const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [
      { subjectId: 'child', shielded: false, current: true },
      { subjectId: 'mum', shielded: true, current: false, whereabouts: whereaboutsOf(SW, mum) },
    ]);
    expect(a.withheldMembers.has('mum')).toBe(true);
    expect(a.addressWithheld).toBeNull();
  });

  it('shows a shielded member to a practitioner working with her, and so the address', () => {
    const mum = facts('mum', { shielded: true, involvements: [involvement({ teamId: 't-fst', practitionerId: null })] });
    const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [
      { subjectId: 'mum', shielded: true, current: true, whereabouts: whereaboutsOf(SW, mum) },
    ]);
    expect(a).toEqual({ addressWithheld: null, withheldMembers: new Map() });
  });

  it('never counts the person viewed as withheld, but withholds the address when their own whereabouts are (a shielded person under a MASH enquiry)', () => {
    const shieldedChild = facts('child', { shielded: true, openEnquiryOrganisationIds: ['o-csc'] });
    const d = viewing(MASH, shieldedChild);
    expect(d.allowed).toEqual(['family']);
    const a = householdAccess({ subjectId: 'child', decision: d }, [{ subjectId: 'child', shielded: true, current: true }]);
    expect(a.withheldMembers.size).toBe(0);
    expect(a.addressWithheld).toMatch(/shielded/);
  });

  it('withholds shielded members from break-glass, a disclosure or a MASH enquiry about them: only a working relationship opens them', () => {
    const bases: Array<[string, Partial<SubjectFacts>, Requester]> = [
      ['break-glass', { breakGlass: [{ userId: 'u-sw', expiresAt: new Date(NOW.getTime() + 60_000) }] }, SW],
      ['disclosure', { disclosures: [{ recipientUserId: 'u-sw', recipientTeamId: null, recipientOrganisationId: null, categories: ['whereabouts', 'family'], expiresAt: null, revoked: false }] }, SW],
      ['mash-enquiry', { openEnquiryOrganisationIds: ['o-csc'] }, MASH],
      ['recorded-by', { recordedBy: { userId: 'u-sw', at: NOW } }, SW],
    ];
    for (const [name, over, r] of bases) {
      const mum = facts('mum', { shielded: true, ...over });
      const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [{ subjectId: 'mum', shielded: true, current: true, whereabouts: whereaboutsOf(r, mum) }]);
      expect(a.withheldMembers.has('mum'), name).toBe(true);
      expect(a.addressWithheld, name).toBe(SHIELDED_HOUSEHOLD_ADDRESS_REASON);
    }
  });

  it('withholds a shielded member whose decision was not made', () => {
    const a = householdAccess({ subjectId: 'child', decision: viewing(SW, child) }, [{ subjectId: 'mum', shielded: true, current: true }]);
    expect(a.withheldMembers.has('mum')).toBe(true);
  });
});

// ---------- properties ----------

const USERS = ['u1', 'u2', 'u3'];
const TEAMS = ['t1', 't2'];

const requesterArb: fc.Arbitrary<Requester> = fc.record({
  userId: fc.constantFrom(...USERS),
  organisationId: fc.constantFrom('o1', 'o2'),
  organisationType: fc.constant('childrens_social_care'),
  teamIds: fc.subarray(TEAMS),
  roles: fc.subarray(['practitioner', 'team_manager', 'mash_officer', 'ig_lead']),
});

const involvementArb: fc.Arbitrary<InvolvementFact> = fc.record({
  id: fc.uuid(),
  organisationId: fc.constantFrom('o1', 'o2'),
  teamId: fc.option(fc.constantFrom(...TEAMS), { nil: null }),
  practitionerId: fc.option(fc.constantFrom(...USERS), { nil: null }),
  role: fc.constantFrom('lead_professional', 'key_worker'),
  category: fc.constantFrom('social_care', 'health'),
  sensitive: fc.boolean(),
  consentToShow: fc.boolean(),
  active: fc.boolean(),
});

const personArb = (subjectId: string) =>
  fc.record({
    subjectId: fc.constant(subjectId),
    exists: fc.constant(true),
    shielded: fc.boolean(),
    recordedBy: fc.option(fc.record({ userId: fc.constantFrom(...USERS), at: fc.constant(NOW) }), { nil: null }),
    involvements: fc.array(involvementArb, { maxLength: 3 }),
    openEnquiryOrganisationIds: fc.subarray(['o1', 'o2']),
    disclosures: fc.array(
      fc.record({
        recipientUserId: fc.option(fc.constantFrom(...USERS), { nil: null }),
        recipientTeamId: fc.constant(null),
        recipientOrganisationId: fc.constant(null),
        categories: fc.subarray(['whereabouts', 'family'] as const),
        expiresAt: fc.constant(null),
        revoked: fc.boolean(),
      }),
      { maxLength: 1 },
    ),
    breakGlass: fc.array(fc.record({ userId: fc.constantFrom(...USERS), expiresAt: fc.constant(new Date(NOW.getTime() + 60_000)) }), { maxLength: 1 }),
  }) satisfies fc.Arbitrary<SubjectFacts>;

/** The oracle, stated without the policy: an active involvement of the requester or one of their teams. */
const worksWith = (r: Requester, f: SubjectFacts) =>
  f.involvements.some((i) => i.active && ((i.practitionerId !== null && i.practitionerId === r.userId) || (i.teamId !== null && r.teamIds.includes(i.teamId))));

const householdArb = fc.record({
  requester: requesterArb,
  subject: personArb('s'),
  members: fc.array(fc.tuple(personArb('x'), fc.boolean()), { maxLength: 4 }).map((ms) => ms.map(([f, current], i) => ({ facts: { ...f, subjectId: `m${i}` }, current }))),
});

describe('households under the access policy: properties', () => {
  const access = (h: { requester: Requester; subject: SubjectFacts; members: Array<{ facts: SubjectFacts; current: boolean }> }) => {
    const subjectDecision: Decision = viewing(h.requester, h.subject);
    return householdAccess(
      { subjectId: 's', decision: subjectDecision },
      [
        { subjectId: 's', shielded: h.subject.shielded, current: true },
        ...h.members.map((m) => ({ subjectId: m.facts.subjectId, shielded: m.facts.shielded, current: m.current, whereabouts: m.facts.shielded ? whereaboutsOf(h.requester, m.facts) : undefined })),
      ],
    );
  };

  it('never shows a shielded member to someone without a working relationship with them, and always shows the others', () => {
    fc.assert(
      fc.property(householdArb, (h) => {
        const a = access(h);
        for (const m of h.members) {
          const withheld = a.withheldMembers.has(m.facts.subjectId);
          expect(withheld).toBe(m.facts.shielded && !worksWith(h.requester, m.facts));
        }
        expect(a.withheldMembers.has('s')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never shows the address while someone withheld lives there, nor without the whereabouts of the person viewed', () => {
    fc.assert(
      fc.property(householdArb, (h) => {
        const a = access(h);
        const shownAddress = a.addressWithheld === null;
        if (shownAddress) {
          expect(viewing(h.requester, h.subject).allowed).toContain('whereabouts');
          for (const m of h.members) if (m.current && m.facts.shielded) expect(worksWith(h.requester, m.facts)).toBe(true);
          // A shielded person viewed: their own whereabouts only on a working relationship too.
          if (h.subject.shielded) expect(worksWith(h.requester, h.subject)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
