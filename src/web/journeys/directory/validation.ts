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
  'url', 'email', 'phone', 'contactName', 'contactEmail', 'contactPhone', 'locationName', 'address1', 'city', 'postcode',
];

export function editValuesFrom(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of EDIT_FIELDS) out[f] = field(body, f);
  const terms = (body as Record<string, unknown>)?.termIds;
  out.termIds = Array.isArray(terms) ? terms : typeof terms === 'string' && terms ? [terms] : [];
  out.takesReferrals = field(body, 'takesReferrals') === 'yes';
  return out;
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
