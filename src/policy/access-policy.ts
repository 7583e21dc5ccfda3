/**
 * THE access policy. Every read or write of a person's data is decided here, from who is asking,
 * what they want, about whom and why; the PolicyGate (policy-gate.ts) loads the facts, calls
 * `decide`, and writes the audit entry. This module is pure: no I/O, no clock of its own.
 */

export const DATA_CATEGORIES = [
  'identity',
  'whereabouts',
  'family',
  'involvements',
  'contacts',
  'education',
  'health',
  'social_care',
  'police',
  'youth_justice',
  'housing',
  'probation',
  'voluntary',
  'consent',
  'access_history',
  'sharing_history',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** An agency's own case information: never shown to another agency without a rule that allows it. */
export const CASE_CATEGORIES: readonly DataCategory[] = [
  'education',
  'health',
  'social_care',
  'police',
  'youth_justice',
  'housing',
  'probation',
  'voluntary',
];

/** What anyone may see of a person to make contact with those involved, given a reason. */
export const CONTACT_MINIMUM: readonly DataCategory[] = ['identity', 'contacts'];

/** What a working relationship with the person opens (their own agency's case category is added per involvement). */
const RECORD_CATEGORIES: readonly DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts', 'consent'];

/** Oversight categories: who looked at the record and what was shared, for the IG lead and the lead professional. */
const OVERSIGHT_CATEGORIES: readonly DataCategory[] = ['access_history', 'sharing_history'];

/**
 * `share`: send (or decide not to send) the asked categories to someone else; only what the sharer holds on a
 * working basis can be shared. `export`: the person's whole record for a subject access request, by the IG lead.
 */
export type Action = 'read' | 'search' | 'create' | 'update' | 'add-involvement' | 'end-involvement' | 'share' | 'export';

export type Basis =
  | 'relationship'
  | 'recorded-by'
  | 'own-organisation'
  | 'mash-enquiry'
  | 'disclosure'
  | 'break-glass'
  | 'lead-professional'
  | 'information-governance'
  | 'contact-minimum'
  | 'new-record'
  | 'none';

export interface Requester {
  userId: string;
  organisationId: string;
  organisationType: string;
  teamIds: readonly string[];
  roles: readonly string[];
}

export interface InvolvementFact {
  id: string;
  organisationId: string;
  teamId: string | null;
  practitionerId: string | null;
  role: string;
  /** The case category of the service (e.g. health for a health visitor). */
  category: DataCategory;
  sensitive: boolean;
  consentToShow: boolean;
  active: boolean;
}

export interface SubjectFacts {
  subjectId: string;
  exists: boolean;
  shielded: boolean;
  /** Who recorded the person and when: the recorder keeps the record open for a while (RECORDED_BY_DAYS). */
  recordedBy?: { userId: string | null; at: Date } | null;
  involvements: readonly InvolvementFact[];
  /** Open MASH enquiries about this person (or their household). */
  openEnquiryOrganisationIds: readonly string[];
  disclosures: ReadonlyArray<{
    recipientUserId: string | null;
    recipientTeamId: string | null;
    recipientOrganisationId: string | null;
    categories: readonly DataCategory[];
    /** Exactly what was sent; a disclosure opens these items and nothing else of their categories. */
    items?: readonly DisclosedItem[] | undefined;
    expiresAt: Date | null;
    revoked: boolean;
  }>;
  breakGlass: ReadonlyArray<{ userId: string; expiresAt: Date }>;
}

/** One item of a record sent in a disclosure: the person's identity, an address, an involvement, a relationship or an agency's note. */
export interface DisclosedItem {
  /** `all`: the whole category (a disclosure that named categories but no items). */
  type: 'identity' | 'address' | 'involvement' | 'relationship' | 'note' | 'all';
  /** The item's id (null for identity, which is the person's current name and date of birth). */
  id: string | null;
  category: DataCategory;
}

export interface AccessRequest {
  requester: Requester;
  action: Action;
  /** The categories the caller wants to see or change. */
  categories: readonly DataCategory[];
  purpose: string;
  /** Free-text justification; required where the only basis is the contact minimum or break-glass. */
  reason?: string | undefined;
}

export interface Redaction {
  category: DataCategory;
  reason: string;
}

export interface Decision {
  allow: boolean;
  basis: Basis;
  /** Every basis that applied, strongest first. */
  bases: Basis[];
  /** Categories the caller may see or change: a subset of those asked for. */
  allowed: DataCategory[];
  /** Categories asked for but withheld, each with why. */
  redacted: Redaction[];
  /** Involvements (by id) the caller may not even know exist (sensitive services without consent). */
  hiddenInvolvementIds: string[];
  /** The basis each allowed category was opened on. */
  basisByCategory: Partial<Record<DataCategory, Basis>>;
  /**
   * For categories opened only by a disclosure: exactly the items disclosed. The caller shows those
   * items of the category and nothing else.
   */
  disclosedItems: DisclosedItem[];
  reason: string;
}

const has = (r: Requester, role: string) => r.roles.includes(role);

/** Roles that work with people (as opposed to oversight or administration). */
const PRACTITIONER_ROLES: readonly string[] = ['practitioner', 'mash_officer', 'team_manager'];
const isPractitioner = (r: Requester) => PRACTITIONER_ROLES.some((role) => has(r, role));

const WRITE_ACTIONS: readonly Action[] = ['update', 'add-involvement', 'end-involvement'];
/** The only bases on which a record may be changed: disclosure, break-glass and oversight are for reading. */
const WRITE_BASES: readonly Basis[] = ['relationship', 'recorded-by', 'mash-enquiry', 'own-organisation'];

/** How long the practitioner who recorded a person keeps the record open without an involvement. */
export const RECORDED_BY_DAYS = 30;

/** Whether this requester has an active working relationship with the person (their own or their team's involvement). */
export function relationshipOf(r: Requester, facts: SubjectFacts): InvolvementFact[] {
  return facts.involvements.filter(
    (i) => i.active && ((i.practitionerId !== null && i.practitionerId === r.userId) || (i.teamId !== null && r.teamIds.includes(i.teamId))),
  );
}

function liveDisclosuresTo(r: Requester, facts: SubjectFacts, now: Date): SubjectFacts['disclosures'] {
  return facts.disclosures.filter(
    (d) =>
      !d.revoked &&
      !(d.expiresAt && d.expiresAt <= now) &&
      ((d.recipientUserId !== null && d.recipientUserId === r.userId) ||
        (d.recipientTeamId !== null && r.teamIds.includes(d.recipientTeamId)) ||
        (d.recipientOrganisationId !== null && d.recipientOrganisationId === r.organisationId)),
  );
}

function disclosedCategories(r: Requester, facts: SubjectFacts, now: Date): Set<DataCategory> {
  const out = new Set<DataCategory>();
  for (const d of liveDisclosuresTo(r, facts, now)) d.categories.forEach((c) => out.add(c));
  return out;
}

/**
 * Sensitive services' involvements (sexual health, substance misuse, mental health, domestic
 * abuse support) are invisible to everyone outside the organisation providing them unless the
 * person consented to their being shown.
 */
/**
 * Whether the requester may see involvements beyond their own organisation's: through a working
 * relationship, or a basis that still opens involvements once the person's involvements (so their own
 * organisation's) are set aside. Otherwise the involvements category shows them their own
 * organisation's only.
 */
export function involvementsBeyondOwnOrganisation(r: Requester, facts: SubjectFacts, now: Date): boolean {
  return relationshipOf(r, facts).length > 0 || decide({ requester: r, action: 'read', categories: ['involvements'], purpose: 'check the basis' }, { ...facts, involvements: [] }, now).allow;
}

export function hiddenInvolvements(r: Requester, facts: SubjectFacts): string[] {
  return facts.involvements.filter((i) => i.sensitive && !i.consentToShow && i.organisationId !== r.organisationId).map((i) => i.id);
}

/**
 * A shielded person appears in search results only on an exact match of full name and date of
 * birth, so that nobody can find them by browsing or by guessing part of a name.
 */
export function mayAppearInSearch(shielded: boolean, exactNameAndDateOfBirth: boolean): boolean {
  return !shielded || exactNameAndDateOfBirth;
}

/** Why a shielded member of someone's household is withheld from a viewer of that household. */
export const SHIELDED_MEMBER_REASON = 'This person is shielded: who they live with, and where, is shown only to practitioners working with them';
/** Why a household's address is withheld when someone living there now is withheld. */
export const SHIELDED_HOUSEHOLD_ADDRESS_REASON =
  'Someone who lives here is shielded: the address is shown only to practitioners who work with everyone living here';

export interface HouseholdMemberFacts {
  subjectId: string;
  shielded: boolean;
  /** They live in the household now. */
  current: boolean;
  /** decide() about reading this member's own whereabouts; needed for shielded members, ignored for others. */
  whereabouts?: Pick<Decision, 'allow' | 'allowed'> | undefined;
}

export interface HouseholdAccess {
  /** Null when the household's address may be shown; otherwise why it is withheld. */
  addressWithheld: string | null;
  /** Members the viewer may not see, each with why: shown as withheld, never silently dropped. */
  withheldMembers: Map<string, string>;
}

/**
 * What the viewer of one person's household may see of it. Membership is that person's family
 * data, and the household's address is the whereabouts of everyone who lives there, so:
 *  - the households are shown only with the family category of the person viewed (the caller
 *    checks that with decide());
 *  - a shielded member (other than the person viewed) is shown only when the policy would show
 *    that member's own whereabouts to the viewer, which for a shielded person means a working
 *    relationship with them; otherwise they are withheld;
 *  - the address is shown only with the whereabouts of the person viewed, and never while
 *    someone withheld lives there, so a shielded member's whereabouts cannot leak through it.
 */
export function householdAccess(
  subject: { subjectId: string; decision: Pick<Decision, 'allowed' | 'redacted'> },
  members: readonly HouseholdMemberFacts[],
): HouseholdAccess {
  const withheldMembers = new Map<string, string>();
  for (const m of members) {
    if (m.subjectId === subject.subjectId || !m.shielded) continue;
    const open = m.whereabouts?.allow === true && m.whereabouts.allowed.includes('whereabouts');
    if (!open) withheldMembers.set(m.subjectId, SHIELDED_MEMBER_REASON);
  }
  let addressWithheld: string | null = null;
  if (!subject.decision.allowed.includes('whereabouts')) {
    addressWithheld = subject.decision.redacted.find((r) => r.category === 'whereabouts')?.reason ?? 'Not covered by your basis for access';
  } else if (members.some((m) => m.current && withheldMembers.has(m.subjectId))) {
    addressWithheld = SHIELDED_HOUSEHOLD_ADDRESS_REASON;
  }
  return { addressWithheld, withheldMembers };
}

export function decide(request: AccessRequest, facts: SubjectFacts, now: Date): Decision {
  const r = request.requester;
  const asked = [...new Set(request.categories)];
  const hiddenInvolvementIds = hiddenInvolvements(r, facts);
  const deny = (reason: string, basis: Basis = 'none'): Decision => ({
    allow: false,
    basis,
    bases: [],
    allowed: [],
    redacted: asked.map((category) => ({ category, reason })),
    hiddenInvolvementIds,
    basisByCategory: {},
    disclosedItems: [],
    reason,
  });

  if (request.action === 'create') {
    if (!isPractitioner(r)) {
      return deny('Only practitioners, team managers and MASH officers record people');
    }
    // A new record holds identity, whereabouts, family and who is involved: never another agency's case content.
    const allowed = asked.filter((c) => RECORD_CATEGORIES.includes(c));
    const redacted = asked.filter((c) => !RECORD_CATEGORIES.includes(c)).map((category) => ({ category, reason: withheldReason(category, true) }));
    if (allowed.length === 0) return { ...deny(redacted[0]?.reason ?? 'Nothing requested'), redacted };
    return {
      allow: true,
      basis: 'new-record',
      bases: ['new-record'],
      allowed,
      redacted,
      hiddenInvolvementIds,
      basisByCategory: Object.fromEntries(allowed.map((c) => [c, 'new-record' as Basis])),
      disclosedItems: [],
      reason: 'recording a new person',
    };
  }
  if (!facts.exists) return deny('No such person');
  if (request.action === 'export') {
    // A subject access request: the IG lead assembles what is held, with the request's reference as the reason.
    if (!has(r, 'ig_lead')) return deny('Only the information-governance lead exports a person\'s record for a subject access request');
    if (!request.reason?.trim()) return deny('Give the subject access request\'s reference or reason');
  }

  // Which categories each basis opens.
  const grants = new Map<Basis, Set<DataCategory>>();
  const grant = (basis: Basis, categories: Iterable<DataCategory>) => {
    const set = grants.get(basis) ?? new Set<DataCategory>();
    for (const c of categories) set.add(c);
    grants.set(basis, set);
  };

  const mine = relationshipOf(r, facts);
  if (mine.length > 0) {
    grant('relationship', RECORD_CATEGORIES);
    // Each involvement opens its own agency's case category (a school sees education it holds).
    grant('relationship', mine.map((i) => i.category));
  }
  if (
    isPractitioner(r) &&
    facts.recordedBy?.userId === r.userId &&
    now.getTime() - facts.recordedBy.at.getTime() < RECORDED_BY_DAYS * 86_400_000
  ) {
    // Whoever has just recorded a person can go on recording what they know (no case content).
    grant('recorded-by', RECORD_CATEGORIES);
  }
  if (isPractitioner(r) && facts.involvements.some((i) => i.organisationId === r.organisationId && i.active)) {
    // Colleagues may manage (and see) their own organisation's involvements; case content still needs a relationship.
    grant('own-organisation', ['involvements']);
  }
  // The hub's officers (of any agency in the co-located hub) research an open enquiry; the team manager of
  // the organisation that opened it signs off the threshold decision, so sees what the research found.
  if (
    (has(r, 'mash_officer') && facts.openEnquiryOrganisationIds.length > 0) ||
    (has(r, 'team_manager') && facts.openEnquiryOrganisationIds.includes(r.organisationId))
  ) {
    grant('mash-enquiry', [...RECORD_CATEGORIES, ...CASE_CATEGORIES]);
  }
  const disclosed = disclosedCategories(r, facts, now);
  if (disclosed.size > 0) grant('disclosure', disclosed);
  if (facts.breakGlass.some((b) => b.userId === r.userId && b.expiresAt > now)) {
    grant('break-glass', RECORD_CATEGORIES);
  }
  if (has(r, 'ig_lead')) grant('information-governance', OVERSIGHT_CATEGORIES);
  if (request.action === 'export') {
    // Everything held, on the IG lead's basis alone (a shielded person's whereabouts stay withheld below).
    grants.clear();
    grant('information-governance', asked);
  }
  if (facts.involvements.some((i) => i.active && i.role === 'lead_professional' && i.practitionerId === r.userId)) {
    grant('lead-professional', OVERSIGHT_CATEGORIES);
  }
  const hasRecordBasis = grants.has('relationship') || grants.has('recorded-by') || grants.has('mash-enquiry') || grants.has('break-glass');

  if (request.action === 'search') {
    // Search results show the contact minimum to practitioners with a reason; more to those with a basis.
    if (!isPractitioner(r)) return deny('Only practitioners, team managers and MASH officers search for people');
    if (!request.reason?.trim()) return deny('A reason is needed to search for people');
    grant('contact-minimum', CONTACT_MINIMUM);
  } else if (request.action === 'read' && !hasRecordBasis && request.reason?.trim()) {
    grant('contact-minimum', CONTACT_MINIMUM);
  }

  if (request.action === 'update' || request.action === 'end-involvement') {
    const canWrite = grants.has('relationship') || grants.has('recorded-by') || grants.has('mash-enquiry') || grants.has('own-organisation');
    if (!canWrite) return deny('Changing a record needs a working relationship with the person, an open MASH enquiry, or your organisation\'s own involvement');
  }
  if (request.action === 'add-involvement') {
    // Anyone in a practitioner role may record that their own organisation has started working with a person,
    // except with a shielded person: recording an involvement opens their whereabouts, so only someone who
    // already works with them (or the MASH on an open enquiry) may add one.
    if (!isPractitioner(r)) return deny('Only practitioners record involvements');
    const established = grants.has('relationship') || grants.has('recorded-by') || grants.has('mash-enquiry') || grants.has('own-organisation');
    if (facts.shielded && !established) {
      return deny('This person is shielded: only practitioners already working with them, or the MASH on an open enquiry, can record a new involvement');
    }
    grant('own-organisation', ['involvements']);
  }

  if (request.action === 'share' && !isPractitioner(r)) return deny('Only practitioners, team managers and MASH officers make sharing decisions');

  // Sharing is all or nothing too, and only what the sharer holds on a working basis can be passed on:
  // not what was disclosed to them, seen in an emergency, or the contact minimum.
  const writing = WRITE_ACTIONS.includes(request.action) || request.action === 'share';
  if (writing) {
    for (const b of [...grants.keys()]) if (!WRITE_BASES.includes(b)) grants.delete(b);
  }

  const allowed: DataCategory[] = [];
  const redacted: Redaction[] = [];
  const usedBases = new Set<Basis>();
  const basisByCategory: Partial<Record<DataCategory, Basis>> = {};
  // Strongest first. Own-organisation opens only the involvements, so it never outranks a basis that opens the record
  // (the headline basis is what the audit entry and the page show).
  const order: Basis[] = ['relationship', 'recorded-by', 'mash-enquiry', 'disclosure', 'lead-professional', 'information-governance', 'break-glass', 'own-organisation', 'contact-minimum'];
  for (const category of asked) {
    const basis = order.find((b) => grants.get(b)?.has(category));
    // Shielded people's whereabouts: only a working relationship (or their own agency's record) reveals them.
    if (category === 'whereabouts' && facts.shielded && basis !== undefined && basis !== 'relationship' && basis !== 'own-organisation') {
      redacted.push({ category, reason: 'This person is shielded: their whereabouts are shown only to practitioners working with them' });
      continue;
    }
    if (basis) {
      allowed.push(category);
      usedBases.add(basis);
      basisByCategory[category] = basis;
    } else {
      redacted.push({ category, reason: withheldReason(category, hasRecordBasis) });
    }
  }
  const bases = order.filter((b) => usedBases.has(b));
  if (writing && redacted.length > 0) {
    // A change is allowed in full or not at all: a partly allowed change (e.g. flags that also touch a
    // shielded person's whereabouts) must not go ahead on the strength of the part that is allowed.
    const refused = new Set(redacted.map((x) => x.category));
    const all = asked.map((category) => redacted.find((x) => x.category === category) ?? { category, reason: 'Part of a change you may not make in full' });
    return { ...deny(`You may not change ${[...refused].join(', ')}: ${redacted[0]!.reason}`), redacted: all };
  }
  if (allowed.length === 0) {
    return { ...deny(redacted[0]?.reason ?? 'Nothing requested'), redacted };
  }
  // Categories open only through a disclosure show exactly the items disclosed.
  const byDisclosure = new Set(allowed.filter((c) => basisByCategory[c] === 'disclosure'));
  const disclosedItems = byDisclosure.size
    ? liveDisclosuresTo(r, facts, now).flatMap((d) =>
        d.items?.length
          ? d.items.filter((i) => byDisclosure.has(i.category))
          : d.categories.filter((c) => byDisclosure.has(c)).map((category): DisclosedItem => ({ type: 'all', id: null, category })),
      )
    : [];
  // One entry per item, in a fixed order: the answer must not depend on the order disclosures arrive in.
  const key = (i: DisclosedItem) => `${i.category}\u0000${i.type}\u0000${i.id ?? ''}`;
  const uniqueItems = [...new Map(disclosedItems.map((i) => [key(i), i])).values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    allow: true,
    basis: bases[0]!,
    bases,
    allowed,
    redacted,
    hiddenInvolvementIds,
    basisByCategory,
    disclosedItems: uniqueItems,
    reason: describe(bases[0]!),
  };
}

function withheldReason(category: DataCategory, hasRecordBasis: boolean): string {
  if (category === 'access_history') return 'Only the information-governance lead and the lead professional see who viewed the record';
  if (category === 'sharing_history') return 'Only the information-governance lead and the lead professional see the record\'s sharing history';
  if (CASE_CATEGORIES.includes(category)) {
    return 'Held by another agency: ask the practitioner involved, or request a disclosure';
  }
  return hasRecordBasis
    ? 'Not covered by your basis for access'
    : 'You have no working relationship with this person: you can see who is involved and how to contact them';
}

function describe(basis: Basis): string {
  switch (basis) {
    case 'relationship':
      return 'you or your team work with this person';
    case 'recorded-by':
      return 'you recorded this person recently';
    case 'own-organisation':
      return "your organisation's own record";
    case 'mash-enquiry':
      return 'an open MASH enquiry';
    case 'disclosure':
      return 'information disclosed to you';
    case 'break-glass':
      return 'emergency access (break-glass), under review';
    case 'lead-professional':
      return 'you are the lead professional';
    case 'information-governance':
      return 'information-governance oversight';
    case 'contact-minimum':
      return 'the minimum needed to contact those involved';
    case 'new-record':
      return 'recording a new person';
    case 'none':
      return 'no basis';
  }
}

// ---------- an organisation's own records about its sharing ----------

export interface OrganisationRecordDecision {
  allow: boolean;
  reason: string;
}

/**
 * Who may approve or decline a decision to share without consent: a team manager of the deciding
 * organisation, and never the practitioner who made the decision (two people, always).
 */
/**
 * Emergency access (break-glass) is for those who work with people: practitioners, MASH officers and
 * team managers. Never an IG lead or system administrator by role alone: they review its use.
 */
export function mayBreakGlass(r: Requester): OrganisationRecordDecision {
  if (isPractitioner(r)) return { allow: true, reason: 'a practitioner in an emergency, with a stated reason' };
  return { allow: false, reason: 'Only practitioners, MASH officers and team managers can use emergency access' };
}

/** Reviewing the use of emergency access is the information-governance lead's. */
export function mayReviewBreakGlass(r: Requester): OrganisationRecordDecision {
  if (has(r, 'ig_lead')) return { allow: true, reason: 'the information-governance lead reviews emergency access' };
  return { allow: false, reason: 'Only the information-governance lead reviews emergency access' };
}

export function mayApproveShare(r: Requester, d: { organisationId: string; decidedBy: string }): OrganisationRecordDecision {
  if (!has(r, 'team_manager')) return { allow: false, reason: 'Only a team manager approves a share without consent' };
  if (r.organisationId !== d.organisationId) return { allow: false, reason: "Only a manager in the deciding practitioner's organisation approves their decision" };
  if (r.userId === d.decidedBy) return { allow: false, reason: 'You cannot approve your own decision: another manager must' };
  return { allow: true, reason: 'a team manager of the deciding organisation' };
}

/** Who may see and report on an organisation's sharing decisions: its team managers and information-governance lead. */
export function mayReportOnSharing(r: Requester, organisationId: string): OrganisationRecordDecision {
  if (r.organisationId !== organisationId) return { allow: false, reason: "You can report only on your own organisation's sharing decisions" };
  if (!has(r, 'team_manager') && !has(r, 'ig_lead')) return { allow: false, reason: 'Only team managers and the information-governance lead report on sharing decisions' };
  return { allow: true, reason: has(r, 'ig_lead') ? 'information-governance oversight' : 'team management' };
}

// ---------- an organisation's own feeds of records ----------

/** Who asks to load or manage a feed: a signed-in practitioner, an agency system's API token, or the operator at the server. */
export type FeedRequester = (Requester & { via: 'password' | 'oidc' | 'api-token' }) | { operator: true };

/**
 * Importing a feed is an organisation writing its own records about people (they are its records,
 * sent by its own systems; linking them to people is a later, separate step). Allowed:
 * - an API token of a practitioner of the feed's organisation (the agency's system sending its data);
 * - a team manager or information-governance lead of the feed's organisation, signed in;
 * - the operator at the server's command line (who holds the database anyway; audited as `cli`).
 * Never anyone of another organisation, and never a system administrator by role alone.
 */
export function mayImportFeed(r: FeedRequester, feed: { organisationId: string }): OrganisationRecordDecision {
  if ('operator' in r) return { allow: true, reason: 'the operator at the server command line' };
  if (r.organisationId !== feed.organisationId) return { allow: false, reason: "Only the feed's own organisation can send records through it" };
  if (r.via === 'api-token') return { allow: true, reason: "an API token of the feed's organisation" };
  if (has(r, 'team_manager') || has(r, 'ig_lead')) return { allow: true, reason: has(r, 'ig_lead') ? 'information-governance lead of the organisation' : 'team manager of the organisation' };
  return { allow: false, reason: 'Only a team manager or the information-governance lead (or an API token of the organisation) can import a feed' };
}

/**
 * Creating a feed (its mapping) and reading its runs and refused rows: the same people as importing.
 * A run's refused rows carry excerpts of what was sent, so they stay within the organisation.
 */
export function mayManageFeeds(r: FeedRequester, organisationId: string): OrganisationRecordDecision {
  return mayImportFeed(r, { organisationId });
}

/**
 * The outbound births list for a children's centre: only its own team managers, practitioners and IG
 * lead (it is sent to them), or the job that produces it (the operator/system).
 */
export function mayReceiveBirthsFeed(r: FeedRequester, centreOrganisationId: string): OrganisationRecordDecision {
  if ('operator' in r) return { allow: true, reason: 'the weekly job or the operator' };
  if (r.organisationId !== centreOrganisationId) return { allow: false, reason: "Only the children's centre's own staff receive its list of new births" };
  return { allow: true, reason: "staff of the children's centre" };
}

/**
 * Running record linkage over an organisation's feed records and deciding its review queue (accept,
 * reject, undo a link): the organisation's own team managers, information-governance lead and
 * practitioners, and the operator. The candidate person's identity is still read through `decide`.
 */
/**
 * Training the linkage model reads every organisation's people records and the people table in bulk
 * (the model keeps no one's record: weights, and only names held by several people): the operator at
 * the server's command line, or the scheduled job acting as the operator. Nobody signed in, whatever
 * their role.
 */
export function mayTrainLinkageModel(r: FeedRequester): OrganisationRecordDecision {
  if ('operator' in r) return { allow: true, reason: 'the operator at the server command line, or its scheduled job' };
  return { allow: false, reason: 'Only the operator at the server command line trains the linkage model: it reads every organisation’s records' };
}

export function mayReviewLinks(r: FeedRequester, organisationId: string): OrganisationRecordDecision {
  if ('operator' in r) return { allow: true, reason: 'the operator at the server command line' };
  if (r.organisationId !== organisationId) return { allow: false, reason: "Only the organisation whose records they are reviews their links to people" };
  if (has(r, 'team_manager') || has(r, 'ig_lead') || has(r, 'practitioner')) return { allow: true, reason: "staff of the records' organisation" };
  return { allow: false, reason: 'Only practitioners, team managers and the information-governance lead review record links' };
}
