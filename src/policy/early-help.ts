/**
 * Early help's own rules, beside the access policy. A child's early help record (assessments, the
 * plan, reviews, handovers) is read through `decide()` first; `earlyHelpAccess` then narrows that
 * decision to the people early help is for: the team around the family (practitioners and teams with
 * an active involvement), the MASH on an open enquiry, and, for changing the plan, only the team.
 * Meetings are organisation-level records: who runs them and who receives the agencies'
 * contributions (the attendees, under the meeting's legal basis). Pure: no I/O, no clock.
 */
import { relationshipOf, type Decision, type InvolvementFact, type Requester, type SubjectFacts } from './access-policy.ts';

export type EarlyHelpUse = 'read' | 'write' | 'lead';

const has = (r: Requester, role: string) => r.roles.includes(role);

/** The team around the family: every active involvement with a named practitioner or team. */
export function teamAroundTheFamily(facts: Pick<SubjectFacts, 'involvements'>): InvolvementFact[] {
  return facts.involvements.filter((i) => i.active && (i.practitionerId !== null || i.teamId !== null));
}

/** The person's lead professional: the active involvement in the role lead_professional with a practitioner. */
export function leadProfessionalOf(facts: Pick<SubjectFacts, 'involvements'>): InvolvementFact | undefined {
  return facts.involvements.find((i) => i.active && i.role === 'lead_professional' && i.practitionerId !== null);
}

export const NOT_IN_TEAM = 'Only the team around the family (practitioners working with the child) and the MASH on an open enquiry see the early help record';
export const NOT_IN_TEAM_WRITE = 'Only practitioners in the team around the family (with an active involvement) change the early help record';
export const NOT_LEAD = 'Only the lead professional, or a team manager in the team around the family, does this';

function refuse(decision: Decision, reason: string): Decision {
  const asked = [...decision.allowed, ...decision.redacted.map((x) => x.category)];
  return { ...decision, allow: false, basis: 'none', bases: [], allowed: [], basisByCategory: {}, disclosedItems: [], redacted: asked.map((category) => ({ category, reason })), reason };
}

/**
 * Narrows `decide()`'s answer about a child to early help:
 * - read: a working relationship (the team around the family) or an open MASH enquiry; never on a
 *   disclosure, break-glass, the contact minimum or oversight alone;
 * - write (assessment, actions, reviews, meetings' actions): a working relationship only;
 * - lead (naming or handing over the lead professional, closing or stepping the plan): the lead
 *   professional, or a team manager in the team; with no lead professional yet, anyone in the team.
 */
export function earlyHelpAccess(r: Requester, facts: SubjectFacts, decision: Decision, use: EarlyHelpUse): Decision {
  if (!decision.allow) return decision;
  const inTeam = relationshipOf(r, facts).length > 0;
  if (use === 'read') {
    if (inTeam || (decision.bases.includes('mash-enquiry') && has(r, 'mash_officer'))) return decision;
    return refuse(decision, NOT_IN_TEAM);
  }
  if (!inTeam) return refuse(decision, NOT_IN_TEAM_WRITE);
  if (use === 'write') return decision;
  const lead = leadProfessionalOf(facts);
  if (!lead || lead.practitionerId === r.userId || has(r, 'team_manager')) return decision;
  return refuse(decision, NOT_LEAD);
}

/** Whether someone in the team may update an action: its owner, the lead professional, or a team manager in the team. */
export function mayUpdateAction(r: Requester, facts: SubjectFacts, action: { ownerId: string }): { allow: boolean; reason: string } {
  if (action.ownerId === r.userId) return { allow: true, reason: 'the owner of the action' };
  if (leadProfessionalOf(facts)?.practitionerId === r.userId) return { allow: true, reason: 'the lead professional' };
  if (has(r, 'team_manager') && relationshipOf(r, facts).length > 0) return { allow: true, reason: 'a team manager in the team around the family' };
  return { allow: false, reason: 'Only the owner of the action, the lead professional or a team manager in the team updates it' };
}

// ---------- meetings ----------

export interface MeetingFacts {
  organisationId: string;
  createdBy: string;
  attendeeIds: readonly string[];
  legalBases: readonly string[];
}

export interface MeetingDecision {
  allow: boolean;
  reason: string;
}

/** Who runs a meeting (agenda, attendees, held): whoever set it up, or a team manager of the hosting organisation. */
export function mayManageMeeting(r: Requester, m: MeetingFacts): MeetingDecision {
  if (r.userId === m.createdBy) return { allow: true, reason: 'the chair who set up the meeting' };
  if (has(r, 'team_manager') && r.organisationId === m.organisationId) return { allow: true, reason: 'a team manager of the hosting organisation' };
  return { allow: false, reason: 'Only the chair who set up the meeting, or a team manager of the hosting organisation, changes its agenda and attendees' };
}

/** Who records what a meeting decided and agreed (decisions, actions, indicators): the chair, a manager of the host, or an attendee. */
export function mayMinuteMeeting(r: Requester, m: MeetingFacts): MeetingDecision {
  if (m.attendeeIds.includes(r.userId)) return { allow: true, reason: 'an attendee' };
  return mayManageMeeting(r, m);
}

export const NOT_ATTENDING =
  'Contributions to this meeting are shared only with those attending it, under its legal basis: you are not on its list of attendees';

/**
 * Each agency's contribution about a case is shared with the meeting's attendees only, and only when
 * the meeting has a legal basis recorded. Anyone else gets nothing (and the refusal is audited).
 */
export function mayReceiveContributions(r: Requester, m: MeetingFacts): MeetingDecision {
  if (m.legalBases.length === 0) return { allow: false, reason: 'The meeting has no legal basis recorded, so nothing is shared through it' };
  if (!m.attendeeIds.includes(r.userId)) return { allow: false, reason: NOT_ATTENDING };
  return { allow: true, reason: `an attendee, under ${m.legalBases.join(', ')}` };
}

/** Preparing a contribution: an attendee, about a person their agency works with (the caller checks that with decide()). */
export function mayContribute(r: Requester, m: MeetingFacts): MeetingDecision {
  if (!m.attendeeIds.includes(r.userId)) return { allow: false, reason: 'Only attendees prepare contributions for the meeting' };
  if (m.legalBases.length === 0) return { allow: false, reason: 'The meeting has no legal basis recorded, so nothing is shared through it' };
  return { allow: true, reason: 'an attendee' };
}
