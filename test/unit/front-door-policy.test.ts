import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requester } from '../../src/policy/access-policy.ts';
import {
  mayOverseeHub,
  mayReadReferralFeedback,
  mayRefer,
  mayRespondToResearch,
  maySendPoliceNotifications,
  maySignOffThreshold,
  mayTriage,
  mayWorkInHub,
} from '../../src/policy/front-door.ts';

const HUB = 'hub-org';
const who = (roles: string[], organisationId = HUB, userId = 'u1', organisationType = 'childrens_social_care'): Requester => ({ userId, organisationId, organisationType, teamIds: [], roles });
const ROLES = ['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'];

describe('front door policy', () => {
  it('lets anyone who works with people refer, but not oversight or administration roles alone', () => {
    expect(mayRefer(who(['practitioner'], 'school')).allow).toBe(true);
    expect(mayRefer(who(['ig_lead'])).allow).toBe(false);
    expect(mayRefer(who(['system_admin'])).allow).toBe(false);
  });

  it("keeps the hub's work to its own MASH officers and team managers; triage to MASH officers", () => {
    expect(mayWorkInHub(who(['team_manager']), HUB).allow).toBe(true);
    expect(mayWorkInHub(who(['mash_officer']), HUB).allow).toBe(true);
    expect(mayWorkInHub(who(['practitioner']), HUB).allow).toBe(false);
    expect(mayWorkInHub(who(['mash_officer'], 'police'), HUB)).toEqual({ allow: false, reason: "Only the hub's own staff work its contacts" });
    expect(mayTriage(who(['team_manager']), HUB).allow).toBe(false);
    expect(mayTriage(who(['mash_officer']), HUB).allow).toBe(true);
  });

  it('needs a second person, a team manager of the hub, to sign off a threshold decision', () => {
    expect(maySignOffThreshold(who(['team_manager'], HUB, 'm1'), { hubOrganisationId: HUB, decidedBy: 'd1' }).allow).toBe(true);
    expect(maySignOffThreshold(who(['team_manager', 'mash_officer'], HUB, 'd1'), { hubOrganisationId: HUB, decidedBy: 'd1' })).toEqual({
      allow: false,
      reason: 'You cannot sign off your own decision: another manager must',
    });
    expect(maySignOffThreshold(who(['mash_officer'], HUB, 'm1'), { hubOrganisationId: HUB, decidedBy: 'd1' }).allow).toBe(false);
    expect(maySignOffThreshold(who(['team_manager'], 'other', 'm1'), { hubOrganisationId: HUB, decidedBy: 'd1' }).allow).toBe(false);
  });

  it('property: nobody ever signs off their own decision, and nobody outside the hub signs off at all', () => {
    fc.assert(
      fc.property(fc.subarray(ROLES), fc.constantFrom(HUB, 'other'), fc.constantFrom('a', 'b'), fc.constantFrom('a', 'b'), (roles, org, user, decider) => {
        const d = maySignOffThreshold(who(roles, org, user), { hubOrganisationId: HUB, decidedBy: decider });
        if (user === decider || org !== HUB || !roles.includes('team_manager')) expect(d.allow).toBe(false);
        else expect(d.allow).toBe(true);
      }),
    );
  });

  it('property: only the agency asked answers a research request, and never by an oversight role alone', () => {
    fc.assert(
      fc.property(fc.subarray(ROLES), fc.constantFrom('nhs', 'police'), (roles, org) => {
        const d = mayRespondToResearch(who(roles, org), { agencyOrganisationId: 'nhs' });
        expect(d.allow).toBe(org === 'nhs' && roles.some((r) => ['practitioner', 'team_manager', 'mash_officer'].includes(r)));
      }),
    );
  });

  it('takes police notifications only from a police force', () => {
    expect(maySendPoliceNotifications({ ...who(['practitioner'], 'police', 'u', 'police'), via: 'api-token' }).allow).toBe(true);
    expect(maySendPoliceNotifications({ ...who(['practitioner'], 'police', 'u', 'police'), via: 'password' }).allow).toBe(false);
    expect(maySendPoliceNotifications({ ...who(['team_manager'], 'school', 'u', 'school'), via: 'api-token' }).allow).toBe(false);
  });

  it("shows the dashboard to the hub's managers and MASH officers; only managers set timescales", () => {
    expect(mayOverseeHub(who(['mash_officer']), HUB, 'read').allow).toBe(true);
    expect(mayOverseeHub(who(['mash_officer']), HUB, 'configure').allow).toBe(false);
    expect(mayOverseeHub(who(['team_manager']), HUB, 'configure').allow).toBe(true);
    expect(mayOverseeHub(who(['team_manager'], 'other'), HUB, 'read').allow).toBe(false);
    expect(mayOverseeHub(who(['ig_lead']), HUB, 'read').allow).toBe(false);
  });

  it("feeds back to the referrer and their agency's managers only", () => {
    expect(mayReadReferralFeedback(who(['practitioner'], 'school', 'r1'), { referrerOrganisationId: 'school', referrerUserId: 'r1' }).allow).toBe(true);
    expect(mayReadReferralFeedback(who(['practitioner'], 'school', 'r2'), { referrerOrganisationId: 'school', referrerUserId: 'r1' }).allow).toBe(false);
    expect(mayReadReferralFeedback(who(['team_manager'], 'school', 'm'), { referrerOrganisationId: 'school', referrerUserId: 'r1' }).allow).toBe(true);
    expect(mayReadReferralFeedback(who(['team_manager'], 'nhs', 'm'), { referrerOrganisationId: 'school', referrerUserId: 'r1' }).allow).toBe(false);
  });
});
