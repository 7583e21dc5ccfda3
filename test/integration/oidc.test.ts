import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEntry } from '../../src/repositories/audit-repository.ts';
import type { Organisation } from '../../src/repositories/organisation-repository.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';
import { HttpBrowser, type Page } from '../support/http-browser.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const POLICE_OFFICER = 'police.officer@police.northbridge.example';
const SOCIAL_WORKER = 'social.worker@csc.northbridge.example';
const ctx = { requestId: 'oidc-test', ip: '127.0.0.1' };

describe(`sign-in through an agency's own OpenID Connect provider (${describeDatabase()})`, () => {
  let t: TestApp;
  let appServer: http.Server;
  let appUrl: string;
  let idp: TestOidcProvider;
  let admin: Principal;
  let police: Organisation;

  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_RATE_LIMIT: '1000' });
    appServer = http.createServer(t.app);
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    idp = await startOidcProvider({ redirectUri: `${appUrl}/sign-in/oidc/callback` });

    const adminUser = await t.services.repositories.users.findByEmail('admin@csc.northbridge.example');
    admin = (await t.services.auth.principal(adminUser!.id, 'password'))!;
    const existing = (await t.services.repositories.organisations.findByName('Northbridge Police'))!;
    police = await t.services.admin.updateOrganisation(
      admin,
      existing.id,
      {
        name: existing.name,
        typeCode: existing.typeCode,
        officialCode: existing.officialCode,
        emailDomain: existing.emailDomain ?? '',
        oidcIssuer: idp.issuer,
        oidcClientId: idp.clientId,
        oidcClientSecret: idp.clientSecret,
        active: true,
      },
      ctx,
    );
  });

  afterAll(async () => {
    await idp?.close();
    if (appServer) {
      appServer.closeAllConnections();
      await new Promise<void>((resolve) => appServer.close(() => resolve()));
    }
    await t?.close();
  });

  /** Starts at Team Around's link for the police, through the provider and back, as a fresh browser would. */
  async function signInThroughPolice(options: { browser?: HttpBrowser; intercept?: (url: URL) => URL } = {}) {
    const browser = options.browser ?? new HttpBrowser();
    const { page, hops } = await browser.follow(`${appUrl}/sign-in/organisation/${police.id}`, options.intercept);
    return { browser, page, hops };
  }

  async function latestOidcAudit(): Promise<StoredAuditEntry> {
    const [entry] = await t.services.audit.search({ action: 'auth.sign-in.oidc', limit: 1 });
    if (!entry) throw new Error('No auth.sign-in.oidc audit entry');
    return entry;
  }

  async function expectNotSignedIn(browser: HttpBrowser) {
    const home = await browser.get(`${appUrl}/`);
    expect(home.status).toBe(302);
    expect(home.location).toBe(`${appUrl}/sign-in`);
  }

  function expectRefusalPage(page: Page, status: number, message: string) {
    expect(page.status).toBe(status);
    expect(page.url.startsWith(`${appUrl}/sign-in/oidc/callback`)).toBe(true);
    expect(page.text).toContain('You have not been signed in');
    expect(page.text).toContain(message);
    expect(page.text).toContain('href="/sign-in"');
  }

  it('lists the organisation on the sign-in page', async () => {
    const page = await new HttpBrowser().get(`${appUrl}/sign-in`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/sign-in/organisation/${police.id}"`);
    expect(page.text).toContain('Sign in through Northbridge Police');
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const page = await new HttpBrowser().get(`${appUrl}/sign-in/organisation/${police.id}`);
    expect(page.status).toBe(303);
    const to = new URL(page.location!);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('client_id')).toBe(idp.clientId);
    expect(to.searchParams.get('redirect_uri')).toBe(`${appUrl}/sign-in/oidc/callback`);
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('scope')).toBe('openid email profile');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
  });

  it('signs in a practitioner the administrator provisioned, without a Team Around security code', async () => {
    idp.accounts.set('pc-1001', { sub: 'pc-1001', email: POLICE_OFFICER, email_verified: true, name: 'Lewis Hart' });
    idp.signInAs('pc-1001');
    const { browser, page, hops } = await signInThroughPolice();

    // Team Around -> provider (login, consent) -> Team Around callback -> home.
    expect(hops.some((h) => h.startsWith(`${idp.issuer}/`))).toBe(true);
    expect(hops).toContain(`${appUrl}/`);
    expect(hops.some((h) => h.includes('/sign-in/security-code'))).toBe(false);
    expect(page.url).toBe(`${appUrl}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('DC Lewis Hart, Northbridge Police');
    expect(page.text).toContain('Sign out');

    const user = await t.services.repositories.users.findByEmail(POLICE_OFFICER);
    expect(user!.oidcSubject).toBe('pc-1001');
    expect(user!.lastSignInAt).not.toBeNull();
    const entry = await latestOidcAudit();
    expect(entry).toMatchObject({
      outcome: 'success',
      actorUserId: user!.id,
      actorLabel: POLICE_OFFICER,
      organisationId: police.id,
      subjectType: 'practitioner',
      subjectId: user!.id,
    });
    expect(entry.details).toMatchObject({ via: 'oidc', issuer: idp.issuer, subject: 'pc-1001', linked: true, activated: false });

    // The browser stays signed in.
    expect((await browser.get(`${appUrl}/`)).status).toBe(200);
  });

  it('recognises a linked practitioner by subject afterwards and returns them to the page they asked for', async () => {
    idp.accounts.set('pc-1001', { sub: 'pc-1001', email: 'lewis.hart@police.example', email_verified: true });
    idp.signInAs('pc-1001');
    const browser = new HttpBrowser();
    const asked = await browser.get(`${appUrl}/audit`);
    expect(asked.location).toBe(`${appUrl}/sign-in`);
    const { hops } = await signInThroughPolice({ browser });
    expect(hops).toContain(`${appUrl}/audit`);
    const entry = await latestOidcAudit();
    expect(entry.outcome).toBe('success');
    expect(entry.actorLabel).toBe(POLICE_OFFICER);
    expect(entry.details).toMatchObject({ via: 'oidc', linked: false });
  });

  it('activates an invited practitioner on their first sign-in', async () => {
    const { user: invited } = await t.services.admin.invite(
      admin,
      {
        email: 'new.officer@police.northbridge.example',
        displayName: 'PC Nadia Okafor',
        organisationId: police.id,
        roles: ['practitioner'],
        teamIds: [],
      },
      ctx,
    );
    expect(invited.status).toBe('invited');
    idp.accounts.set('pc-2002', { sub: 'pc-2002', email: 'New.Officer@police.northbridge.example', email_verified: true });
    idp.signInAs('pc-2002');
    const { page } = await signInThroughPolice();
    expect(page.status).toBe(200);
    expect(page.text).toContain('PC Nadia Okafor, Northbridge Police');
    const user = await t.services.repositories.users.findById(invited.id);
    expect(user!.status).toBe('active');
    expect(user!.oidcSubject).toBe('pc-2002');
    expect((await latestOidcAudit()).details).toMatchObject({ via: 'oidc', linked: true, activated: true });
  });

  it('refuses someone with no Team Around account, clearly, and audits it', async () => {
    idp.accounts.set('pc-9999', { sub: 'pc-9999', email: 'stranger@police.northbridge.example', email_verified: true });
    idp.signInAs('pc-9999');
    const { browser, page } = await signInThroughPolice();
    expectRefusalPage(page, 403, 'There is no Team Around account for stranger@police.northbridge.example at Northbridge Police');
    await expectNotSignedIn(browser);
    const entry = await latestOidcAudit();
    expect(entry).toMatchObject({
      outcome: 'denied',
      actorUserId: null,
      actorLabel: 'stranger@police.northbridge.example',
      reason: 'no Team Around account with this email address',
    });
    expect(entry.details).toMatchObject({ via: 'oidc', organisationId: police.id, subject: 'pc-9999' });
  });

  it("refuses a practitioner of another organisation, even with the provider's verified email", async () => {
    idp.accounts.set('pc-3003', { sub: 'pc-3003', email: SOCIAL_WORKER, email_verified: true });
    idp.signInAs('pc-3003');
    const { browser, page } = await signInThroughPolice();
    expectRefusalPage(page, 403, 'Your Team Around account belongs to a different organisation, not Northbridge Police');
    await expectNotSignedIn(browser);
    const entry = await latestOidcAudit();
    expect(entry.outcome).toBe('denied');
    expect(entry.reason).toBe('the account with this email address belongs to another organisation');
    const socialWorker = await t.services.repositories.users.findByEmail(SOCIAL_WORKER);
    expect(socialWorker!.oidcSubject).toBeNull();
  });

  it('refuses a deactivated practitioner', async () => {
    const { user: leaver } = await t.services.admin.invite(
      admin,
      { email: 'leaver@police.northbridge.example', displayName: 'PC Former', organisationId: police.id, roles: ['practitioner'], teamIds: [] },
      ctx,
    );
    await t.services.admin.deactivate(admin, leaver.id, 'Left the force', ctx);
    idp.accounts.set('pc-4004', { sub: 'pc-4004', email: 'leaver@police.northbridge.example', email_verified: true });
    idp.signInAs('pc-4004');
    const { browser, page } = await signInThroughPolice();
    expectRefusalPage(page, 403, 'Your Team Around account has been deactivated');
    await expectNotSignedIn(browser);
    const entry = await latestOidcAudit();
    expect(entry).toMatchObject({ outcome: 'denied', reason: 'account is deactivated', actorUserId: leaver.id, subjectId: leaver.id });
    expect((await t.services.repositories.users.findById(leaver.id))!.status).toBe('deactivated');
  });

  it('refuses an email address the provider says is not verified', async () => {
    idp.accounts.set('pc-5005', { sub: 'pc-5005', email: 'leaver@police.northbridge.example', email_verified: false });
    idp.signInAs('pc-5005');
    const { browser, page } = await signInThroughPolice();
    expectRefusalPage(page, 403, 'has not confirmed your email address');
    await expectNotSignedIn(browser);
    expect(await latestOidcAudit()).toMatchObject({ outcome: 'denied', reason: 'identity provider says the email address is not verified' });
  });

  it('refuses a response whose state was tampered with, and the pending sign-in cannot then be reused', async () => {
    idp.signInAs('pc-1001');
    let genuine: URL | undefined;
    const { browser, page } = await signInThroughPolice({
      intercept: (url) => {
        if (!url.href.startsWith(`${appUrl}/sign-in/oidc/callback`)) return url;
        genuine = new URL(url);
        const tampered = new URL(url);
        tampered.searchParams.set('state', `${url.searchParams.get('state')}x`);
        return tampered;
      },
    });
    expect(genuine?.searchParams.get('code')).toBeTruthy();
    expectRefusalPage(page, 401, 'Your sign-in could not be completed');
    await expectNotSignedIn(browser);
    expect(await latestOidcAudit()).toMatchObject({
      outcome: 'failure',
      reason: 'state returned by the identity provider does not match the one sent',
    });

    // The genuine response, replayed afterwards, finds nothing pending.
    const replay = await browser.get(genuine!);
    expectRefusalPage(replay, 401, 'Your sign-in could not be completed');
    await expectNotSignedIn(browser);
    const entry = await latestOidcAudit();
    expect(entry.outcome).toBe('failure');
    expect(entry.reason).toMatch(/^no sign-in in progress/);
  });

  it('refuses when the provider answers with an error such as access_denied', async () => {
    idp.signInAs({ deny: true });
    const { browser, page } = await signInThroughPolice();
    expect(page.url).toContain('error=access_denied');
    expectRefusalPage(page, 401, 'The Northbridge Police sign-in service did not sign you in');
    await expectNotSignedIn(browser);
    const entry = await latestOidcAudit();
    expect(entry).toMatchObject({ outcome: 'failure', reason: 'identity provider returned an error: access_denied' });
    expect(entry.details).toMatchObject({ error: 'access_denied' });
  });

  it('refuses a callback that no sign-in started, and a malformed one', async () => {
    const browser = new HttpBrowser();
    const stray = await browser.get(`${appUrl}/sign-in/oidc/callback?code=abc&state=def`);
    expectRefusalPage(stray, 401, 'Your sign-in could not be completed');
    expect((await latestOidcAudit()).outcome).toBe('failure');

    const started = await browser.get(`${appUrl}/sign-in/organisation/${police.id}`);
    const state = new URL(started.location!).searchParams.get('state');
    const malformed = await browser.get(`${appUrl}/sign-in/oidc/callback?code=a&code=b&state=${state}`);
    expectRefusalPage(malformed, 401, 'Team Around could not check the response');
    expect(await latestOidcAudit()).toMatchObject({ outcome: 'failure', reason: 'callback parameters are missing, repeated or too long' });
  });

  it('does not start for an organisation without its own provider, and 404s for an unknown one', async () => {
    const csc = (await t.services.repositories.organisations.list()).find((o) => !o.oidcIssuer)!;
    const browser = new HttpBrowser();
    const page = await browser.get(`${appUrl}/sign-in/organisation/${csc.id}`);
    expect(page.status).toBe(403);
    expect(page.text).toContain(`Signing in through ${csc.name} is not available`);
    expect(await latestOidcAudit()).toMatchObject({ outcome: 'denied', reason: 'organisation has no identity provider configured' });

    expect((await browser.get(`${appUrl}/sign-in/organisation/0190a4c6-9a61-7cc4-9d7e-3f2b1c0d4e5f`)).status).toBe(404);
    expect((await browser.get(`${appUrl}/sign-in/organisation/not-an-id`)).status).toBe(404);
  });

  it('uses a changed client secret at once (cached provider settings are not reused) and refuses when the provider rejects it', async () => {
    const settings = { ...police, emailDomain: police.emailDomain ?? '' };
    await t.services.admin.updateOrganisation(admin, police.id, { ...settings, oidcClientSecret: 'not-the-secret' }, ctx);
    try {
      idp.signInAs('pc-1001');
      const { browser, page } = await signInThroughPolice();
      expectRefusalPage(page, 401, 'Team Around could not check the response from the Northbridge Police sign-in service');
      await expectNotSignedIn(browser);
      const entry = await latestOidcAudit();
      expect(entry.outcome).toBe('failure');
      expect(entry.reason).toMatch(/^identity provider refused the request while completing sign-in: invalid_client/);
    } finally {
      await t.services.admin.updateOrganisation(admin, police.id, { ...settings, oidcClientSecret: idp.clientSecret }, ctx);
    }
    idp.signInAs('pc-1001');
    const { page } = await signInThroughPolice();
    expect(page.url).toBe(`${appUrl}/`);
    expect(page.status).toBe(200);
  });

  it('refuses everyone once the organisation is made inactive', async () => {
    const inactive = { ...police, active: false, emailDomain: police.emailDomain ?? '', oidcClientSecret: undefined };
    await t.services.admin.updateOrganisation(admin, police.id, inactive, ctx);
    try {
      const page = await new HttpBrowser().get(`${appUrl}/sign-in/organisation/${police.id}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('Signing in through Northbridge Police is not available');
      expect(await latestOidcAudit()).toMatchObject({ outcome: 'denied', reason: 'organisation is not active' });
    } finally {
      await t.services.admin.updateOrganisation(admin, police.id, { ...inactive, active: true }, ctx);
    }
  });
});
