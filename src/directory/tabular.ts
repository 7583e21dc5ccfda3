/**
 * The ORUK / HSDS 3.0 tabular form: one CSV file per table (services.csv, organizations.csv,
 * locations.csv, addresses.csv, service_at_locations.csv, taxonomies.csv, taxonomy_terms.csv,
 * attributes.csv, contacts.csv, schedules.csv, cost_options.csv, languages.csv,
 * service_areas.csv, accessibility.csv). Pure: `planImport()` checks every row and returns the
 * records to write and, for each refused row, the file, the row, the column and why; good rows are
 * kept. `exportTables()` writes the same files back.
 */
import { parseCsv } from '../linkage/csv.ts';
import {
  emptyDirectoryData,
  LOCATION_TYPES,
  SERVICE_STATUSES,
  type DirectoryData,
  type DirLocation,
  type DirService,
  type LocationType,
  type ServiceStatus,
} from './model.ts';
import type { RowProblem } from './postcode.ts';

type ColType = 'uuid' | 'text' | 'email' | 'uri' | 'int' | 'number' | 'date' | 'datetime' | 'bool' | 'time' | readonly string[];
type TableName =
  | 'taxonomies'
  | 'taxonomy_terms'
  | 'organizations'
  | 'locations'
  | 'addresses'
  | 'services'
  | 'service_at_locations'
  | 'attributes'
  | 'contacts'
  | 'schedules'
  | 'cost_options'
  | 'languages'
  | 'service_areas'
  | 'accessibility';

interface Column {
  name: string;
  type: ColType;
  required?: boolean;
  /** Must name a record of this table (accepted in this import, or already stored). */
  ref?: TableName;
}

interface Table {
  name: TableName;
  /** File names accepted for it, the first being the one written. */
  files: readonly string[];
  columns: readonly Column[];
}

/** In the order they are read, so that references point backwards. */
export const TABLES: readonly Table[] = [
  {
    name: 'taxonomies',
    files: ['taxonomies.csv', 'taxonomy.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'name', type: 'text', required: true },
      { name: 'description', type: 'text', required: true },
      { name: 'uri', type: 'uri' },
      { name: 'version', type: 'text' },
    ],
  },
  {
    name: 'taxonomy_terms',
    files: ['taxonomy_terms.csv', 'taxonomy_term.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'name', type: 'text', required: true },
      { name: 'description', type: 'text', required: true },
      { name: 'parent_id', type: 'uuid' },
      { name: 'taxonomy', type: 'text' },
      { name: 'taxonomy_id', type: 'uuid', ref: 'taxonomies' },
      { name: 'term_uri', type: 'uri' },
      { name: 'term', type: 'text' },
    ],
  },
  {
    name: 'organizations',
    files: ['organizations.csv', 'organization.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'name', type: 'text', required: true },
      { name: 'description', type: 'text', required: true },
      { name: 'email', type: 'email' },
      { name: 'website', type: 'uri' },
      { name: 'logo', type: 'text' },
      { name: 'uri', type: 'uri' },
    ],
  },
  {
    name: 'locations',
    files: ['locations.csv', 'location.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'location_type', type: LOCATION_TYPES, required: true },
      { name: 'organization_id', type: 'uuid', ref: 'organizations' },
      { name: 'name', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'latitude', type: 'number' },
      { name: 'longitude', type: 'number' },
    ],
  },
  {
    name: 'addresses',
    files: ['addresses.csv', 'address.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'location_id', type: 'uuid', required: true, ref: 'locations' },
      { name: 'address_1', type: 'text', required: true },
      { name: 'address_2', type: 'text' },
      { name: 'city', type: 'text', required: true },
      { name: 'state_province', type: 'text' },
      { name: 'postal_code', type: 'text', required: true },
      { name: 'country', type: 'text', required: true },
      { name: 'address_type', type: LOCATION_TYPES },
    ],
  },
  {
    name: 'services',
    files: ['services.csv', 'service.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'organization_id', type: 'uuid', required: true, ref: 'organizations' },
      { name: 'name', type: 'text', required: true },
      { name: 'description', type: 'text' },
      { name: 'url', type: 'uri' },
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'text' },
      { name: 'status', type: SERVICE_STATUSES, required: true },
      { name: 'fees', type: 'text' },
      { name: 'accreditations', type: 'text' },
      { name: 'minimum_age', type: 'int' },
      { name: 'maximum_age', type: 'int' },
      { name: 'eligibility_description', type: 'text' },
      { name: 'application_process', type: 'text' },
      { name: 'takes_referrals', type: 'bool' },
      { name: 'assured_date', type: 'date' },
      { name: 'assurer_email', type: 'email' },
      { name: 'alert', type: 'text' },
      { name: 'last_modified', type: 'datetime' },
    ],
  },
  {
    name: 'service_at_locations',
    files: ['service_at_locations.csv', 'service_at_location.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'location_id', type: 'uuid', required: true, ref: 'locations' },
    ],
  },
  {
    name: 'attributes',
    files: ['attributes.csv', 'attribute.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'link_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'taxonomy_term_id', type: 'uuid', required: true, ref: 'taxonomy_terms' },
      { name: 'link_type', type: 'text' },
    ],
  },
  {
    name: 'contacts',
    files: ['contacts.csv', 'contact.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'name', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'text' },
    ],
  },
  {
    name: 'schedules',
    files: ['schedules.csv', 'schedule.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'freq', type: ['WEEKLY', 'MONTHLY'] },
      { name: 'byday', type: 'text' },
      { name: 'opens_at', type: 'time' },
      { name: 'closes_at', type: 'time' },
      { name: 'description', type: 'text' },
      { name: 'valid_from', type: 'date' },
      { name: 'valid_to', type: 'date' },
    ],
  },
  {
    name: 'cost_options',
    files: ['cost_options.csv', 'cost_option.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'option', type: 'text' },
      { name: 'amount', type: 'number' },
      { name: 'amount_description', type: 'text' },
    ],
  },
  {
    name: 'languages',
    files: ['languages.csv', 'language.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'name', type: 'text' },
      { name: 'code', type: 'text' },
    ],
  },
  {
    name: 'service_areas',
    files: ['service_areas.csv', 'service_area.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'service_id', type: 'uuid', required: true, ref: 'services' },
      { name: 'name', type: 'text' },
      { name: 'description', type: 'text' },
    ],
  },
  {
    name: 'accessibility',
    files: ['accessibility.csv'],
    columns: [
      { name: 'id', type: 'uuid', required: true },
      { name: 'location_id', type: 'uuid', required: true, ref: 'locations' },
      { name: 'description', type: 'text' },
      { name: 'details', type: 'text' },
      { name: 'url', type: 'uri' },
    ],
  },
];

