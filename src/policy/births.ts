/**
 * The weekly list of new births for children's centres (src/feeds/births.ts): which child may be on a
 * centre's list. Part of the one access policy (src/policy), beside `mayReceiveBirthsFeed` in
 * access-policy.ts: the list is decided here, child by child, and every decision is audited by the
 * caller, listed or withheld.
 */
import { consentCoverage, type ConsentFact } from '../sharing/rules.ts';

export const BIRTHS_PURPOSE = 'early_help';
export const BIRTHS_CATEGORIES = ['identity', 'whereabouts'] as const;

export interface BirthsDecision {
  share: boolean;
  reason: string;
  consentId: string | null;
}

/**
 * Whether one child may be on a centre's list (pure): never a shielded child (their whereabouts are
 * for those working with them); otherwise only with consent in force for early help, to this centre
 * or its kind of organisation, covering both identity and whereabouts.
 */
export function birthsDecision(child: { shielded: boolean }, consents: readonly ConsentFact[], centre: { id: string; typeCode: string }, today: string, now: Date): BirthsDecision {
  if (child.shielded) return { share: false, reason: 'shielded: where the child lives is shown only to practitioners working with them', consentId: null };
  const c = consentCoverage(consents, { purpose: BIRTHS_PURPOSE, organisationId: centre.id, organisationType: centre.typeCode, categories: [...BIRTHS_CATEGORIES], date: today }, now);
  if (c.position !== 'given') {
    const why = c.position === 'none' ? 'no consent for early help to this centre is recorded' : `consent ${c.position}`;
    return { share: false, reason: c.messages[0] ? `${why}: ${c.messages[0]}` : why, consentId: c.consentId };
  }
  if (c.notCovered.length) return { share: false, reason: `the consent does not cover ${c.notCovered.join(' and ')}`, consentId: c.consentId };
  return { share: true, reason: 'parental consent for early help covering identity and whereabouts', consentId: c.consentId };
}
