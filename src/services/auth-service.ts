import QRCode from 'qrcode';
import type { Config } from '../config.ts';
import { newId } from '../ids.ts';
import { SYSTEM_ACTOR, type AuditContext, type AuditService, type Actor } from '../audit/audit-service.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { hashToken, newOpaqueToken, type SecretBox } from '../auth/secrets.ts';
import { generateTotpSecret, otpauthUri, verifyTotp } from '../auth/totp.ts';
import type { CredentialRepository } from '../repositories/credential-repository.ts';
import { principalGeneration } from '../repositories/principal-changes.ts';
import type { SessionRepository } from '../repositories/session-repository.ts';
import type { User, UserRepository } from '../repositories/user-repository.ts';
import { principalFromUser, ValidationError, type Principal } from './principal.ts';

export type PasswordStep =
  | { ok: true; userId: string; next: 'totp' | 'enrol' }
  | { ok: false; reason: 'invalid' | 'locked'; lockedUntil?: Date };

export type SecondFactorStep = { ok: true; principal: Principal } | { ok: false; reason: 'invalid' | 'locked' };

export interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** At most this many API tokens' principals are kept (the oldest goes first). */
const TOKEN_CACHE_MAX = 10_000;

function userActor(u: User): Actor {
  return { userId: u.id, label: u.email, organisationId: u.organisationId, roles: u.roles };
}

/** Sign-in with password and TOTP, invitations, API tokens. Every outcome is audited. */
export class AuthService {
  readonly #users: UserRepository;
  readonly #credentials: CredentialRepository;
  readonly #sessions: SessionRepository;
  readonly #audit: AuditService;
  readonly #box: SecretBox;
  readonly #config: Config;
  readonly #now: () => Date;
  /**
   * Principals of API tokens seen in the last few seconds (config.apiTokenCacheMs), by token hash,
   * so that an agency system calling many times a second is not looked up every time. An entry
   * ends at once when anything about principals changes in this process (principal-changes.ts),
   * when its token expires, or after apiTokenCacheMs; other processes' changes reach it within
   * apiTokenCacheMs (decision 0011). Unknown, revoked or expired tokens are never kept.
   */
  readonly #tokenCache = new Map<string, { principal: Principal; generation: number; untilMs: number }>();
  readonly #tokenCacheMs: number;

  constructor(deps: {
    users: UserRepository;
    credentials: CredentialRepository;
    sessions: SessionRepository;
    audit: AuditService;
    secretBox: SecretBox;
    config: Config;
    now?: () => Date;
  }) {
    this.#users = deps.users;
    this.#credentials = deps.credentials;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#box = deps.secretBox;
    this.#config = deps.config;
    this.#now = deps.now ?? (() => new Date());
    this.#tokenCacheMs = deps.config.apiTokenCacheMs;
  }

  #lockUntil(): Date {
    return new Date(this.#now().getTime() + this.#config.signIn.lockMinutes * 60_000);
  }

