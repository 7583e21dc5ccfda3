-- 0007 agency data feeds: an organisation's saved feeds (what it sends and how its columns map),
-- each import run with its checkpoint, the rows refused and why, and the source records accepted.
--
-- Citus notes: every table here is distributed by organisation_id, the sender, so a run, its errors
-- and the records it wrote sit on one shard and a batch commits on one node; organisation_id is first
-- in every primary key and unique constraint. source_record.subject_id is filled later by record
-- linkage (src/linkage) and is deliberately not part of any key: reads "by person" will go through a
-- separate table distributed by subject_id (subject_id, organisation_id, kind, source_record_id),
-- written by linkage beside this column, as person_identifier lookups by value would.
-- Every id is an application-made UUIDv7; no triggers.

create table feed_kind (
  code  text primary key,
  label text not null
);
insert into feed_kind (code, label) values
  ('people',       'People'),
  ('involvements', 'Involvements'),
  ('contacts',     'Contacts'),
  ('events',       'Events');

create table feed (
  organisation_id uuid not null references organisation (id),
  id              uuid not null,
  name            text not null,
  kind            text not null references feed_kind (code),
  format          text not null check (format in ('csv', 'json')),
  -- {"fields": {"<target field>": "<source column>"}, "dateFormat": "YYYY-MM-DD" | "DD/MM/YYYY" | "YYYYMMDD"}
  mapping         jsonb not null,
  created_by      uuid references app_user (id),
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  primary key (organisation_id, id)
);
create unique index feed_id_unique on feed (id);
create unique index feed_name_unique on feed (organisation_id, lower(name));

create table import_run (
  organisation_id uuid not null references organisation (id),
  id              uuid not null,
  feed_id         uuid not null,
  status          text not null check (status in ('running', 'completed', 'failed', 'interrupted')),
  rows_seen       bigint not null default 0,
  rows_accepted   bigint not null default 0,
  rows_unchanged  bigint not null default 0,
  rows_rejected   bigint not null default 0,
  bytes_read      bigint not null default 0,
  bytes_total     bigint,                      -- when known (a file's size, a Content-Length)
  checkpoint_row  bigint not null default 0,   -- the last row whose outcome is committed
  file_sha256     text,                        -- given up front (resuming) or computed at the end
  started_by      text not null,               -- the audit actor's label
  started_at      timestamptz not null,
  updated_at      timestamptz not null,
  finished_at     timestamptz,
  failure         text,
  primary key (organisation_id, id),
  foreign key (organisation_id, feed_id) references feed (organisation_id, id)
);
create unique index import_run_id_unique on import_run (id);
create index import_run_feed on import_run (organisation_id, feed_id, started_at desc);

create table import_error (
  organisation_id uuid not null,
  run_id          uuid not null,
  row_number      bigint not null,
  seq             int not null,                -- several problems in one row
  column_name     text,
  value_excerpt   text,
  reason          text not null,
  primary key (organisation_id, run_id, row_number, seq),
  foreign key (organisation_id, run_id) references import_run (organisation_id, id)
);

create table source_record (
  organisation_id   uuid not null references organisation (id),
  kind              text not null references feed_kind (code),
  source_record_id  text not null,
  feed_id           uuid not null,
  -- the normalised fields (which ones a kind uses: src/feeds/mapping.ts)
  person_record_id  text,                      -- involvements, contacts, events: the sender's person id
  given_names       text,
  family_name       text,
  date_of_birth     date,
  sex               text,
  nhs_number        text,
  postcode          text,
  address           text,
  phone             text,
  email             text,
  role              text,
  start_date        date,
  end_date          date,
  event_type        text,
  description       text,
  raw               jsonb not null,            -- the row as sent (mapped columns only)
  content_sha256    text not null,             -- of the normalised fields and raw: unchanged rows are not rewritten
  first_seen_at     timestamptz not null,
  last_changed_at   timestamptz not null,
  first_run_id      uuid not null,
  last_run_id       uuid not null,
  subject_id        uuid,                      -- the person this record is linked to (src/linkage), later
  primary key (organisation_id, kind, source_record_id),
  foreign key (organisation_id, feed_id) references feed (organisation_id, id)
);
create index source_record_unlinked on source_record (organisation_id, kind) where subject_id is null;
create index source_record_run on source_record (organisation_id, last_run_id);

-- Outbound: a children's centre's reach area, as postcode districts ("NB1") and sectors ("NB1 2"),
-- for the weekly list of new births (src/feeds/births.ts). A small table keyed by the centre.
create table reach_area (
  organisation_id uuid not null references organisation (id),
  prefix          text not null check (prefix ~ '^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9])?$'),
  created_at      timestamptz not null,
  primary key (organisation_id, prefix)
);
