import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CASE_CATEGORIES,
  DATA_CATEGORIES,
  decide,
  RECORDED_BY_DAYS,
  type AccessRequest,
  type Action,
  type DataCategory,
  type Decision,
  type InvolvementFact,
  type Requester,
  type SubjectFacts,
} from '../../src/policy/access-policy.ts';

/**
 * Invariants of the access policy over generated partnerships: requesters, people, involvements,
 * enquiries, disclosures and break-glass. The oracle below restates the rules on its own,
 * without calling the policy, so a rule the policy grows silently shows up here.
 */

const RUNS = 500;
const NOW = new Date('2026-11-21T10:00:00Z');

// ---------- a small partnership, so that generated facts often involve the requester ----------

const ORGS = ['o1', 'o2', 'o3'] as const;
const TEAMS: Record<string, string[]> = { o1: ['t1a', 't1b'], o2: ['t2a', 't2b'], o3: ['t3a'] };
const USERS: Record<string, string[]> = { o1: ['u1', 'u2'], o2: ['u3', 'u4'], o3: ['u5'] };
const ALL_USERS = Object.values(USERS).flat();
const ALL_TEAMS = Object.values(TEAMS).flat();
const ORG_OF_USER = new Map(Object.entries(USERS).flatMap(([o, us]) => us.map((u) => [u, o] as const)));
const ROLES = ['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'] as const;
const ACTIONS: readonly Action[] = ['read', 'search', 'create', 'update', 'add-involvement', 'end-involvement', 'share', 'export'];
const INVOLVEMENT_ROLES = ['lead_professional', 'key_worker', 'health_visitor', 'other'] as const;

/** What a working relationship, break-glass or a new record covers; case categories and access history are extra. */
const RECORD: readonly DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts', 'consent'];
/** Who looked and what was shared: the IG lead's and the lead professional's. */
const OVERSIGHT: readonly DataCategory[] = ['access_history', 'sharing_history'];
const CONTACT_MINIMUM: readonly DataCategory[] = ['identity', 'contacts'];
const PRACTITIONER_ROLES = ['practitioner', 'mash_officer', 'team_manager'];
/** Changes, and shares: all or nothing, and only on a working basis. */
const WRITES: readonly Action[] = ['update', 'add-involvement', 'end-involvement', 'share'];

// ---------- arbitraries ----------

const requesterArb: fc.Arbitrary<Requester> = fc.constantFrom(...ALL_USERS).chain((userId) => {
  const org = ORG_OF_USER.get(userId)!;
  return fc.record({
    userId: fc.constant(userId),
    organisationId: fc.constant(org),
    organisationType: fc.constantFrom('childrens_social_care', 'police', 'nhs_trust'),
    teamIds: fc.subarray(TEAMS[org]!),
    roles: fc.subarray([...ROLES]),
  });
});

/** Milliseconds from NOW, with the boundaries (exactly now, just either side) well represented. */
const offsetArb = fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -7_200_000, max: 7_200_000 }));

const involvementArb: fc.Arbitrary<Omit<InvolvementFact, 'id'>> = fc.constantFrom(...ORGS).chain((org) =>
  fc.record({
    organisationId: fc.constant(org),
    teamId: fc.option(fc.constantFrom(...TEAMS[org]!), { nil: null }),
    practitionerId: fc.option(fc.constantFrom(...USERS[org]!), { nil: null }),
    role: fc.constantFrom(...INVOLVEMENT_ROLES),
    category: fc.constantFrom(...CASE_CATEGORIES),
    sensitive: fc.boolean(),
    consentToShow: fc.boolean(),
    active: fc.boolean(),
  }),
);

type Disclosure = SubjectFacts['disclosures'][number];
const disclosureArb: fc.Arbitrary<Disclosure> = fc.record({
  recipientUserId: fc.option(fc.constantFrom(...ALL_USERS), { nil: null }),
  recipientTeamId: fc.option(fc.constantFrom(...ALL_TEAMS), { nil: null }),
  recipientOrganisationId: fc.option(fc.constantFrom(...ORGS), { nil: null }),
  categories: fc.subarray([...DATA_CATEGORIES], { minLength: 1 }),
  expiresAt: fc.option(offsetArb.map((ms) => new Date(NOW.getTime() + ms)), { nil: null }),
  revoked: fc.boolean(),
});