export const KNOWN_FILES: readonly string[] = TABLES.flatMap((t) => t.files);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

type Value = string | number | boolean | null;

function convert(raw: string, type: ColType): { ok: true; value: Value } | { ok: false; message: string } {
  const v = raw.trim();
  if (v === '') return { ok: true, value: null };
  if (Array.isArray(type)) {
    return type.includes(v) ? { ok: true, value: v } : { ok: false, message: `must be one of: ${type.join(', ')}` };
  }
  switch (type) {
    case 'uuid':
      return UUID_RE.test(v) ? { ok: true, value: v.toLowerCase() } : { ok: false, message: 'must be a UUID, like 3f7b145d-84af-42d7-8fae-eaca714b02b2' };
    case 'email':
      return EMAIL_RE.test(v) && v.length <= 320 ? { ok: true, value: v } : { ok: false, message: 'must be an email address, like name@example.org' };
    case 'uri': {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:' ? { ok: true, value: v } : { ok: false, message: 'must be a web address starting http:// or https://' };
      } catch {
        return { ok: false, message: 'must be a web address starting http:// or https://' };
      }
    }
    case 'int':
      return /^\d{1,3}$/.test(v) ? { ok: true, value: Number(v) } : { ok: false, message: 'must be a whole number from 0 to 999' };
    case 'number':
      return Number.isFinite(Number(v)) ? { ok: true, value: Number(v) } : { ok: false, message: 'must be a number' };
    case 'date':
      return DATE_RE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)
        ? { ok: true, value: v }
        : { ok: false, message: 'must be a date written YYYY-MM-DD' };
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) ? { ok: true, value: new Date(v).toISOString() } : { ok: false, message: 'must be a date and time, like 2025-03-15T10:30:45Z' };
    case 'bool':
      if (/^(true|yes|1)$/i.test(v)) return { ok: true, value: true };
      if (/^(false|no|0)$/i.test(v)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    case 'time':
      return TIME_RE.test(v) ? { ok: true, value: v } : { ok: false, message: 'must be a time, like 09:30 or 09:30:00' };
    default:
      return { ok: true, value: v.slice(0, 4000) };
  }
}

