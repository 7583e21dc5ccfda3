import { PURPOSES, type LegalBasisInfo } from '../../../sharing/rules.ts';
import { field } from '../../forms.ts';
import { list } from '../consent/validation.ts';
import { datePartsFrom, isoFromParts } from '../people/validation.ts';
import type { ShareAnswers, Step } from './draft.ts';

/**
 * Each question page's own answers: what it must have before the practitioner moves on. The
 * rules that join answers from several pages (consent that does not cover a kind of
 * information, an article 9 condition for health information, approval) are the service's, run
 * on the whole decision; the messages here are the service's where it has one for the field.
 */

export interface StepResult {
  answers: Partial<ShareAnswers>;
  errors: Record<string, string>;
}

const long = (s: string, n: number) => s.trim().length >= n;

export interface StepFacts {
  /** Items of the record the practitioner may pass on, as "type:id". */
  itemKeys?: ReadonlySet<string>;
  legalBases?: ReadonlyMap<string, LegalBasisInfo>;
  recipients?: { organisations: ReadonlySet<string>; teams: ReadonlySet<string>; practitioners: ReadonlySet<string> };
  previous: ShareAnswers;
  today: string;
}

const yesNo = (body: unknown, name: 'identifies' | 'confidential', message: string): StepResult => {
  const v = field(body, name);
  return v === 'yes' || v === 'no' ? { answers: { [name]: v }, errors: {} } : { answers: {}, errors: { [name]: message } };
};

