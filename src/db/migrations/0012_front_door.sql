-- 0012 the front door: contacts and referrals into the multi-agency safeguarding hub (MASH), their
-- triage (red/amber/green against configured timescales), research requests to the agencies in the
-- hub and their answers (with what must not be disclosed to the family), the threshold decision with
-- a manager's sign-off, the referrer being told, and feedback on the quality of referrals.
--
-- Citus notes (decision 0021): a contact, its people as entered, its categories, its decision and its
-- feedback are the hub's own records and are keyed by the hub's organisation_id first (like the feed
-- tables), so one contact is on one node. Research requests and their answers are about one person:
-- subject_id first. Every id is an application-made UUIDv7; no triggers; code lists are tables.

create table front_door_concern_category (
  code   text primary key,
  label  text not null,
  sort   integer not null
);
insert into front_door_concern_category (code, label, sort) values
  ('neglect',                  'Neglect',                                 1),
  ('physical_abuse',           'Physical abuse',                          2),
  ('emotional_abuse',          'Emotional abuse',                         3),
  ('sexual_abuse',             'Sexual abuse',                            4),
  ('exploitation',             'Exploitation (criminal or sexual)',       5),
  ('domestic_abuse',           'Domestic abuse',                          6),
  ('parental_mental_health',   'Parental mental health',                  7),
  ('parental_substance_misuse','Parental substance misuse',               8),
  ('missing',                  'Going missing',                           9),
  ('child_mental_health',      'The child''s own mental health or self-harm', 10),
  ('other',                    'Other',                                   99);

-- Red, amber and green, with the default timescale (hours from the contact arriving to a signed-off
-- decision) and how long before the end a warning is given.
create table front_door_rating (
  code                text primary key,
  label               text not null,
  default_hours       integer not null check (default_hours > 0),
  default_warn_hours  integer not null check (default_warn_hours >= 0),
  sort                integer not null
);
insert into front_door_rating (code, label, default_hours, default_warn_hours, sort) values
  ('red',   'Red',   4,  1,  1),
  ('amber', 'Amber', 24, 4,  2),
  ('green', 'Green', 72, 12, 3);

create table front_door_level (
  code   text primary key,
  label  text not null,
  sort   integer not null
);
insert into front_door_level (code, label, sort) values
  ('universal',        'Universal services',  1),
  ('early_help',       'Early help',          2),
  ('child_in_need',    'Child in need',       3),
  ('child_protection', 'Child protection',    4);

create table front_door_outcome (
  code   text primary key,
  label  text not null,
  sort   integer not null
);
insert into front_door_outcome (code, label, sort) values
  ('nfa_advice',             'No further action, with advice',     1),
  ('signpost',               'Signposted to a service',            2),
  ('early_help',             'Early help with a lead professional', 3),
  ('social_care_assessment', 'Social care assessment',             4),
  ('strategy_discussion',    'Strategy discussion',                5);

-- A hub's own timescales (a hub without rows uses the defaults above).
create table front_door_timescale (
  organisation_id  uuid not null references organisation (id),
  rating           text not null references front_door_rating (code),
  hours            integer not null check (hours > 0 and hours <= 720),
  warn_hours       integer not null check (warn_hours >= 0),
  updated_by       uuid not null references app_user (id),
  updated_at       timestamptz not null,
  primary key (organisation_id, rating),
  check (warn_hours < hours)
);

create table front_door_contact (
  organisation_id           uuid not null references organisation (id),
  id                        uuid not null,
  reference                 text not null,
  source                    text not null check (source in ('professional', 'public', 'police')),
  received_at               timestamptz not null,
  recorded_by               uuid references app_user (id),
  referrer_user_id          uuid references app_user (id),
  referrer_name             text not null,
  referrer_role             text,
  referrer_organisation_id  uuid references organisation (id),
  referrer_organisation     text,
  referrer_email            text,
  referrer_phone            text,
  external_reference        text,
  summary                   text not null,
  family_knows              text not null check (family_knows in ('agreed', 'told_not_agreed', 'not_told', 'not_known')),
  family_view               text,
  referrer_urgency          text not null check (referrer_urgency in ('immediate', 'today', 'routine')),
  status                    text not null check (status in ('new', 'in_hub', 'awaiting_sign_off', 'decided')),
  rating                    text references front_door_rating (code),
  rating_reason             text,
  rated_by                  uuid references app_user (id),
  rated_at                  timestamptz,
  due_at                    timestamptz,
  warned_at                 timestamptz,
  breach_reported_at        timestamptz,
  decided_at                timestamptz,
  re_referral               boolean not null default false,
  previous_contact_id       uuid,
  previous_outcome          text,
  previous_decided_at       timestamptz,
  -- the hub's legal basis for the enquiry (codes of legal_basis), chosen when the contact is taken
  -- into the hub; research is asked and answered under it
  legal_bases               text[],
  primary key (organisation_id, id),
  unique (organisation_id, reference)
);
create index front_door_contact_open on front_door_contact (organisation_id, status, due_at);
create index front_door_contact_received on front_door_contact (organisation_id, received_at);
-- A police notification sent twice is the same contact.
create unique index front_door_contact_external on front_door_contact (organisation_id, referrer_organisation_id, external_reference)
  where external_reference is not null;

create table front_door_contact_category (
  organisation_id  uuid not null,
  contact_id       uuid not null,
  category         text not null references front_door_concern_category (code),
  primary key (organisation_id, contact_id, category),
  foreign key (organisation_id, contact_id) references front_door_contact (organisation_id, id)
);

