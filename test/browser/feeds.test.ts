import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, checkA11y, launchChromium, openPage, screenshot, signIn, startServer, type RunningServer } from '../support/browser.ts';

const skip = browserSkipReason();

/**
 * Data feeds in Chromium: a team manager creates a feed (getting an error first), uploads a CSV
 * through the enhanced form (XMLHttpRequest with a progress bar) and lands on the run's page with
 * its counts and the refused rows' download. Every page is checked with axe-core and for CSP violations.
 */
describe.skipIf(skip)('data feeds in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    server = await startServer(t);
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'ta-feed-browser-'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a feed, uploads a file with a progress bar, and shows the run', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await signIn(page, server.baseUrl, t, 'team.manager@csc.northbridge.example', { a11y: false });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data feeds' }).click();
      await checkA11y(page, 'data feeds');
      await page.getByRole('button', { name: 'Create a feed' }).click();
      await checkA11y(page, 'create a feed');
      await page.locator('#name').fill('Nursery list');
      await page.getByLabel('People', { exact: true }).check();
      await page.getByRole('button', { name: 'Create feed' }).click();
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('Name the column that holds record id');
      await checkA11y(page, 'create a feed (errors)');
      await page.locator('#sourceRecordId').fill('ID');
      await page.locator('#givenNames').fill('First');
      await page.locator('#familyName').fill('Last');
      await page.locator('#dateOfBirth').fill('DOB');
      await page.getByRole('button', { name: 'Create feed' }).click();
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Nursery list');
      await checkA11y(page, 'feed page');

      const file = nodePath.join(dir, 'nursery.csv');
      fs.writeFileSync(file, 'ID,First,Last,DOB\n1,Ada,Jones,2021-04-01\n2,Bo,Jones,2021-02-30\n');
      await page.locator('#file').setInputFiles(file);
      await page.getByRole('button', { name: 'Upload and import' }).click();
      await page.waitForURL(/\/feeds\/[0-9a-f-]+\/runs\/[0-9a-f-]+$/);
      expect(await page.locator('[data-run-text]').textContent()).toContain('Completed: 2 rows read (100% of the file), 1 accepted, 1 refused.');
      expect(await page.getByRole('link', { name: /Download the refused rows/ }).count()).toBe(1);
      await checkA11y(page, 'import run');
      await screenshot(page, 'feed-run');
      watch.assertClean('data feeds');
    } finally {
      await context.close();
    }
  });
});
