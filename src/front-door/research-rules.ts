/**
 * The hub's legal basis for an enquiry and an agency's decision not to share (pure).
 *
 * Research in the hub is done under the hub's recorded legal basis (issue 7): the MASH officer chooses
 * it from the `legal_basis` code list when the contact is taken into the hub. It is checked with the
 * same rule as a sharing decision (`legalBasesProblem()` in src/sharing/rules.ts): a UK GDPR article 6
 * basis always, an article 9 condition when health information is asked for, a DPA 2018 schedule 1
 * condition when police, probation or youth justice information is. An agency asked may decline to
 * share what it holds: not sharing is also a decision, recorded with its reason and legal consideration.
 */
import type { DataCategory } from '../policy/access-policy.ts';
import { legalBasesProblem, type LegalBasisInfo } from '../sharing/rules.ts';

/** Bases suggested for a MASH enquiry (the officer must still choose). */
export function suggestedEnquiryBases(categories: readonly string[], rating: string | null): string[] {
  const bases = ['gdpr_6_1_e', rating === 'green' ? 'ca1989_s17' : 'ca1989_s47', 'ca2004_s11'];
  if (categories.some((c) => c === 'parental_mental_health' || c === 'child_mental_health' || c === 'parental_substance_misuse')) bases.push('gdpr_9_2_g', 'gdpr_9_2_h');
  if (categories.some((c) => c === 'domestic_abuse' || c === 'exploitation' || c === 'sexual_abuse' || c === 'physical_abuse')) bases.push('dpa_sch1_p18_offence');
  return bases;
}

/**
 * Whether the hub's legal basis covers asking for these categories. Consent bases count only when the
 * family has agreed to the referral (otherwise research is done without consent).
 */
export function enquiryBasisProblem(codes: readonly string[], categories: readonly DataCategory[], known: ReadonlyMap<string, LegalBasisInfo>, familyAgreed: boolean): string | null {
  if (codes.length === 0) return 'Choose the legal basis for the enquiry: at least one UK GDPR article 6 basis';
  return legalBasesProblem(codes, categories, known, familyAgreed);
}

export const DECLINE_CONSIDERATIONS = ['prejudice_investigation', 'no_lawful_basis', 'duty_of_confidence', 'risk_to_someone', 'third_party', 'other'] as const;
export type DeclineConsideration = (typeof DECLINE_CONSIDERATIONS)[number];
export const DECLINE_CONSIDERATION_LABELS: Record<DeclineConsideration, string> = {
  prejudice_investigation: 'Sharing would prejudice a live criminal investigation or proceedings',
  no_lawful_basis: 'There is no lawful basis to share this information (for example health information without a UK GDPR article 9 condition)',
  duty_of_confidence: 'The duty of confidence is not outweighed by the risk described',
  risk_to_someone: 'Sharing would put someone at risk of harm',
  third_party: 'The information is about a third party and sharing it is not justified',
  other: 'Another legal consideration (described in the reason)',
};

export interface DeclineAnswers {
  consideration: string | undefined;
  reason: string | undefined;
  askInstead?: string | undefined;
  /** YYYY-MM-DD */
  askAgainOn?: string | undefined;
}

/** field -> message; empty when the decline is complete. `today` is YYYY-MM-DD. */
export function declineProblems(a: DeclineAnswers, today: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!a.consideration || !(DECLINE_CONSIDERATIONS as readonly string[]).includes(a.consideration)) problems.consideration = 'Choose the legal consideration that stops you sharing';
  const reason = a.reason?.trim() ?? '';
  if (reason.length < 20) problems.reason = 'Say why your agency will not share what it holds, in at least 20 characters';
  else if (a.consideration === 'other' && reason.length < 40) problems.reason = 'Describe the legal consideration, in at least 40 characters';
  if (a.askAgainOn !== undefined && a.askAgainOn !== '') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.askAgainOn) || Number.isNaN(Date.parse(`${a.askAgainOn}T00:00:00Z`)) || new Date(`${a.askAgainOn}T00:00:00Z`).toISOString().slice(0, 10) !== a.askAgainOn) {
      problems.askAgainOn = 'Enter the date to ask again as a real date, for example 2027-03-01';
    } else if (a.askAgainOn <= today) problems.askAgainOn = 'The date to ask again must be in the future';
  }
  return problems;
}
