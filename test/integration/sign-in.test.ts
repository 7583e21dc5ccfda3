import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { DEMO_PASSWORD } from '../../src/services/demo-service.ts';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const ADMIN = 'admin@csc.northbridge.example';
const WORKER = 'social.worker@csc.northbridge.example';

function sidOf(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('teamaround.sid='))?.split(';')[0];
}

async function passwordStep(t: TestApp, email: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/sign-in').expect(200);
  const res = await agent.post('/sign-in').type('form').send({ _csrf: csrfFrom(page.text), email, password });
  return { agent, res, before: sidOf(page) };
}

async function lastAudit(t: TestApp, action: string) {
  return (await t.services.audit.search({ action, limit: 1 }))[0];
}

describe(`signing in (${describeDatabase()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_MAX_FAILURES: '3', SIGN_IN_RATE_LIMIT: '1000' });
  });
  afterAll(async () => t?.close());

  it('sends a visitor who is not signed in to the sign-in page, and back afterwards', async () => {
    const agent = request.agent(t.app);
    await agent.get('/admin/organisations').expect(302).expect('Location', '/sign-in');
    const page = await agent.get('/sign-in').expect(200);
    await agent.post('/sign-in').type('form').send({ _csrf: csrfFrom(page.text), email: ADMIN, password: DEMO_PASSWORD }).expect(302);
    const codePage = await agent.get('/sign-in/security-code').expect(200);
    const { code } = await t.services.demo.code(ADMIN);
    await agent
      .post('/sign-in/security-code')
      .type('form')
      .send({ _csrf: csrfFrom(codePage.text), code })
      .expect(302)
      .expect('Location', '/admin/organisations');
  });

  it('signs in with password then security code, rotating the session id at each step', async () => {
    const { agent, res, before } = await passwordStep(t, WORKER, DEMO_PASSWORD);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/sign-in/security-code');
    const afterPassword = sidOf(res);
    expect(afterPassword).toBeDefined();
    expect(afterPassword).not.toBe(before);
    // Not signed in yet: the home page still wants sign-in.
    await agent.get('/').expect(302).expect('Location', '/sign-in');
    const codePage = await agent.get('/sign-in/security-code').expect(200);
    const user = await t.services.repositories.users.findByEmail(WORKER);
    const code = totpCode(t.services.secretBox.decrypt(user!.totpSecret!));
    const done = await agent.post('/sign-in/security-code').type('form').send({ _csrf: csrfFrom(codePage.text), code }).expect(302);
    expect(sidOf(done)).not.toBe(afterPassword);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Kofi Mensah');
    expect(home.headers['cache-control']).toBe('no-store');
    expect(await lastAudit(t, 'auth.sign-in')).toMatchObject({ actorLabel: WORKER, outcome: 'success' });
  });

  it('refuses a security code that was already used', async () => {
    const email = 'probation.officer@probation.northbridge.example';
    const user = await t.services.repositories.users.findByEmail(email);
    const code = totpCode(t.services.secretBox.decrypt(user!.totpSecret!));
    const first = await passwordStep(t, email, DEMO_PASSWORD);
    const page1 = await first.agent.get('/sign-in/security-code').expect(200);
    await first.agent.post('/sign-in/security-code').type('form').send({ _csrf: csrfFrom(page1.text), code }).expect(302);
    const second = await passwordStep(t, email, DEMO_PASSWORD);
    const page2 = await second.agent.get('/sign-in/security-code').expect(200);
    const res = await second.agent.post('/sign-in/security-code').type('form').send({ _csrf: csrfFrom(page2.text), code });
    expect(res.status).toBe(401);
    expect(res.text).toContain('already been used');
    expect(await lastAudit(t, 'auth.sign-in.totp')).toMatchObject({ actorLabel: email, outcome: 'failure' });
  });

  it('gives one message for an unknown email and a wrong password, and audits both', async () => {
    const unknown = await passwordStep(t, 'nobody@nowhere.example', 'whatever-password');
    const wrong = await passwordStep(t, 'gp@riverside.northbridge.example', 'not-the-password');
    for (const r of [unknown.res, wrong.res]) {
      expect(r.status).toBe(401);
      expect(r.text).toContain('Enter a correct email address and password');
      expect(r.text).toContain('govuk-error-summary');
    }
    expect(await lastAudit(t, 'auth.sign-in.password')).toMatchObject({ outcome: 'failure', reason: 'wrong password' });
    const entries = await t.services.audit.search({ actor: 'nobody@nowhere.example', limit: 5 });
    expect(entries[0]).toMatchObject({ outcome: 'failure', reason: 'no account with that email address' });
  });

  it('names the missing fields', async () => {
    const { res } = await passwordStep(t, '', '');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter your email address');
    expect(res.text).toContain('Enter your password');
    expect(res.text).toContain('href="#email"');
  });

  it('locks an account after repeated failures, until an administrator unlocks it', async () => {
    const email = 'housing.officer@homes.northbridge.example';
    for (let i = 0; i < 3; i++) await passwordStep(t, email, 'wrong-password-123');
    const { res } = await passwordStep(t, email, DEMO_PASSWORD);
    expect(res.status).toBe(423);
    expect(res.text).toContain('locked');
    expect(await lastAudit(t, 'auth.sign-in.password')).toMatchObject({ outcome: 'denied' });
    const admin = await signIn(t, ADMIN);
    const user = await t.services.repositories.users.findByEmail(email);
    const page = await admin.get(`/admin/practitioners/${user!.id}`).expect(200);
    expect(page.text).toContain('locked after failed sign-ins');
    await admin.post(`/admin/practitioners/${user!.id}/unlock`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(302);
    expect((await passwordStep(t, email, DEMO_PASSWORD)).res.status).toBe(302);
  });

  it('refuses a form posted without the CSRF token', async () => {
    const agent = request.agent(t.app);
    await agent.get('/sign-in').expect(200);
    const res = await agent.post('/sign-in').type('form').send({ email: ADMIN, password: DEMO_PASSWORD });
    expect(res.status).toBe(403);
    const forged = await agent.post('/sign-in').type('form').send({ _csrf: 'x'.repeat(43), email: ADMIN, password: DEMO_PASSWORD });
    expect(forged.status).toBe(403);
  });

  it('signs out, ending the server-side session and auditing it', async () => {
    const agent = await signIn(t, 'dsl@hollinlane.northbridge.example');
    const home = await agent.get('/').expect(200);
    await agent.post('/sign-out').type('form').send({ _csrf: csrfFrom(home.text) }).expect(302).expect('Location', '/signed-out');
    await agent.get('/').expect(302).expect('Location', '/sign-in');
    expect(await lastAudit(t, 'auth.sign-out')).toMatchObject({ actorLabel: 'dsl@hollinlane.northbridge.example' });
  });

  it('expires a session that has been idle', async () => {
    const agent = await signIn(t, 'yjs.worker@yjs.northbridge.example');
    await agent.get('/').expect(200);
    await t.services.database.query(`update web_session set expires_at = now() - interval '1 second' where data->>'userId' is not null`);
    await agent.get('/').expect(302).expect('Location', '/sign-in');
  });

  it('sets up the authenticator on first sign-in with a QR code', async () => {
    const email = 'family.support@familysupport.northbridge.example';
    const user = await t.services.repositories.users.findByEmail(email);
    await t.services.repositories.users.setTotp(user!.id, null, null, new Date());
    const { agent, res } = await passwordStep(t, email, DEMO_PASSWORD);
    expect(res.headers.location).toBe('/sign-in/set-up-authenticator');
    const page = await agent.get('/sign-in/set-up-authenticator').expect(200);
    expect(page.text).toContain('<svg');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.text)?.[1];
    expect(secret).toBeDefined();
    // the same secret is shown again on reload (not a new one each time)
    const again = await agent.get('/sign-in/set-up-authenticator').expect(200);
    expect(again.text).toContain(secret);
    const bad = await agent.post('/sign-in/set-up-authenticator').type('form').send({ _csrf: csrfFrom(page.text), code: '12' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter the 6-digit security code');
    await agent
      .post('/sign-in/set-up-authenticator')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secret!) })
      .expect(302)
      .expect('Location', '/');
    await agent.get('/').expect(200);
    const stored = await t.services.repositories.users.findByEmail(email);
    expect(stored!.totpSecret).not.toContain(secret!); // encrypted at rest
    expect(t.services.secretBox.decrypt(stored!.totpSecret!)).toBe(secret);
    expect(await lastAudit(t, 'auth.totp.enrol')).toMatchObject({ actorLabel: email, outcome: 'success' });
  });
});

describe(`sign-in rate limit (${describeDatabase()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_RATE_LIMIT: '3' });
  });
  afterAll(async () => t?.close());

  it('answers 429 after too many attempts from one address, and audits it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await passwordStep(t, 'nobody@x.example', 'wrong-password')).res.status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await lastAudit(t, 'auth.rate-limited')).toMatchObject({ outcome: 'denied' });
  });
});
