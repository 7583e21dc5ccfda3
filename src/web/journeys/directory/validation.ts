import { MAX_ROWS, ROW_PART_NAMES, ROW_PARTS, type RowPart } from '../../../directory/edit-rows.ts';
import { field } from '../../forms.ts';
import type { UploadedFile } from '../../setup/multipart.ts';

/** Distances offered on the search form, in miles, and the metres the search uses. */
export const DISTANCES = [
  { miles: '1', metres: 1609 },
  { miles: '3', metres: 4828 },
  { miles: '5', metres: 8047 },
  { miles: '10', metres: 16093 },
  { miles: '25', metres: 40234 },
] as const;

export interface SearchForm {
  what: string;
  postcode: string;
  distance: string;
  age: string;
  category: string;
  page: string;
}

export function searchFormFrom(q: Record<string, unknown>): SearchForm {
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
  return { what: s('what'), postcode: s('postcode'), distance: s('distance') || '3', age: s('age'), category: s('category'), page: s('page') };
}

/** The page's query as the directory search's input (the same one /api/oruk/services takes). */
export function searchInputFrom(f: SearchForm, perPage = 20): Record<string, string | number> {
  const d = DISTANCES.find((x) => x.miles === f.distance) ?? DISTANCES[1];
  return {
    search: f.what,
    postcode: f.postcode,
    ...(f.postcode.trim() ? { proximity: d.metres } : {}),
    age: f.age,
    taxonomy_term_id: f.category,
    page: f.page || '1',
    per_page: perPage,
  };
}

/** The search form's field names, in page order (the API's names are mapped back to them). */
export const SEARCH_FIELDS = ['what', 'postcode', 'distance', 'age', 'category'];
export const API_TO_FORM: Record<string, string> = { search: 'what', postcode: 'postcode', proximity: 'distance', age: 'age', taxonomy_term_id: 'category', page: 'page' };

export const EDIT_FIELDS = [
  'name', 'description', 'status', 'termIds', 'minimumAge', 'maximumAge', 'eligibility', 'fees', 'referralProcedure', 'takesReferrals',
  'url', 'email', 'phone', 'locationName', 'address1', 'city', 'postcode',
];

/** The form's order of parts: single fields, then the repeatable parts (contacts after the service's own details, accessibility after the place). */
const PAGE_ORDER: Array<string | RowPart> = [...EDIT_FIELDS.slice(0, 13), 'contacts', 'schedules', 'costs', 'languages', 'areas', ...EDIT_FIELDS.slice(13), 'accessibility', 'places'];

/** A repeatable row's field on the form: `schedules-1-closesAt` (the service's error keys are `schedules.1.closesAt`). */
export const rowFieldId = (part: string, index: number, f: string) => `${part}-${index}-${f}`;

/** Every field id on the edit form, in page order, for the error summary. */
export function editFieldOrder(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of PAGE_ORDER) {
    if (k in ROW_PARTS) {
      const rows = (values[k] as unknown[] | undefined) ?? [];
      for (let i = 0; i < rows.length; i++) for (const f of ['id', ...ROW_PARTS[k as RowPart].fields]) out.push(rowFieldId(k, i, f));
    } else out.push(k);
  }
  return out;
}

/** The service's error keys as the form's field ids (part.row.field → part-row-field). */
export function editErrorFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    // A problem with one line of a place's accessibility notes is the notes' field.
    const m = /^([a-z]+)\.(\d+)\.([A-Za-z]+)(?:\.\d+)?$/.exec(k);
    out[m && m[1]! in ROW_PARTS ? rowFieldId(m[1]!, Number(m[2]), m[3]!) : k] ??= v;
  }
  return out;
}

const isBlankRow = (row: Record<string, unknown>) => Object.entries(row).every(([k, v]) => k === 'id' || (Array.isArray(v) ? v.length === 0 : String(v ?? '').trim() === ''));

/**
 * The edit form's values. Repeatable parts come as `<part>-count` and `<part>-<i>-<field>`; a part
 * whose count is missing is left out (not changed). `action` is a button that adds or removes a row
 * (`add-schedules`, `remove-schedules-1`) without sending: the page is shown again. Empty rows are
 * dropped when the change is sent.
 */
export function editValuesFrom(body: unknown): { values: Record<string, unknown>; action: { add: RowPart } | { remove: RowPart; index: number } | null } {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of EDIT_FIELDS) out[f] = field(body, f);
  const terms = b.termIds;
  out.termIds = Array.isArray(terms) ? terms : typeof terms === 'string' && terms ? [terms] : [];
  out.takesReferrals = field(body, 'takesReferrals') === 'yes';
  const act = field(body, 'action');
  let action: { add: RowPart } | { remove: RowPart; index: number } | null = null;
  const add = /^add-([a-z]+)$/.exec(act);
  const remove = /^remove-([a-z]+)-(\d+)$/.exec(act);
  if (add && add[1]! in ROW_PARTS) action = { add: add[1] as RowPart };
  if (remove && remove[1]! in ROW_PARTS) action = { remove: remove[1] as RowPart, index: Number(remove[2]) };
  for (const part of ROW_PART_NAMES) {
    const countText = field(body, `${part}-count`);
    if (!/^\d{1,2}$/.test(countText)) continue;
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < Math.min(Number(countText), MAX_ROWS + 1); i++) {
      const row: Record<string, unknown> = { id: field(body, rowFieldId(part, i, 'id')) };
      for (const f of ROW_PARTS[part].fields) {
        const raw = b[rowFieldId(part, i, f)];
        row[f] = f === 'byday' ? (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw ? [raw] : []) : field(body, rowFieldId(part, i, f));
      }
      rows.push(row);
    }
    if (action && 'remove' in action && action.remove === part) rows.splice(action.index, 1);
    if (action && 'add' in action && action.add === part && rows.length < MAX_ROWS) rows.push(blankRow(part));
    out[part] = action ? rows : rows.filter((r) => !isBlankRow(r));
  }
  return { values: out, action };
}

export function blankRow(part: RowPart): Record<string, unknown> {
  return Object.fromEntries([['id', ''], ...ROW_PARTS[part].fields.map((f) => [f, f === 'byday' ? [] : ''])]);
}

export const REFER_FIELDS = ['subjectId', 'reason', 'categories', 'consent', 'givenBy', 'givenByName', 'capacityAssessment', 'method'];

export function referValuesFrom(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of REFER_FIELDS) out[f] = field(body, f);
  const c = (body as Record<string, unknown>)?.categories;
  out.categories = Array.isArray(c) ? c : typeof c === 'string' && c ? [c] : [];
  return out;
}

/** Uploaded CSV files by name (a multiple-file input): name → text. Refuses files that are not text. */
export function csvFilesFrom(uploads: readonly UploadedFile[] | undefined): { files: Map<string, string>; problems: string[] } {
  const files = new Map<string, string>();
  const problems: string[] = [];
  for (const u of uploads ?? []) {
    if (!u.filename) continue;
    if (u.truncated) problems.push(`${u.filename} is too large: upload files of 20 MB or less in all`);
    else if (!/\.csv$/i.test(u.filename)) problems.push(`${u.filename} is not a CSV file: choose files ending .csv`);
    else files.set(u.filename.replace(/^.*[\\/]/, '').toLowerCase(), u.data.toString('utf8'));
  }
  return { files, problems };
}
