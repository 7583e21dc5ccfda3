import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, ELEMENTS } from '../../src/early-help/domains.ts';
import { MEETING_KINDS } from '../../src/early-help/meetings.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const BETH = 'family.support@familysupport.northbridge.example';
const POLICE = 'police.officer@police.northbridge.example';

/** The early help pages without JavaScript: plain forms, errors on the page, the draft kept; outsiders refused. */
describe(`Early help pages (${describeDatabase()})`, () => {
  let t: TestApp;
  let beth: Awaited<ReturnType<typeof signIn>>;
  let mia: string;
  let jaydon: string;

  beforeAll(async () => {
    t = await createTestApp();
    beth = await signIn(t, BETH);
    mia = (await t.services.repositories.earlyHelp.subjectByIdentifier('nhs_number', '9990412073'))!;
    jaydon = (await t.services.repositories.earlyHelp.subjectByIdentifier('nhs_number', '9990412065'))!;
  }, 120_000);
  afterAll(async () => t?.close());

  it('holds the same code lists in the database as in the code', async () => {
    const ref = await t.services.repositories.earlyHelp.domainCodes();
    expect(ref.domains).toEqual(DOMAINS.map((d) => d.code));
    expect(ref.elements.map((e) => `${e.domain}.${e.code}`).sort()).toEqual(ELEMENTS.map((e) => `${e.domain}.${e.code}`).sort());
    const kinds = await t.services.database.query<{ code: string; individual_cases: boolean; interval_days: number }>('select code, individual_cases, interval_days from meeting_kind order by code');
    expect(kinds).toEqual(MEETING_KINDS.map((k) => ({ code: k.code, individual_cases: k.individualCases, interval_days: k.intervalDays })).sort((a, b) => a.code.localeCompare(b.code)));
  });

  it('shows the lead professional the open plan with its overdue action, and the team', async () => {
    const page = await beth.get(`/early-help/people/${jaydon}`).expect(200);
    expect(page.text).toContain('Refer Jaydon to the school counsellor');
    expect(page.text).toMatch(/id="overdue"[\s\S]*Refer Jaydon/);
    expect(page.text).toContain('Mark Oduya');
    const nav = await beth.get('/early-help/tasks').expect(200);
    expect(nav.text).toContain('href="/early-help/tasks"');
  });

  it('starts a plan (an error first), then saves a half-filled assessment and keeps it', async () => {
    const person = await beth.get(`/early-help/people/${mia}`).expect(200);
    const bad = await beth.post(`/early-help/people/${mia}/plan`).type('form').send({ _csrf: csrfFrom(person.text), reason: '', reviewIntervalDays: '42' }).expect(400);
    expect(bad.text).toContain('govuk-error-summary');
    expect(bad.text).toContain('Enter why the family needs early help');
    await beth.post(`/early-help/people/${mia}/plan`).type('form').send({ _csrf: csrfFrom(bad.text), reason: 'Unsettled at nursery', reviewIntervalDays: '28' }).expect(302);
    const withPlan = await beth.get(`/early-help/people/${mia}`).expect(200);
    const start = await beth.post(`/early-help/people/${mia}/assessments`).type('form').send({ _csrf: csrfFrom(withPlan.text) }).expect(302);
    const location = String(start.headers.location);
    expect(location).toMatch(/\/consent$/);
    const consent = await beth.get(location).expect(200);
    const dev = location.replace(/consent$/, 'development');
    await beth.post(dev).type('form').send({ _csrf: csrfFrom(consent.text), 'health-strengths': 'Walking and talking well', then: 'later' }).expect(302);
    const back = await beth.get(dev).expect(200);
    expect(back.text).toContain('Walking and talking well');
    const check = await beth.get(location.replace(/\/consent$/, '')).expect(200);
    expect(check.text).toContain('Draft');
    expect(check.text).toContain('Record whether the family consent to the assessment');
  });

  it('refuses a practitioner outside the team around the family, audited', async () => {
    const police = await signIn(t, POLICE);
    await police.get(`/early-help/people/${jaydon}`).expect(403);
    await t.services.audit.flush();
    const rows = await t.services.database.query<{ outcome: string }>("select outcome from audit_event where action = 'early-help.read' and subject_id = $1 order by seq desc limit 1", [jaydon]);
    expect(rows[0]!.outcome).toBe('denied');
  });

  it('takes contributions on the meeting page until the meeting is held, then says why not (forms need the CSRF token)', async () => {
    const id = (await t.services.database.query<{ id: string }>("select id from meeting where title = 'Fletcher family: team around the family review'"))[0]!.id;
    const before = await beth.get(`/early-help/meetings/${id}`).expect(200);
    expect(before.text).toContain('name="contribution-');
    await beth.post(`/early-help/meetings/${id}/held`).type('form').send({ notes: 'No token' }).expect(403);
    await beth.post(`/early-help/meetings/${id}/held`).type('form').send({ _csrf: csrfFrom(before.text), notes: 'Everyone came' }).expect(302);
    const after = await beth.get(`/early-help/meetings/${id}`).expect(200);
    expect(after.text).not.toContain('name="contribution-');
    expect(after.text).toContain('The meeting has been held: contributions are prepared beforehand');
  });
});
