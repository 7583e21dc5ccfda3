import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, type DataCategory, type InvolvementFact, type Requester, type SubjectFacts } from '../../src/policy/access-policy.ts';
import {
  earlyHelpAccess,
  leadProfessionalOf,
  mayContribute,
  mayManageMeeting,
  mayMinuteMeeting,
  mayReceiveContributions,
  mayUpdateAction,
  NOT_ATTENDING,
  NOT_IN_TEAM,
  teamAroundTheFamily,
  type EarlyHelpUse,
  type MeetingFacts,
} from '../../src/policy/early-help.ts';

const NOW = new Date('2026-11-21T10:00:00Z');
const CATEGORIES: DataCategory[] = ['identity', 'involvements'];

const requester = (userId: string, over: Partial<Requester> = {}): Requester => ({ userId, organisationId: 'o1', organisationType: 'voluntary_sector', teamIds: [], roles: ['practitioner'], ...over });
const involvement = (over: Partial<InvolvementFact>): InvolvementFact => ({
  id: `i-${Math.random()}`,
  organisationId: 'o1',
  teamId: null,
  practitionerId: null,
  role: 'key_worker',
  category: 'voluntary',
  sensitive: false,
  consentToShow: false,
  active: true,
  ...over,
});
const facts = (involvements: InvolvementFact[], over: Partial<SubjectFacts> = {}): SubjectFacts => ({
  subjectId: 's1',
  exists: true,
  shielded: false,
  involvements,
  openEnquiryOrganisationIds: [],
  disclosures: [],
  breakGlass: [],
  ...over,
});
/** decide() then the early help rule, as the service does. */
const access = (r: Requester, f: SubjectFacts, use: EarlyHelpUse, reason?: string) =>
  earlyHelpAccess(r, f, decide({ requester: r, action: use === 'read' ? 'read' : 'update', categories: CATEGORIES, purpose: 'early help', reason }, f, NOW), use);

