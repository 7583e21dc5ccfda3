import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

/**
 * The front door's pages as plain HTML forms (no JavaScript): a referral with errors and then sent,
 * the queue refused to anyone outside the hub, timescales set by a manager, and the dashboard's CSV,
 * which a spreadsheet cannot run as formulas.
 */
describe(`Front door pages (${describeDatabase()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('takes a referral from a school as a plain form, with errors by field first', async () => {
    const dsl = await signIn(t, 'dsl@hollinlane.northbridge.example');
    // A practitioner finds the referral form from the navigation on every page.
    const home = await dsl.get('/').expect(200);
    expect(home.text).toMatch(/<a class="govuk-service-navigation__link" href="\/front-door\/new"[^>]*>\s*Refer a concern\s*<\/a>/);
    const form = await dsl.get('/front-door/new').expect(200);
    expect(form.text).toContain('Refer a concern to the hub');
    const bad = await dsl
      .post('/front-door/new')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), person0GivenNames: 'Ada', person0FamilyName: '', summary: 'short', person1GivenNames: 'Ben', person1FamilyName: 'Cole', person1DateOfBirth: '2020-13-01' })
      .expect(400);
    expect(bad.text).toContain('<a href="#person0FamilyName">Enter their last name</a>');
    expect(bad.text).toContain('<a href="#person1Role">');
    expect(bad.text).toContain('<a href="#person1DateOfBirth">The date of birth must be a real date</a>');
    expect(bad.text).toContain('<a href="#categories">Choose at least one category of concern</a>');
    expect(bad.text).toContain('value="Ada"');
    const sent = await dsl
      .post('/front-door/new')
      .type('form')
      .send({ _csrf: csrfFrom(bad.text), person0GivenNames: '=cmd|calc', person0FamilyName: 'Cole', categories: ['neglect', 'other'], summary: 'Left alone for long periods after school.', familyKnows: 'not_told', referrerUrgency: 'routine' })
      .expect(200);
    expect(sent.text).toContain('Referral sent');
    // Without a CSRF token nothing is taken.
    await dsl.post('/front-door/new').type('form').send({ person0GivenNames: 'X' }).expect(403);
    // A school is not the hub.
    await dsl.get('/front-door').expect(403);
    await dsl.get('/front-door/dashboard').expect(403);
  });

  it('lets a hub manager set timescales (errors by field) and export the dashboard as formula-safe CSV', async () => {
    const tm = await signIn(t, 'team.manager@csc.northbridge.example');
    const page = await tm.get('/front-door/timescales').expect(200);
    expect(page.text).toContain('value="72"');
    const bad = await tm.post('/front-door/timescales').type('form').send({ _csrf: csrfFrom(page.text), redHours: '4', redWarnHours: '1', amberHours: 'soon', amberWarnHours: '4', greenHours: '72', greenWarnHours: '80' }).expect(400);
    // Every problem at once: a missing number and a warning too long are both named in the one answer.
    expect(bad.text).toContain('<a href="#amberHours">Enter the amber timescale in hours</a>');
    expect(bad.text).toContain('<a href="#greenWarnHours">The green warning must come before the end of its timescale (fewer than 72 hours)</a>');
    expect(bad.text).toContain('value="soon"');
    const blank = await tm.post('/front-door/timescales').type('form').send({ _csrf: csrfFrom(bad.text), redHours: '', redWarnHours: '1', amberHours: '24', amberWarnHours: '30', greenHours: '12', greenWarnHours: '4' }).expect(400);
    expect(blank.text).toContain('<a href="#redHours">Enter the red timescale in hours</a>');
    expect(blank.text).toContain('<a href="#amberWarnHours">The amber warning must come before the end of its timescale (fewer than 24 hours)</a>');
    expect(blank.text).toContain('<a href="#greenHours">Green must not be shorter than amber</a>');
    await tm.post('/front-door/timescales').type('form').send({ _csrf: csrfFrom(blank.text), redHours: '3', redWarnHours: '1', amberHours: '24', amberWarnHours: '4', greenHours: '72', greenWarnHours: '12' }).expect(302);
    expect((await tm.get('/front-door/timescales').expect(200)).text).toContain('value="3"');

    const dash = await tm.get('/front-door/dashboard').expect(200);
    expect(dash.text).toContain('<svg');
    expect(dash.text).toContain('role="img"');
    const csv = await tm.get('/front-door/dashboard.csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="mash-contacts-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('reference,received_at,source,referrer_organisation,categories,rating,due_at,decided_at,timeliness,level,outcome,re_referral,referral_quality');
    // The school's referral and the demo's three contacts; no names of children or adults.
    expect(lines).toHaveLength(5);
    expect(csv.text).not.toContain('calc');
    expect(csv.text).toContain('neglect other');
    await tm.get('/front-door/dashboard?from=2026-02-30').expect(400);
  });

  it("takes police notifications pasted as CSV from the force's MASH officer: good rows kept, problems by row and column", async () => {
    const school = await signIn(t, 'dsl@hollinlane.northbridge.example');
    await school.get('/front-door/police-notifications').expect(403);
    const police = await signIn(t, 'police.officer@police.northbridge.example');
    const inbox = await police.get('/front-door/research').expect(200);
    expect(inbox.text).toContain('href="/front-door/police-notifications"');
    const form = await police.get('/front-door/police-notifications').expect(200);
    const empty = await police.post('/front-door/police-notifications').type('form').send({ _csrf: csrfFrom(form.text), csv: '  ' }).expect(400);
    expect(empty.text).toContain('<a href="#csv">Paste the notifications as CSV, the header row first</a>');
    const csv = [
      'reference,officer,categories,summary,person1_role,person1_given_names,person1_family_name,person1_date_of_birth',
      'NBP-P-1,PC Dana Kirby,domestic_abuse,Police called to a domestic incident; two children present.,child,Poppy,Ward,2017-03-04',
      'NBP-P-2,PC Dana Kirby,neglect,Child found alone at home late at night.,child,Reece,Ward,04/03/2017',
    ].join('\r\n');
    const sent = await police.post('/front-door/police-notifications').type('form').send({ _csrf: csrfFrom(empty.text), csv }).expect(200);
    expect(sent.text).toContain('1 of 2 notifications taken into the hub’s queue; 1 problem to fix.');
    expect(sent.text).toMatch(/<td class="govuk-table__cell govuk-table__cell--numeric">3<\/td><td class="govuk-table__cell"><code>person1_date_of_birth<\/code><\/td><td class="govuk-table__cell">The date of birth must be a date like 2019-03-27<\/td>/);
    expect(sent.text).toContain('NBP-P-1');
    // What was sent stays in the box; sent again, the row already taken is not taken twice.
    expect(sent.text).toContain('NBP-P-2,PC Dana Kirby');
    const again = await police.post('/front-door/police-notifications').type('form').send({ _csrf: csrfFrom(sent.text), csv }).expect(200);
    expect(again.text).toContain('0 of 2 notifications taken into the hub’s queue; 1 sent before; 1 problem to fix.');
    const mash = await signIn(t, 'mash.officer@csc.northbridge.example');
    const queue = await mash.get('/front-door').expect(200);
    // The good row is in the hub's queue once; the refused one is not there at all.
    expect(queue.text.match(/Poppy Ward \(child\)/g) ?? []).toHaveLength(1);
    expect(queue.text).not.toContain('Reece');
    // Without a CSRF token nothing is taken.
    await police.post('/front-door/police-notifications').type('form').send({ csv }).expect(403);
  });
});
