import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENT_REVIEW_REMINDER } from '../../src/jobs/agreement-review-reminder.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { addIgLead, organisationId } from '../support/agreements.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };

const USERS = {
  ig: 'ig.lead@csc.northbridge.example',
  igPolice: 'ig.lead@police.northbridge.example',
  igNhs: 'ig.lead@nhs.northbridge.example',
  admin: 'admin@csc.northbridge.example',
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
} as const;
type Who = keyof typeof USERS;

const ORGS = {
  csc: "Northbridge Children's Services",
  police: 'Northbridge Police',
  nhs: 'Northbridge Community Health NHS Trust',
  housing: 'Northbridge Homes',
  school: 'Hollin Lane Primary School',
} as const;

const DAY = 86_400_000;
const day = (offset: number, from = new Date()) => new Date(from.getTime() + offset * DAY).toISOString().slice(0, 10);

describe(`Information sharing agreements API (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const org = {} as Record<keyof typeof ORGS, string>;
  let ajv: Ajv2020;
  let created: string;

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const conforms = (component: string, value: unknown) => {
    const validate = ajv.getSchema(`doc#/components/schemas/${component}`)!;
    expect(validate(value), `${component}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };
  const agreementCount = async () => Number((await t.services.repositories.people.db.selectFrom('sharing_agreement').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const partyCount = async () => Number((await t.services.repositories.people.db.selectFrom('sharing_agreement_party').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const notificationCount = async (kind = 'agreement-review') =>
    Number((await t.services.repositories.people.db.selectFrom('notification').where('kind', '=', kind).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const byReference = async (reference: string) => {
    const list = (await call('sw', 'get', '/api/v1/agreements').expect(200)).body.agreements as Array<{ id: string; reference: string }>;
    return list.find((a) => a.reference === reference)!.id;
  };
  const coverage = (query: Record<string, string>) => call('sw', 'get', `/api/v1/agreements/coverage?${new URLSearchParams(query)}`);

  const valid = () => ({
    reference: 'NB-ISA-010',
    title: 'Keeping staff safe on home visits',
    parties: [
      { organisationId: org.csc, signatoryName: 'Helen Carver', signatoryRole: 'Caldicott guardian' },
      { organisationId: org.police },
      { organisationId: org.nhs },
    ],
    purposes: ['staff_safety'],
    legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence'],
    categories: ['identity', 'whereabouts', 'police', 'health'],
    retention: 'Kept for 2 years after the last visit warning, then destroyed',
    startDate: '2025-01-01',
    reviewDate: day(20),
    notes: 'Two-person visiting warnings only',
  });

  beforeAll(async () => {
    t = await createTestApp();
    await addIgLead(t, ORGS.police, USERS.igPolice, 'Claire Whitlow');
    await addIgLead(t, ORGS.nhs, USERS.igNhs, 'Priya Nair');
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) tokens[who] = (await t.services.auth.createApiToken(email, { by: CLI })).token;
    for (const [k, name] of Object.entries(ORGS) as Array<[keyof typeof ORGS, string]>) org[k] = await organisationId(t, name);
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
  });
  afterAll(async () => {
    await t?.services.jobs.stop({ timeoutMs: 1000 });
    await t?.close();
  });

  it('describes every agreement route in the OpenAPI document, with request and response schemas', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    for (const [path, method] of [
      ['/api/v1/agreements', 'get'],
      ['/api/v1/agreements', 'post'],
      ['/api/v1/agreements/reviews-due', 'get'],
      ['/api/v1/agreements/coverage', 'get'],
      ['/api/v1/agreements/{id}', 'get'],
      ['/api/v1/agreements/{id}/sign', 'post'],
      ['/api/v1/agreements/{id}/activate', 'post'],
      ['/api/v1/agreements/{id}/status', 'post'],
      ['/api/v1/agreements/{id}/review', 'post'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.values(op.responses as Record<string, { content?: unknown }>).some((r) => r.content)).toBe(true);
    }
    expect(doc.paths['/api/v1/agreements'].post.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
    expect(doc.components.schemas.Agreement.properties.status).toBeDefined();
    expect(doc.paths['/api/v1/agreements/coverage'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['categories', 'date', 'from', 'purpose', 'to']);
  });

  it('lets everyone signed in read the register, with the reviews due', async () => {
    const res = await call('sw', 'get', '/api/v1/agreements').expect(200);
    conforms('AgreementList', res.body);
    const refs = res.body.agreements.map((a: { reference: string }) => a.reference).sort();
    expect(refs).toEqual(['NB-ISA-001', 'NB-ISA-002', 'NB-ISA-003']);

    const drafts = (await call('sw', 'get', '/api/v1/agreements?status=draft').expect(200)).body.agreements;
    expect(drafts.map((a: { reference: string }) => a.reference)).toEqual(['NB-ISA-003']);
    const withPolice = (await call('sw', 'get', `/api/v1/agreements?organisationId=${org.police}`).expect(200)).body.agreements;
    expect(withPolice.map((a: { reference: string }) => a.reference).sort()).toEqual(['NB-ISA-001', 'NB-ISA-003']);
    const due = (await call('sw', 'get', '/api/v1/agreements?reviewDue=true').expect(200)).body.agreements;
    expect(due.map((a: { reference: string }) => a.reference)).toEqual(['NB-ISA-002']);
    const notDue = (await call('sw', 'get', '/api/v1/agreements?reviewDue=false').expect(200)).body.agreements;
    expect(notDue.map((a: { reference: string }) => a.reference).sort()).toEqual(['NB-ISA-001', 'NB-ISA-003']);
    // A blank filter is no filter.
    expect((await call('sw', 'get', '/api/v1/agreements?reviewDue=&status=').expect(200)).body.agreements).toHaveLength(3);

    const reviews = await call('tm', 'get', '/api/v1/agreements/reviews-due').expect(200);
    conforms('AgreementList', reviews.body);
    expect(reviews.body.agreements).toEqual([expect.objectContaining({ reference: 'NB-ISA-002', daysToReview: 12, reviewDue: true, status: 'active' })]);

    const bad = await call('sw', 'get', '/api/v1/agreements?status=lapsed&organisationId=nope').expect(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['query.organisationId', 'query.status']);

    const one = await call('sw', 'get', `/api/v1/agreements/${await byReference('NB-ISA-001')}`).expect(200);
    conforms('AgreementDetail', one.body);
    expect(one.body.parties).toHaveLength(3);
    expect(one.body.allSigned).toBe(true);
    await call('sw', 'get', '/api/v1/agreements/0190a0a0-0000-7000-8000-000000000000').expect(404);
    const notId = await call('sw', 'get', '/api/v1/agreements/NB-ISA-001').expect(400);
    expect(Object.keys(notId.body.error.fields)).toEqual(['path.id']);
  });

  it('answers whether an agreement covers a share', async () => {
    const covered = await coverage({ from: org.csc, to: org.police, purpose: 'safeguarding_child', categories: 'identity,police' }).expect(200);
    conforms('AgreementCoverage', covered.body);
    expect(covered.body).toMatchObject({ status: 'covered', agreementId: await byReference('NB-ISA-001'), message: 'Covered by agreement NB-ISA-001' });

    const otherPurpose = (await coverage({ from: org.police, to: org.csc, purpose: 'early_help', categories: 'identity' }).expect(200)).body;
    expect(otherPurpose.status).toBe('not_covered');
    expect(otherPurpose.message).toContain('does not cover early help');

    const otherCategory = (await coverage({ from: org.csc, to: org.nhs, purpose: 'safeguarding_child', categories: 'identity,housing' }).expect(200)).body;
    expect(otherCategory.status).toBe('not_covered');
    expect(otherCategory.message).toContain('does not cover housing');

    // Only a draft is between children's services and housing: a draft covers nothing and does not count as an agreement.
    const draftOnly = (await coverage({ from: org.csc, to: org.housing, purpose: 'housing_support', categories: 'identity' }).expect(200)).body;
    expect(draftOnly).toMatchObject({ status: 'no_agreement', agreementId: null });
    expect(draftOnly.message).toContain('justify this as a one-off');

    // Before the agreement started it did not cover anything.
    const before = (await coverage({ from: org.csc, to: org.police, purpose: 'safeguarding_child', categories: 'identity', date: day(-500) }).expect(200)).body;
    expect(before.status).toBe('not_covered');

    const bad = await coverage({ from: org.csc, to: org.csc, purpose: 'gossip', categories: 'identity,access_history' }).expect(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['query.categories.1', 'query.purpose']);
    const same = await coverage({ from: org.csc, to: org.csc, purpose: 'early_help', categories: 'identity' }).expect(400);
    expect(same.body.error.fields).toEqual({ 'query.to': expect.stringContaining('different organisation') });
  });

  it('lets only IG leads and administrators add agreements, and audits the refusal', async () => {
    const before = await agreementCount();
    const res = await call('sw', 'post', '/api/v1/agreements', valid()).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    const denied = await t.services.audit.search({ action: 'sharing-agreement.create', outcome: 'denied', limit: 5 });
    expect(denied[0]).toMatchObject({ actorLabel: USERS.sw, subjectType: 'sharing-agreement' });
    expect(await agreementCount()).toBe(before);
  });

  it('refuses a bad agreement with every problem named, and saves nothing', async () => {
    const before = [await agreementCount(), await partyCount()];
    const bad = await call('ig', 'post', '/api/v1/agreements', {
      ...valid(),
      reference: 'has spaces',
      parties: [{ organisationId: org.csc }, { organisationId: org.csc }],
      purposes: [],
      categories: ['identity', 'access_history'],
      startDate: '2025-02-30',
      endDate: '2024-01-01',
    }).expect(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['body.categories.1', 'body.purposes', 'body.reference', 'body.startDate']);
    expect(bad.body.error.fields['body.startDate']).toBe('The start date must be a real date');

    const dates = await call('ig', 'post', '/api/v1/agreements', { ...valid(), endDate: '2024-12-31', reviewDate: '2025-01-01', parties: [{ organisationId: org.csc }, { organisationId: org.csc }] }).expect(400);
    expect(dates.body.error.fields).toEqual({
      'body.endDate': 'The end date must be on or after the start date',
      'body.reviewDate': 'The review date must be after the start date',
      'body.parties.1.organisationId': 'Each organisation can be a party only once',
    });

    const one = await call('ig', 'post', '/api/v1/agreements', { ...valid(), parties: [{ organisationId: org.csc }] }).expect(400);
    expect(one.body.error.fields['body.parties']).toMatch(/at least two organisations/);

    const noArticle6 = await call('ig', 'post', '/api/v1/agreements', { ...valid(), legalBases: ['ca1989_s47', 'gdpr_9_2_g', 'dpa_sch1_p18_offence'] }).expect(400);
    expect(noArticle6.body.error.fields).toEqual({ 'body.legalBases': 'Choose at least one UK GDPR article 6 basis for sharing personal data' });
    const noArticle9 = await call('ig', 'post', '/api/v1/agreements', { ...valid(), legalBases: ['gdpr_6_1_e', 'dpa_sch1_p18_offence'] }).expect(400);
    expect(noArticle9.body.error.fields['body.legalBases']).toMatch(/article 9/);
    const unknownBasis = await call('ig', 'post', '/api/v1/agreements', { ...valid(), legalBases: ['gdpr_6_1_e', 'made_up'] }).expect(400);
    expect(unknownBasis.body.error.fields['body.legalBases']).toBe('Unknown legal basis: made_up');

    const taken = await call('ig', 'post', '/api/v1/agreements', { ...valid(), reference: 'nb-isa-001' }).expect(400);
    expect(taken.body.error.fields).toEqual({ 'body.reference': 'There is already an agreement with the reference nb-isa-001' });

    const notOurs = await call('ig', 'post', '/api/v1/agreements', { ...valid(), parties: [{ organisationId: org.police }, { organisationId: org.nhs }] }).expect(400);
    expect(notOurs.body.error.fields['body.parties']).toMatch(/Your organisation .* must be one of the parties/);

    const noSuchOrg = await call('ig', 'post', '/api/v1/agreements', { ...valid(), parties: [{ organisationId: org.csc }, { organisationId: '0190a0a0-0000-7000-8000-000000000000' }] }).expect(400);
    expect(noSuchOrg.body.error.fields).toEqual({ 'body.parties.1.organisationId': 'No such organisation' });

    expect([await agreementCount(), await partyCount()]).toEqual(before);
  });

  it('adds a draft, which every party signs before it is activated', async () => {
    const res = await call('ig', 'post', '/api/v1/agreements', valid()).expect(201);
    conforms('AgreementDetail', res.body);
    created = res.body.id;
    expect(res.headers.location).toBe(`/api/v1/agreements/${created}`);
    expect(res.body).toMatchObject({ reference: 'NB-ISA-010', status: 'draft', allSigned: false, reviewDue: false, createdBy: expect.any(String) });
    expect(res.body.parties.find((p: { organisationId: string }) => p.organisationId === org.csc)).toMatchObject({ signatoryName: 'Helen Carver', signedAt: null });
    expect(res.body.history.map((h: { action: string }) => h.action)).toEqual(['create']);

    // A draft covers nothing: the police and the health trust's only other agreement is not for this purpose.
    expect((await coverage({ from: org.police, to: org.nhs, purpose: 'staff_safety', categories: 'identity' }).expect(200)).body).toMatchObject({
      status: 'not_covered',
      agreementId: await byReference('NB-ISA-001'),
    });

    // Only the IG lead of a party signs, for their own organisation.
    await call('sw', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Kofi Mensah', signatoryRole: 'Social worker' }).expect(403);
    await call('admin', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Alex Morgan', signatoryRole: 'Administrator' }).expect(403);
    await call('igPolice', 'post', `/api/v1/agreements/${await byReference('NB-ISA-002')}/sign`, { signatoryName: 'Claire Whitlow', signatoryRole: 'DPO' }).expect(403);
    const noName = await call('igPolice', 'post', `/api/v1/agreements/${created}/sign`, { signatoryRole: 'Head of Public Protection' }).expect(400);
    expect(Object.keys(noName.body.error.fields)).toEqual(['body.signatoryName']);

    const signed = await call('igPolice', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Det Supt Claire Whitlow', signatoryRole: 'Head of Public Protection' }).expect(200);
    conforms('AgreementDetail', signed.body);
    expect(signed.body.parties.find((p: { organisationId: string }) => p.organisationId === org.police)).toMatchObject({ signatoryName: 'Det Supt Claire Whitlow', signedAt: expect.any(String) });
    const twice = await call('igPolice', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Det Supt Claire Whitlow', signatoryRole: 'Head of Public Protection' }).expect(400);
    expect(twice.body.error.message).toBe('Northbridge Police has already signed NB-ISA-010');

    const early = await call('ig', 'post', `/api/v1/agreements/${created}/activate`).expect(400);
    expect(early.body.error.message).toBe(`Every party must sign before the agreement is active: waiting for ${ORGS.csc}, ${ORGS.nhs}`);

    await call('igNhs', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Dr Priya Nair', signatoryRole: 'Caldicott guardian' }).expect(200);
    await call('ig', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Helen Carver', signatoryRole: 'Caldicott guardian' }).expect(200);

    await call('sw', 'post', `/api/v1/agreements/${created}/activate`).expect(403);
    const active = await call('igNhs', 'post', `/api/v1/agreements/${created}/activate`).expect(200);
    expect(active.body).toMatchObject({ status: 'active', allSigned: true, reviewDue: true, daysToReview: 20 });
    const again = await call('ig', 'post', `/api/v1/agreements/${created}/activate`).expect(400);
    expect(again.body.error.message).toBe('NB-ISA-010 is active: only a draft can be activated');
    // Signing is for drafts only.
    await call('ig', 'post', `/api/v1/agreements/${created}/sign`, { signatoryName: 'Helen Carver', signatoryRole: 'Caldicott guardian' }).expect(400);

    expect((await coverage({ from: org.police, to: org.nhs, purpose: 'staff_safety', categories: 'identity,health' }).expect(200)).body).toMatchObject({ status: 'covered', agreementId: created });
  });

  it('reminds the IG leads of every party of reviews due (the daily job), at most once a week', async () => {
    const now = new Date();
    // The job, as the server runs it every morning.
    await t.services.jobs.start({ pollingIntervalSeconds: 0.5 });
    const jobId = await t.services.jobs.send(AGREEMENT_REVIEW_REMINDER, {});
    expect(jobId).toBeTruthy();
    let job = await t.services.jobs.status(AGREEMENT_REVIEW_REMINDER, jobId!);
    for (const until = Date.now() + 20_000; job?.state !== 'completed' && job?.state !== 'failed' && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = await t.services.jobs.status(AGREEMENT_REVIEW_REMINDER, jobId!);
    }
    expect(job?.state).toBe('completed');
    const first = job!.output;
    // NB-ISA-002 (children's services' IG lead only: the school and the charity have none in the demo)
    // and NB-ISA-010 (the IG leads of children's services, the police and the health trust).
    expect(first).toEqual({ agreements: 2, notifications: 4 });
    const rows = await t.services.repositories.people.db.selectFrom('notification').selectAll().where('kind', '=', 'agreement-review').execute();
    const police = await t.services.repositories.users.findByEmail(USERS.igPolice);
    expect(rows.filter((n) => n.recipient_user_id === police!.id)).toEqual([
      expect.objectContaining({ message: expect.stringContaining(`NB-ISA-010 (Keeping staff safe on home visits) is due for review on ${day(20, now)} (in 20 days)`), link: `/agreements/${created}` }),
    ]);

    // Run twice (or by two servers at once): nothing more.
    const [second, third] = await Promise.all([t.services.agreements.remindReviews(now), t.services.agreements.remindReviews(new Date(now.getTime() + 6 * DAY))]);
    expect(second).toEqual({ agreements: 0, notifications: 0 });
    expect(third).toEqual({ agreements: 0, notifications: 0 });
    expect(await notificationCount()).toBe(4);

    // A week later they are reminded again.
    expect(await t.services.agreements.remindReviews(new Date(now.getTime() + 8 * DAY))).toEqual({ agreements: 2, notifications: 4 });
    expect(await notificationCount()).toBe(8);
    const audited = await t.services.audit.search({ action: 'sharing-agreement.review.remind', subjectId: created, limit: 10 });
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({ actorLabel: 'system', details: expect.objectContaining({ notified: 3 }) });
    expect(audited[1]).toMatchObject({ actorLabel: `job:${AGREEMENT_REVIEW_REMINDER}`, purpose: 'remind information-governance leads to review information sharing agreements' });
  });

  it('records a review, which sets the next review date and stops the reminders', async () => {
    const isa2 = await byReference('NB-ISA-002');
    await call('igPolice', 'post', `/api/v1/agreements/${isa2}/review`, { nextReviewDate: day(365), summary: 'Reviewed with all parties' }).expect(403);
    const past = await call('ig', 'post', `/api/v1/agreements/${isa2}/review`, { nextReviewDate: day(0), summary: 'Reviewed with all parties' }).expect(400);
    expect(past.body.error.fields).toEqual({ 'body.nextReviewDate': 'The next review date must be in the future' });
    const short = await call('ig', 'post', `/api/v1/agreements/${isa2}/review`, { nextReviewDate: day(365), summary: 'ok' }).expect(400);
    expect(Object.keys(short.body.error.fields)).toEqual(['body.summary']);

    const res = await call('ig', 'post', `/api/v1/agreements/${isa2}/review`, { nextReviewDate: day(365), summary: 'Reviewed with all parties: no changes needed' }).expect(200);
    expect(res.body).toMatchObject({ reviewDate: day(365), reviewDue: false, lastReviewedAt: expect.any(String), lastRemindedAt: null });
    expect(res.body.history[0]).toMatchObject({ action: 'review', by: USERS.ig, reason: 'Reviewed with all parties: no changes needed' });
    const due = (await call('sw', 'get', '/api/v1/agreements/reviews-due').expect(200)).body.agreements;
    expect(due.map((a: { reference: string }) => a.reference)).toEqual(['NB-ISA-010']);
  });

  it('suspends, reinstates and ends an agreement with a reason; only an active one covers a share', async () => {
    const share = { from: org.csc, to: org.police, purpose: 'staff_safety', categories: 'identity' };
    const noReason = await call('igPolice', 'post', `/api/v1/agreements/${created}/status`, { action: 'suspend' }).expect(400);
    expect(Object.keys(noReason.body.error.fields)).toEqual(['body.reason']);
    await call('tm', 'post', `/api/v1/agreements/${created}/status`, { action: 'suspend', reason: 'Data breach under investigation' }).expect(403);

    const suspended = await call('igPolice', 'post', `/api/v1/agreements/${created}/status`, { action: 'suspend', reason: 'Data breach under investigation' }).expect(200);
    expect(suspended.body.status).toBe('suspended');
    // The parties' other (active) agreement is the nearest, and it is not for keeping staff safe.
    const flagged = (await coverage(share).expect(200)).body;
    expect(flagged).toMatchObject({ status: 'not_covered', agreementId: await byReference('NB-ISA-001') });
    expect(flagged.message).toBe('Not covered by an active agreement: agreement NB-ISA-001 does not cover keeping staff and others safe');
    const notAgain = await call('ig', 'post', `/api/v1/agreements/${created}/status`, { action: 'suspend', reason: 'Data breach under investigation' }).expect(400);
    expect(notAgain.body.error.fields['body.action']).toBe('Only an active agreement can be suspended: NB-ISA-010 is suspended');

    await call('ig', 'post', `/api/v1/agreements/${created}/status`, { action: 'reinstate', reason: 'Investigation closed, no breach found' }).expect(200);
    expect((await coverage(share).expect(200)).body.status).toBe('covered');

    const ended = await call('igNhs', 'post', `/api/v1/agreements/${created}/status`, { action: 'end', reason: 'Replaced by the partnership-wide agreement' }).expect(200);
    expect(ended.body).toMatchObject({ status: 'ended', endDate: day(0) });
    expect((await coverage(share).expect(200)).body.status).toBe('not_covered');
    const reinstate = await call('ig', 'post', `/api/v1/agreements/${created}/status`, { action: 'reinstate', reason: 'Ended by mistake, sorry' }).expect(400);
    expect(reinstate.body.error.fields['body.action']).toMatch(/Only a suspended agreement can be reinstated/);
    // An ended agreement is neither reviewed nor reminded.
    await call('ig', 'post', `/api/v1/agreements/${created}/review`, { nextReviewDate: day(100), summary: 'Reviewed after it ended' }).expect(400);
    expect(await t.services.agreements.remindReviews(new Date(Date.now() + 30 * DAY))).toEqual({ agreements: 0, notifications: 0 });

    const history = (await call('sw', 'get', `/api/v1/agreements/${created}`).expect(200)).body.history.map((h: { action: string; reason: string | null }) => [h.action, h.reason]);
    expect(history).toEqual([
      ['end', 'Replaced by the partnership-wide agreement'],
      ['reinstate', 'Investigation closed, no breach found'],
      ['suspend', 'Data breach under investigation'],
      ['review.remind', null],
      ['review.remind', null],
      ['activate', null],
      ['sign', null],
      ['sign', null],
      ['sign', null],
      ['create', null],
    ]);
    const denials = await t.services.audit.search({ subjectId: created, outcome: 'denied', limit: 20 });
    expect(denials.map((d) => [d.action, d.actorLabel]).sort()).toEqual(
      [
        ['sharing-agreement.activate', USERS.sw],
        ['sharing-agreement.sign', USERS.admin],
        ['sharing-agreement.sign', USERS.sw],
        ['sharing-agreement.status', USERS.tm],
      ].sort(),
    );
  });

  it('serves the pages: the register, and the status and review forms with their errors, to the IG leads of the parties only', async () => {
    const isa1 = await byReference('NB-ISA-001');
    const manager = await signIn(t, USERS.tm);
    const register = await manager.get('/agreements').expect(200);
    expect(register.text).toContain('Sharing agreements');
    // Every agreement is in the register table (the review due one too), with no filter.
    const table = register.text.slice(register.text.indexOf('ta-register'));
    for (const ref of ['NB-ISA-001', 'NB-ISA-002', 'NB-ISA-003']) expect(table).toContain(`>${ref}<`);
    expect(register.text).not.toContain('Add an agreement');
    // NB-ISA-002 was reviewed and NB-ISA-010 ended above: no review is due now.
    const dueOnly = await manager.get('/agreements?reviewDue=true').expect(200);
    expect(dueOnly.text).toContain('No agreement matches the filters');
    expect(dueOnly.text).toContain('No agreement is due for review in the next 30 days');
    const filtered = await manager.get('/agreements?status=draft').expect(200);
    expect(filtered.text).toContain('NB-ISA-003');
    expect(filtered.text).not.toContain('>NB-ISA-001<');
    const detail = await manager.get(`/agreements/${isa1}`).expect(200);
    expect(detail.text).not.toContain('Change status');
    await manager.get(`/agreements/${isa1}/status`).expect(403);
    await manager.get('/agreements/new').expect(403);
    await manager.get('/agreements/not-an-id').expect(404);

    const ig = await signIn(t, USERS.ig);
    const form = await ig.get(`/agreements/${isa1}/status`).expect(200);
    // No CSRF token: refused before anything is read.
    await ig.post(`/agreements/${isa1}/status`).type('form').send({ action: 'suspend', reason: 'Partnership review under way' }).expect(403);
    const bad = await ig.post(`/agreements/${isa1}/status`).type('form').send({ _csrf: csrfFrom(form.text), reason: 'short' }).expect(400);
    expect(bad.text).toContain('govuk-error-summary');
    expect(bad.text).toContain('href="#action"');
    expect(bad.text).toContain('Give the reason, in at least 10 characters');

    const review = await ig.get(`/agreements/${isa1}/review`).expect(200);
    const badDate = await ig.post(`/agreements/${isa1}/review`).type('form').send({ _csrf: csrfFrom(review.text), summary: 'Reviewed at the board', 'nextReviewDate-day': '30', 'nextReviewDate-month': '2', 'nextReviewDate-year': '2030' }).expect(400);
    expect(badDate.text).toContain('The next review date must be a real date');
    expect(badDate.text).toContain('href="#nextReviewDate-day"');
    expect(badDate.text).toContain('Reviewed at the board');
    const next = day(200);
    const [y, m, d] = next.split('-');
    await ig
      .post(`/agreements/${isa1}/review`)
      .type('form')
      .send({ _csrf: csrfFrom(review.text), summary: 'Reviewed at the partnership board', 'nextReviewDate-day': d, 'nextReviewDate-month': m, 'nextReviewDate-year': y })
      .expect(302)
      .expect('Location', `/agreements/${isa1}`);
    const after = await ig.get(`/agreements/${isa1}`).expect(200);
    expect(after.text).toContain('The review of NB-ISA-001 was recorded');
    expect(after.text).toContain('Reviewed at the partnership board');
    expect((await call('sw', 'get', `/api/v1/agreements/${isa1}`).expect(200)).body.reviewDate).toBe(next);
  });

  it('lets a system administrator add an agreement between other organisations', async () => {
    const res = await call('admin', 'post', '/api/v1/agreements', {
      ...valid(),
      reference: 'NB-ISA-011',
      parties: [{ organisationId: org.school }, { organisationId: org.housing }],
      purposes: ['education'],
      legalBases: ['gdpr_6_1_e'],
      categories: ['identity', 'education', 'housing'],
    }).expect(201);
    expect(res.body).toMatchObject({ status: 'draft', reference: 'NB-ISA-011' });
    // Neither party has an IG lead in the demo: children's services' IG lead cannot manage it.
    await call('ig', 'post', `/api/v1/agreements/${res.body.id}/sign`, { signatoryName: 'Helen Carver', signatoryRole: 'Caldicott guardian' }).expect(403);
  });
});
