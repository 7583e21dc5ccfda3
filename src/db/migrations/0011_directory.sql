-- 0011 service directory (Open Referral UK 3.0 / HSDS 3.0): organisations, services, locations,
-- services at locations, taxonomies and their terms, a service's contacts, schedules, costs,
-- languages and areas, a location's accessibility; the owner (a Team Around organisation) of each
-- service, provider edits waiting for an administrator's approval (the published version stays
-- live meanwhile), the date each service was last checked; the postcode centroids (ONS Postcode
-- Directory layout) that proximity search reads; referrals of a person to a service.
--
-- Directory records are not about people: they are small partnership-wide tables (reference
-- tables under Citus). service_referral is about a person: subject_id first in its key.
-- Every id is an application-made UUID (UUIDv7 for records made here; imported ORUK ids are kept);
-- no triggers: search_vector is written by the application with each service.

create table directory_service_status (
  code  text primary key,
  label text not null
);
insert into directory_service_status (code, label) values
  ('active',             'Running'),
  ('inactive',           'Not running at the moment'),
  ('defunct',            'Closed'),
  ('temporarily closed', 'Closed for now');

create table directory_location_type (
  code  text primary key,
  label text not null
);
insert into directory_location_type (code, label) values
  ('physical', 'A place you can visit'),
  ('postal',   'A postal address'),
  ('virtual',  'Online or by telephone');

create table directory_taxonomy (
  id          uuid primary key,
  name        text not null,
  description text not null,
  uri         text,
  version     text
);

create table directory_taxonomy_term (
  id          uuid primary key,
  taxonomy_id uuid references directory_taxonomy (id),
  parent_id   uuid,
  code        text,
  name        text not null,
  description text not null,
  term_uri    text
);
create index directory_taxonomy_term_taxonomy on directory_taxonomy_term (taxonomy_id);

create table directory_organization (
  id                    uuid primary key,
  name                  text not null,
  description           text not null,
  email                 text,
  website               text,
  uri                   text,
  logo                  text,
  -- the Team Around organisation that runs it, when it is one of the partnership's
  owner_organisation_id uuid references organisation (id),
  created_at            timestamptz not null,
  updated_at            timestamptz not null
);

create table directory_location (
  id               uuid primary key,
  organization_id  uuid references directory_organization (id),
  location_type    text not null references directory_location_type (code),
  name             text,
  description      text,
  latitude         double precision,
  longitude        double precision,
  -- one physical address per location (ORUK address, its own id)
  address_id       uuid,
  address_1        text,
  address_2        text,
  city             text,
  state_province   text,
  postal_code      text,
  country          text,
  created_at       timestamptz not null,
  updated_at       timestamptz not null
);
create index directory_location_lat on directory_location (latitude, longitude);

create table directory_accessibility (
  id          uuid primary key,
  location_id uuid not null references directory_location (id),
  description text,
  details     text,
  url         text
);
create index directory_accessibility_location on directory_accessibility (location_id);

create table directory_service (
  id                      uuid primary key,
  organization_id         uuid not null references directory_organization (id),
  -- who keeps it up to date: provider staff of this organisation edit it
  owner_organisation_id   uuid not null references organisation (id),
  name                    text not null,
  description             text,
  url                     text,
  email                   text,
  phone                   text,
  status                  text not null references directory_service_status (code),
  fees                    text,
  accreditations          text,
  minimum_age             int,
  maximum_age             int,
  eligibility_description text,
  -- how to refer (the referral procedure), in words
  application_process     text,
  -- the provider takes referrals inside Team Around
  takes_referrals         boolean not null default false,
  alert                   text,
  assured_date            date,
  assurer_email           text,
  -- only published services are shown to the public and through /api/oruk
  published               boolean not null default false,
  published_at            timestamptz,
  last_checked_on         date not null,
  last_modified           timestamptz not null,
  last_reminded_at        timestamptz,
  created_at              timestamptz not null,
  -- name, description, organisation and term names, written by the application
  search_vector           tsvector not null,
  check (minimum_age is null or minimum_age >= 0),
  check (maximum_age is null or minimum_age is null or maximum_age >= minimum_age)
);
create index directory_service_search on directory_service using gin (search_vector);
create index directory_service_owner on directory_service (owner_organisation_id);
create index directory_service_checked on directory_service (last_checked_on) where published;
create index directory_service_published on directory_service (name, id) where published;

