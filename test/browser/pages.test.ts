import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  axeViolations,
  browserSkipReason,
  checkA11y,
  launchChromium,
  openPage,
  screenshot,
  signIn,
  signOut,
  startServer,
  type RunningServer,
} from '../support/browser.ts';

const ADMIN = 'admin@csc.northbridge.example';
const PRACTITIONER = 'social.worker@csc.northbridge.example';

const skip = browserSkipReason();

describe.skipIf(skip)('the browser checks themselves, pages without JavaScript, and the error pages', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;

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

  it('the axe check finds violations, with and without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { context, page } = await openPage(browser, { javaScriptEnabled });
      try {
        await page.setContent('<html><title>Broken</title><body><img src="data:,"><p style="color:#ccc">Faint</p></body></html>');
        const ids = (await axeViolations(page)).map((v) => v.id);
        expect(ids).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt', 'color-contrast']));
      } finally {
        await context.close();
      }
    }
  });

  it('the page watch reports a script the Content-Security-Policy blocks', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await page.goto(`${base}/sign-in`);
      expect(watch.problems).toEqual([]);
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'document.title = "changed"';
        document.body.append(script);
      });
      await expect.poll(() => watch.problems.join('\n')).toMatch(/Content Security Policy|CSP violation/);
      await expect(page.title()).resolves.not.toBe('changed');
    } finally {
      await context.close();
    }
  });

  it('signs in and submits a form with JavaScript disabled', async () => {
    const { context, page, watch } = await openPage(browser, { javaScriptEnabled: false });
    try {
      await page.goto(`${base}/sign-in`);
      // With no JavaScript, /public/app.js never marks the page as enhanced.
      await expect(page.locator('body').getAttribute('class')).resolves.not.toContain('js-enabled');
      await screenshot(page, 'sign-in-without-javascript');
      await signIn(page, base, t, ADMIN);
      await checkA11y(page, 'home page without JavaScript');

      await page.goto(`${base}/admin/organisations/new`);
      await page.getByLabel('Name', { exact: true }).fill('Northbridge Early Years Centre');
      await page.getByLabel('Type').selectOption({ label: 'Early years setting (Ofsted URN)' });
      await page.getByLabel('Official code').fill('EY99990');
      await page.getByRole('button', { name: 'Save' }).click();
      // Without JavaScript the error summary is not focused, but it is there and links to the field.
      const summary = page.locator('.govuk-error-summary');
      await expect(summary.isVisible()).resolves.toBe(true);
      await checkA11y(page, 'add an organisation with errors, without JavaScript');
      await page.getByLabel('Official code').fill('EY999901');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Northbridge Early Years Centre was added');
      await checkA11y(page, 'organisation page without JavaScript');

      // A GET form works too.
      await page.goto(`${base}/admin/practitioners`);
      await page.getByLabel('Status').selectOption('invited');
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(new URL(page.url()).searchParams.get('status')).toBe('invited');

      await signOut(page, base);
      watch.assertClean('without JavaScript');
    } finally {
      await context.close();
    }
  });

  it('shows an accessible 403 page to a practitioner visiting the admin pages, and a 404 page', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await signIn(page, base, t, PRACTITIONER, { a11y: false });
      const forbidden = await page.goto(`${base}/admin/organisations`);
      expect(forbidden?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You do not have access');
      await checkA11y(page, '403 page');
      // A practitioner's navigation offers nothing they cannot use.
      const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      expect(links.map((l) => l.trim())).toEqual(['Home', 'Service directory', 'Find a person', 'Shared with you', 'Early help', 'Refer a concern']);

      const missing = await page.goto(`${base}/no-such-page`);
      expect(missing?.status()).toBe(404);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
      await checkA11y(page, '404 page (signed in)');
      watch.assertClean('error pages');
    } finally {
      await context.close();
    }
    const anonymous = await openPage(browser);
    try {
      const missing = await anonymous.page.goto(`${base}/nothing-here`);
      expect(missing?.status()).toBe(404);
      await checkA11y(anonymous.page, '404 page (signed out)');
      anonymous.watch.assertClean('404 signed out');
    } finally {
      await anonymous.context.close();
    }
  });
});
