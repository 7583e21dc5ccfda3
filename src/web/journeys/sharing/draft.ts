/**
 * "Should I share this?" as GOV.UK question pages: the answers are held in the session, one draft
 * per person, until the practitioner checks them and the decision is recorded. Nothing here
 * decides anything: SharingService#decide applies the rules (src/sharing/rules.ts) to the whole
 * decision when it is submitted, and its problems are taken back to the page that asks about them.
 */
import type { DateParts } from '../people/validation.ts';

export interface ShareAnswers {
  purpose?: string;
  purposeDetail?: string;
  requestFrom?: string;
  recipientKind?: 'organisation' | 'team' | 'practitioner' | 'outside';
  recipientOrganisationId?: string;
  recipientTeamId?: string;
  recipientUserId?: string;
  recipientDescription?: string;
  identifies?: 'yes' | 'no';
  confidential?: 'yes' | 'no';
  consentPosition?: 'given' | 'refused' | 'withdrawn' | 'not_sought' | 'not_needed';
  notSeekingReason?: string;
  notSeekingDetail?: string;
  /** riskChild, riskAdult, publicInterest, or none. */
  risk?: string[];
  riskDetail?: string;
  outcome?: 'share' | 'share_in_part' | 'not_share';
  reasons?: string;
  withheld?: string;
  legalBases?: string[];
  /** Items of the record as "type:id". */
  items?: string[];
  /** The kinds of information those items are (worked out when they were chosen). */
  categories?: string[];
  message?: string;
  minimumNecessary?: string;
  expiresOn?: string;
  expiresOnParts?: DateParts;
  personTold?: 'told' | 'will_tell' | 'not_told';
  notToldReason?: string;
  /** emergency, routine. */
  flags?: string[];
  oneOffJustification?: string;
}

export interface ShareDraft {
  /** Makes a repeated submission (a double click, a refresh) record one decision, not two. */
  requestKey: string;
  /** For the pages' captions: who the decision is about. */
  subjectName: string;
  answers: ShareAnswers;
  /** The questions answered so far (an answer may be "none of these"). */
  answered: string[];
  /** What the consent records said about this purpose and recipient when the consent question was answered. */
  coverage: { position: 'given' | 'refused' | 'withdrawn' | 'none'; covered: string[]; notCovered: string[]; messages: string[] } | null;
  /** The information sharing agreement position, worked out once the recipient and what to share are known. */
  agreement: { status: 'covered' | 'not_covered' | 'no_agreement'; message: string } | null;
  /** Problems the service found when the decision was submitted, by field. */
  errors: Record<string, string>;
}

