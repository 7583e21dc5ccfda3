import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { DEMO_PASSWORD } from '../../src/services/demo-service.ts';
import { createApp } from '../../src/web/app.ts';
import { totpCode } from '../../src/auth/totp.ts';
import { createTestDatabase } from './database.ts';

export interface TestApp {
  app: Express;
  services: Services;
  config: Config;
  close(): Promise<void>;
}

/** The whole app over a fresh database with the demo partnership loaded. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, APP_SECRET: 'test-secret-test-secret-test-secret-1234', ...env });
  const database = await createTestDatabase();
  const services = createServices(config, database);
  await services.demo.load();
  const app = createApp(services, createLogger('silent'));
  return {
    app,
    services,
    config,
    async close() {
      await services.audit.flush();
      await database.dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The CSRF token rendered into a page's forms. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('No CSRF token on the page');
  return m[1]!;
}

/** The current TOTP code of a demo user, read the way `teamaround demo-code` does. */
export async function currentCode(services: Services, email: string): Promise<string> {
  return (await services.demo.code(email)).code;
}

export function codeForSecret(secret: string, offsetSteps = 0): string {
  return totpCode(secret, Date.now() + offsetSteps * 30_000);
}

/** Signs a demo user in through the real pages (password, then security code) and returns the agent. */
export async function signIn(t: TestApp, email: string, password = DEMO_PASSWORD) {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in').expect(200);
  await agent
    .post('/sign-in')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password })
    .expect(302)
    .expect('Location', '/sign-in/security-code');
  const codePage = await agent.get('/sign-in/security-code').expect(200);
  // A code can be used once: wait for a fresh step if this user signed in during the current one.
  const user = await t.services.repositories.users.findByEmail(email);
  const step = Math.floor(Date.now() / 30_000);
  if (user?.totpLastStep != null && user.totpLastStep >= step) {
    const code = codeForSecret(t.services.secretBox.decrypt(user.totpSecret!), 1);
    await agent.post('/sign-in/security-code').type('form').send({ _csrf: csrfFrom(codePage.text), code }).expect(302);
    return agent;
  }
  const code = await currentCode(t.services, email);
  const done = await agent.post('/sign-in/security-code').type('form').send({ _csrf: csrfFrom(codePage.text), code });
  if (done.status !== 302) throw new Error(`Sign-in failed for ${email}: ${done.status}`);
  return agent;
}

/** Polls `probe` every 100 ms until it returns a truthy value (e.g. a background job's effect), or fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
