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
  'access_history',
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
const RECORD_CATEGORIES: readonly DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts'];

export type Action = 'read' | 'search' | 'create' | 'update' | 'add-involvement' | 'end-involvement';

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
    expiresAt: Date | null;
    revoked: boolean;
  }>;
  breakGlass: ReadonlyArray<{ userId: string; expiresAt: Date }>;
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

function disclosedCategories(r: Requester, facts: SubjectFacts, now: Date): Set<DataCategory> {
  const out = new Set<DataCategory>();
  for (const d of facts.disclosures) {
    if (d.revoked || (d.expiresAt && d.expiresAt <= now)) continue;
    const mine =
      (d.recipientUserId !== null && d.recipientUserId === r.userId) ||
      (d.recipientTeamId !== null && r.teamIds.includes(d.recipientTeamId)) ||
      (d.recipientOrganisationId !== null && d.recipientOrganisationId === r.organisationId);
    if (mine) d.categories.forEach((c) => out.add(c));
  }
  return out;
}

/**
 * Sensitive services' involvements (sexual health, substance misuse, mental health, domestic
 * abuse support) are invisible to everyone outside the organisation providing them unless the
 * person consented to their being shown.
 */
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
    return { allow: true, basis: 'new-record', bases: ['new-record'], allowed, redacted, hiddenInvolvementIds, reason: 'recording a new person' };
  }
  if (!facts.exists) return deny('No such person');

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
  if (has(r, 'mash_officer') && facts.openEnquiryOrganisationIds.length > 0) {
    grant('mash-enquiry', [...RECORD_CATEGORIES, ...CASE_CATEGORIES]);
  }
  const disclosed = disclosedCategories(r, facts, now);
  if (disclosed.size > 0) grant('disclosure', disclosed);
  if (facts.breakGlass.some((b) => b.userId === r.userId && b.expiresAt > now)) {
    grant('break-glass', RECORD_CATEGORIES);
  }
  if (has(r, 'ig_lead')) grant('information-governance', ['access_history']);
  if (facts.involvements.some((i) => i.active && i.role === 'lead_professional' && i.practitionerId === r.userId)) {
    grant('lead-professional', ['access_history']);
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

  const writing = WRITE_ACTIONS.includes(request.action);
  if (writing) {
    for (const b of [...grants.keys()]) if (!WRITE_BASES.includes(b)) grants.delete(b);
  }

  const allowed: DataCategory[] = [];
  const redacted: Redaction[] = [];
  const usedBases = new Set<Basis>();
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
  return {
    allow: true,
    basis: bases[0]!,
    bases,
    allowed,
    redacted,
    hiddenInvolvementIds,
    reason: describe(bases[0]!),
  };
}

function withheldReason(category: DataCategory, hasRecordBasis: boolean): string {
  if (category === 'access_history') return 'Only the information-governance lead and the lead professional see who viewed the record';
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