export interface ImportPlan {
  data: DirectoryData;
  problems: RowProblem[];
  /** Per table: rows read, rows accepted. */
  counts: Array<{ table: string; file: string; rows: number; accepted: number }>;
  /** Files given that are not part of the tabular form (not read, said so). */
  ignoredFiles: string[];
}

/**
 * Checks each file's rows. `existing` holds the ids already stored, so a file can refer to records
 * imported before. A row that refers to a refused row is refused too, saying which.
 */
export function planImport(
  files: ReadonlyMap<string, string>,
  existing: Partial<Record<TableName, ReadonlySet<string>>>,
  today: string,
): ImportPlan {
  const data = emptyDirectoryData();
  const problems: RowProblem[] = [];
  const counts: ImportPlan['counts'] = [];
  const accepted = new Map<TableName, Set<string>>();
  const refused = new Map<TableName, Set<string>>();
  const byName = new Map<string, string>();
  for (const [name, text] of files) byName.set(name.replace(/^.*[\\/]/, '').toLowerCase(), text);
  const ignoredFiles = [...byName.keys()].filter((n) => !KNOWN_FILES.includes(n));
  const locationsById = new Map<string, DirLocation>();

  for (const table of TABLES) {
    const file = table.files.find((f) => byName.has(f));
    if (!file) continue;
    const rows = parseCsv(byName.get(file)!.replace(/^\uFEFF/, ''), { trimFields: false });
    const header = (rows[0]?.fields ?? []).map((h) => h.trim().toLowerCase());
    const mine = new Set<string>();
    const bad = new Set<string>();
    accepted.set(table.name, mine);
    refused.set(table.name, bad);
    let read = 0;
    let ok = 0;
    const missingRequired = table.columns.filter((c) => c.required && !header.includes(c.name));
    if (missingRequired.length) {
      problems.push({ file, row: 1, column: missingRequired.map((c) => c.name).join(', '), message: `The header has no ${missingRequired.map((c) => c.name).join(', ')} column, which this file must have: no rows were read` });
      counts.push({ table: table.name, file, rows: Math.max(0, rows.length - 1), accepted: 0 });
      continue;
    }
    for (const r of rows.slice(1)) {
      if (r.fields.every((f) => f.trim() === '')) continue;
      read++;
      const rowProblems: RowProblem[] = [];
      if (r.fields.length !== header.length) {
        rowProblems.push({ file, row: r.row, column: null, message: `The row has ${r.fields.length} fields but the header has ${header.length}` });
      }
      const v: Record<string, Value> = {};
      for (const c of table.columns) {
        const i = header.indexOf(c.name);
        const raw = i >= 0 ? (r.fields[i] ?? '') : '';
        const conv = convert(raw, c.type);
        if (!conv.ok) {
          rowProblems.push({ file, row: r.row, column: c.name, message: `"${raw.trim().slice(0, 40)}" ${conv.message}` });
          continue;
        }
        if (conv.value === null && c.required) {
          rowProblems.push({ file, row: r.row, column: c.name, message: `Enter the ${c.name.replace(/_/g, ' ')}: it is required` });
          continue;
        }
        if (conv.value !== null && c.ref) {
          const id = conv.value as string;
          if (refused.get(c.ref)?.has(id) && !accepted.get(c.ref)?.has(id)) {
            rowProblems.push({ file, row: r.row, column: c.name, message: `It refers to ${id}, whose own row in ${TABLES.find((t) => t.name === c.ref)!.files[0]} was refused` });
          } else if (!accepted.get(c.ref)?.has(id) && !existing[c.ref]?.has(id)) {
            rowProblems.push({ file, row: r.row, column: c.name, message: `It refers to ${id}, which is not in ${TABLES.find((t) => t.name === c.ref)!.files[0]} nor already in the directory` });
          }
        }
        v[c.name] = conv.value;
      }
      const id = (v.id as string | null) ?? '';
      if (id && mine.has(id)) rowProblems.push({ file, row: r.row, column: 'id', message: `The id ${id} is used by an earlier row of this file` });
      // Rules across columns.
      if (table.name === 'services' && typeof v.minimum_age === 'number' && typeof v.maximum_age === 'number' && v.maximum_age < v.minimum_age) {
        rowProblems.push({ file, row: r.row, column: 'maximum_age', message: 'The maximum age is below the minimum age' });
      }
      if (table.name === 'locations') {
        if (typeof v.latitude === 'number' && (v.latitude < -90 || v.latitude > 90)) rowProblems.push({ file, row: r.row, column: 'latitude', message: `${v.latitude} is not a latitude: it must be between -90 and 90` });
        if (typeof v.longitude === 'number' && (v.longitude < -180 || v.longitude > 180)) rowProblems.push({ file, row: r.row, column: 'longitude', message: `${v.longitude} is not a longitude: it must be between -180 and 180` });
        if ((v.latitude === null) !== (v.longitude === null)) rowProblems.push({ file, row: r.row, column: v.latitude === null ? 'latitude' : 'longitude', message: 'Give both the latitude and the longitude, or neither' });
      }
      if (rowProblems.length) {
        problems.push(...rowProblems);
        if (id) bad.add(id);
        continue;
      }
      mine.add(id);
      ok++;
      add(table.name, v, data, locationsById, today);
    }
    counts.push({ table: table.name, file, rows: read, accepted: ok });
  }
  return { data, problems, counts, ignoredFiles };
}

