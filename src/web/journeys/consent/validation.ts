import { EVIDENCE_MAX_BYTES, EVIDENCE_TYPES } from '../../../services/consent-service.ts';
import { ValidationError } from '../../../services/principal.ts';
import { field, formErrors, type FormErrors } from '../../forms.ts';
import type { UploadedFile } from '../../setup/multipart.ts';
import { datePartsFrom, type DateParts, type FormProblems } from '../people/validation.ts';

/**
 * Form handling for consent: GOV.UK fields into ConsentService's input. The rules (who can
 * consent, capacity, purposes, evidence) live in the service and src/sharing/rules.ts.
 */

/** A checkbox group's values (one value arrives as a string, several as an array). */
export function list(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return v ? [v] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

export const CONSENT_DATE_FIELDS = ['capacityAssessedOn', 'validFrom', 'validUntil'] as const;

/** The fields of the consent form in page order (for the error summary). */
export const CONSENT_FIELDS = [
  'decision',
  'givenBy',
  'givenByName',
  'capacityAssessment',
  'capacityOutcome',
  'capacityReasoning',
  'capacityAssessedOn',
  'purposes',
  'recipients',
  'categories',
  'method',
  'validFrom',
  'validUntil',
  'notes',
  'evidence',
];

export interface ConsentFormValues {
  decision: string;
  givenBy: string;
  givenByName: string;
  capacityAssessment: string;
  capacityOutcome: string;
  capacityReasoning: string;
  capacityAssessedOn: DateParts;
  purposes: string[];
  anyRecipient: boolean;
  recipientOrganisationTypes: string[];
  recipientOrganisationIds: string[];
  categories: string[];
  method: string;
  validFrom: DateParts;
  validUntil: DateParts;
  notes: string;
  /** A file was chosen (the browser cannot be given it back: the page asks for it again). */
  hadFile: boolean;
}

export function consentValuesFrom(body: unknown, uploads: readonly UploadedFile[] = []): ConsentFormValues {
  return {
    decision: field(body, 'decision'),
    givenBy: field(body, 'givenBy'),
    givenByName: field(body, 'givenByName'),
    capacityAssessment: field(body, 'capacityAssessment'),
    capacityOutcome: field(body, 'capacityOutcome'),
    capacityReasoning: field(body, 'capacityReasoning'),
    capacityAssessedOn: datePartsFrom(body, 'capacityAssessedOn'),
    purposes: list(body, 'purposes'),
    anyRecipient: field(body, 'anyRecipient') === 'yes',
    recipientOrganisationTypes: list(body, 'recipientOrganisationTypes'),
    recipientOrganisationIds: list(body, 'recipientOrganisationIds'),
    categories: list(body, 'categories'),
    method: field(body, 'method'),
    validFrom: datePartsFrom(body, 'validFrom'),
    validUntil: datePartsFrom(body, 'validUntil'),
    notes: field(body, 'notes'),
    hadFile: uploads.some((u) => u.field === 'evidence'),
  };
}

/** What a file's first bytes say it is, when it is one of the evidence types. */
function sniff(data: Buffer): (typeof EVIDENCE_TYPES)[number] | undefined {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/**
 * The service's input. The evidence file goes as base64 with its declared type (or, when the
 * browser declared none of ours, the type its content shows); the service checks the content
 * matches. A file cut short at the upload limit is a problem here, so it is never sent.
 */
export function consentInput(values: ConsentFormValues, uploads: readonly UploadedFile[], problems: FormProblems): Record<string, unknown> {
  const file = uploads.find((u) => u.field === 'evidence');
  let evidence: Record<string, string> | undefined;
  if (file?.truncated || (file && file.data.length > EVIDENCE_MAX_BYTES)) {
    problems.add('evidence', 'The evidence file must be smaller than 5 MB');
  } else if (file && file.data.length === 0) {
    problems.add('evidence', 'The evidence file is empty');
  } else if (file) {
    const declared = (EVIDENCE_TYPES as readonly string[]).includes(file.contentType) ? file.contentType : undefined;
    evidence = { filename: file.filename || 'evidence', contentType: declared ?? sniff(file.data) ?? file.contentType, contentBase64: file.data.toString('base64') };
  }
  return {
    decision: values.decision || undefined,
    givenBy: values.givenBy || undefined,
    givenByName: values.givenByName,
    capacityAssessment: values.capacityAssessment || undefined,
    capacityOutcome: values.capacityOutcome || undefined,
    capacityReasoning: values.capacityReasoning,
    capacityAssessedOn: problems.date('capacityAssessedOn', values.capacityAssessedOn, 'The date of the assessment'),
    purposes: values.purposes,
    anyRecipient: values.anyRecipient,
    recipientOrganisationTypes: values.recipientOrganisationTypes,
    recipientOrganisationIds: values.recipientOrganisationIds,
    categories: values.categories,
    method: values.method || undefined,
    ...(evidence ? { evidence } : {}),
    validFrom: problems.date('validFrom', values.validFrom, 'The date it applies from'),
    validUntil: problems.date('validUntil', values.validUntil, 'The date it ends'),
    notes: values.notes,
  };
}

/** Service field names (purposes.0, evidence.contentType, recipientOrganisationIds.2 …) as the form's ids. */
export function consentFieldId(key: string): string {
  const head = key.split('.')[0]!;
  if (head === 'anyRecipient' || head === 'recipientOrganisationIds' || head === 'recipientOrganisationTypes') return 'recipients';
  if (head === 'exceptions') return 'form';
  return head;
}

/** GOV.UK errors for the consent form: date fields link to the part at fault. */
export function consentErrors(fields: Record<string, string>, problems?: FormProblems): FormErrors {
  const mapped: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) mapped[consentFieldId(k)] ??= v;
  const out = formErrors(new ValidationError(mapped), CONSENT_FIELDS);
  out.errorList = out.errorList.map((e) => {
    const key = e.href?.slice(1);
    if (key && (CONSENT_DATE_FIELDS as readonly string[]).includes(key)) return { ...e, href: `#${key}-${problems?.dateParts[key] ?? 'day'}` };
    return e;
  });
  return out;
}

export const WITHDRAW_FIELDS = ['method', 'reason'];
