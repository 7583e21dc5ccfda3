import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requester } from '../../src/policy/access-policy.ts';
import { mayAdministerDirectory, mayApproveEdit, mayEditService, mayRefer, maySeeReferral } from '../../src/policy/directory.ts';

const ROLES = ['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'] as const;
const requester = fc.record({
  userId: fc.constantFrom('u1', 'u2', 'u3'),
  organisationId: fc.constantFrom('o1', 'o2', 'o3'),
  organisationType: fc.constant('voluntary_sector'),
  teamIds: fc.constant([] as string[]),
  roles: fc.subarray([...ROLES]),
});
const who = (roles: string[], organisationId = 'o1', userId = 'u1'): Requester => ({ userId, organisationId, organisationType: 'x', teamIds: [], roles });

describe('who may keep the service directory', () => {
  it('lets only provider staff of the owning organisation, or an administrator, propose changes (property)', () => {
    fc.assert(
      fc.property(requester, fc.constantFrom('o1', 'o2', 'o3'), (r, owner) => {
        const d = mayEditService(r, { ownerOrganisationId: owner });
        const admin = r.roles.includes('system_admin');
        const staff = r.organisationId === owner && (r.roles.includes('practitioner') || r.roles.includes('team_manager'));
        expect(d.allow).toBe(admin || staff);
        expect(d.reason.length).toBeGreaterThan(5);
      }),
    );
  });

  it('never lets the person who proposed a change approve it, and only administrators approve (property)', () => {
    fc.assert(
      fc.property(requester, fc.constantFrom('u1', 'u2', 'u3'), (r, submittedBy) => {
        const d = mayApproveEdit(r, { submittedBy });
        if (d.allow) {
          expect(r.userId).not.toBe(submittedBy);
          expect(r.roles).toContain('system_admin');
        } else {
          expect(r.userId === submittedBy || !r.roles.includes('system_admin')).toBe(true);
        }
      }),
    );
    expect(mayApproveEdit(who(['system_admin'], 'o1', 'u1'), { submittedBy: 'u1' }).reason).toMatch(/another administrator/);
  });

  it('lets only administrators import and approve, not the IG lead or a manager by role', () => {
    expect(mayAdministerDirectory(who(['system_admin'])).allow).toBe(true);
    for (const r of ['ig_lead', 'team_manager', 'practitioner', 'mash_officer']) expect(mayAdministerDirectory(who([r])).allow).toBe(false);
  });

  it('allows a referral only by a practitioner, to a published, running service that takes referrals, and says why not', () => {
    const ok = { takesReferrals: true, published: true, status: 'active' };
    expect(mayRefer(who(['practitioner']), ok).allow).toBe(true);
    expect(mayRefer(who(['ig_lead']), ok).reason).toMatch(/Only practitioners/);
    expect(mayRefer(who(['practitioner']), { ...ok, takesReferrals: false }).reason).toMatch(/follow its referral procedure/);
    expect(mayRefer(who(['practitioner']), { ...ok, published: false }).reason).toMatch(/not published/);
    expect(mayRefer(who(['practitioner']), { ...ok, status: 'temporarily closed' }).reason).toMatch(/not running/);
  });

  it('shows a referral only to the two organisations it is between (property)', () => {
    fc.assert(
      fc.property(requester, fc.constantFrom('o1', 'o2', 'o3'), fc.constantFrom('o1', 'o2', 'o3'), (r, from, to) => {
        expect(maySeeReferral(r, { fromOrganisationId: from, toOrganisationId: to }).allow).toBe(r.organisationId === from || r.organisationId === to);
      }),
    );
  });
});