const s = (v: Value | undefined) => (v === null || v === undefined ? null : String(v));
const n = (v: Value | undefined) => (typeof v === 'number' ? v : null);

function add(table: TableName, v: Record<string, Value>, d: DirectoryData, locations: Map<string, DirLocation>, today: string) {
  const id = v.id as string;
  switch (table) {
    case 'taxonomies':
      d.taxonomies.push({ id, name: s(v.name)!, description: s(v.description)!, uri: s(v.uri), version: s(v.version) });
      break;
    case 'taxonomy_terms':
      d.terms.push({ id, taxonomyId: s(v.taxonomy_id), parentId: s(v.parent_id), code: s(v.term), name: s(v.name)!, description: s(v.description)!, termUri: s(v.term_uri) });
      break;
    case 'organizations':
      d.organizations.push({ id, name: s(v.name)!, description: s(v.description)!, email: s(v.email), website: s(v.website), uri: s(v.uri), logo: s(v.logo) });
      break;
    case 'locations': {
      const loc: DirLocation = {
        id,
        organizationId: s(v.organization_id),
        locationType: v.location_type as LocationType,
        name: s(v.name),
        description: s(v.description),
        latitude: n(v.latitude),
        longitude: n(v.longitude),
        addressId: null,
        address1: null,
        address2: null,
        city: null,
        stateProvince: null,
        postalCode: null,
        country: null,
      };
      locations.set(id, loc);
      d.locations.push(loc);
      break;
    }
    case 'addresses': {
      const address = { addressId: id, address1: s(v.address_1), address2: s(v.address_2), city: s(v.city), stateProvince: s(v.state_province), postalCode: s(v.postal_code), country: s(v.country) };
      const loc = locations.get(v.location_id as string);
      if (loc) Object.assign(loc, address);
      else d.addresses.push({ ...address, locationId: v.location_id as string });
      break;
    }
    case 'services': {
      const svc: DirService = {
        id,
        organizationId: v.organization_id as string,
        name: s(v.name)!,
        description: s(v.description),
        url: s(v.url),
        email: s(v.email),
        phone: s(v.phone),
        status: v.status as ServiceStatus,
        fees: s(v.fees),
        accreditations: s(v.accreditations),
        minimumAge: n(v.minimum_age),
        maximumAge: n(v.maximum_age),
        eligibilityDescription: s(v.eligibility_description),
        applicationProcess: s(v.application_process),
        takesReferrals: v.takes_referrals === true,
        alert: s(v.alert),
        assuredDate: s(v.assured_date),
        assurerEmail: s(v.assurer_email),
        lastCheckedOn: s(v.assured_date) ?? today,
        lastModified: v.last_modified ? new Date(v.last_modified as string) : new Date(`${today}T00:00:00Z`),
      };
      d.services.push(svc);
      break;
    }
    case 'service_at_locations':
      d.serviceAtLocations.push({ id, serviceId: v.service_id as string, locationId: v.location_id as string });
      break;
    case 'attributes':
      d.attributes.push({ id, serviceId: v.link_id as string, termId: v.taxonomy_term_id as string });
      break;
    case 'contacts':
      d.contacts.push({ id, serviceId: v.service_id as string, name: s(v.name), title: s(v.title), email: s(v.email), phone: s(v.phone) });
      break;
    case 'schedules':
      d.schedules.push({
        id,
        serviceId: v.service_id as string,
        freq: (s(v.freq) as 'WEEKLY' | 'MONTHLY' | null) ?? null,
        byday: s(v.byday),
        opensAt: s(v.opens_at),
        closesAt: s(v.closes_at),
        description: s(v.description),
        validFrom: s(v.valid_from),
        validTo: s(v.valid_to),
      });
      break;
    case 'cost_options':
      d.costOptions.push({ id, serviceId: v.service_id as string, option: s(v.option), amount: n(v.amount), amountDescription: s(v.amount_description) });
      break;
    case 'languages':
      d.languages.push({ id, serviceId: v.service_id as string, name: s(v.name), code: s(v.code) });
      break;
    case 'service_areas':
      d.serviceAreas.push({ id, serviceId: v.service_id as string, name: s(v.name), description: s(v.description) });
      break;
    case 'accessibility':
      d.accessibility.push({ id, locationId: v.location_id as string, description: s(v.description), details: s(v.details), url: s(v.url) });
      break;
  }
}

