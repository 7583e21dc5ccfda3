import { z } from 'zod';
import { newId } from '../ids.ts';
import type { AuditContext, AuditService } from '../audit/audit-service.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { OrganisationRepository, Organisation, Team, OrganisationType } from '../repositories/organisation-repository.ts';
import type { UserRepository, User, UserListFilter } from '../repositories/user-repository.ts';
import type { AuthService } from './auth-service.ts';
import {
  actorOf,
  ForbiddenError,
  hasRole,
  NotFoundError,
  ROLES,
  ValidationError,
  type Principal,
} from './principal.ts';
import { email, optionalTrimmed, OFFICIAL_CODE_RULES, stringList, trimmed, ukPhone } from './validation.ts';

export const organisationSchema = z
  .object({
    name: trimmed('the organisation name'),
    typeCode: z.string({ error: 'Select the type of organisation' }).min(1, 'Select the type of organisation'),
    officialCode: z
      .string({ error: 'Enter the official code' })
      .trim()
      .min(1, 'Enter the official code')
      .transform((v) => v.toUpperCase()),
    emailDomain: optionalTrimmed('the email domain', 100).refine(
      (v) => v === null || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v),
      'Enter an email domain like police.example.org',
    ),
    oidcIssuer: optionalTrimmed('the identity provider address', 300).refine(
      (v) => v === null || /^https?:\/\/[^\s]+$/.test(v),
      'Enter the identity provider address as a URL, like https://login.example.org',
    ),
    oidcClientId: optionalTrimmed('the client id', 200),
    oidcClientSecret: optionalTrimmed('the client secret', 500),
    active: z
      .union([z.boolean(), z.enum(['true', 'false'])])
      .optional()
      .transform((v) => v === undefined || v === true || v === 'true'),
  })
  .superRefine((v, ctx) => {
    const rule = OFFICIAL_CODE_RULES[v.typeCode];
    if (!rule) {
      ctx.addIssue({ code: 'custom', path: ['typeCode'], message: 'Select the type of organisation' });
    } else if (!rule.pattern.test(v.officialCode)) {
      ctx.addIssue({ code: 'custom', path: ['officialCode'], message: `Enter ${rule.example}` });
    }
    if (v.oidcIssuer && !v.oidcClientId) {
      ctx.addIssue({ code: 'custom', path: ['oidcClientId'], message: 'Enter the client id the identity provider gave you' });
    }
  });
export type OrganisationInput = z.input<typeof organisationSchema>;

export const teamSchema = z.object({
  name: trimmed('the team name', 120),
  email: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.toLowerCase() : null))
    .refine((v) => v === null || z.email().safeParse(v).success, 'Enter the team email address in the correct format'),
  phone: ukPhone,
});
export type TeamInput = z.input<typeof teamSchema>;

const roleList = stringList.refine((v) => v.every((r) => (ROLES as readonly string[]).includes(r)), 'Select roles from the list');

export const inviteSchema = z.object({
  email,
  displayName: trimmed('their full name', 120),
  organisationId: z.string({ error: 'Select their organisation' }).uuid('Select their organisation'),
  jobTitle: optionalTrimmed('the job title', 120),
  phone: ukPhone,
  roles: roleList.refine((v) => v.length > 0, 'Select at least one role'),
  teamIds: stringList,
});
export type InviteInput = z.input<typeof inviteSchema>;

export const updateUserSchema = inviteSchema.omit({ email: true, organisationId: true });
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'form';
    fields[key] ??= issue.message;
  }
  throw new ValidationError(fields);
}

/**
 * Organisations, teams and practitioners. Only system administrators may change them; every
 * change, and every look at practitioners' details, is audited.
 */
export class AdminService {
  readonly #orgs: OrganisationRepository;
  readonly #users: UserRepository;
  readonly #auth: AuthService;
  readonly #audit: AuditService;
  readonly #box: SecretBox;
  readonly #now: () => Date;

