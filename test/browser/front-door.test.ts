import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, checkA11y, launchChromium, openPage, screenshot, signIn, startServer, type PageWatch, type RunningServer } from '../support/browser.ts';

const DSL = 'dsl@hollinlane.northbridge.example';
const MASH = 'mash.officer@csc.northbridge.example';
const TM = 'team.manager@csc.northbridge.example';
const HV = 'health.visitor@nhs.northbridge.example';
const NHS = 'Northbridge Community Health NHS Trust';
const POLICE = 'police.officer@police.northbridge.example';

const skip = browserSkipReason();

/**
 * The front door in Chromium: a school's designated safeguarding lead refers a concern (an error
 * first); the MASH officer sees the queue with its clocks, rates the contact, matches the child and
 * asks the health trust and the police under the legal basis chosen (an error first); the health
 * visitor answers with something the family must not be told; the police decline to share, with the
 * reason (an error first), which the decision page shows; the officer records the threshold decision (an error first); a team manager signs it off and reads the
 * dashboard, with its charts, tables and CSV. Every page is checked with axe-core and watched for CSP
 * violations.
 */
describe.skipIf(skip)('the MASH front door in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let contactPath: string;
  let reference: string;

  const path = (page: Page) => new URL(page.url()).pathname;
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const text = (page: Page, selector: string) => page.locator(selector).first().textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  async function session(email: string): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
    const s = await openPage(browser);
    await signIn(s.page, base, t, email, { a11y: false });
    return s;
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    server = await startServer(t);
    base = server.baseUrl;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('a school refers a concern (an error first)', async () => {
    const { context, page, watch } = await session(DSL);
    try {
      // A practitioner reaches the referral form from the main navigation.
      await page.goto(`${base}/`);
      await nav(page, 'Refer a concern');
      expect(path(page)).toBe('/front-door/new');
      await expect(h1(page)).resolves.toBe('Refer a concern to the hub');
      await checkA11y(page, 'referral form');
      await page.locator('#person0GivenNames').fill('Jaydon');
      await page.locator('#person0FamilyName').fill('Fletcher');
      await page.locator('#person0Postcode').fill('nb5 1aw');
      await page.locator('#person1Role').selectOption('adult');
      await page.locator('#person1GivenNames').fill('Kerry');
      await page.locator('#person1DateOfBirth').fill('1990-02-30');
      await page.getByLabel('What has happened, and what worries you?').fill('Jaydon has come to school hungry every day this week.');
      await page.getByRole('button', { name: 'Send the referral' }).click();
      const errors = await text(page, '.govuk-error-summary');
      expect(errors).toContain('Choose at least one category of concern');
      expect(errors).toContain('Enter their last name');
      expect(errors).toContain('The date of birth must be a real date');
      await expect(page.locator('#person0GivenNames').inputValue()).resolves.toBe('Jaydon');
      await checkA11y(page, 'referral form with errors');
      await screenshot(page, 'front-door-referral-errors');

      await page.locator('#person1FamilyName').fill('Fletcher');
      await page.locator('#person1DateOfBirth').fill('');
      await page.getByRole('checkbox', { name: 'Neglect', exact: true }).check();
      await page.getByRole('radio', { name: 'The family have been told but do not agree' }).check();
      await page.getByRole('radio', { name: 'Today', exact: true }).check();
      await page.getByRole('button', { name: 'Send the referral' }).click();
      await expect(h1(page)).resolves.toBe('Referral sent');
      reference = (await text(page, '.govuk-panel__body')).replace('Your reference', '').trim();
      expect(reference).toMatch(/^MASH-\d{8}-[0-9A-F]{6}$/);
      await checkA11y(page, 'referral sent');
      watch.assertClean('referring');
    } finally {
      await context.close();
    }
  });

  it('the MASH officer works the queue: rating, matching the child, asking the health trust', async () => {
    const { context, page, watch } = await session(MASH);
    try {
      await nav(page, 'MASH');
      expect(path(page)).toBe('/front-door');
      await expect(h1(page)).resolves.toBe('MASH contacts');
      const queue = await text(page, 'table');
      // The demo's red contact is overdue; every row shows its clock.
      expect(queue).toContain('Overdue by');
      expect(queue).toContain('Not rated yet: waiting');
      expect(await page.locator('tbody tr').count()).toBe(await page.locator('tbody svg.ta-clock').count());
      await checkA11y(page, 'MASH queue');
      await screenshot(page, 'front-door-queue');

      await page.getByRole('link', { name: reference }).click();
      contactPath = path(page);
      await expect(h1(page)).resolves.toBe(`Contact ${reference}`);
      await checkA11y(page, 'contact (new)');
      await page.getByRole('radio', { name: 'Red' }).check();
      await page.getByLabel('Why this rating?').fill('No food at home; a young child');
      await page.getByRole('button', { name: 'Save the rating' }).click();
      // The legal basis for the enquiry must be chosen (the suggested ones are marked, not ticked).
      await expect(text(page, '.govuk-error-summary')).resolves.toContain('Choose the legal basis for the enquiry');
      await checkA11y(page, 'contact (rating without a legal basis)');
      for (const basis of ['UK GDPR article 6(1)(e): public task', 'UK GDPR article 9(2)(g) with DPA 2018 schedule 1 paragraph 18', 'DPA 2018 section 10 and schedule 1 paragraph 18 (criminal offence data)', 'Children Act 1989 section 47']) {
        await page.getByRole('checkbox', { name: basis, exact: true }).check();
      }
      await page.getByRole('button', { name: 'Save the rating' }).click();
      await expect(text(page, '#clock')).resolves.toMatch(/left/);
      expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('Children Act 1989 section 47');

      await page.getByRole('link', { name: 'Find their record for Jaydon Fletcher' }).click();
      await expect(h1(page)).resolves.toBe('Who is Jaydon Fletcher?');
      await checkA11y(page, 'match a person');
      await page.getByRole('radio', { name: /^Jaydon Fletcher, born/ }).check();
      await page.getByRole('button', { name: 'Match' }).click();
      expect(path(page)).toBe(contactPath);
      await expect(text(page, '#people + table')).resolves.toContain('MASH enquiry open');

      await page.getByRole('radio', { name: 'Jaydon Fletcher' }).check();
      await page.getByRole('checkbox', { name: NHS }).check();
      await page.getByRole('checkbox', { name: 'Northbridge Police' }).check();
      await page.getByLabel('What are you asking?').fill('What do you hold about Jaydon and his household?');
      await page.getByRole('button', { name: 'Send research requests' }).click();
      await expect(text(page, '.govuk-summary-card')).resolves.toContain('Waiting');
      await checkA11y(page, 'contact (in the hub, research asked)');
      watch.assertClean('triage');
    } finally {
      await context.close();
    }
  });

  it('the health visitor answers, marking what the family must not be told', async () => {
    const { context, page, watch } = await session(HV);
    try {
      await page.goto(`${base}/front-door/research`);
      await expect(h1(page)).resolves.toBe('Research requests from the hub');
      await checkA11y(page, 'research requests');
      await page.getByRole('link', { name: 'Jaydon Fletcher' }).click();
      await expect(h1(page)).resolves.toBe('Answer a research request');
      // The agency is shown the hub's legal basis.
      expect(await text(page, '.govuk-summary-list')).toContain('UK GDPR article 9(2)(g)');
      await checkA11y(page, 'answer a research request');
      await page.locator('#item0Summary').fill('Mother disclosed a relapse to her key worker last month.');
      await page.locator('#item0Withheld').check();
      await page.getByRole('button', { name: 'Send the answer to the hub' }).click();
      await expect(text(page, '.govuk-error-summary')).resolves.toContain('Say why this must not be disclosed to the family');
      await checkA11y(page, 'answer with errors');
      await page.locator('#item0WithheldReason').fill('Telling the family would put her treatment at risk');
      await page.getByRole('button', { name: 'Send the answer to the hub' }).click();
      expect(path(page)).toBe('/front-door/research');
      await expect(text(page, 'table')).resolves.toContain('Answered');
      watch.assertClean('answering');
    } finally {
      await context.close();
    }
  });

  it('the police decline to share what they hold, with the reason (an error first)', async () => {
    const { context, page, watch } = await session(POLICE);
    try {
      await nav(page, 'MASH research');
      await page.getByRole('link', { name: 'Jaydon Fletcher' }).click();
      await expect(h1(page)).resolves.toBe('Answer a research request');
      await page.getByRole('radio', { name: 'Sharing would prejudice a live criminal investigation or proceedings' }).check();
      await page.locator('#declineReason').fill('Too short');
      await page.getByRole('button', { name: 'Decline to share' }).click();
      await expect(text(page, '.govuk-error-summary')).resolves.toContain('Say why your agency will not share what it holds, in at least 20 characters');
      await checkA11y(page, 'decline with errors');
      await page.locator('#declineReason').fill('The mother is a witness in a live investigation; sharing now would prejudice it.');
      await page.locator('#declineAskInstead').fill('DS Rana, CID');
      await page.getByRole('button', { name: 'Decline to share' }).click();
      expect(path(page)).toBe('/front-door/research');
      await expect(text(page, 'table')).resolves.toContain('Declined to share');
      await checkA11y(page, 'research requests (declined)');
      watch.assertClean('declining');
    } finally {
      await context.close();
    }
  });

  it('the MASH officer reads the answer and records the decision (an error first)', async () => {
    const { context, page, watch } = await session(MASH);
    try {
      await page.goto(`${base}${contactPath}`);
      const card = await text(page, '.govuk-summary-card');
      expect(card).toContain('Not to be disclosed to the family');
      expect(card).toContain('Telling the family would put her treatment at risk');
      const research = (await page.locator('.govuk-summary-card').allTextContents()).join(' ').replace(/\s+/g, ' ');
      expect(research).toContain('Northbridge Police holds information about this person but declined to share it with the hub.');
      expect(research).toContain('The mother is a witness in a live investigation');
      await page.getByRole('button', { name: 'Record the threshold decision' }).click();
      await expect(h1(page)).resolves.toBe('Threshold decision');
      await expect(text(page, '#research-declined')).resolves.toContain('Research was declined');
      expect(await text(page, '#research-declined + table')).toContain('Northbridge Police');
      await checkA11y(page, 'threshold decision');
      await page.getByRole('radio', { name: 'Early help', exact: true }).check();
      await page.getByRole('radio', { name: 'Early help with a lead professional' }).check();
      await page.getByLabel('Rationale').fill('Too short');
      await page.getByRole('button', { name: 'Send for sign-off' }).click();
      const errors = await text(page, '.govuk-error-summary');
      expect(errors).toContain('Give the rationale for the decision, in at least 20 characters');
      expect(errors).toContain('Name the lead professional for early help');
      await checkA11y(page, 'threshold decision with errors');
      await screenshot(page, 'front-door-decision-errors');
      await page.locator('#leadProfessional').fill('Beth Nolan, Northbridge Family Support Trust');
      await page.getByLabel('Rationale').fill('Needs coordinated support; below the threshold for statutory services.');
      await page.getByRole('button', { name: 'Send for sign-off' }).click();
      expect(path(page)).toBe(contactPath);
      await expect(text(page, '.govuk-notification-banner')).resolves.toContain('sent to a manager for sign-off');
      await checkA11y(page, 'contact (waiting for sign-off)');
      watch.assertClean('deciding');
    } finally {
      await context.close();
    }
  });

  it('a team manager signs it off and reads the dashboard, with its charts, tables and CSV', async () => {
    const { context, page, watch } = await session(TM);
    try {
      await page.goto(`${base}${contactPath}`);
      await checkA11y(page, 'contact (manager, before sign-off)');
      await page.getByRole('radio', { name: 'Yes, sign it off' }).check();
      await page.getByRole('button', { name: 'Record sign-off' }).click();
      await expect(text(page, '.govuk-caption-l')).resolves.toContain('Decided');
      await page.getByRole('radio', { name: 'Good' }).check();
      await page.getByLabel('What was good, or missing?').fill('Clear, with the family’s view');
      await page.getByRole('button', { name: 'Send feedback' }).click();
      await expect(text(page, '.govuk-notification-banner')).resolves.toContain('feedback was sent');
      await checkA11y(page, 'contact (decided)');

      await page.goto(`${base}/front-door/dashboard`);
      await expect(h1(page)).resolves.toBe('MASH dashboard');
      expect(await page.locator('svg.ta-chart[role="img"]').count()).toBe(6);
      const outcomes = page.locator('table', { has: page.locator('caption', { hasText: 'Outcomes' }) });
      await expect(outcomes.getByRole('row', { name: /Early help with a lead professional/ }).getByRole('cell').textContent()).resolves.toBe('1');
      // Declines are counted by agency, beside what was answered.
      const byAgency = (await page.locator('#research-by-agency + table tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      expect(byAgency).toContain('Northbridge Police 1 0 1 0');
      await checkA11y(page, 'dashboard');
      await screenshot(page, 'front-door-dashboard');
      const href = await page.getByRole('link', { name: /Download these contacts/ }).getAttribute('href');
      const csv = await page.request.get(`${base}${href}`);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect(await csv.text()).toContain(`${reference},`);
      await page.locator('#from').fill('2026-12-31');
      await page.locator('#to').fill('2026-01-01');
      await page.getByRole('button', { name: 'Show' }).click();
      await expect(text(page, '.govuk-error-summary')).resolves.toContain('The end date must be on or after the start date');
      await checkA11y(page, 'dashboard with an error');
      watch.assertClean('oversight');
    } finally {
      await context.close();
    }
  });

  it("the police force's MASH officer pastes notifications as CSV (a problem by row and column)", async () => {
    const { context, page, watch } = await session('police.officer@police.northbridge.example');
    try {
      await nav(page, 'MASH research');
      await page.getByRole('link', { name: 'Send police notifications to the hub' }).click();
      await expect(h1(page)).resolves.toBe('Send police notifications to the hub');
      await checkA11y(page, 'police notifications form');
      await page.locator('#csv').fill(
        [
          'reference,officer,categories,summary,person1_role,person1_given_names,person1_family_name,person1_date_of_birth',
          'NBP-B-1,PC Dana Kirby,domestic_abuse,Police called to a domestic incident; a baby present.,child,Isla,Kerr,2025-09-01',
          'NBP-B-2,PC Dana Kirby,arson,Fire set in a stairwell.,child,Finn,Kerr,',
        ].join('\n'),
      );
      await page.getByRole('button', { name: 'Send to the hub' }).click();
      await expect(text(page, '.govuk-notification-banner')).resolves.toContain('1 of 2 notifications taken into the hub’s queue; 1 problem to fix.');
      await expect(page.locator('#refused tbody td').allTextContents()).resolves.toEqual(['3', 'categories', '"arson" is not a category of concern']);
      await checkA11y(page, 'police notifications sent in part');
      watch.assertClean('police notifications');
    } finally {
      await context.close();
    }
  });
});
