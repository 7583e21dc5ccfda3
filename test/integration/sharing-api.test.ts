import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const USERS = {
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  ig: 'ig.lead@csc.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  hv: 'health.visitor@nhs.northbridge.example',
} as const;
type Who = keyof typeof USERS;

describe(`Sharing API: consent, decisions, approval and disclosures (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const orgIds = {} as Record<Who, string>;
  let child: string;
  let noteId: string;
  let addressId: string;

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const ok = async (p: Promise<request.Response> | request.Test, status = 200) => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };
  const baseDecision = () => ({
    purpose: 'early_help',
    purposeDetail: 'Arrange tenancy support for the family',
    identifies: true,
    confidential: true,
    consentPosition: 'given',
    legalBases: ['gdpr_6_1_a', 'gdpr_6_1_e'],
    minimumNecessary: 'Only the visiting arrangements the housing officer needs',
    personTold: 'told',
    outcome: 'share',
    reasons: 'The family asked for help with repairs and agreed to share',
    recipientOrganisationId: orgIds.housing,
    items: [{ type: 'note', id: noteId }],
    oneOffJustification: 'First referral to this housing provider, no agreement yet in place',
  });

  beforeAll(async () => {
    t = await createTestApp();
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      const created = await t.services.auth.createApiToken(email, { by: CLI });
      tokens[who] = created.token;
      orgIds[who] = created.user.organisationId;
    }
    child = (
      await ok(
        call('sw', 'post', '/api/v1/people', {
          givenNames: 'Poppy',
          familyName: 'Ashdown',
          sex: 'female',
          dobPrecision: 'exact',
          dateOfBirth: '2021-03-04',
          address: { line1: '3 Mill Row', town: 'Northbridge', postcode: 'NB1 2AB' },
        }),
        201,
      )
    ).subjectId;
    await ok(call('sw', 'post', `/api/v1/people/${child}/involvements`, { role: 'allocated_social_worker', startDate: '2025-01-01' }), 201);
    noteId = (await ok(call('sw', 'post', `/api/v1/people/${child}/notes`, { category: 'social_care', kind: 'alert', title: 'Two-person visits', body: 'Staff visit in pairs after an incident in 2025' }), 201)).id;
    await ok(call('sw', 'post', `/api/v1/people/${child}/addresses`, { line1: '9 Old Quay', town: 'Northbridge', postcode: 'NB1 3EF', fromDate: '2026-06-01' }), 204);
    const shareable = await ok(call('sw', 'get', `/api/v1/people/${child}/shareable`));
    addressId = shareable.items.find((i: { type: string; label: string }) => i.type === 'address' && i.label.startsWith('9 Old Quay')).id;
  }, 120_000);
  afterAll(async () => t?.close());

  it('refuses to rely on consent for another purpose, and says so', async () => {
    await ok(
      call('sw', 'post', `/api/v1/people/${child}/consents`, {
        decision: 'given',
        givenBy: 'parental_responsibility',
        givenByName: 'Dana Ashdown',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['early_help'],
        recipientOrganisationTypes: ['housing'],
        categories: ['identity', 'social_care'],
        method: 'verbal',
      }),
      201,
    );
    const res = await call('sw', 'post', `/api/v1/people/${child}/sharing-decisions`, { ...baseDecision(), purpose: 'safeguarding_child' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields['body.consentPosition']).toMatch(/does not cover another/);
  });

  it('refuses to pass on an item the sharer may not see without naming it (a sensitive service)', async () => {
    const other = (
      await ok(call('sw', 'post', '/api/v1/people', { givenNames: 'Wren', familyName: 'Ashdown', sex: 'female', dobPrecision: 'exact', dateOfBirth: '2019-09-09' }), 201)
    ).subjectId as string;
    const service = await t.services.repositories.people.db.selectFrom('service').select(['id', 'name']).where('sensitive_kind', '=', 'substance_misuse').executeTakeFirstOrThrow();
    const hidden = (await ok(call('hv', 'post', `/api/v1/people/${other}/involvements`, { role: 'other', serviceId: service.id, startDate: '2025-02-01' }), 201)).id as string;
    // The police work with her too: the policy opens her involvements to them, but never the sensitive one.
    await ok(call('police', 'post', `/api/v1/people/${other}/involvements`, { role: 'other', startDate: '2025-02-01' }), 201);
    const res = await call('police', 'post', `/api/v1/people/${other}/sharing-decisions`, { ...baseDecision(), items: [{ type: 'involvement', id: hidden }] });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.fields['body.items']).toContain('an item you cannot see (involvements)');
    const nurse = await t.services.repositories.users.findByEmail(USERS.hv);
    for (const secret of [service.name, nurse!.displayName, 'NHS']) expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it('shares with consent at once: the recipient sees exactly the items sent', async () => {
    const r = await ok(call('sw', 'post', `/api/v1/people/${child}/sharing-decisions`, baseDecision()), 201);
    expect(r).toMatchObject({ status: 'shared', approvalRequired: false });
    const inbox = await ok(call('housing', 'get', '/api/v1/inbox'));
    const d = inbox.disclosures.find((x: { id: string }) => x.id === r.disclosureId);
    expect(d.subjectName).toBe('Poppy Ashdown');
    const opened = await ok(call('housing', 'get', `/api/v1/people/${child}/disclosures/${r.disclosureId}`));
    expect(opened.shown.map((s: { type: string }) => s.type).sort()).toEqual(['identity', 'note']);
    // Nothing more: no address through the person record either.
    const person = await ok(call('housing', 'get', `/api/v1/people/${child}?reason=${encodeURIComponent('checking shared information')}`));
    expect(person.addresses ?? null).toBeNull();
    await ok(call('housing', 'post', `/api/v1/people/${child}/disclosures/${r.disclosureId}/acknowledge`));
  });

  it('holds a share without consent until a manager approves it; the decider cannot approve', async () => {
    const body = {
      ...baseDecision(),
      purpose: 'safeguarding_child',
      consentPosition: 'not_sought',
      notSeekingReason: 'unsafe',
      notSeekingDetail: 'Asking the parent would put the child at greater risk tonight',
      riskChild: true,
      riskDetail: 'Reported threats of violence in the home this week',
      legalBases: ['gdpr_6_1_e', 'ca1989_s47'],
      items: [{ type: 'address', id: addressId }],
      recipientOrganisationId: orgIds.police,
      oneOffJustification: undefined,
    };
    const r = await ok(call('sw', 'post', `/api/v1/people/${child}/sharing-decisions`, body), 201);
    expect(r).toMatchObject({ status: 'awaiting_approval', approvalRequired: true, disclosureId: null });
    const before = await ok(call('police', 'get', '/api/v1/inbox'));
    expect(before.disclosures).toEqual([]);
    const self = await call('sw', 'post', `/api/v1/people/${child}/sharing-decisions/${r.id}/approval`, { decision: 'approve' });
    expect(self.status).toBe(403);
    const settled = await ok(call('tm', 'post', `/api/v1/people/${child}/sharing-decisions/${r.id}/approval`, { decision: 'approve', note: 'Agreed: risk outweighs' }));
    expect(settled.status).toBe('shared');
    const after = await ok(call('police', 'get', '/api/v1/inbox'));
    expect(after.disclosures).toHaveLength(1);
    // The police see that one address through the record too, and not the other one.
    const person = await ok(call('police', 'get', `/api/v1/people/${child}`));
    expect(person.basis).toBe('disclosure');
    expect(person.addresses.map((a: { line1: string }) => a.line1)).toEqual(['9 Old Quay']);
    expect(person.identity.names).toHaveLength(1);
    const report = await ok(call('tm', 'get', '/api/v1/sharing-decisions?withConsent=no'));
    expect(report.decisions.map((d: { id: string }) => d.id)).toContain(r.id);
    const csv = await call('tm', 'get', '/api/v1/sharing-decisions?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toMatch(/^decided_at,decision_id,subject_id/);
  });

  it('records a decision not to share, and the IG lead sees it in the sharing history', async () => {
    const r = await ok(
      call('sw', 'post', `/api/v1/people/${child}/sharing-decisions`, {
        purpose: 'education',
        purposeDetail: 'A tutor asked why the family sees us',
        requestFrom: 'A private tutor',
        identifies: true,
        confidential: true,
        consentPosition: 'not_sought',
        personTold: 'will_tell',
        outcome: 'not_share',
        reasons: 'No risk of harm; the tutor should ask the parent',
      }),
      201,
    );
    expect(r.status).toBe('recorded');
    const history = await ok(call('ig', 'get', `/api/v1/people/${child}/sharing-history`));
    expect(history.decisions.map((d: { outcome: string }) => d.outcome)).toContain('not_share');
    const denied = await call('housing', 'get', `/api/v1/people/${child}/sharing-history`);
    expect(denied.status).toBe(403);
    const sar = await ok(call('ig', 'post', `/api/v1/people/${child}/subject-access`, { reference: 'SAR-2026-001' }));
    expect(sar.sharing.decisions.length).toBeGreaterThanOrEqual(3);
  });

  it('a revoked disclosure shows nothing', async () => {
    const hist = await ok(call('ig', 'get', `/api/v1/people/${child}/sharing-history`));
    const toHousing = hist.disclosures.find((d: { recipientOrganisationId: string }) => d.recipientOrganisationId === orgIds.housing);
    await ok(call('sw', 'post', `/api/v1/people/${child}/disclosures/${toHousing.id}/revoke`, { reason: 'Family moved away; no longer needed' }));
    const opened = await ok(call('housing', 'get', `/api/v1/people/${child}/disclosures/${toHousing.id}`));
    expect(opened.shown).toEqual([]);
    expect(opened.unavailable[0].reason).toMatch(/withdrawn/);
  });
});
