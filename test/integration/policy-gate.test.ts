import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { DATA_CATEGORIES, decide, type DataCategory, type Decision } from '../../src/policy/access-policy.ts';
import { AccessDeniedError, requesterOf } from '../../src/policy/policy-gate.ts';
import type { StoredAuditEntry } from '../../src/repositories/audit-repository.ts';
import type { Principal } from '../../src/services/principal.ts';
import type { PersonView } from '../../src/services/person-service.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

/**
 * The PolicyGate against a real database with the demo partnership: every decision it makes
 * leaves exactly one audit entry that says what was decided, the chain stays intact, and what
 * PersonService.view returns never goes beyond the decision.
 */

const ctx = { requestId: 'policy-gate-test', ip: '127.0.0.1' };
const VIEW_CATEGORIES: DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts'];
const REASON = 'Concern raised by the school about attendance';
const PRACTITIONER_ROLES = ['practitioner', 'mash_officer', 'team_manager'];

describe(`policy gate (${describeDatabase()})`, () => {
  let t: TestApp;
  /** Every demo account, by email. */
  const who = new Map<string, Principal>();
  let everyone: Principal[] = [];
  let practitioners: Principal[] = [];
  /** A sensitive service (sexual health) in every organisation, by organisation id. */
  const sensitiveService = new Map<string, string>();
  let personCount = 0;

  beforeAll(async () => {
    t = await createTestApp();
    for (const u of await t.services.demo.users()) {
      const user = await t.services.repositories.users.findByEmail(u.email);
      const p = await t.services.auth.principal(user!.id, 'password');
      who.set(u.email, p!);
    }
    everyone = [...who.values()];
    practitioners = everyone.filter((p) => p.roles.some((r) => PRACTITIONER_ROLES.includes(r)));
    for (const orgId of new Set(everyone.map((p) => p.organisationId))) {
      const id = newId();
      await t.services.repositories.people.insertService(
        { id, organisationId: orgId, name: 'Sexual health clinic', category: 'health', sensitiveKind: 'sexual_health', email: null, phone: null },
        new Date(),
      );
      sensitiveService.set(orgId, id);
    }
  });
  afterAll(async () => t?.close());

  const user = (email: string) => {
    const p = who.get(email);
    if (!p) throw new Error(`No demo user ${email}`);
    return p;
  };

  async function newPerson(shielded: boolean): Promise<string> {
    personCount += 1;
    const { subjectId } = await t.services.people.create(
      user('social.worker@csc.northbridge.example'),
      {
        givenNames: `Test${personCount}`,
        familyName: 'Gatekeeper',
        sex: 'female',
        dateOfBirth: '2015-03-27',
        dobPrecision: 'exact',
        address: { line1: `${personCount} Hollin Lane`, town: 'Northbridge', postcode: 'NB1 2AB' },
        shielded: false,
      },
      ctx,
      { confirmNotDuplicate: true },
    );
    // Shielding comes after the involvements are recorded (a stranger may not add one to a shielded person).
    if (shielded) pendingShield.add(subjectId);
    return subjectId;
  }
  const pendingShield = new Set<string>();
  async function applyShield(subjectId: string): Promise<void> {
    if (!pendingShield.delete(subjectId)) return;
    await t.services.repositories.people.setFlags(subjectId, { shielded: true }, new Date());
  }

  interface InvolvementSpec {
    practitioner: number;
    sensitive: boolean;
    consent: boolean;
    ended: boolean;
  }

  async function involve(subjectId: string, spec: InvolvementSpec): Promise<string> {
    const p = practitioners[spec.practitioner % practitioners.length]!;
    const id = await t.services.people.addInvolvement(
      p,
      subjectId,
      {
        role: spec.sensitive ? 'therapist' : 'key_worker',
        serviceId: spec.sensitive ? sensitiveService.get(p.organisationId) : undefined,
        startDate: '2025-01-06',
        consentToShow: spec.consent,
      },
      ctx,
    );
    if (spec.ended) await t.services.people.endInvolvement(p, subjectId, id, { endDate: new Date().toISOString().slice(0, 10) }, ctx);
    return id;
  }

  async function entriesFor(subjectId: string): Promise<StoredAuditEntry[]> {
    return t.services.audit.search({ subjectId, limit: 10_000 });
  }

  /** Reads through the gate (or the person page) and returns the decision, whether allowed or refused. */
  async function read(
    p: Principal,
    subjectId: string,
    how: { mode: 'gate' | 'view'; categories: DataCategory[]; reason: string | undefined },
  ): Promise<{ decision: Decision; view?: PersonView }> {
    try {
      if (how.mode === 'view') {
        const view = await t.services.people.view(p, subjectId, ctx, { reason: how.reason });
        return { decision: { allow: true, basis: view.basis, allowed: view.allowed, redacted: view.withheld } as Decision, view };
      }
      const { decision } = await t.services.gate.check(
        p,
        { action: 'read', subjectId, categories: how.categories, purpose: 'work with the person', reason: how.reason, auditAction: 'person.read' },
        ctx,
      );
      return { decision };
    } catch (err) {
      if (err instanceof AccessDeniedError) return { decision: err.decision };
      throw err;
    }
  }

  /** What a view may show: never whereabouts the decision withheld, never an involvement hidden from the reader. */
  async function expectViewWithinDecision(p: Principal, subjectId: string, view: PersonView) {
    const facts = await t.services.repositories.people.policyFacts(subjectId, new Date());
    const hidden = facts.involvements.filter((i) => i.sensitive && !i.consentToShow && i.organisationId !== p.organisationId).map((i) => i.id);
    if (!view.allowed.includes('whereabouts')) expect(view.addresses).toBeNull();
    if (facts.shielded && !facts.involvements.some((i) => i.active && (i.practitionerId === p.userId || (i.teamId !== null && p.teamIds.includes(i.teamId))))) {
      expect(view.addresses).toBeNull();
    }
    if (!view.allowed.includes('family')) expect(view.relationships).toBeNull();
    if (!view.allowed.includes('involvements')) expect(view.involvements).toBeNull();
    if (!view.allowed.includes('contacts')) expect(view.contacts).toEqual([]);
    for (const i of view.involvements ?? []) expect(hidden).not.toContain(i.id);
    for (const c of view.contacts) expect(hidden).not.toContain(c.involvementId);
  }

  const involvementArb: fc.Arbitrary<InvolvementSpec> = fc.record({
    practitioner: fc.nat({ max: 50 }),
    sensitive: fc.boolean(),
    consent: fc.boolean(),
    ended: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });

  const readArb = fc.record({
    reader: fc.nat({ max: 50 }),
    mode: fc.constantFrom('gate' as const, 'view' as const),
    categories: fc.subarray([...DATA_CATEGORIES]),
    reason: fc.option(fc.constantFrom(REASON, '   ', 'to check'), { nil: undefined }),
  });

  const scenarioArb = fc.record({
    shielded: fc.boolean(),
    involvements: fc.array(involvementArb, { maxLength: 4 }),
    enquiry: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    breakGlass: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { maxLength: 2 }),
    disclosures: fc.array(
      fc.record({ to: fc.nat({ max: 50 }), categories: fc.subarray([...DATA_CATEGORIES], { minLength: 1 }), expired: fc.boolean(), revoked: fc.boolean() }),
      { maxLength: 2 },
    ),
    reads: fc.array(readArb, { minLength: 1, maxLength: 6 }),
  });

  it('leaves exactly one audit entry per decision, saying what was decided, and keeps the chain intact', async () => {
    let allowedSeen = 0;
    let deniedSeen = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const subjectId = await newPerson(s.shielded);
        // The same practitioner twice for the same kind of service is one involvement (a second is refused as a repeat).
        const seen = new Set<string>();
        for (const spec of s.involvements) {
          const key = `${spec.practitioner % practitioners.length}/${spec.sensitive}`;
          if (seen.has(key)) continue;
          seen.add(key);
          await involve(subjectId, spec);
        }
        await applyShield(subjectId);
        if (s.enquiry) {
          const mash = user('mash.officer@csc.northbridge.example');
          await t.services.repositories.people.openEnquiry({ subjectId, id: newId(), organisationId: mash.organisationId, openedBy: mash.userId, reason: 'Referral from school' }, new Date());
        }
        for (const n of s.breakGlass) {
          await t.services.people.breakGlass(practitioners[n % practitioners.length]!, subjectId, { reason: 'Child reported missing overnight, police need to know who is involved' }, ctx);
        }
        for (const d of s.disclosures) {
          const to = everyone[d.to % everyone.length]!;
          const now = Date.now();
          await t.services.repositories.people.db
            .insertInto('disclosure_grant')
            .values({
              subject_id: subjectId,
              id: newId(),
              recipient_user_id: to.userId,
              recipient_team_id: null,
              recipient_organisation_id: null,
              categories: d.categories,
              granted_by: user('social.worker@csc.northbridge.example').userId,
              granted_at: new Date(now - 86_400_000),
              expires_at: d.expired ? new Date(now - 60_000) : new Date(now + 86_400_000),
              revoked_at: d.revoked ? new Date(now - 60_000) : null,
            })
            .execute();
        }

        for (const r of s.reads) {
          const p = everyone[r.reader % everyone.length]!;
          const categories = r.mode === 'view' ? VIEW_CATEGORIES : r.categories;
          // What the policy says, from the same facts, computed here without the gate.
          const expected = decide(
            { requester: requesterOf(p), action: 'read', categories, purpose: 'work with the person', reason: r.reason },
            await t.services.repositories.people.policyFacts(subjectId, new Date()),
            new Date(),
          );
          const before = await entriesFor(subjectId);
          const headBefore = before[0]?.seq ?? 0;
          const { decision, view } = await read(p, subjectId, { mode: r.mode, categories, reason: r.reason });
          const added = (await entriesFor(subjectId)).filter((e) => e.seq > headBefore);

          expect(decision.allow).toBe(expected.allow);
          expect(decision.allowed).toEqual(expected.allowed);
          expect(added).toHaveLength(1);
          const entry = added[0]!;
          expect(entry.action).toBe('person.read');
          expect(entry.actorUserId).toBe(p.userId);
          expect(entry.subjectType).toBe('person');
          expect(entry.outcome).toBe(decision.allow ? 'success' : 'denied');
          expect(entry.details.allowed).toEqual(decision.allowed);
          expect(entry.details.withheld).toEqual(decision.redacted.map((x) => x.category));
          expect(entry.details.basis).toBe(decision.basis);
          if (r.reason?.trim()) expect(entry.reason).toBe(r.reason.trim());
          else expect(entry.reason).toBeTruthy(); // the decision's own reason
          if (view) await expectViewWithinDecision(p, subjectId, view);
          if (decision.allow) allowedSeen += 1;
          else deniedSeen += 1;
        }
        const verified = await t.services.audit.verify();
        expect(verified.ok).toBe(true);
      }),
      { numRuns: 25 },
    );
    // The generated reads exercised both outcomes.
    expect(allowedSeen).toBeGreaterThan(0);
    expect(deniedSeen).toBeGreaterThan(0);
  }, 120_000);

  it('never shows withheld whereabouts or a sensitive service’s involvement without consent to another organisation', async () => {
    const socialWorker = user('social.worker@csc.northbridge.example');
    const healthVisitor = user('health.visitor@nhs.northbridge.example');
    const probation = user('probation.officer@probation.northbridge.example');
    const mash = user('mash.officer@csc.northbridge.example');
    const gp = user('gp@riverside.northbridge.example');
    const subjectId = await newPerson(true);

    const social = await involve(subjectId, { practitioner: practitioners.indexOf(socialWorker), sensitive: false, consent: false, ended: false });
    const secret = await involve(subjectId, { practitioner: practitioners.indexOf(healthVisitor), sensitive: true, consent: false, ended: false });
    const consented = await involve(subjectId, { practitioner: practitioners.indexOf(gp), sensitive: true, consent: true, ended: false });
    await applyShield(subjectId);
    await t.services.repositories.people.openEnquiry({ subjectId, id: newId(), organisationId: mash.organisationId, openedBy: mash.userId, reason: 'Referral' }, new Date());
    await t.services.people.breakGlass(probation, subjectId, { reason: 'Child reported missing overnight, need to find carers' }, ctx);

    const ids = (v: PersonView) => ({ involvements: (v.involvements ?? []).map((i) => i.id).sort(), contacts: v.contacts.map((c) => c.involvementId).sort() });

    // The allocated social worker: a relationship, so the shielded person's address; not the clinic without consent.
    const sw = await t.services.people.view(socialWorker, subjectId, ctx);
    expect(sw.basis).toBe('relationship');
    expect(sw.addresses).toHaveLength(1);
    expect(ids(sw)).toEqual({ involvements: [social, consented].sort(), contacts: [social, consented].sort() });

    // The MASH officer with an open enquiry: no address of a shielded person, no hidden involvement.
    const m = await t.services.people.view(mash, subjectId, ctx);
    expect(m.basis).toBe('mash-enquiry');
    expect(m.addresses).toBeNull();
    expect(m.withheld.find((w) => w.category === 'whereabouts')?.reason).toMatch(/shielded/);
    expect(ids(m).involvements).not.toContain(secret);
    expect(ids(m).contacts).not.toContain(secret);

    // Break-glass: no address of a shielded person either.
    const bg = await t.services.people.view(probation, subjectId, ctx);
    expect(bg.basis).toBe('break-glass');
    expect(bg.addresses).toBeNull();
    expect(ids(bg).involvements).not.toContain(secret);

    // Someone with only a reason: the contact minimum, no address, no involvement list, no hidden contact.
    const stranger = await t.services.people.view(user('housing.officer@homes.northbridge.example'), subjectId, ctx, { reason: REASON });
    expect(stranger.basis).toBe('contact-minimum');
    expect(stranger.addresses).toBeNull();
    expect(stranger.involvements).toBeNull();
    expect(stranger.relationships).toBeNull();
    expect(stranger.contacts.map((c) => c.involvementId)).not.toContain(secret);
    expect(stranger.contacts.length).toBeGreaterThan(0);

    // The organisation providing the sensitive service sees its own involvement.
    const hv = await t.services.people.view(healthVisitor, subjectId, ctx);
    expect(hv.addresses).toHaveLength(1);
    expect(ids(hv).involvements).toContain(secret);

    // Without a reason or a basis: refused, and audited as refused.
    await expect(t.services.people.view(user('yjs.worker@yjs.northbridge.example'), subjectId, ctx)).rejects.toBeInstanceOf(AccessDeniedError);
    const [last] = await entriesFor(subjectId);
    expect(last).toMatchObject({ action: 'person.read', outcome: 'denied', details: { allowed: [] } });
    expect((await t.services.audit.verify()).ok).toBe(true);
  });
});
