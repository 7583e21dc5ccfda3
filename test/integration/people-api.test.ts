import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { generateNhsNumber, generateUpn } from '../../src/people/identifiers.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };

const USERS = {
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  eh: 'early.help@csc.northbridge.example',
  ig: 'ig.lead@csc.northbridge.example',
  cscMash: 'mash.officer@csc.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  hv: 'health.visitor@nhs.northbridge.example',
  gp: 'gp@riverside.northbridge.example',
  dsl: 'dsl@hollinlane.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
} as const;
type Who = keyof typeof USERS;

/** A seeded source, so the identifiers are the same on every run. */
function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const START = '2024-01-10';
const today = () => new Date().toISOString().slice(0, 10);

describe(`People API: who is involved, under the access policy (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const userIds = {} as Record<Who, string>;
  const orgIds = {} as Record<Who, string>;
  let ajv: Ajv2020;
  /** Successful reads of each record through GET /people/{id}, to check each left an audit entry. */
  const reads = new Map<string, number>();

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const view = async (who: Who, id: string, query: Record<string, string> = {}) => {
    const res = await call(who, 'get', `/api/v1/people/${id}?${new URLSearchParams(query)}`);
    if (res.status === 200) reads.set(id, (reads.get(id) ?? 0) + 1);
    return res;
  };
  const search = (who: Who, query: Record<string, string>) => call(who, 'get', `/api/v1/people?${new URLSearchParams(query)}`);
  const conforms = (component: string, value: unknown) => {
    const validate = ajv.getSchema(`doc#/components/schemas/${component}`)!;
    expect(validate(value), `${component}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };
  const create = async (who: Who, body: Record<string, unknown>, expected = 201) => {
    const res = await call(who, 'post', '/api/v1/people', { sex: 'unknown', dobPrecision: 'exact', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(expected);
    return res.body.subjectId as string;
  };
  const involve = async (who: Who, subjectId: string, role: string, extra: Record<string, unknown> = {}) => {
    const res = await call(who, 'post', `/api/v1/people/${subjectId}/involvements`, { role, startDate: START, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const count = async (table: 'person' | 'person_name' | 'person_identifier' | 'person_address') => {
    const r = await t.services.repositories.people.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const categories = (withheld: Array<{ category: string }>) => withheld.map((w) => w.category).sort();

  const rand = seeded(20240110);
  const lilyNhs = generateNhsNumber(rand);
  const lilyUpn = generateUpn(rand);
  let lily: string;
  let sarah: string;
  let amara: string;
  let robert: string;

  beforeAll(async () => {
    t = await createTestApp();
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      const created = await t.services.auth.createApiToken(email, { by: CLI });
      tokens[who] = created.token;
      userIds[who] = created.user.id;
      orgIds[who] = created.user.organisationId;
    }
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });

    // The social worker records a girl and her mother and starts working with the girl;
    // the health visitor and an early help worker (the lead professional) are involved too.
    lily = await create('sw', {
      givenNames: 'Lily',
      familyName: 'Turner',
      sex: 'female',
      dateOfBirth: '2012-05-20',
      nhsNumber: lilyNhs,
      upn: lilyUpn,
      address: { line1: '14 Canal Street', town: 'Northbridge', postcode: 'nb1 2ab' },
    });
    sarah = await create('sw', {
      givenNames: 'Sarah',
      familyName: 'Turner',
      sex: 'female',
      dateOfBirth: '1990-01-15',
      address: { line1: '14 Canal Street', town: 'Northbridge', postcode: 'NB1 2AB' },
    });
    await involve('sw', lily, 'allocated_social_worker');
    const rel = await call('sw', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: sarah, type: 'child' });
    expect(rel.status, JSON.stringify(rel.body)).toBe(201);
    await involve('hv', lily, 'health_visitor');
    await involve('eh', lily, 'lead_professional');
  });
  afterAll(async () => t?.close());

  it('shows the involved social worker the full record', async () => {
    const res = await view('sw', lily);
    expect(res.status).toBe(200);
    conforms('PersonView', res.body);
    expect(res.body).toMatchObject({ subjectId: lily, basis: 'relationship', withheld: [], activeBreakGlass: false });
    expect(res.body.allowed.sort()).toEqual(['contacts', 'family', 'identity', 'involvements', 'whereabouts']);
    expect(res.body.identity.identifiers.map((i: { scheme: string; value: string }) => [i.scheme, i.value]).sort()).toEqual([
      ['nhs_number', lilyNhs],
      ['upn', lilyUpn],
    ]);
    expect(res.body.addresses).toEqual([expect.objectContaining({ line1: '14 Canal Street', postcode: 'NB1 2AB', toDate: null })]);
    expect(res.body.relationships).toEqual([
      expect.objectContaining({ relatedSubjectId: sarah, type: 'child', related: expect.objectContaining({ givenNames: 'Sarah', familyName: 'Turner' }) }),
    ]);
    expect(res.body.involvements.map((i: { role: string }) => i.role).sort()).toEqual(['allocated_social_worker', 'health_visitor', 'lead_professional']);
    expect(res.body.contacts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ practitionerName: 'Mandeep Kaur', email: 'health.visitor@nhs.northbridge.example', organisationName: 'Northbridge Community Health NHS Trust' }),
        expect.objectContaining({ practitionerName: 'Kofi Mensah', email: 'social.worker@csc.northbridge.example', phone: '01632 960 005' }),
      ]),
    );
    // The relationship is recorded from the mother's side too. The social worker does not work
    // with Sarah but recorded her just now, so keeps her record open for a while.
    const mother = await view('sw', sarah);
    expect(mother.status).toBe(200);
    expect(mother.body.basis).toBe('recorded-by');
    expect(mother.body.relationships).toEqual([expect.objectContaining({ relatedSubjectId: lily, type: 'parent' })]);
  });

  it('a team colleague of the involved worker has the relationship too', async () => {
    const res = await view('tm', lily);
    expect(res.status).toBe(200);
    expect(res.body.basis).toBe('relationship');
    expect(res.body.addresses).toHaveLength(1);
  });

  it('shows a colleague of an involved organisation only their organisation\'s involvements, without a relationship', async () => {
    // The children's services MASH officer (no open enquiry, not on Lily's case): their organisation is involved.
    const res = await view('cscMash', lily);
    expect(res.status).toBe(200);
    conforms('PersonView', res.body);
    expect(res.body).toMatchObject({ basis: 'own-organisation', allowed: ['involvements'], identity: null, addresses: null, relationships: null, contacts: [] });
    expect(res.body.involvements.map((i: { organisationId: string }) => i.organisationId)).toEqual([orgIds.sw, orgIds.sw]);
    expect(JSON.stringify(res.body)).not.toContain(lilyNhs);
    // With a reason: the contact minimum besides (name and date of birth only, everyone's contacts).
    const withReason = await view('cscMash', lily, { reason: 'a call about this child' });
    expect(withReason.body.identity).toEqual({ subjectId: lily, names: [expect.objectContaining({ givenNames: 'Lily' })], dateOfBirth: '2012-05-20', dobPrecision: 'exact' });
    expect(withReason.body.involvements).toHaveLength(2);
    expect(withReason.body.contacts).toHaveLength(3);
    // A disclosure of identity opens identity in full, but still not other agencies' involvements.
    const grantId = newId();
    await t.services.repositories.people.db
      .insertInto('disclosure_grant')
      .values({ subject_id: lily, id: grantId, recipient_user_id: null, recipient_team_id: null, recipient_organisation_id: orgIds.cscMash, categories: ['identity'], granted_by: userIds.sw, granted_at: new Date(), expires_at: null, revoked_at: null })
      .execute();
    const disclosed = await view('cscMash', lily);
    expect(disclosed.body.allowed.sort()).toEqual(['identity', 'involvements']);
    expect(disclosed.body.identity.identifiers).toHaveLength(2);
    expect(disclosed.body.involvements).toHaveLength(2);
    await t.services.repositories.people.db.updateTable('disclosure_grant').set({ revoked_at: new Date() }).where('id', '=', grantId).execute();
  });

  it('needs a reason to search, and names the field', async () => {
    const res = await search('dsl', { name: 'Lily Turner', dateOfBirth: '2012-05-20' }).expect(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.fields).toHaveProperty(['query.reason']);
    const short = await search('dsl', { name: 'Lily Turner', reason: 'x' }).expect(400);
    expect(short.body.error.fields).toHaveProperty(['query.reason']);
    const nothing = await search('dsl', { reason: 'a concern raised at school' }).expect(400);
    expect(Object.keys(nothing.body.error.fields)).toEqual(['query.name']);
    const badDate = await search('dsl', { name: 'Lily Turner', dateOfBirth: '2012-02-30', reason: 'a concern raised at school' }).expect(400);
    expect(Object.keys(badDate.body.error.fields)).toEqual(['query.dateOfBirth']);
    const badPostcode = await search('dsl', { postcode: 'NOT A CODE', reason: 'a concern raised at school' }).expect(400);
    expect(Object.keys(badPostcode.body.error.fields)).toEqual(['query.postcode']);
  });

  it('shows a school without a relationship only the contact minimum', async () => {
    const reason = 'Lily disclosed worries at school and I need to reach her social worker';
    const found = await search('dsl', { name: 'Lily Turner', dateOfBirth: '2012-05-20', reason }).expect(200);
    conforms('SearchResults', found.body);
    const hit = found.body.results.find((r: { subjectId: string }) => r.subjectId === lily);
    expect(hit).toMatchObject({ givenNames: 'Lily', familyName: 'Turner', dateOfBirth: '2012-05-20', access: 'contact-minimum' });
    expect(Object.keys(hit).sort()).toEqual(['access', 'contacts', 'dateOfBirth', 'deceased', 'dobPrecision', 'familyName', 'givenNames', 'otherNames', 'score', 'subjectId', 'why']);
    expect(hit.contacts.map((c: { practitionerName: string }) => c.practitionerName).sort()).toEqual(['Jade Whitfield', 'Kofi Mensah', 'Mandeep Kaur']);
    expect(hit.contacts).toContainEqual(expect.objectContaining({ email: 'social.worker@csc.northbridge.example', phone: '01632 960 005', jobTitle: 'Social worker' }));
    expect(JSON.stringify(found.body)).not.toContain('Canal Street');
    expect(JSON.stringify(found.body)).not.toContain(lilyNhs);
    const byNhs = await search('dsl', { identifier: `${lilyNhs.slice(0, 3)} ${lilyNhs.slice(3, 6)} ${lilyNhs.slice(6)}`, reason }).expect(200);
    expect(byNhs.body.results.map((r: { subjectId: string }) => r.subjectId)).toEqual([lily]);
    expect(byNhs.body.results[0].why).toContain('same identifier');
    const byPostcode = await search('dsl', { postcode: 'nb12ab', reason }).expect(200);
    expect(byPostcode.body.results.map((r: { subjectId: string }) => r.subjectId).sort()).toEqual([lily, sarah].sort());

    // The record itself: refused without a reason, the contact minimum with one.
    const refused = await view('dsl', lily);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('no working relationship') });
    conforms('Error', refused.body);
    const res = await view('dsl', lily, { reason, purpose: 'contact the social worker' });
    expect(res.status).toBe(200);
    conforms('PersonView', res.body);
    expect(res.body.basis).toBe('contact-minimum');
    expect(res.body.identity).toEqual({ subjectId: lily, names: [expect.objectContaining({ kind: 'current', givenNames: 'Lily', familyName: 'Turner' })], dateOfBirth: '2012-05-20', dobPrecision: 'exact' });
    expect(res.body).toMatchObject({ addresses: null, relationships: null, involvements: null });
    expect(res.body.contacts.map((c: { email: string }) => c.email).sort()).toEqual([
      'early.help@csc.northbridge.example',
      'health.visitor@nhs.northbridge.example',
      'social.worker@csc.northbridge.example',
    ]);
    expect(categories(res.body.withheld)).toEqual(['family', 'involvements', 'whereabouts']);
    for (const w of res.body.withheld) expect(w.reason).toMatch(/no working relationship/);
    expect(JSON.stringify(res.body)).not.toContain('Canal Street');
    expect(JSON.stringify(res.body)).not.toContain('Sarah');

    // "Who is involved" on its own: current contacts, no past involvements.
    const who = await call('dsl', 'get', `/api/v1/people/${lily}/involvements?reason=${encodeURIComponent(reason)}`).expect(200);
    conforms('WhoIsInvolved', who.body);
    expect(who.body.basis).toBe('contact-minimum');
    expect(who.body.current).toHaveLength(3);
    expect(who.body.past).toEqual([]);
    await call('dsl', 'get', `/api/v1/people/${lily}/involvements`).expect(403);
  });

  it('finds a shielded person only by exact full name and date of birth, and hides their whereabouts from all but those working with them', async () => {
    amara = await create('sw', {
      givenNames: 'Amara',
      familyName: 'Okonkwo',
      sex: 'female',
      dateOfBirth: '2015-06-12',
      shielded: true,
      address: { line1: '3 Refuge Road', town: 'Northbridge', postcode: 'NB4 7DE' },
    });
    await involve('sw', amara, 'allocated_social_worker');
    const reason = 'a referral names this child';
    const ids = async (q: Record<string, string>) => ((await search('dsl', { ...q, reason }).expect(200)).body.results as Array<{ subjectId: string }>).map((r) => r.subjectId);
    expect(await ids({ name: 'Amara Okonk', dateOfBirth: '2015-06-12' })).not.toContain(amara);
    expect(await ids({ name: 'Amara Okonkwo' })).not.toContain(amara);
    expect(await ids({ name: 'Okonkwo', dateOfBirth: '2015-06-12' })).not.toContain(amara);
    expect(await ids({ dateOfBirth: '2015-06-12' })).not.toContain(amara);
    expect(await ids({ postcode: 'NB4 7DE' })).not.toContain(amara);
    expect(await ids({ name: 'Amara Okonkwo', dateOfBirth: '2015-12-06' })).not.toContain(amara);
    expect(await ids({ name: 'Amara Okonkwo', dateOfBirth: '2015-06-12' })).toContain(amara);
    // The involved worker finds her only the same way, but sees where she lives.
    expect((await view('sw', amara)).body.addresses).toEqual([expect.objectContaining({ line1: '3 Refuge Road' })]);

    // A MASH officer: nothing without an open enquiry; with one, the record without her whereabouts.
    expect((await view('police', amara)).status).toBe(403);
    await t.services.repositories.people.openEnquiry(
      { subjectId: amara, id: newId(), organisationId: orgIds.cscMash, openedBy: userIds.cscMash, reason: 'Contact from a GP' },
      new Date(),
    );
    const mash = await view('police', amara);
    expect(mash.status).toBe(200);
    conforms('PersonView', mash.body);
    expect(mash.body.basis).toBe('mash-enquiry');
    expect(mash.body.addresses).toBeNull();
    expect(mash.body.withheld).toEqual([{ category: 'whereabouts', reason: expect.stringContaining('shielded') }]);
    expect(mash.body.identity.names[0]).toMatchObject({ givenNames: 'Amara' });
    expect(JSON.stringify(mash.body)).not.toContain('Refuge Road');
    // Contact minimum never shows whereabouts either.
    const dsl = await view('dsl', amara, { reason });
    expect(dsl.body.addresses).toBeNull();
    await t.services.repositories.people.closeEnquiries(amara, new Date());
  });

  it('opens a record to a MASH officer only while an enquiry is open', async () => {
    expect((await view('police', lily)).status).toBe(403);
    await t.services.repositories.people.openEnquiry(
      { subjectId: lily, id: newId(), organisationId: orgIds.cscMash, openedBy: userIds.cscMash, reason: 'Contact from school' },
      new Date(),
    );
    const res = await view('police', lily);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ basis: 'mash-enquiry', withheld: [] });
    expect(res.body.addresses).toHaveLength(1);
    expect(res.body.relationships).toHaveLength(1);
    // The policy is the MASH role: a police officer who is not a MASH officer would not get this.
    await t.services.repositories.people.closeEnquiries(lily, new Date());
    expect((await view('police', lily)).status).toBe(403);
  });

  it('gives a disclosure exactly the categories it grants, until revoked', async () => {
    expect((await view('housing', lily)).status).toBe(403);
    const grantId = newId();
    await t.services.repositories.people.db
      .insertInto('disclosure_grant')
      .values({
        subject_id: lily,
        id: grantId,
        recipient_user_id: userIds.housing,
        recipient_team_id: null,
        recipient_organisation_id: null,
        categories: ['identity', 'family'],
        granted_by: userIds.sw,
        granted_at: new Date(),
        expires_at: null,
        revoked_at: null,
      })
      .execute();
    const res = await view('housing', lily);
    expect(res.status).toBe(200);
    conforms('PersonView', res.body);
    expect(res.body.basis).toBe('disclosure');
    expect(res.body.allowed.sort()).toEqual(['family', 'identity']);
    expect(categories(res.body.withheld)).toEqual(['contacts', 'involvements', 'whereabouts']);
    expect(res.body.identity.identifiers).toHaveLength(2);
    expect(res.body.relationships).toHaveLength(1);
    expect(res.body).toMatchObject({ addresses: null, involvements: null, contacts: [] });
    await t.services.repositories.people.db.updateTable('disclosure_grant').set({ revoked_at: new Date() }).where('id', '=', grantId).execute();
    expect((await view('housing', lily)).status).toBe(403);
  });

  it('break-glass: a stated reason, time-limited access, an alert to the IG lead and a review, once', async () => {
    const short = await call('gp', 'post', `/api/v1/people/${lily}/break-glass`, { reason: 'urgent' }).expect(400);
    expect(Object.keys(short.body.error.fields)).toEqual(['body.reason']);
    expect((await view('gp', lily)).status).toBe(403);

    const reason = 'Child brought to surgery injured out of hours, need family contacts now';
    const started = Date.now();
    const glass = await call('gp', 'post', `/api/v1/people/${lily}/break-glass`, { reason }).expect(201);
    const expiresAt = new Date(glass.body.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThan(started + 30 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60 * 60_000);

    const res = await view('gp', lily);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ basis: 'break-glass', activeBreakGlass: true });
    expect(res.body.addresses).toHaveLength(1);

    const alerts = await t.services.repositories.people.db
      .selectFrom('notification')
      .selectAll()
      .where('recipient_user_id', '=', userIds.ig)
      .where('kind', '=', 'break-glass')
      .where('subject_id', '=', lily)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toContain('Dr Ellen Price');

    const notForOthers = await call('sw', 'get', '/api/v1/access-reviews').expect(403);
    expect(notForOthers.body.error.code).toBe('forbidden');
    // The IG lead reviews emergency access and may not use it; each refusal is audited.
    const igGlass = await call('ig', 'post', `/api/v1/people/${lily}/break-glass`, { reason: 'I would like to look at this record urgently now' }).expect(403);
    expect(igGlass.body.error.message).toMatch(/Only practitioners, MASH officers and team managers/);
    const refusals = await t.services.audit.search({ subjectId: lily, action: 'person.break-glass', limit: 10 });
    expect(refusals).toContainEqual(expect.objectContaining({ outcome: 'denied', actorUserId: userIds.ig }));
    expect(await t.services.audit.search({ action: 'break-glass.queue.read', limit: 10 })).toContainEqual(expect.objectContaining({ outcome: 'denied', actorUserId: userIds.sw }));
    const queue = await call('ig', 'get', '/api/v1/access-reviews').expect(200);
    conforms('AccessReviews', queue.body);
    const item = queue.body.open.find((o: { subjectId: string }) => o.subjectId === lily);
    expect(item).toMatchObject({ userEmail: USERS.gp, reason, reviewedAt: null });

    await call('gp', 'post', `/api/v1/access-reviews/${lily}/${item.id}`, { outcome: 'justified' }).expect(403);
    const noNote = await call('ig', 'post', `/api/v1/access-reviews/${lily}/${item.id}`, { outcome: 'not_justified' }).expect(400);
    expect(Object.keys(noNote.body.error.fields)).toEqual(['body.note']);
    await call('ig', 'post', `/api/v1/access-reviews/${lily}/${item.id}`, { outcome: 'justified', note: 'Out-of-hours emergency' }).expect(204);
    const again = await call('ig', 'post', `/api/v1/access-reviews/${lily}/${item.id}`, { outcome: 'not_justified', note: 'changed my mind' }).expect(400);
    expect(again.body.error.message).toMatch(/already been reviewed/);
    const after = (await call('ig', 'get', '/api/v1/access-reviews').expect(200)).body;
    expect(after.open.map((o: { id: string }) => o.id)).not.toContain(item.id);
    expect(after.done.find((o: { id: string }) => o.id === item.id)).toMatchObject({ reviewOutcome: 'justified', reviewerName: 'Helen Carver' });

    // The access ends when the time is up.
    await t.services.repositories.people.db
      .updateTable('break_glass')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('subject_id', '=', lily)
      .where('id', '=', item.id)
      .execute();
    const ended = await view('gp', lily);
    expect(ended.status).toBe(403);
  });

  it('keeps a sensitive service\'s involvement invisible to other agencies until the person consents', async () => {
    const serviceId = newId();
    await t.services.repositories.people.insertService(
      { id: serviceId, organisationId: orgIds.hv, name: 'Northbridge Sexual Health', category: 'health', sensitiveKind: 'sexual_health', email: 'sexualhealth@nhs.northbridge.example', phone: '01632 960 350' },
      new Date(),
    );
    const involvementId = await involve('hv', lily, 'other', { serviceId });
    const reason = 'Lily disclosed worries at school and I need to reach her social worker';
    const mentions = (body: unknown) => JSON.stringify(body).includes('Sexual Health') || JSON.stringify(body).includes(involvementId);

    // Its own organisation sees it.
    const own = await view('hv', lily);
    expect(own.body.involvements.map((i: { id: string }) => i.id)).toContain(involvementId);
    expect(mentions(own.body)).toBe(true);
    // Nobody else does: not the social worker, not a search, not "who is involved".
    expect(mentions((await view('sw', lily)).body)).toBe(false);
    expect(mentions((await search('dsl', { name: 'Lily Turner', dateOfBirth: '2012-05-20', reason }).expect(200)).body)).toBe(false);
    expect(mentions((await call('dsl', 'get', `/api/v1/people/${lily}/involvements?reason=${encodeURIComponent(reason)}`).expect(200)).body)).toBe(false);
    expect(mentions((await call('sw', 'get', `/api/v1/people/${lily}/involvements`).expect(200)).body)).toBe(false);

    await t.services.repositories.people.db.updateTable('involvement').set({ consent_to_show: true }).where('subject_id', '=', lily).where('id', '=', involvementId).execute();
    expect((await view('sw', lily)).body.involvements.map((i: { id: string }) => i.id)).toContain(involvementId);
    const who = await call('dsl', 'get', `/api/v1/people/${lily}/involvements?reason=${encodeURIComponent(reason)}`).expect(200);
    expect(who.body.current).toContainEqual(expect.objectContaining({ serviceName: 'Northbridge Sexual Health', email: 'health.visitor@nhs.northbridge.example' }));
  });

  it('shows who viewed the record to the IG lead and the lead professional only', async () => {
    for (const who of ['sw', 'tm', 'dsl', 'hv', 'police'] as const) {
      const res = await call(who, 'get', `/api/v1/people/${lily}/access-history`);
      expect(res.status, who).toBe(403);
      expect(res.body.error.message).toMatch(/information-governance lead and the lead professional/);
    }
    for (const who of ['ig', 'eh'] as const) {
      const res = await call(who, 'get', `/api/v1/people/${lily}/access-history`).expect(200);
      conforms('AccessHistory', res.body);
      const entries = res.body.entries as Array<{ actor: string; action: string; outcome: string; basis: string; purpose: string; reason: string | null }>;
      expect(entries).toContainEqual(
        expect.objectContaining({ actor: USERS.dsl, action: 'person.read', outcome: 'success', basis: 'contact-minimum', purpose: 'contact the social worker', reason: expect.stringContaining('disclosed worries') }),
      );
      expect(entries).toContainEqual(expect.objectContaining({ actor: USERS.sw, action: 'person.read', outcome: 'success', basis: 'relationship', purpose: 'work with the person' }));
      expect(entries).toContainEqual(expect.objectContaining({ actor: USERS.police, action: 'person.read', outcome: 'success', basis: 'mash-enquiry' }));
      expect(entries).toContainEqual(expect.objectContaining({ actor: USERS.gp, action: 'person.break-glass', reason: expect.stringContaining('out of hours') }));
      expect(entries).toContainEqual(expect.objectContaining({ actor: USERS.dsl, action: 'person.read', outcome: 'denied' }));
      expect(entries).toContainEqual(expect.objectContaining({ actor: USERS.sw, action: 'person.access-history.read', outcome: 'denied' }));
    }
  });

  it('left an audit entry for every read it allowed', async () => {
    expect(reads.get(lily)).toBeGreaterThan(5);
    for (const [subjectId, n] of reads) {
      const entries = await t.services.audit.search({ action: 'person.read', subjectId, outcome: 'success', limit: 1000 });
      expect(entries.filter((e) => e.action === 'person.read'), subjectId).toHaveLength(n);
    }
  });

  it('finds people by nickname, spelling and a day/month-swapped date of birth', async () => {
    robert = await create('sw', { givenNames: 'Robert', familyName: 'Smith', sex: 'male', dateOfBirth: '2018-03-04' });
    const reason = 'new pupil joining the school';
    const ids = async (q: Record<string, string>) => ((await search('dsl', { ...q, reason }).expect(200)).body.results as Array<{ subjectId: string }>).map((r) => r.subjectId);
    expect(await ids({ name: 'Bobby Smyth', dateOfBirth: '2018-03-04' })).toContain(robert);
    expect(await ids({ name: 'Robert Smith', dateOfBirth: '2018-04-03' })).toContain(robert);
    expect(await ids({ name: 'Rob Smith' })).toContain(robert);
    expect(await ids({ name: 'Robert Smith', dateOfBirth: '2011-11-11' })).not.toContain(robert);
  });

  it('rejects invalid identifiers, impossible dates and unknown postcodes, naming the field and saving nothing', async () => {
    const before = await Promise.all([count('person'), count('person_name'), count('person_identifier'), count('person_address')]);
    const base = { givenNames: 'Test', familyName: 'Child', sex: 'male', dobPrecision: 'exact', dateOfBirth: '2016-02-01', confirmNotDuplicate: true };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ nhsNumber: '943 476 5918' }, 'body.nhsNumber'],
      [{ nhsNumber: '12345' }, 'body.nhsNumber'],
      [{ upn: 'A12345678901X' }, 'body.upn'],
      [{ address: { line1: '1 High Street', postcode: 'ZZ99 9ZZ' } }, 'body.address.postcode'],
      [{ dateOfBirth: '2019-02-30' }, 'body.dateOfBirth'],
      [{ dateOfBirth: '20190230' }, 'body.dateOfBirth'],
      [{ dobPrecision: 'expected', dateOfBirth: '2020-01-01' }, 'body.dateOfBirth'],
      [{ dateOfBirth: '2999-01-01' }, 'body.dateOfBirth'],
      [{ givenNames: '' }, 'body.givenNames'],
      [{ sex: 'other' }, 'body.sex'],
      [{ localIds: [{ organisationId: newId(), value: 'MOS-1' }] }, 'body.localIds.0.organisationId'],
    ];
    for (const [change, field] of cases) {
      const res = await call('sw', 'post', '/api/v1/people', { ...base, ...change });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.error.code).toBe('validation');
      expect(Object.keys(res.body.error.fields), JSON.stringify(change)).toEqual([field]);
      expect(res.body.error.fields[field]).toBeTruthy();
    }
    // An NHS number another person already has: named, and nothing half-saved.
    const dup = await call('sw', 'post', '/api/v1/people', {
      ...base,
      nhsNumber: lilyNhs,
      address: { line1: '1 High Street', postcode: 'NB1 3DE' },
      otherNames: [{ kind: 'alias', givenNames: 'Testy', familyName: 'Child' }],
    });
    expect(dup.status).toBe(400);
    expect(dup.body.error.fields).toEqual({ 'body.nhsNumber': expect.stringContaining('Another person already has this NHS number') });
    const upnDup = await call('sw', 'post', '/api/v1/people', { ...base, upn: lilyUpn.toLowerCase() });
    expect(upnDup.body.error.fields).toEqual({ 'body.upn': expect.stringContaining('UPN') });
    expect(await Promise.all([count('person'), count('person_name'), count('person_identifier'), count('person_address')])).toEqual(before);

    // And on an existing record.
    const badId = await call('sw', 'post', `/api/v1/people/${lily}/identifiers`, { scheme: 'nhs_number', value: '943 476 5918' }).expect(400);
    expect(Object.keys(badId.body.error.fields)).toEqual(['body.value']);
    const takenId = await call('sw', 'post', `/api/v1/people/${sarah}/identifiers`, { scheme: 'nhs_number', value: ` ${lilyNhs} ` }).expect(400);
    expect(takenId.body.error.fields).toEqual({ 'body.value': expect.stringContaining('Another person already has this identifier') });
    expect(await count('person_identifier')).toBe(before[2]);
    const addr = await call('sw', 'post', `/api/v1/people/${lily}/addresses`, { line1: '2 Mill Lane', postcode: 'NOPE' }).expect(400);
    expect(Object.keys(addr.body.error.fields)).toEqual(['body.postcode']);
    const badPath = await call('sw', 'get', '/api/v1/people/not-a-uuid').expect(400);
    expect(Object.keys(badPath.body.error.fields)).toEqual(['path.id']);
    const unknown = await view('sw', newId());
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it('keeps a new record open to the practitioner who recorded it for a limited time only', async () => {
    expect((await view('sw', sarah)).body.basis).toBe('recorded-by');
    await t.services.repositories.people.db
      .updateTable('person')
      .set({ created_at: new Date(Date.now() - 31 * 86_400_000) })
      .where('subject_id', '=', sarah)
      .execute();
    expect((await view('sw', sarah)).status).toBe(403);
    const minimum = await view('sw', sarah, { reason: 'checking the household' });
    expect(minimum.body).toMatchObject({ basis: 'contact-minimum', addresses: null, relationships: null });
  });

  it('warns of likely matches (409) and records once confirmed', async () => {
    const oliver = await create('sw', { givenNames: 'Oliver', familyName: 'Green', sex: 'male', dateOfBirth: '2014-09-09' });
    const before = await count('person');
    const res = await call('sw', 'post', '/api/v1/people', { givenNames: 'Olly', familyName: 'Green', sex: 'male', dobPrecision: 'exact', dateOfBirth: '2014-09-09' });
    expect(res.status).toBe(409);
    conforms('LikelyMatches', res.body);
    expect(res.body.error).toMatchObject({ code: 'likely_matches', message: expect.any(String) });
    expect(res.body.matches.map((m: { subjectId: string }) => m.subjectId)).toContain(oliver);
    expect(await count('person')).toBe(before);
    const other = await create('sw', { givenNames: 'Olly', familyName: 'Green', sex: 'male', dobPrecision: 'exact', dateOfBirth: '2014-09-09', confirmNotDuplicate: true });
    expect(other).not.toBe(oliver);
    expect(await count('person')).toBe(before + 1);
  });

  it('makes a retried create safe with an Idempotency-Key', async () => {
    const body = { givenNames: 'Noah', familyName: 'Patel', sex: 'male', dobPrecision: 'exact', dateOfBirth: '2019-07-01' };
    const first = await call('sw', 'post', '/api/v1/people').set('Idempotency-Key', 'create-noah-1').send(body).expect(201);
    conforms('PersonCreated', first.body);
    expect(first.headers.location).toBe(`/api/v1/people/${first.body.subjectId}`);
    const before = await count('person');
    const again = await call('sw', 'post', '/api/v1/people').set('Idempotency-Key', 'create-noah-1').send(body).expect(200);
    expect(again.body).toEqual({ subjectId: first.body.subjectId, repeated: true });
    expect(await count('person')).toBe(before);
    // Keys belong to their caller: the same key from someone else is a different request (and here a likely match).
    const theirs = await call('hv', 'post', '/api/v1/people').set('Idempotency-Key', 'create-noah-1').send(body).expect(409);
    expect(theirs.body.matches.map((m: { subjectId: string }) => m.subjectId)).toContain(first.body.subjectId);

    // Retries racing each other still make one person.
    for (const [key, extra] of [
      ['create-ava-1', { givenNames: 'Ava', confirmNotDuplicate: true }],
      ['create-mia-1', { givenNames: 'Mia' }],
    ] as const) {
      const n = await count('person');
      const all = await Promise.all(
        [1, 2, 3, 4].map(() => call('sw', 'post', '/api/v1/people').set('Idempotency-Key', key).send({ ...body, familyName: 'Kowalski', ...extra })),
      );
      expect(all.map((r) => r.status).sort(), key).toEqual([200, 200, 200, 201]);
      expect(new Set(all.map((r) => r.body.subjectId)).size).toBe(1);
      expect(await count('person')).toBe(n + 1);
    }
  });

  it('records and ends involvements, refusing duplicates', async () => {
    const reason = 'new pupil joining the school';
    expect((await view('dsl', robert)).status).toBe(403);
    const id = await involve('dsl', robert, 'designated_safeguarding_lead');
    const dup = await call('dsl', 'post', `/api/v1/people/${robert}/involvements`, { role: 'designated_safeguarding_lead', startDate: START }).expect(400);
    expect(Object.keys(dup.body.error.fields)).toEqual(['body.role']);
    const future = await call('dsl', 'post', `/api/v1/people/${robert}/involvements`, { role: 'school', startDate: '2999-01-01' }).expect(400);
    expect(Object.keys(future.body.error.fields)).toEqual(['body.startDate']);
    const badRole = await call('dsl', 'post', `/api/v1/people/${robert}/involvements`, { role: 'wizard', startDate: START }).expect(400);
    expect(Object.keys(badRole.body.error.fields)).toEqual(['body.role']);
    expect((await view('dsl', robert)).body.basis).toBe('relationship');

    // Others cannot end the school's involvement: not someone with no basis, nor the social worker who recorded Robert.
    await call('hv', 'post', `/api/v1/people/${robert}/involvements/${id}/end`, { endDate: today() }).expect(403);
    const notTheirs = await call('sw', 'post', `/api/v1/people/${robert}/involvements/${id}/end`, { endDate: today() }).expect(400);
    expect(notTheirs.body.error.message).toMatch(/Only the organisation that is involved/);
    const early = await call('dsl', 'post', `/api/v1/people/${robert}/involvements/${id}/end`, { endDate: '2020-01-01' }).expect(400);
    expect(Object.keys(early.body.error.fields)).toEqual(['body.endDate']);
    await call('dsl', 'post', `/api/v1/people/${robert}/involvements/${id}/end`, { endDate: today() }).expect(204);
    // The relationship has ended with it.
    expect((await view('dsl', robert)).status).toBe(403);
    const who = await call('dsl', 'get', `/api/v1/people/${robert}/involvements?reason=${encodeURIComponent(reason)}`).expect(200);
    expect(who.body.current).toEqual([]);
  });

  it('records names, addresses and relationships for those working with the person', async () => {
    await call('sw', 'post', `/api/v1/people/${lily}/names`, { kind: 'preferred', givenNames: 'Lil', familyName: 'Turner' }).expect(204);
    await call('dsl', 'post', `/api/v1/people/${lily}/names`, { kind: 'alias', givenNames: 'Lily', familyName: 'Jones' }).expect(403);
    await call('sw', 'post', `/api/v1/people/${lily}/addresses`, { line1: '2 Mill Lane', town: 'Northbridge', postcode: 'nb2 5hj', fromDate: today() }).expect(204);
    const res = await view('sw', lily);
    expect(res.body.identity.names.map((n: { kind: string; givenNames: string }) => `${n.kind}:${n.givenNames}`)).toEqual(['current:Lily', 'preferred:Lil']);
    expect(res.body.addresses.map((a: { postcode: string; toDate: string | null }) => [a.postcode, a.toDate])).toEqual([
      ['NB2 5HJ', null],
      ['NB1 2AB', today()],
    ]);
    const again = await call('sw', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: sarah, type: 'child' }).expect(200);
    expect(again.body).toEqual({ result: 'exists' });
    const self = await call('sw', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: lily, type: 'sibling' }).expect(400);
    expect(Object.keys(self.body.error.fields)).toEqual(['body.relatedSubjectId']);
    await call('sw', 'post', `/api/v1/people/${newId()}/names`, { kind: 'alias', givenNames: 'A', familyName: 'B' }).expect(404);
  });

  it('asks the policy about the other person of a relationship too, and audits the change on their record', async () => {
    // The health visitor works with Lily, not with Amara (shielded): the change to Amara's family is refused, and audited on her record.
    const refused = await call('hv', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: amara, type: 'sibling' }).expect(403);
    expect(refused.body.error.message).toMatch(/cannot record this person’s family/);
    const onAmara = await t.services.audit.search({ subjectId: amara, action: 'person.relationship.add', limit: 5 });
    expect(onAmara[0]).toMatchObject({ outcome: 'denied', details: expect.objectContaining({ through: lily }) });
    // Amara's own social worker may record it; a relationship with someone not shielded is audited on their record as well.
    await call('sw', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: amara, type: 'sibling' }).expect(201);
    expect((await t.services.audit.search({ subjectId: amara, action: 'person.relationship.add', limit: 5 }))[0]).toMatchObject({ outcome: 'success' });
    const cousin = await create('hv', { givenNames: 'Ottilie', familyName: 'Turner', dateOfBirth: '2019-04-04' });
    await call('hv', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: cousin, type: 'household_member' }).expect(201);
    const onCousin = await t.services.audit.search({ subjectId: cousin, action: 'person.relationship.add', limit: 5 });
    expect(onCousin[0]).toMatchObject({ outcome: 'success', details: expect.objectContaining({ through: lily, type: 'household_member' }) });
    // Someone not recorded: said only after the policy allowed the change to Lily's record.
    const unknown = await call('hv', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: newId(), type: 'sibling' }).expect(400);
    expect(unknown.body.error.fields).toEqual({ 'body.relatedSubjectId': 'That person is not recorded' });
    await call('dsl', 'post', `/api/v1/people/${lily}/relationships`, { relatedSubjectId: newId(), type: 'sibling' }).expect(403);
  });

  it('describes every people route in the OpenAPI document', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    for (const [path, method] of [
      ['/api/v1/people', 'get'],
      ['/api/v1/people', 'post'],
      ['/api/v1/people/{id}', 'get'],
      ['/api/v1/people/{id}/involvements', 'get'],
      ['/api/v1/people/{id}/involvements', 'post'],
      ['/api/v1/people/{id}/involvements/{involvementId}/end', 'post'],
      ['/api/v1/people/{id}/relationships', 'post'],
      ['/api/v1/people/{id}/names', 'post'],
      ['/api/v1/people/{id}/addresses', 'post'],
      ['/api/v1/people/{id}/identifiers', 'post'],
      ['/api/v1/people/{id}/break-glass', 'post'],
      ['/api/v1/people/{id}/access-history', 'get'],
      ['/api/v1/access-reviews', 'get'],
      ['/api/v1/access-reviews/{subjectId}/{id}', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
    const search = doc.paths['/api/v1/people'].get.parameters as Array<{ name: string; required: boolean }>;
    expect(search.find((p) => p.name === 'reason')?.required).toBe(true);
    expect(doc.paths['/api/v1/people'].post.responses['409'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/LikelyMatches' });
    for (const name of ['Person', 'PersonView', 'SearchResult', 'SearchResults', 'ContactCard', 'Withheld', 'WhoIsInvolved', 'AccessHistory', 'AccessReviews']) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
  });
});
