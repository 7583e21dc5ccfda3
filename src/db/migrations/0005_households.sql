-- 0005 households: a household's label and address, and who recorded it; each membership gets its
-- own id, so a person can leave a household and later join it again with the history kept.
-- Nothing in the application wrote households before this migration; the synthetic generator did
-- (one membership per person and household), so existing memberships get an id derived from their
-- old key. A person may belong to more than one household at once (shared care).

alter table household add column label text;
alter table household add column line1 text;
alter table household add column line2 text;
alter table household add column town text;
alter table household add column postcode text;           -- normalised, e.g. "NB1 2AB"
alter table household add column created_by uuid;
alter table household add constraint household_address_whole check ((line1 is null) = (postcode is null));

alter table household_member add column id uuid;
update household_member set id = md5(subject_id::text || household_id::text)::uuid where id is null;
alter table household_member alter column id set not null;
alter table household_member add column created_at timestamptz;
alter table household_member add column created_by uuid;
alter table household_member add column ended_by uuid;
alter table household_member drop constraint household_member_pkey;
alter table household_member add primary key (subject_id, id);
-- One open membership of a household per person: joining again needs leaving first.
create unique index household_member_open on household_member (subject_id, household_id) where to_date is null;
