import type { DatabaseHandle } from '../db/database.ts';
import { newId } from '../ids.ts';
import type {
  DirAccessibility,
  DirContact,
  DirCostOption,
  DirectoryData,
  DirLanguage,
  DirLocation,
  DirOrganization,
  DirSchedule,
  DirService,
  DirServiceArea,
  DirTaxonomy,
  DirTerm,
  LocationType,
  ServiceStatus,
} from '../directory/model.ts';
import { emptyDirectoryData } from '../directory/model.ts';
import type { FullService } from '../directory/oruk.ts';
import type { Centroid } from '../directory/postcode.ts';

export interface StoredService extends DirService {
  ownerOrganisationId: string;
  ownerOrganisationName: string;
  published: boolean;
  publishedAt: Date | null;
  lastRemindedAt: Date | null;
}

export interface ServiceFilter {
  text?: string | undefined;
  termId?: string | undefined;
  taxonomyId?: string | undefined;
  age?: number | undefined;
  organizationId?: string | undefined;
  modifiedAfter?: Date | undefined;
  /** Services with a location within `metres` of the point (all distances when metres is undefined), nearest first. */
  near?: { latitude: number; longitude: number; metres?: number | undefined; box?: { minLat: number; maxLat: number; minLon: number; maxLon: number } } | undefined;
  /** Only published services (the public and /api/oruk); owners and administrators see their drafts. */
  publishedOnly: boolean;
  ownerOrganisationId?: string | undefined;
}

export interface ServiceHit {
  service: StoredService;
  organization: DirOrganization;
  distance: number | undefined;
}

export interface ServiceEdit {
  id: string;
  serviceId: string;
  serviceName: string;
  ownerOrganisationId: string;
  ownerOrganisationName: string;
  proposed: Record<string, unknown>;
  status: 'pending' | 'approved' | 'rejected';
  submittedBy: string;
  submittedByName: string;
  submittedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  servicePublished: boolean;
}

export interface ServiceReferral {
  subjectId: string;
  id: string;
  serviceId: string;
  serviceName: string;
  toOrganisationId: string;
  toOrganisationName: string;
  fromOrganisationId: string;
  fromOrganisationName: string;
  referredBy: string;
  referredByName: string;
  consentId: string;
  reason: string;
  categories: string[];
  status: 'sent' | 'accepted' | 'declined';
  createdAt: Date;
}

/** The repeatable parts of an approved change, each replacing the service's rows when given (undefined: unchanged). */
export interface EditRows {
  contacts?: Array<{ id: string; name: string | null; title: string | null; email: string | null; phone: string | null }> | undefined;
  schedules?: Array<{ id: string; byday: string; opensAt: string; closesAt: string; description: string | null }> | undefined;
  costs?: Array<{ id: string; option: string; amount: number; amountDescription: string | null }> | undefined;
  languages?: Array<{ id: string; name: string; code: string | null }> | undefined;
  areas?: Array<{ id: string; name: string; description: string | null }> | undefined;
  /** At the service's place: the location written by this change, or else `placeId`. */
  accessibility?: Array<{ id: string; description: string; details: string | null }> | undefined;
  placeId: string | null;
  /** The service's places after its first: those given are written (with their accessibility notes); the others in `otherPlaceIds` are no longer linked to it. */
  places?: Array<PlaceWrite & { accessibility: Array<{ id: string; description: string }> }> | undefined;
  otherPlaceIds: string[];
}

type PlaceWrite = { id: string; salId: string; addressId: string; name: string | null; address1: string; city: string; postalCode: string; latitude: number; longitude: number };

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const day = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

const SERVICE_COLS = `s.id, s.organization_id, s.owner_organisation_id, ow.name as owner_name, s.name, s.description, s.url, s.email, s.phone, s.status, s.fees,
  s.accreditations, s.minimum_age, s.maximum_age, s.eligibility_description, s.application_process, s.takes_referrals, s.alert,
  s.assured_date::text as assured_date, s.assurer_email, s.published, s.published_at, s.last_checked_on::text as last_checked_on, s.last_modified, s.last_reminded_at,
  o.name as org_name, o.description as org_description, o.email as org_email, o.website as org_website, o.uri as org_uri, o.logo as org_logo`;

function mapService(r: Row): StoredService {
  return {
    id: String(r.id),
    organizationId: String(r.organization_id),
    ownerOrganisationId: String(r.owner_organisation_id),
    ownerOrganisationName: String(r.owner_name),
    name: String(r.name),
    description: str(r.description),
    url: str(r.url),
    email: str(r.email),
    phone: str(r.phone),
    status: r.status as ServiceStatus,
    fees: str(r.fees),
    accreditations: str(r.accreditations),
    minimumAge: num(r.minimum_age),
    maximumAge: num(r.maximum_age),
    eligibilityDescription: str(r.eligibility_description),
    applicationProcess: str(r.application_process),
    takesReferrals: Boolean(r.takes_referrals),
    alert: str(r.alert),
    assuredDate: day(r.assured_date),
    assurerEmail: str(r.assurer_email),
    published: Boolean(r.published),
    publishedAt: (r.published_at as Date | null) ?? null,
    lastCheckedOn: day(r.last_checked_on)!,
    lastModified: r.last_modified as Date,
    lastRemindedAt: (r.last_reminded_at as Date | null) ?? null,
  };
}

const mapOrg = (r: Row, p = ''): DirOrganization => ({
  id: String(r[`${p}id`] ?? r.organization_id),
  name: String(r[`${p}name`]),
  description: String(r[`${p}description`]),
  email: str(r[`${p}email`]),
  website: str(r[`${p}website`]),
  uri: str(r[`${p}uri`]),
  logo: str(r[`${p}logo`]),
});

const mapLocation = (r: Row): DirLocation => ({
  id: String(r.id),
  organizationId: str(r.organization_id),
  locationType: r.location_type as LocationType,
  name: str(r.name),
  description: str(r.description),
  latitude: num(r.latitude),
  longitude: num(r.longitude),
  addressId: str(r.address_id),
  address1: str(r.address_1),
  address2: str(r.address_2),
  city: str(r.city),
  stateProvince: str(r.state_province),
  postalCode: str(r.postal_code),
  country: str(r.country),
});

const mapTerm = (r: Row): DirTerm => ({
  id: String(r.id),
  taxonomyId: str(r.taxonomy_id),
  parentId: str(r.parent_id),
  code: str(r.code),
  name: String(r.name),
  description: String(r.description),
  termUri: str(r.term_uri),
});

const mapTaxonomy = (r: Row): DirTaxonomy => ({ id: String(r.id), name: String(r.name), description: String(r.description), uri: str(r.uri), version: str(r.version) });

/** Metres between (t.latitude, t.longitude) and a point, in SQL (haversine; the same formula as src/directory/postcode.ts). */
const HAVERSINE = (lat: string, lon: string, t = 'l') =>
  `(12742017.6 * asin(least(1, sqrt(power(sin(radians(${t}.latitude - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(${t}.latitude)) * power(sin(radians(${t}.longitude - ${lon}) / 2), 2)))))`;

