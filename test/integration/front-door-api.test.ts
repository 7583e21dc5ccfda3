import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit-service.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp } from '../../src/web/app.ts';
import { createTestDatabase, describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const USERS = {
  dsl: 'dsl@hollinlane.northbridge.example',
  mash: 'mash.officer@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  sw: 'social.worker@csc.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  hv: 'health.visitor@nhs.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
} as const;
type Who = keyof typeof USERS;
const HOUR = 3_600_000;

/**
 * The front door end to end through the API, on a clock the test moves: a school's referral is
 * rated red, its child matched (a MASH enquiry opens), the health trust and the police are asked,
 * the health visitor answers with something the family must not be told; the timescale is warned
 * of and then breached; the decision is made, signed off by a manager who is not the decider, the
 * referrer told and fed back to. A month later the same child is referred again: a re-referral with
 * the earlier outcome. Police notifications arrive as an idempotent batch with row/column errors.
 */
describe(`Front door API (${describeDatabase()})`, () => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let close: () => Promise<void>;
  let clock = new Date();
  const tokens = {} as Record<Who, string>;
  const ids = {} as Record<Who, string>;

  const call = (who: Who, method: 'get' | 'post' | 'put', url: string, body?: unknown) => {
    const r = request(app)[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const db = () => services.repositories.people.db;
  const notifications = (userId: string, kind: string) => db().selectFrom('notification').selectAll().where('recipient_user_id', '=', userId).where('kind', '=', kind).execute();
  const audits = async (action: string, subjectId?: string) => {
    await services.audit.flush();
    let q = db().selectFrom('audit_event').selectAll().where('action', '=', action);
    if (subjectId) q = q.where('subject_id', '=', subjectId);
    return q.orderBy('seq').execute();
  };
  const openEnquiries = (subjectId: string) => db().selectFrom('enquiry').selectAll().where('subject_id', '=', subjectId).where('closed_at', 'is', null).execute();

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-front-door-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, APP_SECRET: 'test-secret-test-secret-test-secret-1234' });
    const database = await createTestDatabase();
    services = createServices(config, database, { now: () => clock });
    await services.demo.load();
    app = createApp(services, createLogger('silent'));
    close = async () => {
      await services.audit.flush();
      await database.dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      tokens[who] = (await services.auth.createApiToken(email, { by: CLI })).token;
      ids[who] = (await services.repositories.users.findByEmail(email))!.id;
    }
  });
  afterAll(async () => close?.());

  const referral = (over: Record<string, unknown> = {}) => ({
    persons: [
      { role: 'child', givenNames: 'Jaydon', familyName: 'Fletcher', postcode: 'nb5 1aw' },
      { role: 'adult', givenNames: 'Kerry', familyName: 'Fletcher', relationship: 'Mother' },
    ],
    categories: ['neglect', 'parental_substance_misuse'],
    summary: 'Jaydon has come to school hungry every day this week and says there is no food at home.',
    familyKnows: 'told_not_agreed',
    familyView: 'Mum does not want social care involved.',
    referrerUrgency: 'today',
    ...over,
  });

  let contactId: string;
  let jaydonPersonId: string;
  let jaydon: string;
  let receivedAt: Date;

  it('refuses a referral with clear field errors, and keeps nothing', async () => {
    const before = await db().selectFrom('front_door_contact').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await call('dsl', 'post', '/api/v1/front-door/contacts', referral({ categories: [], persons: [{ role: 'adult', givenNames: 'Kerry', familyName: 'Fletcher', dateOfBirth: '2026-02-30' }] })).expect(400);
    expect(r.body.error.fields).toMatchObject({
      'body.categories': 'Choose at least one category of concern',
      'body.persons.0.dateOfBirth': 'The date of birth must be a real date',
    });
    const unknown = await call('dsl', 'post', '/api/v1/front-door/contacts', referral({ categories: ['neglect', 'witchcraft'] })).expect(400);
    expect(unknown.body.error.fields['body.categories']).toContain('"witchcraft" is not a category of concern');
    const after = await db().selectFrom('front_door_contact').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('takes a professional referral into the queue, unrated, with its clock', async () => {
    const made = await call('dsl', 'post', '/api/v1/front-door/contacts', referral()).expect(201);
    contactId = made.body.id;
    expect(made.body.reference).toMatch(/^MASH-\d{8}-[0-9A-F]{6}$/);
    const queue = await call('mash', 'get', '/api/v1/front-door/queue').expect(200);
    const mine = queue.body.contacts.find((c: { id: string }) => c.id === contactId);
    expect(mine).toMatchObject({ status: 'new', source: 'professional', referrerName: 'Mark Oduya', referrerOrganisation: 'Hollin Lane Primary School', rating: null });
    expect(mine.clock.state).toBe('unrated');
    expect(mine.persons[0]).toMatchObject({ givenNames: 'Jaydon', postcode: 'NB5 1AW', subjectId: null });
    receivedAt = new Date(mine.receivedAt);
    jaydonPersonId = mine.persons[0].id;
    // A referrer from a school is not hub staff.
    await call('dsl', 'get', '/api/v1/front-door/queue').expect(403);
    await call('sw', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(403);
  });

  it('rates it red: its timescale runs four hours from arrival', async () => {
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/rating`, { rating: 'purple', reason: 'x' }).expect(400);
    // The hub's legal basis for the enquiry must be chosen: at least one UK GDPR article 6 basis, never consent the family has not given.
    const rate = (legalBases?: string[]) => call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/rating`, { rating: 'red', reason: 'No food at home; a young child', ...(legalBases ? { legalBases } : {}) });
    expect((await rate().expect(400)).body.error.fields['body.legalBases']).toBe('Choose the legal basis for the enquiry: at least one UK GDPR article 6 basis');
    expect((await rate(['ca1989_s47']).expect(400)).body.error.fields['body.legalBases']).toBe('Choose a UK GDPR article 6 basis for sharing personal data');
    expect((await rate(['gdpr_6_1_a']).expect(400)).body.error.fields['body.legalBases']).toContain('You cannot rely on consent');
    expect((await rate(['gdpr_6_1_e', 'made_up']).expect(400)).body.error.fields['body.legalBases']).toBe('Unknown legal basis: made_up');
    expect((await call('mash', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(200)).body).toMatchObject({ status: 'new', legalBases: [] });
    const r = await rate(['gdpr_6_1_e', 'ca1989_s47']).expect(200);
    expect(r.body.legalBases).toEqual(['gdpr_6_1_e', 'ca1989_s47']);
    expect((await audits('front-door.contact.rate', contactId)).at(-1)!.details).toMatchObject({ legalBases: ['gdpr_6_1_e', 'ca1989_s47'], previousLegalBases: [] });
    expect(r.body.status).toBe('in_hub');
    expect(new Date(r.body.dueAt).getTime()).toBe(receivedAt.getTime() + 4 * HOUR);
    expect(r.body.clock.state).toBe('running');
    // Only MASH officers triage.
    await call('tm', 'post', `/api/v1/front-door/contacts/${contactId}/rating`, { rating: 'amber', reason: 'Not so urgent' }).expect(403);
  });

  it('matches the child to their record with the people search, opening a MASH enquiry', async () => {
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${contactId}/people/${jaydonPersonId}/candidates`).expect(200);
    const best = c.body.candidates[0];
    expect(best).toMatchObject({ givenNames: 'Jaydon', familyName: 'Fletcher' });
    jaydon = best.subjectId;
    expect(await openEnquiries(jaydon)).toHaveLength(0);
    // Before the match the hub has no basis for the child's case information.
    await call('mash', 'get', `/api/v1/people/${jaydon}`).expect(403);
    const m = await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/people/${jaydonPersonId}/match`, { action: 'existing', subjectId: jaydon }).expect(200);
    expect(m.body.persons[0].subjectId).toBe(jaydon);
    expect(m.body.persons[0].enquiryId).toBeTruthy();
    expect(m.body.reReferral).toBe(false);
    expect(await openEnquiries(jaydon)).toHaveLength(1);
    const person = await call('mash', 'get', `/api/v1/people/${jaydon}`).expect(200);
    expect(person.body.basis).toBe('mash-enquiry');
    expect((await audits('front-door.enquiry.open', jaydon)).length).toBe(1);
    expect((await audits('person.search')).length).toBeGreaterThan(0);
  });

  let nhsRequest: { subjectId: string; id: string };
  let policeRequest: { subjectId: string; id: string };

  it('asks the health trust and the police, sending only who the child is', async () => {
    const orgs = await services.repositories.organisations.list();
    const nhs = orgs.find((o) => o.typeCode === 'nhs_trust')!.id;
    const police = orgs.find((o) => o.typeCode === 'police')!.id;
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/research`, { personId: contactId, agencyOrganisationIds: [nhs], question: 'What do you hold?' }).expect(400);
    const ask = () =>
      call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/research`, {
        personId: jaydonPersonId,
        agencyOrganisationIds: [nhs, police],
        question: 'What do you hold about Jaydon and his household, including any concerns about his mother?',
      });
    // Health information needs an article 9 condition and police information a schedule 1 condition: the basis chosen has neither.
    expect((await ask().expect(400)).body.error.fields['body.agencyOrganisationIds']).toContain('Health information is special category data: choose a UK GDPR article 9 condition too');
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/rating`, { rating: 'red', reason: 'No food at home; a young child', legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'ca1989_s47'] }).expect(200);
    expect((await ask().expect(400)).body.error.fields['body.agencyOrganisationIds']).toContain('schedule 1 condition');
    expect(await db().selectFrom('front_door_research_request').selectAll().where('contact_id', '=', contactId).execute()).toHaveLength(0);
    const bases = ['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47'];
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/rating`, { rating: 'red', reason: 'No food at home; a young child', legalBases: bases }).expect(200);
    const r = await ask().expect(200);
    expect(r.body.research.map((x: { legalBases: string[] }) => x.legalBases)).toEqual([bases, bases]);
    expect(r.body.research).toHaveLength(2);
    const queued = await call('mash', 'get', '/api/v1/front-door/queue').expect(200);
    expect(queued.body.contacts.find((c: { id: string }) => c.id === contactId).openResearch).toBe(2);
    expect((await db().selectFrom('notification').selectAll().where('kind', '=', 'front-door-research').execute()).map((n) => n.recipient_user_id)).toEqual(
      expect.arrayContaining([ids.hv, ids.police]),
    );
    const byAgency = (id: string) => r.body.research.find((x: { agencyOrganisationId: string }) => x.agencyOrganisationId === id);
    nhsRequest = { subjectId: jaydon, id: byAgency(nhs).id };
    policeRequest = { subjectId: jaydon, id: byAgency(police).id };
    expect(byAgency(nhs).sentIdentity).toMatchObject({ givenNames: 'Jaydon', familyName: 'Fletcher', postcode: 'NB5 1AW' });
    expect(new Date(byAgency(nhs).dueAt).getTime()).toBe(receivedAt.getTime() + 4 * HOUR);
    expect((await audits('front-door.research.request', jaydon)).at(-1)!.details).toMatchObject({ basis: 'mash-enquiry', legalBases: bases });
  });

  it('the health visitor sees the request and her own records only, and answers with something withheld from the family', async () => {
    // The trust's own record of Jaydon, linked to him by record linkage: the health visitor may cite it.
    const nhsOrg = (await services.repositories.organisations.list()).find((o) => o.typeCode === 'nhs_trust')!.id;
    const feedId = crypto.randomUUID();
    const now = new Date();
    await db().insertInto('feed').values({ organisation_id: nhsOrg, id: feedId, name: 'Child health', kind: 'events', format: 'csv', mapping: JSON.stringify({ fields: {} }), created_by: null, created_at: now, updated_at: now }).execute();
    await db()
      .insertInto('source_record')
      .values({ organisation_id: nhsOrg, kind: 'events', source_record_id: 'EV-77', feed_id: feedId, event_type: 'Missed appointment', description: 'Development review not attended', raw: JSON.stringify({}), content_sha256: 'x', first_seen_at: now, last_changed_at: now, first_run_id: feedId, last_run_id: feedId, subject_id: jaydon } as never)
      .execute();
    const inbox = await call('hv', 'get', '/api/v1/front-door/research').expect(200);
    const req = inbox.body.requests.find((x: { id: string }) => x.id === nhsRequest.id);
    expect(req).toMatchObject({ status: 'open', agencyName: 'Northbridge Community Health NHS Trust' });
    expect(req).not.toHaveProperty('contactId');
    const one = await call('hv', 'get', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}`).expect(200);
    expect(one.body.request.question).toContain('What do you hold about Jaydon');
    // The agency is shown the hub's legal basis, and its look is audited with it.
    expect(one.body.request.legalBases).toEqual(['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47']);
    expect((await audits('front-door.research.open', jaydon)).at(-1)!.details).toMatchObject({ legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47'] });
    expect(JSON.stringify(one.body)).not.toContain('hungry');
    expect(one.body.linkedRecords).toEqual([{ kind: 'events', sourceRecordId: 'EV-77', description: 'Missed appointment: Development review not attended' }]);
    // Another agency's answer cannot cite a record the trust does not hold about him.
    const notOurs = await call('hv', 'post', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}/response`, { items: [{ summary: 'Something we hold', linkedRecord: 'events:EV-99' }] }).expect(400);
    expect(notOurs.body.error.fields['body.items.0.linkedRecord']).toBe("Choose one of your agency's records linked to this person");
    // Another agency cannot open it.
    await call('dsl', 'get', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}`).expect(403);
    await call('police', 'post', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}/response`, { nothingHeld: true }).expect(403);
    // A withheld item needs its reason.
    const bad = await call('hv', 'post', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}/response`, {
      items: [{ summary: 'Mother attends the drug and alcohol service', withheldFromFamily: true }],
    }).expect(400);
    expect(bad.body.error.fields['body.items.0.withheldReason']).toBe('Say why this must not be disclosed to the family');
    await call('hv', 'post', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}/response`, {
      items: [
        { summary: 'Mia missed her last two development reviews.', linkedRecord: 'events:EV-77' },
        { summary: 'Mother disclosed relapse to her key worker last month.', withheldFromFamily: true, withheldReason: 'Telling the family would put her engagement with treatment at risk' },
      ],
    }).expect(200);
    await call('hv', 'post', `/api/v1/front-door/research/${nhsRequest.subjectId}/${nhsRequest.id}/response`, { nothingHeld: true }).expect(400);
    await call('police', 'post', `/api/v1/front-door/research/${policeRequest.subjectId}/${policeRequest.id}/response`, { nothingHeld: true }).expect(200);
    // Every answer, and every refused attempt, is audited with the hub's legal basis.
    const answers = await audits('front-door.research.respond', jaydon);
    expect(answers.map((a) => a.outcome)).toEqual(['denied', 'success', 'success']);
    for (const a of answers) expect((a.details as { legalBases: string[] }).legalBases).toEqual(['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47']);
    // Answered already: it can no longer be declined.
    await call('police', 'post', `/api/v1/front-door/research/${policeRequest.subjectId}/${policeRequest.id}/decline`, { consideration: 'prejudice_investigation', reason: 'A live investigation would be prejudiced' }).expect(400);
  });

  it('the hub reads the answers on its enquiry basis, with what the family must not be told marked', async () => {
    const r = await call('mash', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(200);
    const nhs = r.body.research.find((x: { id: string }) => x.id === nhsRequest.id);
    expect(nhs.status).toBe('answered');
    expect(nhs.late).toBe(false);
    expect(nhs.items).toHaveLength(2);
    expect(nhs.items[0]).toMatchObject({ linkedRecordKind: 'events', linkedRecordId: 'EV-77', withheldFromFamily: false });
    expect(nhs.items[1]).toMatchObject({ category: 'health', withheldFromFamily: true, withheldReason: 'Telling the family would put her engagement with treatment at risk' });
    expect(r.body.research.find((x: { id: string }) => x.id === policeRequest.id)).toMatchObject({ nothingHeld: true, items: [] });
    const read = await audits('front-door.research.read', jaydon);
    expect(read.at(-1)!.details).toMatchObject({ basis: 'mash-enquiry', allowed: ['health'], legalBases: ['gdpr_6_1_e', 'gdpr_9_2_g', 'dpa_sch1_p18_offence', 'ca1989_s47'] });
    // The hub's team manager signs off the decision, so sees what the research found, on the enquiry basis
    // of the organisation that opened it (and audited as such).
    const tm = await call('tm', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(200);
    const seen = tm.body.research.find((x: { id: string }) => x.id === nhsRequest.id);
    expect(seen.withheld).toBeNull();
    expect(seen.items[1]).toMatchObject({ category: 'health', withheldFromFamily: true });
    expect((await audits('front-door.research.read', jaydon)).at(-1)!.details).toMatchObject({ basis: 'mash-enquiry' });
  });

  it('warns before the timescale ends and reports the breach once', async () => {
    const hub = [ids.mash, ids.tm];
    clock = new Date(receivedAt.getTime() + 3 * HOUR + 10 * 60_000);
    const first = await services.frontDoor.notifyClocks(SYSTEM_ACTOR, {});
    expect(first.warnings).toBeGreaterThanOrEqual(1);
    for (const u of hub) expect((await notifications(u, 'front-door-warning')).some((n) => n.link === `/front-door/contacts/${contactId}`)).toBe(true);
    const queue = await call('mash', 'get', '/api/v1/front-door/queue').expect(200);
    expect(queue.body.contacts.find((c: { id: string }) => c.id === contactId).clock).toMatchObject({ state: 'warning', text: '50 min left: due soon' });
    clock = new Date(receivedAt.getTime() + 4 * HOUR + 30 * 60_000);
    await services.frontDoor.notifyClocks(SYSTEM_ACTOR, {});
    const again = await services.frontDoor.notifyClocks(SYSTEM_ACTOR, {});
    expect(again).toEqual({ warnings: 0, breaches: 0, researchOverdue: 0 });
    for (const u of hub) {
      const breaches = (await notifications(u, 'front-door-breach')).filter((n) => n.link === `/front-door/contacts/${contactId}`);
      expect(breaches).toHaveLength(1);
      expect(breaches[0]!.message).toContain('is overdue');
    }
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(200);
    expect(c.body.clock).toMatchObject({ state: 'breached', text: 'Overdue by 30 min' });
    expect((await audits('front-door.clock.breach', contactId))).toHaveLength(1);
  });

  it('records the threshold decision; a manager who is not the decider signs it off; the referrer is told', async () => {
    const wrong = await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/decision`, { level: 'universal', outcome: 'strategy_discussion', rationale: 'short' }).expect(400);
    expect(Object.keys(wrong.body.error.fields)).toEqual(expect.arrayContaining(['body.outcome', 'body.rationale']));
    const noLead = await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/decision`, { level: 'early_help', outcome: 'early_help', rationale: 'Needs coordinated support; below the threshold for statutory services.' }).expect(400);
    expect(noLead.body.error.fields['body.leadProfessional']).toBe('Name the lead professional for early help');
    const d = await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/decision`, {
      level: 'early_help',
      outcome: 'early_help',
      rationale: 'Needs coordinated support for the children and mother; below the threshold for statutory services.',
      leadProfessional: 'Beth Nolan, Northbridge Family Support Trust',
    }).expect(200);
    expect(d.body.status).toBe('awaiting_sign_off');
    expect((await notifications(ids.tm, 'front-door-sign-off')).length).toBeGreaterThanOrEqual(1);
    // The decider is not a manager, and a practitioner outside the hub cannot sign off.
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/sign-off`, { approve: true }).expect(403);
    await call('sw', 'post', `/api/v1/front-door/contacts/${contactId}/sign-off`, { approve: true }).expect(403);
    await call('tm', 'post', `/api/v1/front-door/contacts/${contactId}/sign-off`, { approve: false }).expect(400);
    clock = new Date(receivedAt.getTime() + 5 * HOUR);
    const s = await call('tm', 'post', `/api/v1/front-door/contacts/${contactId}/sign-off`, { approve: true, comment: 'Agreed' }).expect(200);
    expect(s.body).toMatchObject({ status: 'decided', decision: { signOff: 'approved', signedOffBy: ids.tm, referrerToldHow: 'notification' } });
    expect(s.body.clock).toMatchObject({ state: 'missed', text: 'Decided 1 h late' });
    expect(await openEnquiries(jaydon)).toHaveLength(0);
    const told = await notifications(ids.dsl, 'front-door-outcome');
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toMatch(/^The multi-agency safeguarding hub has decided on your referral MASH-.*: Early help with a lead professional\.$/);
    expect(told[0]!.message).not.toContain('relapse');
    await call('tm', 'post', `/api/v1/front-door/contacts/${contactId}/sign-off`, { approve: true }).expect(400);
    // The hub no longer holds an enquiry basis: the research answers are withheld from it now, with why.
    const after = await call('mash', 'get', `/api/v1/front-door/contacts/${contactId}`).expect(200);
    expect(after.body.research.find((x: { id: string }) => x.id === nhsRequest.id).items).toBeNull();
  });

  it('feeds back on the quality of the referral to the school', async () => {
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/feedback`, { quality: 'excellent', comments: 'Clear' }).expect(400);
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/feedback`, { quality: 'good', comments: 'Clear, with the family\'s view recorded' }).expect(200);
    await call('mash', 'post', `/api/v1/front-door/contacts/${contactId}/feedback`, { quality: 'poor', comments: 'Again' }).expect(400);
    expect(await notifications(ids.dsl, 'front-door-feedback')).toHaveLength(1);
    const f = await call('dsl', 'get', '/api/v1/front-door/referrals/feedback').expect(200);
    expect(f.body.feedback).toEqual([expect.objectContaining({ quality: 'good', referrerName: 'Mark Oduya', hubName: "Northbridge Children's Services" })]);
    // Another agency sees none of it.
    expect((await call('hv', 'get', '/api/v1/front-door/referrals/feedback').expect(200)).body.feedback).toEqual([]);
  });

  it('flags a referral about the same child within twelve months as a re-referral, with the earlier outcome', async () => {
    clock = new Date(receivedAt.getTime() + 30 * 24 * HOUR);
    const made = await call('dsl', 'post', '/api/v1/front-door/contacts', referral({ categories: ['neglect'], summary: 'Jaydon is again arriving at school hungry and tired.' })).expect(201);
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${made.body.id}`).expect(200);
    await call('mash', 'post', `/api/v1/front-door/contacts/${made.body.id}/rating`, { rating: 'green', reason: 'Known family; early help in place', legalBases: ['gdpr_6_1_e', 'ca1989_s17'] }).expect(200);
    const m = await call('mash', 'post', `/api/v1/front-door/contacts/${made.body.id}/people/${c.body.persons[0].id}/match`, { action: 'existing', subjectId: jaydon }).expect(200);
    expect(m.body).toMatchObject({ reReferral: true, previousContactId: contactId, previousOutcome: 'early_help' });
    expect(await openEnquiries(jaydon)).toHaveLength(1);
  });

  it('counts it all on the dashboard, for the hub only', async () => {
    await call('dsl', 'get', '/api/v1/front-door/dashboard').expect(403);
    await call('mash', 'get', '/api/v1/front-door/dashboard?from=2026-13-01').expect(400);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const d = await call('tm', 'get', `/api/v1/front-door/dashboard?from=${day(new Date(receivedAt.getTime() - 86_400_000))}&to=${day(clock)}`).expect(200);
    // By default, the last 30 days: the first referral and the demo's contacts, a month ago, are outside it.
    const recent = await call('tm', 'get', '/api/v1/front-door/dashboard').expect(200);
    expect(recent.body.total).toBe(1);
    expect(d.body.total).toBe(5);
    const count = (rows: Array<{ key: string; count: number }>, key: string) => rows.find((r) => r.key === key)!.count;
    expect(count(d.body.bySource, 'professional')).toBeGreaterThanOrEqual(2);
    expect(count(d.body.timeliness, 'missed')).toBe(1);
    expect(count(d.body.byOutcome, 'early_help')).toBe(1);
    expect(count(d.body.reReferrals, 're-referral')).toBe(1);
    expect(d.body.quality).toEqual([{ agency: 'Hollin Lane Primary School', good: 1, adequate: 0, poor: 0, total: 1 }]);
  });

  it('takes police notifications as a batch: row and column errors, the good ones kept, resending changes nothing', async () => {
    const good = (reference: string) => ({
      reference,
      officer: 'PC Dana Kirby',
      occurredAt: '2026-11-20T22:15:00Z',
      persons: [{ role: 'child', givenNames: 'Ruby', familyName: 'Bentley' }, { role: 'adult', givenNames: 'Craig', familyName: 'Bentley' }],
      categories: ['domestic_abuse'],
      summary: 'Police attended a domestic incident; children present in the house.',
    });
    const batch = { notifications: [good('NBP-T-1'), { ...good('NBP-T-2'), persons: [{ role: 'child', givenNames: 'Alfie', familyName: 'Bentley', dateOfBirth: '20/05/2022' }] }, { ...good('NBP-T-3'), categories: ['arson'] }] };
    await call('dsl', 'post', '/api/v1/front-door/police-notifications', batch).expect(403);
    const r = await call('police', 'post', '/api/v1/front-door/police-notifications', batch).expect(200);
    expect(r.body.accepted).toEqual([expect.objectContaining({ row: 1, reference: 'NBP-T-1' })]);
    expect(r.body.refused).toEqual([
      { row: 2, column: 'persons.0.dateOfBirth', message: 'The date of birth must be a date like 2019-03-27' },
      { row: 3, column: 'categories.0', message: '"arson" is not a category of concern' },
    ]);
    const again = await call('police', 'post', '/api/v1/front-door/police-notifications', { notifications: [good('NBP-T-1')] }).expect(200);
    expect(again.body).toMatchObject({ accepted: [], unchanged: [{ row: 1, reference: 'NBP-T-1', contactId: r.body.accepted[0].contactId }] });
    const queue = await call('mash', 'get', '/api/v1/front-door/queue').expect(200);
    expect(queue.body.contacts.filter((c: { source: string; summary: string }) => c.source === 'police' && c.summary.includes('children present'))).toHaveLength(1);
  });

  it('takes police notifications as a CSV file, naming the row and column of each problem', async () => {
    const csv = [
      'reference,officer,occurred_at,categories,summary,person1_role,person1_given_names,person1_family_name,person1_date_of_birth,person2_role,person2_given_names,person2_family_name',
      'NBP-C-1,PC Dana Kirby,2026-11-21T01:10:00Z,domestic_abuse neglect,"Police called to a domestic incident, children present.",child,Lily,Marsh,2018-06-01,adult,Dean,Marsh',
      'NBP-C-2,PC Dana Kirby,,neglect,Children found home alone late at night.,child,Oscar,Hale,01/02/2019,,,',
      'NBP-C-3,PC Dana Kirby,,neglect',
      'NBP-C-1,PC Dana Kirby,,neglect,Sent again by the force system in error.,child,Lily,Marsh,,,,',
      'NBP-C-4,PC Dana Kirby,,,Too vague,,,,,,,',
    ].join('\r\n');
    const send = (who: Who, body: string, type = 'text/csv') => request(app).post('/api/v1/front-door/police-notifications/csv').set('Authorization', `Bearer ${tokens[who]}`).set('Content-Type', type).send(body);
    await send('police', '{}', 'application/json').expect(415);
    await send('dsl', csv).expect(403);
    const r = await send('police', csv).expect(200);
    expect(r.body.received).toBe(5);
    expect(r.body.accepted).toEqual([expect.objectContaining({ row: 2, reference: 'NBP-C-1' })]);
    expect(r.body.unchanged).toEqual([expect.objectContaining({ row: 5, reference: 'NBP-C-1', contactId: r.body.accepted[0].contactId })]);
    expect(r.body.refused).toEqual([
      { row: 3, column: 'person1_date_of_birth', message: 'The date of birth must be a date like 2019-03-27' },
      { row: 4, column: '(row)', message: 'The row has 4 fields; the header has 12' },
      { row: 6, column: 'person1_given_names', message: 'Name at least one child' },
      { row: 6, column: 'categories', message: 'Choose at least one category of concern' },
      { row: 6, column: 'summary', message: 'Enter what happened, in at least 10 characters' },
    ]);
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${r.body.accepted[0].contactId}`).expect(200);
    expect(c.body).toMatchObject({ source: 'police', categories: ['domestic_abuse', 'neglect'] });
    expect(c.body.persons.map((p: { givenNames: string; role: string }) => `${p.givenNames} ${p.role}`)).toEqual(['Lily child', 'Dean adult']);
  });

  it('a returned decision goes back to the hub; a police referrer is told by the hub, which records how', async () => {
    const batch = await call('police', 'post', '/api/v1/front-door/police-notifications', {
      notifications: [{ reference: 'NBP-T-9', officer: 'PC Sam Reed', persons: [{ role: 'child', givenNames: 'Noah', familyName: 'Pryce', dateOfBirth: '2019-05-04' }], categories: ['missing'], summary: 'Noah was reported missing overnight and found safe at a friend\'s.' }],
    }).expect(200);
    const id = batch.body.accepted[0].contactId;
    await call('mash', 'post', `/api/v1/front-door/contacts/${id}/rating`, { rating: 'amber', reason: 'Found safe; first missing episode', legalBases: ['gdpr_6_1_e', 'dpa_sch1_p18_offence', 'ca1989_s17'] }).expect(200);
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${id}`).expect(200);
    // Nobody like him is recorded: the officer records him as a new person, and the enquiry opens at once.
    expect((await call('mash', 'get', `/api/v1/front-door/contacts/${id}/people/${c.body.persons[0].id}/candidates`).expect(200)).body.candidates).toEqual([]);
    const m = await call('mash', 'post', `/api/v1/front-door/contacts/${id}/people/${c.body.persons[0].id}/match`, { action: 'new', sex: 'male' }).expect(200);
    const noah = m.body.persons[0].subjectId;
    expect(await openEnquiries(noah)).toHaveLength(1);
    // Housing and the police are asked. The police hold something but decline to share it (a live
    // investigation): a decision not to share, recorded with why. Housing does not answer in time: only it is told.
    const orgs = await services.repositories.organisations.list();
    const housing = orgs.find((o) => o.typeCode === 'housing')!.id;
    const police = orgs.find((o) => o.typeCode === 'police')!.id;
    const housingOfficer = (await services.repositories.users.findByEmail('housing.officer@homes.northbridge.example'))!.id;
    const asked = await call('mash', 'post', `/api/v1/front-door/contacts/${id}/research`, { personId: c.body.persons[0].id, agencyOrganisationIds: [housing, police], question: 'Is the family known to you?' }).expect(200);
    const pr = asked.body.research.find((x: { agencyOrganisationId: string }) => x.agencyOrganisationId === police);
    // Housing cannot answer with health information: the hub's basis has no article 9 condition.
    const hr = asked.body.research.find((x: { agencyOrganisationId: string }) => x.agencyOrganisationId === housing);
    const uncovered = await call('housing', 'post', `/api/v1/front-door/research/${hr.subjectId}/${hr.id}/response`, { items: [{ summary: 'Tenant disclosed a mental health crisis', category: 'health' }] });
    expect(uncovered.status).toBe(400);
    expect(uncovered.body.error.fields['body.items.0.category']).toContain('Health information is special category data');
    const declineUrl = `/api/v1/front-door/research/${pr.subjectId}/${pr.id}/decline`;
    const bad = await call('police', 'post', declineUrl, { consideration: 'because', reason: 'short', askAgainOn: '2020-01-01' }).expect(400);
    expect(bad.body.error.fields).toEqual({
      'body.consideration': 'Choose the legal consideration that stops you sharing',
      'body.reason': 'Say why your agency will not share what it holds, in at least 20 characters',
      'body.askAgainOn': 'The date to ask again must be in the future',
    });
    await call('hv', 'post', declineUrl, { consideration: 'prejudice_investigation', reason: 'A live investigation would be prejudiced by sharing' }).expect(403);
    const askAgainOn = new Date(clock.getTime() + 30 * 24 * HOUR).toISOString().slice(0, 10);
    await call('police', 'post', declineUrl, {
      consideration: 'prejudice_investigation',
      reason: 'Noah is a witness in a live investigation; sharing now would prejudice it.',
      askInstead: 'DS Rana, CID, on 01632 960 123',
      askAgainOn,
    }).expect(200);
    await call('police', 'post', declineUrl, { consideration: 'other', reason: 'Declining twice is not possible at all here' }).expect(400);
    await call('police', 'post', `/api/v1/front-door/research/${pr.subjectId}/${pr.id}/response`, { nothingHeld: true }).expect(400);
    const declined = (await audits('front-door.research.decline', noah)).filter((a) => a.outcome === 'success');
    expect(declined).toHaveLength(1);
    expect(declined[0]!.reason).toBe('Noah is a witness in a live investigation; sharing now would prejudice it.');
    expect(declined[0]!.details).toMatchObject({ decision: 'not_share', consideration: 'prejudice_investigation', category: 'police', legalBases: ['gdpr_6_1_e', 'dpa_sch1_p18_offence', 'ca1989_s17'] });
    expect((await notifications(ids.mash, 'front-door-research')).some((n) => n.message.includes('declined to share'))).toBe(true);
    clock = new Date(clock.getTime() + 25 * HOUR);
    expect((await services.frontDoor.notifyClocks(SYSTEM_ACTOR, {})).researchOverdue).toBe(1);
    expect((await services.frontDoor.notifyClocks(SYSTEM_ACTOR, {})).researchOverdue).toBe(0);
    expect(await notifications(housingOfficer, 'front-door-research-overdue')).toHaveLength(1);
    expect(await notifications(ids.police, 'front-door-research-overdue')).toHaveLength(0);
    const late = await call('mash', 'get', `/api/v1/front-door/contacts/${id}`).expect(200);
    expect(late.body.research.find((x: { agencyOrganisationId: string }) => x.agencyOrganisationId === housing)).toMatchObject({ status: 'open', late: true });
    // The hub sees the decline and its reason, not a silent gap.
    expect(late.body.research.find((x: { agencyOrganisationId: string }) => x.agencyOrganisationId === police)).toMatchObject({
      status: 'declined',
      late: false,
      decline: { consideration: 'prejudice_investigation', reason: 'Noah is a witness in a live investigation; sharing now would prejudice it.', askInstead: 'DS Rana, CID, on 01632 960 123', askAgainOn },
    });
    const inbox = await call('police', 'get', '/api/v1/front-door/research').expect(200);
    expect(inbox.body.requests.find((x: { id: string }) => x.id === pr.id)).toMatchObject({ status: 'declined', dueText: 'Declined in time' });
    // The dashboard counts declines by agency.
    const dash = await call('tm', 'get', '/api/v1/front-door/dashboard').expect(200);
    expect(dash.body.research.find((x: { agency: string }) => x.agency === 'Northbridge Police')).toMatchObject({ declined: 1 });
    expect(dash.body.research.find((x: { agency: string }) => x.agency === orgs.find((o) => o.id === housing)!.name)).toMatchObject({ open: 1, declined: 0 });
    const decide = (body: object) => call('mash', 'post', `/api/v1/front-door/contacts/${id}/decision`, body);
    await decide({ level: 'universal', outcome: 'nfa_advice', rationale: 'A single episode; the family acted quickly and appropriately.', advice: 'Return home interview offered' }).expect(200);
    const returned = await call('tm', 'post', `/api/v1/front-door/contacts/${id}/sign-off`, { approve: false, comment: 'Signpost to the youth service too' }).expect(200);
    expect(returned.body).toMatchObject({ status: 'in_hub', decision: { signOff: 'returned', managerComment: 'Signpost to the youth service too' } });
    expect(await openEnquiries(noah)).toHaveLength(1);
    await decide({ level: 'universal', outcome: 'signpost', rationale: 'A single episode; the family acted quickly and appropriately.', serviceId: 'svc-0042', serviceName: 'Northbridge Youth Service' }).expect(200);
    const signed = await call('tm', 'post', `/api/v1/front-door/contacts/${id}/sign-off`, { approve: true }).expect(200);
    expect(signed.body.decision).toMatchObject({ signOff: 'approved', serviceId: 'svc-0042', serviceName: 'Northbridge Youth Service', referrerToldAt: null });
    expect(await openEnquiries(noah)).toHaveLength(0);
    await call('mash', 'post', `/api/v1/front-door/contacts/${id}/referrer-told`, { how: '' }).expect(400);
    const told = await call('mash', 'post', `/api/v1/front-door/contacts/${id}/referrer-told`, { how: 'Email to PC Reed' }).expect(200);
    expect(told.body.decision).toMatchObject({ referrerToldHow: 'Email to PC Reed' });
    await call('mash', 'post', `/api/v1/front-door/contacts/${id}/referrer-told`, { how: 'Again' }).expect(400);
  });

  it('a MASH officer records a call from a member of the public; timescales are the hub\'s to set', async () => {
    await call('dsl', 'post', '/api/v1/front-door/contacts', referral({ source: 'public', referrerName: 'A neighbour' })).expect(403);
    await call('mash', 'post', '/api/v1/front-door/contacts', referral({ source: 'public' })).expect(400);
    const made = await call('mash', 'post', '/api/v1/front-door/contacts', referral({ source: 'public', referrerName: 'Anonymous caller', referrerPhone: '01632 960 999' })).expect(201);
    const c = await call('mash', 'get', `/api/v1/front-door/contacts/${made.body.id}`).expect(200);
    expect(c.body).toMatchObject({ source: 'public', referrerName: 'Anonymous caller', referrerOrganisation: null });
    await call('mash', 'put', '/api/v1/front-door/timescales', { redHours: 2, redWarnHours: 1, amberHours: 12, amberWarnHours: 2, greenHours: 48, greenWarnHours: 6 }).expect(403);
    const bad = await call('tm', 'put', '/api/v1/front-door/timescales', { redHours: 8, redWarnHours: 8, amberHours: 6, amberWarnHours: 2, greenHours: 48, greenWarnHours: 6 }).expect(400);
    expect(bad.body.error.fields).toMatchObject({ 'body.redWarnHours': expect.stringContaining('fewer than 8 hours'), 'body.amberHours': 'Amber must not be shorter than red' });
    // A missing number and the checks across fields come back together, not one after the other.
    const both = await call('tm', 'put', '/api/v1/front-door/timescales', { redHours: 4, redWarnHours: 1, amberHours: 24, amberWarnHours: 4, greenWarnHours: 6, greenHours: 'three days' }).expect(400);
    expect(both.body.error.fields).toEqual({ 'body.greenHours': 'Enter the green timescale in hours' });
    const two = await call('tm', 'put', '/api/v1/front-door/timescales', { redWarnHours: 1, amberHours: 24, amberWarnHours: 30, greenHours: 48, greenWarnHours: 6 }).expect(400);
    expect(two.body.error.fields).toEqual({ 'body.redHours': 'Enter the red timescale in hours', 'body.amberWarnHours': expect.stringContaining('fewer than 24 hours') });
    const t = await call('tm', 'put', '/api/v1/front-door/timescales', { redHours: 2, redWarnHours: 1, amberHours: 12, amberWarnHours: 2, greenHours: 48, greenWarnHours: 6 }).expect(200);
    expect(t.body.red).toEqual({ rating: 'red', hours: 2, warnHours: 1 });
    const r = await call('mash', 'post', `/api/v1/front-door/contacts/${made.body.id}/rating`, { rating: 'red', reason: 'Child alone', legalBases: ['gdpr_6_1_e', 'ca1989_s47'] }).expect(200);
    expect(new Date(r.body.dueAt).getTime() - new Date(r.body.receivedAt).getTime()).toBe(2 * HOUR);
    expect((await call('mash', 'get', '/api/v1/front-door/timescales').expect(200)).body.red.hours).toBe(2);
  });

  it('appears in the OpenAPI document', async () => {
    const doc = await request(app).get('/api/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/front-door/contacts', '/api/v1/front-door/police-notifications', '/api/v1/front-door/contacts/{id}/sign-off', '/api/v1/front-door/research/{subjectId}/{id}/decline']));
  });
});
