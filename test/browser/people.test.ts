import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  browserSkipReason,
  checkA11y,
  launchChromium,
  openPage,
  screenshot,
  signIn,
  signOut,
  startServer,
  type PageWatch,
  type RunningServer,
} from '../support/browser.ts';

const SOCIAL_WORKER = 'social.worker@csc.northbridge.example';
const DSL = 'dsl@hollinlane.northbridge.example';
const IG_LEAD = 'ig.lead@csc.northbridge.example';

/** Invented people with an unusual family name, so that no demo family can be mistaken for them. */
const CHILD = { given: 'Alexandra', family: 'Thistlewood', day: '14', month: '6', year: '2018' };
const MOTHER = { given: 'Grace', family: 'Thistlewood', day: '3', month: '11', year: '1991' };
const BREAK_GLASS_REASON = 'Alexandra arrived at school with an injury and says she cannot go home tonight';

const skip = browserSkipReason();

/**
 * The people journeys in Chromium: a social worker records a child, their involvement and
 * family; a school's safeguarding lead (without JavaScript) finds the child by a nickname
 * with a spelling mistake and sees whom to contact, then uses emergency access; the
 * information-governance lead reviews it. Every page, error states included, is checked with
 * axe-core and watched for CSP violations. The tests share one app and run in order.
 */
