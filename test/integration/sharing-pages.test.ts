import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const USERS = {
  sw: 'social.worker@csc.northbridge.example',
  tm: 'team.manager@csc.northbridge.example',
  ig: 'ig.lead@csc.northbridge.example',
  housing: 'housing.officer@homes.northbridge.example',
  police: 'police.officer@police.northbridge.example',
} as const;
type Who = keyof typeof USERS;
type Agent = ReturnType<typeof request.agent>;

/** A tiny valid PDF and PNG (their first bytes are what the service checks). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

/** The text of a page without its tags, spaces collapsed. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;|&rsquo;/g, '’').replace(/\s+/g, ' ');
const errorSummary = (html: string) => text(/<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '');

describe(`Consent and sharing pages (${describeDatabase()})`, () => {
  let t: TestApp;
  const agents = {} as Record<Who, Agent>;
  const csrf = {} as Record<Who, string>;
  const orgIds = {} as Record<Who, string>;
  let child: string;
  let noteId: string;
  let addressId: string;

  const post = (who: Who, path: string, body: Record<string, string | string[]>) => agents[who].post(path).type('form').send({ _csrf: csrf[who], ...body });
  const consentForm = (who: Who, fields: Record<string, string | string[]>, file?: { data: Buffer; filename: string; contentType: string }) => {
    let r = agents[who].post(`/people/${child}/consent/new`).field('_csrf', csrf[who]);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) r = r.field(k, x);
    if (file) r = r.attach('evidence', file.data, { filename: file.filename, contentType: file.contentType });
    return r;
  };

  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_RATE_LIMIT: '1000' });
    const tokens = {} as Record<Who, string>;
    for (const [who, email] of Object.entries(USERS) as Array<[Who, string]>) {
      const created = await t.services.auth.createApiToken(email, { by: CLI });
      tokens[who] = created.token;
      orgIds[who] = created.user.organisationId;
    }
    const api = (method: 'get' | 'post', path: string, body?: object) => {
      const r = request(t.app)[method](path).set('Authorization', `Bearer ${tokens.sw}`);
      return body ? r.send(body) : r;
    };
    const created = await api('post', '/api/v1/people', {
        givenNames: 'Ottilie',
        familyName: 'Quarrington',
        sex: 'female',
        dobPrecision: 'exact',
        dateOfBirth: '2019-05-06',
        address: { line1: '9 Weir Lane', town: 'Northbridge', postcode: 'NB2 4DF' },
      });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    child = created.body.subjectId;
    await api('post', `/api/v1/people/${child}/involvements`, { role: 'allocated_social_worker', startDate: '2025-01-01' }).expect(201);
    noteId = (await api('post', `/api/v1/people/${child}/notes`, { category: 'social_care', kind: 'alert', title: 'Visits in pairs', body: 'Staff visit in pairs after an incident' }).expect(201)).body.id;
    addressId = (await api('get', `/api/v1/people/${child}/shareable`).expect(200)).body.items.find((i: { type: string }) => i.type === 'address').id;
    for (const who of Object.keys(USERS) as Who[]) {
      agents[who] = await signIn(t, USERS[who]);
      csrf[who] = csrfFrom((await agents[who].get('/').expect(200)).text);
    }
  }, 180_000);
  afterAll(async () => t?.close());

  it('links to consent and sharing from the person page', async () => {
    const page = await agents.sw.get(`/people/${child}`).expect(200);
    expect(page.text).toContain(`href="/people/${child}/share"`);
    expect(page.text).toContain(`href="/people/${child}/consent"`);
    expect(page.text).toContain(`href="/people/${child}/consent/new"`);
  });

  it('records consent with its evidence (multipart, CSRF checked), shows every problem at once, and withdraws it', async () => {
    const empty = await agents.sw.get(`/people/${child}/consent`).expect(200);
    expect(text(empty.text)).toContain('No consent has been recorded for this person');

    // Without the CSRF token a multipart post is refused like any other.
    const noToken = await agents.sw.post(`/people/${child}/consent/new`).field('decision', 'given').attach('evidence', PDF, { filename: 'form.pdf', contentType: 'application/pdf' });
    expect(noToken.status).toBe(403);

    const bad = await consentForm('sw', { capacityAssessment: 'presumed', method: 'verbal', 'validUntil-day': '31', 'validUntil-month': '2', 'validUntil-year': '2027' }, { data: Buffer.from('not a pdf at all'), filename: 'form.pdf', contentType: 'application/pdf' });
    expect(bad.status).toBe(400);
    const summary = errorSummary(bad.text);
    expect(summary).toContain('Say whether consent was given or refused');
    expect(summary).toContain('Say who gave or refused consent');
    expect(summary).toContain('Choose at least one purpose');
    expect(summary).toContain('The date it ends must be a real date');
    expect(bad.text).toContain('href="#validUntil-day"');
    expect(bad.text).toContain('choose it again');

    // A file whose content is not what it says is refused next to the file input.
    const renamed = await consentForm(
      'sw',
      { decision: 'given', givenBy: 'parental_responsibility', givenByName: 'Maria Quarrington', capacityAssessment: 'presumed', capacityOutcome: 'capable', purposes: 'early_help', anyRecipient: 'yes', categories: ['identity', 'social_care'], method: 'written' },
      { data: Buffer.from('MZ this is an executable'), filename: 'form.pdf', contentType: 'application/pdf' },
    );
    expect(renamed.status).toBe(400);
    expect(errorSummary(renamed.text)).toContain('The evidence file is not a PDF file');
    expect(renamed.text).toContain('href="#evidence"');

    // Larger than 5 MB: the fields still arrive, and the file is refused with a message.
    const big = await consentForm(
      'sw',
      { decision: 'given', givenBy: 'parental_responsibility', givenByName: 'Maria Quarrington', capacityAssessment: 'presumed', capacityOutcome: 'capable', purposes: 'early_help', anyRecipient: 'yes', categories: 'identity', method: 'written' },
      { data: Buffer.concat([PDF, Buffer.alloc(6 * 1024 * 1024, 0x20)]), filename: 'big.pdf', contentType: 'application/pdf' },
    );
    expect(big.status).toBe(400);
    expect(errorSummary(big.text)).toContain('The evidence file must be smaller than 5 MB');
    expect(big.text).toContain('value="Maria Quarrington"');

    const ok = await consentForm(
      'sw',
      {
        decision: 'given',
        givenBy: 'parental_responsibility',
        givenByName: 'Maria Quarrington',
        capacityAssessment: 'presumed',
        capacityOutcome: 'capable',
        purposes: ['early_help', 'housing_support'],
        recipientOrganisationTypes: 'housing',
        categories: ['identity', 'social_care'],
        method: 'written',
        notes: 'Signed at the family home',
      },
      { data: PNG, filename: 'signed form.png', contentType: 'image/png' },
    );
    expect(ok.status, errorSummary(ok.text)).toBe(302);
    const history = await agents.sw.get(`/people/${child}/consent`).expect(200);
    const h = text(history.text);
    expect(h).toContain('Consent given on');
    expect(h).toContain('Someone with parental responsibility: Maria Quarrington');
    expect(h).toContain('Early help and family support');
    expect(h).toContain('Any Housing');
    expect(h).toContain('Identity, Social care');
    expect(h).toContain('In writing (a signed form)');
    const evidenceHref = /href="(\/people\/[^"]+\/evidence)"/.exec(history.text)![1]!;
    const file = await agents.sw.get(evidenceHref).buffer(true).expect(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toContain('attachment');
    expect(Buffer.compare(file.body as Buffer, PNG)).toBe(0);

    // Withdrawal: reason and method needed.
    const withdrawHref = /href="(\/people\/[^"]+\/withdraw)"/.exec(history.text)![1]!;
    await agents.sw.get(withdrawHref).expect(200);
    const missing = await post('sw', withdrawHref, { reason: '' });
    expect(missing.status).toBe(400);
    expect(errorSummary(missing.text)).toContain('Say how it was withdrawn');
    expect(errorSummary(missing.text)).toContain('Say why, or in what words, it was withdrawn');
    await post('sw', withdrawHref, { reason: 'Mother phoned to say she no longer agrees', method: 'verbal' }).expect(302);
    const after = text((await agents.sw.get(`/people/${child}/consent`).expect(200)).text);
    expect(after).toContain('Withdrawn');
    expect(after).toContain('Mother phoned to say she no longer agrees');
    await agents.sw.get(withdrawHref).expect(404);
  });

  /** Answers one question page and returns where it went next. */
  const answer = async (who: Who, step: string, body: Record<string, string | string[]>, status = 302) => {
    const res = await post(who, `/people/${child}/share/${step}`, body);
    expect(res.status, errorSummary(res.text)).toBe(status);
    return res;
  };

  it('walks "Should I share this?": each page checks its answer, the service\'s problems go back to the right question, and a share without consent waits for approval', async () => {
    const start = await agents.sw.get(`/people/${child}/share`).expect(200);
    expect(text(start.text)).toContain('Should I share this?');
    // Skipping ahead goes back to the first question not yet answered.
    await agents.sw.get(`/people/${child}/share/legal-basis`).expect(302).expect('Location', `/people/${child}/share/purpose`);
    await agents.sw.get(`/people/${child}/share/check`).expect(302).expect('Location', `/people/${child}/share/purpose`);

    const noPurpose = await answer('sw', 'purpose', { purposeDetail: 'short' }, 400);
    expect(errorSummary(noPurpose.text)).toContain('Choose the purpose of sharing');
    expect(errorSummary(noPurpose.text)).toContain('Describe the purpose of sharing, in at least 10 characters');
    expect((await answer('sw', 'purpose', { purpose: 'safeguarding_child', purposeDetail: 'Bruising seen at school; police need the address for a joint visit' })).headers.location).toBe(`/people/${child}/share/recipient`);

    const nobody = await answer('sw', 'recipient', { recipient: '', recipientDescription: '' }, 400);
    expect(errorSummary(nobody.text)).toContain('Choose who would receive the information');
    expect(nobody.text).toContain('href="#recipient"');
    const both = await answer('sw', 'recipient', { recipient: `organisation:${orgIds.police}`, recipientDescription: 'A tutor' }, 400);
    expect(errorSummary(both.text)).toContain('not both');
    const unknown = await answer('sw', 'recipient', { recipient: 'team:00000000-0000-4000-8000-000000000000' }, 400);
    expect(errorSummary(unknown.text)).toContain('Choose a recipient from the list');
    await answer('sw', 'recipient', { recipient: `organisation:${orgIds.police}` });
    await answer('sw', 'identifies', { identifies: 'yes' });
    await answer('sw', 'confidential', { confidential: 'yes' });

    // The consent records are shown: the (withdrawn) consent was for other purposes and recipients.
    const consentPage = await agents.sw.get(`/people/${child}/share/consent`).expect(200);
    expect(text(consentPage.text)).toContain('No consent on record covers this share');
    const claimed = await answer('sw', 'consent', { consentPosition: 'given' }, 400);
    expect(errorSummary(claimed.text)).toMatch(/consent|record/i);
    expect((await answer('sw', 'consent', { consentPosition: 'not_sought' })).headers.location).toBe(`/people/${child}/share/not-sought`);
    await answer('sw', 'not-sought', { notSeekingReason: 'unsafe', notSeekingDetail: 'Asking the parent tonight would put the child at greater risk' });
    const noDetail = await answer('sw', 'risk', { risk: 'riskChild' }, 400);
    expect(errorSummary(noDetail.text)).toContain('Describe the risk or the public interest, in at least 20 characters');
    const riskAndNone = await answer('sw', 'risk', { risk: ['riskChild', 'none'] }, 400);
    expect(errorSummary(riskAndNone.text)).toContain('not both');
    await answer('sw', 'risk', { risk: 'riskChild', riskDetail: 'Unexplained bruising and a disclosure of being hit at home' });
    await answer('sw', 'decision', { outcome: 'share', reasons: 'The risk of significant harm outweighs the duty of confidence' });
    const consentBasis = await answer('sw', 'legal-basis', { legalBases: ['ca1989_s47'] }, 400);
    expect(errorSummary(consentBasis.text)).toContain('Choose a UK GDPR article 6 basis');
    const onConsent = await answer('sw', 'legal-basis', { legalBases: ['gdpr_6_1_a', 'gdpr_6_1_e'] }, 400);
    expect(errorSummary(onConsent.text)).toContain('You cannot rely on consent');
    await answer('sw', 'legal-basis', { legalBases: ['gdpr_6_1_e', 'ca1989_s47'] });

    const itemsPage = await agents.sw.get(`/people/${child}/share/what-to-share`).expect(200);
    expect(text(itemsPage.text)).toContain('Always included');
    expect(itemsPage.text).toContain(`value="address:${addressId}"`);
    expect(itemsPage.text).toContain(`value="note:${noteId}"`);
    const nothing = await answer('sw', 'what-to-share', { minimumNecessary: '', 'expiresOn-day': '1', 'expiresOn-month': '1', 'expiresOn-year': '2020' }, 400);
    expect(errorSummary(nothing.text)).toContain('Choose exactly which items of the record to share');
    expect(errorSummary(nothing.text)).toContain('Say why this is the minimum necessary');
    expect(errorSummary(nothing.text)).toContain('The date access ends must be in the future');
    await answer('sw', 'what-to-share', { items: `address:${addressId}`, minimumNecessary: 'Only the address, for the joint visit', message: 'Please call before visiting' });
    const notTold = await answer('sw', 'telling', { personTold: 'not_told' }, 400);
    expect(errorSummary(notTold.text)).toContain('Say why the person will not be told');
    await answer('sw', 'telling', { personTold: 'not_told', notToldReason: 'Telling the parent could put the child at risk' });
    expect((await answer('sw', 'urgency', {})).headers.location).toBe(`/people/${child}/share/check`);

    const check = await agents.sw.get(`/people/${child}/share/check`).expect(200);
    const c = text(check.text);
    expect(c).toContain('Northbridge Police');
    expect(c).toContain('Covered by agreement NB-ISA-001');
    expect(c).toContain('Nothing is sent yet');
    expect(check.text).toContain(`/people/${child}/share/consent?change=yes`);

    // Changing an answer from the check page: the question it makes necessary is asked, then back to the check page.
    const changed = await post('sw', `/people/${child}/share/decision?change=yes`, { change: 'yes', outcome: 'share_in_part', reasons: 'The risk of significant harm outweighs the duty of confidence', withheld: 'The alert about visits in pairs: not needed for the visit' });
    expect(changed.headers.location).toBe(`/people/${child}/share/check`);

    const done = await post('sw', `/people/${child}/share/check`, {});
    expect(done.status, errorSummary(done.text)).toBe(302);
    const confirmation = await agents.sw.get(done.headers.location!).expect(200);
    expect(text(confirmation.text)).toContain('waiting for a manager’s approval');
    expect(text(confirmation.text)).toContain('Nothing has been sent yet');
    // The draft is gone: starting again starts afresh.
    await agents.sw.get(`/people/${child}/share/check`).expect(302).expect('Location', `/people/${child}/share`);

    // Nothing reached the police yet.
    expect(text((await agents.police.get('/inbox').expect(200)).text)).toContain('Nothing has been shared with you');

    // The manager sees it, oldest first, with how long it has waited; the decider cannot approve it.
    const approvals = await agents.tm.get('/sharing/approvals').expect(200);
    expect(text(approvals.text)).toMatch(/less than a minute|1 minute/);
    const decisionHref = /href="(\/sharing\/decisions\/[^"]+)"/.exec(approvals.text)![1]!;
    expect(done.headers.location).toBe(`${decisionHref}/confirmation`);
    const own = await agents.sw.get(decisionHref).expect(200);
    expect(own.text).not.toContain('Do you approve this share without consent?');
    await agents.sw.get('/sharing/approvals').expect(403);
    const review = await agents.tm.get(decisionHref).expect(200);
    expect(text(review.text)).toContain('9 Weir Lane');
    const declineNoNote = await post('tm', `${decisionHref}/approval`, { decision: 'decline' });
    expect(declineNoNote.status).toBe(400);
    expect(errorSummary(declineNoNote.text)).toContain('Say why you decline');
    await post('tm', `${decisionHref}/approval`, { decision: 'approve', note: 'Agreed: the risk outweighs' }).expect(302).expect('Location', '/sharing/approvals');

    // The police officer sees exactly the address, acknowledges it.
    const inbox = await agents.police.get('/inbox').expect(200);
    expect(text(inbox.text)).toContain('Ottilie Quarrington');
    const openHref = /href="(\/inbox\/[^"]+)"/.exec(inbox.text)![1]!;
    const opened = await agents.police.get(openHref).expect(200);
    const o = text(opened.text);
    expect(o).toContain('9 Weir Lane');
    expect(o).toContain('Please call before visiting');
    expect(o).not.toContain('Visits in pairs');
    await post('police', `${openHref}/acknowledge`, {}).expect(302);
    const again = await post('police', `${openHref}/acknowledge`, {});
    expect(again.status).toBe(400);
    expect(errorSummary(again.text)).toContain('already acknowledged');
  });

  it('takes the service\'s problems back to the question that asks about them', async () => {
    await agents.sw.get(`/people/${child}/share`).expect(200);
    await answer('sw', 'purpose', { purpose: 'safeguarding_child', purposeDetail: 'Police asked for the family’s health history' });
    await answer('sw', 'recipient', { recipient: `organisation:${orgIds.police}` });
    await answer('sw', 'identifies', { identifies: 'yes' });
    await answer('sw', 'confidential', { confidential: 'yes' });
    await answer('sw', 'consent', { consentPosition: 'not_sought' });
    await answer('sw', 'not-sought', { notSeekingReason: 'impracticable', notSeekingDetail: 'The family cannot be reached this week at all' });
    await answer('sw', 'risk', { risk: 'none' });
    await answer('sw', 'decision', { outcome: 'share', reasons: 'They asked, so we will share' });
    await answer('sw', 'legal-basis', { legalBases: ['gdpr_6_1_e'] });
    await answer('sw', 'what-to-share', { items: `note:${noteId}`, minimumNecessary: 'Only the alert' });
    await answer('sw', 'telling', { personTold: 'will_tell' });
    await answer('sw', 'urgency', {});
    const refused = await post('sw', `/people/${child}/share/check`, {});
    expect(refused.status).toBe(400);
    const summary = errorSummary(refused.text);
    expect(summary).toContain('Risk of harm or public interest: Sharing confidential information without consent needs a risk');
    expect(refused.text).toContain('href="#check-risk"');
    expect(refused.text).toContain('id="check-risk"');
    // The question page shows the problem too, until it is answered again.
    const riskPage = await agents.sw.get(`/people/${child}/share/risk`).expect(200);
    expect(errorSummary(riskPage.text)).toContain('Sharing confidential information without consent needs a risk');
    // The practitioner decides not to share instead: the decision is recorded and nothing is sent.
    await post('sw', `/people/${child}/share/decision?change=yes`, { change: 'yes', outcome: 'not_share', reasons: 'No risk of harm and no consent: the police should ask the family' }).expect(302);
    // The earlier problem no longer holds for a decision not to share.
    const check = await agents.sw.get(`/people/${child}/share/check`).expect(200);
    expect(check.text).not.toContain('govuk-error-summary');
    expect(text(check.text)).toContain('Your decision not to share is recorded with your reasons. Nothing is sent.');
    const done = await post('sw', `/people/${child}/share/check`, {});
    expect(done.status, errorSummary(done.text)).toBe(302);
    const confirmation = text((await agents.sw.get(done.headers.location!).expect(200)).text);
    expect(confirmation).toContain('Decision not to share recorded');
    expect(confirmation).toContain('Nothing was sent');
  });

  it('asks for a one-off justification when there is no agreement with the recipient, and cancels', async () => {
    await agents.sw.get(`/people/${child}/share`).expect(200);
    await answer('sw', 'purpose', { purpose: 'housing_support', purposeDetail: 'Tenancy support for the family after the move' });
    await answer('sw', 'recipient', { recipient: `organisation:${orgIds.housing}` });
    await answer('sw', 'identifies', { identifies: 'no' });
    expect((await answer('sw', 'decision', { outcome: 'share', reasons: 'Nothing identifies the family in the figures' })).headers.location).toBe(`/people/${child}/share/what-to-share`);
    await answer('sw', 'what-to-share', { items: `note:${noteId}`, minimumNecessary: 'Only the alert, without names' });
    await answer('sw', 'telling', { personTold: 'told' });
    expect((await answer('sw', 'urgency', { flags: 'routine' })).headers.location).toBe(`/people/${child}/share/one-off`);
    const page = await agents.sw.get(`/people/${child}/share/one-off`).expect(200);
    expect(text(page.text)).toContain('There is no information sharing agreement');
    const short = await answer('sw', 'one-off', { oneOffJustification: 'because' }, 400);
    expect(errorSummary(short.text)).toContain('justify this as a one-off share');
    await post('sw', `/people/${child}/share/cancel`, {}).expect(302).expect('Location', `/people/${child}`);
    await agents.sw.get(`/people/${child}/share/check`).expect(302).expect('Location', `/people/${child}/share`);
  });

  /** Walks every question with the answers given (a question not listed is not expected to be asked), then records the decision. */
  const walk = async (steps: Array<[string, Record<string, string | string[]>]>) => {
    await agents.sw.get(`/people/${child}/share`).expect(200);
    for (const [step, body] of steps) {
      const res = await answer('sw', step, body);
      expect(res.headers.location).not.toContain('/share/purpose');
    }
    const done = await post('sw', `/people/${child}/share/check`, {});
    expect(done.status, errorSummary(done.text)).toBe(302);
    return text((await agents.sw.get(done.headers.location!).expect(200)).text);
  };

  it('says exactly what happened: sent at once with consent; in an emergency, sent with approval requested', async () => {
    // Consent for safeguarding, to the police, for who she is and where she lives.
    const consent = await consentForm('sw', {
      decision: 'given',
      givenBy: 'parental_responsibility',
      givenByName: 'Maria Quarrington',
      capacityAssessment: 'presumed',
      capacityOutcome: 'capable',
      purposes: 'safeguarding_child',
      recipientOrganisationIds: orgIds.police,
      categories: ['identity', 'whereabouts'],
      method: 'verbal',
    });
    expect(consent.status, errorSummary(consent.text)).toBe(302);
    const common: Array<[string, Record<string, string | string[]>]> = [
      ['purpose', { purpose: 'safeguarding_child', purposeDetail: 'The police need the address for a welfare check' }],
      ['recipient', { recipient: `organisation:${orgIds.police}` }],
      ['identifies', { identifies: 'yes' }],
      ['confidential', { confidential: 'yes' }],
    ];
    const withConsent = await walk([
      ...common,
      ['consent', { consentPosition: 'given' }],
      ['decision', { outcome: 'share', reasons: 'Her mother agreed to the police having the address' }],
      ['legal-basis', { legalBases: ['gdpr_6_1_a', 'ca2004_s11'] }],
      ['what-to-share', { items: `address:${addressId}`, minimumNecessary: 'Only the address' }],
      ['telling', { personTold: 'told' }],
      ['urgency', {}],
    ]);
    expect(withConsent).toContain('Information shared');
    expect(withConsent).toContain('Sent to Northbridge Police');
    expect(withConsent).toContain('on the strength of the consent on record');

    // The alert is social care information: the consent does not cover it, and the page that chose it says so.
    await agents.sw.get(`/people/${child}/share`).expect(200);
    for (const [step, body] of [...common, ['consent', { consentPosition: 'given' }], ['decision', { outcome: 'share', reasons: 'Her mother agreed to sharing with the police' }], ['legal-basis', { legalBases: ['gdpr_6_1_a'] }], ['what-to-share', { items: [`address:${addressId}`, `note:${noteId}`], minimumNecessary: 'The address and the alert' }], ['telling', { personTold: 'told' }], ['urgency', {}]] as Array<[string, Record<string, string | string[]>]>) {
      await answer('sw', step, body);
    }
    const notCovered = await post('sw', `/people/${child}/share/check`, {});
    expect(notCovered.status).toBe(400);
    expect(errorSummary(notCovered.text)).toContain('What to share: The consent on record does not cover social care');
    expect(notCovered.text).toContain('href="#check-what-to-share"');
    const itemsPage = await agents.sw.get(`/people/${child}/share/what-to-share`).expect(200);
    expect(errorSummary(itemsPage.text)).toContain('does not cover social care');
    expect(itemsPage.text).toContain('href="#items"');
    expect(text(itemsPage.text)).toContain('Consent does not cover this');
    await post('sw', `/people/${child}/share/cancel`, {}).expect(302);

    const emergency = await walk([
      ...common,
      ['consent', { consentPosition: 'not_sought' }],
      ['not-sought', { notSeekingReason: 'unsafe', notSeekingDetail: 'Asking now would warn the person who hurt her' }],
      ['risk', { risk: 'riskChild', riskDetail: 'She is at home tonight with the person who hurt her' }],
      ['decision', { outcome: 'share', reasons: 'An emergency: the police must go tonight' }],
      ['legal-basis', { legalBases: ['gdpr_6_1_e', 'ca1989_s47'] }],
      ['what-to-share', { items: [`address:${addressId}`, `note:${noteId}`], minimumNecessary: 'The address and the alert for the officers' }],
      ['telling', { personTold: 'will_tell' }],
      ['urgency', { flags: 'emergency' }],
    ]);
    expect(emergency).toContain('Emergency share sent: approval requested');
    expect(emergency).toContain('reminded every hour');
    const approvals = text((await agents.tm.get('/sharing/approvals').expect(200)).text);
    expect(approvals).toContain('Emergency: already sent');

    // The sender can withdraw the recipient's access from the decision page; a reason is needed.
    const [latest] = await t.services.repositories.sharing.decisionsFor(child);
    const page = await agents.sw.get(`/sharing/decisions/${child}/${latest!.id}`).expect(200);
    expect(text(page.text)).toContain('Withdraw the recipient’s access');
    const noReason = await post('sw', `/sharing/decisions/${child}/${latest!.id}/revoke`, { reason: 'no' });
    expect(noReason.status).toBe(400);
    expect(errorSummary(noReason.text)).toContain('Say why access is being withdrawn');
    await post('sw', `/sharing/decisions/${child}/${latest!.id}/revoke`, { reason: 'The officers have visited; access no longer needed' }).expect(302);
    const opened = await t.services.sharing.openDisclosure(
      (await t.services.auth.authenticateApiToken((await t.services.auth.createApiToken(USERS.police, { by: CLI })).token))!,
      child,
      latest!.disclosureId!,
      {},
    );
    expect(opened.shown).toEqual([]);
    expect(opened.unavailable[0]!.reason).toContain('withdrawn');
  });

  it('reports to managers with filters, a chart with a table, and a CSV download; refuses bad dates', async () => {
    const report = await agents.tm.get('/sharing/report').expect(200);
    const r = text(report.text);
    expect(report.text).toContain('role="img"');
    expect(r).toMatch(/Shared in part \d+/);
    expect(r).toMatch(/Not shared \d+/);
    const decisionsTable = (html: string) => text(/The decisions \(\d+\)[\s\S]*?<\/table>/.exec(html)?.[0] ?? '');
    expect(decisionsTable(report.text)).toContain('Share in part');
    const notShared = decisionsTable((await agents.tm.get('/sharing/report?outcome=not_share').expect(200)).text);
    expect(notShared).toContain('Do not share');
    expect(notShared).not.toContain('Share in part');
    const bad = await agents.tm.get('/sharing/report?from-day=31&from-month=2&from-year=2026').expect(400);
    expect(errorSummary(bad.text)).toContain('The start date must be a real date');
    const csv = await agents.tm.get('/sharing/report.csv?withConsent=no').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toMatch(/^decided_at,decision_id,subject_id/);
    expect(csv.text).toContain(child);
    await agents.sw.get('/sharing/report').expect(403);
    await agents.police.get('/sharing/report.csv').expect(403);
  });

  it('shows the IG lead the sharing history and exports it for a subject access request', async () => {
    const history = await agents.ig.get(`/people/${child}/sharing-history`).expect(200);
    const h = text(history.text);
    expect(h).toContain('Do not share');
    expect(h).toContain('Northbridge Police');
    await agents.housing.get(`/people/${child}/sharing-history`).expect(403);
    await agents.ig.get(`/people/${child}/subject-access`).expect(200);
    const missing = await post('ig', `/people/${child}/subject-access`, { reference: '' });
    expect(missing.status).toBe(400);
    expect(errorSummary(missing.text)).toContain('Give the subject access request');
    const exported = await post('ig', `/people/${child}/subject-access`, { reference: 'SAR-2026-007' }).expect(200);
    expect(exported.headers['content-disposition']).toContain('subject-access-SAR-2026-007.json');
    const body = JSON.parse(exported.text);
    expect(body.reference).toBe('SAR-2026-007');
    expect(body.sharing.decisions.length).toBeGreaterThanOrEqual(2);
    await post('sw', `/people/${child}/subject-access`, { reference: 'SAR-2026-008' }).expect(403);
  });
});