describe('early help access', () => {
  const lead = involvement({ practitionerId: 'lead', role: 'lead_professional' });
  const school = involvement({ organisationId: 'o2', teamId: 'school-team', role: 'school', category: 'education' });
  const f = facts([lead, school]);

  it('opens the record to the team around the family, including a team member by their team', () => {
    expect(access(requester('lead'), f, 'read').allow).toBe(true);
    expect(access(requester('teacher', { organisationId: 'o2', teamIds: ['school-team'] }), f, 'read').allow).toBe(true);
  });

  it('refuses anyone else, even with a reason (the contact minimum) or by break-glass, and says why', () => {
    const d = access(requester('stranger', { organisationId: 'o3' }), f, 'read', 'I want to see the plan');
    expect(d.allow).toBe(false);
    expect(d.reason).toBe(NOT_IN_TEAM);
    expect(d.redacted.map((x) => x.category).sort()).toEqual([...CATEGORIES].sort());
    const glass = facts([lead, school], { breakGlass: [{ userId: 'stranger', expiresAt: new Date(NOW.getTime() + 3600_000) }] });
    expect(access(requester('stranger', { organisationId: 'o3' }), glass, 'read', 'emergency access reason given').allow).toBe(false);
  });

  it('lets a MASH officer read on an open enquiry, but not change the plan', () => {
    const mash = requester('mash', { organisationId: 'o3', roles: ['mash_officer', 'practitioner'] });
    const open = facts([lead], { openEnquiryOrganisationIds: ['o3'] });
    expect(access(mash, open, 'read').allow).toBe(true);
    expect(access(mash, open, 'write').allow).toBe(false);
  });

  it('keeps lead decisions to the lead professional or a team manager in the team; anyone in the team names the first one', () => {
    const teacher = requester('teacher', { organisationId: 'o2', teamIds: ['school-team'] });
    expect(access(teacher, f, 'write').allow).toBe(true);
    expect(access(teacher, f, 'lead').allow).toBe(false);
    expect(access(requester('lead'), f, 'lead').allow).toBe(true);
    expect(access({ ...teacher, roles: ['team_manager'] }, f, 'lead').allow).toBe(true);
    expect(access(teacher, facts([school]), 'lead').allow).toBe(true);
  });

  it('finds the team and the lead professional among active involvements only', () => {
    const ended = involvement({ practitionerId: 'old', role: 'lead_professional', active: false });
    const orgOnly = involvement({ organisationId: 'o4' });
    const g = facts([ended, lead, school, orgOnly]);
    expect(leadProfessionalOf(g)?.practitionerId).toBe('lead');
    expect(teamAroundTheFamily(g).map((i) => i.id).sort()).toEqual([lead.id, school.id].sort());
  });

  it('lets the owner, the lead professional or a team manager in the team update an action', () => {
    expect(mayUpdateAction(requester('owner'), f, { ownerId: 'owner' }).allow).toBe(true);
    expect(mayUpdateAction(requester('lead'), f, { ownerId: 'owner' }).allow).toBe(true);
    expect(mayUpdateAction(requester('teacher', { organisationId: 'o2', teamIds: ['school-team'] }), f, { ownerId: 'owner' }).allow).toBe(false);
    expect(mayUpdateAction(requester('teacher', { organisationId: 'o2', teamIds: ['school-team'], roles: ['team_manager'] }), f, { ownerId: 'owner' }).allow).toBe(true);
  });

  // Properties over generated involvements and requesters.
  const users = ['u1', 'u2', 'u3', 'u4'];
  const teams = ['t1', 't2'];
  const arbInvolvement = fc.record({
    practitionerId: fc.option(fc.constantFrom(...users), { nil: null }),
    teamId: fc.option(fc.constantFrom(...teams), { nil: null }),
    role: fc.constantFrom('lead_professional', 'school', 'key_worker', 'gp'),
    active: fc.boolean(),
    organisationId: fc.constantFrom('o1', 'o2'),
  });
  const arbRequester = fc.record({
    userId: fc.constantFrom(...users),
    teamIds: fc.subarray(teams),
    roles: fc.subarray(['practitioner', 'team_manager', 'mash_officer', 'ig_lead'], { minLength: 1 }),
    organisationId: fc.constantFrom('o1', 'o2', 'o3'),
  });
  const arbUse = fc.constantFrom<EarlyHelpUse>('read', 'write', 'lead');

  it('never opens more than decide() does, and never on anything but a working relationship or a MASH enquiry', () => {
    fc.assert(
      fc.property(fc.array(arbInvolvement, { maxLength: 6 }), arbRequester, arbUse, fc.boolean(), (invs, rq, use, enquiry) => {
        const f = facts(invs.map((i, n) => involvement({ ...i, id: `i${n}` })), { openEnquiryOrganisationIds: enquiry ? ['o3'] : [] });
        const r = requester(rq.userId, { ...rq });
        const base = decide({ requester: r, action: use === 'read' ? 'read' : 'update', categories: CATEGORIES, purpose: 'early help' }, f, NOW);
        const d = earlyHelpAccess(r, f, base, use);
        if (d.allow) {
          expect(base.allow).toBe(true);
          expect(d.allowed).toEqual(base.allowed);
          const inTeam = f.involvements.some((i) => i.active && ((i.practitionerId !== null && i.practitionerId === r.userId) || (i.teamId !== null && r.teamIds.includes(i.teamId))));
          expect(inTeam || (use === 'read' && enquiry && r.roles.includes('mash_officer'))).toBe(true);
        } else {
          expect(d.allowed).toEqual([]);
          expect(d.redacted.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('write implies read, and lead implies write', () => {
    fc.assert(
      fc.property(fc.array(arbInvolvement, { maxLength: 6 }), arbRequester, (invs, rq) => {
        const f = facts(invs.map((i, n) => involvement({ ...i, id: `i${n}` })));
        const r = requester(rq.userId, { ...rq });
        const read = access(r, f, 'read').allow;
        const write = access(r, f, 'write').allow;
        const lead = access(r, f, 'lead').allow;
        if (lead) expect(write).toBe(true);
        if (write) expect(read).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('meeting rules', () => {
  const m: MeetingFacts = { organisationId: 'o1', createdBy: 'chair', attendeeIds: ['chair', 'a1', 'a2'], legalBases: ['gdpr_6_1_e'] };

  it('shares contributions with attendees only, and only under a legal basis', () => {
    expect(mayReceiveContributions(requester('a1', { organisationId: 'o2' }), m).allow).toBe(true);
    expect(mayReceiveContributions(requester('x', { organisationId: 'o1', roles: ['team_manager'] }), m)).toEqual({ allow: false, reason: NOT_ATTENDING });
    expect(mayReceiveContributions(requester('a1'), { ...m, legalBases: [] }).allow).toBe(false);
    expect(mayContribute(requester('a2'), m).allow).toBe(true);
    expect(mayContribute(requester('x'), m).allow).toBe(false);
  });

  it('lets the chair or a host team manager run it, and attendees minute it', () => {
    expect(mayManageMeeting(requester('chair'), m).allow).toBe(true);
    expect(mayManageMeeting(requester('tm', { roles: ['team_manager'] }), m).allow).toBe(true);
    expect(mayManageMeeting(requester('tm', { roles: ['team_manager'], organisationId: 'o2' }), m).allow).toBe(false);
    expect(mayManageMeeting(requester('a1'), m).allow).toBe(false);
    expect(mayMinuteMeeting(requester('a1'), m).allow).toBe(true);
    expect(mayMinuteMeeting(requester('x'), m).allow).toBe(false);
  });

  it('never shares with someone not on the list, whatever their roles or organisation', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('chair', 'a1', 'a2', 'x', 'y'),
        fc.subarray(['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin']),
        fc.constantFrom('o1', 'o2'),
        fc.subarray(['chair', 'a1', 'a2']),
        (userId, roles, organisationId, attendeeIds) => {
          const mm = { ...m, attendeeIds };
          const r = requester(userId, { roles, organisationId });
          expect(mayReceiveContributions(r, mm).allow).toBe(attendeeIds.includes(userId));
        },
      ),
      { numRuns: 300 },
    );
  });
});
