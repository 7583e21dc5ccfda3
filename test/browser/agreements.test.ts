import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIgLead } from '../support/agreements.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  browserSkipReason,
  checkA11y,
  launchChromium,
  openPage,
  screenshot,
  signIn,
  startServer,
  type PageWatch,
  type RunningServer,
} from '../support/browser.ts';

const IG_CSC = 'ig.lead@csc.northbridge.example';
const IG_POLICE = 'ig.lead@police.northbridge.example';
const IG_NHS = 'ig.lead@nhs.northbridge.example';
const CSC = "Northbridge Children's Services";
const POLICE = 'Northbridge Police';
const NHS = 'Northbridge Community Health NHS Trust';
const REFERENCE = 'NB-ISA-020';

const skip = browserSkipReason();

/**
 * Information sharing agreements in Chromium: children's services' IG lead reads the register
 * (with its reviews due) and adds an agreement with the police and the health trust, getting an
 * error first; each party's IG lead signs it for their organisation; the last makes it active.
 * Every page is checked with axe-core and watched for CSP violations.
 */
describe.skipIf(skip)('information sharing agreements in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let agreementPath: string;

  const path = (page: Page) => new URL(page.url()).pathname;
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const errorSummary = (page: Page) => page.locator('.govuk-error-summary').textContent();
  const banner = (page: Page) => page.locator('.govuk-notification-banner').textContent();
  const text = (page: Page, selector: string) => page.locator(selector).textContent().then((s) => (s ?? '').replace(/\s+/g, ' ').trim());
  const partyStatus = (page: Page, org: string) =>
    page.locator('.govuk-task-list__item', { hasText: org }).locator('.govuk-task-list__status').textContent().then((s) => (s ?? '').trim());

  async function fillDate(page: Page, prefix: string, d: { day: string; month: string; year: string }) {
    await page.locator(`#${prefix}-day`).fill(d.day);
    await page.locator(`#${prefix}-month`).fill(d.month);
    await page.locator(`#${prefix}-year`).fill(d.year);
  }

  async function session(email: string): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
    const s = await openPage(browser);
    await signIn(s.page, base, t, email, { a11y: false });
    return s;
  }

  /** A party's IG lead opens the agreement and signs it for their organisation. */
  async function signAs(email: string, org: string, signatory: { name: string; role: string }, label: string) {
    const { context, page, watch } = await session(email);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sharing agreements' }).click();
      await page.getByRole('link', { name: new RegExp(`^${REFERENCE}`) }).first().click();
      expect(path(page)).toBe(agreementPath);
      await expect(partyStatus(page, org)).resolves.toBe('Not signed yet');
      await checkA11y(page, `agreement page (${label}, before signing)`);
      await page.getByRole('button', { name: `Sign for ${org}` }).click();
      await expect(h1(page)).resolves.toBe(`Sign for ${org}`);
      await checkA11y(page, `sign (${label})`);
      await page.getByLabel('Name of the person signing').fill(signatory.name);
      await page.getByLabel('Their role').fill(signatory.role);
      await page.getByRole('button', { name: 'Sign the agreement' }).click();
      expect(path(page)).toBe(agreementPath);
      await expect(banner(page)).resolves.toContain(`You signed ${REFERENCE} for ${org}`);
      await expect(partyStatus(page, org)).resolves.toBe('Signed');
      await expect(text(page, '.govuk-task-list')).resolves.toContain(`Signed by ${signatory.name}, ${signatory.role}`);
      await checkA11y(page, `agreement page (${label}, signed)`);
      watch.assertClean(`signing by ${label}`);
      return { context, page, watch };
    } catch (err) {
      await context.close();
      throw err;
    }
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    await addIgLead(t, POLICE, IG_POLICE, 'Claire Whitlow');
    await addIgLead(t, NHS, IG_NHS, 'Priya Nair');
    server = await startServer(t);
    base = server.baseUrl;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('children’s services’ IG lead reads the register and adds an agreement (an error first)', async () => {
    const { context, page, watch } = await session(IG_CSC);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sharing agreements' }).click();
      expect(path(page)).toBe('/agreements');
      await expect(h1(page)).resolves.toBe('Information sharing agreements');
      // The early help agreement's review is due in 12 days.
      const due = await text(page, 'table.ta-reviews-due');
      expect(due).toContain('NB-ISA-002');
      expect(due).toContain('12 days left');
      const register = await text(page, 'table.ta-register');
      for (const ref of ['NB-ISA-001', 'NB-ISA-002', 'NB-ISA-003']) expect(register).toContain(ref);
      await checkA11y(page, 'agreement register');
      await screenshot(page, 'agreement-register');

      await page.getByLabel('Status').selectOption('draft');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const drafts = await text(page, 'table.ta-register');
      expect(drafts).toContain('NB-ISA-003');
      expect(drafts).not.toContain('NB-ISA-001');
      expect(new URL(page.url()).searchParams.get('status')).toBe('draft');
      await checkA11y(page, 'agreement register, drafts only');

      await page.getByRole('button', { name: 'Add an agreement' }).click();
      expect(path(page)).toBe('/agreements/new');
      await checkA11y(page, 'add an agreement');
      // Their own organisation is already chosen.
      await expect(page.getByRole('checkbox', { name: CSC, exact: true }).isChecked()).resolves.toBe(true);
      await page.getByLabel('Reference').fill(REFERENCE);
      await page.getByLabel('Title').fill('Keeping staff safe on home visits');
      await page.getByRole('checkbox', { name: POLICE, exact: true }).check();
      await page.getByLabel(`Who will sign for ${POLICE} (optional)`).fill('Claire Whitlow');
      await page.getByRole('checkbox', { name: NHS, exact: true }).check();
      await page.getByRole('checkbox', { name: 'Keeping staff and others safe' }).check();
      await page.getByRole('checkbox', { name: 'UK GDPR article 6(1)(e): public task' }).check();
      for (const c of ['Identity', 'Police', 'Health']) await page.getByRole('checkbox', { name: c, exact: true }).check();
      await page.getByLabel('Retention').fill('Kept for 2 years after the last visit warning, then destroyed');
      await fillDate(page, 'startDate', { day: '1', month: '4', year: '2026' });
      await fillDate(page, 'reviewDate', { day: '31', month: '2', year: '2027' });
      await page.getByRole('button', { name: 'Add agreement' }).click();

      const errors = await errorSummary(page);
      expect(errors).toContain('The review date must be a real date');
      await expect(page.getByLabel('Reference').inputValue()).resolves.toBe(REFERENCE);
      await expect(page.getByRole('checkbox', { name: POLICE, exact: true }).isChecked()).resolves.toBe(true);
      await expect(page.getByLabel(`Who will sign for ${POLICE} (optional)`).inputValue()).resolves.toBe('Claire Whitlow');
      await checkA11y(page, 'add an agreement with errors');
      await screenshot(page, 'agreement-errors');

      // A real date, but health and police information need their own legal conditions.
      await fillDate(page, 'reviewDate', { day: '1', month: '4', year: '2027' });
      await page.getByRole('button', { name: 'Add agreement' }).click();
      await expect(errorSummary(page)).resolves.toContain('Health information is special category data: choose a UK GDPR article 9 condition too');
      await checkA11y(page, 'add an agreement with a legal basis error');
      await page.getByRole('link', { name: /article 9 condition/ }).click();
      await page.getByRole('checkbox', { name: 'UK GDPR article 9(2)(g) with DPA 2018 schedule 1 paragraph 18' }).check();
      await page.getByRole('checkbox', { name: 'DPA 2018 section 10 and schedule 1 paragraph 18 (criminal offence data)' }).check();
      await page.getByRole('button', { name: 'Add agreement' }).click();

      await expect(banner(page)).resolves.toContain(`${REFERENCE} was added as a draft`);
      agreementPath = path(page);
      expect(agreementPath).toMatch(/^\/agreements\/[0-9a-f-]{36}$/);
      await expect(h1(page)).resolves.toBe('Keeping staff safe on home visits');
      await expect(text(page, '#status')).resolves.toBe('Draft');
      for (const org of [CSC, POLICE, NHS]) await expect(partyStatus(page, org)).resolves.toBe('Not signed yet');
      await expect(text(page, '.govuk-task-list')).resolves.toContain('To be signed by Claire Whitlow');
      await checkA11y(page, 'agreement page (draft)');
      await screenshot(page, 'agreement-draft');
      watch.assertClean('adding an agreement');
    } finally {
      await context.close();
    }
  });

  it('each party’s IG lead signs, and the last makes the agreement active', async () => {
    const csc = await signAs(IG_CSC, CSC, { name: 'Helen Carver', role: 'Caldicott guardian' }, 'children’s services');
    // Not everyone has signed: it cannot be made active yet.
    await expect(csc.page.getByRole('button', { name: 'Make active' }).count()).resolves.toBe(0);
    await csc.context.close();

    const police = await signAs(IG_POLICE, POLICE, { name: 'Det Supt Claire Whitlow', role: 'Head of Public Protection' }, 'police');
    await police.context.close();

    const { context, page, watch } = await signAs(IG_NHS, NHS, { name: 'Dr Priya Nair', role: 'Caldicott guardian' }, 'health trust');
    try {
      await page.getByRole('button', { name: 'Make active' }).click();
      await expect(h1(page)).resolves.toBe('Make the agreement active');
      await checkA11y(page, 'make active');
      await page.getByRole('button', { name: 'Make active' }).click();
      expect(path(page)).toBe(agreementPath);
      await expect(banner(page)).resolves.toContain(`${REFERENCE} is now active`);
      await expect(text(page, '#status')).resolves.toBe('Active');
      const history = await text(page, 'table');
      expect(history).toContain('Made active');
      expect(history).toContain(`Signed for ${POLICE}`);
      await checkA11y(page, 'agreement page (active)');
      await screenshot(page, 'agreement-active');
      watch.assertClean('activating');
    } finally {
      await context.close();
    }
    const stored = await t.services.agreements.list((await t.services.auth.principal((await t.services.repositories.users.findByEmail(IG_CSC))!.id, 'password'))!, { status: 'active' });
    expect(stored.find((a) => a.reference === REFERENCE)).toMatchObject({ allSigned: true, status: 'active' });
  });
});
