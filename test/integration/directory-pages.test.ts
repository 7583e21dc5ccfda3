import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferedOutput } from '../../src/cli/output.ts';
import { runCommand } from '../../src/cli/commands.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { ORUK_FIXTURES, orukFixturesPresent, OrukChecker } from '../support/oruk-conformance.ts';

const ADMIN = 'admin@csc.northbridge.example';
const PROVIDER = 'family.support@familysupport.northbridge.example';
const EARLY_HELP = 'social.worker@csc.northbridge.example';
const HEALTH = 'health.visitor@nhs.northbridge.example';

describe(`Service directory pages, edits, referrals, import and upkeep (${describeDatabase()})`, () => {
  let t: TestApp;
  const serviceId = async (name: string) => {
    const r = await request(t.app).get(`/api/oruk/services?search=${encodeURIComponent(name)}`).expect(200);
    const s = (r.body.contents as Array<{ id: string; name: string }>).find((x) => x.name === name);
    if (!s) throw new Error(`No published service ${name}`);
    return s.id;
  };
  const audits = async (action: string) =>
    (await t.services.audit.search({ action, limit: 50 })).map((e) => ({ outcome: e.outcome, subjectId: e.subjectId, reason: e.reason, details: e.details }));

  // One signed-in agent per user for the whole file (a security code can be used once).
  const agents = new Map<string, Awaited<ReturnType<typeof signIn>>>();
  const as = async (email: string) => {
    if (!agents.has(email)) agents.set(email, await signIn(t, email));
    return agents.get(email)!;
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets anyone search by words, postcode and distance, age and category, without signing in', async () => {
    const start = await request(t.app).get('/directory').expect(200);
    expect(start.text).toContain('Find help and services near you');
    const r = await request(t.app).get('/directory?what=&postcode=nb1+2ab&distance=1&age=3&category=').expect(200);
    expect(r.text).toMatch(/2 services found near NB1 2AB/);
    expect(r.text).toContain('Baby Clinic');
    expect(r.text).toContain('SEND Information and Advice');
    expect(r.text).toMatch(/About less than 0.1 miles away/);
    expect(r.text).not.toContain('Money and Rent Advice');
    const bad = await request(t.app).get('/directory?what=&postcode=NB99+9ZZ&distance=3').expect(200);
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('href="#postcode"');
    expect(bad.text).toMatch(/We do not know where NB99 9ZZ is/);
  });

  it('shows a service page in plain words to the public, and eligibility, referral procedure and a refer action to practitioners', async () => {
    const id = await serviceId('Family Support at Home');
    const pub = await request(t.app).get(`/directory/services/${id}`).expect(200);
    expect(pub.text).toContain('How to get help');
    expect(pub.text).toContain('Northbridge Family Hub');
    expect(pub.text).not.toContain('For practitioners');
    const agent = await as(EARLY_HELP);
    const prac = await agent.get(`/directory/services/${id}`).expect(200);
    expect(prac.text).toContain('Referral procedure');
    expect(prac.text).toContain(`/directory/services/${id}/refer`);
  });

  it('keeps the published version live while a provider\'s change waits, publishes it on approval, and refuses other organisations', async () => {
    const id = await serviceId('Family Support at Home');
    const provider = await as(PROVIDER);
    const form = await provider.get(`/directory/manage/services/${id}`).expect(200);
    const body: Record<string, string> = { _csrf: csrfFrom(form.text) };
    for (const m of form.text.matchAll(/<input class="govuk-input[^"]*" id="([^"]+)" name="\1" type="[^"]+" value="([^"]*)"/g)) body[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'");
    for (const m of form.text.matchAll(/<textarea class="govuk-textarea[^"]*" id="([^"]+)" name="\1"[^>]*>([^<]*)<\/textarea>/g)) body[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'");
    body.status = 'active';
    body.takesReferrals = 'yes';
    body.name = 'Family Support at Home and Online';
    // A bad value first: the form says what and where.
    const bad = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...body, maximumAge: '-2' }).expect(400);
    expect(bad.text).toContain('href="#maximumAge"');
    await provider.post(`/directory/manage/services/${id}`).type('form').send(body).expect(302);
    // Still the published name everywhere public.
    expect((await request(t.app).get(`/api/oruk/services/${id}`).expect(200)).body.name).toBe('Family Support at Home');
    // A second change waits its turn.
    const again = await provider.get(`/directory/manage/services/${id}`).expect(200);
    expect(again.text).toContain('waiting for approval');
    // Another organisation's practitioner cannot change it.
    const other = await as(HEALTH);
    await other.get(`/directory/manage/services/${id}`).expect(403);
    expect((await audits('directory.service.edit')).some((a) => a.outcome === 'denied' && a.subjectId === id)).toBe(true);
    // The administrator approves.
    const edit = (await t.services.directory.repository.edits({ serviceId: id, status: 'pending' }))[0]!;
    const admin = await as(ADMIN);
    const page = await admin.get(`/directory/admin/edits/${edit.id}`).expect(200);
    expect(page.text).toContain('Family Support at Home and Online');
    await admin.post(`/directory/admin/edits/${edit.id}/approve`).type('form').send({ _csrf: csrfFrom(page.text), note: '' }).expect(302);
    expect((await request(t.app).get(`/api/oruk/services/${id}`).expect(200)).body.name).toBe('Family Support at Home and Online');
    expect((await audits('directory.edit.approve')).map((a) => a.subjectId)).toContain(id);
  });

  it('publishes a new service only once an administrator approves it, and never on its proposer\'s own say', async () => {
    const provider = await as(PROVIDER);
    const form = await provider.get('/directory/manage/services/new').expect(200);
    await provider
      .post('/directory/manage/services/new')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Dads Group', description: 'A weekly group for dads and their children to play and talk.', status: 'active', minimumAge: '0', maximumAge: '11', address1: '12 Mill Street', city: 'Northbridge', postcode: 'NB3 2BD' })
      .expect(302);
    expect((await request(t.app).get('/api/oruk/services?search=dads').expect(200)).body.total_items).toBe(0);
    const [edit] = await t.services.directory.repository.edits({ status: 'pending' });
    await request(t.app).get(`/directory/services/${edit!.serviceId}`).expect(404);
    const admin = await as(ADMIN);
    const page = await admin.get(`/directory/admin/edits/${edit!.id}`).expect(200);
    await admin.post(`/directory/admin/edits/${edit!.id}/approve`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(302);
    const found = (await request(t.app).get('/api/oruk/services?search=dads&postcode=NB3%202BD&proximity=200').expect(200)).body;
    expect(found.contents.map((s: { name: string }) => s.name)).toEqual(['Dads Group']);
  });

  it('refers a person the practitioner works with, recording the family\'s consent, through the access policy and audited', async () => {
    const id = await serviceId('Family Support at Home and Online');
    const agent = await as(EARLY_HELP);
    const form = await agent.get(`/directory/services/${id}/refer`).expect(200);
    const people = [...form.text.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(people.length).toBeGreaterThan(0);
    const subjectId = people[0]!;
    const base = { _csrf: csrfFrom(form.text), subjectId, reason: 'Mum asked for help with bedtime routines and school mornings.', categories: ['identity', 'contacts'], givenBy: 'parental_responsibility', givenByName: 'Their mother', capacityAssessment: 'presumed', method: 'verbal' };
    // Missing answer: the form names the field.
    const bad = await agent.post(`/directory/services/${id}/refer`).type('form').send({ ...base, consent: '' }).expect(400);
    expect(bad.text).toContain('Say whether the family agreed to the referral');
    // Refused: recorded, nothing sent.
    await agent.post(`/directory/services/${id}/refer`).type('form').send({ ...base, consent: 'refused' }).expect(302);
    expect(await t.services.directory.repository.referrals({ subjectId })).toEqual([]);
    expect((await audits('directory.referral.not-made')).map((a) => a.subjectId)).toContain(subjectId);
    // Agreed: the referral is made, the consent recorded, the provider told.
    await agent.post(`/directory/services/${id}/refer`).type('form').send({ ...base, consent: 'given' }).expect(302).expect('Location', '/directory/referrals');
    const [referral] = await t.services.directory.repository.referrals({ subjectId });
    expect(referral).toMatchObject({ serviceId: id, categories: ['identity', 'contacts'], status: 'sent' });
    const consents = await t.services.repositories.sharing.consents(subjectId);
    expect(consents.some((c) => c.id === referral!.consentId && c.decision === 'given' && c.purposes.includes('service_referral'))).toBe(true);
    expect((await audits('directory.referral.create')).find((a) => a.subjectId === subjectId)?.outcome).toBe('success');
    // The provider opens it: the person's name is read through the gate and audited on them.
    const provider = await as(PROVIDER);
    const list = await provider.get('/directory/referrals').expect(200);
    expect(list.text).toContain(`/directory/referrals/${subjectId}/${referral!.id}`);
    await provider.get(`/directory/referrals/${subjectId}/${referral!.id}`).expect(200);
    expect((await audits('directory.referral.read')).map((a) => a.subjectId)).toContain(subjectId);
    // Someone from a third organisation cannot open it.
    const other = await as(HEALTH);
    await other.get(`/directory/referrals/${subjectId}/${referral!.id}`).expect(403);
  });

  it('refuses a referral about someone the practitioner does not work with (the policy decides, and it is audited)', async () => {
    const id = await serviceId('Family Support at Home and Online');
    const agent = await as(EARLY_HELP);
    const form = await agent.get(`/directory/services/${id}/refer`).expect(200);
    const mine = new Set([...form.text.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]!));
    const rows = await t.services.database.query<{ subject_id: string }>('select subject_id from person order by subject_id');
    const stranger = rows.map((r) => r.subject_id).find((s) => !mine.has(s))!;
    const r = await agent
      .post(`/directory/services/${id}/refer`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), subjectId: stranger, reason: 'Trying to refer someone I do not work with.', categories: ['identity'], consent: 'given', givenBy: 'person', capacityAssessment: 'presumed', method: 'verbal' });
    expect(r.status).toBe(403);
    expect(await t.services.directory.repository.referrals({ subjectId: stranger })).toEqual([]);
    // The refusal is in the person's audit trail, and nothing was recorded about consent.
    expect((await audits('directory.referral.create')).some((x) => x.subjectId === stranger && x.outcome === 'denied')).toBe(true);
    expect((await t.services.repositories.sharing.consents(stranger)).some((c) => c.purposes.includes('service_referral'))).toBe(false);
  });

  it('imports the tabular files, keeping good rows and naming the file, row and column of bad ones', async () => {
    const admin = await as(ADMIN);
    const page = await admin.get('/directory/admin/import').expect(200);
    const orgId = (await t.services.repositories.organisations.findByName('Northbridge Family Support Trust'))!.id;
    const organizations = 'id,name,description\n11111111-1111-4111-8111-111111111111,Hillside Trust,A local charity\n';
    const servicesCsv =
      'id,organization_id,name,description,status,minimum_age,maximum_age\n' +
      '22222222-2222-4222-8222-222222222221,11111111-1111-4111-8111-111111111111,Hillside Homework Club,Help with homework after school,active,8,16\n' +
      '22222222-2222-4222-8222-222222222222,11111111-1111-4111-8111-111111111111,Broken Row,Bad status,open,5,3\n' +
      '22222222-2222-4222-8222-222222222223,99999999-9999-4999-8999-999999999999,Orphan,No such organisation,active,,\n';
    const r = await admin
      .post('/directory/admin/import')
      .field('_csrf', csrfFrom(page.text))
      .field('owner', orgId)
      .attach('files', Buffer.from(organizations), 'organizations.csv')
      .attach('files', Buffer.from(servicesCsv), 'services.csv')
      .expect(200);
    expect(r.text).toMatch(/services\.csv<\/td><td[^>]*>3<\/td><td[^>]*>1</);
    expect(r.text).toMatch(/services\.csv<\/td><td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">status<\/td><td class="govuk-table__cell">&quot;open&quot; must be one of/);
    expect(r.text).toMatch(/<td class="govuk-table__cell">3<\/td><td class="govuk-table__cell">maximum_age<\/td>/);
    expect(r.text).toMatch(/<td class="govuk-table__cell">4<\/td><td class="govuk-table__cell">organization_id<\/td><td class="govuk-table__cell">It refers to 99999999/);
    expect((await request(t.app).get('/api/oruk/services/22222222-2222-4222-8222-222222222221').expect(200)).body.name).toBe('Hillside Homework Club');
    await request(t.app).get('/api/oruk/services/22222222-2222-4222-8222-222222222222').expect(404);
    const nonAdmin = await as(PROVIDER);
    await nonAdmin.get('/directory/admin/import').expect(403);
  });

  it.skipIf(!orukFixturesPresent)('imports the standard\'s own example CSVs, refusing only what is wrong in them, and serves the result conforming', async () => {
    const dir = path.join(ORUK_FIXTURES, 'uk-profile-3.0/examples/csv');
    const files = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const owner = (await t.services.repositories.organisations.findByName('Northbridge Homes'))!.id;
    const r = await t.services.directory.importTables({ operator: true }, files, owner);
    // The example location's latitude is 100: refused, and its address and the service-at-location that point at it with it.
    // (The file ends its lines CR CR LF: a blank line follows each row, so its one row is row 3.)
    expect(r.problems.find((p) => p.file === 'locations.csv')).toMatchObject({ row: 3, column: 'latitude' });
    expect(r.counts.find((c) => c.table === 'services')).toMatchObject({ rows: 1, accepted: 1 });
    const body = (await request(t.app).get('/api/oruk/services/ac148810-d857-441c-9679-408f346de14b').expect(200)).body;
    expect(body.name).toBe('Community Counselling');
    expect(new OrukChecker().check('service_full', body)).toEqual([]);
  });

  it('exports the published directory as the tabular files, which import again unchanged', async () => {
    const list = await request(t.app).get('/directory/export').expect(200);
    expect(list.text).toContain('services.csv');
    const csv = await request(t.app).get('/directory/export/services.csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    // Contacts' personal details are left out for the public, included for an administrator.
    const publicContacts = (await request(t.app).get('/directory/export/contacts.csv').expect(200)).text;
    expect(publicContacts).not.toContain('workers@familysupport.northbridge.example');
    expect(publicContacts.split('\n').length).toBeGreaterThan(7);
    const adminContacts = (await (await as(ADMIN)).get('/directory/export/contacts.csv').expect(200)).text;
    expect(adminContacts).toContain('workers@familysupport.northbridge.example');
    const files = await t.services.directory.exportTables();
    const before = (await request(t.app).get('/api/oruk/services?per_page=100').expect(200)).body;
    const fullBefore = new Map<string, Record<string, unknown>>();
    for (const s of before.contents as Array<{ id: string }>) fullBefore.set(s.id, (await request(t.app).get(`/api/oruk/services/${s.id}`).expect(200)).body);
    const owner = (await t.services.repositories.organisations.findByName('Northbridge Homes'))!.id;
    const r = await t.services.directory.importTables({ operator: true }, files, owner);
    expect(r.problems).toEqual([]);
    const after = (await request(t.app).get('/api/oruk/services?per_page=100').expect(200)).body;
    expect(after.total_items).toBe(before.total_items);
    expect(after.contents.map((s: { id: string; name: string }) => `${s.id} ${s.name}`).sort()).toEqual(before.contents.map((s: { id: string; name: string }) => `${s.id} ${s.name}`).sort());
    // Every service in full (with the changes approved above: schedules, costs, languages, areas,
    // contacts, locations and their accessibility) is the same after the round trip.
    const byId = (rows: unknown) => [...(rows as Array<{ id: string }>)].sort((x, y) => x.id.localeCompare(y.id));
    const full = (b: Record<string, unknown>) => ({ ...b, schedules: byId(b.schedules), cost_options: byId(b.cost_options), languages: byId(b.languages), service_areas: byId(b.service_areas), contacts: byId(b.contacts) });
    for (const s of before.contents as Array<{ id: string }>) {
      const was = fullBefore.get(s.id)!;
      expect(full((await request(t.app).get(`/api/oruk/services/${s.id}`).expect(200)).body)).toEqual(full(was));
    }
  });

  it('reports out-of-date services and reminds their owners at most once a week', async () => {
    const admin = await as(ADMIN);
    const report = await admin.get('/directory/admin/stale').expect(200);
    expect(report.text).toContain('Stay and Play');
    expect(report.text).toContain('Out of date');
    const first = await t.services.directory.remindStale();
    expect(first.services).toBeGreaterThanOrEqual(1);
    expect(first.notifications).toBeGreaterThanOrEqual(1);
    expect(await t.services.directory.remindStale()).toEqual({ services: 0, notifications: 0 });
    const ids = await t.services.database.query<{ message: string }>("select message from notification where kind = 'directory-stale'");
    expect(ids.some((n) => /Stay and Play.*out of date/.test(n.message))).toBe(true);
    // The setting is validated and saved.
    const bad = await admin.post('/directory/admin/stale').type('form').send({ _csrf: csrfFrom(report.text), staleAfterDays: '3', remindBeforeDays: '1' }).expect(400);
    expect(bad.text).toContain('Enter at least 7 days');
    await admin.post('/directory/admin/stale').type('form').send({ _csrf: csrfFrom(report.text), staleAfterDays: '365', remindBeforeDays: '14' }).expect(302);
    expect((await t.services.directory.staleReport()).services.map((s) => s.name)).not.toContain('Stay and Play');
    const provider = await as(PROVIDER);
    await provider.get('/directory/admin/stale').expect(403);
  });

  it('imports postcode centroids and the directory from the command line, reporting refused rows', async () => {
    const dir = fs.mkdtempSync(path.join(t.config.dataDir, 'oruk-'));
    fs.writeFileSync(path.join(dir, 'pc.csv'), 'pcds,lat,long\nNB20 1AA,54.1,-1.9\nNOT A PC,54,-1\nNB20 1AB,99.999999,0\n');
    const io = bufferedOutput();
    expect(await runCommand(t.services, ['directory', 'postcodes', '--file', path.join(dir, 'pc.csv')], io)).toBe(1);
    expect(io.stdout()).toContain('1 postcodes kept of 3 rows; 2 refused');
    expect(io.stderr()).toMatch(/pc\.csv:3:pcds: "NOT A PC" is not a UK postcode/);
    expect(io.stderr()).toMatch(/pc\.csv:4:lat:/);
    expect(await t.services.directory.locate('nb201aa')).toMatchObject({ pcds: 'NB20 1AA' });
    // A bigger file is read as a stream in batches: every row kept but the bad one, which is named.
    const L = 'ABDEFGHJLNPQRSTUWXYZ';
    const lines = ['pcd,pcds,lat,long'];
    for (let i = 0; i < 25_000; i++) {
      const pc = `NB${30 + (i % 60)} ${Math.floor(i / 60) % 10}${L[Math.floor(i / 600) % 20]}${L[Math.floor(i / 12_000) % 20]}`;
      lines.push(i === 20_000 ? `x,NOPE,54,-2` : `${pc},${pc},${(54 + (i % 100) / 1000).toFixed(4)},-1.95`);
    }
    fs.writeFileSync(path.join(dir, 'big.csv'), lines.join('\n') + '\n');
    const big = bufferedOutput();
    expect(await runCommand(t.services, ['directory', 'postcodes', '--file', path.join(dir, 'big.csv')], big)).toBe(1);
    expect(big.stdout()).toContain('24999 postcodes kept of 25000 rows; 1 refused');
    expect(big.stderr()).toContain('big.csv:20002:pcds:');
    expect(await t.services.directory.locate('NB89 9BB')).toBeTruthy();
    const out = path.join(dir, 'export');
    const io2 = bufferedOutput();
    expect(await runCommand(t.services, ['directory', 'export', '--folder', out], io2)).toBe(0);
    expect(fs.readdirSync(out)).toContain('services.csv');
    const io3 = bufferedOutput();
    expect(await runCommand(t.services, ['directory', 'import', '--folder', out, '--owner', 'Northbridge Homes'], io3)).toBe(0);
    expect(io3.stdout()).toMatch(/services\.csv: \d+ of \d+ rows kept/);
    expect(await runCommand(t.services, ['directory', 'import', '--folder', out], bufferedOutput())).toBe(2);
  });
});
