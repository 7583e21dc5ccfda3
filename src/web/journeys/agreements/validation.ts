import type { z } from 'zod';
import { ValidationError } from '../../../services/principal.ts';
import { field, formErrors, type FormErrors } from '../../forms.ts';
import { datePartsFrom, datePartsOf, FormProblems, type DateParts } from '../people/validation.ts';

/**
 * Form handling for the agreement pages. The rules live in AgreementService (shared with the
 * API); this file only turns GOV.UK form fields into the service's input (dates typed as day,
 * month and year, checkbox groups, a signatory per chosen organisation) and the service's
 * field names back into the ids of the fields on the page.
 */

export const DATE_FIELDS = ['startDate', 'endDate', 'reviewDate', 'nextReviewDate'] as const;

/** Checkbox groups arrive as nothing, one string or several. */
export function list(source: unknown, name: string): string[] {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export interface AgreementFormValues {
  reference: string;
  title: string;
  organisationIds: string[];
  signatoryName: Record<string, string>;
  signatoryRole: Record<string, string>;
  purposes: string[];
  legalBases: string[];
  categories: string[];
  retention: string;
  startDate: DateParts;
  endDate: DateParts;
  reviewDate: DateParts;
  notes: string;
}

export function emptyAgreementForm(today: string, organisationId: string | undefined): AgreementFormValues {
  return {
    reference: '',
    title: '',
    organisationIds: organisationId ? [organisationId] : [],
    signatoryName: {},
    signatoryRole: {},
    purposes: [],
    legalBases: [],
    categories: [],
    retention: '',
    startDate: datePartsOf(today),
    endDate: { day: '', month: '', year: '' },
    reviewDate: { day: '', month: '', year: '' },
    notes: '',
  };
}

export function agreementFormValuesFrom(body: unknown): AgreementFormValues {
  const organisationIds = list(body, 'organisationIds');
  return {
    reference: field(body, 'reference'),
    title: field(body, 'title'),
    organisationIds,
    signatoryName: Object.fromEntries(organisationIds.map((id) => [id, field(body, `signatoryName-${id}`)])),
    signatoryRole: Object.fromEntries(organisationIds.map((id) => [id, field(body, `signatoryRole-${id}`)])),
    purposes: list(body, 'purposes'),
    legalBases: list(body, 'legalBases'),
    categories: list(body, 'categories'),
    retention: field(body, 'retention'),
    startDate: datePartsFrom(body, 'startDate'),
    endDate: datePartsFrom(body, 'endDate'),
    reviewDate: datePartsFrom(body, 'reviewDate'),
    notes: field(body, 'notes'),
  };
}

export function createAgreementInput(v: AgreementFormValues, problems: FormProblems) {
  return {
    reference: v.reference,
    title: v.title,
    parties: v.organisationIds.map((organisationId) => ({
      organisationId,
      signatoryName: v.signatoryName[organisationId] ?? '',
      signatoryRole: v.signatoryRole[organisationId] ?? '',
    })),
    purposes: v.purposes,
    legalBases: v.legalBases,
    categories: v.categories,
    retention: v.retention,
    startDate: problems.date('startDate', v.startDate, 'The start date'),
    endDate: problems.date('endDate', v.endDate, 'The end date'),
    reviewDate: problems.date('reviewDate', v.reviewDate, 'The review date'),
    notes: v.notes,
  };
}

/** The add-agreement form's fields in page order (error summary order). */
export const AGREEMENT_FIELDS = ['reference', 'title', 'parties', 'purposes', 'legalBases', 'categories', 'retention', 'startDate', 'endDate', 'reviewDate', 'notes'];

/**
 * Service field names as the ids on the add-agreement page: an error about one item of a
 * checkbox group belongs to the group; an error about one party's signatory to that party's field.
 */
export function agreementFieldId(key: string, organisationIds: readonly string[]): string {
  const party = /^parties\.(\d+)\.(organisationId|signatoryName|signatoryRole)$/.exec(key);
  if (party) {
    const orgId = organisationIds[Number(party[1])];
    return party[2] === 'organisationId' || !orgId ? 'parties' : `${party[2]}-${orgId}`;
  }
  const item = /^(purposes|legalBases|categories|parties)\.\d+$/.exec(key);
  return item ? item[1]! : key;
}

/**
 * GOV.UK errors for a form: field errors mapped to the page's ids, date fields linked to the part
 * at fault, in page order. `order` may hold extra ids (e.g. a party's signatory fields).
 */
export function errorsFor(err: ValidationError, order: string[], problems: FormProblems | undefined, idOf: (key: string) => string = (k) => k): FormErrors {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.fields)) fields[idOf(k)] ??= v;
  const out = formErrors(new ValidationError(fields), order);
  out.errorList = out.errorList.map((e) => {
    const key = e.href?.slice(1);
    if (!key || !(DATE_FIELDS as readonly string[]).includes(key)) return e;
    return { ...e, href: `#${key}-${problems?.dateParts[key] ?? 'day'}` };
  });
  return out;
}

/**
 * When the form itself found a problem (a date that is not real), nothing is sent to the service;
 * the schema is still run over the rest (with stand-in dates) so every problem shows at once.
 */
export function formFailure(problems: FormProblems, schema: z.ZodType, input: Record<string, unknown>): ValidationError {
  const fields: Record<string, string> = {};
  const standIn = { ...input };
  for (const k of Object.keys(problems.fields)) if (k in standIn) standIn[k] = '2000-01-01';
  const r = schema.safeParse(standIn);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = issue.path.length ? issue.path.map(String).join('.') : 'form';
      // Comparisons between dates mean nothing while one of them is a stand-in.
      if ((DATE_FIELDS as readonly string[]).includes(key)) continue;
      fields[key] ??= issue.message;
    }
  }
  return new ValidationError({ ...fields, ...problems.fields });
}

export { datePartsFrom, datePartsOf, FormProblems };