-- The children and adults named, as entered; subject_id once matched to (or recorded as) a person,
-- and the MASH enquiry opened on them while the contact is in the hub.
create table front_door_contact_person (
  organisation_id  uuid not null,
  contact_id       uuid not null,
  id               uuid not null,
  position         integer not null,
  role             text not null check (role in ('child', 'adult', 'unborn')),
  given_names      text not null,
  family_name      text not null,
  date_of_birth    text,
  postcode         text,
  relationship     text,
  subject_id       uuid references person (subject_id),
  enquiry_id       uuid,
  matched_by       uuid references app_user (id),
  matched_at       timestamptz,
  primary key (organisation_id, contact_id, id),
  foreign key (organisation_id, contact_id) references front_door_contact (organisation_id, id)
);
create index front_door_contact_person_subject on front_door_contact_person (subject_id) where subject_id is not null;

-- Why an agency declines to share what it holds with the hub (a decision not to share, recorded).
create table front_door_decline_consideration (
  code   text primary key,
  label  text not null,
  sort   integer not null
);
insert into front_door_decline_consideration (code, label, sort) values
  ('prejudice_investigation', 'Sharing would prejudice a live criminal investigation or proceedings', 1),
  ('no_lawful_basis',         'There is no lawful basis to share this information (for example health information without a UK GDPR article 9 condition)', 2),
  ('duty_of_confidence',      'The duty of confidence is not outweighed by the risk described', 3),
  ('risk_to_someone',         'Sharing would put someone at risk of harm', 4),
  ('third_party',             'The information is about a third party and sharing it is not justified', 5),
  ('other',                   'Another legal consideration (described in the reason)', 99);

-- What the hub asked an agency about one person, and what the agency answered (or declined to share).
create table front_door_research_request (
  subject_id               uuid not null references person (subject_id),
  id                       uuid not null,
  organisation_id          uuid not null,
  contact_id               uuid not null,
  contact_person_id        uuid not null,
  agency_organisation_id   uuid not null references organisation (id),
  question                 text not null,
  -- exactly what was sent to the agency to find the person: name, date of birth, postcode
  sent_identity            jsonb not null,
  requested_by             uuid not null references app_user (id),
  requested_at             timestamptz not null,
  due_at                   timestamptz not null,
  -- the hub's legal basis as it was when the agency was asked (codes of legal_basis)
  legal_bases              text[] not null,
  status                   text not null check (status in ('open', 'answered', 'declined')),
  nothing_held             boolean,
  -- a decline: the agency holds information but will not share it, why, and whom to ask or when to ask again
  decline_consideration    text references front_door_decline_consideration (code),
  decline_reason           text,
  decline_ask_instead      text,
  decline_ask_again_on     text,
  responded_by             uuid references app_user (id),
  responded_at             timestamptz,
  -- when the agency was told its answer is overdue (once)
  overdue_notified_at      timestamptz,
  primary key (subject_id, id),
  foreign key (organisation_id, contact_id) references front_door_contact (organisation_id, id),
  check (status <> 'declined' or (decline_consideration is not null and decline_reason is not null))
);
create index front_door_research_agency on front_door_research_request (agency_organisation_id, status, due_at);
create index front_door_research_contact on front_door_research_request (organisation_id, contact_id);

create table front_door_research_item (
  subject_id            uuid not null,
  id                    uuid not null,
  request_id            uuid not null,
  position              integer not null,
  category              text not null references data_category (code),
  summary               text not null,
  linked_record_kind    text,
  linked_record_id      text,
  withheld_from_family  boolean not null,
  withheld_reason       text,
  primary key (subject_id, id),
  foreign key (subject_id, request_id) references front_door_research_request (subject_id, id),
  check (not withheld_from_family or withheld_reason is not null)
);
create index front_door_research_item_request on front_door_research_item (subject_id, request_id);

-- The threshold decision and its sign-off by a manager who is not the decider. The signposted
-- service is kept by id and name as given (the service directory's tables are not referenced).
create table front_door_decision (
  organisation_id         uuid not null,
  contact_id              uuid not null,
  level                   text not null references front_door_level (code),
  outcome                 text not null references front_door_outcome (code),
  rationale               text not null,
  advice                  text,
  service_id              text,
  service_name            text,
  lead_professional       text,
  decided_by              uuid not null references app_user (id),
  decided_at              timestamptz not null,
  sign_off                text not null check (sign_off in ('pending', 'approved', 'returned')),
  signed_off_by           uuid references app_user (id),
  signed_off_at           timestamptz,
  manager_comment         text,
  referrer_told_at        timestamptz,
  referrer_told_by        uuid references app_user (id),
  referrer_told_how       text,
  primary key (organisation_id, contact_id),
  foreign key (organisation_id, contact_id) references front_door_contact (organisation_id, id)
);

-- The hub's view of the quality of a referral, fed back to the referring agency.
create table front_door_feedback (
  organisation_id            uuid not null,
  contact_id                 uuid not null,
  referrer_organisation_id   uuid references organisation (id),
  quality                    text not null check (quality in ('good', 'adequate', 'poor')),
  comments                   text not null,
  given_by                   uuid not null references app_user (id),
  given_at                   timestamptz not null,
  primary key (organisation_id, contact_id),
  foreign key (organisation_id, contact_id) references front_door_contact (organisation_id, id)
);
create index front_door_feedback_referrer on front_door_feedback (referrer_organisation_id, given_at);
