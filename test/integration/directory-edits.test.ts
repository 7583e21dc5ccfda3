import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { orukFixturesPresent, OrukChecker } from '../support/oruk-conformance.ts';

const ADMIN = 'admin@csc.northbridge.example';
const PROVIDER = 'family.support@familysupport.northbridge.example';
const HEALTH = 'health.visitor@nhs.northbridge.example';

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** What a browser would send from the edit form as it is: every input (checked boxes only), textarea and selected option. */
function formBody(page: string): Record<string, string | string[]> {
  const start = page.indexOf('<form method="post" novalidate>');
  const html = page.slice(start, page.indexOf('</form>', start));
  const body: Record<string, string | string[]> = {};
  const put = (name: string, value: string) => {
    const had = body[name];
    body[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  };
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (!name) continue;
    const type = /\btype="([^"]*)"/.exec(tag)?.[1] ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(tag)) continue;
    put(name, unescape(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? ''));
  }
  for (const m of html.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) put(m[1]!, unescape(m[2]!.replace(/^\n/, '')));
  for (const m of html.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]!)?.[1];
    if (selected !== undefined) put(m[1]!, selected);
  }
  return body;
}

/**
 * A provider changes the repeatable parts of a service (opening times, costs, languages,
 * accessibility of its place, contacts): the change waits for an administrator, who sees what
 * changes; the ORUK API, the page and the export show the new values only once it is approved.
 */
