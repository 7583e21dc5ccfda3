import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/cli/commands.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { browserSkipReason, checkA11y, launchChromium, openPage, signIn, startServer, type RunningServer } from '../support/browser.ts';

const skip = browserSkipReason();
const ctx = { requestId: 'linking-browser-test', ip: '127.0.0.1' };

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

/**
 * The link review pages in Chromium: a police reviewer sees the queue, opens an uncertain pair with
 * each field's contribution and rejects it. axe-core runs on every page, and the page watch checks
 * for CSP violations. (The page's two buttons each carry the decision, so it has no error state.)
 */
describe.skipIf(skip)('link review in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let created: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    server = await startServer(t);
    const police = (await t.services.auth.authenticateApiToken((await t.services.auth.createApiToken('police.officer@police.northbridge.example', { by: CLI_ACTOR })).token)) as Principal;
    const sw = await t.services.repositories.users.findByEmail('social.worker@csc.northbridge.example');
    const socialWorker = (await t.services.auth.principal(sw!.id, 'password'))!;
    await t.services.people.create(socialWorker, { givenNames: 'Barnaby', familyName: 'Wetherspoonle', sex: 'male', dateOfBirth: '2016-07-01', dobPrecision: 'exact' }, ctx);
    const feed = await t.services.feeds.create(police, {
      name: 'Custody records',
      kind: 'people',
      format: 'csv',
      mapping: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born' }, dateFormat: 'YYYY-MM-DD' },
    });
    const imported = await t.services.feeds.import(police, feed, text('Ref,First,Last,Born\r\nB1,Barnaby,Wetherspoonle,2016-07-01\r\n'));
    await t.services.linking.run(police, police.organisationId, ctx, { runId: imported.runId });
    const second = await t.services.feeds.import(police, feed, text('Ref,First,Last,Born\r\nB2,Ottoline,Quarrendon,2012-02-29\r\n'));
    const made = await t.services.linking.run(police, police.organisationId, ctx, { runId: second.runId, createPeople: true });
    created = made.created[0]!.subjectId;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('shows the queue and a pair with each field’s contribution, and takes a decision', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await signIn(page, server.baseUrl, t, 'police.officer@police.northbridge.example', { a11y: false });
      await page.goto(`${server.baseUrl}/linking`);
      expect(await page.locator('main').textContent()).toContain('1 pair waiting for review');
      await checkA11y(page, 'link review queue');
      await page.locator('a[href^="/linking/reviews/"]').first().click();
      expect(await page.locator('main').textContent()).toContain('Barnaby Wetherspoonle');
      await checkA11y(page, 'link review pair');
      await page.getByRole('button', { name: 'Reject: not the same person' }).click();
      await page.waitForURL(/\/linking$/);
      expect(await page.locator('main').textContent()).toContain('No pairs are waiting for review');
      await checkA11y(page, 'link review queue (empty)');
      watch.assertClean('link review');
    } finally {
      await context.close();
    }
  });

  it('lists a person’s linked records and undoes a wrong link with a reason, errors first', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await signIn(page, server.baseUrl, t, 'police.officer@police.northbridge.example', { a11y: false });
      await page.goto(`${server.baseUrl}/people/${created}/linked-records`);
      const main = page.locator('main');
      expect(await main.textContent()).toContain('Recorded as a new person from this record');
      await checkA11y(page, 'linked records');
      await page.getByRole('link', { name: /Undo/ }).click();
      await checkA11y(page, 'undo a link');
      await page.getByRole('button', { name: 'Undo the link' }).click();
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter why the link is wrong');
      await checkA11y(page, 'undo a link (error)');
      await page.getByLabel('Why is the link wrong?').fill('Two different girls share this name');
      await page.getByRole('button', { name: 'Undo the link' }).click();
      await page.waitForURL(/\/linked-records$/);
      expect(await main.textContent()).toContain('Two different girls share this name');
      await checkA11y(page, 'linked records (undone)');
      watch.assertClean('linked records');
    } finally {
      await context.close();
    }
  });
});
