/**
 * The rules of lawful sharing, as the government's information sharing guidance sets them out
 * (the seven golden rules and the flowchart): what consent covers, whether a person could give it,
 * whether a sharing decision is complete and what it needs before anything is sent, and whether an
 * information sharing agreement covers a share. Pure: no I/O and no clock of its own.
 */
import { CASE_CATEGORIES, type DataCategory } from '../policy/access-policy.ts';

export const PURPOSES = [
  'safeguarding_child',
  'safeguarding_adult',
  'early_help',
  'care_and_support',
  'housing_support',
  'crime_prevention',
  'staff_safety',
  'education',
  'service_referral',
  'mash_enquiry',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const PURPOSE_LABELS: Record<Purpose, string> = {
  safeguarding_child: 'safeguarding a child',
  safeguarding_adult: 'safeguarding an adult',
  early_help: 'early help and family support',
  care_and_support: 'care, treatment and support',
  housing_support: 'housing and accommodation',
  crime_prevention: 'preventing crime and reoffending',
  staff_safety: 'keeping staff and others safe',
  education: 'education and attendance',
  service_referral: 'referral to a service',
  mash_enquiry: 'a multi-agency safeguarding hub enquiry',
};

export type LegalBasisKind = 'gdpr_article_6' | 'gdpr_article_9' | 'criminal_offence' | 'statute' | 'common_law';
export interface LegalBasisInfo {
  code: string;
  kind: LegalBasisKind;
  label: string;
  /** This basis is the person's consent: it cannot be relied on where there is none. */
  consent: boolean;
}

/** UK GDPR article 9 special category data among the record's categories. */
export const SPECIAL_CATEGORIES: readonly DataCategory[] = ['health'];
/** Criminal offence data (UK GDPR article 10, DPA 2018 section 10). */
export const CRIMINAL_OFFENCE_CATEGORIES: readonly DataCategory[] = ['police', 'probation', 'youth_justice'];

/** Categories a share can carry: what the record holds, never its access history. */
export const SHAREABLE_CATEGORIES: readonly DataCategory[] = ['identity', 'whereabouts', 'family', 'involvements', 'contacts', ...CASE_CATEGORIES];

// ---------- consent ----------

export interface ConsentException {
  /** A nested provision: deny carves something out of a consent given; permit adds to it. */
  type: 'deny' | 'permit';
  purposes: readonly string[];
  organisationIds: readonly string[];
  organisationTypes: readonly string[];
  categories: readonly string[];
  from?: string | null | undefined;
  until?: string | null | undefined;
}

export interface ConsentFact {
  id: string;
  decision: 'given' | 'refused';
  givenBy: 'person' | 'parental_responsibility' | 'lawful_representative';
  purposes: readonly string[];
  recipientOrganisationIds: readonly string[];
  recipientOrganisationTypes: readonly string[];
  anyRecipient: boolean;
  categories: readonly string[];
  exceptions: readonly ConsentException[];
  validFrom: string;
  validUntil: string | null;
  recordedAt: Date;
  withdrawnAt: Date | null;
}

export interface ShareTarget {
  purpose: string;
  organisationId: string | null;
  organisationType: string | null;
  categories: readonly DataCategory[];
  /** YYYY-MM-DD */
  date: string;
}

export type ConsentState = 'in-force' | 'refused' | 'withdrawn' | 'expired' | 'not-yet';

export function consentState(c: ConsentFact, today: string, now: Date): ConsentState {
  if (c.decision === 'refused') return c.withdrawnAt && c.withdrawnAt <= now ? 'withdrawn' : 'refused';
  if (c.withdrawnAt && c.withdrawnAt <= now) return 'withdrawn';
  if (c.validFrom > today) return 'not-yet';
  if (c.validUntil !== null && c.validUntil < today) return 'expired';
  return 'in-force';
}

export interface ConsentCoverage {
  /** What the records say about this share. */
  position: 'given' | 'refused' | 'withdrawn' | 'none';
  consentId: string | null;
  /** Categories the consent covers, and those it does not (a partial consent). */
  covered: DataCategory[];
  notCovered: DataCategory[];
  /** Plain explanations, e.g. that consent exists but for another purpose. */
  messages: string[];
}

const inWindow = (from: string | null | undefined, until: string | null | undefined, date: string) =>
  (!from || from <= date) && (!until || until >= date);

function recipientMatches(ids: readonly string[], types: readonly string[], t: ShareTarget): boolean {
  return (t.organisationId !== null && ids.includes(t.organisationId)) || (t.organisationType !== null && types.includes(t.organisationType));
}

const consentRecipientMatches = (c: ConsentFact, t: ShareTarget) => c.anyRecipient || recipientMatches(c.recipientOrganisationIds, c.recipientOrganisationTypes, t);

/** A nested provision applies when its purposes, actors and period (each where given) match the share. */
function exceptionApplies(e: ConsentException, t: ShareTarget): boolean {
  if (e.purposes.length && !e.purposes.includes(t.purpose)) return false;
  if ((e.organisationIds.length || e.organisationTypes.length) && !recipientMatches(e.organisationIds, e.organisationTypes, t)) return false;
  return inWindow(e.from, e.until, t.date);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** 22 November 2026, as the GOV.UK style guide writes dates. */
const fmtDate = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
const fmtIso = (iso: string) => fmtDate(new Date(`${iso}T00:00:00Z`));
/** Categories in words: social care, youth justice. */
export const labelCategories = (cs: readonly string[]) => cs.map((c) => c.replace(/_/g, ' ')).join(', ');
const labelPurpose = (p: string) => PURPOSE_LABELS[p as Purpose] ?? p;

/**
 * What the person's consent records say about a proposed share. The latest statement that speaks to
 * this purpose and recipient wins (a refusal or withdrawal after a consent ends it). Consent for one
 * purpose or recipient never covers another: the messages say so, so the practitioner is not misled.
 */
export function consentCoverage(consents: readonly ConsentFact[], target: ShareTarget, now: Date): ConsentCoverage {
  const today = target.date;
  const latestFirst = [...consents].sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
  const messages: string[] = [];
  const relevant = latestFirst.filter((c) => c.purposes.includes(target.purpose) && consentRecipientMatches(c, target));
  for (const c of relevant) {
    const state = consentState(c, today, now);
    if (state === 'not-yet') continue;
    if (state === 'expired') {
      messages.push(`Consent recorded on ${fmtDate(c.recordedAt)} ended on ${fmtIso(c.validUntil!)}: it cannot be relied on now`);
      continue;
    }
    if (state === 'refused') {
      return { position: 'refused', consentId: c.id, covered: [], notCovered: [...target.categories], messages: [`Consent was refused on ${fmtDate(c.recordedAt)} for ${labelPurpose(target.purpose)}`, ...messages] };
    }
    if (state === 'withdrawn') {
      return {
        position: 'withdrawn',
        consentId: c.id,
        covered: [],
        notCovered: [...target.categories],
        messages: [`Consent given on ${fmtDate(c.recordedAt)} was withdrawn on ${fmtDate(c.withdrawnAt!)}`, ...messages],
      };
    }
    // In force: which of the categories does it cover, after its exceptions?
    const covered: DataCategory[] = [];
    const notCovered: DataCategory[] = [];
    for (const category of target.categories) {
      let ok = c.categories.includes(category);
      for (const e of c.exceptions) {
        if (!exceptionApplies(e, target)) continue;
        if (e.categories.length && !e.categories.includes(category)) continue;
        ok = e.type === 'permit';
      }
      (ok ? covered : notCovered).push(category);
    }
    if (covered.length === 0) {
      messages.unshift(`Consent recorded on ${fmtDate(c.recordedAt)} does not cover ${labelCategories(notCovered)} for this recipient`);
      return { position: 'none', consentId: null, covered, notCovered, messages };
    }
    if (notCovered.length) messages.push(`Consent recorded on ${fmtDate(c.recordedAt)} does not cover: ${labelCategories(notCovered)}`);
    return { position: 'given', consentId: c.id, covered, notCovered, messages };
  }
  // Nothing speaks to this share: say what the consent on record does cover, so nobody relies on it wrongly.
  for (const c of latestFirst) {
    const state = consentState(c, today, now);
    if (c.decision !== 'given' || state !== 'in-force') continue;
    if (!c.purposes.includes(target.purpose)) {
      messages.push(
        `Consent recorded on ${fmtDate(c.recordedAt)} is for ${c.purposes.map(labelPurpose).join(', ')}, not ${labelPurpose(target.purpose)}: consent given for one purpose does not cover another`,
      );
    } else if (!consentRecipientMatches(c, target)) {
      messages.push(`Consent recorded on ${fmtDate(c.recordedAt)} is for sharing with other recipients, not this one`);
    }
  }
  return { position: 'none', consentId: null, covered: [], notCovered: [...target.categories], messages };
}

/** Age in whole years on a date, or null when the date of birth is unknown; an unborn child is -1. */
export function ageOn(dateOfBirth: string | null, dobPrecision: string, date: string): number | null {
  if (!dateOfBirth || dobPrecision === 'unknown') return null;
  if (dobPrecision === 'expected' || dateOfBirth > date) return -1;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export interface CapacityInput {
  givenBy: 'person' | 'parental_responsibility' | 'lawful_representative';
  givenByName?: string | undefined;
  capacityAssessment: 'gillick' | 'mental_capacity' | 'presumed';
  capacityOutcome: 'capable' | 'not_capable';
  capacityReasoning?: string | undefined;
}

/**
 * Whether the person who gave (or refused) consent could do so: a child under 16 only if assessed
 * competent (Gillick); anyone 16 or over is presumed to have capacity unless an assessment under
 * the Mental Capacity Act 2005 finds otherwise, when only a lawful representative can decide.
 * Returns field -> message for every problem.
 */
export function capacityProblems(input: CapacityInput, age: number | null): Record<string, string> {
  const out: Record<string, string> = {};
  const reasoning = input.capacityReasoning?.trim() ?? '';
  if (input.capacityAssessment !== 'presumed' && reasoning.length < 20) {
    out.capacityReasoning = 'Record the reasoning of the assessment, in at least 20 characters';
  }
  if (input.givenBy !== 'person' && !(input.givenByName?.trim())) {
    out.givenByName = input.givenBy === 'parental_responsibility' ? 'Enter the name of the person with parental responsibility' : 'Enter the name of the lawful representative';
  }
  if (input.capacityAssessment === 'presumed' && input.capacityOutcome !== 'capable') {
    out.capacityOutcome = 'Capacity can only be presumed, not presumed absent: record a mental capacity or competence assessment';
  }
  if (age === null) {
    if (input.givenBy === 'person' && input.capacityAssessment === 'presumed') {
      out.capacityAssessment = 'Their date of birth is not known: record a competence or mental capacity assessment';
    }
    return out;
  }
  if (age < 0) {
    if (input.givenBy !== 'parental_responsibility') out.givenBy = 'An unborn child cannot consent: record the consent of the expectant parent with parental responsibility';
    return out;
  }
  if (input.givenBy === 'person') {
    if (age < 16) {
      if (input.capacityAssessment !== 'gillick') {
        out.capacityAssessment = 'A child under 16 can consent only if assessed as competent to understand (Gillick): record the assessment';
      } else if (input.capacityOutcome !== 'capable') {
        out.givenBy = 'This child was assessed as not competent to decide: record the consent of someone with parental responsibility';
      }
    } else {
      if (input.capacityAssessment === 'gillick') out.capacityAssessment = 'Gillick competence applies to children under 16: from 16, capacity is presumed or assessed under the Mental Capacity Act';
      if (input.capacityAssessment === 'mental_capacity' && input.capacityOutcome !== 'capable') {
        out.givenBy = 'This person was assessed as lacking capacity to decide: record the decision of their lawful representative, or a best-interests decision to share';
      }
    }
  } else if (input.givenBy === 'parental_responsibility') {
    if (age >= 18) out.givenBy = 'Parental responsibility ends at 18: an adult decides for themselves, or a lawful representative where they lack capacity';
  } else if (input.givenBy === 'lawful_representative') {
    if (age < 16) out.givenBy = 'For a child under 16, consent comes from the child (if competent) or someone with parental responsibility';
    else if (input.capacityAssessment !== 'mental_capacity' || input.capacityOutcome !== 'not_capable') {
      out.capacityAssessment = 'A lawful representative decides only for someone assessed as lacking capacity: record that mental capacity assessment';
    }
  }
  return out;
}

// ---------- information sharing agreements ----------

export interface AgreementFact {
  id: string;
  reference: string;
  status: 'draft' | 'active' | 'suspended' | 'ended';
  partyOrganisationIds: readonly string[];
  purposes: readonly string[];
  categories: readonly string[];
  startDate: string;
  endDate: string | null;
}

export interface AgreementCoverage {
  status: 'covered' | 'not_covered' | 'no_agreement';
  agreementId: string | null;
  message: string;
}

/** Whether an active agreement between the two organisations covers this purpose and every category. */
export function agreementCoverage(
  agreements: readonly AgreementFact[],
  share: { fromOrganisationId: string; toOrganisationId: string; purpose: string; categories: readonly string[]; date: string },
): AgreementCoverage {
  const between = agreements.filter(
    (a) => a.partyOrganisationIds.includes(share.fromOrganisationId) && a.partyOrganisationIds.includes(share.toOrganisationId) && a.status !== 'draft',
  );
  const live = between.filter((a) => a.status === 'active' && a.startDate <= share.date && (a.endDate === null || a.endDate >= share.date));
  const covering = live.find((a) => a.purposes.includes(share.purpose) && share.categories.every((c) => a.categories.includes(c)));
  if (covering) return { status: 'covered', agreementId: covering.id, message: `Covered by agreement ${covering.reference}` };
  if (between.length === 0) {
    return { status: 'no_agreement', agreementId: null, message: 'There is no information sharing agreement between your organisation and the recipient: justify this as a one-off share' };
  }
  // The nearest miss: a live agreement for this purpose (only categories missing), else any live one, else any.
  const nearest = live.find((a) => a.purposes.includes(share.purpose)) ?? live[0] ?? between[0]!;
  const why =
    nearest.status !== 'active' ? `agreement ${nearest.reference} is ${nearest.status}`
    : nearest.startDate > share.date ? `agreement ${nearest.reference} starts on ${nearest.startDate}`
    : nearest.endDate !== null && nearest.endDate < share.date ? `agreement ${nearest.reference} ended on ${nearest.endDate}`
    : !nearest.purposes.includes(share.purpose) ? `agreement ${nearest.reference} does not cover ${labelPurpose(share.purpose)}`
    : `agreement ${nearest.reference} does not cover ${labelCategories(share.categories.filter((c) => !nearest.categories.includes(c)))}`;
  return { status: 'not_covered', agreementId: nearest.id, message: `Not covered by an active agreement: ${why}` };
}

// ---------- the sharing decision ----------

export interface DecisionAnswers {
  purpose: string;
  purposeDetail: string;
  identifies: boolean;
  confidential: boolean;
  consentPosition: 'given' | 'refused' | 'withdrawn' | 'not_sought' | 'not_needed';
  notSeekingReason?: 'unsafe' | 'impracticable' | 'prejudice_crime' | 'cannot_consent' | undefined;
  notSeekingDetail?: string | undefined;
  riskChild: boolean;
  riskAdult: boolean;
  publicInterest: boolean;
  riskDetail?: string | undefined;
  legalBases: readonly string[];
  categories: readonly DataCategory[];
  minimumNecessary?: string | undefined;
  withheld?: string | undefined;
  personTold: 'told' | 'will_tell' | 'not_told';
  notToldReason?: string | undefined;
  outcome: 'share' | 'share_in_part' | 'not_share';
  reasons: string;
  emergency: boolean;
  routine: boolean;
  oneOffJustification?: string | undefined;
  /** Whether a recipient inside the partnership was named (needed to send anything). */
  hasRecipient: boolean;
  /** How many items of the record were chosen to send. */
  itemCount: number;
}

export interface DecisionContext {
  coverage: ConsentCoverage;
  legalBases: ReadonlyMap<string, LegalBasisInfo>;
  agreement: AgreementCoverage | null;
}

export interface DecisionAssessment {
  /** field -> message; empty when the decision is complete and lawful as answered. */
  errors: Record<string, string>;
  shares: boolean;
  withConsent: boolean;
  override: boolean;
  approvalRequired: boolean;
  /** Things to record but not to stop for (e.g. a routine share outside its agreement). */
  flags: string[];
}

const long = (s: string | undefined, n: number) => (s?.trim().length ?? 0) >= n;

/**
 * Whether the legal bases chosen make sharing these categories lawful: known codes, a UK GDPR article 6
 * basis, an article 9 condition for special category (health) data, a DPA 2018 schedule 1 condition
 * for criminal offence data, and no consent basis where there is no consent. Null when they do.
 * Used by sharing decisions and by the MASH front door's legal basis for an enquiry.
 */
export function legalBasesProblem(codes: readonly string[], categories: readonly DataCategory[], known: ReadonlyMap<string, LegalBasisInfo>, withConsent: boolean): string | null {
  const bases = codes.map((c) => known.get(c)).filter((b): b is LegalBasisInfo => Boolean(b));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) return `Unknown legal basis: ${unknown.join(', ')}`;
  if (!bases.some((b) => b.kind === 'gdpr_article_6')) return 'Choose a UK GDPR article 6 basis for sharing personal data';
  if (categories.some((c) => SPECIAL_CATEGORIES.includes(c)) && !bases.some((b) => b.kind === 'gdpr_article_9')) {
    return 'Health information is special category data: choose a UK GDPR article 9 condition too';
  }
  if (categories.some((c) => CRIMINAL_OFFENCE_CATEGORIES.includes(c)) && !bases.some((b) => b.kind === 'criminal_offence')) {
    return 'Police, probation and youth justice information is criminal offence data: choose a Data Protection Act 2018 schedule 1 condition too';
  }
  if (!withConsent && bases.some((b) => b.consent)) return `You cannot rely on consent (${bases.filter((b) => b.consent).map((b) => b.label).join('; ')}) when sharing without it`;
  return null;
}

/**
 * Checks a sharing decision against the guidance's flowchart. A decision not to share needs only
 * its reasons, unless a risk of significant harm to a child or serious harm to an adult is recorded:
 * then it is flagged and needs a manager's sign-off. A share needs a named recipient, the minimum necessary, and either consent that
 * covers exactly this purpose, recipient and data, or, without consent, the reason consent was
 * not sought or not followed, a risk of harm or public interest that justifies it, a lawful basis
 * for every kind of data, and a manager's approval.
 */
export function assessDecision(a: DecisionAnswers, ctx: DecisionContext): DecisionAssessment {
  const errors: Record<string, string> = {};
  const flags: string[] = [];
  const shares = a.outcome !== 'not_share';
  if (!long(a.purposeDetail, 10)) errors.purposeDetail = 'Describe the purpose of sharing, in at least 10 characters';
  if (!long(a.reasons, 10)) errors.reasons = 'Give the reasons for the decision, in at least 10 characters';
  if (a.personTold === 'not_told' && !long(a.notToldReason, 10)) errors.notToldReason = 'Say why the person will not be told, in at least 10 characters';

  if (!shares) {
    // Not sharing is a decision too. Where a risk of significant harm to a child or serious harm to an adult is
    // recorded, the flowchart points to sharing: a decision not to share then stands only once a manager signs
    // it off, so one person's view (e.g. "it is the parent's decision") is never the last word.
    const atRisk = a.riskChild || a.riskAdult;
    if (atRisk) {
      if (!long(a.riskDetail, 20)) errors.riskDetail = 'Describe the risk, in at least 20 characters';
      flags.push(
        `A risk of ${a.riskChild ? 'significant harm to a child' : 'serious harm to an adult'} is recorded but the decision is not to share: ` +
          'a manager must sign this off. Consent is not needed to share to protect someone at such risk, and a refusal does not on its own outweigh it',
      );
    }
    return { errors, shares, withConsent: false, override: false, approvalRequired: atRisk, flags };
  }

  if (!a.hasRecipient) errors.recipient = 'Choose who the information goes to';
  if (a.categories.length === 0) errors.categories = 'Choose what kinds of information you will share';
  if (a.itemCount === 0) errors.items = 'Choose exactly which items of the record to share';
  if (!long(a.minimumNecessary, 10)) errors.minimumNecessary = 'Say why this is the minimum necessary for the purpose, in at least 10 characters';
  if (a.outcome === 'share_in_part' && !long(a.withheld, 10)) errors.withheld = 'Say what you are withholding and why';

  if (!a.identifies) {
    // Information that identifies nobody is not personal data and needs no consent or legal basis; but a share
    // from a person's record always carries who they are (their name and date of birth), so it identifies them.
    // Answering "no" must not skip consent, the legal basis and approval.
    errors.identifies =
      'What is shared from a person\'s record always says who they are (their name and date of birth), so it identifies them: answer yes. ' +
      'To ask for advice without naming anyone, nothing needs to be shared here';
    return { errors, shares, withConsent: false, override: false, approvalRequired: false, flags };
  }

  const cov = ctx.coverage;
  let withConsent = false;
  if (a.consentPosition === 'given') {
    if (cov.position !== 'given') {
      errors.consentPosition = cov.messages[0] ?? 'No consent on record covers this purpose and recipient: record the consent first, or answer how you will share without it';
    } else if (cov.notCovered.some((c) => a.categories.includes(c))) {
      errors.categories = `The consent on record does not cover ${labelCategories(cov.notCovered.filter((c) => a.categories.includes(c)))}: remove them, or record a decision to share them without consent`;
    } else {
      withConsent = true;
    }
  } else if ((a.consentPosition === 'refused' || a.consentPosition === 'withdrawn') && cov.position === 'given') {
    errors.consentPosition = 'The records show consent that covers this share: record its refusal or withdrawal first, so the history is kept';
  } else if (a.consentPosition === 'refused' && cov.position !== 'refused' && cov.position !== 'withdrawn') {
    errors.consentPosition = 'Record the refusal of consent first (on the person\'s consent page), so the history is kept';
  } else if (a.consentPosition === 'withdrawn' && cov.position !== 'withdrawn') {
    errors.consentPosition = 'Record the withdrawal of consent first, so the history is kept';
  }
  const override = a.consentPosition === 'refused' || a.consentPosition === 'withdrawn';

  if (!withConsent) {
    if (a.consentPosition === 'not_sought') {
      if (!a.notSeekingReason) errors.notSeekingReason = 'Say why consent was not sought: unsafe, impracticable, it would prejudice preventing or detecting crime, or the person cannot consent';
      else if (!long(a.notSeekingDetail, 20)) errors.notSeekingDetail = 'Explain why consent was not sought, in at least 20 characters';
    }
    if (a.consentPosition === 'not_needed' && a.confidential) {
      errors.consentPosition = 'The information is confidential: say whether consent was given, refused or not sought';
    }
    if (a.confidential && !(a.riskChild || a.riskAdult || a.publicInterest)) {
      errors.risk =
        'Sharing confidential information without consent needs a risk of significant harm to a child, serious harm to an adult, or another public interest that outweighs the duty of confidence. If there is none, the decision is not to share';
    } else if ((a.riskChild || a.riskAdult || a.publicInterest) && !long(a.riskDetail, 20)) {
      errors.riskDetail = 'Describe the risk or the public interest, in at least 20 characters';
    }
  }

  const basisProblem = legalBasesProblem(a.legalBases, a.categories, ctx.legalBases, withConsent);
  if (basisProblem) errors.legalBases = basisProblem;

  if (a.emergency) {
    if (withConsent) flags.push('Marked as an emergency, but consent covers it: no approval is needed');
    else if (!(a.riskChild || a.riskAdult)) errors.emergency = 'An emergency share needs a risk of harm to a child or an adult: otherwise wait for approval';
  }

  if (ctx.agreement) {
    if (ctx.agreement.status === 'no_agreement' && !long(a.oneOffJustification, 20)) {
      errors.oneOffJustification = 'There is no information sharing agreement with the recipient: justify this as a one-off share, in at least 20 characters';
    }
    if (ctx.agreement.status === 'not_covered' && a.routine) flags.push(`Routine share outside an agreement: ${ctx.agreement.message}`);
  }

  return { errors, shares, withConsent, override, approvalRequired: !withConsent, flags };
}
