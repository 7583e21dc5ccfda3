/**
 * A feed's saved column mapping (which column of the sender's file holds each field) and the
 * validation of every row through it. Pure: the import service (src/feeds/import-service.ts) calls it.
 * Only mapped columns are read and kept: the rest of a row is never stored (the minimum necessary).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateNhsNumber, validatePostcode } from '../people/identifiers.ts';

export const FEED_KINDS = ['people', 'involvements', 'contacts', 'events'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];
export const FEED_FORMATS = ['csv', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];
export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'YYYYMMDD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const TARGET_FIELDS = [
  'sourceRecordId',
  'personRecordId',
  'givenNames',
  'familyName',
  'dateOfBirth',
  'sex',
  'nhsNumber',
  'postcode',
  'address',
  'phone',
  'email',
  'role',
  'practitionerName',
  'teamName',
  'startDate',
  'endDate',
  'eventType',
  'description',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

export const FIELD_LABELS: Record<TargetField, string> = {
  sourceRecordId: 'Record id (yours, unique in this feed)',
  personRecordId: "Person's record id (yours)",
  givenNames: 'Given names',
  familyName: 'Family name',
  dateOfBirth: 'Date of birth',
  sex: 'Sex',
  nhsNumber: 'NHS number',
  postcode: 'Postcode',
  address: 'Address',
  phone: 'Telephone',
  email: 'Email address',
  role: 'Role',
  practitionerName: "Practitioner's name",
  teamName: 'Team or service',
  startDate: 'Start or contact date',
  endDate: 'End date',
  eventType: 'Type',
  description: 'Description',
};

/** Which fields each kind of feed may map, and which it must. */
export const KIND_FIELDS: Record<FeedKind, { required: TargetField[]; optional: TargetField[] }> = {
  people: {
    required: ['sourceRecordId', 'givenNames', 'familyName', 'dateOfBirth'],
    optional: ['sex', 'nhsNumber', 'postcode', 'address', 'phone', 'email'],
  },
  involvements: { required: ['sourceRecordId', 'personRecordId', 'role', 'startDate'], optional: ['endDate', 'practitionerName', 'teamName', 'description', 'phone', 'email'] },
  contacts: { required: ['sourceRecordId', 'personRecordId', 'startDate'], optional: ['eventType', 'description', 'phone', 'email'] },
  events: { required: ['sourceRecordId', 'personRecordId', 'startDate', 'eventType'], optional: ['endDate', 'description'] },
};

export interface FeedMapping {
  fields: Partial<Record<TargetField, string>>;
  dateFormat: DateFormat;
}

/** Checks a mapping for a kind: every required field named, no field the kind does not use, no column twice. */
export function parseMapping(kind: FeedKind, input: unknown): { ok: true; mapping: FeedMapping } | { ok: false; errors: Record<string, string> } {
  const shape = z.object({
    fields: z.record(z.string(), z.string().trim().max(200, 'A column name must be 200 characters or fewer')),
    dateFormat: z.enum(DATE_FORMATS, `Choose a date format: ${DATE_FORMATS.join(', ')}`).default('YYYY-MM-DD'),
  });
  const r = shape.safeParse(input);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const i of r.error.issues) errors[['mapping', ...i.path.map(String)].join('.')] ??= i.message;
    return { ok: false, errors };
  }
  const allowed = new Set<string>([...KIND_FIELDS[kind].required, ...KIND_FIELDS[kind].optional]);
  const errors: Record<string, string> = {};
  const fields: Partial<Record<TargetField, string>> = {};
  const columns = new Map<string, string>();
  for (const [field, column] of Object.entries(r.data.fields)) {
    if (column === '') continue;
    if (!allowed.has(field)) {
      errors[`mapping.fields.${field}`] = `A ${kind} feed has no field "${field}"; it can map ${[...allowed].join(', ')}`;
      continue;
    }
    const other = columns.get(column);
    if (other) errors[`mapping.fields.${field}`] = `The column "${column}" is already mapped to ${FIELD_LABELS[other as TargetField]}`;
    columns.set(column, field);
    fields[field as TargetField] = column;
  }
  for (const f of KIND_FIELDS[kind].required) {
    if (!fields[f]) errors[`mapping.fields.${f}`] = `Name the column that holds ${FIELD_LABELS[f].toLowerCase()}`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, mapping: { fields, dateFormat: r.data.dateFormat } };
}