export function readStep(step: Step, body: unknown, facts: StepFacts): StepResult {
  const errors: Record<string, string> = {};
  switch (step) {
    case 'purpose': {
      const purpose = field(body, 'purpose');
      const purposeDetail = field(body, 'purposeDetail').trim();
      const requestFrom = field(body, 'requestFrom').trim();
      if (!(PURPOSES as readonly string[]).includes(purpose)) errors.purpose = 'Choose the purpose of sharing';
      if (!long(purposeDetail, 10)) errors.purposeDetail = 'Describe the purpose of sharing, in at least 10 characters';
      if (purposeDetail.length > 2000) errors.purposeDetail = 'Describe the purpose in 2000 characters or fewer';
      if (requestFrom.length > 500) errors.requestFrom = 'Say who asked in 500 characters or fewer';
      return { answers: { purpose, purposeDetail, requestFrom }, errors };
    }
    case 'recipient': {
      // One list of everyone in the partnership ("practitioner:<id>", "team:<id>", "organisation:<id>"), or a description of someone outside it.
      const chosen = field(body, 'recipient');
      const recipientDescription = field(body, 'recipientDescription').trim();
      const [kind, id = ''] = chosen.split(':');
      const r = facts.recipients;
      const known =
        (kind === 'organisation' && r?.organisations.has(id)) || (kind === 'team' && r?.teams.has(id)) || (kind === 'practitioner' && r?.practitioners.has(id));
      if (chosen && recipientDescription) errors.recipient = 'Choose someone in the partnership, or describe someone outside it, not both';
      else if (chosen && !known) errors.recipient = 'Choose a recipient from the list';
      else if (!chosen && !recipientDescription) errors.recipient = 'Choose who would receive the information, or describe who asked for it outside Team Around';
      else if (recipientDescription.length > 500) errors.recipientDescription = 'Describe them in 500 characters or fewer';
      const answers: Partial<ShareAnswers> = { recipientKind: chosen ? (kind as ShareAnswers['recipientKind']) : 'outside', recipientOrganisationId: '', recipientTeamId: '', recipientUserId: '', recipientDescription };
      if (kind === 'organisation') answers.recipientOrganisationId = id;
      if (kind === 'team') answers.recipientTeamId = id;
      if (kind === 'practitioner') answers.recipientUserId = id;
      return { answers, errors };
    }
    case 'identifies':
      return yesNo(body, 'identifies', 'Answer yes or no: does the information identify someone?');
    case 'confidential':
      return yesNo(body, 'confidential', 'Answer yes or no: is the information confidential?');
    case 'consent': {
      const v = field(body, 'consentPosition');
      if (!['given', 'refused', 'withdrawn', 'not_sought', 'not_needed'].includes(v)) return { answers: {}, errors: { consentPosition: 'Say what consent there is' } };
      return { answers: { consentPosition: v as ShareAnswers['consentPosition'] }, errors };
    }
    case 'not-sought': {
      const notSeekingReason = field(body, 'notSeekingReason');
      const notSeekingDetail = field(body, 'notSeekingDetail').trim();
      if (!['unsafe', 'impracticable', 'prejudice_crime', 'cannot_consent'].includes(notSeekingReason)) {
        errors.notSeekingReason = 'Say why consent was not sought: unsafe, impracticable, it would prejudice preventing or detecting crime, or the person cannot consent';
      }
      if (!long(notSeekingDetail, 20)) errors.notSeekingDetail = 'Explain why consent was not sought, in at least 20 characters';
      return { answers: { notSeekingReason, notSeekingDetail }, errors };
    }
    case 'risk': {
      const risk = list(body, 'risk').filter((r) => ['riskChild', 'riskAdult', 'publicInterest', 'none'].includes(r));
      const riskDetail = field(body, 'riskDetail').trim();
      if (risk.length === 0) errors.risk = 'Say whether there is a risk of harm or another public interest, or choose “None of these”';
      else if (risk.includes('none') && risk.length > 1) errors.risk = 'Choose the risks, or “None of these”, not both';
      else if (!risk.includes('none') && !long(riskDetail, 20)) errors.riskDetail = 'Describe the risk or the public interest, in at least 20 characters';
      return { answers: { risk, riskDetail: risk.includes('none') ? '' : riskDetail }, errors };
    }
    case 'decision': {
      const outcome = field(body, 'outcome');
      const reasons = field(body, 'reasons').trim();
      const withheld = field(body, 'withheld').trim();
      if (!['share', 'share_in_part', 'not_share'].includes(outcome)) errors.outcome = 'Choose the decision: share, share in part, or do not share';
      else if (outcome === 'share_in_part' && !long(withheld, 10)) errors.withheld = 'Say what you are withholding and why';
      if (!long(reasons, 10)) errors.reasons = 'Give the reasons for the decision, in at least 10 characters';
      return { answers: { outcome: outcome as ShareAnswers['outcome'], reasons, withheld: outcome === 'share_in_part' ? withheld : '' }, errors };
    }
    case 'legal-basis': {
      const legalBases = list(body, 'legalBases');
      const known = facts.legalBases;
      const bases = legalBases.map((c) => known?.get(c)).filter((b): b is LegalBasisInfo => Boolean(b));
      if (bases.length !== legalBases.length) errors.legalBases = 'Choose legal bases from the list';
      else if (!bases.some((b) => b.kind === 'gdpr_article_6')) errors.legalBases = 'Choose a UK GDPR article 6 basis for sharing personal data';
      else if (facts.previous.consentPosition !== 'given' && bases.some((b) => b.consent)) {
        errors.legalBases = `You cannot rely on consent (${bases.filter((b) => b.consent).map((b) => b.label).join('; ')}) when sharing without it`;
      }
      return { answers: { legalBases }, errors };
    }
    case 'what-to-share': {
      const items = list(body, 'items');
      const message = field(body, 'message').trim();
      const minimumNecessary = field(body, 'minimumNecessary').trim();
      const expiresOnParts = datePartsFrom(body, 'expiresOn');
      const answers: Partial<ShareAnswers> = { items, message, minimumNecessary, expiresOnParts, expiresOn: '' };
      if (items.length === 0) errors.items = 'Choose exactly which items of the record to share';
      else if (facts.itemKeys && items.some((i) => !facts.itemKeys!.has(i))) errors.items = 'Choose items from the list: one of them is no longer part of the record you may share';
      if (!long(minimumNecessary, 10)) errors.minimumNecessary = 'Say why this is the minimum necessary for the purpose, in at least 10 characters';
      if (message.length > 8000) errors.message = 'Write the message in 8000 characters or fewer';
      const expires = isoFromParts(expiresOnParts, 'The date access ends');
      if (!expires.ok) errors.expiresOn = expires.message;
      else if (expires.value && expires.value <= facts.today) errors.expiresOn = 'The date access ends must be in the future';
      else answers.expiresOn = expires.value ?? '';
      return { answers, errors };
    }
    case 'telling': {
      const personTold = field(body, 'personTold');
      const notToldReason = field(body, 'notToldReason').trim();
      if (!['told', 'will_tell', 'not_told'].includes(personTold)) errors.personTold = 'Say whether the person will be told';
      else if (personTold === 'not_told' && !long(notToldReason, 10)) errors.notToldReason = 'Say why the person will not be told, in at least 10 characters';
      return { answers: { personTold: personTold as ShareAnswers['personTold'], notToldReason: personTold === 'not_told' ? notToldReason : '' }, errors };
    }
    case 'urgency': {
      const flags = list(body, 'flags').filter((f) => f === 'emergency' || f === 'routine');
      if (flags.includes('emergency') && !(facts.previous.risk ?? []).some((r) => r === 'riskChild' || r === 'riskAdult') && facts.previous.consentPosition !== 'given') {
        errors.flags = 'An emergency share needs a risk of harm to a child or an adult: otherwise wait for approval';
      }
      return { answers: { flags }, errors };
    }
    case 'one-off': {
      const oneOffJustification = field(body, 'oneOffJustification').trim();
      if (!long(oneOffJustification, 20)) {
        errors.oneOffJustification = 'There is no information sharing agreement with the recipient: justify this as a one-off share, in at least 20 characters';
      }
      return { answers: { oneOffJustification }, errors };
    }
  }
}

/** The page's fields in order, for the error summary. */
export const STEP_FIELDS: Record<Step, string[]> = {
  purpose: ['purpose', 'purposeDetail', 'requestFrom'],
  recipient: ['recipient', 'recipientDescription'],
  identifies: ['identifies'],
  confidential: ['confidential'],
  consent: ['consentPosition'],
  'not-sought': ['notSeekingReason', 'notSeekingDetail'],
  risk: ['risk', 'riskDetail'],
  decision: ['outcome', 'withheld', 'reasons'],
  'legal-basis': ['legalBases'],
  'what-to-share': ['items', 'message', 'minimumNecessary', 'expiresOn-day'],
  telling: ['personTold', 'notToldReason'],
  urgency: ['flags'],
  'one-off': ['oneOffJustification'],
};
