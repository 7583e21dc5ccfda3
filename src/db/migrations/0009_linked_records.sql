-- 0009 linked records and the trained linkage model.
--
-- An organisation's involvements, contacts and events name the sender's person record id; they follow
-- the person that people record is linked to (source_record.subject_id, set by the import and by
-- linking, cleared when the link is undone). These indexes find a record's dependants and a person's
-- linked records.
create index source_record_dependants on source_record (organisation_id, person_record_id) where kind <> 'people';
create index source_record_subject on source_record (subject_id, kind) where subject_id is not null;

-- The Fellegi–Sunter model trained without labels (expectation–maximisation) over the people table and
-- the agencies' people records, used by the app to score candidate pairs. Newest first; older models are
-- kept to explain earlier decisions. name_frequencies keeps only names held by at least `minCount`
-- records (a rarer name is scored as if it were that rare), so the table lists no rare name.
-- Not subject-scoped: a small reference table.
create table linkage_model (
  id                uuid primary key,
  trained_at        timestamptz not null,
  trained_by        text not null,
  records           integer not null,
  params            jsonb not null,
  name_frequencies  jsonb not null
);
create index linkage_model_newest on linkage_model (trained_at desc);

-- A record that matched nobody may be recorded as a new person and linked to them (how: created).
alter table record_link drop constraint record_link_how_check;
alter table record_link add constraint record_link_how_check check (how in ('auto', 'accepted', 'manual', 'created'));
