import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBreakGlass, mayReviewBreakGlass } from '../../src/policy/access-policy.ts';

const ROLES = ['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'] as const;
const requester = (roles: string[]) => ({ userId: 'u', organisationId: 'o', organisationType: 'gp_practice', teamIds: [], roles });

describe('emergency access in the policy', () => {
  it('lets those who work with people use it, and nobody by an oversight or administration role alone', () => {
    for (const r of ['practitioner', 'team_manager', 'mash_officer']) expect(mayBreakGlass(requester([r])).allow).toBe(true);
    for (const r of ['ig_lead', 'system_admin']) expect(mayBreakGlass(requester([r]))).toEqual({ allow: false, reason: expect.stringMatching(/Only practitioners/) });
    expect(mayBreakGlass(requester([])).allow).toBe(false);
  });

  it('leaves reviewing it to the IG lead alone, whatever else anyone holds', () => {
    fc.assert(
      fc.property(fc.subarray([...ROLES]), (roles) => {
        expect(mayReviewBreakGlass(requester(roles)).allow).toBe(roles.includes('ig_lead'));
        expect(mayBreakGlass(requester(roles)).allow).toBe(roles.some((r) => r === 'practitioner' || r === 'team_manager' || r === 'mash_officer'));
      }),
    );
  });
});
