-- 0002 people: persons with names, identifiers, addresses, relationships and households; services
-- and involvements; MASH enquiries, disclosures received and break-glass, which the access policy
-- reads; notifications.
-- Citus: every subject-scoped table carries subject_id (the person's id) first in its primary key
-- and would be distributed by it; data_category, relationship_type, involvement_role and service
-- are reference tables.

create table data_category (
  code        text primary key,
  label       text not null,
  description text not null,
  case_content boolean not null       -- an agency's own case information, never shown without a rule allowing it
);
insert into data_category (code, label, description, case_content) values
  ('identity',      'Identity',                    'Names, date of birth, sex and gender, identifiers, flags', false),
  ('whereabouts',   'Whereabouts',                 'Addresses and household location', false),
  ('family',        'Family and household',        'Relationships and household members', false),
  ('involvements',  'Who is involved',             'Which services and practitioners work with the person', false),
  ('contacts',      'Practitioner contacts',       'Work contact details of involved practitioners and teams', false),
  ('education',     'Education',                   'Information held by schools and education services', true),
  ('health',        'Health',                      'Information held by health services', true),
  ('social_care',   'Social care',                 'Information held by children''s and adult social care', true),
  ('police',        'Police',                      'Information held by the police', true),
  ('youth_justice', 'Youth justice',               'Information held by youth justice services', true),
  ('housing',       'Housing',                     'Information held by housing providers', true),
  ('probation',     'Probation',                   'Information held by probation services', true),
  ('voluntary',     'Voluntary sector',            'Information held by voluntary sector organisations', true),
  ('access_history','Access history',              'Who looked at the record, when and why', false);

create table relationship_type (
  code         text primary key,
  label        text not null,          -- "<from> is the <label> of <to>"
  inverse_code text not null,
  parental     boolean not null         -- drawn as a parent-child link
);
insert into relationship_type (code, label, inverse_code, parental) values
  ('parent',                   'parent',                        'child',                     true),
  ('child',                    'child',                         'parent',                    false),
  ('step_parent',              'step-parent',                   'step_child',                true),
  ('step_child',               'step-child',                    'step_parent',               false),
  ('parental_responsibility',  'person with parental responsibility', 'parental_responsibility_for', true),
  ('parental_responsibility_for', 'child they have parental responsibility for', 'parental_responsibility', false),
  ('carer',                    'carer',                         'cared_for',                 true),
  ('cared_for',                'person cared for',              'carer',                     false),
  ('sibling',                  'sibling',                       'sibling',                   false),
  ('half_sibling',             'half-sibling',                  'half_sibling',              false),
  ('partner',                  'partner',                       'partner',                   false),
  ('household_member',         'household member',              'household_member',          false),
  ('expecting',                'expectant parent',              'unborn_child_of',           true),
  ('unborn_child_of',          'unborn child',                  'expecting',                 false);

create table involvement_role (
  code  text primary key,
  label text not null
);
insert into involvement_role (code, label) values
  ('lead_professional',         'Lead professional'),
  ('allocated_social_worker',   'Allocated social worker'),
  ('health_visitor',            'Health visitor'),
  ('midwife',                   'Midwife'),
  ('school_nurse',              'School nurse'),
  ('school',                    'School'),
  ('designated_safeguarding_lead', 'Designated safeguarding lead'),
  ('gp',                        'GP'),
  ('youth_justice_worker',      'Youth justice worker'),
  ('probation_officer',         'Probation officer'),
  ('key_worker',                'Key worker'),
  ('family_support_worker',     'Family support worker'),
  ('housing_officer',           'Housing officer'),
  ('police_officer',            'Police officer'),
  ('early_help_worker',         'Early help worker'),
  ('therapist',                 'Therapist or counsellor'),
  ('other',                     'Other');

-- A service an organisation runs. Sensitive services' involvements are shown only with the person's consent.
create table service (
  id              uuid primary key,
  organisation_id uuid not null references organisation (id),
  name            text not null,
  category        text not null references data_category (code),
  sensitive_kind  text check (sensitive_kind in ('sexual_health', 'substance_misuse', 'mental_health', 'domestic_abuse')),
  email           text,
  phone           text,
  created_at      timestamptz not null
);
create unique index service_name_unique on service (organisation_id, lower(name));

create table person (
  subject_id      uuid primary key,
  sex             text not null check (sex in ('female', 'male', 'unknown', 'not_specified')),
  gender          text,
  date_of_birth   date,
  dob_precision   text not null check (dob_precision in ('exact', 'estimated', 'expected', 'unknown')),
  shielded        boolean not null default false,
  deceased        boolean not null default false,
  date_of_death   date,
  created_at      timestamptz not null,
  created_by      uuid,
  updated_at      timestamptz not null,
  request_key     text unique          -- idempotency: a repeated submission finds the person it already made
);
create index person_dob on person (date_of_birth);

create table person_name (
  subject_id     uuid not null references person (subject_id),
  id             uuid not null,
  kind           text not null check (kind in ('current', 'previous', 'alias', 'preferred', 'birth')),
  given_names    text not null,
  family_name    text not null,
  given_norm     text not null,        -- normalised first forename
  family_norm    text not null,
  family_phonetic text not null,       -- double metaphone primary code
  given_phonetic text not null,
  created_at     timestamptz not null,
  primary key (subject_id, id)
);
create index person_name_family_norm on person_name (family_norm);
create index person_name_family_phonetic on person_name (family_phonetic, given_phonetic);

create table person_identifier (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  scheme          text not null check (scheme in ('nhs_number', 'upn', 'local')),
  value           text not null,
  organisation_id uuid references organisation (id),   -- whose local id
  created_at      timestamptz not null,
  primary key (subject_id, id)
);
create unique index person_identifier_unique on person_identifier (scheme, value, coalesce(organisation_id, '00000000-0000-0000-0000-000000000000'));

create table person_address (
  subject_id    uuid not null references person (subject_id),
  id            uuid not null,
  line1         text not null,
  line2         text,
  town          text,
  postcode      text not null,           -- normalised, e.g. "NB1 2AB"
  from_date     date,
  to_date       date,
  created_at    timestamptz not null,
  primary key (subject_id, id)
);
create index person_address_postcode on person_address (postcode);

-- Each relationship is stored twice, once from each person's side, with inverse types, so every
-- read is scoped to one subject.
create table relationship (
  subject_id          uuid not null references person (subject_id),
  id                  uuid not null,
  pair_id             uuid not null,
  related_subject_id  uuid not null references person (subject_id),
  type                text not null references relationship_type (code),   -- subject is the <type> of related
  from_date           date,
  to_date             date,
  created_at          timestamptz not null,
  created_by          uuid,
  primary key (subject_id, id)
);
create index relationship_related on relationship (related_subject_id);
create unique index relationship_unique on relationship (subject_id, related_subject_id, type) where to_date is null;

create table household (
  id          uuid primary key,
  created_at  timestamptz not null
);
create table household_member (
  subject_id    uuid not null references person (subject_id),
  household_id  uuid not null references household (id),
  from_date     date,
  to_date       date,
  primary key (subject_id, household_id)
);
create index household_member_household on household_member (household_id);

create table involvement (
  subject_id          uuid not null references person (subject_id),
  id                  uuid not null,
  organisation_id     uuid not null references organisation (id),
  service_id          uuid references service (id),
  team_id             uuid references team (id),
  practitioner_id     uuid references app_user (id),
  role                text not null references involvement_role (code),
  start_date          date not null,
  end_date            date,
  early_help_assessment boolean not null default false,
  consent_to_show     boolean not null default false,  -- for sensitive services: the person agreed others may see it
  created_at          timestamptz not null,
  created_by          uuid,
  ended_by            uuid,
  end_reason          text,
  primary key (subject_id, id)
);
create index involvement_practitioner on involvement (practitioner_id, subject_id) where end_date is null;
create index involvement_team on involvement (team_id, subject_id) where end_date is null;

-- Open MASH enquiries (the front door issue adds the full contact record).
create table enquiry (
  subject_id       uuid not null references person (subject_id),
  id               uuid not null,
  organisation_id  uuid not null references organisation (id),
  opened_by        uuid not null references app_user (id),
  opened_at        timestamptz not null,
  closed_at        timestamptz,
  reason           text not null,
  primary key (subject_id, id)
);

-- What a practitioner, team or organisation was sent about a person (the sharing issue fills this in).
create table disclosure_grant (
  subject_id                uuid not null references person (subject_id),
  id                        uuid not null,
  recipient_user_id         uuid references app_user (id),
  recipient_team_id         uuid references team (id),
  recipient_organisation_id uuid references organisation (id),
  categories                text[] not null,
  granted_by                uuid references app_user (id),
  granted_at                timestamptz not null,
  expires_at                timestamptz,
  revoked_at                timestamptz,
  primary key (subject_id, id)
);

create table break_glass (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  user_id         uuid not null references app_user (id),
  organisation_id uuid not null references organisation (id),
  reason          text not null,
  started_at      timestamptz not null,
  expires_at      timestamptz not null,
  reviewed_at     timestamptz,
  reviewed_by     uuid references app_user (id),
  review_outcome  text check (review_outcome in ('justified', 'not_justified')),
  review_note     text,
  primary key (subject_id, id)
);
create index break_glass_unreviewed on break_glass (started_at) where reviewed_at is null;

create table notification (
  id                 uuid primary key,
  recipient_user_id  uuid not null references app_user (id),
  kind               text not null,
  subject_id         uuid,
  message            text not null,
  link               text,
  created_at         timestamptz not null,
  read_at            timestamptz
);
create index notification_recipient on notification (recipient_user_id, created_at desc);

-- The case category an organisation's involvements fall under when no service says otherwise.
alter table organisation_type add column case_category text references data_category (code);
update organisation_type set case_category = case code
  when 'police' then 'police'
  when 'childrens_social_care' then 'social_care'
  when 'adult_social_care' then 'social_care'
  when 'local_authority' then 'social_care'
  when 'nhs_trust' then 'health'
  when 'gp_practice' then 'health'
  when 'icb' then 'health'
  when 'school' then 'education'
  when 'early_years' then 'education'
  when 'housing' then 'housing'
  when 'probation' then 'probation'
  when 'youth_justice' then 'youth_justice'
  else 'voluntary' end;
alter table organisation_type alter column case_category set not null;
