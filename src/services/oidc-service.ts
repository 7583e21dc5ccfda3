import crypto from 'node:crypto';
import * as client from 'openid-client';
import type { Config } from '../config.ts';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import type { AuditOutcome } from '../db/schema.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { Organisation, OrganisationRepository } from '../repositories/organisation-repository.ts';
import type { User, UserRepository } from '../repositories/user-repository.ts';
import { principalFromUser, type Principal } from './principal.ts';

const ACTION = 'auth.sign-in.oidc';
const SCOPE = 'openid email profile';
/** Discovered provider metadata is kept this long before being fetched again. */
const DISCOVERY_TTL_MS = 60 * 60_000;
/** Seconds to wait for the identity provider (discovery, token and userinfo requests). */
const PROVIDER_TIMEOUT_SECONDS = 10;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What the browser must carry (in the server-side session) from the start of sign-in to the callback. */
export interface OidcExpectation {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type OidcFailureReason =
  | 'unknown-organisation'
  | 'organisation-unavailable'
  | 'provider-unreachable'
  | 'session-expired'
  | 'state-mismatch'
  | 'nonce-mismatch'
  | 'provider-error'
  | 'invalid-response'
  | 'email-unverified'
  | 'no-account'
  | 'other-organisation'
  | 'subject-mismatch'
  | 'deactivated';

export interface OidcFailure {
  ok: false;
  reason: OidcFailureReason;
  /** Safe to show to the person signing in. */
  message: string;
  /** Suggested HTTP status for the page that shows the message. */
  status: 401 | 403 | 404 | 502;
  organisationName?: string;
}

export type OidcBegin = ({ ok: true; url: URL } & OidcExpectation) | OidcFailure;
export type OidcComplete = { ok: true; principal: Principal } | OidcFailure;

interface CachedConfiguration {
  key: string;
  loadedAt: number;
  configuration: Promise<client.Configuration>;
}

/** A refusal the service decided on: audited, then shown to the person with `message`. */
class Refusal extends Error {
  readonly reason: OidcFailureReason;
  readonly outcome: AuditOutcome;
  readonly auditReason: string;
  readonly details: Record<string, unknown>;
  constructor(
    reason: OidcFailureReason,
    outcome: AuditOutcome,
    auditReason: string,
    details: Record<string, unknown> = {},
  ) {
    super(auditReason);
    this.name = 'Refusal';
    this.reason = reason;
    this.outcome = outcome;
    this.auditReason = auditReason;
    this.details = details;
  }
}

function statusFor(reason: OidcFailureReason): OidcFailure['status'] {
  switch (reason) {
    case 'unknown-organisation':
      return 404;
    case 'provider-unreachable':
      return 502;
    case 'session-expired':
    case 'state-mismatch':
    case 'nonce-mismatch':
    case 'provider-error':
    case 'invalid-response':
      return 401;
    default:
      return 403;
  }
}

function messageFor(reason: OidcFailureReason, orgName: string, email: string | undefined, providerError?: string): string {
  const admin = `ask your organisation's Team Around administrator`;
  switch (reason) {
    case 'unknown-organisation':
      return 'Team Around does not know this organisation.';
    case 'organisation-unavailable':
      return `Signing in through ${orgName} is not available at the moment. Sign in with your email address and password instead, or ${admin}.`;
    case 'provider-unreachable':
      return `Team Around could not reach the ${orgName} sign-in service. Try again later, or sign in with your email address and password.`;
    case 'session-expired':
    case 'state-mismatch':
    case 'nonce-mismatch':
      return 'Your sign-in could not be completed. It may have taken too long, or been started in another browser window. Start signing in again.';
    case 'provider-error':
      return providerError === 'access_denied'
        ? `The ${orgName} sign-in service did not sign you in, so you have not been signed in to Team Around. Start signing in again if you cancelled by mistake.`
        : `The ${orgName} sign-in service could not sign you in. Try again, or sign in with your email address and password.`;
    case 'invalid-response':
      return `Team Around could not check the response from the ${orgName} sign-in service, so you have not been signed in. Start signing in again. If this keeps happening, ${admin}.`;
    case 'email-unverified':
      return `The ${orgName} sign-in service has not confirmed your email address, so Team Around cannot match it to your account. ${capitalise(admin)}.`;
    case 'no-account':
      return `There is no Team Around account for ${email ?? 'you'} at ${orgName}. To use Team Around, ${admin} to add you.`;
    case 'other-organisation':
      return `Your Team Around account belongs to a different organisation, not ${orgName}. Sign in through your own organisation, or with your email address and password.`;
    case 'subject-mismatch':
      return `Your Team Around account is linked to a different ${orgName} sign-in. ${capitalise(admin)}.`;
    case 'deactivated':
      return `Your Team Around account has been deactivated. If you still need access, ${admin}.`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function clip(value: unknown, max = 200): string | undefined {
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

function userActor(u: User): Actor {
  return { userId: u.id, label: u.email, organisationId: u.organisationId, roles: u.roles };
}

/**
 * Sign-in through an agency's own OpenID Connect identity provider: the authorization code flow
 * with PKCE (S256), state and nonce. The provider proves who the person is (including any second
 * factor); Team Around then admits them only to an account an administrator already created in
 * that same organisation. Every outcome is audited.
 */
export class OidcService {
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #audit: AuditService;
  readonly #box: SecretBox;
  readonly #config: Config;
  readonly #now: () => Date;
  readonly #cache = new Map<string, CachedConfiguration>();

  constructor(deps: {
    organisations: OrganisationRepository;
    users: UserRepository;
    audit: AuditService;
    secretBox: SecretBox;
    config: Config;
    now?: () => Date;
  }) {
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#audit = deps.audit;
    this.#box = deps.secretBox;
    this.#config = deps.config;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Builds the address of the provider's authorization endpoint and the values to keep until the callback. */
  async begin(organisationId: string, redirectUri: string, ctx?: AuditContext): Promise<OidcBegin> {
    const org = await this.#orgs.findById(organisationId);
    if (!org) return this.#refused(organisationId, new Refusal('unknown-organisation', 'failure', 'no such organisation'), ctx);
    try {
      this.#checkOrganisation(org);
      const configuration = await this.#protocol('starting sign-in', () => this.#configuration(org));
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { ok: true, url, state, nonce, codeVerifier };
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      return this.#refused(org, err, ctx);
    }
  }

  /**
   * Checks the provider's response to the redirect URI, exchanges the code, and finds the
   * practitioner. `currentUrl` is the callback address as the browser requested it (only its
   * query is used: the address itself is always `redirectUri`); `expected` is what `begin`
   * returned for this browser, or undefined if the session no longer has it.
   */
  async complete(
    organisationId: string | undefined,
    currentUrl: URL,
    expected: OidcExpectation | undefined,
    redirectUri: string,
    ctx: AuditContext,
  ): Promise<OidcComplete> {
    if (!organisationId || !expected) {
      return this.#refused(
        organisationId,
        new Refusal('session-expired', 'failure', 'no sign-in in progress for this browser (session expired, or the callback was replayed)'),
        ctx,
      );
    }
    const org = await this.#orgs.findById(organisationId);
    if (!org) return this.#refused(organisationId, new Refusal('unknown-organisation', 'failure', 'organisation no longer exists'), ctx);
    const params = currentUrl.searchParams;
    let claims: { sub: string; email: string | undefined; emailVerified: unknown } | undefined;
    try {
      const state = params.get('state');
      if (!state || !safeEqual(state, expected.state)) {
        throw new Refusal('state-mismatch', 'failure', 'state returned by the identity provider does not match the one sent');
      }
      this.#checkOrganisation(org);
      const error = params.get('error');
      if (error) {
        throw new Refusal('provider-error', 'failure', `identity provider returned an error: ${clip(error, 100)}`, {
          error: clip(error, 100),
          errorDescription: clip(params.get('error_description')),
        });
      }
      claims = await this.#protocol('completing sign-in', async () => {
        const configuration = await this.#configuration(org);
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = params.toString();
        const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          pkceCodeVerifier: expected.codeVerifier,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) throw new Refusal('invalid-response', 'failure', 'identity provider returned no ID token');
        let email: unknown = idToken.email;
        let emailVerified: unknown = idToken.email_verified;
        // Many providers put only `sub` in the ID token and give the rest from the userinfo endpoint.
        if (email === undefined && configuration.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
          email = info.email;
          emailVerified = info.email_verified;
        }
        return {
          sub: idToken.sub,
          email: typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined,
          emailVerified,
        };
      });
      const user = await this.#match(org, claims.sub, claims.email, claims.emailVerified);
      return await this.#admit(org, user, claims.sub, ctx);
    } catch (err) {
      // Refusals are expected outcomes; anything else (the database, say) is a fault for the error page.
      if (!(err instanceof Refusal)) throw err;
      return this.#refused(org, err, ctx, claims);
    }
  }

  /** Refuses (and audits) a callback whose parameters are not a valid authorization response. */
  async malformedCallback(organisationId: string | undefined, ctx: AuditContext): Promise<OidcFailure> {
    return this.#refused(
      organisationId,
      new Refusal('invalid-response', 'failure', 'callback parameters are missing, repeated or too long'),
      ctx,
    );
  }

