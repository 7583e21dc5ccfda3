/** Turns the front door's forms into service input, and the service's field names back into the forms' element ids. */
import { field } from '../../forms.ts';

export const PERSON_SLOTS = 4;
export const ITEM_SLOTS = 3;
const PERSON_FIELDS = ['role', 'givenNames', 'familyName', 'dateOfBirth', 'postcode', 'relationship'] as const;

const list = (body: unknown, name: string): string[] => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : [];
};
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The intake form's values as the form shows them again. */
export function intakeValues(body: unknown) {
  const persons = Array.from({ length: PERSON_SLOTS }, (_, i) => Object.fromEntries(PERSON_FIELDS.map((f) => [f, field(body, `person${i}${cap(f)}`)])) as Record<(typeof PERSON_FIELDS)[number], string>);
  return {
    hubOrganisationId: field(body, 'hubOrganisationId'),
    source: field(body, 'source') || 'professional',
    referrerName: field(body, 'referrerName'),
    referrerRole: field(body, 'referrerRole'),
    referrerPhone: field(body, 'referrerPhone'),
    referrerEmail: field(body, 'referrerEmail'),
    persons,
    categories: list(body, 'categories'),
    summary: field(body, 'summary'),
    familyKnows: field(body, 'familyKnows'),
    familyView: field(body, 'familyView'),
    referrerUrgency: field(body, 'referrerUrgency'),
  };
}
export type IntakeValues = ReturnType<typeof intakeValues>;

/** Blank person slots are left out; the rest keep their place so errors point at the right slot. */
export function intakeInput(v: IntakeValues): { input: Record<string, unknown>; slots: number[] } {
  const slots: number[] = [];
  const persons: Array<Record<string, string>> = [];
  v.persons.forEach((p, i) => {
    if (![p.givenNames, p.familyName, p.dateOfBirth, p.postcode, p.relationship].some((x) => x.trim())) return;
    slots.push(i);
    persons.push({ ...p, role: p.role || (i === 0 ? 'child' : '') });
  });
  return {
    input: {
      hubOrganisationId: v.hubOrganisationId,
      source: v.source,
      referrerName: v.referrerName,
      referrerRole: v.referrerRole,
      referrerPhone: v.referrerPhone,
      referrerEmail: v.referrerEmail,
      persons,
      categories: v.categories,
      summary: v.summary,
      familyKnows: v.familyKnows || undefined,
      familyView: v.familyView,
      referrerUrgency: v.referrerUrgency || undefined,
    },
    slots,
  };
}

/** `persons.1.givenNames` (the second person given) → `person2GivenNames` (the slot on the form). */
export function intakeFieldId(key: string, slots: readonly number[]): string {
  const m = /^persons(?:\.(\d+)(?:\.(\w+))?)?$/.exec(key);
  if (!m) return key;
  const slot = m[1] !== undefined ? (slots[Number(m[1])] ?? 0) : 0;
  return `person${slot}${cap(m[2] ?? 'givenNames')}`;
}

export function intakeOrder(): string[] {
  return [
    'hubOrganisationId',
    'source',
    'referrerName',
    'referrerPhone',
    ...Array.from({ length: PERSON_SLOTS }, (_, i) => PERSON_FIELDS.map((f) => `person${i}${cap(f)}`)).flat(),
    'categories',
    'summary',
    'familyKnows',
    'familyView',
    'referrerUrgency',
  ];
}

/** The research answer form: up to three items, or "we hold nothing". */
export function responseValues(body: unknown) {
  return {
    nothingHeld: field(body, 'nothingHeld') === 'yes',
    items: Array.from({ length: ITEM_SLOTS }, (_, i) => ({
      summary: field(body, `item${i}Summary`),
      linkedRecord: field(body, `item${i}LinkedRecord`),
      withheldFromFamily: field(body, `item${i}Withheld`) === 'yes',
      withheldReason: field(body, `item${i}WithheldReason`),
    })),
  };
}
export type ResponseValues = ReturnType<typeof responseValues>;

export function responseInput(v: ResponseValues): { input: Record<string, unknown>; slots: number[] } {
  const slots: number[] = [];
  const items = v.items.filter((item, i) => {
    const used = Boolean(item.summary.trim() || item.withheldReason.trim() || item.linkedRecord);
    if (used) slots.push(i);
    return used;
  });
  return { input: { nothingHeld: v.nothingHeld, items }, slots };
}

const ITEM_IDS: Record<string, string> = { summary: 'Summary', linkedRecord: 'LinkedRecord', withheldFromFamily: 'Withheld', withheldReason: 'WithheldReason' };
export function responseFieldId(key: string, slots: readonly number[]): string {
  const m = /^items(?:\.(\d+)(?:\.(\w+))?)?$/.exec(key);
  if (!m) return key;
  const slot = m[1] !== undefined ? (slots[Number(m[1])] ?? 0) : 0;
  return `item${slot}${ITEM_IDS[m[2] ?? 'summary'] ?? 'Summary'}`;
}

export { list as fieldList };
