import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };

const USERS = {
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  police: 'police.officer@police.northbridge.example',
  dsl: 'dsl@hollinlane.northbridge.example',
  cscMash: 'mash.officer@csc.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
  probation: 'probation.officer@probation.northbridge.example',
} as const;
type Who = keyof typeof USERS;

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

interface Member {
  withheld: boolean;
  subjectId?: string;
  givenNames?: string;
  current?: boolean;
  periods?: Array<{ fromDate: string | null; toDate: string | null }>;
  reason?: string;
}
interface Household {
  id: string;
  label: string | null;
  address: { line1: string; postcode: string } | null;
  addressWithheld: string | null;
  current: boolean;
  members: Member[];
}

/**
 * Households through the JSON API: recording them, people joining and leaving with the history
 * kept, and what the access policy lets each practitioner see of them, above all of a shielded
 * member and the address they live at.
 */
describe(`Households API, under the access policy (${describeDatabase()})`, () => {
  let t: TestApp;
  const tokens = {} as Record<Who, string>;
  const userIds = {} as Record<Who, string>;
  const orgIds = {} as Record<Who, string>;
  let ajv: Ajv2020;

  const call = (who: Who, method: 'get' | 'post', path: string, body?: unknown) => {
    const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);
    return body === undefined ? r : r.send(body as object);
  };
  const conforms = (component: string, value: unknown) => {
    const validate = ajv.getSchema(`doc#/components/schemas/${component}`)!;
    expect(validate(value), `${component}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };
  const create = async (who: Who, body: Record<string, unknown>) => {
    const res = await call(who, 'post', '/api/v1/people', { sex: 'unknown', dobPrecision: 'exact', confirmNotDuplicate: true, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.subjectId as string;
  };
  const involve = async (who: Who, subjectId: string, role: string) => {
    const res = await call(who, 'post', `/api/v1/people/${subjectId}/involvements`, { role, startDate: '2024-01-10' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  const households = async (who: Who, subjectId: string, query: Record<string, string> = {}) => {
    const res = await call(who, 'get', `/api/v1/people/${subjectId}/households?${new URLSearchParams(query)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    conforms('Households', res.body);
    return res.body as { basis: string; withheld: Array<{ category: string; reason: string }>; households: Household[] | null };
  };
  const shown = (h: Household) => h.members.filter((m) => !m.withheld).map((m) => m.givenNames).sort();
  const count = async (table: 'household' | 'household_member') =>
    Number((await t.services.repositories.people.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  let poppy: string;
  let jess: string;
  let dean: string;
  let amber: string;
  let homeId: string;
  let refugeId: string;

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

    // A girl the social worker works with, her mother and the mother's new partner.
    poppy = await create('sw', {
      givenNames: 'Poppy',
      familyName: 'Harlow',
      sex: 'female',
      dateOfBirth: '2016-04-02',
      address: { line1: '9 Weaver Row', town: 'Northbridge', postcode: 'NB6 3PL', fromDate: '2020-05-01' },
    });
    jess = await create('sw', { givenNames: 'Jess', familyName: 'Harlow', sex: 'female', dateOfBirth: '1992-08-19' });
    dean = await create('sw', { givenNames: 'Dean', familyName: 'Cole', sex: 'male', dateOfBirth: '1989-02-11' });
    await involve('sw', poppy, 'allocated_social_worker');
  });
  afterAll(async () => t?.close());

  it('records a household from a person at their current address, with the family living with them', async () => {
    expect((await households('sw', poppy)).households).toEqual([]);
    const res = await call('sw', 'post', `/api/v1/people/${poppy}/households`, { address: 'current', memberSubjectIds: [jess], fromDate: '2020-05-01' }).expect(201);
    conforms('Created', res.body);
    homeId = res.body.id;
    const r = await households('sw', poppy);
    expect(r.basis).toBe('relationship');
    expect(r.households).toHaveLength(1);
    const home = r.households![0]!;
    expect(home).toMatchObject({ id: homeId, label: null, current: true, addressWithheld: null, address: { line1: '9 Weaver Row', town: 'Northbridge', postcode: 'NB6 3PL' } });
    expect(shown(home)).toEqual(['Jess', 'Poppy']);
    expect(home.members.every((m) => m.current && m.periods!.length === 1 && m.periods![0]!.fromDate === '2020-05-01')).toBe(true);
    // The same households come with the person's record.
    const view = await call('sw', 'get', `/api/v1/people/${poppy}`).expect(200);
    conforms('PersonView', view.body);
    expect(view.body.households.map((h: Household) => h.id)).toEqual([homeId]);
    // And from the mother's side (the social worker recorded her recently).
    expect((await households('sw', jess)).households!.map((h) => h.id)).toEqual([homeId]);
  });

  it('rejects bad household input, naming the field and saving nothing', async () => {
    const before = await Promise.all([count('household'), count('household_member')]);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [jess, { address: 'current' }, 'body.address'], // Jess has no address recorded
      [poppy, { address: 'elsewhere' }, 'body.address'],
      [poppy, { address: 'none', fromDate: '2999-01-01' }, 'body.fromDate'],
      [poppy, { address: 'none', fromDate: '2024-02-30' }, 'body.fromDate'],
      [poppy, { address: 'none', memberSubjectIds: ['not-an-id'] }, 'body.memberSubjectIds.0'],
      [poppy, { address: 'none', memberSubjectIds: [newId()] }, 'body.memberSubjectIds'],
      [poppy, { address: 'none', memberSubjectIds: [poppy] }, 'body.memberSubjectIds'],
      [poppy, { address: 'none', label: 'x'.repeat(101) }, 'body.label'],
    ];
    for (const [subject, body, field] of cases) {
      const res = await call('sw', 'post', `/api/v1/people/${subject}/households`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.error.fields), JSON.stringify(body)).toEqual([field]);
    }
    const member = (body: unknown) => call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, body);
    expect(Object.keys((await member({ memberSubjectId: jess }).expect(400)).body.error.fields)).toEqual(['body.memberSubjectId']);
    expect(Object.keys((await member({ memberSubjectId: poppy }).expect(400)).body.error.fields)).toEqual(['body.memberSubjectId']);
    expect(Object.keys((await member({ memberSubjectId: dean, fromDate: '2999-01-01' }).expect(400)).body.error.fields)).toEqual(['body.fromDate']);
    expect(Object.keys((await member({}).expect(400)).body.error.fields)).toEqual(['body.memberSubjectId']);
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${newId()}/members`, { memberSubjectId: dean }).expect(404);
    const leave = (who: string, body: unknown) => call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members/${who}/leave`, body);
    expect(Object.keys((await leave(jess, {}).expect(400)).body.error.fields)).toEqual(['body.toDate']);
    expect(Object.keys((await leave(jess, { toDate: '2019-01-01' }).expect(400)).body.error.fields)).toEqual(['body.toDate']);
    expect((await leave(dean, { toDate: today() }).expect(400)).body.error.message).toMatch(/do not live in this household/);
    expect(await Promise.all([count('household'), count('household_member')])).toEqual(before);
  });

  it('records someone moving in, leaving and coming back, keeping the history', async () => {
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, { memberSubjectId: dean, fromDate: daysAgo(300) }).expect(204);
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members/${dean}/leave`, { toDate: daysAgo(100) }).expect(204);
    // Leaving twice is refused: they no longer live there.
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members/${dean}/leave`, { toDate: daysAgo(90) }).expect(400);
    const early = await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, { memberSubjectId: dean, fromDate: daysAgo(200) }).expect(400);
    expect(Object.keys(early.body.error.fields)).toEqual(['body.fromDate']);
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, { memberSubjectId: dean, fromDate: daysAgo(10) }).expect(204);
    const home = (await households('sw', poppy)).households![0]!;
    const d = home.members.find((m) => m.subjectId === dean)!;
    expect(d).toMatchObject({ withheld: false, current: true });
    expect(d.periods).toEqual([
      { fromDate: daysAgo(300), toDate: daysAgo(100) },
      { fromDate: daysAgo(10), toDate: null },
    ]);
    // Dean's own record shows the change in who viewed and changed it.
    const onDean = await t.services.audit.search({ subjectId: dean, limit: 50 });
    expect(onDean.filter((e) => e.action === 'person.household.member.add')).toHaveLength(2);
    expect(onDean.filter((e) => e.action === 'person.household.member.leave')).toHaveLength(1);
    // Those without a working relationship with Poppy change nothing.
    await call('dsl', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, { memberSubjectId: dean }).expect(403);
    await call('dsl', 'post', `/api/v1/people/${poppy}/households`, { address: 'none' }).expect(403);
  });

  it('never shows a shielded member, or the address they live at, to someone who does not work with them', async () => {
    // A mother in a refuge, shielded, whom the police officer works with; Poppy now stays with her too (shared care).
    amber = await create('police', {
      givenNames: 'Amber',
      familyName: 'Stone',
      sex: 'female',
      dateOfBirth: '1994-03-30',
      shielded: true,
      address: { line1: '1 Linden Court', town: 'Northbridge', postcode: 'NB8 4RT' },
    });
    await involve('police', amber, 'police_officer');
    // The social worker may not record where Amber lives: refused, and the refusal is on Amber's record.
    const refused = await call('sw', 'post', `/api/v1/people/${poppy}/households`, { address: 'none', memberSubjectIds: [amber] }).expect(403);
    expect(refused.body.error.message).toMatch(/cannot record where this person lives/);
    await call('sw', 'post', `/api/v1/people/${poppy}/households/${homeId}/members`, { memberSubjectId: amber }).expect(403);
    const denied = (await t.services.audit.search({ subjectId: amber, limit: 100 })).filter((e) => e.actorUserId === userIds.sw);
    expect(denied.filter((e) => e.action === 'person.household.member.add' && e.outcome === 'denied')).toHaveLength(2);

    // The police officer works with Amber and records her household, with Poppy in it.
    const res = await call('police', 'post', `/api/v1/people/${amber}/households`, { label: 'Refuge', address: 'current', memberSubjectIds: [poppy], fromDate: daysAgo(5) }).expect(201);
    refugeId = res.body.id;
    const police = await households('police', amber);
    expect(police.households![0]).toMatchObject({ id: refugeId, label: 'Refuge', address: { line1: '1 Linden Court' }, addressWithheld: null });
    expect(shown(police.households![0]!)).toEqual(['Amber', 'Poppy']);

    // The social worker sees Poppy's two households: the refuge with Amber withheld, and its address withheld.
    const sw = await households('sw', poppy);
    expect(sw.households!.map((h) => h.id).sort()).toEqual([homeId, refugeId].sort());
    const refuge = sw.households!.find((h) => h.id === refugeId)!;
    expect(refuge.address).toBeNull();
    expect(refuge.addressWithheld).toMatch(/shielded/);
    expect(shown(refuge)).toEqual(['Poppy']);
    expect(refuge.members.filter((m) => m.withheld)).toEqual([{ withheld: true, reason: expect.stringContaining('shielded') }]);
    const text = JSON.stringify(sw);
    for (const secret of ['Linden', 'NB8 4RT', 'Amber', 'Stone', amber, '1994-03-30']) expect(text, secret).not.toContain(secret);
    // Through the whole record, and the team manager, the same.
    const view = await call('tm', 'get', `/api/v1/people/${poppy}`).expect(200);
    conforms('PersonView', view.body);
    const viewText = JSON.stringify(view.body.households);
    for (const secret of ['Linden', 'NB8 4RT', 'Amber', amber]) expect(viewText, secret).not.toContain(secret);
    // The home household is unaffected.
    expect(sw.households!.find((h) => h.id === homeId)!.address).toMatchObject({ line1: '9 Weaver Row' });
    // The decision not to show Amber is recorded on her record.
    const onAmber = (await t.services.audit.search({ subjectId: amber, limit: 100 })).filter((e) => e.actorUserId === userIds.sw);
    expect(onAmber.some((e) => e.action === 'person.household-member.read' && e.outcome === 'denied')).toBe(true);

    // Nor can the social worker record Amber leaving (refused before anything about her membership is said).
    const leave = await call('sw', 'post', `/api/v1/people/${poppy}/households/${refugeId}/members/${amber}/leave`, { toDate: today() }).expect(403);
    expect(leave.body.error.message).toMatch(/cannot record where this person lives/);
  });

  it('withholds a shielded person\'s household address from a MASH officer, and households from the contact minimum', async () => {
    await t.services.repositories.people.openEnquiry({ subjectId: amber, id: newId(), organisationId: orgIds.cscMash, openedBy: userIds.cscMash, reason: 'Contact from the refuge' }, new Date());
    const mash = await households('cscMash', amber);
    expect(mash.basis).toBe('mash-enquiry');
    const refuge = mash.households!.find((h) => h.id === refugeId)!;
    expect(refuge.address).toBeNull();
    expect(refuge.addressWithheld).toMatch(/shielded/);
    expect(shown(refuge)).toEqual(['Amber', 'Poppy']);
    expect(JSON.stringify(mash)).not.toContain('Linden');
    expect(mash.withheld).toEqual([{ category: 'whereabouts', reason: expect.stringContaining('shielded') }]);
    await t.services.repositories.people.closeEnquiries(amber, new Date());

    // Without a working relationship, even with a reason (the contact minimum), no households: refused, saying why.
    const reason = encodeURIComponent('Poppy said at school she has moved');
    const dsl = await call('dsl', 'get', `/api/v1/people/${poppy}/households?reason=${reason}`).expect(403);
    expect(dsl.body.error.message).toMatch(/no working relationship/);
    const minimum = await call('dsl', 'get', `/api/v1/people/${poppy}?reason=${reason}`).expect(200);
    expect(minimum.body).toMatchObject({ basis: 'contact-minimum', households: null });
    expect(JSON.stringify(minimum.body)).not.toContain('Weaver');
    await call('sw', 'get', `/api/v1/people/${newId()}/households`).expect(404);
  });

  it('shows the demo family households, with the shielded mother and children withheld from the father\'s probation officer', async () => {
    const people = t.services.repositories.people;
    const byName = async (given: string, family: string) =>
      (await people.db.selectFrom('person_name').select('subject_id').where('given_names', '=', given).where('family_name', '=', family).where('kind', '=', 'current').executeTakeFirstOrThrow()).subject_id;
    const craig = await byName('Craig', 'Bentley');
    const r = await households('probation', craig);
    expect(r.households).toHaveLength(1);
    const home = r.households![0]!;
    expect(home).toMatchObject({ current: true, address: { line1: '41 Mill Street' } });
    expect(shown(home)).toEqual(['Craig']);
    expect(home.members.filter((m) => m.withheld)).toHaveLength(3);
    for (const secret of ['Orchard', 'NB9 8JN', 'Leanne', 'Ruby', 'Alfie']) expect(JSON.stringify(r), secret).not.toContain(secret);
    // The housing officer works with Leanne: she sees her and her household at the refuge, but not the children she does not work with.
    const leanne = await byName('Leanne', 'Rowe');
    const housing = await households('housing', leanne);
    const refuge = housing.households!.find((h) => h.current)!;
    expect(refuge.label).toBe('Emergency accommodation');
    expect(shown(refuge)).toEqual(['Leanne']);
    expect(refuge.members.filter((m) => m.withheld)).toHaveLength(2);
    expect(refuge.address).toBeNull();
    const before = housing.households!.find((h) => !h.current)!;
    expect(before).toMatchObject({ address: { line1: '41 Mill Street' } });
    expect(shown(before)).toEqual(['Craig', 'Leanne']);
  });

  it('describes the household routes in the OpenAPI document', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    for (const [path, method] of [
      ['/api/v1/people/{id}/households', 'get'],
      ['/api/v1/people/{id}/households', 'post'],
      ['/api/v1/people/{id}/households/{householdId}/members', 'post'],
      ['/api/v1/people/{id}/households/{householdId}/members/{memberSubjectId}/leave', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
    for (const name of ['Household', 'HouseholdMember', 'Households']) expect(doc.components.schemas, name).toHaveProperty(name);
  });
});