describe.skipIf(skip)('people journeys in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let childUrl: string;
  /** The social worker's browser, kept open from the first test to the second. */
  let worker: { context: BrowserContext; page: Page; watch: PageWatch };

  const path = (page: Page) => {
    const u = new URL(page.url());
    return u.pathname + u.search;
  };
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const errorSummary = (page: Page) => page.locator('.govuk-error-summary').textContent();
  const banner = (page: Page) => page.locator('.govuk-notification-banner').textContent();
  const main = (page: Page) => page.locator('main').textContent().then((s) => (s ?? '').replace(/\s+/g, ' '));

  async function fillDate(page: Page, prefix: string, d: { day: string; month: string; year: string }) {
    await page.locator(`#${prefix}-day`).fill(d.day);
    await page.locator(`#${prefix}-month`).fill(d.month);
    await page.locator(`#${prefix}-year`).fill(d.year);
  }

  async function fillPerson(page: Page, p: { given: string; family: string; day: string; month: string; year: string }, sex: 'Female' | 'Male') {
    await page.getByLabel('First and middle names').fill(p.given);
    await page.getByLabel('Last name').fill(p.family);
    await page.getByRole('radio', { name: sex, exact: true }).check();
    await fillDate(page, 'dateOfBirth', p);
    await page.getByRole('radio', { name: 'This is their date of birth' }).check();
  }

  async function session(email: string, options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
    const s = await openPage(browser, options);
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

  it('a social worker adds a child (errors first), is warned of a likely duplicate and records their involvement', async () => {
    worker = await session(SOCIAL_WORKER);
    const { page, watch } = worker;
    await checkA11y(page, 'home page (practitioner)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Find a person' }).click();
    expect(path(page)).toBe('/people/search');
    await checkA11y(page, 'find a person');

    // A search needs a reason.
    await page.getByLabel('Name', { exact: true }).fill(`${CHILD.given} ${CHILD.family}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(errorSummary(page)).resolves.toContain('Say why you are searching');
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(`${CHILD.given} ${CHILD.family}`);
    await checkA11y(page, 'find a person with errors');

    await page.getByLabel('Why are you searching?').fill('New referral from the health visitor: checking whether she is known');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('#results').textContent()).resolves.toContain('0 people found');
    await checkA11y(page, 'find a person, nobody found');

    await page.getByRole('button', { name: 'Add a person' }).click();
    expect(path(page)).toBe('/people/new');
    await checkA11y(page, 'add a person');
    await page.getByLabel('First and middle names').fill(CHILD.given);
    await fillDate(page, 'dateOfBirth', { day: '31', month: '2', year: CHILD.year });
    await page.getByRole('button', { name: 'Add person' }).click();
    const summary = await errorSummary(page);
    expect(summary).toContain('Enter their last name');
    expect(summary).toContain('Date of birth must be a real date');
    await expect(page.getByLabel('First and middle names').inputValue()).resolves.toBe(CHILD.given);
    await expect(page.locator('#dateOfBirth-day').inputValue()).resolves.toBe('31');
    await checkA11y(page, 'add a person with errors');

    await fillPerson(page, CHILD, 'Female');
    await page.getByLabel('Address line 1').fill('12 Mill Lane');
    await page.getByLabel('Town or city (optional)').fill('Northbridge');
    await page.getByLabel('Postcode').fill('nb1 2ab');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect(banner(page)).resolves.toContain(`${CHILD.given} ${CHILD.family} was recorded`);
    await expect(h1(page)).resolves.toBe('Record that your organisation is involved');
    await checkA11y(page, 'record an involvement (after adding a person)');
    childUrl = path(page).replace(/\/involvements\/new$/, '');

    // Adding the same child again: the likely match is shown, and the social worker goes to it.
    await page.goto(`${base}/people/new`);
    await fillPerson(page, CHILD, 'Female');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect(h1(page)).resolves.toBe('Check this is not someone already recorded');
    await expect(main(page)).resolves.toContain('same date of birth');
    await checkA11y(page, 'likely matches');
    await screenshot(page, 'likely-matches');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(errorSummary(page)).resolves.toContain('Select the person you meant');
    await checkA11y(page, 'likely matches with an error');
    await page.getByRole('radio', { name: new RegExp(`^${CHILD.given} ${CHILD.family}, 14 June 2018`) }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(path(page)).toBe(childUrl);

    // Whoever recorded someone keeps their record open for a while (no case content); an involvement makes it a working relationship.
    await expect(h1(page)).resolves.toContain(CHILD.family);
    await expect(page.locator('.ta-basis').textContent()).resolves.toContain('you recorded this person recently');
    await checkA11y(page, 'person page (recorded by you)');
    await page.getByRole('link', { name: 'Record that your organisation is involved' }).first().click();
    await page.getByLabel('Role').selectOption({ label: 'Allocated social worker' });
    await fillDate(page, 'startDate', { day: '1', month: '13', year: '2026' });
    await page.getByRole('button', { name: 'Record involvement' }).click();
    await expect(errorSummary(page)).resolves.toContain('The start date must be a real date');
    await expect(page.getByLabel('Role').inputValue()).resolves.not.toBe('');
    await checkA11y(page, 'record an involvement with errors');
    await fillDate(page, 'startDate', { day: '2', month: '1', year: '2026' });
    await page.getByRole('button', { name: 'Record involvement' }).click();
    expect(path(page)).toBe(childUrl);
    await expect(banner(page)).resolves.toContain('involvement was recorded');
    const involved = page.locator('table.ta-involvements').first();
    await expect(involved.textContent()).resolves.toContain('Kofi Mensah');
    await expect(involved.textContent()).resolves.toContain('01632 960 005');
    await expect(page.locator('.ta-basis').textContent()).resolves.toContain('because you or your team work with this person');
    await checkA11y(page, 'person page (working with them)');
    watch.assertClean('adding a child');
  });

  it('the social worker records the child’s mother, sees the family tree and its text, and adds an address', async () => {
    const { context, page, watch } = worker;
    try {
      await page.goto(`${base}/people/new`);
      await fillPerson(page, MOTHER, 'Female');
      await page.getByRole('button', { name: 'Add person' }).click();
      await expect(banner(page)).resolves.toContain(`${MOTHER.given} ${MOTHER.family} was recorded`);

      await page.goto(`${base}${childUrl}`);
      await page.getByRole('link', { name: 'Record a relationship' }).click();
      await checkA11y(page, 'record a relationship');
      await page.getByLabel('Their name').fill(`${MOTHER.given} ${MOTHER.family}`);
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(errorSummary(page)).resolves.toContain('Say why you are searching');
      await checkA11y(page, 'record a relationship: search with errors');
      await page.getByLabel('Why are you searching?').fill('Recording Alexandra’s mother');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByRole('radio', { name: `${MOTHER.given} ${MOTHER.family}` }).isVisible()).resolves.toBe(true);
      await checkA11y(page, 'record a relationship: people found');
      await page.getByRole('button', { name: 'Record relationship' }).click();
      const errors = await errorSummary(page);
      expect(errors).toContain('Choose the person they are related to');
      await checkA11y(page, 'record a relationship with errors');
      await page.getByRole('radio', { name: `${MOTHER.given} ${MOTHER.family}` }).check();
      await page.getByLabel(`What is ${CHILD.given} to them?`).selectOption('child');
      await page.getByRole('button', { name: 'Record relationship' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(banner(page)).resolves.toContain('relationship was recorded');

      const family = page.locator('#family ~ table').first();
      await expect(family.textContent()).resolves.toContain(`${MOTHER.given} ${MOTHER.family}`);
      await expect(family.textContent()).resolves.toContain('Parent');
      const tree = page.locator('figure.ta-family-tree svg');
      await expect(tree.count()).resolves.toBe(1);
      await expect(tree.textContent()).resolves.toContain(MOTHER.given);
      await page.getByText('Family tree as text').click();
      const text = await page.locator('.govuk-details').textContent();
      expect(text).toContain(MOTHER.given);
      expect(text).toContain(CHILD.given);
      await checkA11y(page, 'person page with family tree, text shown');
      await screenshot(page, 'person-family-tree');

      await page.getByRole('link', { name: 'Add an address' }).click();
      await checkA11y(page, 'add an address');
      await page.getByLabel('Postcode').fill('not a postcode');
      await page.getByRole('button', { name: 'Add address' }).click();
      await expect(errorSummary(page)).resolves.toContain('Enter the first line of the address');
      await expect(page.getByLabel('Postcode').inputValue()).resolves.toBe('not a postcode');
      await checkA11y(page, 'add an address with errors');
      await page.getByLabel('Address line 1').fill('Flat 3, 40 Canal Street');
      await page.getByLabel('Postcode').fill('NB2 7QT');
      await fillDate(page, 'fromDate', { day: '1', month: '3', year: '2026' });
      await page.getByRole('button', { name: 'Add address' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(page.locator('#addresses + table').textContent()).resolves.toContain('Flat 3, 40 Canal Street');
      await checkA11y(page, 'person page with a second address');

      // A household at the child's current address, with her mother: errors first.
      await page.getByRole('link', { name: 'Record a household' }).first().click();
      await expect(h1(page)).resolves.toBe('Record a household');
      await checkA11y(page, 'record a household');
      await expect(page.getByRole('radio', { name: /current address/ }).isChecked()).resolves.toBe(true);
      await page.getByRole('checkbox', { name: `${MOTHER.given} ${MOTHER.family}` }).check();
      await fillDate(page, 'fromDate', { day: '1', month: '3', year: '2999' });
      await page.getByRole('button', { name: 'Record household' }).click();
      await expect(errorSummary(page)).resolves.toContain('The date they started living together must be today or earlier');
      await expect(page.getByRole('checkbox', { name: `${MOTHER.given} ${MOTHER.family}` }).isChecked()).resolves.toBe(true);
      await checkA11y(page, 'record a household with errors');
      await fillDate(page, 'fromDate', { day: '1', month: '3', year: '2026' });
      await page.getByRole('button', { name: 'Record household' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(banner(page)).resolves.toContain('The household was recorded');
      const household = page.locator('#households ~ .govuk-summary-card').first();
      await expect(household.textContent()).resolves.toContain('Flat 3, 40 Canal Street');
      await expect(household.textContent()).resolves.toContain(`${MOTHER.given} ${MOTHER.family}`);
      await expect(household.textContent()).resolves.toContain('From 1 March 2026, lives here now');
      await page.getByText('Family tree as text').click();
      await expect(page.locator('.govuk-details').textContent()).resolves.toContain('same household');
      await checkA11y(page, 'person page with a household');
      await screenshot(page, 'person-household');

      // The mother moves out: the date she left is checked against the date she moved in.
      await household.getByRole('link', { name: `Record that they left (${MOTHER.given} ${MOTHER.family})` }).click();
      await expect(h1(page)).resolves.toBe('Record that someone left the household');
      await checkA11y(page, 'record someone leaving a household');
      await fillDate(page, 'toDate', { day: '1', month: '2', year: '2026' });
      await page.getByRole('button', { name: 'Record that they left' }).click();
      await expect(errorSummary(page)).resolves.toContain('The date they left must be on or after the date they moved in, 1 March 2026');
      await checkA11y(page, 'record someone leaving a household with errors');
      const now = new Date();
      await fillDate(page, 'toDate', { day: String(now.getUTCDate()), month: String(now.getUTCMonth() + 1), year: String(now.getUTCFullYear()) });
      await page.getByRole('button', { name: 'Record that they left' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(banner(page)).resolves.toContain('left the household');
      await expect(page.locator('#households ~ .govuk-summary-card').first().textContent()).resolves.toMatch(/From 1 March 2026 to \d+ \w+ \d{4}/);

      // And comes back: chosen from the family, no person chosen first.
      await page.getByRole('link', { name: /^Add someone/ }).first().click();
      await expect(h1(page)).resolves.toBe('Add someone to the household');
      await checkA11y(page, 'add someone to a household');
      await page.getByRole('button', { name: 'Add to household' }).click();
      await expect(errorSummary(page)).resolves.toContain('Choose the person who lives here');
      await checkA11y(page, 'add someone to a household with errors');
      await page.getByRole('radio', { name: `${MOTHER.given} ${MOTHER.family}` }).check();
      await page.getByRole('button', { name: 'Add to household' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(banner(page)).resolves.toContain('added to the household');
      await expect(page.locator('#households ~ .govuk-summary-card').first().textContent()).resolves.toContain('start date not recorded, lives here now');
      await checkA11y(page, 'person page, household history');
      await signOut(page, base);
      watch.assertClean('family and address');
    } finally {
      await context.close();
    }
  });

  it('a school’s safeguarding lead, without JavaScript, finds the child by nickname and a misspelling and sees whom to contact', async () => {
    const { context, page, watch } = await session(DSL, { javaScriptEnabled: false });
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Find a person' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Lexi Thistlewod');
      await fillDate(page, 'dateOfBirth', CHILD);
      await page.getByLabel('Why are you searching?').fill('Disclosure in class today: need to speak to her social worker');
      await page.getByRole('button', { name: 'Search' }).click();
      const results = page.locator('table.ta-results');
      const row = results.getByRole('row').filter({ hasText: `${CHILD.given} ${CHILD.family}` });
      await expect(row.textContent()).resolves.toContain('Kofi Mensah');
      await expect(row.textContent()).resolves.toContain('01632 960 005');
      await expect(row.textContent()).resolves.toContain('social.worker@csc.northbridge.example');
      await expect(row.textContent()).resolves.toContain('Contact details only');
      await expect(row.textContent()).resolves.toContain('Same date of birth');
      await checkA11y(page, 'find a person, results (no JavaScript)');
      await screenshot(page, 'people-search-results');

      await row.getByRole('link', { name: `${CHILD.given} ${CHILD.family}` }).click();
      expect(path(page)).toMatch(new RegExp(`^${childUrl}\\?reason=`));
      const basis = await page.locator('.ta-basis').textContent();
      expect(basis).toContain('only what you need to contact the practitioners who do');
      expect(basis).toContain('Addresses:');
      await expect(main(page)).resolves.toContain('Withheld:');
      await expect(main(page)).resolves.not.toContain('12 Mill Lane');
      await expect(page.locator('table.ta-involvements').textContent()).resolves.toContain('Kofi Mensah');
      await checkA11y(page, 'person page, contact details only (no JavaScript)');
      await screenshot(page, 'person-contact-minimum');

      await page.getByRole('link', { name: 'Emergency access (break-glass)' }).click();
      await checkA11y(page, 'emergency access');
      await page.getByLabel('Why do you need emergency access?').fill('Urgent');
      await page.getByRole('button', { name: 'Use emergency access' }).click();
      const bgErrors = await errorSummary(page);
      expect(bgErrors).toContain('at least 20 characters');
      expect(bgErrors).toContain('Confirm that you understand');
      await checkA11y(page, 'emergency access with errors');
      await page.getByLabel('Why do you need emergency access?').fill(BREAK_GLASS_REASON);
      await page.getByRole('checkbox', { name: /I understand/ }).check();
      await page.getByRole('button', { name: 'Use emergency access' }).click();
      expect(path(page)).toBe(childUrl);
      await expect(banner(page)).resolves.toContain('You have emergency access to this record until');
      await expect(page.locator('.ta-basis').textContent()).resolves.toContain('because you are using emergency access');
      await expect(page.locator('#addresses + table').textContent()).resolves.toContain('12 Mill Lane');
      await checkA11y(page, 'person page under emergency access (no JavaScript)');

      // A demo child the safeguarding lead works with, who lives with her shielded mother and brother: they, and the
      // household's address, are withheld in the household (the lead works with neither of them).
      const ruby = await t.services.repositories.people.db
        .selectFrom('person_name')
        .select('subject_id')
        .where('given_names', '=', 'Ruby')
        .where('family_name', '=', 'Bentley')
        .executeTakeFirstOrThrow();
      await page.goto(`${base}/people/${ruby.subject_id}`);
      const refuge = page.locator('#households ~ .govuk-summary-card').filter({ hasText: 'Emergency accommodation' });
      const refugeText = (await refuge.textContent()) ?? '';
      expect(refugeText.match(/Withheld:/g)).toHaveLength(3);
      expect(refugeText).toContain('Someone who lives here is shielded');
      for (const secret of ['Orchard Court', 'Leanne', 'Alfie']) expect(refugeText).not.toContain(secret);
      await checkA11y(page, 'person page with withheld household members (no JavaScript)');
      await signOut(page, base);
      watch.assertClean('safeguarding lead');
    } finally {
      await context.close();
    }
  });

  it('the information-governance lead is told, reviews the emergency access and sees who viewed the record', async () => {
    const { context, page, watch } = await session(IG_LEAD);
    try {
      await expect(page.locator('.ta-notifications').textContent()).resolves.toContain('used emergency access');
      await checkA11y(page, 'home page with a notification (IG lead)');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access reviews' }).click();
      expect(path(page)).toBe('/access-reviews');
      const card = page.locator('.ta-review').filter({ hasText: BREAK_GLASS_REASON });
      await expect(card.textContent()).resolves.toContain('Mark Oduya');
      await checkA11y(page, 'access reviews');
      await screenshot(page, 'access-reviews');

      await card.getByRole('radio', { name: 'Not justified' }).check();
      await card.getByRole('button', { name: 'Record review' }).click();
      await expect(errorSummary(page)).resolves.toContain('Say why the access was not justified');
      await checkA11y(page, 'access reviews with an error');

      await card.getByRole('radio', { name: 'Justified', exact: true }).check();
      await card.getByLabel(/Note/).fill('Spoke to the DSL: an injury and a disclosure, access was needed');
      await card.getByRole('button', { name: 'Record review' }).click();
      await expect(banner(page)).resolves.toContain('recorded as justified');
      await expect(page.locator('.ta-review').count()).resolves.toBe(0);
      const reviewed = page.locator('table').filter({ hasText: BREAK_GLASS_REASON });
      await expect(reviewed.textContent()).resolves.toContain('Justified');
      await checkA11y(page, 'access reviews, reviewed');

      await reviewed.getByRole('link', { name: /Who viewed this record/ }).first().click();
      expect(path(page)).toBe(`${childUrl}/access-history`);
      const history = await page.locator('table.ta-access-history').textContent();
      expect(history).toContain('Used emergency access');
      expect(history).toContain(DSL);
      expect(history).toContain('Hollin Lane Primary School');
      expect(history).toContain(BREAK_GLASS_REASON);
      expect(history).toContain('Viewed the record');
      await expect(page.locator('svg.ta-chart[role="img"]').count()).resolves.toBe(1);
      await checkA11y(page, 'who viewed this record');
      await screenshot(page, 'access-history');
      watch.assertClean('access review');
    } finally {
      await context.close();
    }
  });
});