  constructor(deps: {
    organisations: OrganisationRepository;
    users: UserRepository;
    auth: AuthService;
    audit: AuditService;
    secretBox: SecretBox;
    now?: () => Date;
  }) {
    this.#orgs = deps.organisations;
    this.#users = deps.users;
    this.#auth = deps.auth;
    this.#audit = deps.audit;
    this.#box = deps.secretBox;
    this.#now = deps.now ?? (() => new Date());
  }

  async #authorise(p: Principal, action: string, ctx: AuditContext, subject?: { type: string; id: string }) {
    if (hasRole(p, 'system_admin')) return;
    await this.#audit.record({
      actor: actorOf(p),
      action,
      outcome: 'denied',
      subjectType: subject?.type,
      subjectId: subject?.id,
      reason: 'system administrator role required',
      context: ctx,
    });
    throw new ForbiddenError('Only a system administrator can do that');
  }

  async #record(
    p: Principal,
    action: string,
    ctx: AuditContext,
    subject?: { type: string; id: string },
    details?: Record<string, unknown>,
  ) {
    await this.#audit.record({
      actor: actorOf(p),
      action,
      outcome: 'success',
      subjectType: subject?.type,
      subjectId: subject?.id,
      details,
      context: ctx,
    });
  }

  // ----- organisations -----

  async organisationTypes(): Promise<OrganisationType[]> {
    return this.#orgs.types();
  }

  async listOrganisations(p: Principal, ctx: AuditContext): Promise<Array<Organisation & { userCount: number }>> {
    await this.#authorise(p, 'admin.organisation.list', ctx);
    const [orgs, counts] = await Promise.all([this.#orgs.list(), this.#users.countByOrganisation()]);
    return orgs.map((o) => ({ ...o, userCount: counts.get(o.id) ?? 0 }));
  }

  async getOrganisation(p: Principal, id: string, ctx: AuditContext): Promise<Organisation> {
    await this.#authorise(p, 'admin.organisation.view', ctx, { type: 'organisation', id });
    const org = await this.#orgs.findById(id);
    if (!org) throw new NotFoundError('No such organisation');
    return org;
  }

  async #checkOrganisationUnique(v: z.output<typeof organisationSchema>, exceptId?: string) {
    const byName = await this.#orgs.findByName(v.name);
    if (byName && byName.id !== exceptId) throw new ValidationError({ name: `${byName.name} already exists` });
    const byCode = await this.#orgs.findByCode(v.typeCode, v.officialCode);
    if (byCode && byCode.id !== exceptId) {
      throw new ValidationError({ officialCode: `${byCode.name} already has the code ${v.officialCode}` });
    }
  }

  async createOrganisation(p: Principal, input: unknown, ctx: AuditContext): Promise<Organisation> {
    await this.#authorise(p, 'admin.organisation.create', ctx);
    const v = parseOrThrow(organisationSchema, input);
    await this.#checkOrganisationUnique(v);
    const id = newId();
    await this.#orgs.insert(
      id,
      { ...v, oidcClientSecret: v.oidcClientSecret ? this.#box.encrypt(v.oidcClientSecret) : null },
      this.#now(),
    );
    await this.#record(p, 'admin.organisation.create', ctx, { type: 'organisation', id }, {
      name: v.name,
      typeCode: v.typeCode,
      officialCode: v.officialCode,
      oidc: Boolean(v.oidcIssuer),
    });
    return (await this.#orgs.findById(id))!;
  }

  async updateOrganisation(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<Organisation> {
    await this.#authorise(p, 'admin.organisation.update', ctx, { type: 'organisation', id });
    const existing = await this.#orgs.findById(id);
    if (!existing) throw new NotFoundError('No such organisation');
    const v = parseOrThrow(organisationSchema, input);
    await this.#checkOrganisationUnique(v, id);
    // A blank secret on the form keeps the stored one; clearing the issuer clears it.
    const secret = v.oidcIssuer ? (v.oidcClientSecret ? this.#box.encrypt(v.oidcClientSecret) : undefined) : null;
    await this.#orgs.update(id, { ...v, oidcClientSecret: secret }, this.#now());
    const changed = (['name', 'typeCode', 'officialCode', 'emailDomain', 'oidcIssuer', 'oidcClientId', 'active'] as const).filter(
      (k) => existing[k] !== v[k],
    );
    if (v.oidcClientSecret) changed.push('oidcClientSecret' as never);
    await this.#record(p, 'admin.organisation.update', ctx, { type: 'organisation', id }, { changed });
    return (await this.#orgs.findById(id))!;
  }

  // ----- teams -----

  async listTeams(p: Principal, organisationId: string, ctx: AuditContext): Promise<Team[]> {
    await this.#authorise(p, 'admin.team.list', ctx, { type: 'organisation', id: organisationId });
    return this.#orgs.teams(organisationId);
  }

  async allTeams(): Promise<Team[]> {
    return this.#orgs.teams();
  }

  async createTeam(p: Principal, organisationId: string, input: unknown, ctx: AuditContext): Promise<Team> {
    await this.#authorise(p, 'admin.team.create', ctx, { type: 'organisation', id: organisationId });
    if (!(await this.#orgs.findById(organisationId))) throw new NotFoundError('No such organisation');
    const v = parseOrThrow(teamSchema, input);
    if (await this.#orgs.teamNameTaken(organisationId, v.name)) {
      throw new ValidationError({ name: `This organisation already has a team called ${v.name}` });
    }
    const id = newId();
    await this.#orgs.insertTeam({ id, organisationId, ...v }, this.#now());
    await this.#record(p, 'admin.team.create', ctx, { type: 'team', id }, { organisationId, name: v.name });
    return (await this.#orgs.findTeam(id))!;
  }

  // ----- practitioners -----

  async listUsers(p: Principal, filter: UserListFilter, ctx: AuditContext): Promise<User[]> {
    await this.#authorise(p, 'admin.practitioner.list', ctx);
    const users = await this.#users.list(filter);
    await this.#record(p, 'admin.practitioner.list', ctx, undefined, {
      organisationId: filter.organisationId ?? null,
      text: filter.text ? '(search)' : null,
      results: users.length,
    });
    return users;
  }

  async getUser(p: Principal, id: string, ctx: AuditContext): Promise<User> {
    await this.#authorise(p, 'admin.practitioner.view', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    await this.#record(p, 'admin.practitioner.view', ctx, { type: 'practitioner', id });
    return u;
  }

  async #checkTeams(organisationId: string, teamIds: string[]) {
    if (teamIds.length === 0) return;
    const teams = await this.#orgs.teams(organisationId);
    const known = new Set(teams.map((t) => t.id));
    if (!teamIds.every((t) => known.has(t))) {
      throw new ValidationError({ teamIds: 'Select teams that belong to their organisation' });
    }
  }

  async invite(
    p: Principal,
    input: unknown,
    ctx: AuditContext,
  ): Promise<{ user: User; invitationToken: string; expiresAt: Date }> {
    await this.#authorise(p, 'admin.practitioner.invite', ctx);
    const v = parseOrThrow(inviteSchema, input);
    if (!(await this.#orgs.findById(v.organisationId))) throw new ValidationError({ organisationId: 'Select their organisation' });
    if (await this.#users.findByEmail(v.email)) {
      throw new ValidationError({ email: 'A practitioner with this email address already exists' });
    }
    await this.#checkTeams(v.organisationId, v.teamIds);
    const id = newId();
    await this.#users.insert({ id, ...v, status: 'invited' }, this.#now());
    const { token, expiresAt } = await this.#auth.createInvitation(id, actorOf(p));
    await this.#record(p, 'admin.practitioner.invite', ctx, { type: 'practitioner', id }, {
      organisationId: v.organisationId,
      roles: v.roles,
      teamIds: v.teamIds,
    });
    return { user: (await this.#users.findById(id))!, invitationToken: token, expiresAt };
  }

  async reinvite(p: Principal, id: string, ctx: AuditContext): Promise<{ invitationToken: string; expiresAt: Date }> {
    await this.#authorise(p, 'admin.practitioner.reinvite', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    if (u.status !== 'invited') throw new ValidationError({ status: 'Only a practitioner who has not yet accepted can be invited again' });
    const { token, expiresAt } = await this.#auth.createInvitation(id, actorOf(p));
    await this.#record(p, 'admin.practitioner.reinvite', ctx, { type: 'practitioner', id });
    return { invitationToken: token, expiresAt };
  }

  async updateUser(p: Principal, id: string, input: unknown, ctx: AuditContext): Promise<User> {
    await this.#authorise(p, 'admin.practitioner.update', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    const v = parseOrThrow(updateUserSchema, input);
    await this.#checkTeams(u.organisationId, v.teamIds);
    if (u.id === p.userId && u.roles.includes('system_admin') && !v.roles.includes('system_admin')) {
      throw new ValidationError({ roles: 'You cannot remove your own system administrator role' });
    }
    await this.#users.updateProfile(id, v, this.#now());
    const rolesAdded = v.roles.filter((r) => !u.roles.includes(r));
    const rolesRemoved = u.roles.filter((r) => !v.roles.includes(r));
    await this.#record(p, 'admin.practitioner.update', ctx, { type: 'practitioner', id }, {
      rolesAdded,
      rolesRemoved,
      teamIds: v.teamIds,
    });
    return (await this.#users.findById(id))!;
  }

  async deactivate(p: Principal, id: string, reason: string, ctx: AuditContext): Promise<void> {
    await this.#authorise(p, 'admin.practitioner.deactivate', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    if (u.id === p.userId) throw new ValidationError({ reason: 'You cannot deactivate your own account' });
    const why = reason.trim();
    if (!why) throw new ValidationError({ reason: 'Enter why the account is being deactivated' });
    await this.#users.setStatus(id, 'deactivated', this.#now());
    const sessions = await this.#auth.endSessionsOf(id);
    await this.#audit.record({
      actor: actorOf(p),
      action: 'admin.practitioner.deactivate',
      outcome: 'success',
      subjectType: 'practitioner',
      subjectId: id,
      reason: why.slice(0, 500),
      details: { sessionsEnded: sessions },
      context: ctx,
    });
  }

  async reactivate(p: Principal, id: string, ctx: AuditContext): Promise<void> {
    await this.#authorise(p, 'admin.practitioner.reactivate', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    if (u.status !== 'deactivated') throw new ValidationError({ status: 'This account is not deactivated' });
    await this.#users.setStatus(id, u.passwordHash ? 'active' : 'invited', this.#now());
    await this.#record(p, 'admin.practitioner.reactivate', ctx, { type: 'practitioner', id });
  }

  async resetSecondFactor(p: Principal, id: string, ctx: AuditContext): Promise<void> {
    await this.#authorise(p, 'admin.practitioner.reset-2fa', ctx, { type: 'practitioner', id });
    const u = await this.#users.findById(id);
    if (!u) throw new NotFoundError('No such practitioner');
    await this.#users.setTotp(id, null, null, this.#now());
    const sessions = await this.#auth.endSessionsOf(id);
    await this.#record(p, 'admin.practitioner.reset-2fa', ctx, { type: 'practitioner', id }, { sessionsEnded: sessions });
  }

  async unlock(p: Principal, id: string, ctx: AuditContext): Promise<void> {
    await this.#authorise(p, 'admin.practitioner.unlock', ctx, { type: 'practitioner', id });
    if (!(await this.#users.findById(id))) throw new NotFoundError('No such practitioner');
    await this.#users.unlock(id, this.#now());
    await this.#record(p, 'admin.practitioner.unlock', ctx, { type: 'practitioner', id });
  }

  async roles() {
    return this.#users.roles();
  }
}