/** A row accepted: the normalised fields (null where not sent) and the mapped columns as sent. */
export interface NormalisedRecord {
  sourceRecordId: string;
  personRecordId: string | null;
  givenNames: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  nhsNumber: string | null;
  postcode: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  role: string | null;
  /** Involvements: who works with the person, and in which team or service (optional). */
  practitionerName: string | null;
  teamName: string | null;
  startDate: string | null;
  endDate: string | null;
  eventType: string | null;
  description: string | null;
  raw: Record<string, string>;
  contentSha256: string;
}

export interface RowProblem {
  column: string | null;
  value: string | null;
  reason: string;
}

export type RowResult = { ok: true; record: NormalisedRecord } | { ok: false; problems: RowProblem[] };

/** Parses a date written in the feed's format; null unless it is a real calendar date. */
export function parseFeedDate(text: string, format: DateFormat): string | null {
  let m: RegExpExecArray | null;
  let y: number, mo: number, d: number;
  if (format === 'YYYY-MM-DD') {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return null;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if (format === 'DD/MM/YYYY') {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    if (!m) return null;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    if (!m) return null;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const NAME_RE = /^\p{L}[\p{L}\p{M}' .’-]*$/u;
const PHONE_RE = /^\+?[\d ()-]{10,20}$/;
const ID_RE = /^[^\p{C}]{1,64}$/u;
const SEX: Record<string, string> = { m: 'male', male: 'male', f: 'female', female: 'female', u: 'unknown', unknown: 'unknown', x: 'indeterminate', i: 'indeterminate', indeterminate: 'indeterminate', '0': 'unknown', '1': 'male', '2': 'female', '9': 'indeterminate' };

const EARLIEST_BIRTH = '1900-01-01';

/**
 * The zod schema of one row of a feed: one entry per mapped field, each checked and normalised by
 * `checkField` (names, real dates, NHS number modulus 11, postcodes…), and the end date not before
 * the start. Built once per kind, mapping and day, and cached.
 */
function rowSchema(kind: FeedKind, mapping: FeedMapping, today: string) {
  const key = `${kind}|${mapping.dateFormat}|${today}|${JSON.stringify(mapping.fields)}`;
  const cached = schemaCache.get(key);
  if (cached) return cached;
  const required = new Set<TargetField>(KIND_FIELDS[kind].required);
  const shape: Record<string, z.ZodType<string | null>> = {};
  for (const f of [...KIND_FIELDS[kind].required, ...KIND_FIELDS[kind].optional]) {
    const column = mapping.fields[f];
    if (!column) continue;
    shape[f] = z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') {
          if (required.has(f)) ctx.addIssue({ code: 'custom', message: v === undefined ? `the column "${column}" is missing` : `${FIELD_LABELS[f]} is empty` });
          return null;
        }
        const r = checkField(f, v, mapping.dateFormat, today);
        if (typeof r === 'object') {
          ctx.addIssue({ code: 'custom', message: r.reason });
          return z.NEVER;
        }
        return r;
      });
  }
  const schema = z.object(shape).superRefine((row, ctx) => {
    const r = row as Partial<Record<TargetField, string | null>>;
    if (r.startDate && r.endDate && r.endDate < r.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'the end date is before the start date' });
  });
  if (schemaCache.size > 100) schemaCache.clear();
  schemaCache.set(key, schema);
  return schema;
}
const schemaCache = new Map<string, ReturnType<typeof z.object>>();

