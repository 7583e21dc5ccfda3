import type { Actor } from '../audit/audit-service.ts';
import type { User } from '../repositories/user-repository.ts';

export const ROLES = ['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in practitioner or API caller, as every service sees them. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  organisationCode: string;
  roles: Role[];
  teamIds: string[];
  /** How they authenticated: password+TOTP, an agency's OIDC provider, or an API token. */
  via: 'password' | 'oidc' | 'api-token';
}

export function principalFromUser(
  u: Pick<User, 'id' | 'email' | 'displayName' | 'organisationId' | 'organisationName' | 'organisationType' | 'organisationCode' | 'roles' | 'teamIds'>,
  via: Principal['via'],
): Principal {
  return {
    userId: u.id,
    email: u.email,
    displayName: u.displayName,
    organisationId: u.organisationId,
    organisationName: u.organisationName,
    organisationType: u.organisationType,
    organisationCode: u.organisationCode,
    roles: u.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
    teamIds: u.teamIds,
    via,
  };
}

export function actorOf(p: Principal): Actor {
  return { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles };
}

export function hasRole(p: Principal | undefined, ...roles: Role[]): boolean {
  return Boolean(p && roles.some((r) => p.roles.includes(r)));
}

export class ForbiddenError extends Error {
  readonly status = 403;
  constructor(message = 'You do not have permission to do that') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends Error {
  readonly status = 404;
  constructor(message = 'Not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A business-rule failure that names the field at fault, shown next to it on a form or in an API error. */
export class ValidationError extends Error {
  readonly status = 400;
  readonly fields: Record<string, string>;
  constructor(fields: Record<string, string>) {
    super(Object.values(fields).join('; '));
    this.name = 'ValidationError';
    this.fields = fields;
  }
}