  // ----- matching -----

  async #match(org: Organisation, sub: string, email: string | undefined, emailVerified: unknown): Promise<User> {
    const bySubject = await this.#users.findByOidcSubject(org.id, sub);
    if (bySubject) return bySubject;
    if (!email) {
      throw new Refusal('no-account', 'denied', 'no account linked to this identity and the identity provider gave no email address');
    }
    if (emailVerified === false || emailVerified === 'false') {
      throw new Refusal('email-unverified', 'denied', 'identity provider says the email address is not verified');
    }
    const byEmail = await this.#users.findByEmail(email);
    if (!byEmail) throw new Refusal('no-account', 'denied', 'no Team Around account with this email address');
    if (byEmail.organisationId !== org.id) {
      throw new Refusal('other-organisation', 'denied', 'the account with this email address belongs to another organisation', {
        accountOrganisationId: byEmail.organisationId,
      });
    }
    if (byEmail.oidcSubject && byEmail.oidcSubject !== sub) {
      throw new Refusal('subject-mismatch', 'denied', 'the account is already linked to a different identity at this provider');
    }
    return byEmail;
  }

  async #admit(org: Organisation, found: User, sub: string, ctx: AuditContext): Promise<OidcComplete> {
    const actor = userActor(found);
    if (found.status === 'deactivated') {
      await this.#audit.record({
        actor,
        action: ACTION,
        outcome: 'denied',
        reason: 'account is deactivated',
        subjectType: 'practitioner',
        subjectId: found.id,
        details: { via: 'oidc', organisationId: org.id, issuer: org.oidcIssuer, subject: sub },
        context: ctx,
      });
      return this.#fail('deactivated', org);
    }
    const now = this.#now();
    const linked = !found.oidcSubject;
    if (linked) await this.#users.linkOidcSubject(found.id, sub, now);
    const activated = found.status === 'invited';
    if (activated) await this.#users.setStatus(found.id, 'active', now);
    await this.#users.recordSuccess(found.id, now);
    const user = (await this.#users.findById(found.id)) ?? found;
    await this.#audit.record({
      actor: userActor(user),
      action: ACTION,
      outcome: 'success',
      reason: `signed in through ${org.name}'s identity provider`,
      subjectType: 'practitioner',
      subjectId: user.id,
      details: { via: 'oidc', organisationId: org.id, issuer: org.oidcIssuer, subject: sub, linked, activated },
      context: ctx,
    });
    return { ok: true, principal: principalFromUser(user, 'oidc') };
  }

  // ----- provider configuration -----

  #checkOrganisation(org: Organisation): void {
    if (!org.active) throw new Refusal('organisation-unavailable', 'denied', 'organisation is not active');
    if (!org.oidcIssuer || !org.oidcClientId) {
      throw new Refusal('organisation-unavailable', 'denied', 'organisation has no identity provider configured');
    }
  }

  #allowsInsecure(issuer: URL): boolean {
    return LOCAL_HOSTS.has(issuer.hostname) || this.#config.env !== 'production';
  }

  async #configuration(org: Organisation): Promise<client.Configuration> {
    const issuer = org.oidcIssuer!;
    const clientId = org.oidcClientId!;
    const key = JSON.stringify([issuer, clientId, org.oidcClientSecret]);
    const cached = this.#cache.get(org.id);
    if (cached && cached.key === key && Date.now() - cached.loadedAt < DISCOVERY_TTL_MS) return cached.configuration;
    const configuration = this.#discover(issuer, clientId, org.oidcClientSecret);
    this.#cache.set(org.id, { key, loadedAt: Date.now(), configuration });
    // A failed discovery is not cached: the next attempt tries again.
    configuration.catch(() => {
      if (this.#cache.get(org.id)?.configuration === configuration) this.#cache.delete(org.id);
    });
    return configuration;
  }

  async #discover(issuer: string, clientId: string, sealedSecret: string | null): Promise<client.Configuration> {
    let issuerUrl: URL;
    try {
      issuerUrl = new URL(issuer);
    } catch {
      throw new Refusal('organisation-unavailable', 'failure', 'identity provider address is not a valid URL');
    }
    const insecure = issuerUrl.protocol === 'http:';
    if (insecure && !this.#allowsInsecure(issuerUrl)) {
      throw new Refusal('organisation-unavailable', 'failure', 'identity provider address must use https');
    }
    let secret: string | undefined;
    try {
      secret = sealedSecret ? this.#box.decrypt(sealedSecret) : undefined;
    } catch {
      throw new Refusal('organisation-unavailable', 'failure', 'stored client secret cannot be decrypted (application secret changed?)');
    }
    const execute = insecure ? [client.allowInsecureRequests] : [];
    let discovered: client.Configuration;
    try {
      discovered = await client.discovery(issuerUrl, clientId, secret, undefined, {
        execute,
        timeout: PROVIDER_TIMEOUT_SECONDS,
      });
    } catch (err) {
      throw new Refusal('provider-unreachable', 'failure', `identity provider discovery failed: ${describeError(err)}`);
    }
    // Client authentication at the token endpoint: HTTP Basic unless the provider only takes the secret in the body.
    const metadata = discovered.serverMetadata();
    const methods = metadata.token_endpoint_auth_methods_supported;
    const auth = !secret
      ? client.None()
      : !methods || methods.includes('client_secret_basic') || !methods.includes('client_secret_post')
        ? client.ClientSecretBasic(secret)
        : client.ClientSecretPost(secret);
    const configuration = new client.Configuration(metadata, clientId, secret, auth);
    configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
    for (const fn of execute) fn(configuration);
    return configuration;
  }

  // ----- failures -----

  /** Runs a conversation with the identity provider, turning anything it throws into a refusal. */
  async #protocol<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#asRefusal(err, stage);
    }
  }

  #asRefusal(err: unknown, stage: string): Refusal {
    if (err instanceof Refusal) return err;
    if (err instanceof client.AuthorizationResponseError) {
      return new Refusal('provider-error', 'failure', `identity provider returned an error: ${clip(err.error, 100)}`, {
        error: clip(err.error, 100),
        errorDescription: clip(err.error_description),
      });
    }
    if (err instanceof client.ResponseBodyError) {
      return new Refusal('invalid-response', 'failure', `identity provider refused the request while ${stage}: ${clip(err.error, 100)}`, {
        error: clip(err.error, 100),
        errorDescription: clip(err.error_description),
      });
    }
    if (err instanceof client.WWWAuthenticateChallengeError) {
      // e.g. a 401 from the token endpoint with `WWW-Authenticate: Basic error="invalid_client"`.
      const error = clip(err.cause.find((c) => c.parameters.error)?.parameters.error, 100) ?? `HTTP ${err.status}`;
      return new Refusal('invalid-response', 'failure', `identity provider refused the request while ${stage}: ${error}`, {
        error,
      });
    }
    const code = (err as { code?: unknown })?.code;
    const claim = ((err as { cause?: unknown })?.cause as { claim?: unknown } | undefined)?.claim;
    if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'nonce') {
      return new Refusal('nonce-mismatch', 'failure', 'ID token nonce does not match the one sent');
    }
    if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
      return new Refusal('provider-unreachable', 'failure', `identity provider could not be reached while ${stage}`);
    }
    if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return new Refusal('provider-unreachable', 'failure', `identity provider did not answer in time while ${stage}`);
    }
    return new Refusal('invalid-response', 'failure', `identity provider response rejected while ${stage}: ${describeError(err)}`);
  }

  async #refused(
    target: Organisation | string | undefined,
    refusal: Refusal,
    ctx: AuditContext | undefined,
    claims?: { sub: string; email: string | undefined },
  ): Promise<OidcFailure> {
    const org = typeof target === 'object' ? target : undefined;
    const organisationId = org?.id ?? (typeof target === 'string' ? target.slice(0, 100) : null);
    const actor: Actor = {
      userId: null,
      label: claims?.email ?? (claims ? `oidc:${claims.sub.slice(0, 150)}` : 'anonymous'),
      organisationId: org?.id ?? null,
      roles: [],
    };
    await this.#audit.record({
      actor,
      action: ACTION,
      outcome: refusal.outcome,
      reason: refusal.auditReason.slice(0, 500),
      subjectType: organisationId ? 'organisation' : null,
      subjectId: organisationId,
      details: { via: 'oidc', organisationId, issuer: org?.oidcIssuer ?? null, subject: claims?.sub ?? null, ...refusal.details },
      context: ctx,
    });
    return this.#fail(refusal.reason, org, claims?.email, refusal.details.error as string | undefined);
  }

  #fail(reason: OidcFailureReason, org: Organisation | undefined, email?: string, providerError?: string): OidcFailure {
    return {
      ok: false,
      reason,
      message: messageFor(reason, org?.name ?? 'your organisation', email, providerError),
      status: statusFor(reason),
      ...(org ? { organisationName: org.name } : {}),
    };
  }
}

/** A short description of an error for the audit log: its code and message, never a token. */
function describeError(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 300);
}