/** The questions, in the order of the government guidance's flowchart. */
export const STEPS = ['purpose', 'recipient', 'identifies', 'confidential', 'consent', 'not-sought', 'risk', 'decision', 'legal-basis', 'what-to-share', 'telling', 'urgency', 'one-off'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_TITLES: Record<Step, string> = {
  purpose: 'What is the purpose of sharing?',
  recipient: 'Who would receive the information?',
  identifies: 'Does the information identify someone?',
  confidential: 'Is the information confidential?',
  consent: 'Do you have consent to share?',
  'not-sought': 'Why was consent not sought?',
  risk: 'Is there a reason to share without consent?',
  decision: 'What have you decided?',
  'legal-basis': 'Which legal bases do you rely on?',
  'what-to-share': 'What exactly will you share?',
  telling: 'Will the person be told?',
  urgency: 'Is this an emergency or a routine share?',
  'one-off': 'Why share without an information sharing agreement?',
};

export const isStep = (s: string): s is Step => (STEPS as readonly string[]).includes(s);

/** Service fields (decisionSchema, assessDecision) → the question that asks about them. */
const FIELD_STEP: Record<string, Step> = {
  purpose: 'purpose',
  purposeDetail: 'purpose',
  requestFrom: 'purpose',
  recipient: 'recipient',
  recipientKind: 'recipient',
  recipientOrganisationId: 'recipient',
  recipientTeamId: 'recipient',
  recipientUserId: 'recipient',
  recipientDescription: 'recipient',
  identifies: 'identifies',
  confidential: 'confidential',
  consentPosition: 'consent',
  notSeekingReason: 'not-sought',
  notSeekingDetail: 'not-sought',
  risk: 'risk',
  riskChild: 'risk',
  riskAdult: 'risk',
  publicInterest: 'risk',
  riskDetail: 'risk',
  outcome: 'decision',
  reasons: 'decision',
  withheld: 'decision',
  legalBases: 'legal-basis',
  items: 'what-to-share',
  categories: 'what-to-share',
  message: 'what-to-share',
  minimumNecessary: 'what-to-share',
  expiresOn: 'what-to-share',
  personTold: 'telling',
  notToldReason: 'telling',
  emergency: 'urgency',
  routine: 'urgency',
  flags: 'urgency',
  oneOffJustification: 'one-off',
};

/** The element on the question page that an error about a field links to. */
const FIELD_ID: Record<string, string> = {
  recipientKind: 'recipient',
  recipientOrganisationId: 'recipient',
  recipientTeamId: 'recipient',
  recipientUserId: 'recipient',
  riskChild: 'risk',
  riskAdult: 'risk',
  publicInterest: 'risk',
  categories: 'items',
  expiresOn: 'expiresOn-day',
  emergency: 'flags',
  routine: 'flags',
};

/** A service field name without its index (items.2.id → items). */
export const fieldOf = (key: string) => key.split('.')[0]!;
export const stepOfField = (key: string): Step | undefined => FIELD_STEP[fieldOf(key)];
export const fieldId = (key: string) => FIELD_ID[fieldOf(key)] ?? fieldOf(key);

export const sharing = (a: ShareAnswers) => a.outcome === 'share' || a.outcome === 'share_in_part';
const identifies = (a: ShareAnswers) => a.identifies === 'yes';
const withoutConsent = (a: ShareAnswers) => a.consentPosition === 'refused' || a.consentPosition === 'withdrawn' || a.consentPosition === 'not_sought';

/** Whether a question is asked, given the answers so far. */
export function applies(step: Step, d: ShareDraft): boolean {
  const a = d.answers;
  switch (step) {
    case 'confidential':
    case 'consent':
      return identifies(a);
    case 'not-sought':
      return identifies(a) && a.consentPosition === 'not_sought';
    case 'risk':
      return identifies(a) && withoutConsent(a);
    case 'legal-basis':
      return identifies(a) && sharing(a);
    case 'what-to-share':
    case 'urgency':
      return sharing(a);
    case 'one-off':
      return sharing(a) && (d.agreement?.status === 'no_agreement' || Object.keys(d.errors).some((k) => stepOfField(k) === 'one-off'));
    default:
      return true;
  }
}

export const applicableSteps = (d: ShareDraft): Step[] => STEPS.filter((s) => applies(s, d));

/** The first question still to answer, or undefined when every question that applies is answered. */
export function firstUnanswered(d: ShareDraft): Step | undefined {
  return applicableSteps(d).find((s) => !d.answered.includes(s));
}

/**
 * Where to go after answering `current`: the next question that applies or, when changing an
 * answer from the check page, the first question the change made necessary, else the check page.
 */
export function nextStep(d: ShareDraft, current: Step, change: boolean): Step | 'check' {
  if (change) return firstUnanswered(d) ?? 'check';
  const steps = applicableSteps(d);
  const after = steps.slice(steps.indexOf(current) + 1);
  return after[0] ?? firstUnanswered(d) ?? 'check';
}

export function previousStep(d: ShareDraft, current: Step): Step | undefined {
  const steps = applicableSteps(d);
  const i = steps.indexOf(current);
  return i > 0 ? steps[i - 1] : undefined;
}

/** The items chosen, as the service takes them. */
export function itemsOf(keys: readonly string[]): Array<{ type: string; id?: string }> {
  return keys.map((k) => {
    const [type, id] = k.split(':');
    return id ? { type: type!, id } : { type: type! };
  });
}

/**
 * The service's input, from the answers to the questions that apply: an answer to a question
 * that no longer applies (consent was "not sought", then changed to "given") is left out.
 */
export function decisionInput(d: ShareDraft): Record<string, unknown> {
  const a = d.answers;
  const on = (s: Step) => applies(s, d);
  const kind = a.recipientKind;
  const risk = on('risk') ? (a.risk ?? []) : [];
  const flags = on('urgency') ? (a.flags ?? []) : [];
  return {
    purpose: a.purpose,
    purposeDetail: a.purposeDetail ?? '',
    requestFrom: a.requestFrom,
    recipientOrganisationId: kind === 'organisation' ? a.recipientOrganisationId : undefined,
    recipientTeamId: kind === 'team' ? a.recipientTeamId : undefined,
    recipientUserId: kind === 'practitioner' ? a.recipientUserId : undefined,
    recipientDescription: kind === 'outside' ? a.recipientDescription : undefined,
    identifies: a.identifies,
    // Information that identifies nobody is not personal, so it is neither confidential nor in need of consent.
    confidential: identifies(a) ? a.confidential : 'no',
    consentPosition: identifies(a) ? a.consentPosition : 'not_needed',
    notSeekingReason: on('not-sought') ? a.notSeekingReason : undefined,
    notSeekingDetail: on('not-sought') ? a.notSeekingDetail : undefined,
    riskChild: risk.includes('riskChild'),
    riskAdult: risk.includes('riskAdult'),
    publicInterest: risk.includes('publicInterest'),
    riskDetail: on('risk') ? a.riskDetail : undefined,
    legalBases: on('legal-basis') ? (a.legalBases ?? []) : [],
    items: on('what-to-share') ? itemsOf(a.items ?? []) : [],
    message: on('what-to-share') ? a.message : undefined,
    expiresOn: on('what-to-share') ? a.expiresOn : undefined,
    minimumNecessary: on('what-to-share') ? a.minimumNecessary : undefined,
    withheld: a.outcome === 'share_in_part' ? a.withheld : undefined,
    personTold: a.personTold,
    notToldReason: a.personTold === 'not_told' ? a.notToldReason : undefined,
    outcome: a.outcome,
    reasons: a.reasons ?? '',
    emergency: flags.includes('emergency'),
    routine: flags.includes('routine'),
    oneOffJustification: on('one-off') ? a.oneOffJustification : undefined,
  };
}
