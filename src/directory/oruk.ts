/**
 * Open Referral UK 3.0 shapes (the UK profile of HSDS 3.0), from the directory's records. Pure.
 * Absent values are left out rather than sent as null: the profile's schemas type fields as
 * strings or numbers, not as nullable. Eligibility in words and the referral procedure are sent
 * as HSDS 3.0's `eligibility_description` and `application_process` (fields the UK profile does not
 * list; validators report them as additional information, not as errors).
 */
import type {
  DirAccessibility,
  DirContact,
  DirCostOption,
  DirLanguage,
  DirLocation,
  DirOrganization,
  DirSchedule,
  DirService,
  DirServiceArea,
  DirTaxonomy,
  DirTerm,
} from './model.ts';

export const ORUK_VERSION = 'HSDS-UK-3.0';
export const ORUK_PROFILE = 'https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md';
export const ORUK_OPENAPI_URL = 'https://docs.openreferraluk.org/en/latest/openapi30.json';

type Json = Record<string, unknown>;

/** Drops null and undefined members (the schemas do not allow null). */
export function compact<T extends Json>(o: T): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

export interface Page<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
}

/** The page envelope: `size` is the page size asked for; pages are numbered from 1. */
export function page<T>(contents: T[], totalItems: number, pageNumber: number, size: number): Page<T> {
  const totalPages = Math.max(1, Math.ceil(totalItems / size));
  return {
    total_items: totalItems,
    total_pages: totalPages,
    page_number: pageNumber,
    size,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

export function orukOrganization(o: DirOrganization): Json {
  return compact({ id: o.id, name: o.name, description: o.description, email: o.email, website: o.website, logo: o.logo, uri: o.uri });
}

/** A service as a list item: the service's own fields and its organisation, no one-to-many children. */
export function orukServiceSummary(s: DirService, org: DirOrganization | undefined, extra: { distance?: number | undefined } = {}): Json {
  return compact({
    id: s.id,
    organization_id: s.organizationId,
    name: s.name,
    description: s.description,
    url: s.url,
    email: s.email,
    status: s.status,
    fees: s.fees,
    accreditations: s.accreditations,
    minimum_age: s.minimumAge,
    maximum_age: s.maximumAge,
    assured_date: s.lastCheckedOn,
    assurer_email: s.assurerEmail,
    alert: s.alert,
    last_modified: s.lastModified.toISOString(),
    eligibility_description: s.eligibilityDescription,
    application_process: s.applicationProcess,
    organization: org ? orukOrganization(org) : undefined,
    // not in the profile: the distance from the postcode searched, in metres
    distance: extra.distance === undefined ? undefined : Math.round(extra.distance),
  });
}

export function orukTerm(t: DirTerm, taxonomyName?: string): Json {
  return compact({
    id: t.id,
    name: t.name,
    description: t.description,
    parent_id: t.parentId,
    taxonomy: taxonomyName,
    taxonomy_id: t.taxonomyId,
    term_uri: t.termUri,
    term: t.code ?? undefined,
  });
}

export function orukTaxonomy(t: DirTaxonomy, terms?: DirTerm[]): Json {
  return compact({
    id: t.id,
    name: t.name,
    description: t.description,
    uri: t.uri,
    version: t.version,
    taxonomy_terms: terms?.map((x) => orukTerm(x, t.name)),
  });
}

export function orukLocation(l: DirLocation, accessibility: DirAccessibility[] = []): Json {
  const address =
    l.addressId && l.address1 && l.city && l.postalCode
      ? [
          compact({
            id: l.addressId,
            location_id: l.id,
            address_1: l.address1,
            address_2: l.address2,
            city: l.city,
            state_province: l.stateProvince ?? l.city,
            postal_code: l.postalCode,
            country: l.country ?? 'GB',
            address_type: l.locationType === 'postal' ? 'postal' : 'physical',
          }),
        ]
      : [];
  return compact({
    id: l.id,
    location_type: l.locationType,
    name: l.name,
    description: l.description,
    latitude: l.latitude,
    longitude: l.longitude,
    addresses: address,
    accessibility: accessibility.map((a) => compact({ id: a.id, location_id: a.locationId, description: a.description, details: a.details, url: a.url })),
  });
}

export interface FullService {
  service: DirService;
  organization: DirOrganization | undefined;
  locations: Array<{ serviceAtLocationId: string; location: DirLocation; accessibility: DirAccessibility[] }>;
  terms: Array<{ attributeId: string; term: DirTerm; taxonomyName: string | undefined }>;
  contacts: DirContact[];
  schedules: DirSchedule[];
  costOptions: DirCostOption[];
  languages: DirLanguage[];
  serviceAreas: DirServiceArea[];
}

/**
 * A service with everything about it (GET /services/{id}). Named contacts are practitioners'
 * personal data: the public feed (`contacts: 'public'`) sends each contact's id and title only,
 * which is all the UK profile's contact schema has besides the name.
 */
export function orukServiceFull(f: FullService, options: { contacts: 'public' | 'full' } = { contacts: 'public' }): Json {
  const s = f.service;
  return {
    ...orukServiceSummary(s, f.organization),
    service_at_locations: f.locations.map((x) => compact({ id: x.serviceAtLocationId, service_id: s.id, location_id: x.location.id, location: orukLocation(x.location, x.accessibility) })),
    attributes: f.terms.map((x) => compact({ id: x.attributeId, link_id: s.id, link_type: 'service', taxonomy_term_id: x.term.id, taxonomy_term: orukTerm(x.term, x.taxonomyName) })),
    contacts: f.contacts.map((c) =>
      options.contacts === 'full' ? compact({ id: c.id, service_id: s.id, name: c.name, title: c.title, email: c.email, phone: c.phone }) : compact({ id: c.id, service_id: s.id, title: c.title }),
    ),
    schedules: f.schedules.map((x) =>
      compact({ id: x.id, service_id: s.id, freq: x.freq, byday: x.byday, opens_at: x.opensAt, closes_at: x.closesAt, description: x.description, valid_from: x.validFrom, valid_to: x.validTo }),
    ),
    cost_options: f.costOptions.map((x) => compact({ id: x.id, service_id: s.id, option: x.option, amount: x.amount, amount_description: x.amountDescription })),
    languages: f.languages.map((x) => compact({ id: x.id, service_id: s.id, name: x.name, code: x.code })),
    service_areas: f.serviceAreas.map((x) => compact({ id: x.id, service_id: s.id, name: x.name, description: x.description })),
    funding: [],
  };
}

/** A service at a location (list item or GET /service_at_locations/{id}). */
export function orukServiceAtLocation(id: string, service: DirService, organization: DirOrganization | undefined, location: DirLocation): Json {
  return { id, service_id: service.id, location_id: location.id, location: orukLocation(location), service: orukServiceSummary(service, organization) };
}
