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

  it('rates a contact under a legal basis the officer chooses, and an agency declines to share through the form', async () => {
    const db = t.services.repositories.people.db;
    const contact = await db.selectFrom('front_door_contact').select(['id']).where('summary', 'like', 'Jaydon has come to school hungry%').executeTakeFirstOrThrow();
    const person = await db.selectFrom('front_door_contact_person').select(['id']).where('contact_id', '=', contact.id).where('given_names', '=', 'Jaydon').executeTakeFirstOrThrow();
    const mash = await signIn(t, 'mash.officer@csc.northbridge.example');
    const page = await mash.get(`/front-door/contacts/${contact.id}`).expect(200);
    // Suggested bases are marked, but none is ticked for the officer.
    expect(page.text).toContain('Suggested for this contact.');
    expect(page.text).not.toMatch(/name="legalBases" type="checkbox" value="[^"]+" checked/);
    const rating = { rating: 'red', reason: 'No food at home; a young child' };
    await mash.post(`/front-door/contacts/${contact.id}/rating`).type('form').send({ ...rating, legalBases: 'gdpr_6_1_e' }).expect(403);
    const bad = await mash.post(`/front-door/contacts/${contact.id}/rating`).type('form').send({ _csrf: csrfFrom(page.text), ...rating }).expect(400);
    expect(bad.text).toContain('<a href="#legalBases">Choose the legal basis for the enquiry: at least one UK GDPR article 6 basis</a>');
    expect(bad.text).toContain('No food at home; a young child');
    await mash.post(`/front-door/contacts/${contact.id}/rating`).type('form').send({ _csrf: csrfFrom(bad.text), ...rating, legalBases: ['gdpr_6_1_e', 'ca1989_s47'] }).expect(302);
    await mash.post(`/front-door/contacts/${contact.id}/people/${person.id}`).type('form').send({ _csrf: csrfFrom(bad.text), choice: 'new', sex: 'male' }).expect(302);
    const orgs = await t.services.repositories.organisations.list();
    const police = orgs.find((o) => o.typeCode === 'police')!;
    const housing = orgs.find((o) => o.typeCode === 'housing')!;
    const ask = { _csrf: csrfFrom(bad.text), personId: person.id, question: 'Is the family known to you, and how?' };
    // Police information is criminal offence data: the basis chosen has no schedule 1 condition.
    const refused = await mash.post(`/front-door/contacts/${contact.id}/research`).type('form').send({ ...ask, agencyOrganisationIds: police.id }).expect(400);
    expect(refused.text).toMatch(/<a href="#agencyOrganisationIds">The hub(’|&#39;|')s legal basis for this enquiry does not cover asking these agencies: Police, probation and youth justice information is criminal offence data/);
    await mash.post(`/front-door/contacts/${contact.id}/research`).type('form').send({ ...ask, agencyOrganisationIds: housing.id }).expect(302);
    const request = await db.selectFrom('front_door_research_request').select(['subject_id', 'id']).where('contact_id', '=', contact.id).executeTakeFirstOrThrow();

    const officer = await signIn(t, 'housing.officer@homes.northbridge.example');
    const url = `/front-door/research/${request.subject_id}/${request.id}`;
    const form = await officer.get(url).expect(200);
    expect(form.text).toContain('The hub’s legal basis');
    expect(form.text).toContain('<li>Children Act 1989 section 47</li>');
    await officer.post(`${url}/decline`).type('form').send({ declineConsideration: 'third_party', declineReason: 'The tenancy file is about a third party.' }).expect(403);
    const wrong = await officer.post(`${url}/decline`).type('form').send({ _csrf: csrfFrom(form.text), declineReason: 'short', declineAskAgainOn: '2026-02-30' }).expect(400);
    expect(wrong.text).toContain('<a href="#declineConsideration">Choose the legal consideration that stops you sharing</a>');
    expect(wrong.text).toContain('<a href="#declineReason">Say why your agency will not share what it holds, in at least 20 characters</a>');
    expect(wrong.text).toContain('<a href="#declineAskAgainOn">Enter the date to ask again as a real date, for example 2027-03-01</a>');
    await officer
      .post(`${url}/decline`)
      .type('form')
      .send({ _csrf: csrfFrom(wrong.text), declineConsideration: 'third_party', declineReason: 'The tenancy file is mostly about a lodger who has not agreed.', declineAskInstead: 'The lodger’s own housing officer' })
      .expect(302);
    expect((await officer.get('/front-door/research').expect(200)).text).toContain('Declined to share');

    const decision = await mash.get(`/front-door/contacts/${contact.id}/decision`).expect(200);
    expect(decision.text).toContain('Research was declined');
    expect(decision.text).toMatch(/<th scope="row" class="govuk-table__header">Northbridge Homes<\/th>/);
    expect(decision.text).toContain('The tenancy file is mostly about a lodger who has not agreed.');
    const after = await mash.get(`/front-door/contacts/${contact.id}`).expect(200);
    expect(after.text).toContain('Northbridge Homes holds information about this person but declined to share it with the hub.');
    expect(after.text).toContain('The information is about a third party and sharing it is not justified');
    // The basis chosen is shown, and ticked when the rating is changed.
    expect(after.text).toMatch(/name="legalBases" type="checkbox" value="ca1989_s47" checked/);
  });
});