  async signInWithPassword(email: string, password: string, ctx: AuditContext): Promise<PasswordStep> {
    const user = await this.#users.findByEmail(email);
    const now = this.#now();
    if (!user) {
      await verifyPassword(null, password);
      await this.#audit.record({
        actor: { ...SYSTEM_ACTOR, label: email.trim().toLowerCase().slice(0, 200) },
        action: 'auth.sign-in.password',
        outcome: 'failure',
        reason: 'no account with that email address',
        context: ctx,
      });
      return { ok: false, reason: 'invalid' };
    }
    const actor = userActor(user);
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.#audit.record({
        actor,
        action: 'auth.sign-in.password',
        outcome: 'denied',
        reason: 'account locked after repeated failures',
        context: ctx,
      });
      return { ok: false, reason: 'locked', lockedUntil: user.lockedUntil };
    }
    const passwordOk = await verifyPassword(user.passwordHash, password);
    if (!passwordOk || user.status !== 'active') {
      const { locked } = passwordOk
        ? { locked: false }
        : await this.#users.recordFailure(user.id, this.#config.signIn.maxFailures, this.#lockUntil());
      await this.#audit.record({
        actor,
        action: 'auth.sign-in.password',
        outcome: 'failure',
        reason: !passwordOk
          ? `wrong password${locked ? '; account now locked' : ''}`
          : `account is ${user.status}`,
        context: ctx,
      });
      return locked ? { ok: false, reason: 'locked', lockedUntil: this.#lockUntil() } : { ok: false, reason: 'invalid' };
    }
    await this.#audit.record({
      actor,
      action: 'auth.sign-in.password',
      outcome: 'success',
      reason: user.totpSecret ? 'second factor required' : 'second factor enrolment required',
      context: ctx,
    });
    return { ok: true, userId: user.id, next: user.totpSecret ? 'totp' : 'enrol' };
  }

  async verifySecondFactor(userId: string, code: string, ctx: AuditContext): Promise<SecondFactorStep> {
    const user = await this.#users.findById(userId);
    const now = this.#now();
    if (!user || user.status !== 'active' || !user.totpSecret) return { ok: false, reason: 'invalid' };
    const actor = userActor(user);
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.#audit.record({ actor, action: 'auth.sign-in.totp', outcome: 'denied', reason: 'account locked', context: ctx });
      return { ok: false, reason: 'locked' };
    }
    const secret = this.#box.decrypt(user.totpSecret);
    const step = verifyTotp(secret, code.replace(/\s/g, ''), { nowMs: now.getTime(), lastUsedStep: user.totpLastStep });
    if (step === null || !(await this.#users.claimTotpStep(user.id, step))) {
      const { locked } = await this.#users.recordFailure(user.id, this.#config.signIn.maxFailures, this.#lockUntil());
      await this.#audit.record({
        actor,
        action: 'auth.sign-in.totp',
        outcome: 'failure',
        reason: `wrong or reused security code${locked ? '; account now locked' : ''}`,
        context: ctx,
      });
      return { ok: false, reason: locked ? 'locked' : 'invalid' };
    }
    await this.#users.recordSuccess(user.id, now);
    await this.#audit.record({ actor, action: 'auth.sign-in', outcome: 'success', reason: 'password and TOTP', context: ctx });
    return { ok: true, principal: principalFromUser(user, 'password') };
  }

  async beginEnrolment(userId: string): Promise<Enrolment> {
    const user = await this.#users.findById(userId);
    if (!user) throw new ValidationError({ user: 'Account not found' });
    const secret = generateTotpSecret();
    const uri = otpauthUri(secret, user.email);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, uri, qrSvg };
  }

  async enrolmentFor(userId: string, secret: string): Promise<Enrolment> {
    const user = await this.#users.findById(userId);
    if (!user) throw new ValidationError({ user: 'Account not found' });
    const uri = otpauthUri(secret, user.email);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, uri, qrSvg };
  }

  async completeEnrolment(userId: string, secret: string, code: string, ctx: AuditContext): Promise<SecondFactorStep> {
    const user = await this.#users.findById(userId);
    const now = this.#now();
    if (!user || user.status !== 'active') return { ok: false, reason: 'invalid' };
    const actor = userActor(user);
    const step = verifyTotp(secret, code.replace(/\s/g, ''), { nowMs: now.getTime() });
    if (step === null) {
      const { locked } = await this.#users.recordFailure(user.id, this.#config.signIn.maxFailures, this.#lockUntil());
      await this.#audit.record({
        actor,
        action: 'auth.totp.enrol',
        outcome: 'failure',
        reason: 'wrong security code while setting up the authenticator app',
        context: ctx,
      });
      return { ok: false, reason: locked ? 'locked' : 'invalid' };
    }
    await this.#users.setTotp(user.id, this.#box.encrypt(secret), step, now);
    await this.#users.recordSuccess(user.id, now);
    await this.#audit.record({ actor, action: 'auth.totp.enrol', outcome: 'success', context: ctx });
    await this.#audit.record({ actor, action: 'auth.sign-in', outcome: 'success', reason: 'password and new TOTP', context: ctx });
    return { ok: true, principal: principalFromUser(user, 'password') };
  }

  /** Loads the principal for a session on every request: a deactivated account stops at once. */
  async principal(userId: string, via: Principal['via']): Promise<Principal | undefined> {
    const user = await this.#users.findById(userId);
    if (!user || user.status !== 'active') return undefined;
    return principalFromUser(user, via);
  }

  async signedOut(p: Principal, ctx: AuditContext, reason = 'signed out'): Promise<void> {
    await this.#audit.record({
      actor: { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles },
      action: 'auth.sign-out',
      outcome: 'success',
      reason,
      context: ctx,
    });
  }

  // ----- invitations -----

  async invitation(token: string): Promise<{ user: User; invitationId: string } | { problem: string }> {
    const inv = await this.#credentials.findInvitation(hashToken(token));
    if (!inv) return { problem: 'This invitation link is not valid. Ask your administrator for a new one.' };
    if (inv.usedAt) return { problem: 'This invitation has already been used. Sign in instead.' };
    if (inv.expiresAt <= this.#now()) return { problem: 'This invitation has expired. Ask your administrator for a new one.' };
    const user = await this.#users.findById(inv.userId);
    if (!user || user.status === 'deactivated') return { problem: 'This account is no longer active.' };
    return { user, invitationId: inv.id };
  }

  async acceptInvitation(token: string, password: string, confirm: string, ctx: AuditContext): Promise<User> {
    const found = await this.invitation(token);
    if ('problem' in found) throw new ValidationError({ password: found.problem });
    const problem = passwordProblem(password);
    if (problem) throw new ValidationError({ password: problem });
    if (password !== confirm) throw new ValidationError({ confirmPassword: 'Passwords do not match' });
    const now = this.#now();
    if (!(await this.#credentials.useInvitation(found.invitationId, now))) {
      throw new ValidationError({ password: 'This invitation has already been used. Sign in instead.' });
    }
    await this.#users.setPassword(found.user.id, await hashPassword(password), now);
    await this.#audit.record({
      actor: userActor(found.user),
      action: 'auth.invitation.accept',
      outcome: 'success',
      subjectType: 'practitioner',
      subjectId: found.user.id,
      context: ctx,
    });
    return found.user;
  }

  async createInvitation(userId: string, createdBy: Actor): Promise<{ token: string; expiresAt: Date }> {
    const { token, hash } = newOpaqueToken('inv');
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + 7 * 24 * 3600_000);
    await this.#credentials.insertInvitation({
      id: newId(),
      userId,
      tokenHash: hash,
      createdBy: createdBy.userId,
      createdAt: now,
      expiresAt,
    });
    return { token, expiresAt };
  }

  // ----- API tokens -----

  async createApiToken(
    email: string,
    options: { expiresInMs?: number | null; name?: string; by: Actor; ctx?: AuditContext },
  ): Promise<{ token: string; expiresAt: Date | null; user: User }> {
    const user = await this.#users.findByEmail(email);
    if (!user) throw new ValidationError({ user: `No practitioner has the email address ${email}` });
    if (user.status !== 'active') throw new ValidationError({ user: `${email} is ${user.status}, not active` });
    const { token, hash } = newOpaqueToken('ta');
    const now = this.#now();
    const expiresAt = options.expiresInMs ? new Date(now.getTime() + options.expiresInMs) : null;
    const id = newId();
    await this.#credentials.insertApiToken({
      id,
      userId: user.id,
      name: options.name ?? 'API token',
      tokenHash: hash,
      createdAt: now,
      expiresAt,
    });
    await this.#audit.record({
      actor: options.by,
      action: 'api-token.create',
      outcome: 'success',
      subjectType: 'practitioner',
      subjectId: user.id,
      details: { tokenId: id, expiresAt: expiresAt?.toISOString() ?? null },
      context: options.ctx,
    });
    return { token, expiresAt, user };
  }

  async authenticateApiToken(token: string): Promise<Principal | undefined> {
    if (!/^ta_[A-Za-z0-9_-]{20,}$/.test(token)) return undefined;
    const tokenHash = hashToken(token);
    const nowMs = this.#now().getTime();
    const cached = this.#tokenCache.get(tokenHash);
    if (cached && cached.generation === principalGeneration() && cached.untilMs > nowMs) {
      return { ...cached.principal, roles: [...cached.principal.roles], teamIds: [...cached.principal.teamIds] };
    }
    if (cached) this.#tokenCache.delete(tokenHash);
    // The counter is read before the database: a change committed meanwhile makes this entry stale at once.
    const generation = principalGeneration();
    // One statement: the token, its owner (active only), their organisation, roles and teams, and the last-used touch.
    const owner = await this.#credentials.findLiveApiTokenOwner(tokenHash, new Date(nowMs));
    if (!owner) return undefined;
    const principal = principalFromUser(owner, 'api-token');
    if (this.#tokenCacheMs > 0) {
      if (this.#tokenCache.size >= TOKEN_CACHE_MAX) this.#tokenCache.delete(this.#tokenCache.keys().next().value!);
      const untilMs = Math.min(nowMs + this.#tokenCacheMs, owner.tokenExpiresAt?.getTime() ?? Infinity);
      this.#tokenCache.set(tokenHash, { principal, generation, untilMs });
    }
    return { ...principal, roles: [...principal.roles], teamIds: [...principal.teamIds] };
  }

  async endSessionsOf(userId: string): Promise<number> {
    return this.#sessions.destroyForUser(userId);
  }
}
