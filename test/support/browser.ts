import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type AxeCore from 'axe-core';
import { expect } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { DEMO_PASSWORD } from '../../src/services/demo-service.ts';
import type { TestApp } from './app.ts';

/**
 * Browser tier helpers: the real app on a real port, Debian's Chromium driven by
 * playwright-core (never a downloaded browser), axe-core on every page, and a watch for
 * Content-Security-Policy violations and console errors.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);

/**
 * Why the browser suite is skipped (for describe.skipIf), or undefined when it runs. Without
 * Chromium the suite is skipped with a warning saying how to install it, except in CI
 * (CI set), which installs Chromium: there a missing browser fails the run.
 */
export function browserSkipReason(): string | undefined {
  if (hasChromium) return undefined;
  const missing = `Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(`${missing} The browser tests must run in CI.`);
  console.warn(`${missing} Skipping the browser tests.`);
  return missing;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // No network on the build machines: stop Chromium's own background connections.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves the test app over HTTP on 127.0.0.1 and a free port. */
export async function startServer(t: TestApp): Promise<RunningServer> {
  const server = http.createServer(t.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ----- page problems: CSP violations, console errors, failed sub-resources -----

export interface PageWatch {
  problems: string[];
  /** Fails the test if anything went wrong on the page since it was opened (or last checked). */
  assertClean(label?: string): void;
}

/**
 * Records, for one page: CSP violations (Chromium reports each as a console error, and an init
 * script also reports the securitypolicyviolation event when JavaScript is on), console errors,
 * uncaught exceptions, and sub-resources (CSS, JS, fonts, images) that fail or answer 4xx/5xx.
 * A page's own status (a 400 form error, the 404 page) is not a problem: the tests assert those.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium's "Failed to load resource" also fires for the page itself when it answers 4xx;
    // sub-resource failures are caught from the responses below instead.
    if (msg.text().startsWith('Failed to load resource')) return;
    problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) return;
    if (res.status() >= 400) problems.push(`${req.resourceType()} ${res.url()} answered ${res.status()} on ${page.url()}`);
  });
  page.on('requestfailed', (req) => {
    // ERR_ABORTED: a request still in flight when the page moved on (a CSP block is ERR_BLOCKED_BY_CSP).
    if (req.isNavigationRequest() || req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`${req.resourceType()} ${req.url()} failed (${req.failure()?.errorText ?? 'unknown'}) on ${page.url()}`);
  });
  return {
    problems,
    assertClean(label = 'page') {
      const found = problems.splice(0);
      expect(found, `${label}: CSP violations, console errors or failed resources`).toEqual([]);
    },
  };
}

/** A new context and page with the watch attached. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London', ...options });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  if (options.javaScriptEnabled === false) pagesWithoutJavaScript.add(page);
  const watch = await watchPage(page);
  return { context, page, watch };
}

// ----- accessibility -----

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Pages opened with JavaScript disabled (see checkA11y). */
const pagesWithoutJavaScript = new WeakSet<Page>();

export const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  targets: string[];
}

/** Every page checked in this process. */
export const pagesChecked: string[] = [];

type AxeWindow = Window & {
  axe: typeof AxeCore;
  __axeTasks?: Array<() => void>;
  __axeOutcome?: { violations: Violation[] } | { error: string };
};

/**
 * axe-core's WCAG 2.2 A and AA violations on the page as it is now. axe is injected with
 * page.evaluate, which is not subject to the app's Content-Security-Policy, so the policy stays
 * as strict as in production.
 *
 * With JavaScript disabled, page.evaluate still runs but the page's timers and microtask
 * checkpoints never do, and axe waits on them. So on such a page setTimeout is replaced by a
 * queue that this function drains from outside, one evaluate at a time, until axe finishes
 * (no other script runs on the page, so nothing else sees the change); and axe's preloading of
 * style sheets, which waits on the network, is off.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  const noScript = pagesWithoutJavaScript.has(page);
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) {
    if (noScript) {
      await page.evaluate(() => {
        const w = window as unknown as AxeWindow;
        const tasks: Array<() => void> = (w.__axeTasks = []);
        w.setTimeout = ((fn: (...args: unknown[]) => void, _ms?: number, ...args: unknown[]) =>
          tasks.push(() => fn(...args))) as unknown as typeof window.setTimeout;
        w.clearTimeout = () => undefined;
      });
    }
    await page.evaluate(axeSource);
  }
  await page.evaluate(
    ({ tags, preload }) => {
      const w = window as unknown as AxeWindow;
      delete w.__axeOutcome;
      w.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'], preload }).then(
        (results) => {
          w.__axeOutcome = {
            violations: results.violations.map((v) => ({
              id: v.id,
              impact: v.impact ?? null,
              help: v.help,
              helpUrl: v.helpUrl,
              targets: v.nodes.map((n) => n.target.map(String).join(' ')),
            })),
          };
        },
        (err: unknown) => {
          w.__axeOutcome = { error: String(err) };
        },
      );
    },
    { tags: WCAG_22_AA_TAGS, preload: !noScript },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const outcome = await page.evaluate(() => {
      const w = window as unknown as AxeWindow;
      for (const task of w.__axeTasks?.splice(0) ?? []) task();
      return w.__axeOutcome;
    });
    if (outcome && 'error' in outcome) throw new Error(`axe-core failed on ${page.url()}: ${outcome.error}`);
    if (outcome) return outcome.violations;
    if (Date.now() > deadline) throw new Error(`axe-core did not finish on ${page.url()}`);
    if (!noScript) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Checks the page against WCAG 2.2 AA with axe-core. Violations are soft failures, so one walk
 * reports every page's problems at once, each as rule, impact, help and the elements' selectors.
 */
export async function checkA11y(page: Page, label: string): Promise<Violation[]> {
  const violations = await axeViolations(page);
  pagesChecked.push(label);
  const report = violations
    .map((v) => `  - ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}\n      ${v.targets.join('\n      ')}\n      ${v.helpUrl}`)
    .join('\n');
  expect.soft(violations.length, `axe found WCAG 2.2 AA violations on ${label} (${page.url()}):\n${report}`).toBe(0);
  expect.soft(await pagePatternProblems(page), `GOV.UK page pattern problems on ${label} (${page.url()})`).toEqual([]);
  return violations;
}

/**
 * What axe does not check but GOV.UK pages need: one h1, a title naming the page and the
 * service (with "Error: " first when there is an error summary), and error summary links that
 * each lead to a field on the page.
 */
async function pagePatternProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const h1s = document.querySelectorAll('h1').length;
    if (h1s !== 1) problems.push(`${h1s} h1 elements, expected 1`);
    if (!/^.+ – Team Around$/.test(document.title)) problems.push(`title "${document.title}" does not end "– Team Around"`);
    const summary = document.querySelector('.govuk-error-summary');
    if (summary && !document.title.startsWith('Error: ')) problems.push('an error summary but the title does not start "Error: "');
    for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('.govuk-error-summary a'))) {
      const id = decodeURIComponent(a.hash.slice(1));
      if (!id || !document.getElementById(id)) problems.push(`error summary link "${a.textContent?.trim()}" goes to missing #${id}`);
    }
    return problems;
  });
}

