import type { Services } from '../../../services/index.ts';
import type { ShareAnswers } from './draft.ts';

export interface RecipientDirectory {
  organisations: Array<{ id: string; name: string; typeLabel: string }>;
  teams: Array<{ id: string; name: string; organisationId: string; organisationName: string }>;
  practitioners: Array<{ id: string; name: string; jobTitle: string | null; organisationId: string; organisationName: string }>;
}

/**
 * Who in the partnership can receive a share: active organisations, their teams and active
 * practitioners (work details only, as the sign-in page's organisation list is).
 */
export async function recipientDirectory(services: Services): Promise<RecipientDirectory> {
  const { organisations, users } = services.repositories;
  const [orgs, teams, people] = await Promise.all([organisations.list(), organisations.teams(), users.list({ status: 'active', limit: 2000 })]);
  const active = orgs.filter((o) => o.active);
  const orgName = new Map(active.map((o) => [o.id, o.name]));
  return {
    organisations: active.map((o) => ({ id: o.id, name: o.name, typeLabel: o.typeLabel })),
    teams: teams.filter((t) => orgName.has(t.organisationId)).map((t) => ({ id: t.id, name: t.name, organisationId: t.organisationId, organisationName: orgName.get(t.organisationId)! })),
    practitioners: people
      .filter((u) => orgName.has(u.organisationId) && u.roles.some((r) => r === 'practitioner' || r === 'team_manager' || r === 'mash_officer'))
      .map((u) => ({ id: u.id, name: u.displayName, jobTitle: u.jobTitle, organisationId: u.organisationId, organisationName: u.organisationName })),
  };
}

/** The organisation the answers would send to (a team's or practitioner's own), if it is in the partnership. */
export function recipientOrganisationId(a: ShareAnswers, dir: RecipientDirectory): string | undefined {
  if (a.recipientKind === 'organisation') return a.recipientOrganisationId;
  if (a.recipientKind === 'team') return dir.teams.find((t) => t.id === a.recipientTeamId)?.organisationId;
  if (a.recipientKind === 'practitioner') return dir.practitioners.find((u) => u.id === a.recipientUserId)?.organisationId;
  return undefined;
}

/** The recipient in words. */
export function recipientText(a: ShareAnswers, dir: RecipientDirectory): string {
  if (a.recipientKind === 'organisation') return dir.organisations.find((o) => o.id === a.recipientOrganisationId)?.name ?? 'An organisation no longer recorded';
  if (a.recipientKind === 'team') {
    const t = dir.teams.find((x) => x.id === a.recipientTeamId);
    return t ? `${t.name}, ${t.organisationName}` : 'A team no longer recorded';
  }
  if (a.recipientKind === 'practitioner') {
    const u = dir.practitioners.find((x) => x.id === a.recipientUserId);
    return u ? `${u.name}${u.jobTitle ? ` (${u.jobTitle})` : ''}, ${u.organisationName}` : 'A practitioner no longer active';
  }
  if (a.recipientKind === 'outside') return `Outside Team Around: ${a.recipientDescription ?? ''}`;
  return '';
}