describe(`Service directory: proposing changes to opening times, costs, languages and accessibility (${describeDatabase()})`, () => {
  let t: TestApp;
  let id: string;
  const agents = new Map<string, Awaited<ReturnType<typeof signIn>>>();
  const as = async (email: string) => {
    if (!agents.has(email)) agents.set(email, await signIn(t, email));
    return agents.get(email)!;
  };
  const oruk = async () => (await request(t.app).get(`/api/oruk/services/${id}`).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    const r = await request(t.app).get('/api/oruk/services?search=Family+Support+at+Home').expect(200);
    id = (r.body.contents as Array<{ id: string; name: string }>).find((x) => x.name === 'Family Support at Home')!.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the published rows on the form, adds and removes rows without JavaScript, and says which row and field is wrong', async () => {
    const provider = await as(PROVIDER);
    const form = await provider.get(`/directory/manage/services/${id}`).expect(200);
    expect(form.text).toMatch(/id="schedules-0-opensAt" name="schedules-0-opensAt" type="text" value="09:00"/);
    expect(form.text).toMatch(/name="schedules-0-byday" type="checkbox" value="MO" checked/);
    expect(form.text).toMatch(/id="accessibility-0-description"[^>]*value="Step-free entrance and an accessible toilet"/);
    expect(form.text).toMatch(/id="languages-0-name"[^>]*value="English"/);
    const body = formBody(form.text);
    expect(body['schedules-count']).toBe('1');

    // "Add another opening time" shows the form again with an empty row, and sends nothing.
    const added = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...body, action: 'add-schedules' }).expect(200);
    expect(added.text).toMatch(/id="schedules-1-opensAt" name="schedules-1-opensAt" type="text" value=""/);
    expect(added.text).toContain('Opening time 2');
    expect(await t.services.directory.repository.edits({ serviceId: id, status: 'pending' })).toEqual([]);
    // Removing a row takes it out of the form.
    const removed = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...formBody(added.text), action: 'remove-schedules-1' }).expect(200);
    expect(removed.text).not.toContain('schedules-1-opensAt');

    const bad = await provider
      .post(`/directory/manage/services/${id}`)
      .type('form')
      .send({
        ...formBody(added.text),
        'schedules-1-byday': 'SA',
        'schedules-1-opensAt': '10:00',
        'schedules-1-closesAt': '09:30',
        'costs-0-amount': 'two pounds',
        'languages-count': '2',
        'languages-1-name': '',
        'languages-1-code': 'polish',
      })
      .expect(400);
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('Opening time 2: the closing time must be after the opening time');
    expect(bad.text).toContain('href="#schedules-1-closesAt"');
    expect(bad.text).toContain('Cost 1: enter the amount in pounds, like 5 or 2.50 (0 if free)');
    expect(bad.text).toContain('href="#costs-0-amount"');
    expect(bad.text).toContain('Language 2: enter the language, like Polish');
    expect(bad.text).toContain('href="#languages-1-name"');
    // The summary lists them in page order; what was typed is kept.
    expect(bad.text.indexOf('href="#schedules-1-closesAt"')).toBeLessThan(bad.text.indexOf('href="#costs-0-amount"'));
    expect(bad.text).toMatch(/id="languages-1-code"[^>]*value="polish"/);
    // A place whose postcode is not known.
    const nowhere = await provider
      .post(`/directory/manage/services/${id}`)
      .type('form')
      .send({ ...body, 'places-count': '1', 'places-0-address1': '1 High Street', 'places-0-city': 'Northbridge', 'places-0-postcode': 'NB99 9ZZ' })
      .expect(400);
    expect(nowhere.text).toContain('Place 1: we do not know where NB99 9ZZ is');
    expect(nowhere.text).toContain('href="#places-0-postcode"');
    expect(await t.services.directory.repository.edits({ serviceId: id, status: 'pending' })).toEqual([]);
  });

  it('refuses staff of another organisation, and audits the refusal', async () => {
    const other = await as(HEALTH);
    const own = await other.get('/directory/manage').expect(200);
    await other
      .post(`/directory/manage/services/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(own.text), name: 'Taken over', description: 'A description long enough to pass.', status: 'active', 'schedules-count': '0', action: 'add-costs' })
      .expect(403);
    await other
      .post(`/directory/manage/services/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(own.text), name: 'Taken over', description: 'A description long enough to pass.', status: 'active', 'schedules-count': '0' })
      .expect(403);
    const denied = (await t.services.audit.search({ action: 'directory.service.edit', limit: 20 })).filter((e) => e.outcome === 'denied' && e.subjectId === id);
    expect(denied.length).toBe(2);
    expect(await t.services.directory.repository.edits({ serviceId: id })).toEqual([]);
    expect((await oruk()).schedules).toHaveLength(1);
  });

  it('keeps the published opening times, costs, languages and accessibility until an administrator approves the change, then publishes them everywhere', async () => {
    const provider = await as(PROVIDER);
    const form = await provider.get(`/directory/manage/services/${id}`).expect(200);
    const withRow = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...formBody(form.text), action: 'add-languages' }).expect(200);
    const body = {
      ...formBody(withRow.text),
      'schedules-count': '2',
      'schedules-1-byday': ['SA'],
      'schedules-1-opensAt': '10:00',
      'schedules-1-closesAt': '12:00',
      'schedules-1-description': 'Saturday drop-in, 10am to 12 noon',
      'costs-0-option': 'Per session',
      'costs-0-amount': '2.50',
      'costs-0-amountDescription': 'Free for families on Universal Credit',
      'languages-1-name': 'Polish',
      'languages-1-code': 'PL',
      'accessibility-0-description': 'Step-free entrance, accessible toilet and a hearing loop',
      'contacts-count': '2',
      'contacts-1-name': 'Referrals desk',
      'contacts-1-title': 'Referrals coordinator',
      'contacts-1-email': 'referrals@familysupport.northbridge.example',
      'places-count': '1',
      'places-0-name': 'Westgate Community Hall',
      'places-0-address1': '40 Westgate',
      'places-0-city': 'Northbridge',
      'places-0-postcode': 'nb7 2hl',
      'places-0-accessibility': 'Ramp at the side door\nHearing loop',
    };
    await provider.post(`/directory/manage/services/${id}`).type('form').send(body).expect(302);

    // The published version stays live meanwhile.
    const before = await oruk();
    expect(before.schedules.map((s: { byday: string }) => s.byday)).toEqual(['MO,TU,WE,TH,FR']);
    expect(before.cost_options.map((c: { amount: number }) => c.amount)).toEqual([0]);
    expect(before.languages.map((l: { name: string }) => l.name)).toEqual(['English']);
    expect(before.service_at_locations[0].location.accessibility.map((a: { description: string }) => a.description)).toEqual(['Step-free entrance and an accessible toilet']);
    expect(before.contacts).toHaveLength(1);
    expect(before.service_at_locations).toHaveLength(1);

    // The administrator sees what changes, part by part.
    const edit = (await t.services.directory.repository.edits({ serviceId: id, status: 'pending' }))[0]!;
    const admin = await as(ADMIN);
    const page = await admin.get(`/directory/admin/edits/${edit.id}`).expect(200);
    const changes = /<ul class="govuk-list govuk-list--bullet" id="what-changes">([\s\S]*?)<\/ul>/.exec(page.text)![1]!;
    expect(changes).toContain('Opening times: 1 added or changed');
    expect(changes).toContain('Costs: 1 added or changed, 1 replaced or removed');
    expect(changes).toContain('Languages: 1 added or changed');
    expect(changes).toContain('Accessibility of the place: 1 added or changed, 1 replaced or removed');
    expect(changes).toContain('Contacts for practitioners: 1 added or changed');
    expect(changes).toContain('Other places: 1 added or changed');
    expect(changes).not.toContain('Areas served');
    expect(page.text).toContain('Westgate Community Hall, 40 Westgate, Northbridge, NB7 2HL (accessibility: Ramp at the side door; Hearing loop)');
    expect(page.text).toContain('Saturday, 10:00 to 12:00, Saturday drop-in, 10am to 12 noon <strong>(new or changed)</strong>');
    expect(page.text).toContain('Per session, £2.50, Free for families on Universal Credit');
    expect(page.text).toContain('Step-free entrance and an accessible toilet <strong>(removed or changed)</strong>');

    await admin.post(`/directory/admin/edits/${edit.id}/approve`).type('form').send({ _csrf: csrfFrom(page.text), note: '' }).expect(302);
    const after = await oruk();
    expect(after.schedules.map((s: { byday: string; opens_at: string; closes_at: string }) => `${s.byday} ${s.opens_at}-${s.closes_at}`).sort()).toEqual(['MO,TU,WE,TH,FR 09:00-17:00', 'SA 10:00-12:00']);
    // The changed rows keep their ids (the row was changed, not replaced).
    expect(after.schedules.map((s: { id: string }) => s.id)).toContain(before.schedules[0].id);
    expect(after.cost_options).toEqual([{ id: before.cost_options[0].id, service_id: id, option: 'Per session', amount: 2.5, amount_description: 'Free for families on Universal Credit' }]);
    expect(after.languages.map((l: { name: string; code: string }) => `${l.name} ${l.code}`)).toEqual(['English en', 'Polish pl']);
    const at = (name: string) => after.service_at_locations.find((x: { location: { name: string } }) => x.location.name === name).location;
    expect(at('Northbridge Family Hub').accessibility.map((a: { description: string }) => a.description)).toEqual(['Step-free entrance, accessible toilet and a hearing loop']);
    expect(at('Westgate Community Hall').accessibility.map((a: { description: string }) => a.description)).toEqual(['Ramp at the side door', 'Hearing loop']);
    expect(JSON.stringify(at('Westgate Community Hall'))).toContain('"postal_code":"NB7 2HL"');
    // Found by distance from the new place.
    const near = (await request(t.app).get('/api/oruk/services?postcode=NB7%202HL&proximity=300').expect(200)).body;
    expect(near.contents.map((x: { name: string }) => x.name)).toContain('Family Support at Home');
    expect(after.contacts.map((c: { title: string | undefined }) => c.title ?? '').sort()).toEqual(['Family support worker', 'Referrals coordinator']);
    // The public feed still leaves out contacts' names and emails.
    expect(JSON.stringify(after.contacts)).not.toContain('referrals@familysupport');
    if (orukFixturesPresent) expect(new OrukChecker().check('service_full', after)).toEqual([]);
    const audit = (await t.services.audit.search({ action: 'directory.edit.approve', limit: 5 })).find((e) => e.subjectId === id)!;
    expect((audit.details as { parts: string[] }).parts).toEqual(['contacts', 'schedules', 'costs', 'languages', 'areas', 'accessibility', 'places']);

    // The public page shows them.
    const pub = await request(t.app).get(`/directory/services/${id}`).expect(200);
    expect(pub.text).toContain('Saturday drop-in, 10am to 12 noon');
    expect(pub.text).toContain('Per session: £2.50. Free for families on Universal Credit');
    expect(pub.text).toContain('Polish');
    expect(pub.text).toContain('Step-free entrance, accessible toilet and a hearing loop');
    expect(pub.text).toContain('Westgate Community Hall');
  });

  it('exports the approved values in the tabular files, which import again to the same ORUK service', async () => {
    const costs = (await request(t.app).get('/directory/export/cost_options.csv').expect(200)).text;
    expect(costs).toMatch(/Per session,2\.5,Free for families on Universal Credit/);
    const schedules = (await request(t.app).get('/directory/export/schedules.csv').expect(200)).text;
    expect(schedules).toMatch(/WEEKLY,SA,10:00,12:00,"?Saturday drop-in, 10am to 12 noon/);
    const accessibility = (await request(t.app).get('/directory/export/accessibility.csv').expect(200)).text;
    expect(accessibility).toContain('Step-free entrance, accessible toilet and a hearing loop');
    const before = (await request(t.app).get(`/api/oruk/services/${id}`).expect(200)).body;
    const place = before.service_at_locations[0].location_id as string;
    expect(accessibility.split(/\r?\n/).filter((l) => l.includes(place))).toEqual([`${before.service_at_locations[0].location.accessibility[0].id},${place},"Step-free entrance, accessible toilet and a hearing loop",,`]);
    const files = await t.services.directory.exportTables();
    const owner = (await t.services.repositories.organisations.findByName('Northbridge Family Support Trust'))!.id;
    const r = await t.services.directory.importTables({ operator: true }, files, owner);
    expect(r.problems).toEqual([]);
    const after = (await request(t.app).get(`/api/oruk/services/${id}`).expect(200)).body;
    const sortRows = (b: Record<string, unknown>) => {
      const out = { ...b };
      for (const k of ['schedules', 'cost_options', 'languages', 'contacts', 'service_areas']) out[k] = [...(b[k] as Array<{ id: string }>)].sort((x, y) => x.id.localeCompare(y.id));
      return out;
    };
    expect(sortRows(after)).toEqual(sortRows(before));
  });

  it('removes a language and a place when the provider removes them and the change is approved', async () => {
    const provider = await as(PROVIDER);
    const form = await provider.get(`/directory/manage/services/${id}`).expect(200);
    expect(form.text).toMatch(/id="languages-1-name"[^>]*value="Polish"/);
    const without = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...formBody(form.text), action: 'remove-languages-1' }).expect(200);
    expect(without.text).not.toContain('languages-1-name');
    expect(without.text).toMatch(/id="places-0-name"[^>]*value="Westgate Community Hall"/);
    const noPlace = await provider.post(`/directory/manage/services/${id}`).type('form').send({ ...formBody(without.text), action: 'remove-places-0' }).expect(200);
    expect(noPlace.text).not.toContain('places-0-name');
    await provider.post(`/directory/manage/services/${id}`).type('form').send(formBody(noPlace.text)).expect(302);
    const edit = (await t.services.directory.repository.edits({ serviceId: id, status: 'pending' }))[0]!;
    const admin = await as(ADMIN);
    const page = await admin.get(`/directory/admin/edits/${edit.id}`).expect(200);
    expect(page.text).toContain('Languages: 1 removed');
    expect(page.text).toContain('Polish, pl <strong>(removed or changed)</strong>');
    await admin.post(`/directory/admin/edits/${edit.id}/approve`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(302);
    const after = await oruk();
    expect(after.languages.map((l: { name: string }) => l.name)).toEqual(['English']);
    expect(after.service_at_locations.map((x: { location: { name: string } }) => x.location.name)).toEqual(['Northbridge Family Hub']);
    const near = (await request(t.app).get('/api/oruk/services?postcode=NB7%202HL&proximity=300').expect(200)).body;
    expect(near.contents.map((x: { name: string }) => x.name)).not.toContain('Family Support at Home');
  });
});
