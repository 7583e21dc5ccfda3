import { describe, expect, it } from 'vitest';
import { mayReviewLinks, mayTrainLinkageModel } from '../../src/policy/access-policy.ts';

const org = '0190a000-0000-7000-8000-000000000001';
const other = '0190a000-0000-7000-8000-000000000002';
const person = (roles: string[], organisationId = org) => ({ userId: 'u', organisationId, organisationType: 'police', teamIds: [], roles, via: 'password' as const });

describe('mayReviewLinks', () => {
  it("lets the records' own organisation's practitioners, managers and IG lead review links, and the operator", () => {
    for (const roles of [['practitioner'], ['team_manager'], ['ig_lead']]) expect(mayReviewLinks(person(roles), org).allow).toBe(true);
    expect(mayReviewLinks({ operator: true }, org).allow).toBe(true);
  });
  it('refuses another organisation, whatever the role, and a system administrator by role alone', () => {
    expect(mayReviewLinks(person(['team_manager', 'ig_lead']), other)).toEqual({ allow: false, reason: expect.stringMatching(/organisation whose records/) });
    expect(mayReviewLinks(person(['system_admin']), org).allow).toBe(false);
  });
});

describe('mayTrainLinkageModel', () => {
  it('lets only the operator (or its scheduled job) train the model, never anyone signed in', () => {
    expect(mayTrainLinkageModel({ operator: true }).allow).toBe(true);
    for (const roles of [['practitioner'], ['team_manager'], ['ig_lead'], ['system_admin'], ['mash_officer', 'ig_lead', 'system_admin']]) {
      expect(mayTrainLinkageModel(person(roles))).toEqual({ allow: false, reason: expect.stringMatching(/operator/) });
    }
  });
});