create table directory_service_edit (
  id            uuid primary key,
  service_id    uuid not null references directory_service (id),
  -- the whole proposed version of the editable fields (src/services/directory-service.ts serviceEditSchema)
  proposed      jsonb not null,
  status        text not null check (status in ('pending', 'approved', 'rejected')),
  submitted_by  uuid not null references app_user (id),
  submitted_at  timestamptz not null,
  decided_by    uuid references app_user (id),
  decided_at    timestamptz,
  decision_note text
);
create unique index directory_service_edit_one_pending on directory_service_edit (service_id) where status = 'pending';
create index directory_service_edit_status on directory_service_edit (status, submitted_at);

create table directory_service_attribute (
  id               uuid primary key,
  service_id       uuid not null references directory_service (id),
  taxonomy_term_id uuid not null references directory_taxonomy_term (id),
  unique (service_id, taxonomy_term_id)
);
create index directory_service_attribute_term on directory_service_attribute (taxonomy_term_id, service_id);

create table directory_service_at_location (
  id          uuid primary key,
  service_id  uuid not null references directory_service (id),
  location_id uuid not null references directory_location (id),
  -- the location's coordinates, copied here by the application whenever either is written, so that
  -- a proximity search reads one covering index (decision 0020)
  latitude    double precision,
  longitude   double precision,
  unique (service_id, location_id)
);
create index directory_service_at_location_location on directory_service_at_location (location_id, service_id);
create index directory_service_at_location_point on directory_service_at_location (latitude, longitude) include (service_id) where latitude is not null;

create table directory_contact (
  id         uuid primary key,
  service_id uuid not null references directory_service (id),
  name       text,
  title      text,
  email      text,
  phone      text
);
create index directory_contact_service on directory_contact (service_id);

create table directory_schedule (
  id          uuid primary key,
  service_id  uuid not null references directory_service (id),
  freq        text check (freq in ('WEEKLY', 'MONTHLY')),
  byday       text,
  opens_at    text,
  closes_at   text,
  description text,
  valid_from  date,
  valid_to    date
);
create index directory_schedule_service on directory_schedule (service_id);

create table directory_cost_option (
  id                 uuid primary key,
  service_id         uuid not null references directory_service (id),
  option             text,
  amount             numeric,
  amount_description text
);
create index directory_cost_option_service on directory_cost_option (service_id);

create table directory_language (
  id         uuid primary key,
  service_id uuid not null references directory_service (id),
  name       text,
  code       text
);
create index directory_language_service on directory_language (service_id);

create table directory_service_area (
  id           uuid primary key,
  service_id   uuid not null references directory_service (id),
  name         text,
  description  text
);
create index directory_service_area_service on directory_service_area (service_id);

-- ONS Postcode Directory centroids (pcds, lat, long), imported by an administrator.
create table postcode_centroid (
  pcds        text primary key,
  latitude    double precision not null,
  longitude   double precision not null,
  imported_at timestamptz not null
);

create table service_referral (
  subject_id            uuid not null references person (subject_id),
  id                    uuid not null,
  service_id            uuid not null references directory_service (id),
  to_organisation_id    uuid not null references organisation (id),
  from_organisation_id  uuid not null references organisation (id),
  referred_by           uuid not null references app_user (id),
  consent_id            uuid not null,
  reason                text not null,
  categories            text[] not null,
  status                text not null check (status in ('sent', 'accepted', 'declined')),
  created_at            timestamptz not null,
  primary key (subject_id, id),
  foreign key (subject_id, consent_id) references consent (subject_id, id)
);
create index service_referral_to on service_referral (to_organisation_id, created_at desc);
create index service_referral_from on service_referral (from_organisation_id, created_at desc);
