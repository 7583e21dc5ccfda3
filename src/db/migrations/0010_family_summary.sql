-- 0010 family summary: the worker-curated chronology beside the system one. A practitioner marks an
-- event of the system chronology as significant (item_key names it: feed:<organisation>:<kind>:<record id>,
-- involvement:<id>, note:<id>) and/or writes their analysis, dated, about a person. An entry is case
-- content of the writer's organisation (category: its case category), so the access policy shows it to
-- whoever may see that category of the person, as it would the agency's own records. Never updated.
--
-- Citus notes: subject-scoped (distributed by subject_id, first in the primary key); ids are
-- application-made UUIDv7; no triggers.
create table chronology_entry (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  item_key        text,
  significant     boolean not null,
  entry_date      date not null,
  analysis        text,
  organisation_id uuid not null references organisation (id),
  category        text not null references data_category (code),
  recorded_by     uuid not null references app_user (id),
  recorded_at     timestamptz not null,
  primary key (subject_id, id),
  check (item_key is not null or analysis is not null)
);
create index chronology_entry_item on chronology_entry (subject_id, item_key);
