/** Plain-English wording for the consent, sharing and inbox pages, given to the views as `sfmt`. */
import { PURPOSE_LABELS, type LegalBasisKind, type Purpose } from '../../../sharing/rules.ts';
import { categoryLabel, formatDate } from '../people/format.ts';

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

export const purposeLabel = (p: string | null | undefined) => (p ? cap(PURPOSE_LABELS[p as Purpose] ?? p) : '');

const GIVEN_BY: Record<string, string> = {
  person: 'The person themselves',
  parental_responsibility: 'Someone with parental responsibility',
  lawful_representative: 'A lawful representative (for an adult who lacks capacity)',
};
const CAPACITY: Record<string, string> = {
  presumed: 'Capacity presumed (16 or over, no reason to doubt it)',
  gillick: 'Assessed for competence (Gillick), under 16',
  mental_capacity: 'Assessed under the Mental Capacity Act 2005',
};
const CAPACITY_OUTCOME: Record<string, string> = { capable: 'Able to decide', not_capable: 'Not able to decide' };
const METHODS: Record<string, string> = { verbal: 'Verbally', written: 'In writing (a signed form)', electronic: 'Electronically' };
const STATES: Record<string, { text: string; classes: string }> = {
  'in-force': { text: 'Given', classes: 'govuk-tag--green' },
  refused: { text: 'Refused', classes: 'govuk-tag--red' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--orange' },
  expired: { text: 'Ended', classes: 'govuk-tag--grey' },
  'not-yet': { text: 'Not yet in force', classes: 'govuk-tag--blue' },
};
const OUTCOMES: Record<string, string> = { share: 'Share in full', share_in_part: 'Share in part', not_share: 'Do not share' };
const STATUSES: Record<string, { text: string; classes: string }> = {
  shared: { text: 'Sent', classes: 'govuk-tag--green' },
  awaiting_approval: { text: 'Waiting for approval', classes: 'govuk-tag--yellow' },
  recorded: { text: 'Not shared', classes: 'govuk-tag--grey' },
  declined: { text: 'Declined by a manager', classes: 'govuk-tag--red' },
};
const CONSENT_POSITIONS: Record<string, string> = {
  given: 'Consent was given and covers this share',
  refused: 'Consent was refused',
  withdrawn: 'Consent was withdrawn',
  not_sought: 'Consent was not sought',
  not_needed: 'Consent is not needed: the information is not confidential',
};
const NOT_SEEKING: Record<string, string> = {
  unsafe: 'Asking would put a child or adult at greater risk of harm',
  impracticable: 'It is not practicable to ask (they cannot be reached in time)',
  prejudice_crime: 'Asking would prejudice the prevention or detection of a crime',
  cannot_consent: 'The person cannot consent and there is nobody who can for them',
};
const TOLD: Record<string, string> = {
  told: 'Yes, they have been told',
  will_tell: 'Yes, they will be told',
  not_told: 'No, they will not be told',
};
export const LEGAL_BASIS_KINDS: Array<{ kind: LegalBasisKind; heading: string; hint: string }> = [
  { kind: 'gdpr_article_6', heading: 'UK GDPR article 6: lawful basis', hint: 'Every share of personal data needs one' },
  { kind: 'gdpr_article_9', heading: 'UK GDPR article 9: special category condition', hint: 'Needed too when you share health information' },
  { kind: 'criminal_offence', heading: 'Criminal offence data condition', hint: 'Needed too when you share police, probation or youth justice information' },
  { kind: 'statute', heading: 'Statutes', hint: 'The law that gives your organisation the power or duty to share' },
  { kind: 'common_law', heading: 'Common law duty of confidence', hint: 'Why sharing does not breach the confidence the information was given in' },
];
const ITEM_TYPES: Record<string, string> = { identity: 'Who they are', address: 'Address', involvement: 'Who is involved', relationship: 'Family', note: 'Note', all: 'Everything in the category' };
const METHOD_WITHDRAW: Record<string, string> = { verbal: 'Verbally', written: 'In writing', electronic: 'Electronically' };

const categoryText = (c: string) => (c === 'consent' ? 'Consent' : c === 'sharing_history' ? 'Sharing history' : categoryLabel(c));

/** 2026-05-03T10:04Z as "3 May 2026 at 11:04" (UK time). */
export function dateTimeText(d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
  return `${formatDate(day)} at ${time}`;
}

/** A moment's day in the UK, in words: "3 May 2026". */
export function dayText(d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  return formatDate(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date));
}

/** A length of time in words, to the minute: "2 days 3 hours", "45 minutes", "less than a minute". */
export function durationText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days) return [part(days, 'day'), hours ? part(hours, 'hour') : ''].filter(Boolean).join(' ');
  if (hours) return [part(hours, 'hour'), mins ? part(mins, 'minute') : ''].filter(Boolean).join(' ');
  return part(mins, 'minute');
}

export const sfmt = {
  purpose: purposeLabel,
  givenBy: (v: string) => GIVEN_BY[v] ?? v,
  capacity: (v: string) => CAPACITY[v] ?? v,
  capacityOutcome: (v: string) => CAPACITY_OUTCOME[v] ?? v,
  method: (v: string | null) => (v ? (METHODS[v] ?? v) : ''),
  withdrawMethod: (v: string | null) => (v ? (METHOD_WITHDRAW[v] ?? v) : ''),
  consentState: (s: string) => STATES[s] ?? { text: s, classes: 'govuk-tag--grey' },
  outcome: (o: string) => OUTCOMES[o] ?? o,
  status: (s: string) => STATUSES[s] ?? { text: s, classes: 'govuk-tag--grey' },
  consentPosition: (c: string) => CONSENT_POSITIONS[c] ?? c,
  notSeeking: (r: string | null) => (r ? (NOT_SEEKING[r] ?? r) : ''),
  told: (t: string) => TOLD[t] ?? t,
  category: categoryText,
  categories: (cs: readonly string[]) => cs.map(categoryText).join(', '),
  itemType: (t: string) => ITEM_TYPES[t] ?? t,
  dateTime: dateTimeText,
  day: dayText,
  duration: durationText,
  date: formatDate,
};

export const CONSENT_POSITION_CHOICES = Object.keys(CONSENT_POSITIONS);
export const NOT_SEEKING_CHOICES = Object.entries(NOT_SEEKING).map(([value, text]) => ({ value, text }));
export const GIVEN_BY_CHOICES = Object.entries(GIVEN_BY).map(([value, text]) => ({ value, text }));
export const CAPACITY_CHOICES = Object.entries(CAPACITY).map(([value, text]) => ({ value, text }));
export const METHOD_CHOICES = Object.entries(METHODS).map(([value, text]) => ({ value, text }));