const breakGlassArb = fc.record({ userId: fc.constantFrom(...ALL_USERS), expiresAt: offsetArb.map((ms) => new Date(NOW.getTime() + ms)) });

const factsArb: fc.Arbitrary<SubjectFacts> = fc.record({
  subjectId: fc.constant('person'),
  exists: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  shielded: fc.boolean(),
  involvements: fc.array(involvementArb, { maxLength: 6 }).map((is) => is.map((i, n) => ({ ...i, id: `inv-${n}` }))),
  openEnquiryOrganisationIds: fc.oneof({ weight: 3, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray([...ORGS], { minLength: 1 }) }),
  disclosures: fc.array(disclosureArb, { maxLength: 3 }),
  breakGlass: fc.array(breakGlassArb, { maxLength: 2 }),
  // Recorded by someone, recently or long ago (the recorder keeps the record open for a while).
  recordedBy: fc.option(
    fc.record({
      userId: fc.option(fc.constantFrom(...ALL_USERS), { nil: null }),
      at: fc.integer({ min: 0, max: 2 * RECORDED_BY_DAYS * 86_400_000 }).map((ms) => new Date(NOW.getTime() - ms)),
    }),
    { nil: null },
  ),
});

const categoriesArb: fc.Arbitrary<DataCategory[]> = fc.oneof(
  fc.subarray<DataCategory>([...DATA_CATEGORIES]),
  fc.array(fc.constantFrom<DataCategory>(...DATA_CATEGORIES), { maxLength: 8 }), // duplicates and any order
  fc.constant<DataCategory[]>([...RECORD]), // what the person page asks for
);

const reasonArb: fc.Arbitrary<string | undefined> = fc.option(
  fc.oneof(fc.constantFrom('', '   ', 'Concern raised by the school'), fc.string({ maxLength: 20 })),
  { nil: undefined },
);

const requestArb: fc.Arbitrary<AccessRequest> = fc.record({
  requester: requesterArb,
  action: fc.constantFrom(...ACTIONS),
  categories: categoriesArb,
  purpose: fc.constantFrom('work with the person', 'safeguarding enquiry'),
  reason: reasonArb,
});

const scenarioArb = fc.record({ request: requestArb, facts: factsArb });

// ---------- the oracle: the rules, restated ----------

const isPractitioner = (r: Requester) => r.roles.some((x) => PRACTITIONER_ROLES.includes(x));
const hasReason = (req: AccessRequest) => (req.reason ?? '').trim() !== '';

/** The requester's own or their team's current involvements. */
const myWork = (r: Requester, f: SubjectFacts) =>
  f.involvements.filter((i) => i.active && ((i.practitionerId !== null && i.practitionerId === r.userId) || (i.teamId !== null && r.teamIds.includes(i.teamId))));

const openDisclosuresTo = (r: Requester, f: SubjectFacts, now: Date) =>
  f.disclosures.filter(
    (d) =>
      !d.revoked &&
      (d.expiresAt === null || d.expiresAt.getTime() > now.getTime()) &&
      ((d.recipientUserId !== null && d.recipientUserId === r.userId) ||
        (d.recipientTeamId !== null && r.teamIds.includes(d.recipientTeamId)) ||
        (d.recipientOrganisationId !== null && d.recipientOrganisationId === r.organisationId)),
  );

const inMash = (r: Requester, f: SubjectFacts) =>
  (r.roles.includes('mash_officer') && f.openEnquiryOrganisationIds.length > 0) || (r.roles.includes('team_manager') && f.openEnquiryOrganisationIds.includes(r.organisationId));
const breakingGlass = (r: Requester, f: SubjectFacts, now: Date) => f.breakGlass.some((b) => b.userId === r.userId && b.expiresAt.getTime() > now.getTime());

/**
 * Every rule that lets this requester see (or change) this category of this person, by name;
 * empty when none does. Written from the issue, not from the policy.
 */
