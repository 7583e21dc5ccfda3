/** The service directory's records, as the pure modules, the repository and the service share them (ORUK / HSDS 3.0 entities). */

export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];
export const LOCATION_TYPES = ['physical', 'postal', 'virtual'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

export interface DirOrganization {
  id: string;
  name: string;
  description: string;
  email: string | null;
  website: string | null;
  uri: string | null;
  logo: string | null;
}

export interface DirAddress {
  addressId: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  stateProvince: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface DirLocation extends DirAddress {
  id: string;
  organizationId: string | null;
  locationType: LocationType;
  name: string | null;
  description: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface DirService {
  id: string;
  organizationId: string;
  name: string;
  description: string | null;
  url: string | null;
  email: string | null;
  phone: string | null;
  status: ServiceStatus;
  fees: string | null;
  accreditations: string | null;
  minimumAge: number | null;
  maximumAge: number | null;
  eligibilityDescription: string | null;
  applicationProcess: string | null;
  takesReferrals: boolean;
  alert: string | null;
  assuredDate: string | null;
  assurerEmail: string | null;
  /** The day its details were last checked (published as ORUK assured_date). */
  lastCheckedOn: string;
  lastModified: Date;
}

export interface DirTaxonomy {
  id: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
}

export interface DirTerm {
  id: string;
  taxonomyId: string | null;
  parentId: string | null;
  code: string | null;
  name: string;
  description: string;
  termUri: string | null;
}

export interface DirAttribute {
  id: string;
  serviceId: string;
  termId: string;
}

export interface DirServiceAtLocation {
  id: string;
  serviceId: string;
  locationId: string;
}

export interface DirContact {
  id: string;
  serviceId: string;
  name: string | null;
  title: string | null;
  email: string | null;
  phone: string | null;
}

export interface DirSchedule {
  id: string;
  serviceId: string;
  freq: 'WEEKLY' | 'MONTHLY' | null;
  byday: string | null;
  opensAt: string | null;
  closesAt: string | null;
  description: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface DirCostOption {
  id: string;
  serviceId: string;
  option: string | null;
  amount: number | null;
  amountDescription: string | null;
}

export interface DirLanguage {
  id: string;
  serviceId: string;
  name: string | null;
  code: string | null;
}

export interface DirServiceArea {
  id: string;
  serviceId: string;
  name: string | null;
  description: string | null;
}

export interface DirAccessibility {
  id: string;
  locationId: string;
  description: string | null;
  details: string | null;
  url: string | null;
}

/** Everything a tabular import writes, or an export reads. */
export interface DirectoryData {
  organizations: DirOrganization[];
  locations: DirLocation[];
  /** Addresses for locations that are already stored (not in this import). */
  addresses: Array<DirAddress & { locationId: string }>;
  services: DirService[];
  serviceAtLocations: DirServiceAtLocation[];
  taxonomies: DirTaxonomy[];
  terms: DirTerm[];
  attributes: DirAttribute[];
  contacts: DirContact[];
  schedules: DirSchedule[];
  costOptions: DirCostOption[];
  languages: DirLanguage[];
  serviceAreas: DirServiceArea[];
  accessibility: DirAccessibility[];
}

export const emptyDirectoryData = (): DirectoryData => ({
  organizations: [],
  locations: [],
  addresses: [],
  services: [],
  serviceAtLocations: [],
  taxonomies: [],
  terms: [],
  attributes: [],
  contacts: [],
  schedules: [],
  costOptions: [],
  languages: [],
  serviceAreas: [],
  accessibility: [],
});
