/** Plain-English wording for the people pages, given to the views as `fmt`. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 2019-03-27 as 27 March 2019. */
export function formatDate(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : '';
}

/** A date of birth with how sure we are of it. */
export function formatDob(iso: string | null | undefined, precision: string | null | undefined): string {
  if (!iso || precision === 'unknown') return 'Not known';
  if (precision === 'estimated') return `About ${formatDate(iso)} (estimated)`;
  if (precision === 'expected') return `Expected ${formatDate(iso)} (unborn)`;
  return formatDate(iso);
}

/** The short text under a person in the family tree. */
export function bornText(iso: string | null | undefined, precision: string | null | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})/.exec(iso ?? '');
  if (!m || precision === 'unknown') return undefined;
  if (precision === 'expected') return `expected ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  // The family tree adds "born" itself.
  return precision === 'estimated' ? `about ${m[1]}` : m[1];
}

const CATEGORY_LABELS: Record<string, string> = {
  identity: 'Identity',
  whereabouts: 'Addresses',
  family: 'Family and household',
  involvements: 'Who is involved',
  contacts: 'Practitioner contacts',
  education: 'Education',
  health: 'Health',
  social_care: 'Social care',
  police: 'Police',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  probation: 'Probation',
  voluntary: 'Voluntary sector',
  access_history: 'Who viewed the record',
};

export const categoryLabel = (c: string) => CATEGORY_LABELS[c] ?? c;

const NAME_KINDS: Record<string, string> = {
  current: 'Current name',
  previous: 'Previous name',
  alias: 'Also known as',
  preferred: 'Preferred name',
  birth: 'Name at birth',
};
export const nameKindLabel = (k: string) => NAME_KINDS[k] ?? k;

const SCHEMES: Record<string, string> = { nhs_number: 'NHS number', upn: 'Unique pupil number (UPN)', local: 'Local reference' };
export const schemeLabel = (s: string) => SCHEMES[s] ?? s;

const SEXES: Record<string, string> = { female: 'Female', male: 'Male', unknown: 'Not known', not_specified: 'Not specified' };
export const sexLabel = (s: string | null | undefined) => (s ? (SEXES[s] ?? s) : '');

const BASES: Record<string, string> = {
  relationship: 'You or your team work with this person',
  'own-organisation': 'Your organisation works with this person',
  'mash-enquiry': 'An open MASH enquiry',
  disclosure: 'Information disclosed to you',
  'break-glass': 'Emergency access (break-glass)',
  'lead-professional': 'You are the lead professional',
  'information-governance': 'Information-governance oversight',
  'contact-minimum': 'Contact details only',
  'new-record': 'Recording a new person',
  none: 'No access',
};
export const basisLabel = (b: string | null | undefined) => (b ? (BASES[b] ?? b) : '');

const BASIS_SENTENCES: Record<string, string> = {
  relationship: 'You can see this record because you or your team work with this person.',
  'own-organisation': 'You can see this record because your organisation works with this person.',
  'mash-enquiry': 'You can see this record because of an open MASH enquiry.',
  disclosure: 'You can see what another agency has disclosed to you.',
  'break-glass': 'You can see this record because you are using emergency access (break-glass). Your use is recorded and will be reviewed.',
  'lead-professional': 'You can see this record because you are the lead professional.',
  'information-governance': 'You can see this because you oversee information governance.',
  'contact-minimum': 'You do not work with this person, so you can see only what you need to contact the practitioners who do.',
};
/** Why the practitioner sees what they see, as a sentence. */
export const basisSentence = (b: string, fallback: string) => BASIS_SENTENCES[b] ?? `You can see this record because of ${fallback}.`;

const ACTIONS: Record<string, string> = {
  'person.read': 'Viewed the record',
  'person.involvements.read': 'Looked at who is involved',
  'person.create': 'Recorded the person',
  'person.involvement.add': 'Recorded an involvement',
  'person.involvement.end': 'Ended an involvement',
  'person.relationship.add': 'Recorded a relationship',
  'person.households.read': 'Looked at their households',
  'person.household.create': 'Recorded a household',
  'person.household.member.add': 'Recorded someone moving into a household',
  'person.household.member.leave': 'Recorded someone leaving a household',
  'person.household-member.read': 'Looked at a household they live in',
  'person.name.add': 'Added a name',
  'person.address.add': 'Added an address',
  'person.identifier.add': 'Added an identifier',
  'person.flags.update': 'Changed flags',
  'person.break-glass': 'Used emergency access',
  'person.access-history.read': 'Looked at who viewed the record',
  'break-glass.review': 'Reviewed emergency access',
};
export const auditActionLabel = (a: string) => ACTIONS[a] ?? a;

const OUTCOMES: Record<string, string> = { justified: 'Justified', not_justified: 'Not justified' };
export const reviewOutcomeLabel = (o: string | null | undefined) => (o ? (OUTCOMES[o] ?? o) : '');

export function capitalise(s: string | null | undefined): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : '';
}

/** Text safe to put in a flash message (the layout renders flash messages as HTML). */
export { escapeHtml } from '../../forms.ts';

export const fmt = {
  date: formatDate,
  dob: formatDob,
  category: categoryLabel,
  nameKind: nameKindLabel,
  scheme: schemeLabel,
  sex: sexLabel,
  basis: basisLabel,
  basisSentence,
  auditAction: auditActionLabel,
  reviewOutcome: reviewOutcomeLabel,
  capitalise,
};
