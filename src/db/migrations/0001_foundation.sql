-- 0001 foundation: reference data, organisations, teams, practitioners, roles, sessions,
-- API tokens and the hash-chained audit log.
-- Citus notes: organisation_type, role and organisation are small reference tables;
-- every id is an application-generated UUIDv7; no triggers carry logic.

create table organisation_type (
  code        text primary key,
  label       text not null,
  code_scheme text not null            -- which official identifier the organisation's code is
);

insert into organisation_type (code, label, code_scheme) values
  ('police',                 'Police force',                      'Home Office police force code'),
  ('childrens_social_care',  'Children''s social care',           'ONS local authority code'),
  ('adult_social_care',      'Adult social care',                 'ONS local authority code'),
  ('local_authority',        'Local authority (other services)',  'ONS local authority code'),
  ('nhs_trust',              'NHS trust',                         'ODS code'),
  ('gp_practice',            'GP practice',                       'ODS code'),
  ('icb',                    'Integrated care board',             'ODS code'),
  ('school',                 'School',                            'DfE URN'),
  ('early_years',            'Early years setting',               'Ofsted URN'),
  ('housing',                'Housing provider',                  'Regulator of Social Housing registration number'),
  ('probation',              'Probation service',                 'Probation delivery unit code'),
  ('youth_justice',          'Youth justice service',             'YJB service code'),
  ('voluntary_sector',       'Voluntary sector organisation',     'Charity number'),
  ('other',                  'Other organisation',                'Local reference');

create table role (
  code        text primary key,
  label       text not null,
  description text not null
);

insert into role (code, label, description) values
  ('practitioner',    'Practitioner',                    'Works directly with children, adults and families'),
  ('team_manager',    'Team manager',                    'Manages a team; approves sharing decisions made without consent'),
  ('mash_officer',    'MASH officer',                    'Works in the multi-agency safeguarding hub front door'),
  ('ig_lead',         'Information-governance lead',     'Caldicott guardian or data protection lead; reviews the audit log and break-glass use'),
  ('system_admin',    'System administrator',            'Manages organisations, teams, practitioners and roles');

create table organisation (
  id                   uuid primary key,
  name                 text not null,
  type_code            text not null references organisation_type (code),
  official_code        text not null,
  email_domain         text,
  oidc_issuer          text,
  oidc_client_id       text,
  oidc_client_secret   text,            -- encrypted with the application secret
  active               boolean not null default true,
  created_at           timestamptz not null,
  updated_at           timestamptz not null,
  constraint organisation_code_unique unique (type_code, official_code)
);
create unique index organisation_name_unique on organisation (lower(name));

create table team (
  id              uuid primary key,
  organisation_id uuid not null references organisation (id),
  name            text not null,
  email           text,
  phone           text,
  created_at      timestamptz not null
);
create unique index team_name_unique on team (organisation_id, lower(name));

create table app_user (
  id                uuid primary key,
  organisation_id   uuid not null references organisation (id),
  email             text not null,
  display_name      text not null,
  job_title         text,
  phone             text,
  status            text not null check (status in ('invited', 'active', 'deactivated')),
  password_hash     text,
  totp_secret       text,               -- encrypted with the application secret
  totp_enrolled_at  timestamptz,
  totp_last_step    bigint,             -- last accepted time step, so a code cannot be replayed
  oidc_subject      text,
  failed_attempts   integer not null default 0,
  locked_until      timestamptz,
  last_sign_in_at   timestamptz,
  is_demo           boolean not null default false,
  created_at        timestamptz not null,
  updated_at        timestamptz not null
);
create unique index app_user_email_unique on app_user (lower(email));
create unique index app_user_oidc_unique on app_user (organisation_id, oidc_subject) where oidc_subject is not null;

create table user_role (
  user_id   uuid not null references app_user (id),
  role_code text not null references role (code),
  primary key (user_id, role_code)
);

create table team_member (
  team_id uuid not null references team (id),
  user_id uuid not null references app_user (id),
  primary key (team_id, user_id)
);
create index team_member_user on team_member (user_id);

create table invitation (
  id          uuid primary key,
  user_id     uuid not null references app_user (id),
  token_hash  text not null unique,
  created_by  uuid references app_user (id),
  created_at  timestamptz not null,
  expires_at  timestamptz not null,
  used_at     timestamptz
);

create table api_token (
  id           uuid primary key,
  user_id      uuid not null references app_user (id),
  name         text not null,
  token_hash   text not null unique,
  created_at   timestamptz not null,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);

create table web_session (
  sid        text primary key,
  data       jsonb not null,
  expires_at timestamptz not null
);
create index web_session_expiry on web_session (expires_at);

create table app_setting (
  key   text primary key,
  value jsonb not null
);

-- The audit log. Rows are only ever inserted, in seq order, each carrying the hash of the
-- one before it; audit_head holds the newest seq and hash so that removing entries from the
-- end is detected as well as altering or removing entries in the middle.
create table audit_event (
  seq              bigint primary key,
  id               uuid not null unique,
  occurred_at      timestamptz not null,
  actor_user_id    uuid,
  actor_label      text not null,
  organisation_id  uuid,
  roles            text[] not null,
  action           text not null,
  outcome          text not null check (outcome in ('success', 'failure', 'denied')),
  subject_type     text,
  subject_id       text,
  purpose          text,
  reason           text,
  request_id       text,
  ip               text,
  details          jsonb not null,
  prev_hash        text not null,
  hash             text not null
);
create index audit_event_occurred on audit_event (occurred_at);
create index audit_event_actor on audit_event (actor_user_id, seq);
create index audit_event_subject on audit_event (subject_type, subject_id, seq);
create index audit_event_action on audit_event (action, seq);

create table audit_head (
  id   integer primary key check (id = 1),
  seq  bigint not null,
  hash text not null
);
