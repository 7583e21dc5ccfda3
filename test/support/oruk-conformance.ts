/**
 * A small Open Referral UK 3.0 conformance checker for the tests: each endpoint's response is
 * validated against the schema the official validator uses for it (../shared/fixtures/oruk, see its
 * README), with JSON Schema 2020-12 and formats (uuid, email, uri, date-time), and each page's
 * envelope is checked for consistency (the schemas do not enforce it). Problems in the core
 * endpoints (/, /services, /services/{id}) fail a feed; problems only in the optional ones warn.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const ORUK_FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/oruk');
export const orukFixturesPresent = fs.existsSync(path.join(ORUK_FIXTURES, 'validator/schemas-v3.0-uk'));

export type Endpoint =
  | 'api_details'
  | 'service_list'
  | 'service_full'
  | 'service_at_location_list'
  | 'service_at_location_full'
  | 'taxonomy_list'
  | 'taxonomy'
  | 'taxonomy_term_list'
  | 'taxonomy_term';

const SCHEMA_FILES: Record<Endpoint, string> = {
  api_details: 'validator/schemas-v3.0-uk/api_details.json',
  service_list: 'validator/schemas-v3.0-uk/service_list.json',
  service_full: 'uk-profile-3.0/schema/compiled/service.json',
  service_at_location_list: 'validator/schemas-v3.0-uk/service_at_location_list.json',
  service_at_location_full: 'uk-profile-3.0/schema/compiled/service_at_location.json',
  taxonomy_list: 'validator/schemas-v3.0-uk/taxonomy_list.json',
  taxonomy: 'validator/schemas-v3.0-uk/taxonomy.json',
  taxonomy_term_list: 'validator/schemas-v3.0-uk/taxonomy_term_list.json',
  taxonomy_term: 'uk-profile-3.0/schema/taxonomy_term.json',
};

export const CORE: readonly Endpoint[] = ['api_details', 'service_list', 'service_full'];
const PAGED: readonly Endpoint[] = ['service_list', 'service_at_location_list', 'taxonomy_list', 'taxonomy_term_list'];

export interface Problem {
  endpoint: Endpoint;
  message: string;
}

export class OrukChecker {
  readonly #validators = new Map<Endpoint, ValidateFunction>();
  constructor() {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    for (const [endpoint, file] of Object.entries(SCHEMA_FILES) as Array<[Endpoint, string]>) {
      const schema = JSON.parse(fs.readFileSync(path.join(ORUK_FIXTURES, file), 'utf8')) as Record<string, unknown>;
      delete schema.$id;
      this.#validators.set(endpoint, ajv.compile(schema));
    }
  }

  /** The problems of one response. */
  check(endpoint: Endpoint, body: unknown): Problem[] {
    const v = this.#validators.get(endpoint)!;
    const problems: Problem[] = [];
    if (!v(body)) for (const e of v.errors ?? []) problems.push({ endpoint, message: `${e.instancePath || '/'} ${e.message ?? ''}` });
    if (PAGED.includes(endpoint)) problems.push(...pageProblems(endpoint, body as Record<string, unknown>));
    return problems;
  }

  /** pass, warn (problems only in optional endpoints) or fail (a core endpoint has a problem). */
  checkFeed(responses: Partial<Record<Endpoint, unknown>>): { result: 'pass' | 'warn' | 'fail'; problems: Problem[] } {
    const problems = Object.entries(responses).flatMap(([e, body]) => this.check(e as Endpoint, body));
    const result = problems.some((p) => CORE.includes(p.endpoint)) ? 'fail' : problems.length ? 'warn' : 'pass';
    return { result, problems };
  }
}

/** The page envelope agrees with itself: pages from the count and size, first/last/empty from the page and contents. */
export function pageProblems(endpoint: Endpoint, p: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  const say = (message: string) => out.push({ endpoint, message });
  for (const k of ['total_items', 'total_pages', 'page_number', 'size']) if (!Number.isInteger(p[k])) say(`page: ${k} must be an integer`);
  for (const k of ['first_page', 'last_page', 'empty']) if (typeof p[k] !== 'boolean') say(`page: ${k} must be true or false`);
  if (!Array.isArray(p.contents)) say('page: contents must be an array');
  if (out.length) return out;
  const total = p.total_items as number;
  const pages = p.total_pages as number;
  const page = p.page_number as number;
  const size = p.size as number;
  const contents = p.contents as unknown[];
  const expectedPages = Math.max(1, Math.ceil(total / Math.max(1, size)));
  if (pages !== expectedPages) say(`page: total_pages is ${pages} but ${total} items at ${size} a page make ${expectedPages}`);
  if (p.first_page !== (page === 1)) say(`page: first_page is ${String(p.first_page)} on page ${page}`);
  if (p.last_page !== (page >= pages)) say(`page: last_page is ${String(p.last_page)} on page ${page} of ${pages}`);
  if (p.empty !== (contents.length === 0)) say(`page: empty is ${String(p.empty)} with ${contents.length} items`);
  if (contents.length > size) say(`page: ${contents.length} items on a page of size ${size}`);
  if (page < pages && contents.length !== size) say(`page: page ${page} of ${pages} has ${contents.length} items, not ${size}`);
  if (page === pages && total !== (page - 1) * size + contents.length) say(`page: the last page ends at item ${(page - 1) * size + contents.length}, but total_items is ${total}`);
  return out;
}

/** A sample feed of the validator's mocks, by endpoint. */
export function mockFeed(kind: 'pass' | 'fail' | 'warn'): Partial<Record<Endpoint, unknown>> {
  const dir = path.join(ORUK_FIXTURES, `validator/mocks-v3.0-uk-${kind}`);
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown;
  return {
    api_details: read('api_details.json'),
    service_list: read('service_list.json'),
    service_full: read('service_full.json'),
    service_at_location_list: read('service_at_location_list.json'),
    service_at_location_full: read('service_at_location_full.json'),
    taxonomy_list: read('taxonomy_list.json'),
    taxonomy: read('taxonomy.json'),
    taxonomy_term_list: read('taxonomy_term_list.json'),
    taxonomy_term: read('taxonomy_term.json'),
  };
}
