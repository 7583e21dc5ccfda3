import { field } from '../../forms.ts';

/**
 * Form handling for the people journeys. The rules about people live in PersonService (shared
 * with the API); this file only turns GOV.UK form fields into the service's input: dates typed
 * as day, month and year become ISO dates, checkboxes become booleans, blank optional sections
 * are left out.
 */

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/** The three fields of a GOV.UK date input named `<prefix>-day`, `<prefix>-month`, `<prefix>-year`. */
export function datePartsFrom(source: unknown, prefix: string): DateParts {
  return { day: field(source, `${prefix}-day`).trim(), month: field(source, `${prefix}-month`).trim(), year: field(source, `${prefix}-year`).trim() };
}

export function datePartsOf(iso: string | null | undefined): DateParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) } : { day: '', month: '', year: '' };
}

export type DateResult = { ok: true; value: string | undefined } | { ok: false; message: string; part: 'day' | 'month' | 'year' };

/**
 * A GOV.UK date input as an ISO date: undefined when all three fields are blank, an error
 * (following the GOV.UK date input error messages) when the date is incomplete or not real.
 */
export function isoFromParts(parts: DateParts, label: string): DateResult {
  const { day, month, year } = parts;
  if (!day && !month && !year) return { ok: true, value: undefined };
  const missing = (['day', 'month', 'year'] as const).filter((k) => !parts[k]);
  if (missing.length) {
    return { ok: false, part: missing[0]!, message: `${label} must include a ${missing.join(' and ')}` };
  }
  if (!/^\d{1,2}$/.test(day)) return { ok: false, part: 'day', message: `${label} must be a real date` };
  if (!/^\d{1,2}$/.test(month)) return { ok: false, part: 'month', message: `${label} must be a real date` };
  if (!/^\d{4}$/.test(year)) return { ok: false, part: 'year', message: 'Year must include 4 numbers' };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return { ok: false, part: 'day', message: `${label} must be a real date` };
  return { ok: true, value: iso };
}

/** Field errors collected before the service is called, keyed like the service's (e.g. dateOfBirth). */
export class FormProblems {
  readonly fields: Record<string, string> = {};
  /** Which part of a date input to link to from the error summary. */
  readonly dateParts: Record<string, 'day' | 'month' | 'year'> = {};

  date(name: string, parts: DateParts, label: string): string | undefined {
    const r = isoFromParts(parts, label);
    if (r.ok) return r.value;
    this.fields[name] = r.message;
    this.dateParts[name] = r.part;
    return undefined;
  }

  add(name: string, message: string): void {
    this.fields[name] ??= message;
  }

  get any(): boolean {
    return Object.keys(this.fields).length > 0;
  }
}

const checked = (source: unknown, name: string) => field(source, name) === 'yes';

// ----- find a person -----

export interface SearchValues {
  name: string;
  dob: DateParts;
  postcode: string;
  identifier: string;
  reason: string;
}

export function searchValuesFrom(query: unknown): SearchValues {
  return {
    name: field(query, 'name'),
    dob: datePartsFrom(query, 'dateOfBirth'),
    postcode: field(query, 'postcode'),
    identifier: field(query, 'identifier'),
    reason: field(query, 'reason'),
  };
}

/** Whether the search form was sent (rather than the page first opened). */
export function searchWasSent(query: unknown): boolean {
  return ['name', 'reason', 'postcode', 'identifier', 'dateOfBirth-day', 'dateOfBirth-month', 'dateOfBirth-year'].some(
    (k) => typeof (query as Record<string, unknown>)[k] === 'string',
  );
}

// ----- add a person -----

export const PERSON_FIELDS = [
  'givenNames',
  'familyName',
  'sex',
  'gender',
  'dateOfBirth',
  'dobPrecision',
  'nhsNumber',
  'upn',
  'address.line1',
  'address.line2',
  'address.town',
  'address.postcode',
  'shielded',
];

/** Every field of the add-a-person form, as typed: carried in hidden fields through the likely-matches check. */
export const PERSON_FORM_NAMES = [
  'givenNames',
  'familyName',
  'sex',
  'gender',
  'dateOfBirth-day',
  'dateOfBirth-month',
  'dateOfBirth-year',
  'dobPrecision',
  'nhsNumber',
  'upn',
  'addressLine1',
  'addressLine2',
  'addressTown',
  'addressPostcode',
  'shielded',
  'requestKey',
] as const;

