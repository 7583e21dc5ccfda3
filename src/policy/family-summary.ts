/**
 * The family summary's own rules, beside the access policy (pure; no I/O, no clock of its own).
 * `decide()` says what a viewer may see of each person; a purpose profile then narrows that to what the
 * purpose needs (share the minimum necessary). A profile never opens anything `decide()` did not.
 */
import { CASE_CATEGORIES, decide, type DataCategory, type Decision, type Requester, type SubjectFacts } from './access-policy.ts';
import { consentCoverage, type ConsentFact } from '../sharing/rules.ts';

export const SUMMARY_PURPOSES = ['hub-meeting', 'work-with-family'] as const;
export type SummaryPurpose = (typeof SUMMARY_PURPOSES)[number];

export interface PurposeProfile {
  code: SummaryPurpose;
  label: string;
  /** The purpose written to the audit log. */
  auditPurpose: string;
  /** Case categories the purpose may show (still only where decide() opens them). */
  categories: readonly DataCategory[];
  /** Case categories shown only with written consent, or a recorded decision to share (a disclosure) that covers them. */
  needsConsentOrDisclosure: readonly DataCategory[];
  /** Police records: all of them, or only anti-social behaviour. */
  police: 'all' | 'anti-social-behaviour';
  /** The sharing purposes whose written consent covers the categories above. */
  consentPurposes: readonly string[];
}

export const PURPOSE_PROFILES: Record<SummaryPurpose, PurposeProfile> = {
  'hub-meeting': {
    code: 'hub-meeting',
    label: 'Prepare for a locality hub meeting',
    auditPurpose: 'family summary for a locality hub meeting',
    // Education, social care, youth justice, housing and anti-social behaviour; health only with written consent or a decision to share.
    categories: ['education', 'social_care', 'youth_justice', 'housing', 'police', 'health'],
    needsConsentOrDisclosure: ['health'],
    police: 'anti-social-behaviour',
    consentPurposes: ['early_help', 'mash_enquiry', 'safeguarding_child'],
  },
  'work-with-family': {
    code: 'work-with-family',
    label: 'Work with the family',
    auditPurpose: 'family summary to work with the family',
    categories: CASE_CATEGORIES,
    needsConsentOrDisclosure: [],
    police: 'all',
    consentPurposes: [],
  },
};

export const isSummaryPurpose = (s: unknown): s is SummaryPurpose => typeof s === 'string' && (SUMMARY_PURPOSES as readonly string[]).includes(s);

const ASB = /\banti ?social\b|\basbo?s?\b|\bnuisance\b|\bcommunity protection (notice|warning)\b|\bcpn\b|\bcpw\b/;

/**
 * Whether a police (or housing) record's type or role names anti-social behaviour, however an agency
 * system spells it: codes (`ASB`, `ASB_INCIDENT`, `AntiSocialBehaviour`), any dash or none, any case.
 * Given the record's type only, never its free text: notes that mention anti-social behaviour do not
 * turn a domestic incident into something a hub meeting may see.
 */
export function isAntiSocialBehaviour(type: string): boolean {
  const words = type
    .normalize('NFKC')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ');
  return ASB.test(words);
}

/** Which items of one category the viewer may see: all of them, or exactly those named (a disclosure's items: `note:<id>`, `involvement:<id>`). */
export type CategoryScope = 'all' | ReadonlySet<string>;

export interface SummaryAccess {
  subjectId: string;
  /** decide() allowed something. */
  allow: boolean;
  basis: Decision['basis'];
  reason: string;
  identity: boolean;
  family: boolean;
  involvements: boolean;
  contacts: boolean;
  /** Case categories shown, each with which of its items. */
  categories: Map<DataCategory, CategoryScope>;
  police: PurposeProfile['police'];
  hiddenInvolvementIds: ReadonlySet<string>;
  /** Every case category not shown, with why (the policy's reason, or the purpose's). */
  withheld: Array<{ category: DataCategory; reason: string }>;
  /** Case categories the policy opens but the purpose leaves out (involvements in them are left out too). */
  purposeWithheld: Set<DataCategory>;
  /** Which involvements the involvements category shows (only those disclosed, when a disclosure is what opens it). */
  involvementScope: CategoryScope;
}

export const NOT_FOR_PURPOSE = (category: DataCategory, profile: PurposeProfile) =>
  `Not part of ${profile.label.toLowerCase().replace(/^prepare for /, '')}: ${category.replace(/_/g, ' ')} is left out for this purpose`;
