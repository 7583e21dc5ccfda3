import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
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
  submitPassword,
  type PageWatch,
  type RunningServer,
} from '../support/browser.ts';

const ADMIN = 'admin@csc.northbridge.example';
const IG_LEAD = 'ig.lead@csc.northbridge.example';
const NEW_ORG = 'Northbridge Academy Trust Primary';
const NEW_USER = { email: 'new.practitioner@csc.northbridge.example', name: 'Priya Newton', password: 'correct horse battery staple' };

const skip = browserSkipReason();

/**
 * The administrator's journeys in Chromium, each page checked with axe-core (WCAG 2.2 AA) and
 * watched for CSP violations and console errors. The tests share one app and run in order:
 * each picks up where the one before left off.
 */
describe.skipIf(skip)('admin journeys in Chromium', () => {
  let t: TestApp;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let admin: { context: BrowserContext; page: Page; watch: PageWatch };
  let invitationLink: string;
  /** The invited practitioner's browser, kept open to see what the administrator's actions do to it. */
  let practitioner: { context: BrowserContext; page: Page; watch: PageWatch };

  const path = (page: Page) => {
    const u = new URL(page.url());
    return u.pathname + u.search;
  };

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp({ SIGN_IN_RATE_LIMIT: '1000' }), launchChromium()]);
    server = await startServer(t);
    base = server.baseUrl;
    admin = await openPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('signs the administrator in with password and security code, and rejects a wrong code accessibly', async () => {
    const { page, watch } = admin;
    await page.goto(`${base}/`);
    expect(path(page)).toBe('/sign-in');
    await checkA11y(page, 'sign-in page');

    // The error state of the sign-in form.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await checkA11y(page, 'sign-in page with errors');

    await submitPassword(page, base, ADMIN, undefined, false);
    expect(path(page)).toBe('/sign-in/security-code');
    await checkA11y(page, 'security code page');
    await page.getByLabel('Enter your security code').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('security code is not correct');
    await checkA11y(page, 'security code page with an error');
    await page.getByRole('link', { name: 'Start again' }).click();

    await signIn(page, base, t, ADMIN, { a11y: false });
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Team Around');
    await expect(page.locator('.ta-header__who').textContent()).resolves.toContain('Alex Morgan');
    await checkA11y(page, 'home page (administrator)');
    await screenshot(page, 'home');
    watch.assertClean('admin sign-in');
  });

  it('lists organisations, adds one (errors first) and adds a team to it', async () => {
    const { page, watch } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' }).click();
    expect(path(page)).toBe('/admin/organisations');
    await expect(page.getByRole('link', { name: 'Hollin Lane Primary School' }).isVisible()).resolves.toBe(true);
    await checkA11y(page, 'organisations list');

    await page.getByRole('button', { name: 'Add an organisation' }).click();
    expect(path(page)).toBe('/admin/organisations/new');
    await checkA11y(page, 'add an organisation');

    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.locator('.govuk-error-summary');
    await expect(summary.textContent()).resolves.toContain('Select the type of organisation');
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await checkA11y(page, 'add an organisation with errors');
    await screenshot(page, 'add-organisation-errors');
    // The error summary links to the field.
    await summary.getByRole('link', { name: /name/i }).first().click();
    await expect(page.evaluate(() => document.activeElement?.id ?? '')).resolves.not.toBe('');

    await page.getByLabel('Name', { exact: true }).fill(NEW_ORG);
    await page.getByLabel('Type').selectOption({ label: 'School (DfE URN)' });
    await page.getByLabel('Official code').fill('123456');
    await page.getByLabel('Email domain').fill('academy.northbridge.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain(`${NEW_ORG} was added`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(NEW_ORG);
    await checkA11y(page, 'organisation page (new, no teams)');

    await page.getByRole('button', { name: 'Add a team' }).click();
    await checkA11y(page, 'add a team');
    await page.getByRole('button', { name: 'Add team' }).click();
    await expect(page.locator('.govuk-error-summary').isVisible()).resolves.toBe(true);
    await checkA11y(page, 'add a team with errors');
    await page.getByLabel('Team name').fill('Pastoral Care');
    await page.getByLabel('Team email address (optional)').fill('pastoral@academy.northbridge.example');
    await page.getByLabel('Team telephone (optional)').fill('01632 960 555');
    await page.getByRole('button', { name: 'Add team' }).click();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Pastoral Care was added');
    await expect(page.getByRole('cell', { name: 'Pastoral Care' }).isVisible()).resolves.toBe(true);
    await checkA11y(page, 'organisation page with a team');

    await page.getByRole('button', { name: 'Change details' }).click();
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(NEW_ORG);
    await checkA11y(page, 'change an organisation');
    await page.getByRole('link', { name: 'Back' }).click();
    watch.assertClean('organisations');
  });

  it('filters practitioners and invites one (errors first), showing the invitation link', async () => {
    const { page, watch } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Practitioners' }).click();
    expect(path(page)).toBe('/admin/practitioners');
    await checkA11y(page, 'practitioners list');

    await page.getByLabel('Name or email').fill('kofi');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(path(page)).toMatch(/^\/admin\/practitioners\?.*text=kofi/);
    await expect(page.locator('caption').textContent()).resolves.toContain('1 practitioner');
    await expect(page.getByRole('link', { name: 'Kofi Mensah' }).isVisible()).resolves.toBe(true);
    await checkA11y(page, 'practitioners list, filtered');

    await page.getByRole('button', { name: 'Invite a practitioner' }).click();
    expect(path(page)).toBe('/admin/practitioners/invite');
    await checkA11y(page, 'invite a practitioner');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.locator('.govuk-error-summary').isVisible()).resolves.toBe(true);
    await checkA11y(page, 'invite a practitioner with errors');

    await page.getByLabel('Work email address').fill(NEW_USER.email);
    await page.getByLabel('Organisation').selectOption({ label: "Northbridge Children's Services" });
    await page.getByLabel('Full name').fill(NEW_USER.name);
    await page.getByLabel('Job title (optional)').fill('Social worker');
    await page.getByRole('checkbox', { name: 'Practitioner', exact: true }).check();
    await page.getByRole('checkbox', { name: /Family Safeguarding Team East/ }).check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Practitioner invited');
    invitationLink = (await page.locator('#invitation-link').textContent())!.trim();
    expect(invitationLink).toMatch(new RegExp(`^${base}/invitation/`));
    await checkA11y(page, 'practitioner invited');
    watch.assertClean('practitioners');
  });

  it('the invited practitioner creates a password, signs in and sets up an authenticator app', async () => {
    practitioner = await openPage(browser);
    const { page, watch } = practitioner;
    await page.goto(invitationLink);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Create your password');
    await checkA11y(page, 'invitation: create your password');

    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByLabel('Confirm password').fill('too short');
    await page.getByRole('button', { name: 'Create password' }).click();
    await expect(page.locator('.govuk-error-summary').isVisible()).resolves.toBe(true);
    await checkA11y(page, 'invitation with errors');

    await page.getByLabel('Password', { exact: true }).fill(NEW_USER.password);
    await page.getByLabel('Confirm password').fill(NEW_USER.password);
    await page.getByRole('button', { name: 'Create password' }).click();
    expect(path(page)).toBe('/sign-in');
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('Your password is set');
    await checkA11y(page, 'sign-in page with a success message');

    await submitPassword(page, base, NEW_USER.email, NEW_USER.password, false);
    expect(path(page)).toBe('/sign-in/set-up-authenticator');
    await expect(page.locator('.ta-qr svg').isVisible()).resolves.toBe(true);
    await checkA11y(page, 'set up your authenticator app');
    await page.getByText('I cannot scan the QR code').click();
    const secret = (await page.locator('#totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await checkA11y(page, 'set up your authenticator app, key shown');
    await screenshot(page, 'set-up-authenticator');

    await page.getByLabel('Security code from the app').fill('123');
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await expect(page.locator('.govuk-error-summary').isVisible()).resolves.toBe(true);
    await checkA11y(page, 'set up your authenticator app with an error');

    await page.getByLabel('Security code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator('.ta-header__who').textContent()).resolves.toContain(NEW_USER.name);
    await checkA11y(page, 'home page (practitioner)');
    watch.assertClean('invitation and first sign-in');
  });

  it('the administrator changes their roles, resets their authenticator and deactivates them', async () => {
    const { page, watch } = admin;
    await page.goto(`${base}/admin/practitioners?text=${encodeURIComponent(NEW_USER.email)}`);
    await page.getByRole('link', { name: NEW_USER.name }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(NEW_USER.name);
    await checkA11y(page, 'practitioner page');

    await page.getByRole('button', { name: 'Change details and roles' }).click();
    await checkA11y(page, 'change a practitioner');
    await page.getByRole('checkbox', { name: 'Practitioner', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Select at least one role');
    await checkA11y(page, 'change a practitioner with errors');
    await page.getByRole('checkbox', { name: 'Practitioner', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Team manager' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('details were updated');
    await expect(page.locator('.govuk-summary-list').textContent()).resolves.toContain('Practitioner, Team manager');
    await checkA11y(page, 'practitioner page after a change');

    await page.getByRole('button', { name: 'Reset authenticator app' }).click();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('authenticator was reset');
    await expect(page.getByRole('button', { name: 'Reset authenticator app' }).count()).resolves.toBe(0);
    await checkA11y(page, 'practitioner page after an authenticator reset');

    // The reset ends their session; their next sign-in goes to setting up a new authenticator.
    await practitioner.page.goto(`${base}/`);
    expect(path(practitioner.page)).toBe('/sign-in');
    await submitPassword(practitioner.page, base, NEW_USER.email, NEW_USER.password, false);
    expect(path(practitioner.page)).toBe('/sign-in/set-up-authenticator');
    await practitioner.page.getByText('I cannot scan the QR code').click();
    const secret = (await practitioner.page.locator('#totp-secret').textContent())!.trim();
    await practitioner.page.getByLabel('Security code from the app').fill(totpCode(secret));
    await practitioner.page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await practitioner.page.waitForURL(`${base}/`);

    await page.getByRole('button', { name: 'Deactivate account' }).click();
    await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter why the account is being deactivated');
    await checkA11y(page, 'practitioner page with a deactivation error');
    await page.getByLabel('Why is this account being deactivated?').fill('Left the organisation (browser test)');
    await page.getByRole('button', { name: 'Deactivate account' }).click();
    await expect(page.locator('.govuk-notification-banner').textContent()).resolves.toContain('deactivated');
    await expect(page.getByRole('button', { name: 'Reactivate account' }).isVisible()).resolves.toBe(true);
    await checkA11y(page, 'practitioner page, deactivated');

    // Deactivation ends their session at once, and they cannot sign in again.
    await practitioner.page.goto(`${base}/`);
    expect(path(practitioner.page)).toBe('/sign-in');
    await submitPassword(practitioner.page, base, NEW_USER.email, NEW_USER.password, false);
    expect(path(practitioner.page)).toBe('/sign-in');
    await expect(practitioner.page.locator('.govuk-error-summary').textContent()).resolves.toContain('Enter a correct email address and password');
    practitioner.watch.assertClean('practitioner after reset and deactivation');
    await practitioner.context.close();

    await signOut(page, base);
    await checkA11y(page, 'signed out');
    watch.assertClean('practitioner administration');
  });

  it('the IG lead finds the administrator’s actions in the audit log and checks the chain', async () => {
    const { context, page, watch } = await openPage(browser);
    try {
      await signIn(page, base, t, IG_LEAD, { a11y: false });
      await checkA11y(page, 'home page (IG lead)');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await checkA11y(page, 'audit log');

      await page.getByLabel('Who (email contains)').fill(ADMIN);
      await page.getByLabel('Action starts with').fill('admin.practitioner');
      await page.getByRole('button', { name: 'Search' }).click();
      const table = page.locator('table');
      await expect(table.textContent()).resolves.toContain('admin.practitioner.deactivate');
      await expect(table.textContent()).resolves.toContain('Left the organisation (browser test)');
      await expect(table.textContent()).resolves.toContain('admin.practitioner.invite');
      await expect(table.textContent()).resolves.not.toContain('auth.');
      await checkA11y(page, 'audit log, searched');

      await page.getByLabel('From date').fill('yesterday');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.locator('.govuk-error-summary').isVisible()).resolves.toBe(true);
      await checkA11y(page, 'audit log with errors');

      await page.getByRole('button', { name: 'Check the log has not been altered' }).click();
      await expect(page.locator('.govuk-panel').textContent()).resolves.toContain('The audit log is intact');
      await checkA11y(page, 'audit log check');

      await signOut(page, base);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You have signed out');
      // Signed out means signed out: the audit log asks for sign-in again.
      await page.goto(`${base}/audit`);
      expect(path(page)).toBe('/sign-in');
      watch.assertClean('audit');
    } finally {
      await context.close();
    }
  });
});
