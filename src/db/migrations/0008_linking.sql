-- 0008 record linkage decisions: which person each agency source record is linked to, how and by whom
-- (record_link, never deleted: an undone link keeps who undid it and why), and the review queue of
-- uncertain pairs with each field's contribution to the match weight (link_review). A rejected pair is
-- kept so it is never proposed again; an accepted one is linked.
--
-- Citus notes: both tables are subject-scoped (distributed by subject_id, the candidate person), with
-- subject_id first in the primary key. Every id is an application-made UUIDv7; no triggers.

create table record_link (
  subject_id        uuid not null,
  id                uuid not null,
  organisation_id   uuid not null,
  kind              text not null,
  source_record_id  text not null,
  how               text not null check (how in ('auto', 'accepted', 'manual')),
  weight            double precision,
  run_id            uuid,
  created_by        text not null,
  created_at        timestamptz not null,
  undone_by         text,
  undone_at         timestamptz,
  undo_reason       text,
  primary key (subject_id, id),
  foreign key (organisation_id, kind, source_record_id) references source_record (organisation_id, kind, source_record_id)
);
create index record_link_source on record_link (organisation_id, kind, source_record_id) where undone_at is null;

create table link_review (
  subject_id        uuid not null,
  id                uuid not null,
  organisation_id   uuid not null,
  kind              text not null,
  source_record_id  text not null,
  weight            double precision not null,
  probability       double precision not null,
  -- {"prior": n, "weight": n, "fields": [{"comparison", "level", "m", "u", "weight", "termFrequencyAdjustment"}]}
  explanation       jsonb not null,
  status            text not null check (status in ('pending', 'accepted', 'rejected')),
  created_at        timestamptz not null,
  decided_by        text,
  decided_at        timestamptz,
  note              text,
  primary key (subject_id, id),
  foreign key (organisation_id, kind, source_record_id) references source_record (organisation_id, kind, source_record_id)
);
create index link_review_pending on link_review (organisation_id, status, created_at);
create index link_review_pair on link_review (organisation_id, kind, source_record_id, subject_id);
-- One pending review per pair: two runs at once cannot queue the same pair twice.
create unique index link_review_one_pending on link_review (subject_id, organisation_id, kind, source_record_id) where status = 'pending';
