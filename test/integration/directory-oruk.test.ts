import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { OrukChecker, orukFixturesPresent, type Endpoint } from '../support/oruk-conformance.ts';

if (!orukFixturesPresent) console.warn('ORUK fixtures not found at ../shared/fixtures/oruk: schema validation of /api/oruk responses is skipped');

describe(`Open Referral UK API (${describeDatabase()})`, () => {
  let t: TestApp;
  let checker: OrukChecker | null = null;
  const get = async (path: string, endpoint: Endpoint | null, status = 200) => {
    const r = await request(t.app).get(path).expect(status);
    if (endpoint && checker) expect(checker.check(endpoint, r.body), `${path} conforms`).toEqual([]);
    return r.body as Record<string, unknown> & { contents: Array<Record<string, unknown>> };
  };
  const names = (body: { contents: Array<Record<string, unknown>> }) => body.contents.map((s) => s.name);

  beforeAll(async () => {
    t = await createTestApp();
    if (orukFixturesPresent) checker = new OrukChecker();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers GET / with the version, profile and openapi_url, without a session', async () => {
    const r = await request(t.app).get('/api/oruk/').expect(200);
    expect(r.body).toEqual({ version: 'HSDS-UK-3.0', profile: expect.stringMatching(/^https:/), openapi_url: expect.stringMatching(/^https:/) });
    expect(r.headers['set-cookie']).toBeUndefined();
    if (checker) expect(checker.check('api_details', r.body)).toEqual([]);
  });

  it('pages /services with a consistent envelope, and every item conforms', async () => {
    const all = await get('/api/oruk/services', 'service_list');
    expect(all.total_items).toBe(7);
    const p1 = await get('/api/oruk/services?per_page=3&page=1', 'service_list');
    const p3 = await get('/api/oruk/services?per_page=3&page=3', 'service_list');
    expect([p1.total_pages, p1.first_page, p1.last_page, p3.last_page, p3.contents.length]).toEqual([3, true, false, true, 1]);
    const past = await get('/api/oruk/services?per_page=3&page=9', 'service_list');
    expect([past.empty, past.total_items]).toEqual([true, 7]);
  });

  it('serves each service in full, each service at location, taxonomy and term, all conforming', async () => {
    const list = await get('/api/oruk/services', 'service_list');
    for (const s of list.contents) {
      const full = await get(`/api/oruk/services/${String(s.id)}`, 'service_full');
      expect(full.id).toBe(s.id);
      expect(Array.isArray(full.service_at_locations)).toBe(true);
      // Named contacts are practitioners' personal data: the public feed sends their id and title only.
      for (const c of full.contacts as unknown as Array<Record<string, unknown>>) expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['id', 'service_id']));
      expect(JSON.stringify(full.contacts)).not.toMatch(/@|01632/);
    }
    const sal = await get('/api/oruk/service_at_locations', 'service_at_location_list');
    expect(sal.total_items).toBe(7);
    for (const x of sal.contents) await get(`/api/oruk/service_at_locations/${String(x.id)}`, 'service_at_location_full');
    const taxonomies = await get('/api/oruk/taxonomies', 'taxonomy_list');
    for (const x of taxonomies.contents) await get(`/api/oruk/taxonomies/${String(x.id)}`, 'taxonomy');
    const terms = await get('/api/oruk/taxonomy_terms', 'taxonomy_term_list');
    expect(terms.total_items).toBe(7);
    for (const x of terms.contents) await get(`/api/oruk/taxonomy_terms/${String(x.id)}`, 'taxonomy_term');
  });

  it('round-trips the filters: text, taxonomy term, age and postcode proximity find the expected services and not the others', async () => {
    expect(names(await get('/api/oruk/services?search=weighed', 'service_list'))).toEqual(['Baby Clinic']);
    expect(names(await get('/api/oruk/services?search=baby', 'service_list'))).toEqual(['Baby Clinic', 'Stay and Play']);
    expect(names(await get('/api/oruk/services?text=youth%20club', 'service_list'))).toEqual(['Friday Youth Club']);
    // Words of the categories and of the provider's name are searched too.
    expect(names(await get('/api/oruk/services?search=childcare', 'service_list')).sort()).toEqual(['Baby Clinic', 'Stay and Play']);
    expect(names(await get('/api/oruk/services?search=justice', 'service_list'))).toEqual(['Friday Youth Club']);
    const terms = await get('/api/oruk/taxonomy_terms?search=Early%20years', null);
    const early = terms.contents[0]!.id as string;
    expect(names(await get(`/api/oruk/services?taxonomy_term_id=${early}`, 'service_list')).sort()).toEqual(['Baby Clinic', 'Stay and Play']);
    // Age 15: the youth club (11-19), family support (0-18), SEND (0-25); not the baby clinic (0-5) nor the adult services.
    expect(names(await get('/api/oruk/services?age=15', 'service_list')).sort()).toEqual(['Family Support at Home', 'Friday Youth Club', 'SEND Information and Advice']);
    // Within 500 m of NB1 2AB: the clinic there (NB1 2AB) and the town hall (NB1 1AA, ~100 m away); not NB3 (4 km east).
    const near = await get('/api/oruk/services?postcode=nb12ab&proximity=500', 'service_list');
    expect(names(near)).toEqual(['Baby Clinic', 'SEND Information and Advice']);
    expect((near.contents[0]!.distance as number) <= (near.contents[1]!.distance as number)).toBe(true);
    const wider = names(await get('/api/oruk/services?postcode=NB1%202AB&proximity=5000', 'service_list'));
    expect(wider).toContain('Family Support at Home');
    expect(wider).not.toContain('Domestic Abuse Helpline and Outreach'); // no physical location
    // Combined: text + age + proximity.
    expect(names(await get('/api/oruk/services?search=advice&age=20&postcode=NB1%202AB&proximity=500', 'service_list'))).toEqual(['SEND Information and Advice']);
    const sal = await get('/api/oruk/service_at_locations?postcode=NB1%202AB&proximity=500', 'service_at_location_list');
    expect(sal.contents.map((x) => (x.service as { name: string }).name)).toEqual(['Baby Clinic', 'SEND Information and Advice']);
  });

  it('refuses bad filters with JSON naming the field, and unknown ids with 404', async () => {
    const r = await request(t.app).get('/api/oruk/services?postcode=NB99%209ZZ').expect(400);
    expect(JSON.stringify(r.body)).toMatch(/postcode.*We do not know where NB99 9ZZ is/);
    expect(JSON.stringify((await request(t.app).get('/api/oruk/services?age=old').expect(400)).body)).toMatch(/age/);
    expect(JSON.stringify((await request(t.app).get('/api/oruk/services?proximity=100').expect(400)).body)).toMatch(/Enter a postcode/);
    await request(t.app).get('/api/oruk/services/not-a-uuid').expect(404);
    await request(t.app).get('/api/oruk/services/0190f1f4-0000-7000-8000-000000000000').expect(404);
  });
});
