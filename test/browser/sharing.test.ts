import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, checkA11y, launchChromium, openPage, screenshot, signIn, startServer, type PageWatch, type RunningServer } from '../support/browser.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };
const SOCIAL_WORKER = 'social.worker@csc.northbridge.example';
const TEAM_MANAGER = 'team.manager@csc.northbridge.example';
const POLICE = 'police.officer@police.northbridge.example';
const IG_LEAD = 'ig.lead@csc.northbridge.example';

/** A tiny PDF: what the service checks is that the file starts as a PDF does. */
const SIGNED_FORM = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

const skip = browserSkipReason();

/**
 * Consent and "Should I share this?" in Chromium. A social worker records consent with a signed
 * form; walks the guided decision to share a child's address with the police without consent
 * (wrong and missing answers first), which waits for approval; the team manager sees how long it
 * has waited and approves it; the police officer finds exactly the address in their inbox and
 * acknowledges it. Then, without JavaScript, a decision not to share is walked and recorded, and
 * the managers' report and the IG lead's sharing history are looked at. axe-core checks every
 * page, error states included; CSP violations and console errors fail the test.
 */
describe.skipIf(skip)('consent and sharing journeys in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let child: string;
  let policeOrgId: string;

  const path = (page: Page) => new URL(page.url()).pathname;
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const errorSummary = (page: Page) => page.locator('.govuk-error-summary').textContent().then((s) => (s ?? '').replace(/\s+/g, ' '));
  const main = (page: Page) => page.locator('main').textContent().then((s) => (s ?? '').replace(/\s+/g, ' '));
  const banner = (page: Page) => page.locator('.govuk-notification-banner').textContent();
  const cont = (page: Page) => page.getByRole('button', { name: 'Continue' }).click();

  async function session(email: string, options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
    const s = await openPage(browser, options);
    await signIn(s.page, base, t, email, { a11y: false });
    return s;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    server = await startServer(t);
    base = server.baseUrl;
    // The child, the social worker's involvement and an agency note, set up through the API.
    const { token } = await t.services.auth.createApiToken(SOCIAL_WORKER, { by: CLI });
    const api = (method: 'get' | 'post', url: string, body?: object) => {
      const r = request(t.app)[method](url).set('Authorization', `Bearer ${token}`);
      return body ? r.send(body) : r;
    };
    const created = await api('post', '/api/v1/people', {
      givenNames: 'Wilhelmina',
      familyName: 'Braithwaite-Oduya',
      sex: 'female',
      dobPrecision: 'exact',
      dateOfBirth: '2017-09-21',
      address: { line1: '14 Ferry Road', town: 'Northbridge', postcode: 'NB3 1PQ' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    child = created.body.subjectId;
    await api('post', `/api/v1/people/${child}/involvements`, { role: 'allocated_social_worker', startDate: '2025-06-01' }).expect(201);
    await api('post', `/api/v1/people/${child}/notes`, { category: 'social_care', kind: 'alert', title: 'Dog at the property', body: 'Visit in pairs; the dog is kept in the garden' }).expect(201);
    policeOrgId = (await t.services.repositories.organisations.findByName('Northbridge Police'))!.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('a social worker records consent with a signed form as evidence (errors first)', async () => {
    const { context, page, watch } = await session(SOCIAL_WORKER);
    try {
      await page.goto(`${base}/people/${child}`);
      await checkA11y(page, 'person page with consent and sharing links');
      await page.getByRole('link', { name: 'Record consent or its refusal' }).click();
      expect(path(page)).toBe(`/people/${child}/consent/new`);
      await checkA11y(page, 'record consent');

      // Missing answers, and a signed form for consent recorded as verbal.
      await page.getByRole('radio', { name: 'Consent was given' }).check();
      await page.getByRole('radio', { name: 'Verbally' }).check();
      await page.locator('#evidence').setInputFiles({ name: 'signed-form.pdf', mimeType: 'application/pdf', buffer: SIGNED_FORM });
      await page.getByRole('button', { name: 'Record consent' }).click();
      const errors = await errorSummary(page);
      expect(errors).toContain('Say who gave or refused consent');
      expect(errors).toContain('Choose at least one purpose');
      expect(errors).toContain('Choose at least one kind of information');
      await expect(page.getByRole('radio', { name: 'Consent was given' }).isChecked()).resolves.toBe(true);
      await expect(main(page)).resolves.toContain('choose it again');
      await checkA11y(page, 'record consent with errors');

      await page.getByRole('radio', { name: 'Someone with parental responsibility' }).check();
      await page.getByLabel('Their name, if it was not the person themselves').fill('Grace Braithwaite-Oduya');
      await page.getByRole('radio', { name: 'Capacity presumed (16 or over, no reason to doubt it)' }).check();
      await page.getByRole('radio', { name: 'Yes', exact: true }).check();
      await page.getByRole('checkbox', { name: 'Early help and family support' }).check();
      await page.getByRole('checkbox', { name: 'Any organisation in the partnership' }).check();
      await page.getByRole('checkbox', { name: 'Identity', exact: true }).check();
      await page.getByRole('checkbox', { name: 'Education', exact: true }).check();
      await page.locator('#evidence').setInputFiles({ name: 'signed-form.pdf', mimeType: 'application/pdf', buffer: SIGNED_FORM });
      await page.getByRole('button', { name: 'Record consent' }).click();
      // Still "verbally", with a signed form.
      await expect(errorSummary(page)).resolves.toContain('Verbal consent has no form');
      await checkA11y(page, 'record consent with an error about the evidence');
      await page.getByRole('radio', { name: 'In writing (a signed form)' }).check();
      await page.locator('#evidence').setInputFiles({ name: 'signed-form.pdf', mimeType: 'application/pdf', buffer: SIGNED_FORM });
      await page.getByRole('button', { name: 'Record consent' }).click();
      expect(path(page)).toBe(`/people/${child}/consent`);
      await expect(banner(page)).resolves.toContain('Consent was recorded, with its evidence');
      const card = page.locator('.govuk-summary-card').first();
      await expect(card.textContent()).resolves.toContain('Someone with parental responsibility: Grace Braithwaite-Oduya');
      await expect(card.textContent()).resolves.toContain('Early help and family support');
      await expect(card.textContent()).resolves.toContain('signed-form.pdf');
      await checkA11y(page, 'consent history');
      await screenshot(page, 'consent-history');
      const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /Download the evidence/ }).click()]);
      expect(download.suggestedFilename()).toBe('signed-form.pdf');
      watch.assertClean('recording consent');
    } finally {
      await context.close();
    }
  });

  it('the social worker walks "Should I share this?" to share the address with the police without consent: it waits for approval', async () => {
    const { context, page, watch } = await session(SOCIAL_WORKER);
    try {
      await page.goto(`${base}/people/${child}`);
      await page.getByRole('link', { name: /Should I share this\?/ }).click();
      await expect(h1(page)).resolves.toBe('Should I share this?');
      await checkA11y(page, 'share: start');
      await page.getByRole('button', { name: 'Start' }).click();

      // Purpose: missing answers first.
      await expect(h1(page)).resolves.toBe('What is the purpose of sharing?');
      await checkA11y(page, 'share: purpose');
      await page.getByLabel('Describe the purpose').fill('visit');
      await cont(page);
      const errors = await errorSummary(page);
      expect(errors).toContain('Choose the purpose of sharing');
      expect(errors).toContain('Describe the purpose of sharing, in at least 10 characters');
      await checkA11y(page, 'share: purpose with errors');
      await page.getByRole('radio', { name: 'Safeguarding a child' }).check();
      await page.getByLabel('Describe the purpose').fill('A joint visit with the police tonight after a disclosure at school');
      await cont(page);

      await expect(h1(page)).resolves.toBe('Who would receive the information?');
      await checkA11y(page, 'share: recipient');
      await cont(page);
      await expect(errorSummary(page)).resolves.toContain('Choose who would receive the information');
      await checkA11y(page, 'share: recipient with errors');
      await page.getByLabel('In the partnership').selectOption(`organisation:${policeOrgId}`);
      await cont(page);

      await checkA11y(page, 'share: identifies');
      await page.getByRole('radio', { name: 'Yes, it identifies someone' }).check();
      await cont(page);
      await checkA11y(page, 'share: confidential');
      await page.getByRole('radio', { name: 'Yes, it is confidential' }).check();
      await cont(page);

      // Consent: the records are shown plainly; the consent on record is for another purpose.
      await expect(h1(page)).resolves.toBe('Do you have consent to share?');
      const coverage = await page.locator('.ta-coverage').textContent();
      expect(coverage).toContain('No consent on record covers this share');
      expect(coverage).toContain('consent given for one purpose does not cover another');
      await checkA11y(page, 'share: consent');
      await screenshot(page, 'share-consent');
      await page.getByRole('radio', { name: 'Yes: consent on record covers this share' }).check();
      await cont(page);
      await expect(errorSummary(page)).resolves.toContain('does not cover another');
      await checkA11y(page, 'share: consent with errors');
      await page.getByRole('radio', { name: 'No: consent has not been sought' }).check();
      await cont(page);

      await checkA11y(page, 'share: why consent was not sought');
      await page.getByRole('radio', { name: 'Asking would put a child or adult at greater risk of harm' }).check();
      await page.getByLabel('Explain').fill('Telling the parent before the visit could put the child at greater risk');
      await cont(page);

      await checkA11y(page, 'share: risk');
      await page.getByRole('checkbox', { name: 'A child is at risk of significant harm' }).check();
      await cont(page);
      await expect(errorSummary(page)).resolves.toContain('Describe the risk or the public interest');
      await checkA11y(page, 'share: risk with errors');
      await page.getByLabel('Describe the risk or the public interest').fill('She told her teacher she was hit and is frightened to go home');
      await cont(page);

      await checkA11y(page, 'share: decision');
      await page.getByRole('radio', { name: 'Share', exact: true }).check();
      await page.getByLabel('Your reasons').fill('The risk of significant harm outweighs the duty of confidence');
      await cont(page);

      await checkA11y(page, 'share: legal bases');
      await page.getByRole('checkbox', { name: 'UK GDPR article 6(1)(a): consent' }).check();
      await cont(page);
      await expect(errorSummary(page)).resolves.toContain('You cannot rely on consent');
      await checkA11y(page, 'share: legal bases with errors');
      await page.getByRole('checkbox', { name: 'UK GDPR article 6(1)(a): consent' }).uncheck();
      await page.getByRole('checkbox', { name: 'UK GDPR article 6(1)(e): public task' }).check();
      await page.getByRole('checkbox', { name: 'Children Act 1989 section 47' }).check();
      await cont(page);

      await expect(h1(page)).resolves.toBe('What exactly will you share?');
      await expect(main(page)).resolves.toContain('Always included');
      await checkA11y(page, 'share: what to share');
      await page.getByRole('checkbox', { name: /14 Ferry Road/ }).check();
      await page.getByLabel('Message to the recipient (optional)').fill('Please meet us at the school at 4pm');
      await page.getByLabel('Why is this the minimum necessary?').fill('Only the address is needed for the visit');
      await cont(page);

      await checkA11y(page, 'share: telling the person');
      await page.getByRole('radio', { name: 'No', exact: true }).check();
      await page.getByLabel('If not, why will they not be told?').fill('Telling the parent now could put her at risk');
      await cont(page);
      await checkA11y(page, 'share: emergency or routine');
      await cont(page);

      expect(path(page)).toBe(`/people/${child}/share/check`);
      const check = await main(page);
      expect(check).toContain('Northbridge Police');
      expect(check).toContain('14 Ferry Road');
      expect(check).toContain('Covered by agreement NB-ISA-001');
      expect(check).toContain('Nothing is sent yet');
      await checkA11y(page, 'share: check your answers');
      await screenshot(page, 'share-check');
      await page.getByRole('button', { name: 'Record the decision' }).click();

      await expect(h1(page)).resolves.toContain('waiting for a manager’s approval');
      await expect(main(page)).resolves.toContain('Nothing has been sent yet');
      await checkA11y(page, 'share: waiting for approval');
      watch.assertClean('guided decision');
    } finally {
      await context.close();
    }
    // Nothing is shared until it is approved.
    const inbox = await t.services.sharing.inbox((await t.services.auth.principal((await t.services.repositories.users.findByEmail(POLICE))!.id, 'password'))!, { requestId: null, ip: null });
    expect(inbox).toEqual([]);
  });

  it('the team manager sees how long it has waited and approves it; the police officer sees exactly the address and acknowledges it', async () => {
    const manager = await session(TEAM_MANAGER);
    try {
      const { page, watch } = manager;
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
      await expect(h1(page)).resolves.toBe('Decisions waiting for your approval');
      const row = page.locator('table.ta-approvals tbody tr').first();
      await expect(row.textContent()).resolves.toMatch(/less than a minute|1 minute/);
      await expect(row.textContent()).resolves.toContain('Kofi Mensah');
      await checkA11y(page, 'approvals');
      await screenshot(page, 'approvals');
      await row.getByRole('link', { name: /Review/ }).click();
      await expect(main(page)).resolves.toContain('14 Ferry Road');
      await checkA11y(page, 'decision to approve');
      await page.getByRole('radio', { name: 'Decline' }).check();
      await page.getByRole('button', { name: 'Record your decision' }).click();
      await expect(errorSummary(page)).resolves.toContain('Say why you decline');
      await checkA11y(page, 'decision to approve with errors');
      await page.getByRole('radio', { name: 'Approve' }).check();
      await page.getByLabel('Note to the practitioner').fill('Agreed: the risk outweighs the duty of confidence');
      await page.getByRole('button', { name: 'Record your decision' }).click();
      expect(path(page)).toBe('/sharing/approvals');
      await expect(banner(page)).resolves.toContain('You approved the decision');
      await expect(main(page)).resolves.toContain('No decisions are waiting for approval');
      watch.assertClean('approval');
    } finally {
      await manager.context.close();
    }

    const officer = await session(POLICE);
    try {
      const { page, watch } = officer;
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shared with you' }).click();
      const row = page.locator('tbody tr').filter({ hasText: 'Wilhelmina Braithwaite-Oduya' });
      await expect(row.textContent()).resolves.toContain('New');
      await checkA11y(page, 'inbox');
      await row.getByRole('link', { name: 'Wilhelmina Braithwaite-Oduya' }).click();
      const shown = await main(page);
      expect(shown).toContain('14 Ferry Road');
      expect(shown).toContain('Please meet us at the school at 4pm');
      expect(shown).not.toContain('Dog at the property');
      await checkA11y(page, 'shared with you: one item');
      await page.getByRole('button', { name: 'Acknowledge receipt' }).click();
      await expect(banner(page)).resolves.toContain('You acknowledged what was shared');
      await expect(page.getByRole('button', { name: 'Acknowledge receipt' }).count()).resolves.toBe(0);
      await checkA11y(page, 'shared with you: acknowledged');
      watch.assertClean('inbox');
    } finally {
      await officer.context.close();
    }
  });

  it('without JavaScript, the social worker records a decision not to share', async () => {
    const { context, page, watch } = await session(SOCIAL_WORKER, { javaScriptEnabled: false });
    try {
      await page.goto(`${base}/people/${child}/share`);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.getByRole('radio', { name: 'Education and attendance' }).check();
      await page.getByLabel('Describe the purpose').fill('A tutor asked why the family sees a social worker');
      await page.getByLabel('Who asked for the information? (optional)').fill('A private tutor');
      await cont(page);
      await page.getByLabel('Someone outside Team Around').fill('A private tutor');
      await checkA11y(page, 'share without JavaScript: recipient');
      await cont(page);
      await page.getByRole('radio', { name: 'Yes, it identifies someone' }).check();
      await cont(page);
      await page.getByRole('radio', { name: 'Yes, it is confidential' }).check();
      await cont(page);
      await page.getByRole('radio', { name: 'No: consent has not been sought' }).check();
      await cont(page);
      await page.getByRole('radio', { name: 'It is not practicable to ask (they cannot be reached in time)' }).check();
      await page.getByLabel('Explain').fill('The tutor wanted an answer today and the family are away');
      await cont(page);
      await page.getByRole('checkbox', { name: 'None of these' }).check();
      await cont(page);
      await expect(main(page)).resolves.toContain('Confidential information should then not be shared');
      // A missing answer: the decision.
      await page.getByLabel('Your reasons').fill('No risk of harm and no consent: the tutor should ask the family');
      await cont(page);
      await expect(errorSummary(page)).resolves.toContain('Choose the decision: share, share in part, or do not share');
      await checkA11y(page, 'share without JavaScript: decision with errors');
      await page.getByRole('radio', { name: 'Do not share' }).check();
      await cont(page);
      await page.getByRole('radio', { name: 'Yes, they will be told' }).check();
      await cont(page);
      expect(path(page)).toBe(`/people/${child}/share/check`);
      await expect(main(page)).resolves.toContain('Your decision not to share is recorded with your reasons. Nothing is sent.');
      await checkA11y(page, 'share without JavaScript: check your answers');
      await page.getByRole('button', { name: 'Record the decision' }).click();
      await expect(h1(page)).resolves.toBe('Decision not to share recorded');
      await expect(main(page)).resolves.toContain('Nothing was sent');
      await checkA11y(page, 'share without JavaScript: not shared');
      watch.assertClean('decision not to share');
    } finally {
      await context.close();
    }
  });

  it('the manager reports on the decisions (chart and table) and the IG lead sees the sharing history', async () => {
    const manager = await session(TEAM_MANAGER);
    try {
      const { page, watch } = manager;
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sharing decisions' }).click();
      await expect(page.locator('svg.ta-chart[role="img"]').count()).resolves.toBe(1);
      const table = page.locator('table').filter({ hasText: 'Decisions by outcome' });
      await expect(table.getByRole('row', { name: /Shared in full/ }).textContent()).resolves.toMatch(/Shared in full\s*1\s*0\s*1/);
      await expect(table.getByRole('row', { name: /Not shared/ }).textContent()).resolves.toMatch(/Not shared\s*1/);
      await checkA11y(page, 'sharing report');
      await screenshot(page, 'sharing-report');
      await page.locator('#from-day').fill('31');
      await page.locator('#from-month').fill('2');
      await page.locator('#from-year').fill('2026');
      await page.getByRole('button', { name: 'Show decisions' }).click();
      await expect(errorSummary(page)).resolves.toContain('The start date must be a real date');
      await checkA11y(page, 'sharing report with errors');
      watch.assertClean('report');
    } finally {
      await manager.context.close();
    }

    const ig = await session(IG_LEAD);
    try {
      const { page, watch } = ig;
      await page.goto(`${base}/people/${child}/sharing-history`);
      const history = await main(page);
      expect(history).toContain('Northbridge Police');
      expect(history).toContain('A private tutor');
      await checkA11y(page, 'sharing history');
      await page.getByRole('button', { name: 'Export for a subject access request' }).click();
      await checkA11y(page, 'subject access export');
      await page.getByRole('button', { name: 'Download the export' }).click();
      await expect(errorSummary(page)).resolves.toContain('Give the subject access request');
      await checkA11y(page, 'subject access export with errors');
      await page.getByLabel('The subject access request’s reference').fill('SAR-2026-031');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the export' }).click()]);
      expect(download.suggestedFilename()).toBe('subject-access-SAR-2026-031.json');
      watch.assertClean('sharing history');
    } finally {
      await ig.context.close();
    }
  });
});