export const NEEDS_CONSENT = (category: DataCategory) =>
  `${category.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} information is shown for a hub meeting only with written consent, or a recorded decision to share it with you`;

/**
 * Whether a disclosure to the requester (a recorded sharing decision, with or without consent) opens a
 * category, and exactly which items: decide() over the facts with every other basis taken away.
 */
export function disclosureScope(r: Requester, facts: SubjectFacts, category: DataCategory, now: Date): CategoryScope | null {
  const onlyDisclosures: SubjectFacts = { ...facts, involvements: [], openEnquiryOrganisationIds: [], breakGlass: [], recordedBy: null };
  const d = decide({ requester: r, action: 'read', categories: [category], purpose: 'check a disclosure' }, onlyDisclosures, now);
  if (!d.allow || d.basisByCategory[category] !== 'disclosure') return null;
  return scopeOf(d, category);
}

function scopeOf(d: Decision, category: DataCategory): CategoryScope {
  if (d.basisByCategory[category] !== 'disclosure') return 'all';
  const items = d.disclosedItems.filter((i) => i.category === category);
  if (items.some((i) => i.type === 'all')) return 'all';
  return new Set(items.map((i) => `${i.type}:${i.id}`));
}

/** Written consent in force covering the category for one of the purposes, to the requester's organisation. */
export function writtenConsentCovers(consents: ReadonlyArray<ConsentFact & { method: string }>, r: Requester, category: DataCategory, purposes: readonly string[], now: Date): boolean {
  const written = consents.filter((c) => c.method === 'written');
  const date = now.toISOString().slice(0, 10);
  return purposes.some((purpose) => {
    const c = consentCoverage(written, { purpose, organisationId: r.organisationId, organisationType: r.organisationType, categories: [category], date }, now);
    return c.position === 'given' && c.covered.includes(category);
  });
}

/**
 * What the summary shows of one person for this purpose: decide()'s answer narrowed by the profile.
 * Categories needing consent or a disclosure (health, for a hub meeting) are shown only when written
 * consent covers them (all items decide() opens) or a disclosure does (exactly its items).
 */
export function summaryAccess(
  profile: PurposeProfile,
  decision: Decision,
  input: { requester: Requester; facts: SubjectFacts; consents: ReadonlyArray<ConsentFact & { method: string }>; now: Date },
): SummaryAccess {
  const allowed = new Set(decision.allowed);
  const categories = new Map<DataCategory, CategoryScope>();
  const withheld: SummaryAccess['withheld'] = [];
  const purposeWithheld = new Set<DataCategory>();
  for (const category of CASE_CATEGORIES) {
    if (!allowed.has(category)) {
      withheld.push({ category, reason: decision.redacted.find((x) => x.category === category)?.reason ?? 'Not covered by your basis for access' });
      continue;
    }
    if (!profile.categories.includes(category)) {
      withheld.push({ category, reason: NOT_FOR_PURPOSE(category, profile) });
      purposeWithheld.add(category);
      continue;
    }
    if (profile.needsConsentOrDisclosure.includes(category)) {
      if (writtenConsentCovers(input.consents, input.requester, category, profile.consentPurposes, input.now)) {
        categories.set(category, scopeOf(decision, category));
        continue;
      }
      const scope = disclosureScope(input.requester, input.facts, category, input.now);
      if (scope) categories.set(category, scope);
      else {
        withheld.push({ category, reason: NEEDS_CONSENT(category) });
        purposeWithheld.add(category);
      }
      continue;
    }
    categories.set(category, scopeOf(decision, category));
  }
  return {
    subjectId: input.facts.subjectId,
    allow: decision.allow,
    basis: decision.basis,
    reason: decision.reason,
    identity: allowed.has('identity'),
    family: allowed.has('family'),
    involvements: allowed.has('involvements'),
    contacts: allowed.has('contacts'),
    categories,
    police: profile.police,
    hiddenInvolvementIds: new Set(decision.hiddenInvolvementIds),
    withheld,
    purposeWithheld,
    involvementScope: allowed.has('involvements') ? scopeOf(decision, 'involvements') : new Set(),
  };
}

/** Who may mark an event significant or add analysis: decide() on updating the writer's own organisation's case category of the person. */
export const SUMMARY_CATEGORIES: readonly DataCategory[] = ['identity', 'family', 'involvements', 'contacts', ...CASE_CATEGORIES];