/** Validates and normalises one row read through a mapping (its zod schema). `today` (YYYY-MM-DD) bounds dates of birth. */
export function validateRow(kind: FeedKind, mapping: FeedMapping, fields: Record<string, unknown>, today: string): RowResult {
  const raw: Record<string, string> = {};
  const input: Record<string, string | undefined> = {};
  for (const [f, column] of Object.entries(mapping.fields)) {
    const v = fields[column];
    if (v === undefined || v === null) continue;
    const text = (typeof v === 'object' ? JSON.stringify(v) : String(v)).trim();
    raw[column] = text;
    input[f] = text;
  }
  const parsed = rowSchema(kind, mapping, today).safeParse(input);
  if (!parsed.success) {
    const problems: RowProblem[] = parsed.error.issues.map((i) => {
      const f = i.path[0] as TargetField;
      const column = mapping.fields[f] ?? f;
      const value = raw[column];
      return { column, value: value === undefined || value === '' ? null : value, reason: i.message };
    });
    return { ok: false, problems };
  }
  const out = parsed.data as Partial<Record<TargetField, string | null>>;
  const record: Omit<NormalisedRecord, 'contentSha256'> = {
    sourceRecordId: out.sourceRecordId!,
    personRecordId: out.personRecordId ?? null,
    givenNames: out.givenNames ?? null,
    familyName: out.familyName ?? null,
    dateOfBirth: out.dateOfBirth ?? null,
    sex: out.sex ?? null,
    nhsNumber: out.nhsNumber ?? null,
    postcode: out.postcode ?? null,
    address: out.address ?? null,
    phone: out.phone ?? null,
    email: out.email ?? null,
    role: out.role ?? null,
    practitionerName: out.practitionerName ?? null,
    teamName: out.teamName ?? null,
    startDate: out.startDate ?? null,
    endDate: out.endDate ?? null,
    eventType: out.eventType ?? null,
    description: out.description ?? null,
    raw,
  };
  return { ok: true, record: { ...record, contentSha256: contentHash(record) } };
}

/**
 * The hash that tells a changed record from one sent again. Fields added since a feed began (the
 * practitioner and team, 0014) are hashed only when sent, so records stored before they existed keep
 * their hash and the same file sent again still changes nothing.
 */
function contentHash(record: Omit<NormalisedRecord, 'contentSha256'>): string {
  const { practitionerName, teamName, ...before0014 } = record;
  const hashed = { ...before0014, practitionerName: practitionerName ?? undefined, teamName: teamName ?? undefined };
  return createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
}

const emailSchema = z.email();

function checkField(f: TargetField, v: string, dateFormat: DateFormat, today: string): string | { reason: string } {
  switch (f) {
    case 'sourceRecordId':
    case 'personRecordId':
      return ID_RE.test(v) ? v : { reason: 'a record id must be 1 to 64 printable characters' };
    case 'givenNames':
    case 'familyName':
      if (v.length > 100) return { reason: `${FIELD_LABELS[f]} must be 100 characters or fewer` };
      return NAME_RE.test(v) ? v.replace(/\s+/g, ' ') : { reason: `${FIELD_LABELS[f]} must start with a letter and contain only letters, spaces, hyphens and apostrophes` };
    case 'dateOfBirth': {
      const d = parseFeedDate(v, dateFormat);
      if (!d) return { reason: `not a real date in the format ${dateFormat}` };
      if (d > today) return { reason: 'a date of birth cannot be in the future' };
      if (d < EARLIEST_BIRTH) return { reason: 'a date of birth must be after 1900' };
      return d;
    }
    case 'startDate':
    case 'endDate':
      return parseFeedDate(v, dateFormat) ?? { reason: `not a real date in the format ${dateFormat}` };
    case 'sex':
      return SEX[v.toLowerCase()] ?? { reason: 'sex must be male, female, unknown or indeterminate (or M, F, U, X, or the NHS codes 0, 1, 2, 9)' };
    case 'nhsNumber': {
      const r = validateNhsNumber(v);
      return r.ok ? r.value : { reason: r.message };
    }
    case 'postcode': {
      const r = validatePostcode(v);
      return r.ok ? r.value : { reason: r.message };
    }
    case 'phone':
      return PHONE_RE.test(v) ? v : { reason: 'a telephone number must have 10 to 20 digits, spaces, brackets or a leading +' };
    case 'email':
      return emailSchema.safeParse(v).success && v.length <= 254 ? v.toLowerCase() : { reason: 'not an email address' };
    case 'practitionerName':
    case 'teamName':
      return v.length <= 200 ? v.replace(/\s+/g, ' ') : { reason: `${FIELD_LABELS[f]} must be 200 characters or fewer` };
    case 'address':
    case 'role':
    case 'eventType':
    case 'description':
      return v.length <= 2000 ? v : { reason: `${FIELD_LABELS[f]} must be 2,000 characters or fewer` };
  }
}