function justification(category: DataCategory, req: AccessRequest, f: SubjectFacts, now: Date): string[] {
  const r = req.requester;
  if (req.action === 'create') {
    // Recording a new person: practitioners may, and a new record holds no agency's case content.
    return isPractitioner(r) && RECORD.includes(category) ? ['new-record'] : [];
  }
  if (!f.exists) return [];
  // A subject access request: the IG lead, with the request's reference, exports everything.
  if (req.action === 'export') {
    if (!r.roles.includes('ig_lead') || !hasReason(req)) return [];
    return category === 'whereabouts' && f.shielded ? [] : ['information-governance'];
  }
  if (req.action === 'search' && (!hasReason(req) || !isPractitioner(r))) return []; // practitioners search, with a reason
  if (req.action === 'share' && !isPractitioner(r)) return [];
  if (req.action === 'add-involvement' && !isPractitioner(r)) return [];
  if (req.action === 'add-involvement' && f.shielded) {
    // A shielded person: only someone already working with them, who recorded them, their organisation, or the MASH.
    const recordedRecently = f.recordedBy?.userId === r.userId && now.getTime() - f.recordedBy.at.getTime() < RECORDED_BY_DAYS * 86_400_000;
    const established =
      myWork(r, f).length > 0 || recordedRecently || inMash(r, f) || f.involvements.some((i) => i.active && i.organisationId === r.organisationId);
    if (!established) return [];
  }

  const out: string[] = [];
  const mine = myWork(r, f);
  if (mine.length > 0 && (RECORD.includes(category) || mine.some((i) => i.category === category))) out.push('relationship');
  const recorded =
    isPractitioner(r) && f.recordedBy?.userId === r.userId && now.getTime() - f.recordedBy.at.getTime() < RECORDED_BY_DAYS * 86_400_000;
  if (recorded && RECORD.includes(category) && !(category === 'whereabouts' && f.shielded)) out.push('recorded-by');
  // A shielded person's whereabouts: only those working with them.
  if (category === 'whereabouts' && f.shielded) return out;
  if (inMash(r, f) && !OVERSIGHT.includes(category)) out.push('mash-enquiry');
  if (
    category === 'involvements' &&
    isPractitioner(r) &&
    (req.action === 'add-involvement' || f.involvements.some((i) => i.active && i.organisationId === r.organisationId))
  ) {
    out.push('own-organisation');
  }
  if (WRITES.includes(req.action)) return out; // the rest are grounds for reading only

  if (openDisclosuresTo(r, f, now).some((d) => d.categories.includes(category))) out.push('disclosure');
  if (breakingGlass(r, f, now) && RECORD.includes(category)) out.push('break-glass');
  if (OVERSIGHT.includes(category)) {
    if (r.roles.includes('ig_lead')) out.push('information-governance');
    if (f.involvements.some((i) => i.active && i.role === 'lead_professional' && i.practitionerId === r.userId)) out.push('lead-professional');
  }
  if (CONTACT_MINIMUM.includes(category) && hasReason(req)) {
    const recordBasis = mine.length > 0 || recorded || inMash(r, f) || breakingGlass(r, f, now);
    if (req.action === 'search' || (req.action === 'read' && !recordBasis)) out.push('contact-minimum');
  }
  return out;
}

const sorted = <T,>(xs: Iterable<T>) => [...xs].sort();
const run = (request: AccessRequest, facts: SubjectFacts): Decision => decide(request, facts, NOW);
const opts = { numRuns: RUNS };

