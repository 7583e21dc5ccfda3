/**
 * The column mapping of the `link` command, and reading the mapped columns of CSV files into a
 * `RecordSet`. Only the mapped columns are read; every other column is ignored on the row it arrives in.
 */
import { z } from 'zod';
import { CsvError, readCsvFile } from './csv.ts';
import { emptyRecordSet, type RecordSet } from './records.ts';

const column = z.string().trim().min(1, 'must name a column');

export const linkMappingSchema = z
  .object({
    record_id: column,
    first_name: column.optional(),
    middle_names: column.optional(),
    surname: column.optional(),
    full_name: column.optional(),
    date_of_birth: column.optional(),
    date_format: z.string().trim().min(1).optional(),
    sex: column.optional(),
    postcode: column.optional(),
    address_lines: z.array(column).min(1).optional(),
    town: column.optional(),
    nhs_number: column.optional(),
    other_identifier: column.optional(),
    email: column.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.date_format && !m.date_of_birth) ctx.addIssue({ code: 'custom', path: ['date_format'], message: 'is given but date_of_birth is not' });
    if (m.date_format) {
      try {
        dateParser(m.date_format);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['date_format'], message: (err as Error).message });
      }
    }
  });

export type LinkMapping = z.infer<typeof linkMappingSchema>;

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** Validates a parsed mapping file; the error lists every problem with its key. */
export function parseLinkMapping(value: unknown, source = 'mapping'): LinkMapping {
  const r = linkMappingSchema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = i.path.join('.') || '(top level)';
    const msg = i.code === 'unrecognized_keys' ? `unknown key(s) ${(i as { keys: string[] }).keys.join(', ')}; allowed: ${Object.keys(linkMappingSchema.shape).join(', ')}` : i.message;
    return `${source}: ${key}: ${msg}`;
  });
  throw new MappingError(problems.join('\n'));
}

/**
 * A date parser for a format made of YYYY, MM, DD (two digits), M, D (one or two digits) and literal
 * separators, e.g. YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY. Returns the date as 8 digits YYYYMMDD, or null
 * when the text does not fit the format. Impossible dates (month 13) are kept as digits: the date
 * comparisons work on digits, and a corrupted date still says something.
 */
export function dateParser(format: string): (text: string) => string | null {
  let pattern = '^';
  const order: Array<'y' | 'm' | 'd'> = [];
  for (let i = 0; i < format.length; ) {
    const rest = format.slice(i);
    if (rest.startsWith('YYYY')) {
      pattern += '(\\d{4})';
      order.push('y');
      i += 4;
    } else if (rest.startsWith('MM') || rest.startsWith('DD')) {
      pattern += '(\\d{2})';
      order.push(rest[0] === 'M' ? 'm' : 'd');
      i += 2;
    } else if (rest[0] === 'M' || rest[0] === 'D') {
      pattern += '(\\d{1,2})';
      order.push(rest[0] === 'M' ? 'm' : 'd');
      i += 1;
    } else if (/[A-Za-z]/.test(rest[0]!)) {
      throw new Error(`"${format}" is not a date format: use YYYY, MM, DD, M, D and separators, e.g. YYYY-MM-DD or YYYYMMDD`);
    } else {
      pattern += rest[0]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 1;
    }
  }
  if (order.length !== 3 || new Set(order).size !== 3) throw new Error(`"${format}" must have one year (YYYY), one month (MM or M) and one day (DD or D)`);
  const re = new RegExp(`${pattern}$`);
  return (text) => {
    const m = re.exec(text);
    if (!m) return null;
    const parts = { y: '', m: '', d: '' };
    order.forEach((k, idx) => (parts[k] = m[idx + 1]!.padStart(k === 'y' ? 4 : 2, '0')));
    return `${parts.y}${parts.m}${parts.d}`;
  };
}

export interface ReadSummary {
  file: string;
  rows: number;
  /** Dates of birth present but not in the date format: treated as missing. */
  badDates: number;
  firstBadDateRow: number | null;
}

/**
 * Reads the mapped columns of one CSV file into `set` (source number `source`). Record ids must be
 * present and unique across everything read into the set; a repeat is an error naming file, row and column.
 */
export async function readMappedCsv(file: string, mapping: LinkMapping, set: RecordSet, source: number, seen: Map<string, string>): Promise<ReadSummary> {
  const parseDate = dateParser(mapping.date_format ?? 'YYYY-MM-DD');
  let header: string[] | null = null;
  let idx: Record<string, number> = {};
  let addressIdx: number[] = [];
  const summary: ReadSummary = { file, rows: 0, badDates: 0, firstBadDateRow: null };
  for await (const { row, fields } of readCsvFile(file)) {
    if (header === null) {
      header = fields;
      const find = (key: string, name: string) => {
        const i = header!.indexOf(name);
        if (i < 0) throw new CsvError(file, row, `the mapping's ${key} names the column "${name}", which is not in the header (columns: ${header!.join(', ')})`);
        return i;
      };
      idx = {};
      for (const key of ['record_id', 'first_name', 'middle_names', 'surname', 'full_name', 'date_of_birth', 'sex', 'postcode', 'town', 'nhs_number', 'other_identifier', 'email'] as const) {
        const name = mapping[key];
        if (name !== undefined) idx[key] = find(key, name);
      }
      addressIdx = (mapping.address_lines ?? []).map((name) => find('address_lines', name));
      continue;
    }
    const get = (key: string): string => {
      const i = idx[key];
      return i === undefined ? '' : (fields[i] ?? '');
    };
    const id = get('record_id');
    if (id === '') throw new CsvError(file, row, `column "${mapping.record_id}" (record_id) is empty`);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new CsvError(file, row, `column "${mapping.record_id}" (record_id): the id "${id}" is used again (first at ${earlier}); record ids must be unique across all inputs`);
    seen.set(id, `${file}, row ${row}`);
    let dob = '';
    const rawDob = get('date_of_birth');
    if (rawDob !== '') {
      const d = parseDate(rawDob);
      if (d === null) {
        summary.badDates++;
        summary.firstBadDateRow ??= row;
      } else dob = d;
    }
    set.push({
      id,
      source,
      firstName: get('first_name'),
      middleNames: get('middle_names'),
      surname: get('surname'),
      fullName: get('full_name'),
      dob,
      sex: get('sex'),
      postcode: get('postcode'),
      address: addressIdx.map((i) => fields[i] ?? '').filter((s) => s !== '').join(' '),
      town: get('town'),
      nhsNumber: get('nhs_number'),
      otherIdentifier: get('other_identifier'),
      email: get('email'),
    });
    summary.rows++;
  }
  if (header === null) throw new CsvError(file, 1, 'the file is empty: a header row is needed');
  return summary;
}

export { emptyRecordSet };