export type PersonFormValues = Record<(typeof PERSON_FORM_NAMES)[number], string>;

export function personFormValuesFrom(body: unknown): PersonFormValues {
  return Object.fromEntries(PERSON_FORM_NAMES.map((n) => [n, field(body, n)])) as PersonFormValues;
}

export function createPersonInput(v: PersonFormValues, problems: FormProblems) {
  const dateOfBirth = problems.date('dateOfBirth', { day: v['dateOfBirth-day'].trim(), month: v['dateOfBirth-month'].trim(), year: v['dateOfBirth-year'].trim() }, 'Date of birth');
  const hasAddress = [v.addressLine1, v.addressLine2, v.addressTown, v.addressPostcode].some((s) => s.trim() !== '');
  return {
    givenNames: v.givenNames,
    familyName: v.familyName,
    sex: v.sex || undefined,
    gender: v.gender,
    dateOfBirth,
    dobPrecision: v.dobPrecision || undefined,
    nhsNumber: v.nhsNumber,
    upn: v.upn,
    address: hasAddress ? { line1: v.addressLine1, line2: v.addressLine2, town: v.addressTown, postcode: v.addressPostcode } : undefined,
    shielded: v.shielded === 'yes',
  };
}

// ----- changes to a person -----

export function involvementInput(body: unknown, problems: FormProblems) {
  return {
    role: field(body, 'role'),
    serviceId: field(body, 'serviceId'),
    teamId: field(body, 'teamId'),
    practitionerId: field(body, 'practitionerId'),
    startDate: problems.date('startDate', datePartsFrom(body, 'startDate'), 'The start date'),
    earlyHelpAssessment: checked(body, 'earlyHelpAssessment'),
    consentToShow: checked(body, 'consentToShow'),
  };
}

export function endInvolvementInput(body: unknown, problems: FormProblems) {
  return {
    endDate: problems.date('endDate', datePartsFrom(body, 'endDate'), 'The end date'),
    reason: field(body, 'reason'),
  };
}

export function relationshipInput(body: unknown, problems: FormProblems) {
  return {
    relatedSubjectId: field(body, 'relatedSubjectId'),
    type: field(body, 'type'),
    fromDate: problems.date('fromDate', datePartsFrom(body, 'fromDate'), 'The date the relationship began'),
  };
}

export function addressInput(body: unknown, problems: FormProblems) {
  return {
    line1: field(body, 'line1'),
    line2: field(body, 'line2'),
    town: field(body, 'town'),
    postcode: field(body, 'postcode'),
    fromDate: problems.date('fromDate', datePartsFrom(body, 'fromDate'), 'The date they moved in'),
  };
}

export function nameInput(body: unknown) {
  return { kind: field(body, 'kind') || undefined, givenNames: field(body, 'givenNames'), familyName: field(body, 'familyName') };
}

export function identifierInput(body: unknown) {
  return { scheme: field(body, 'scheme') || undefined, value: field(body, 'value') };
}

// ----- households -----

/** A field that may be sent more than once (checkboxes): every value sent, as strings. */
function values(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function householdInput(body: unknown, problems: FormProblems) {
  return {
    label: field(body, 'label'),
    address: field(body, 'address') || undefined,
    memberSubjectIds: values(body, 'memberSubjectIds'),
    fromDate: problems.date('fromDate', datePartsFrom(body, 'fromDate'), 'The date they started living together'),
  };
}

export function householdMemberInput(body: unknown, problems: FormProblems) {
  return {
    memberSubjectId: field(body, 'memberSubjectId'),
    fromDate: problems.date('fromDate', datePartsFrom(body, 'fromDate'), 'The date they moved in'),
  };
}

export function leaveHouseholdInput(body: unknown, problems: FormProblems) {
  return { toDate: problems.date('toDate', datePartsFrom(body, 'toDate'), 'The date they left') };
}

/** The checkboxes chosen on the household form, to show them again after an error. */
export function chosenMembers(body: unknown): string[] {
  return values(body, 'memberSubjectIds');
}
