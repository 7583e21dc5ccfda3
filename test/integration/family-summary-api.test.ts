import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { buildFamily, ctx, type FamilyScenario } from '../support/family-summary.ts';

type Summary = {
  focusId: string;
  members: Array<{ subjectId: string; name: string; relationToFocus: string | null; shown: string[]; withheld: Array<{ category: string; reason: string }> }>;
  statuses: Array<{ subjectId: string; code: string; current: boolean }>;
  practitioners: Array<{ subjectId: string; organisationName: string; name: string | null; email: string | null; current: boolean }>;
  agencies: Array<{ subjectId: string; organisationName: string; category: string }>;
  heldBy: Array<{ subjectId: string; organisationName: string; categories: string[]; reason: string; contacts: Array<{ name: string }> }>;
  newcomers: { people: Array<{ subjectId: string; why: string }>; adults: Array<{ subjectId: string; isNew: boolean; history: Array<{ title: string }>; heldBy: Array<{ organisationName: string }> }> } | null;
  chronologyEntries: number;
};
type Chronology = { entries: Array<{ key: string; subjectId: string; title: string; organisationName: string; category: string; significant: boolean; marks: Array<{ analysis: string | null }> }>; analyses: Array<{ analysis: string }> };

describe(`family summary through the API and pages (${describeDatabase()})`, () => {
  let t: TestApp;
  let f: FamilyScenario;
  const reason = 'Family on the locality hub agenda (test)';

  beforeAll(async () => {
    t = await createTestApp();
    f = await buildFamily(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const get = async (token: string, path: string, query: Record<string, string | string[]>) => request(t.app).get(path).query(query).set('Authorization', `Bearer ${token}`);
  const summary = async (who: keyof FamilyScenario['tokens'], id: string, purpose: string, extra: Record<string, string> = {}) => {
    const res = await get(f.tokens[who], `/api/v1/family-summary/people/${id}`, { purpose, reason, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Summary;
  };
  const chronology = async (who: keyof FamilyScenario['tokens'], id: string, purpose: string, extra: Record<string, string | string[]> = {}) => {
    const res = await get(f.tokens[who], `/api/v1/family-summary/people/${id}/chronology`, { purpose, reason, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Chronology;
  };
  const titles = (c: Chronology) => c.entries.map((e) => e.title);

  it('links every agency record to the family (subject_id on involvements, contacts and events)', async () => {
    if (f.linkedByTestHelper) console.warn('family summary test: dependants were attached by the test helper (linking did not carry subject_id to them)');
    const ids = [f.marigold, f.crispin, f.poppy, f.unborn];
    const rows = await t.services.database.query<{ n: number }>(`select count(*)::int as n from source_record where kind <> 'people' and subject_id = any($1::uuid[])`, [ids]);
    expect(rows[0]!.n).toBe(9);
  });

  it('demo: agency records sent through the feeds and linked give the MASH officer a chronology, health withheld with whom to ask', async () => {
    const idOf = async (given: string, family: string) =>
      (await t.services.database.query<{ subject_id: string }>(`select subject_id from person_name where kind = 'current' and given_names = $1 and family_name = $2`, [given, family]))[0]!.subject_id;
    const chloe = await idOf('Chloe', 'Marsh');
    const tyler = await idOf('Tyler', 'Quinn');
    // Every demo feed record about a person is linked to that person (none left unlinked).
    const unlinked = await t.services.database.query<{ n: number }>(`select count(*)::int as n from source_record where source_record_id like 'POLICE-%' and subject_id is null`, []);
    expect(unlinked[0]!.n).toBe(0);
    const s = await summary('hub', chloe, 'hub-meeting', { window: 'all' });
    const c = await chronology('hub', chloe, 'hub-meeting', { window: 'all' });
    // The MASH enquiry on Chloe opens her police records; a hub meeting shows only anti-social behaviour of them.
    const chloePolice = c.entries.filter((e) => e.subjectId === chloe && e.category === 'police').map((e) => e.title);
    expect(chloePolice).toEqual(['Anti-social behaviour']);
    expect(s.heldBy.find((h) => h.subjectId === chloe && h.organisationName === 'Northbridge Police')!.reason).toMatch(/anti-social behaviour/);
    // Her health records (the community health trust's emergency department attendances) are withheld, naming the trust.
    expect(c.entries.some((e) => e.title === 'Emergency department attendance')).toBe(false);
    const health = s.heldBy.find((h) => h.subjectId === chloe && h.organisationName === 'Northbridge Community Health NHS Trust')!;
    expect(health.categories).toEqual(['health']);
    expect(health.reason).toMatch(/written consent/);
    // Working with the family, the same officer sees the police records the enquiry opens.
    const work = await chronology('hub', chloe, 'work-with-family', { window: 'all' });
    expect(work.entries.filter((e) => e.subjectId === chloe && e.category === 'police').length).toBeGreaterThanOrEqual(4);
    expect(s.members.map((m) => m.subjectId)).toContain(tyler);
  });

  it('hub officer, hub meeting: education, social care, housing and anti-social behaviour; health and other police records withheld with whom to ask', async () => {
    const s = await summary('hub', f.poppy, 'hub-meeting');
    expect(s.members.map((m) => m.subjectId).sort()).toEqual([f.marigold, f.crispin, f.poppy, f.unborn].sort());
    expect(s.members.find((m) => m.subjectId === f.marigold)!.relationToFocus).toBe('parent');
    // Key statuses derived from social care's records: a current child protection plan, a child in need plan ended within five years.
    expect(s.statuses.filter((x) => x.subjectId === f.poppy).map((x) => [x.code, x.current])).toEqual([
      ['child_protection_plan', true],
      ['child_in_need', false],
    ]);
    const c = await chronology('hub', f.poppy, 'hub-meeting');
    expect(titles(c)).toEqual(expect.arrayContaining(['Child protection plan', 'Child in need plan', 'Fixed-term exclusion', 'Attendance meeting', 'Rent arrears warning', 'Anti-social behaviour']));
    expect(titles(c)).not.toContain('Domestic abuse incident');
    expect(titles(c)).not.toContain('Antenatal booking');
    // Eight years ago: outside the default five-year window, and not counted as withheld either.
    expect(titles(c)).not.toContain('Arrest: criminal damage');
    const police = s.heldBy.find((h) => h.organisationName === 'Northbridge Police' && h.subjectId === f.crispin)!;
    expect(police.reason).toMatch(/anti-social behaviour/);
    const gp = s.heldBy.find((h) => h.organisationName === 'Riverside Medical Practice')!;
    expect(gp).toMatchObject({ subjectId: f.marigold, categories: ['health'] });
    expect(gp.reason).toMatch(/written consent/);
    expect(gp.contacts.map((x) => x.name)).toEqual(['Dr Ellen Price']);
    // The domestic abuse outreach service's involvement is hidden: its organisation is never named.
    expect(JSON.stringify(s)).not.toContain('Family Support Trust');
    expect(JSON.stringify(c)).not.toContain('Safety plan');
    // The unborn child and the new partner bring the adults' history forward, naming who holds more.
    const why = new Map(s.newcomers!.people.map((n) => [n.subjectId, n.why]));
    expect(why.get(f.unborn)).toBe('An unborn child');
    expect(why.get(f.crispin)).toBe('A new partner');
    expect(s.newcomers!.adults.map((a) => a.subjectId).sort()).toEqual([f.marigold, f.crispin].sort());
    const crispin = s.newcomers!.adults.find((a) => a.subjectId === f.crispin)!;
    expect(crispin.isNew).toBe(true);
    expect(crispin.history.map((h) => h.title)).toEqual(['Anti-social behaviour']);
    expect(crispin.heldBy.map((h) => h.organisationName)).toEqual(['Northbridge Police']);

    // Window: all records brings the old arrest in (still only if anti-social behaviour: it is not, so withheld).
    const all = await summary('hub', f.poppy, 'hub-meeting', { window: 'all' });
    expect(all.chronologyEntries).toBeGreaterThanOrEqual(s.chronologyEntries);
  });

  it('hub officer: health appears once written consent covers it', async () => {
    const org = f.hub.organisationId;
    const sw = f.socialWorker;
    await t.services.consents.record(
      sw,
      f.marigold,
      { decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable', purposes: ['early_help'], recipientOrganisationIds: [org], categories: ['health', 'identity'], method: 'written' },
      ctx,
    );
    const c = await chronology('hub', f.poppy, 'hub-meeting');
    expect(titles(c)).toContain('Antenatal booking');
    expect(titles(c)).not.toContain('Domestic abuse incident');
    // Working with the family (not a hub meeting), the MASH enquiry opens the police record too.
    const work = await chronology('hub', f.poppy, 'work-with-family');
    expect(titles(work)).toContain('Domestic abuse incident');
  });

  it('school: its own education records; not social care, police or health, each named with whom to ask', async () => {
    const s = await summary('school', f.poppy, 'work-with-family');
    const c = await chronology('school', f.poppy, 'work-with-family');
    expect(titles(c)).toEqual(expect.arrayContaining(['Fixed-term exclusion', 'Attendance meeting']));
    for (const hidden of ['Child protection plan', 'Anti-social behaviour', 'Domestic abuse incident', 'Antenatal booking', 'Rent arrears warning']) expect(titles(c)).not.toContain(hidden);
    expect(s.statuses).toEqual([]);
    const held = s.heldBy.map((h) => `${h.subjectId === f.poppy ? 'Poppy' : h.subjectId === f.crispin ? 'Crispin' : 'Marigold'}: ${h.organisationName}`).sort();
    expect(held).toEqual(['Crispin: Northbridge Police', "Marigold: Northbridge Homes", 'Marigold: Riverside Medical Practice', "Poppy: Northbridge Children's Services"].sort());
    // The police record's holder and how to reach them: the involved officer's work contact.
    expect(s.heldBy.find((h) => h.organisationName === 'Northbridge Police')!.contacts.map((x) => x.name)).toEqual(['PC Nia Fenwick']);
  });

  it('GP: the mother’s health records, nothing of the police, school or social care', async () => {
    const c = await chronology('gp', f.marigold, 'work-with-family');
    expect(titles(c)).toContain('Antenatal booking');
    for (const hidden of ['Domestic abuse incident', 'Anti-social behaviour', 'Fixed-term exclusion', 'Child protection plan', 'Rent arrears warning']) expect(titles(c)).not.toContain(hidden);
    const s = await summary('gp', f.marigold, 'work-with-family');
    expect(s.heldBy.map((h) => h.organisationName)).toEqual(expect.arrayContaining(['Northbridge Police', 'Hollin Lane Primary School']));
  });

  it('police: the partner’s police records, nothing of health, education or social care', async () => {
    const c = await chronology('police', f.crispin, 'work-with-family', { window: 'all' });
    expect(titles(c)).toEqual(expect.arrayContaining(['Domestic abuse incident', 'Anti-social behaviour', 'Arrest: criminal damage']));
    for (const hidden of ['Antenatal booking', 'Fixed-term exclusion', 'Child protection plan', 'Attendance meeting']) expect(titles(c)).not.toContain(hidden);
    // Filter by agency and category.
    const policeOrg = f.police.organisationId;
    const filtered = await chronology('police', f.crispin, 'work-with-family', { window: 'all', agency: policeOrg, category: 'police' });
    expect(filtered.entries.every((e) => e.category === 'police')).toBe(true);
    expect(filtered.entries.length).toBe(4); // three events and the recorded involvement
  });

  it('audits each person in the family, on their own record, with the purpose', async () => {
    const school = await summary('school', f.poppy, 'hub-meeting');
    // The school may see Poppy's family, not her mother's: the mother's unborn child is not shown to it.
    expect(school.members.map((m) => m.subjectId).sort()).toEqual([f.poppy, f.marigold, f.crispin].sort());
    await summary('hub', f.poppy, 'hub-meeting');
    await t.services.audit.flush();
    const audited = async (id: string, actor: string) =>
      (await t.services.audit.search({ subjectId: id, limit: 500 })).some(
        (e) => e.action.startsWith('family-summary.read') && e.purpose === 'family summary for a locality hub meeting' && e.actorLabel === actor,
      );
    for (const id of [f.poppy, f.marigold, f.crispin]) expect(await audited(id, 'dsl@hollinlane.northbridge.example')).toBe(true);
    for (const id of [f.poppy, f.marigold, f.crispin, f.unborn]) expect(await audited(id, 'mash.officer@csc.northbridge.example')).toBe(true);
  });

  it('marks significant events and adds analysis: seen by whoever may see the category, refused on events the writer cannot see', async () => {
    const hub = await chronology('hub', f.poppy, 'work-with-family');
    const asb = hub.entries.find((e) => e.title === 'Anti-social behaviour')!;
    const post = (who: keyof FamilyScenario['tokens'], subject: string, body: object) =>
      request(t.app).post(`/api/v1/family-summary/people/${subject}/chronology/marks`).set('Authorization', `Bearer ${f.tokens[who]}`).send(body);
    const made = await post('hub', f.crispin, { itemKey: asb.key, significant: true, analysis: 'Pattern of conflict since moving in' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const after = await chronology('hub', f.poppy, 'hub-meeting', { significant: 'true' });
    expect(after.entries.map((e) => [e.title, e.significant, e.marks[0]?.analysis])).toEqual([['Anti-social behaviour', true, 'Pattern of conflict since moving in']]);
    // Social care's mark is social care information: the GP does not see it, nor the police event.
    const gp = await chronology('gp', f.marigold, 'work-with-family');
    expect(JSON.stringify(gp)).not.toContain('Pattern of conflict');
    // The school cannot mark an event it cannot see (the police record), nor write about the partner's police record.
    const refused = await post('school', f.poppy, { itemKey: asb.key, significant: true });
    expect(refused.status).toBe(404);
    // Nor can anyone mark a record the summary leaves out altogether: the sensitive outreach service's note
    // (its involvement hidden without consent), though the enquiry opens the voluntary sector's category.
    const noteId = (await t.services.database.query<{ id: string }>(`select id from record_note where subject_id = $1 and title = 'Safety plan in place'`, [f.marigold]))[0]!.id;
    expect(JSON.stringify(await chronology('hub', f.marigold, 'work-with-family', { window: 'all' }))).not.toContain('Safety plan');
    const hiddenMark = await post('hub', f.marigold, { itemKey: `note:${noteId}`, significant: true });
    expect(hiddenMark.status).toBe(404);
    // An event of another person cannot be marked under a member of the family.
    const crossed = await post('hub', f.poppy, { itemKey: asb.key, significant: true });
    expect(crossed.status).toBe(404);
    const noBasis = await post('school', f.crispin, { analysis: 'Concerned' });
    expect(noBasis.status).toBe(403);
    const empty = await post('hub', f.poppy, {});
    expect(empty.status).toBe(400);
    // Analysis on its own, dated.
    const note = await post('hub', f.poppy, { analysis: 'Attendance falls after each police call-out', entryDate: new Date().toISOString().slice(0, 10) });
    expect(note.status).toBe(201);
    expect((await chronology('hub', f.poppy, 'hub-meeting')).analyses.map((a) => a.analysis)).toContain('Attendance falls after each police call-out');
  });

  it('household summary: the members living there now', async () => {
    const res = await get(f.tokens.hub, `/api/v1/family-summary/households/${f.householdId}`, { purpose: 'hub-meeting', reason });
    expect(res.status).toBe(200);
    expect((res.body as Summary).members.map((m) => m.subjectId).sort()).toEqual([f.marigold, f.crispin, f.poppy].sort());
  });

  it('refuses a summary without a reason (400) and lists the routes in the OpenAPI document', async () => {
    const res = await get(f.tokens.hub, `/api/v1/family-summary/people/${f.poppy}`, { purpose: 'hub-meeting' });
    expect(res.status).toBe(400);
    const unknown = '01a20000-0000-7000-8000-000000000000';
    expect((await get(f.tokens.hub, `/api/v1/family-summary/people/${unknown}`, { purpose: 'hub-meeting', reason })).status).toBe(404);
    await t.services.audit.flush();
    expect((await t.services.audit.search({ subjectId: unknown, limit: 5 })).map((e) => [e.action, e.outcome])).toEqual([['family-summary.read', 'denied']]);
    const doc = (await request(t.app).get('/api/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/family-summary/people/{id}', '/api/v1/family-summary/people/{id}/chronology', '/api/v1/family-summary/households/{id}']));
  });

  it('pages: the summary, chronology and tree; the PDF carries viewer, time and purpose on every page and is audited', async () => {
    const agent = await signIn(t, 'mash.officer@csc.northbridge.example');
    const form = await agent.get(`/family-summary/people/${f.poppy}`).expect(200);
    expect(form.text).toContain('What is the summary for?');
    const bad = await agent.get(`/family-summary/people/${f.poppy}`).query({ go: '1', purpose: 'hub-meeting', reason: '' }).expect(400);
    expect(bad.text).toContain('Say why you need the family summary');
    const q = { purpose: 'hub-meeting', reason, window: '5' };
    const page = await agent.get(`/family-summary/people/${f.poppy}`).query(q).expect(200);
    expect(page.text).toContain('Poppy Thistlewood and their family');
    expect(page.text).toContain('Child protection plan');
    expect(page.text).toContain('Riverside Medical Practice');
    expect(page.text).toContain('<svg');
    const chron = await agent.get(`/family-summary/people/${f.poppy}/chronology`).query(q).expect(200);
    expect(chron.text).toContain('Timeline of Poppy Thistlewood');
    expect(chron.text).toContain('Fixed-term exclusion');
    // The mark form: refused without the page's CSRF token; with it, the analysis is recorded and shown.
    const markPath = `/family-summary/people/${f.poppy}/mark`;
    await agent.post(markPath).query(q).type('form').send({ subjectId: f.poppy, analysis: 'Posted without a token' }).expect(403);
    await agent.post(markPath).query(q).type('form').send({ _csrf: 'wrong', subjectId: f.poppy, analysis: 'Posted with a wrong token' }).expect(403);
    await agent.post(markPath).query(q).type('form').send({ _csrf: csrfFrom(chron.text), subjectId: f.poppy, analysis: 'Posted from the page <b>bold</b>', entryDate: new Date().toISOString().slice(0, 10) }).expect(303);
    const after = await agent.get(`/family-summary/people/${f.poppy}/chronology`).query(q).expect(200);
    expect(after.text).toContain('Posted from the page &lt;b&gt;bold&lt;/b&gt;');
    expect(after.text).not.toContain('Posted without a token');
    const tree = await agent.get(`/family-summary/people/${f.poppy}/tree`).query(q).expect(200);
    expect(tree.text).toContain('The family tree in words');
    const household = await agent.get(`/family-summary/households/${f.householdId}`).query(q).expect(200);
    expect(household.text).toContain('Crispin Oakhanger');
    await agent.get('/family-summary/people/not-a-uuid').query(q).expect(404);

    const pdf = await agent.get(`/family-summary/people/${f.poppy}/summary.pdf`).query(q).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = Number(/\/Type \/Pages[\s\S]*?\/Count (\d+)/.exec(bytes.toString('latin1'))![1]);
    const shown = pdfStrings(bytes);
    expect(pages).toBeGreaterThan(0);
    expect(shown.filter((s) => s.startsWith('Produced by Sam Idowu (Northbridge Children') && / on \d{1,2} \w+ \d{4} at /.test(s)).length).toBe(pages);
    expect(shown.filter((s) => s === 'Purpose: Prepare for a locality hub meeting').length).toBe(pages);
    expect(shown.filter((s) => /^Page \d+ of \d+$/.test(s)).length).toBe(pages);
    expect(shown.join('\n')).not.toContain('Domestic abuse incident');
    await t.services.audit.flush();
    const audit = await t.services.audit.search({ action: 'family-summary.pdf', limit: 10 });
    expect(audit[0]).toMatchObject({ subjectId: f.poppy, purpose: 'family summary for a locality hub meeting', actorLabel: 'mash.officer@csc.northbridge.example' });
  });
});

/** The text of a pdfkit PDF (uncompressed content streams): each TJ array's hex strings joined, one string per text run. */
function pdfStrings(pdf: Buffer): string[] {
  const out: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\[((?:<[0-9a-fA-F]*>\s*-?\d*\.?\d*\s*)+)\]\s*TJ/g)) {
    const hex = [...m[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => x[1]).join('');
    out.push(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return out;
}
