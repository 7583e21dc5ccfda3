import { describe, expect, it } from 'vitest';
import { mayImportFeed, mayManageFeeds, mayReceiveBirthsFeed, type FeedRequester } from '../../src/policy/access-policy.ts';
import { reachPrefix, weekOf } from '../../src/feeds/births.ts';
import { birthsDecision } from '../../src/policy/births.ts';
import type { ConsentFact } from '../../src/sharing/rules.ts';

const ORG = 'org-a';
const person = (roles: string[], via: 'password' | 'oidc' | 'api-token' = 'password', organisationId = ORG): FeedRequester => ({
  userId: 'u1',
  organisationId,
  organisationType: 'childrens_social_care',
  teamIds: [],
  roles,
  via,
});

describe('mayImportFeed', () => {
  it("allows the feed's own organisation's team managers and IG lead, its API tokens, and the operator", () => {
    expect(mayImportFeed(person(['team_manager']), { organisationId: ORG }).allow).toBe(true);
    expect(mayImportFeed(person(['ig_lead'], 'oidc'), { organisationId: ORG }).allow).toBe(true);
    expect(mayImportFeed(person(['practitioner'], 'api-token'), { organisationId: ORG })).toEqual({ allow: true, reason: "an API token of the feed's organisation" });
    expect(mayImportFeed({ operator: true }, { organisationId: ORG }).allow).toBe(true);
  });
  it('refuses a practitioner signed in without a managing role, a system administrator by role alone, and anyone of another organisation', () => {
    expect(mayImportFeed(person(['practitioner']), { organisationId: ORG }).allow).toBe(false);
    expect(mayImportFeed(person(['system_admin']), { organisationId: ORG }).allow).toBe(false);
    const other = mayImportFeed(person(['team_manager', 'ig_lead'], 'api-token', 'org-b'), { organisationId: ORG });
    expect(other).toEqual({ allow: false, reason: "Only the feed's own organisation can send records through it" });
    expect(mayManageFeeds(person(['ig_lead'], 'password', 'org-b'), ORG).allow).toBe(false);
  });
});

describe('the births list', () => {
  const centre = { id: 'centre', typeCode: 'early_years' };
  const consent = (over: Partial<ConsentFact> = {}): ConsentFact => ({
    id: 'c1',
    decision: 'given',
    givenBy: 'parental_responsibility',
    purposes: ['early_help'],
    recipientOrganisationIds: [],
    recipientOrganisationTypes: ['early_years'],
    anyRecipient: false,
    categories: ['identity', 'whereabouts'],
    exceptions: [],
    validFrom: '2026-01-01',
    validUntil: null,
    recordedAt: new Date('2026-01-01T10:00:00Z'),
    withdrawnAt: null,
    ...over,
  });
  const now = new Date('2026-11-22T09:00:00Z');

  it('goes only to the centre’s own staff, or the job', () => {
    expect(mayReceiveBirthsFeed(person(['practitioner'], 'password', 'centre'), 'centre').allow).toBe(true);
    expect(mayReceiveBirthsFeed(person(['ig_lead']), 'centre').allow).toBe(false);
    expect(mayReceiveBirthsFeed({ operator: true }, 'centre').allow).toBe(true);
  });
  it('lists a child only with consent in force for early help to the centre covering identity and whereabouts, and never a shielded child', () => {
    expect(birthsDecision({ shielded: false }, [consent()], centre, '2026-11-22', now).share).toBe(true);
    expect(birthsDecision({ shielded: true }, [consent()], centre, '2026-11-22', now).share).toBe(false);
    expect(birthsDecision({ shielded: false }, [], centre, '2026-11-22', now).reason).toMatch(/^no consent/);
    expect(birthsDecision({ shielded: false }, [consent({ categories: ['identity'] })], centre, '2026-11-22', now).reason).toBe('the consent does not cover whereabouts');
    expect(birthsDecision({ shielded: false }, [consent({ withdrawnAt: new Date('2026-06-01T00:00:00Z') })], centre, '2026-11-22', now).share).toBe(false);
    expect(birthsDecision({ shielded: false }, [consent({ recipientOrganisationTypes: ['school'] })], centre, '2026-11-22', now).share).toBe(false);
  });
  it('reads reach areas as postcode districts and sectors, and weeks as Monday to Sunday', () => {
    expect(reachPrefix(' nb1  2 ')).toBe('NB1 2');
    expect(reachPrefix('sw1a')).toBe('SW1A');
    expect(reachPrefix('NB1 2AB')).toBeNull();
    expect(weekOf(new Date('2026-11-22T09:00:00Z'))).toEqual({ from: '2026-11-09', to: '2026-11-15' }); // a Sunday: the week before last Monday
    expect(weekOf(new Date('2026-11-23T09:00:00Z'))).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(weekOf(new Date(), '2026-01-05')).toEqual({ from: '2026-01-05', to: '2026-01-11' });
  });
});
