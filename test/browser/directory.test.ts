import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, checkA11y, launchChromium, openPage, screenshot, signIn, startServer, type RunningServer } from '../support/browser.ts';

const skip = browserSkipReason();

/**
 * The service directory in Chromium: a family searches without signing in and without
 * JavaScript (words, postcode and distance, age), gets an error for an unknown postcode, opens a
 * service page; a practitioner sees the practitioner view and refers someone with the family's
 * consent; the provider proposes a change and the administrator approves it. Every page is checked
 * with axe-core (WCAG 2.2 AA) and watched for CSP violations.
 */
describe.skipIf(skip)('the service directory in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());

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

  it('lets a family search by postcode and age, without signing in and without JavaScript', async () => {
    const { context, page, watch } = await openPage(browser, { javaScriptEnabled: false });
    try {
      await page.goto(`${base}/directory`);
      await expect(h1(page)).resolves.toBe('Find help and services near you');
      await checkA11y(page, 'directory search');
      await page.getByLabel('Your postcode').fill('NB99 9ZZ');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('We do not know where NB99 9ZZ is');
      await checkA11y(page, 'directory search with an error');
      await page.getByLabel('Your postcode').fill('NB1 2AB');
      await page.getByLabel('How far can you travel?').selectOption('1');
      await page.getByLabel('Age of the person who needs help').fill('2');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByRole('heading', { level: 2, name: /services? found near NB1 2AB/ }).textContent()).resolves.toMatch(/^2 services found/);
      await checkA11y(page, 'directory results');
      await screenshot(page, 'directory-results');
      await page.getByRole('link', { name: 'Baby Clinic' }).click();
      await expect(h1(page)).resolves.toBe('Baby Clinic');
      await expect(page.getByRole('heading', { name: 'How to get help' }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('For practitioners').count()).resolves.toBe(0);
      await checkA11y(page, 'service page (public)');
      await page.goto(`${base}/directory/export`);
      await checkA11y(page, 'directory download');
      watch.assertClean('family search');
    } finally {
      await context.close();
    }
  });

  it('lets a practitioner refer someone with the family\'s consent, and the provider change its entry for approval', async () => {
    const sw = await openPage(browser);
    try {
      const { page, watch } = sw;
      await signIn(page, base, t, 'social.worker@csc.northbridge.example', { a11y: false });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service directory' }).click();
      await page.getByLabel('What help are you looking for?').fill('family support');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'Family Support at Home' }).click();
      await expect(page.getByText('Referral procedure').isVisible()).resolves.toBe(true);
      await checkA11y(page, 'service page (practitioner)');
      await page.getByRole('button', { name: 'Refer someone to this service' }).click();
      await expect(h1(page)).resolves.toBe('Refer someone to Family Support at Home');
      await checkA11y(page, 'refer');
      await page.getByRole('button', { name: 'Record the answer and refer' }).click();
      await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Choose the person you are referring');
      await checkA11y(page, 'refer with errors');
      await page.getByLabel('Who are you referring?').selectOption({ index: 1 });
      await page.getByLabel('Why are you referring them?').fill('The family asked for help with routines at home.');
      await page.getByLabel('Yes, they agreed').check();
      await page.getByLabel('Someone with parental responsibility', { exact: true }).check();
      await page.getByLabel('They told me').check();
      await page.getByRole('button', { name: 'Record the answer and refer' }).click();
      // Someone with parental responsibility answered: the form asks who.
      await expect(page.locator('.govuk-error-summary').textContent()).resolves.toMatch(/name|who/i);
      await page.getByLabel('Their name (if not the person)').fill('Their mother');
      await page.getByRole('button', { name: 'Record the answer and refer' }).click();
      await expect(h1(page)).resolves.toBe('Service referrals');
      await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Referral sent');
      await checkA11y(page, 'referrals');
      watch.assertClean('referral');
    } finally {
      await sw.context.close();
    }

    const provider = await openPage(browser);
    try {
      const { page, watch } = provider;
      await signIn(page, base, t, 'family.support@familysupport.northbridge.example', { a11y: false });
      await page.goto(`${base}/directory/referrals`);
      await page.getByRole('link', { name: /Open/ }).first().click();
      await expect(h1(page)).resolves.toBe('Referral to Family Support at Home');
      await checkA11y(page, 'referral received');
      await page.goto(`${base}/directory/manage`);
      await checkA11y(page, 'directory entries (provider)');
      await page.getByRole('link', { name: 'Change Family Support at Home' }).click();
      await page.getByLabel('Oldest age (years)').fill('2');
      await page.getByLabel('Youngest age (years)').fill('9');
      await page.getByRole('button', { name: 'Send for approval' }).click();
      await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('The oldest age must be the same as or more than the youngest age');
      await checkA11y(page, 'change an entry with errors');
      await page.getByLabel('Oldest age (years)').fill('19');
      await page.getByRole('button', { name: 'Send for approval' }).click();
      await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Change sent for approval');
      watch.assertClean('provider change');
    } finally {
      await provider.context.close();
    }

    const admin = await openPage(browser);
    try {
      const { page, watch } = admin;
      await signIn(page, base, t, 'admin@csc.northbridge.example', { a11y: false });
      await page.goto(`${base}/directory/manage`);
      await page.getByRole('link', { name: 'Family Support at Home' }).first().click();
      await checkA11y(page, 'approve a change');
      await page.getByRole('button', { name: 'Approve and publish' }).click();
      await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Change approved');
      await page.goto(`${base}/directory/admin/stale`);
      await checkA11y(page, 'out-of-date entries');
      await page.goto(`${base}/directory/admin/import`);
      await checkA11y(page, 'import directory data');
      await page.goto(`${base}/directory/admin/postcodes`);
      await checkA11y(page, 'import postcode centroids');
      watch.assertClean('administration');
    } finally {
      await admin.context.close();
    }
    const res = await fetch(`${base}/api/oruk/services?search=family%20support`);
    const body = (await res.json()) as { contents: Array<{ name: string; minimum_age: number; maximum_age: number }> };
    expect(body.contents.find((s) => s.name === 'Family Support at Home')).toMatchObject({ minimum_age: 9, maximum_age: 19 });
  });
});