/** A full-page screenshot into $SCREENSHOT_DIR when it is set (for looking at the pages), else nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: `${dir}/teamaround-${name}.png`, fullPage: true });
}

// ----- signing in -----

/**
 * A valid TOTP code for a demo user that has not already been used: a code is good once, so
 * if this user signed in during the current 30-second step, use the next step's code (the
 * server accepts one step either side).
 */
export async function freshCode(t: TestApp, email: string): Promise<string> {
  const user = await t.services.repositories.users.findByEmail(email);
  if (!user?.totpSecret) throw new Error(`${email} has no authenticator set up`);
  const secret = t.services.secretBox.decrypt(user.totpSecret);
  // A code's step can be used once (replay protection), and the server accepts one step either side of
  // now. Use the first step after the last one used; if that is two steps ahead (the last sign-in took
  // the next step's code), wait until it comes within reach.
  const step = Math.floor(Date.now() / 30_000);
  const target = user.totpLastStep != null ? Math.max(step, user.totpLastStep + 1) : step;
  if (target > step + 1) await new Promise((resolve) => setTimeout(resolve, (target - 1) * 30_000 - Date.now() + 100));
  return totpCode(secret, target * 30_000 + 1_000);
}

/** Fills and sends the sign-in form (email and password), checking the page with axe first. */
export async function submitPassword(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD, a11y = true): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  if (a11y) await checkA11y(page, 'sign-in page');
  await page.getByLabel('Work email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState();
}

/** Signs a user with an authenticator in through the real pages: email and password, then the security code. */
export async function signIn(page: Page, baseUrl: string, t: TestApp, email: string, options: { password?: string; a11y?: boolean } = {}): Promise<void> {
  const a11y = options.a11y ?? true;
  await submitPassword(page, baseUrl, email, options.password, a11y);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/sign-in/security-code');
  if (a11y) await checkA11y(page, 'security code page');
  await page.getByLabel('Enter your security code').fill(await freshCode(t, email));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export async function signOut(page: Page, baseUrl: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/signed-out`);
}
