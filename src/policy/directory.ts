/**
 * Who may do what in the service directory. Directory records are not about people, so these are
 * organisation-level rules (pure, beside `decide()`); referring a person to a service also passes
 * `decide()` for that person (action `share`), through the PolicyGate.
 */
import type { OrganisationRecordDecision, Requester } from './access-policy.ts';

const has = (r: Requester, role: string) => r.roles.includes(role);

/** The directory is kept by the partnership's administrators: they approve edits and import data. */
export function mayAdministerDirectory(r: Requester): OrganisationRecordDecision {
  if (has(r, 'system_admin')) return { allow: true, reason: 'a system administrator keeps the directory' };
  return { allow: false, reason: 'Only a system administrator can approve directory changes, import the directory or postcode centroids' };
}

/**
 * Proposing a change to a service (or a new one): staff of the organisation that owns it (a
 * practitioner or team manager), and the administrators. The change waits for an administrator's
 * approval before it is published either way.
 */
export function mayEditService(r: Requester, service: { ownerOrganisationId: string }): OrganisationRecordDecision {
  if (has(r, 'system_admin')) return { allow: true, reason: 'a system administrator' };
  if (r.organisationId !== service.ownerOrganisationId) return { allow: false, reason: 'Only staff of the organisation that provides this service can change its entry' };
  if (has(r, 'team_manager') || has(r, 'practitioner')) return { allow: true, reason: 'staff of the organisation that provides the service' };
  return { allow: false, reason: 'Only practitioners and team managers of the provider can change its entry' };
}

/**
 * Approving an edit: an administrator, never the person who proposed it (two people, always), so
 * an administrator's own change also needs another administrator.
 */
export function mayApproveEdit(r: Requester, edit: { submittedBy: string }): OrganisationRecordDecision {
  const admin = mayAdministerDirectory(r);
  if (!admin.allow) return admin;
  if (r.userId === edit.submittedBy) return { allow: false, reason: 'You cannot approve your own change: another administrator must' };
  return { allow: true, reason: 'a system administrator who did not propose it' };
}

/**
 * Starting a referral to a service: a practitioner (or team manager, or MASH officer) of another
 * organisation or their own; the service must take referrals in Team Around and be published and
 * running. Whether they may share this person's details is then `decide()`'s question.
 */
export function mayRefer(r: Requester, service: { takesReferrals: boolean; published: boolean; status: string }): OrganisationRecordDecision {
  if (!has(r, 'practitioner') && !has(r, 'team_manager') && !has(r, 'mash_officer')) {
    return { allow: false, reason: 'Only practitioners can refer someone to a service' };
  }
  if (!service.published) return { allow: false, reason: 'This service is not published in the directory' };
  if (!service.takesReferrals) return { allow: false, reason: 'This provider does not take referrals through Team Around: follow its referral procedure instead' };
  if (service.status !== 'active') return { allow: false, reason: 'This service is not running at the moment' };
  return { allow: true, reason: 'a practitioner referring to a service that takes referrals' };
}

/** Seeing referrals: staff of the organisation that sent or received them. */
export function maySeeReferral(r: Requester, referral: { fromOrganisationId: string; toOrganisationId: string }): OrganisationRecordDecision {
  if (r.organisationId === referral.toOrganisationId) return { allow: true, reason: 'staff of the provider it was sent to' };
  if (r.organisationId === referral.fromOrganisationId) return { allow: true, reason: 'staff of the referring organisation' };
  return { allow: false, reason: 'Only the referring organisation and the provider see a referral' };
}
