/**
 * The front door's organisation-level rules (the MASH): who may refer, who works contacts in the hub,
 * who answers research requests, who signs off a threshold decision and who sees the hub's dashboard.
 * Pure functions beside the access policy; reading or changing a person's record still goes through
 * `decide()` (the hub's research runs on the `mash-enquiry` basis opened for each person concerned).
 */
import type { OrganisationRecordDecision, Requester } from './access-policy.ts';

const has = (r: Requester, role: string) => r.roles.includes(role);
const PRACTITIONER_ROLES = ['practitioner', 'mash_officer', 'team_manager'];

/** The organisations that run a hub: a contact is made to one of them. */
export const HUB_ORGANISATION_TYPES: readonly string[] = ['childrens_social_care'];

/** Anyone who works with people may refer a concern to a hub (a professional referral). */
export function mayRefer(r: Requester): OrganisationRecordDecision {
  if (!PRACTITIONER_ROLES.some((role) => has(r, role))) return { allow: false, reason: 'Only practitioners, team managers and MASH officers make referrals' };
  return { allow: true, reason: 'a professional referral' };
}

/** Hub staff: the MASH officers and team managers of the hub's own organisation. */
export function mayWorkInHub(r: Requester, hubOrganisationId: string): OrganisationRecordDecision {
  if (r.organisationId !== hubOrganisationId) return { allow: false, reason: "Only the hub's own staff work its contacts" };
  if (!has(r, 'mash_officer') && !has(r, 'team_manager')) return { allow: false, reason: 'Only MASH officers and team managers of the hub work its contacts' };
  return { allow: true, reason: has(r, 'mash_officer') ? 'MASH officer of the hub' : 'team manager of the hub' };
}

/**
 * Recording a call from a member of the public, rating a contact, matching its people, asking agencies
 * and recording a threshold decision: the hub's MASH officers (the enquiry basis is theirs).
 */
export function mayTriage(r: Requester, hubOrganisationId: string): OrganisationRecordDecision {
  if (r.organisationId !== hubOrganisationId) return { allow: false, reason: "Only the hub's own MASH officers triage its contacts" };
  if (!has(r, 'mash_officer')) return { allow: false, reason: 'Only MASH officers triage contacts, ask agencies and record threshold decisions' };
  return { allow: true, reason: 'MASH officer of the hub' };
}

/** A threshold decision is signed off by a team manager of the hub who did not make it (two people, always). */
export function maySignOffThreshold(r: Requester, d: { hubOrganisationId: string; decidedBy: string }): OrganisationRecordDecision {
  if (r.organisationId !== d.hubOrganisationId) return { allow: false, reason: "Only a manager of the hub signs off its decisions" };
  if (!has(r, 'team_manager')) return { allow: false, reason: 'Only a team manager signs off a threshold decision' };
  if (r.userId === d.decidedBy) return { allow: false, reason: 'You cannot sign off your own decision: another manager must' };
  return { allow: true, reason: 'a team manager of the hub who did not make the decision' };
}

/**
 * Research requests are answered by the agency asked: its practitioners, team managers and MASH
 * officers (the police's MASH officer answers for the police). They see what the hub sent to find the
 * person and their own organisation's records, never the contact, other agencies' answers or the
 * other people concerned.
 */
export function mayRespondToResearch(r: Requester, request: { agencyOrganisationId: string }): OrganisationRecordDecision {
  if (r.organisationId !== request.agencyOrganisationId) return { allow: false, reason: 'Only the agency asked answers a research request' };
  if (!PRACTITIONER_ROLES.some((role) => has(r, role))) return { allow: false, reason: "Only the agency's practitioners, team managers and MASH officers answer research requests" };
  return { allow: true, reason: 'the agency asked' };
}

/** The hub's dashboard and its export, and the hub's timescales: the hub's team managers (and its MASH officers read the dashboard). */
export function mayOverseeHub(r: Requester, hubOrganisationId: string, action: 'read' | 'configure'): OrganisationRecordDecision {
  if (r.organisationId !== hubOrganisationId) return { allow: false, reason: "Only the hub's own managers oversee it" };
  if (has(r, 'team_manager')) return { allow: true, reason: 'team manager of the hub' };
  if (action === 'read' && has(r, 'mash_officer')) return { allow: true, reason: 'MASH officer of the hub' };
  return { allow: false, reason: action === 'configure' ? 'Only a team manager of the hub sets its timescales' : 'Only team managers and MASH officers of the hub see its dashboard' };
}

/** Police notifications arrive as a feed from a police force's own system (an API token) or its team manager. */
export function maySendPoliceNotifications(r: Requester & { via: 'password' | 'oidc' | 'api-token' }): OrganisationRecordDecision {
  if (r.organisationType !== 'police') return { allow: false, reason: 'Only a police force sends police notifications' };
  if (r.via === 'api-token' && PRACTITIONER_ROLES.some((role) => has(r, role))) return { allow: true, reason: "the police force's system" };
  if (has(r, 'team_manager') || has(r, 'mash_officer')) return { allow: true, reason: 'police team manager or MASH officer' };
  return { allow: false, reason: "Only the force's system (an API token), a team manager or a MASH officer sends police notifications" };
}

/** The quality feedback on an agency's referrals: its team managers and IG lead see all of it; a referrer sees their own. */
export function mayReadReferralFeedback(r: Requester, f: { referrerOrganisationId: string | null; referrerUserId: string | null }): OrganisationRecordDecision {
  if (f.referrerUserId !== null && f.referrerUserId === r.userId) return { allow: true, reason: 'your own referral' };
  if (f.referrerOrganisationId === null || f.referrerOrganisationId !== r.organisationId) return { allow: false, reason: "Only the referring agency sees the feedback on its referrals" };
  if (has(r, 'team_manager') || has(r, 'ig_lead')) return { allow: true, reason: 'manager of the referring agency' };
  return { allow: false, reason: "Only the referrer and their agency's managers see the feedback on a referral" };
}
