import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';

describe('data feed pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a feed from the form, uploads a file streamed through multipart, and shows the run with its refused rows', async () => {
    const agent = await signIn(t, 'team.manager@csc.northbridge.example');
    const form = await agent.get('/feeds/new').expect(200);
    const token = csrfFrom(form.text);
    const bad = await agent.post('/feeds/new').type('form').send({ _csrf: token, name: 'School census', kind: 'people', format: 'csv', dateFormat: 'DD/MM/YYYY', sourceRecordId: 'UPN' }).expect(400);
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('href="#givenNames"');
    const created = await agent
      .post('/feeds/new')
      .type('form')
      .send({ _csrf: token, name: 'School census', kind: 'people', format: 'csv', dateFormat: 'DD/MM/YYYY', sourceRecordId: 'UPN', givenNames: 'Forename', familyName: 'Surname', dateOfBirth: 'DOB', postcode: 'Postcode' })
      .expect(303);
    const feedUrl = created.headers.location as string;
    expect(feedUrl).toMatch(/^\/feeds\/[0-9a-f-]{36}$/);
    const page = await agent.get(feedUrl).expect(200);
    expect(page.text).toContain('Feed “School census” created');

    const csv = 'UPN,Forename,Surname,DOB,Postcode\r\nA1,Amy,Lee,03/04/2017,M1 1AE\r\nA2,Ben,Lee,31/02/2017,M1 1AE\r\n"A3","Cara ""CJ""",Lee,01/09/2018,M1 1AE\r\n';
    const upload = await agent
      .post(`${feedUrl}/upload`)
      .field('_csrf', csrfFrom(page.text))
      .attach('file', Buffer.from(csv), { filename: 'census.csv', contentType: 'text/csv' })
      .expect(303);
    const runUrl = upload.headers.location as string;
    expect(runUrl).toMatch(/\/runs\/[0-9a-f-]{36}$/);
    const run = await agent.get(runUrl).expect(200);
    expect(run.text).toContain('Completed: 3 rows read (100% of the file), 1 accepted, 2 refused.');
    expect(run.text).toContain('<progress id="run-progress" class="ta-progress" max="100" value="100">');
    const errors = await agent.get(`${runUrl}/errors.csv`).expect(200);
    expect(errors.text).toContain('3,DOB,31/02/2017,not a real date in the format DD/MM/YYYY');
    expect(errors.text).toContain('4,Forename,"Cara ""CJ""","Given names must start with a letter and contain only letters, spaces, hyphens and apostrophes"');
    const progress = await agent.get(`${runUrl}/progress.json`).expect(200);
    expect(progress.body).toMatchObject({ status: 'completed', rowsAccepted: 1, rowsRejected: 2 });
  });

  it('streams a file larger than one network chunk through the upload, losing no byte at the part boundaries', async () => {
    const agent = await signIn(t, 'ig.lead@csc.northbridge.example');
    const list = await agent.get('/feeds').expect(200);
    const feedUrl = /href="(\/feeds\/[0-9a-f-]{36})"/.exec(list.text)![1]!;
    const page = await agent.get(feedUrl).expect(200);
    const letters = (i: number) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + (Math.floor(i / 26) % 26)) + String.fromCharCode(97 + (Math.floor(i / 676) % 26));
    const lines = ['UPN,Forename,Surname,DOB,Postcode'];
    for (let i = 0; i < 6000; i++) lines.push(`B${i},Name${letters(i)},Family${letters(i)},0${(i % 9) + 1}/0${(i % 9) + 1}/2015,M1 1AE`);
    const upload = await agent.post(`${feedUrl}/upload`).field('_csrf', csrfFrom(page.text)).attach('file', Buffer.from(lines.join('\n')), { filename: 'big.csv', contentType: 'text/csv' }).expect(303);
    const progress = await agent.get(`${upload.headers.location}/progress.json`).expect(200);
    expect(progress.body).toMatchObject({ status: 'completed', rowsSeen: 6000, rowsAccepted: 6000, rowsRejected: 0 });
  });

  it('refuses an upload without the form token, and a file of the wrong format', async () => {
    const agent = await signIn(t, 'team.manager@csc.northbridge.example');
    const list = await agent.get('/feeds').expect(200);
    const feedUrl = /href="(\/feeds\/[0-9a-f-]{36})"/.exec(list.text)![1]!;
    await agent.post(`${feedUrl}/upload`).field('_csrf', 'wrong').attach('file', Buffer.from('UPN\r\n'), { filename: 'x.csv', contentType: 'text/csv' }).expect(403);
    const page = await agent.get(feedUrl).expect(200);
    const wrong = await agent.post(`${feedUrl}/upload`).field('_csrf', csrfFrom(page.text)).attach('file', Buffer.from('[]'), { filename: 'x.json', contentType: 'application/json' }).expect(400);
    expect(wrong.text).toContain('This feed takes CSV files');
  });

  it('refuses a practitioner without a managing role, and audits it', async () => {
    const agent = await signIn(t, 'social.worker@csc.northbridge.example');
    const res = await agent.get('/feeds').expect(403);
    expect(res.text).toContain('Only a team manager or the information-governance lead');
  });
});