describe('access policy properties', () => {
  it('(a) allows only what was asked, and withholds the rest, each category exactly once', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        const asked = new Set(request.categories);
        const redacted = d.redacted.map((r) => r.category);
        for (const c of d.allowed) expect(asked.has(c)).toBe(true);
        expect(new Set(d.allowed).size).toBe(d.allowed.length);
        expect(new Set(redacted).size).toBe(redacted.length);
        expect(d.allowed.filter((c) => redacted.includes(c))).toEqual([]);
        expect(sorted([...d.allowed, ...redacted])).toEqual(sorted(asked));
        for (const r of d.redacted) expect(r.reason.trim()).not.toBe('');
        expect(d.reason.trim()).not.toBe('');
      }),
      opts,
    );
  });

  it('(b) allows no category without a rule that allows it', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        for (const c of d.allowed) expect(justification(c, request, facts, NOW), `${c} allowed on ${d.basis}`).not.toEqual([]);
      }),
      opts,
    );
  });

  it('(b) and withholds nothing a rule allows (reads, searches and new records), and changes all or nothing', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        const asked = [...new Set(request.categories)];
        const justified = asked.filter((c) => justification(c, request, facts, NOW).length > 0);
        if (WRITES.includes(request.action)) {
          const whole = asked.length > 0 && justified.length === asked.length;
          expect(d.allow).toBe(whole);
          expect(sorted(d.allowed)).toEqual(whole ? sorted(asked) : []);
        } else {
          expect(sorted(d.allowed)).toEqual(sorted(justified));
        }
      }),
      opts,
    );
  });

  it('(c) opens case categories only through a relationship of that category, a MASH enquiry or a disclosure of it', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        const r = request.requester;
        for (const c of d.allowed.filter((x) => CASE_CATEGORIES.includes(x))) {
          expect(request.action).not.toBe('create');
          const byRelationship = myWork(r, facts).some((i) => i.category === c);
          const byMash = inMash(r, facts);
          const byDisclosure = openDisclosuresTo(r, facts, NOW).some((x) => x.categories.includes(c));
          const bySubjectAccess = request.action === 'export' && r.roles.includes('ig_lead');
          expect(byRelationship || byMash || byDisclosure || bySubjectAccess, `${c} on ${d.basis}`).toBe(true);
        }
        // Never on the contact minimum, break-glass or a role alone.
        if (['contact-minimum', 'break-glass', 'information-governance', 'lead-professional', 'own-organisation', 'new-record'].includes(d.basis)) {
          const caseBases = d.bases.filter((b) => b === 'relationship' || b === 'mash-enquiry' || b === 'disclosure');
          if (caseBases.length === 0 && request.action !== 'export') expect(d.allowed.filter((x) => CASE_CATEGORIES.includes(x))).toEqual([]);
        }
      }),
      opts,
    );
  });

  it('(c) gives nothing but identity and contacts to someone whose only ground is a reason', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom<Action>('read', 'search'), ({ request, facts }, action) => {
        const r = request.requester;
        // Take away every ground the requester has: their own, their team's and their organisation's
        // involvements, enquiries, disclosures to them, their break-glass and their having recorded the person.
        const stranger: SubjectFacts = {
          ...facts,
          involvements: facts.involvements.filter((i) => i.organisationId !== r.organisationId),
          openEnquiryOrganisationIds: [],
          disclosures: facts.disclosures.filter((d) => !openDisclosuresTo(r, facts, NOW).includes(d)),
          breakGlass: facts.breakGlass.filter((b) => b.userId !== r.userId),
          recordedBy: facts.recordedBy?.userId === r.userId ? null : facts.recordedBy,
        };
        const d = run({ ...request, action }, stranger);
        const roleOnly: DataCategory[] = r.roles.includes('ig_lead') ? [...OVERSIGHT] : [];
        for (const c of d.allowed) expect([...CONTACT_MINIMUM, ...roleOnly]).toContain(c);
        if (d.allow) expect(hasReason(request) || d.basis === 'information-governance').toBe(true);
      }),
      opts,
    );
  });

  it('(d) never reveals a shielded person’s whereabouts without a relationship', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        fc.pre(request.action !== 'create');
        const shielded = { ...facts, shielded: true };
        const d = run({ ...request, categories: [...request.categories, 'whereabouts'] }, shielded);
        if (myWork(request.requester, shielded).length === 0) {
          expect(d.allowed).not.toContain('whereabouts');
        } else if (request.action === 'read' && facts.exists) {
          expect(d.allowed).toContain('whereabouts');
        }
      }),
      opts,
    );
  });

  it('(e) hides a sensitive involvement without consent from everyone outside its organisation, and nothing else', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        const expected = facts.involvements.filter((i) => i.sensitive && !i.consentToShow && i.organisationId !== request.requester.organisationId).map((i) => i.id);
        expect(sorted(d.hiddenInvolvementIds)).toEqual(sorted(expected));
      }),
      opts,
    );
  });

  it('(f) a refusal allows nothing, and an allowance allows something', () => {
    fc.assert(
      fc.property(scenarioArb, ({ request, facts }) => {
        const d = run(request, facts);
        if (d.allow) {
          expect(d.allowed.length).toBeGreaterThan(0);
          expect(d.basis).not.toBe('none');
          expect(d.bases[0]).toBe(d.basis);
        } else {
          expect(d.allowed).toEqual([]);
          expect(d.bases).toEqual([]);
          expect(d.redacted.length).toBe(new Set(request.categories).size);
        }
      }),
      opts,
    );
  });

  const ownDisclosureArb = (r: Requester) =>
    fc.record({
      recipientUserId: fc.constantFrom(r.userId, null),
      recipientTeamId: fc.constant(null),
      recipientOrganisationId: fc.constant(r.organisationId),
      categories: fc.subarray([...DATA_CATEGORIES], { minLength: 1 }),
      expiresAt: fc.option(fc.integer({ min: 1, max: 7_200_000 }).map((ms) => new Date(NOW.getTime() + ms)), { nil: null }),
      revoked: fc.constant(false),
    });
  const ownInvolvementArb = (r: Requester) =>
    fc.record({
      id: fc.constant('inv-new'),
      organisationId: fc.constant(r.organisationId),
      teamId: r.teamIds.length ? fc.option(fc.constantFrom(...r.teamIds), { nil: null }) : fc.constant(null),
      practitionerId: fc.constant(r.userId),
      role: fc.constantFrom(...INVOLVEMENT_ROLES),
      category: fc.constantFrom(...CASE_CATEGORIES),
      sensitive: fc.boolean(),
      consentToShow: fc.boolean(),
      active: fc.constant(true),
    });

  it('(g) adding a disclosure to the requester never takes anything away', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.record({ s: fc.constant(s), extra: ownDisclosureArb(s.request.requester) })),
        ({ s: { request, facts }, extra }) => {
          const before = run(request, facts);
          const after = run(request, { ...facts, disclosures: [...facts.disclosures, extra] });
          for (const c of before.allowed) expect(after.allowed).toContain(c);
          if (before.allow) expect(after.allow).toBe(true);
        },
      ),
      opts,
    );
  });

  it('(g) adding an active involvement of the requester never takes anything away', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.record({ s: fc.constant(s), extra: ownInvolvementArb(s.request.requester) })),
        ({ s: { request, facts }, extra }) => {
          const before = run(request, facts);
          const after = run(request, { ...facts, involvements: [...facts.involvements, extra] });
          for (const c of before.allowed) expect(after.allowed).toContain(c);
          if (before.allow) expect(after.allow).toBe(true);
          // The requester's own organisation's involvement is never hidden from them.
          expect(after.hiddenInvolvementIds).not.toContain(extra.id);
        },
      ),
      opts,
    );
  });

  it('(h) is deterministic, and does not depend on the order facts arrive in', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 1000 }), ({ request, facts }, seed) => {
        const d = run(request, facts);
        expect(decide(structuredClone(request), structuredClone(facts), new Date(NOW.getTime()))).toEqual(d);
        const rotate = <T,>(xs: readonly T[]) => (xs.length ? [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)].reverse() : []);
        const shuffled = decide(
          request,
          { ...facts, involvements: rotate(facts.involvements), disclosures: rotate(facts.disclosures), breakGlass: rotate(facts.breakGlass), openEnquiryOrganisationIds: rotate(facts.openEnquiryOrganisationIds) },
          NOW,
        );
        expect({ ...shuffled, hiddenInvolvementIds: sorted(shuffled.hiddenInvolvementIds) }).toEqual({ ...d, hiddenInvolvementIds: sorted(d.hiddenInvolvementIds) });
      }),
      opts,
    );
  });
});