// ---------- export ----------

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = v instanceof Date ? v.toISOString() : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';
}

const headerOf = (t: TableName) => TABLES.find((x) => x.name === t)!.columns.map((c) => c.name);

/**
 * The directory as the tabular form's files (name → CSV text). With `contacts: 'public'` the
 * contacts' names, email addresses and telephone numbers (practitioners' personal data) are left
 * empty; the rest of each contact row stays, so the file still says a contact exists.
 */
export function exportTables(d: DirectoryData, options: { contacts: 'public' | 'full' } = { contacts: 'full' }): Map<string, string> {
  const out = new Map<string, string>();
  out.set('taxonomies.csv', csv(headerOf('taxonomies'), d.taxonomies.map((t) => [t.id, t.name, t.description, t.uri, t.version])));
  const taxName = new Map(d.taxonomies.map((t) => [t.id, t.name]));
  out.set(
    'taxonomy_terms.csv',
    csv(headerOf('taxonomy_terms'), d.terms.map((t) => [t.id, t.name, t.description, t.parentId, t.taxonomyId ? taxName.get(t.taxonomyId) : null, t.taxonomyId, t.termUri, t.code])),
  );
  out.set('organizations.csv', csv(headerOf('organizations'), d.organizations.map((o) => [o.id, o.name, o.description, o.email, o.website, o.logo, o.uri])));
  out.set(
    'locations.csv',
    csv(headerOf('locations'), d.locations.map((l) => [l.id, l.locationType, l.organizationId, l.name, l.description, l.latitude, l.longitude])),
  );
  out.set(
    'addresses.csv',
    csv(
      headerOf('addresses'),
      d.locations.filter((l) => l.addressId).map((l) => [l.addressId, l.id, l.address1, l.address2, l.city, l.stateProvince, l.postalCode, l.country, l.locationType]),
    ),
  );
  out.set(
    'services.csv',
    csv(
      headerOf('services'),
      d.services.map((x) => [
        x.id,
        x.organizationId,
        x.name,
        x.description,
        x.url,
        x.email,
        x.phone,
        x.status,
        x.fees,
        x.accreditations,
        x.minimumAge,
        x.maximumAge,
        x.eligibilityDescription,
        x.applicationProcess,
        x.takesReferrals,
        x.lastCheckedOn,
        x.assurerEmail,
        x.alert,
        x.lastModified,
      ]),
    ),
  );
  out.set('service_at_locations.csv', csv(headerOf('service_at_locations'), d.serviceAtLocations.map((x) => [x.id, x.serviceId, x.locationId])));
  out.set('attributes.csv', csv(headerOf('attributes'), d.attributes.map((a) => [a.id, a.serviceId, a.termId, 'service'])));
  const full = options.contacts === 'full';
  out.set('contacts.csv', csv(headerOf('contacts'), d.contacts.map((c) => [c.id, c.serviceId, full ? c.name : null, c.title, full ? c.email : null, full ? c.phone : null])));
  out.set(
    'schedules.csv',
    csv(headerOf('schedules'), d.schedules.map((x) => [x.id, x.serviceId, x.freq, x.byday, x.opensAt, x.closesAt, x.description, x.validFrom, x.validTo])),
  );
  out.set('cost_options.csv', csv(headerOf('cost_options'), d.costOptions.map((x) => [x.id, x.serviceId, x.option, x.amount, x.amountDescription])));
  out.set('languages.csv', csv(headerOf('languages'), d.languages.map((x) => [x.id, x.serviceId, x.name, x.code])));
  out.set('service_areas.csv', csv(headerOf('service_areas'), d.serviceAreas.map((x) => [x.id, x.serviceId, x.name, x.description])));
  out.set('accessibility.csv', csv(headerOf('accessibility'), d.accessibility.map((x) => [x.id, x.locationId, x.description, x.details, x.url])));
  return out;
}