/** Copies locations' coordinates onto the services at them (what proximity search reads). */
const SAL_POINT_SQL = `
update directory_service_at_location sal set latitude = l.latitude, longitude = l.longitude
from directory_location l
where l.id = sal.location_id and (sal.location_id = any($1::uuid[]) or sal.id = any($2::uuid[]))
  and (sal.latitude is distinct from l.latitude or sal.longitude is distinct from l.longitude)`;

/** Rebuilds the text search vector of these services: name, description, organisation and taxonomy terms. */
const SEARCH_VECTOR_SQL = `
update directory_service s set search_vector =
  setweight(to_tsvector('english', coalesce(s.name, '')), 'A') ||
  setweight(to_tsvector('english', coalesce(o.name, '') || ' ' || coalesce((
    select string_agg(t.name, ' ') from directory_service_attribute a join directory_taxonomy_term t on t.id = a.taxonomy_term_id where a.service_id = s.id), '')), 'B') ||
  setweight(to_tsvector('english', coalesce(s.description, '') || ' ' || coalesce(s.eligibility_description, '')), 'C')
from directory_organization o
where o.id = s.organization_id and s.id = any($1::uuid[])`;

/** The service directory's tables (Open Referral UK), postcode centroids and service referrals. */
export class DirectoryRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  // ---------- reading ----------

  async taxonomies(): Promise<DirTaxonomy[]> {
    return (await this.#h.query<Row>('select * from directory_taxonomy order by name, id')).map(mapTaxonomy);
  }

  async taxonomy(id: string): Promise<DirTaxonomy | undefined> {
    const [r] = await this.#h.query<Row>('select * from directory_taxonomy where id = $1', [id]);
    return r ? mapTaxonomy(r) : undefined;
  }

  async terms(options: { taxonomyId?: string | undefined; text?: string | undefined } = {}): Promise<DirTerm[]> {
    const rows = await this.#h.query<Row>(
      `select * from directory_taxonomy_term where ($1::uuid is null or taxonomy_id = $1) and ($2::text is null or name ilike '%' || $2 || '%') order by name, id`,
      [options.taxonomyId ?? null, options.text ?? null],
    );
    return rows.map(mapTerm);
  }

  async term(id: string): Promise<DirTerm | undefined> {
    const [r] = await this.#h.query<Row>('select * from directory_taxonomy_term where id = $1', [id]);
    return r ? mapTerm(r) : undefined;
  }

  async centroid(pcds: string): Promise<Centroid | undefined> {
    const [r] = await this.#h.query<Row>('select pcds, latitude, longitude from postcode_centroid where pcds = $1', [pcds], { name: 'directory_centroid' });
    return r ? { pcds: String(r.pcds), latitude: Number(r.latitude), longitude: Number(r.longitude) } : undefined;
  }

  async centroidCount(): Promise<number> {
    const [r] = await this.#h.query<{ n: number }>('select count(*)::int as n from postcode_centroid');
    return Number(r?.n ?? 0);
  }

  /**
   * Services matching the filter, one page, with the total. The matches are found first as ids
   * with their sort key (and counted from the same set); only the page's rows are joined to their
   * organisations. With no filter at all, the count and the page each use the index on published
   * services instead.
   */
  async searchServices(f: ServiceFilter, page: number, size: number): Promise<{ total: number; hits: ServiceHit[] }> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (f.publishedOnly) where.push('s.published');
    if (f.ownerOrganisationId) where.push(`s.owner_organisation_id = ${p(f.ownerOrganisationId)}::uuid`);
    let rank = 'null::real';
    if (f.text) {
      const q = p(f.text);
      where.push(`s.search_vector @@ websearch_to_tsquery('english', ${q})`);
      rank = `ts_rank(s.search_vector, websearch_to_tsquery('english', ${q}))`;
    }
    if (f.termId) where.push(`exists (select 1 from directory_service_attribute a where a.service_id = s.id and a.taxonomy_term_id = ${p(f.termId)}::uuid)`);
    if (f.taxonomyId) {
      where.push(
        `exists (select 1 from directory_service_attribute a join directory_taxonomy_term t on t.id = a.taxonomy_term_id where a.service_id = s.id and t.taxonomy_id = ${p(f.taxonomyId)}::uuid)`,
      );
    }
    if (f.age !== undefined) {
      const a = p(f.age);
      where.push(`(s.minimum_age is null or s.minimum_age <= ${a}::int) and (s.maximum_age is null or s.maximum_age >= ${a}::int)`);
    }
    if (f.organizationId) where.push(`s.organization_id = ${p(f.organizationId)}::uuid`);
    if (f.modifiedAfter) where.push(`s.last_modified >= ${p(f.modifiedAfter)}::timestamptz`);
    const unfiltered = !f.near && where.length <= 1 && (where.length === 0 || where[0] === 's.published');
    const limit = p(size);
    const offset = p((page - 1) * size);
    let sql: string;
    if (unfiltered) {
      // The plain list: the page's ids from the (name, id) index, the count from the same index.
      sql = `with page as (select s.id, null::float8 as distance, null::real as rank from directory_service s ${where.length ? `where ${where[0]}` : ''} order by s.name, s.id limit ${limit}::int offset ${offset}::int)
        select ${SERVICE_COLS}, page.distance, (select count(*) from directory_service s ${where.length ? `where ${where[0]}` : ''}) as total
        from page join directory_service s on s.id = page.id
        join directory_organization o on o.id = s.organization_id
        join organisation ow on ow.id = s.owner_organisation_id
        order by s.name, s.id`;
    } else {
      let near = '';
      let distance = 'null::float8';
      if (f.near) {
        const lat = `${p(f.near.latitude)}::float8`;
        const lon = `${p(f.near.longitude)}::float8`;
        const box = f.near.box
          ? `and sal.latitude between ${p(f.near.box.minLat)}::float8 and ${p(f.near.box.maxLat)}::float8 and sal.longitude between ${p(f.near.box.minLon)}::float8 and ${p(f.near.box.maxLon)}::float8`
          : '';
        near = `near as materialized (
          select sal.service_id, min(${HAVERSINE(lat, lon, 'sal')}) as distance
          from directory_service_at_location sal
          where sal.latitude is not null ${box}
          group by sal.service_id),`;
        if (f.near.metres !== undefined) {
          const m = p(f.near.metres);
          where.push(`near.distance <= ${m}::float8`);
          // The services within the distance as one sorted id list: PostgreSQL then visits them in
          // index order (measured 16 ms against 24 to 28 for a join, on ~1,500 of 50,000 services).
          where.push(`s.id = any(array(select service_id from near where distance <= ${m}::float8))`);
        }
        distance = 'near.distance';
      }
      const order = f.near ? 'distance, name, id' : f.text ? 'rank desc, name, id' : 'name, id';
      if (f.near) rank = 'null::real';
      sql = `with ${near} m as materialized (
          select s.id, s.name, ${distance} as distance, ${rank} as rank
          from directory_service s ${f.near ? 'join near on near.service_id = s.id' : ''}
          ${where.length ? `where ${where.join(' and ')}` : ''}),
        page as (select * from m order by ${order} limit ${limit}::int offset ${offset}::int)
        select ${SERVICE_COLS}, page.distance, (select count(*) from m) as total
        from page join directory_service s on s.id = page.id
        join directory_organization o on o.id = s.organization_id
        join organisation ow on ow.id = s.owner_organisation_id
        order by ${order.split(', ').map((c) => `page.${c.replace(' desc', '')}${c.endsWith(' desc') ? ' desc' : ''}`).join(', ')}`;
    }
    // Not a named (prepared) statement: a generic plan cannot see the page's offset or the box, and
    // picks whole-table plans (measured: 90 ms instead of 28 for a deep page); planning is ~1 ms.
    const rows = await this.#h.query<Row>(sql, params);
    let total = rows.length ? Number(rows[0]!.total) : 0;
    if (!rows.length && page > 1) {
      // Past the last page: the same statement on page 1 gives the count.
      params[params.length - 1] = 0;
      total = Number((await this.#h.query<Row>(sql, params))[0]?.total ?? 0);
    }
    return {
      total,
      hits: rows.map((r) => ({ service: mapService(r), organization: mapOrg(r, 'org_'), distance: r.distance === null || r.distance === undefined ? undefined : Number(r.distance) })),
    };
  }

  async service(id: string): Promise<StoredService | undefined> {
    const [r] = await this.#h.query<Row>(
      `select ${SERVICE_COLS} from directory_service s join directory_organization o on o.id = s.organization_id join organisation ow on ow.id = s.owner_organisation_id where s.id = $1::uuid`,
      [id],
    );
    return r ? mapService(r) : undefined;
  }

  /** A service with all it holds (ORUK full service; the service pages). */
  async serviceFull(id: string): Promise<(FullService & { service: StoredService }) | undefined> {
    const [r] = await this.#h.query<Row>(
      `select ${SERVICE_COLS} from directory_service s join directory_organization o on o.id = s.organization_id join organisation ow on ow.id = s.owner_organisation_id where s.id = $1::uuid`,
      [id],
    );
    if (!r) return undefined;
    const [locations, terms, contacts, schedules, costs, languages, areas] = await Promise.all([
      this.#h.query<Row>(
        `select sal.id as sal_id, l.* from directory_service_at_location sal join directory_location l on l.id = sal.location_id where sal.service_id = $1::uuid order by l.name, l.id`,
        [id],
      ),
      this.#h.query<Row>(
        `select a.id as attribute_id, t.*, x.name as taxonomy_name from directory_service_attribute a join directory_taxonomy_term t on t.id = a.taxonomy_term_id
         left join directory_taxonomy x on x.id = t.taxonomy_id where a.service_id = $1::uuid order by t.name`,
        [id],
      ),
      this.#h.query<Row>('select * from directory_contact where service_id = $1::uuid order by name, id', [id]),
      this.#h.query<Row>('select *, valid_from::text as vf, valid_to::text as vt from directory_schedule where service_id = $1::uuid order by id', [id]),
      this.#h.query<Row>('select * from directory_cost_option where service_id = $1::uuid order by id', [id]),
      this.#h.query<Row>('select * from directory_language where service_id = $1::uuid order by name, id', [id]),
      this.#h.query<Row>('select * from directory_service_area where service_id = $1::uuid order by name, id', [id]),
    ]);
    const locationIds = locations.map((l) => String(l.id));
    const access = locationIds.length
      ? await this.#h.query<Row>('select * from directory_accessibility where location_id = any($1::uuid[]) order by id', [locationIds])
      : [];
    return {
      service: mapService(r),
      organization: mapOrg(r, 'org_'),
      locations: locations.map((l) => ({
        serviceAtLocationId: String(l.sal_id),
        location: mapLocation(l),
        accessibility: access.filter((a) => a.location_id === l.id).map((a): DirAccessibility => ({ id: String(a.id), locationId: String(a.location_id), description: str(a.description), details: str(a.details), url: str(a.url) })),
      })),
      terms: terms.map((t) => ({ attributeId: String(t.attribute_id), term: mapTerm(t), taxonomyName: str(t.taxonomy_name) ?? undefined })),
      contacts: contacts.map((c): DirContact => ({ id: String(c.id), serviceId: id, name: str(c.name), title: str(c.title), email: str(c.email), phone: str(c.phone) })),
      schedules: schedules.map(
        (x): DirSchedule => ({
          id: String(x.id),
          serviceId: id,
          freq: (str(x.freq) as DirSchedule['freq']) ?? null,
          byday: str(x.byday),
          opensAt: str(x.opens_at),
          closesAt: str(x.closes_at),
          description: str(x.description),
          validFrom: str(x.vf),
          validTo: str(x.vt),
        }),
      ),
      costOptions: costs.map((x): DirCostOption => ({ id: String(x.id), serviceId: id, option: str(x.option), amount: num(x.amount), amountDescription: str(x.amount_description) })),
      languages: languages.map((x): DirLanguage => ({ id: String(x.id), serviceId: id, name: str(x.name), code: str(x.code) })),
      serviceAreas: areas.map((x): DirServiceArea => ({ id: String(x.id), serviceId: id, name: str(x.name), description: str(x.description) })),
    };
  }

  /** Services at locations, of published services, one page. */
  async serviceAtLocations(
    f: { text?: string | undefined; termId?: string | undefined; near?: ServiceFilter['near'] },
    page: number,
    size: number,
  ): Promise<{ total: number; rows: Array<{ id: string; service: StoredService; organization: DirOrganization; location: DirLocation; distance: number | undefined }> }> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['s.published'];
    if (f.text) where.push(`s.search_vector @@ websearch_to_tsquery('english', ${p(f.text)})`);
    if (f.termId) where.push(`exists (select 1 from directory_service_attribute a where a.service_id = s.id and a.taxonomy_term_id = ${p(f.termId)}::uuid)`);
    let distance = 'null::float8';
    let order = 'order by s.name, l.name, sal.id';
    if (f.near) {
      distance = HAVERSINE(`${p(f.near.latitude)}::float8`, `${p(f.near.longitude)}::float8`);
      where.push('l.latitude is not null');
      if (f.near.metres !== undefined) where.push(`${distance} <= ${p(f.near.metres)}::float8`);
      order = 'order by distance, s.name, sal.id';
    }
    const rows = await this.#h.query<Row>(
      `select ${SERVICE_COLS}, sal.id as sal_id, ${distance} as distance, count(*) over () as total,
        l.id as l_id, l.organization_id as l_organization_id, l.location_type as l_location_type, l.name as l_name, l.description as l_description,
        l.latitude as l_latitude, l.longitude as l_longitude, l.address_id as l_address_id, l.address_1 as l_address_1, l.address_2 as l_address_2,
        l.city as l_city, l.state_province as l_state_province, l.postal_code as l_postal_code, l.country as l_country
       from directory_service_at_location sal
       join directory_service s on s.id = sal.service_id
       join directory_location l on l.id = sal.location_id
       join directory_organization o on o.id = s.organization_id
       join organisation ow on ow.id = s.owner_organisation_id
       where ${where.join(' and ')} ${order} limit ${p(size)}::int offset ${p((page - 1) * size)}::int`,
      params,
    );
    let total = rows.length ? Number(rows[0]!.total) : 0;
    if (!rows.length && page > 1) {
      total = Number(
        (
          await this.#h.query<{ n: number }>(
            `select count(*)::int as n from directory_service_at_location sal join directory_service s on s.id = sal.service_id join directory_location l on l.id = sal.location_id where ${where.join(' and ')}`,
            params.slice(0, -2),
          )
        )[0]?.n ?? 0,
      );
    }
    return {
      total,
      rows: rows.map((r) => {
        const loc: Row = {};
        for (const [k, v] of Object.entries(r)) if (k.startsWith('l_')) loc[k.slice(2)] = v;
        return { id: String(r.sal_id), service: mapService(r), organization: mapOrg(r, 'org_'), location: mapLocation(loc), distance: r.distance === null ? undefined : Number(r.distance) };
      }),
    };
  }

  async serviceAtLocation(id: string): Promise<{ id: string; service: StoredService; organization: DirOrganization; location: DirLocation } | undefined> {
    const [r] = await this.#h.query<Row>('select service_id, location_id from directory_service_at_location where id = $1::uuid', [id]);
    if (!r) return undefined;
    const full = await this.serviceFull(String(r.service_id));
    const at = full?.locations.find((l) => l.serviceAtLocationId === id);
    if (!full || !at) return undefined;
    return { id, service: full.service, organization: full.organization!, location: at.location };
  }

  // ---------- writing: tabular import, postcode centroids ----------

  /** The ids already stored, for an import's references. */
  async existingIds(): Promise<Record<'taxonomies' | 'taxonomy_terms' | 'organizations' | 'locations' | 'services', Set<string>>> {
    const ids = async (table: string) => new Set((await this.#h.query<{ id: string }>(`select id::text as id from ${table}`)).map((r) => r.id));
    const [taxonomies, terms, organizations, locations, services] = await Promise.all([
      ids('directory_taxonomy'),
      ids('directory_taxonomy_term'),
      ids('directory_organization'),
      ids('directory_location'),
      ids('directory_service'),
    ]);
    return { taxonomies, taxonomy_terms: terms, organizations, locations, services };
  }

  /**
   * Writes an import in one transaction: each record inserted, or updated when its id is already
   * stored. Imported services are published (an administrator imports them) and owned by
   * `ownerOrganisationId` unless they were already owned.
   */
  async importData(d: DirectoryData, ownerOrganisationId: string, now: Date): Promise<void> {
    await this.#h.withConnection(async (c) => {
      await c.query('begin');
      try {
        const up = async (table: string, cols: Array<[string, string]>, rows: unknown[][], conflict: string, update: string[]) => {
          for (let i = 0; i < rows.length; i += 1000) {
            const chunk = rows.slice(i, i + 1000);
            const arrays = cols.map((_, j) => chunk.map((r) => r[j] ?? null));
            const sql = `insert into ${table} (${cols.map((x) => x[0]).join(', ')})
              select * from unnest(${cols.map(([, t], j) => `$${j + 1}::${t}[]`).join(', ')})
              on conflict (${conflict}) ${update.length ? `do update set ${update.map((u) => `${u} = excluded.${u}`).join(', ')}` : 'do nothing'}`;
            await c.query(sql, arrays);
          }
        };
        await up('directory_taxonomy', [['id', 'uuid'], ['name', 'text'], ['description', 'text'], ['uri', 'text'], ['version', 'text']], d.taxonomies.map((t) => [t.id, t.name, t.description, t.uri, t.version]), 'id', ['name', 'description', 'uri', 'version']);
        await up(
          'directory_taxonomy_term',
          [['id', 'uuid'], ['taxonomy_id', 'uuid'], ['parent_id', 'uuid'], ['code', 'text'], ['name', 'text'], ['description', 'text'], ['term_uri', 'text']],
          d.terms.map((t) => [t.id, t.taxonomyId, t.parentId, t.code, t.name, t.description, t.termUri]),
          'id',
          ['taxonomy_id', 'parent_id', 'code', 'name', 'description', 'term_uri'],
        );
        await up(
          'directory_organization',
          [['id', 'uuid'], ['name', 'text'], ['description', 'text'], ['email', 'text'], ['website', 'text'], ['uri', 'text'], ['logo', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
          d.organizations.map((o) => [o.id, o.name, o.description, o.email, o.website, o.uri, o.logo, now, now]),
          'id',
          ['name', 'description', 'email', 'website', 'uri', 'logo', 'updated_at'],
        );
        const locCols: Array<[string, string]> = [
          ['id', 'uuid'], ['organization_id', 'uuid'], ['location_type', 'text'], ['name', 'text'], ['description', 'text'], ['latitude', 'float8'], ['longitude', 'float8'],
          ['address_id', 'uuid'], ['address_1', 'text'], ['address_2', 'text'], ['city', 'text'], ['state_province', 'text'], ['postal_code', 'text'], ['country', 'text'],
          ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
        ];
        await up(
          'directory_location',
          locCols,
          d.locations.map((l) => [l.id, l.organizationId, l.locationType, l.name, l.description, l.latitude, l.longitude, l.addressId, l.address1, l.address2, l.city, l.stateProvince, l.postalCode, l.country, now, now]),
          'id',
          locCols.slice(1, 14).map((x) => x[0]).concat('updated_at'),
        );
        for (const a of d.addresses) {
          await c.query(
            `update directory_location set address_id = $2, address_1 = $3, address_2 = $4, city = $5, state_province = $6, postal_code = $7, country = $8, updated_at = $9 where id = $1::uuid`,
            [a.locationId, a.addressId, a.address1, a.address2, a.city, a.stateProvince, a.postalCode, a.country, now],
          );
        }
        // Services with their search vector written in the same statement (no second write of each
        // row): name; organisation and category names; description and eligibility. The category
        // names are those already stored for the service and those in this import.
        const svcCols: Array<[string, string]> = [
          ['id', 'uuid'], ['organization_id', 'uuid'], ['owner_organisation_id', 'uuid'], ['name', 'text'], ['description', 'text'], ['url', 'text'], ['email', 'text'], ['phone', 'text'],
          ['status', 'text'], ['fees', 'text'], ['accreditations', 'text'], ['minimum_age', 'int'], ['maximum_age', 'int'], ['eligibility_description', 'text'], ['application_process', 'text'],
          ['takes_referrals', 'bool'], ['alert', 'text'], ['assured_date', 'date'], ['assurer_email', 'text'], ['published', 'bool'], ['published_at', 'timestamptz'],
          ['last_checked_on', 'date'], ['last_modified', 'timestamptz'], ['created_at', 'timestamptz'],
        ];
        const termIds = [...new Set(d.attributes.map((a) => a.termId))];
        const termNames = new Map(
          termIds.length ? (await c.query<{ id: string; name: string }>('select id::text as id, name from directory_taxonomy_term where id = any($1::uuid[])', [termIds])).map((t) => [t.id, t.name]) : [],
        );
        const importedTerms = new Map<string, string[]>();
        for (const a of d.attributes) importedTerms.set(a.serviceId, [...(importedTerms.get(a.serviceId) ?? []), termNames.get(a.termId) ?? '']);
        const update = ['organization_id', 'name', 'description', 'url', 'email', 'phone', 'status', 'fees', 'accreditations', 'minimum_age', 'maximum_age', 'eligibility_description',
          'application_process', 'takes_referrals', 'alert', 'assured_date', 'assurer_email', 'published', 'last_checked_on', 'last_modified', 'search_vector'];
        const rows = d.services.map((x) => [
          x.id, x.organizationId, ownerOrganisationId, x.name, x.description, x.url, x.email, x.phone, x.status, x.fees, x.accreditations, x.minimumAge, x.maximumAge,
          x.eligibilityDescription, x.applicationProcess, x.takesReferrals, x.alert, x.assuredDate, x.assurerEmail, true, now, x.lastCheckedOn, x.lastModified, now,
          (importedTerms.get(x.id) ?? []).join(' '),
        ]);
        const cols = [...svcCols, ['import_terms', 'text'] as [string, string]];
        for (let i = 0; i < rows.length; i += 1000) {
          const chunk = rows.slice(i, i + 1000);
          await c.query(
            `insert into directory_service (${svcCols.map((x) => x[0]).join(', ')}, search_vector)
             select ${svcCols.map((x) => `u.${x[0]}`).join(', ')},
               setweight(to_tsvector('english', u.name), 'A') ||
               setweight(to_tsvector('english', coalesce(o.name, '') || ' ' || coalesce((
                 select string_agg(t.name, ' ') from directory_service_attribute a join directory_taxonomy_term t on t.id = a.taxonomy_term_id where a.service_id = u.id), '') || ' ' || u.import_terms), 'B') ||
               setweight(to_tsvector('english', coalesce(u.description, '') || ' ' || coalesce(u.eligibility_description, '')), 'C')
             from unnest(${cols.map(([, t], j) => `$${j + 1}::${t}[]`).join(', ')}) as u(${cols.map((x) => x[0]).join(', ')})
             left join directory_organization o on o.id = u.organization_id
             on conflict (id) do update set ${update.map((u) => `${u} = excluded.${u}`).join(', ')}`,
            cols.map((_, j) => chunk.map((r) => r[j] ?? null)),
          );
        }
        await up('directory_service_at_location', [['id', 'uuid'], ['service_id', 'uuid'], ['location_id', 'uuid']], d.serviceAtLocations.map((x) => [x.id, x.serviceId, x.locationId]), 'id', ['service_id', 'location_id']);
        // A term given twice for one service under two ids keeps the first.
        await up('directory_service_attribute', [['id', 'uuid'], ['service_id', 'uuid'], ['taxonomy_term_id', 'uuid']], d.attributes.map((x) => [x.id, x.serviceId, x.termId]), 'service_id, taxonomy_term_id', []);
        await up('directory_contact', [['id', 'uuid'], ['service_id', 'uuid'], ['name', 'text'], ['title', 'text'], ['email', 'text'], ['phone', 'text']], d.contacts.map((x) => [x.id, x.serviceId, x.name, x.title, x.email, x.phone]), 'id', ['service_id', 'name', 'title', 'email', 'phone']);
        await up(
          'directory_schedule',
          [['id', 'uuid'], ['service_id', 'uuid'], ['freq', 'text'], ['byday', 'text'], ['opens_at', 'text'], ['closes_at', 'text'], ['description', 'text'], ['valid_from', 'date'], ['valid_to', 'date']],
          d.schedules.map((x) => [x.id, x.serviceId, x.freq, x.byday, x.opensAt, x.closesAt, x.description, x.validFrom, x.validTo]),
          'id',
          ['service_id', 'freq', 'byday', 'opens_at', 'closes_at', 'description', 'valid_from', 'valid_to'],
        );
        await up('directory_cost_option', [['id', 'uuid'], ['service_id', 'uuid'], ['option', 'text'], ['amount', 'numeric'], ['amount_description', 'text']], d.costOptions.map((x) => [x.id, x.serviceId, x.option, x.amount, x.amountDescription]), 'id', ['service_id', 'option', 'amount', 'amount_description']);
        await up('directory_language', [['id', 'uuid'], ['service_id', 'uuid'], ['name', 'text'], ['code', 'text']], d.languages.map((x) => [x.id, x.serviceId, x.name, x.code]), 'id', ['service_id', 'name', 'code']);
        await up('directory_service_area', [['id', 'uuid'], ['service_id', 'uuid'], ['name', 'text'], ['description', 'text']], d.serviceAreas.map((x) => [x.id, x.serviceId, x.name, x.description]), 'id', ['service_id', 'name', 'description']);
        await up('directory_accessibility', [['id', 'uuid'], ['location_id', 'uuid'], ['description', 'text'], ['details', 'text'], ['url', 'text']], d.accessibility.map((x) => [x.id, x.locationId, x.description, x.details, x.url]), 'id', ['location_id', 'description', 'details', 'url']);
        await c.query(SAL_POINT_SQL, [[...d.locations.map((l) => l.id)], [...d.serviceAtLocations.map((x) => x.id)]]);
        // Search vectors of services not in this import whose categories or organisation's name it changed.
        const written = new Set(d.services.map((x) => x.id));
        const touched = new Set(d.attributes.map((a) => a.serviceId).filter((id) => !written.has(id)));
        if (d.organizations.length) {
          const byOrg = await c.query<{ id: string }>('select id::text as id from directory_service where organization_id = any($1::uuid[])', [d.organizations.map((o) => o.id)]);
          for (const r of byOrg) if (!written.has(r.id)) touched.add(r.id);
        }
        const again = [...touched];
        for (let i = 0; i < again.length; i += 5000) await c.query(SEARCH_VECTOR_SQL, [again.slice(i, i + 5000)]);
        await c.query('commit');
      } catch (err) {
        await c.query('rollback');
        throw err;
      }
    });
  }

  /** Replaces or adds centroids (by postcode) in one transaction. */
  async importCentroids(centroids: readonly Centroid[], now: Date): Promise<void> {
    await this.#h.withConnection(async (c) => {
      await c.query('begin');
      try {
        for (let i = 0; i < centroids.length; i += 5000) {
          const chunk = centroids.slice(i, i + 5000);
          await c.query(
            `insert into postcode_centroid (pcds, latitude, longitude, imported_at) select *, $4::timestamptz from unnest($1::text[], $2::float8[], $3::float8[])
             on conflict (pcds) do update set latitude = excluded.latitude, longitude = excluded.longitude, imported_at = excluded.imported_at`,
            [chunk.map((x) => x.pcds), chunk.map((x) => x.latitude), chunk.map((x) => x.longitude), now],
          );
        }
        await c.query('commit');
      } catch (err) {
        await c.query('rollback');
        throw err;
      }
    });
  }

  /** Every published service and what it refers to, for the tabular export. */
  async exportData(): Promise<DirectoryData> {
    const d = emptyDirectoryData();
    const q = (sql: string) => this.#h.query<Row>(sql);
    const svc = `service_id in (select id from directory_service where published)`;
    const services = await q(
      `select ${SERVICE_COLS} from directory_service s join directory_organization o on o.id = s.organization_id join organisation ow on ow.id = s.owner_organisation_id where s.published order by s.id`,
    );
    d.services = services.map(mapService).map(({ ownerOrganisationId: _o, ownerOrganisationName: _n, published: _p, publishedAt: _a, lastRemindedAt: _r, ...rest }) => rest);
    d.organizations = (await q(`select * from directory_organization where id in (select organization_id from directory_service where published) order by id`)).map((r) => mapOrg(r));
    d.serviceAtLocations = (await q(`select * from directory_service_at_location where ${svc} order by id`)).map((r) => ({ id: String(r.id), serviceId: String(r.service_id), locationId: String(r.location_id) }));
    d.locations = (await q(`select * from directory_location where id in (select location_id from directory_service_at_location where ${svc}) order by id`)).map(mapLocation);
    d.taxonomies = (await q('select * from directory_taxonomy order by id')).map(mapTaxonomy);
    d.terms = (await q('select * from directory_taxonomy_term order by id')).map(mapTerm);
    d.attributes = (await q(`select * from directory_service_attribute where ${svc} order by id`)).map((r) => ({ id: String(r.id), serviceId: String(r.service_id), termId: String(r.taxonomy_term_id) }));
    d.contacts = (await q(`select * from directory_contact where ${svc} order by id`)).map((c) => ({ id: String(c.id), serviceId: String(c.service_id), name: str(c.name), title: str(c.title), email: str(c.email), phone: str(c.phone) }));
    d.schedules = (await q(`select *, valid_from::text as vf, valid_to::text as vt from directory_schedule where ${svc} order by id`)).map((x) => ({
      id: String(x.id), serviceId: String(x.service_id), freq: (str(x.freq) as DirSchedule['freq']) ?? null, byday: str(x.byday), opensAt: str(x.opens_at), closesAt: str(x.closes_at), description: str(x.description), validFrom: str(x.vf), validTo: str(x.vt),
    }));
    d.costOptions = (await q(`select * from directory_cost_option where ${svc} order by id`)).map((x) => ({ id: String(x.id), serviceId: String(x.service_id), option: str(x.option), amount: num(x.amount), amountDescription: str(x.amount_description) }));
    d.languages = (await q(`select * from directory_language where ${svc} order by id`)).map((x) => ({ id: String(x.id), serviceId: String(x.service_id), name: str(x.name), code: str(x.code) }));
    d.serviceAreas = (await q(`select * from directory_service_area where ${svc} order by id`)).map((x) => ({ id: String(x.id), serviceId: String(x.service_id), name: str(x.name), description: str(x.description) }));
    d.accessibility = (await q(`select * from directory_accessibility where location_id in (select location_id from directory_service_at_location where ${svc}) order by id`)).map((x) => ({
      id: String(x.id), locationId: String(x.location_id), description: str(x.description), details: str(x.details), url: str(x.url),
    }));
    return d;
  }

  // ---------- owners' edits and their approval ----------

  /** The directory organisation standing for a partnership organisation (made on first use). */
  async organizationFor(owner: { id: string; name: string }, now: Date, newId: string): Promise<string> {
    const [r] = await this.#h.query<{ id: string }>('select id from directory_organization where owner_organisation_id = $1::uuid order by created_at limit 1', [owner.id]);
    if (r) return r.id;
    await this.#h.query(
      `insert into directory_organization (id, name, description, owner_organisation_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)`,
      [newId, owner.name, `${owner.name}, part of the Northbridge partnership`, owner.id, now],
    );
    return newId;
  }

  /** A new service, unpublished, with its first edit waiting for approval. */
  async insertDraftService(
    s: { id: string; organizationId: string; ownerOrganisationId: string; name: string; status: ServiceStatus; lastCheckedOn: string },
    edit: { id: string; proposed: unknown; submittedBy: string },
    now: Date,
  ): Promise<void> {
    await this.#h.withConnection(async (c) => {
      await c.query('begin');
      try {
        await c.query(
          `insert into directory_service (id, organization_id, owner_organisation_id, name, status, published, last_checked_on, last_modified, created_at, search_vector)
           values ($1, $2, $3, $4, $5, false, $6, $7, $7, ''::tsvector)`,
          [s.id, s.organizationId, s.ownerOrganisationId, s.name, s.status, s.lastCheckedOn, now],
        );
        await c.query(`insert into directory_service_edit (id, service_id, proposed, status, submitted_by, submitted_at) values ($1, $2, $3::jsonb, 'pending', $4, $5)`, [
          edit.id,
          s.id,
          JSON.stringify(edit.proposed),
          edit.submittedBy,
          now,
        ]);
        await c.query('commit');
      } catch (err) {
        await c.query('rollback');
        throw err;
      }
    });
  }

  /** Proposes an edit; false when one is already waiting for this service. */
  async insertEdit(edit: { id: string; serviceId: string; proposed: unknown; submittedBy: string }, now: Date): Promise<boolean> {
    const rows = await this.#h.query<{ id: string }>(
      `insert into directory_service_edit (id, service_id, proposed, status, submitted_by, submitted_at) values ($1, $2, $3::jsonb, 'pending', $4, $5)
       on conflict (service_id) where status = 'pending' do nothing returning id`,
      [edit.id, edit.serviceId, JSON.stringify(edit.proposed), edit.submittedBy, now],
    );
    return rows.length === 1;
  }

  async edits(options: { status?: 'pending' | 'approved' | 'rejected'; serviceId?: string; ownerOrganisationId?: string } = {}): Promise<ServiceEdit[]> {
    const rows = await this.#h.query<Row>(
      `select e.*, s.name as service_name, s.owner_organisation_id, ow.name as owner_name, u.display_name as submitted_by_name, s.published as service_published
       from directory_service_edit e join directory_service s on s.id = e.service_id join organisation ow on ow.id = s.owner_organisation_id
       join app_user u on u.id = e.submitted_by
       where ($1::text is null or e.status = $1) and ($2::uuid is null or e.service_id = $2) and ($3::uuid is null or s.owner_organisation_id = $3)
       order by e.submitted_at desc limit 500`,
      [options.status ?? null, options.serviceId ?? null, options.ownerOrganisationId ?? null],
    );
    return rows.map((r) => ({
      id: String(r.id),
      serviceId: String(r.service_id),
      serviceName: String(r.service_name),
      ownerOrganisationId: String(r.owner_organisation_id),
      ownerOrganisationName: String(r.owner_name),
      proposed: (typeof r.proposed === 'string' ? JSON.parse(r.proposed) : r.proposed) as Record<string, unknown>,
      status: r.status as ServiceEdit['status'],
      submittedBy: String(r.submitted_by),
      submittedByName: String(r.submitted_by_name),
      submittedAt: r.submitted_at as Date,
      decidedBy: str(r.decided_by),
      decidedAt: (r.decided_at as Date | null) ?? null,
      decisionNote: str(r.decision_note),
      servicePublished: Boolean(r.service_published),
    }));
  }

  async edit(id: string): Promise<ServiceEdit | undefined> {
    const all = await this.#h.query<{ service_id: string }>('select service_id from directory_service_edit where id = $1::uuid', [id]);
    if (!all[0]) return undefined;
    return (await this.edits({ serviceId: all[0].service_id })).find((e) => e.id === id);
  }

  /**
   * Applies an approved edit to the live service and publishes it, in one transaction, only if the
   * edit is still pending (two administrators cannot both apply it). The caller has checked the input.
   */
  async applyEdit(
    editId: string,
    v: {
      serviceId: string;
      fields: Omit<DirService, 'id' | 'organizationId' | 'lastModified' | 'assuredDate' | 'assurerEmail' | 'accreditations' | 'alert'>;
      termIds: string[];
      rows: EditRows;
      location: PlaceWrite | null;
    },
    decidedBy: string,
    note: string | null,
    now: Date,
  ): Promise<boolean> {
    return this.#h.withConnection(async (c) => {
      await c.query('begin');
      try {
        const claimed = await c.query<{ id: string }>(
          `update directory_service_edit set status = 'approved', decided_by = $2, decided_at = $3, decision_note = $4 where id = $1::uuid and status = 'pending' returning id`,
          [editId, decidedBy, now, note],
        );
        if (claimed.length !== 1) {
          await c.query('rollback');
          return false;
        }
        const f = v.fields;
        await c.query(
          `update directory_service set name = $2, description = $3, url = $4, email = $5, phone = $6, status = $7, fees = $8, minimum_age = $9, maximum_age = $10,
             eligibility_description = $11, application_process = $12, takes_referrals = $13, last_checked_on = $14, last_modified = $15,
             published = true, published_at = coalesce(published_at, $15), last_reminded_at = null
           where id = $1::uuid`,
          [v.serviceId, f.name, f.description, f.url, f.email, f.phone, f.status, f.fees, f.minimumAge, f.maximumAge, f.eligibilityDescription, f.applicationProcess, f.takesReferrals, f.lastCheckedOn, now],
        );
        await c.query('delete from directory_service_attribute where service_id = $1::uuid and not (taxonomy_term_id = any($2::uuid[]))', [v.serviceId, v.termIds]);
        for (const t of v.termIds) {
          await c.query('insert into directory_service_attribute (id, service_id, taxonomy_term_id) values ($1, $2, $3) on conflict (service_id, taxonomy_term_id) do nothing', [
            newId(),
            v.serviceId,
            t,
          ]);
        }
        const [org] = await c.query<{ organization_id: string }>('select organization_id from directory_service where id = $1::uuid', [v.serviceId]);
        const writePlace = async (l: PlaceWrite) => {
          await c.query(
            `insert into directory_location (id, organization_id, location_type, name, latitude, longitude, address_id, address_1, city, postal_code, country, created_at, updated_at)
             values ($1, $2, 'physical', $3, $4, $5, $6, $7, $8, $9, 'GB', $10, $10)
             on conflict (id) do update set name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude, address_1 = excluded.address_1,
               city = excluded.city, postal_code = excluded.postal_code, address_id = coalesce(directory_location.address_id, excluded.address_id), updated_at = excluded.updated_at`,
            [l.id, org?.organization_id ?? null, l.name, l.latitude, l.longitude, l.addressId, l.address1, l.city, l.postalCode, now],
          );
          await c.query('insert into directory_service_at_location (id, service_id, location_id) values ($1, $2, $3) on conflict (service_id, location_id) do nothing', [l.salId, v.serviceId, l.id]);
          await c.query(SAL_POINT_SQL, [[l.id], [l.salId]]);
        };
        if (v.location) await writePlace(v.location);
        // Each repeatable part given replaces the service's rows: rows left out are deleted, the rest written.
        const replace = async (table: string, owner: string, ownerId: string, cols: Array<[string, string]>, rows: unknown[][]) => {
          await c.query(`delete from ${table} where ${owner} = $1::uuid and not (id = any($2::uuid[]))`, [ownerId, rows.map((r) => r[0])]);
          if (!rows.length) return;
          await c.query(
            `insert into ${table} (id, ${owner}, ${cols.map((x) => x[0]).join(', ')})
             select u.id, $1::uuid, ${cols.map((x) => `u.${x[0]}`).join(', ')} from unnest($2::uuid[], ${cols.map(([, t], j) => `$${j + 3}::${t}[]`).join(', ')}) as u(id, ${cols.map((x) => x[0]).join(', ')})
             on conflict (id) do update set ${cols.map((x) => `${x[0]} = excluded.${x[0]}`).join(', ')}`,
            [ownerId, rows.map((r) => r[0]), ...cols.map((_, j) => rows.map((r) => r[j + 1] ?? null))],
          );
        };
        const r = v.rows;
        if (r.contacts) await replace('directory_contact', 'service_id', v.serviceId, [['name', 'text'], ['title', 'text'], ['email', 'text'], ['phone', 'text']], r.contacts.map((x) => [x.id, x.name, x.title, x.email, x.phone]));
        if (r.schedules) {
          await replace(
            'directory_schedule',
            'service_id',
            v.serviceId,
            [['freq', 'text'], ['byday', 'text'], ['opens_at', 'text'], ['closes_at', 'text'], ['description', 'text']],
            r.schedules.map((x) => [x.id, 'WEEKLY', x.byday, x.opensAt, x.closesAt, x.description]),
          );
        }
        if (r.costs) await replace('directory_cost_option', 'service_id', v.serviceId, [['option', 'text'], ['amount', 'numeric'], ['amount_description', 'text']], r.costs.map((x) => [x.id, x.option, x.amount, x.amountDescription]));
        if (r.languages) await replace('directory_language', 'service_id', v.serviceId, [['name', 'text'], ['code', 'text']], r.languages.map((x) => [x.id, x.name, x.code]));
        if (r.areas) await replace('directory_service_area', 'service_id', v.serviceId, [['name', 'text'], ['description', 'text']], r.areas.map((x) => [x.id, x.name, x.description]));
        if (r.places) {
          const kept = r.places.map((x) => x.id);
          // A place taken off this service stays stored (another service may be there); only the link goes.
          const gone = r.otherPlaceIds.filter((id) => !kept.includes(id) && id !== v.location?.id);
          if (gone.length) await c.query('delete from directory_service_at_location where service_id = $1::uuid and location_id = any($2::uuid[])', [v.serviceId, gone]);
          for (const p of r.places) {
            await writePlace(p);
            await replace('directory_accessibility', 'location_id', p.id, [['description', 'text']], p.accessibility.map((x) => [x.id, x.description]));
          }
        }
        const placeId = v.location?.id ?? r.placeId;
        if (r.accessibility && placeId) {
          await replace('directory_accessibility', 'location_id', placeId, [['description', 'text'], ['details', 'text']], r.accessibility.map((x) => [x.id, x.description, x.details]));
        }
        await c.query(SEARCH_VECTOR_SQL, [[v.serviceId]]);
        await c.query('commit');
        return true;
      } catch (err) {
        await c.query('rollback');
        throw err;
      }
    });
  }

  async rejectEdit(editId: string, decidedBy: string, note: string, now: Date): Promise<boolean> {
    const rows = await this.#h.query<{ id: string }>(
      `update directory_service_edit set status = 'rejected', decided_by = $2, decided_at = $3, decision_note = $4 where id = $1::uuid and status = 'pending' returning id`,
      [editId, decidedBy, now, note],
    );
    return rows.length === 1;
  }

  /** Records that the owner checked the details are still right (no other change). */
  async markChecked(serviceId: string, on: string, now: Date): Promise<void> {
    await this.#h.query('update directory_service set last_checked_on = $2, last_reminded_at = null, last_modified = $3 where id = $1::uuid', [serviceId, on, now]);
  }

  // ---------- staleness ----------

  /** Published services last checked on or before `checkedOnOrBefore`, oldest first. */
  async staleServices(checkedOnOrBefore: string): Promise<StoredService[]> {
    const rows = await this.#h.query<Row>(
      `select ${SERVICE_COLS} from directory_service s join directory_organization o on o.id = s.organization_id join organisation ow on ow.id = s.owner_organisation_id
       where s.published and s.last_checked_on <= $1::date order by s.last_checked_on, s.name`,
      [checkedOnOrBefore],
    );
    return rows.map(mapService);
  }

  /** Staff of an organisation who keep its services up to date: team managers and practitioners, active. */
  async ownerStaff(organisationId: string): Promise<string[]> {
    const rows = await this.#h.query<{ id: string }>(
      `select distinct u.id from app_user u join user_role r on r.user_id = u.id where u.organisation_id = $1::uuid and u.status = 'active' and r.role_code in ('team_manager', 'practitioner') order by u.id`,
      [organisationId],
    );
    return rows.map((r) => r.id);
  }

  /** Sets last_reminded_at and writes the notifications, only if not reminded since `remindedBefore`. */
  async claimReminder(
    serviceId: string,
    remindedBefore: Date,
    at: Date,
    notifications: Array<{ id: string; recipientUserId: string; message: string; link: string }>,
  ): Promise<boolean> {
    return this.#h.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('directory_service')
        .set({ last_reminded_at: at })
        .where('id', '=', serviceId)
        .where((eb) => eb.or([eb('last_reminded_at', 'is', null), eb('last_reminded_at', '<', remindedBefore)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: 'directory-stale', subject_id: null, message: n.message, link: n.link, created_at: at, read_at: null })))
          .execute();
      }
      return true;
    });
  }

  // ---------- referrals ----------

  /** The people a practitioner or their teams work with now (ids only: names are read after the policy decides). */
  async caseload(userId: string, teamIds: readonly string[], limit = 100): Promise<string[]> {
    const rows = await this.#h.query<{ subject_id: string }>(
      `select distinct i.subject_id from involvement i where i.end_date is null and (i.practitioner_id = $1::uuid or i.team_id = any($2::uuid[])) order by i.subject_id limit $3::int`,
      [userId, [...teamIds], limit],
    );
    return rows.map((r) => r.subject_id);
  }

  /** Current names and dates of birth of these people (the caller has the policy's decision for each). */
  async namesOf(subjectIds: readonly string[]): Promise<Map<string, { name: string; dateOfBirth: string | null }>> {
    if (!subjectIds.length) return new Map();
    const rows = await this.#h.query<Row>(
      `select p.subject_id, p.date_of_birth::text as dob, n.given_names, n.family_name from person p
       left join lateral (select given_names, family_name from person_name x where x.subject_id = p.subject_id order by (x.kind = 'current') desc, x.created_at limit 1) n on true
       where p.subject_id = any($1::uuid[])`,
      [[...subjectIds]],
    );
    return new Map(rows.map((r) => [String(r.subject_id), { name: r.given_names ? `${String(r.given_names)} ${String(r.family_name)}` : 'Name not recorded', dateOfBirth: str(r.dob) }]));
  }

  async insertReferral(
    r: Omit<ServiceReferral, 'serviceName' | 'toOrganisationName' | 'fromOrganisationName' | 'referredByName' | 'status'>,
    notifications: Array<{ id: string; recipientUserId: string; message: string; link: string }>,
  ): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('service_referral')
        .values({
          subject_id: r.subjectId,
          id: r.id,
          service_id: r.serviceId,
          to_organisation_id: r.toOrganisationId,
          from_organisation_id: r.fromOrganisationId,
          referred_by: r.referredBy,
          consent_id: r.consentId,
          reason: r.reason,
          categories: r.categories,
          status: 'sent',
          created_at: r.createdAt,
        })
        .execute();
      if (notifications.length) {
        await trx
          .insertInto('notification')
          .values(notifications.map((n) => ({ id: n.id, recipient_user_id: n.recipientUserId, kind: 'service-referral', subject_id: r.subjectId, message: n.message, link: n.link, created_at: r.createdAt, read_at: null })))
          .execute();
      }
    });
  }

  async referrals(f: { toOrganisationId?: string; fromOrganisationId?: string; subjectId?: string; id?: string }): Promise<ServiceReferral[]> {
    const rows = await this.#h.query<Row>(
      `select r.*, s.name as service_name, t.name as to_name, fo.name as from_name, u.display_name as by_name
       from service_referral r join directory_service s on s.id = r.service_id join organisation t on t.id = r.to_organisation_id
       join organisation fo on fo.id = r.from_organisation_id join app_user u on u.id = r.referred_by
       where ($1::uuid is null or r.to_organisation_id = $1) and ($2::uuid is null or r.from_organisation_id = $2)
         and ($3::uuid is null or r.subject_id = $3) and ($4::uuid is null or r.id = $4)
       order by r.created_at desc limit 200`,
      [f.toOrganisationId ?? null, f.fromOrganisationId ?? null, f.subjectId ?? null, f.id ?? null],
    );
    return rows.map((r) => ({
      subjectId: String(r.subject_id),
      id: String(r.id),
      serviceId: String(r.service_id),
      serviceName: String(r.service_name),
      toOrganisationId: String(r.to_organisation_id),
      toOrganisationName: String(r.to_name),
      fromOrganisationId: String(r.from_organisation_id),
      fromOrganisationName: String(r.from_name),
      referredBy: String(r.referred_by),
      referredByName: String(r.by_name),
      consentId: String(r.consent_id),
      reason: String(r.reason),
      categories: (r.categories as string[]) ?? [],
      status: r.status as ServiceReferral['status'],
      createdAt: r.created_at as Date,
    }));
  }
}
