-- 0013 early help: the common assessment (CAF domains), the lead professional and handovers, the
-- plan of actions with its reviews and outcome, and multi-agency meetings (team around the family
-- reviews, locality early help hubs, joint action groups, MARAC, area meetings) with their agendas of
-- cases, each agency's contribution, decisions, actions, and an area's performance indicators.
-- The lead professional and the team around the family are involvements (0002): no parallel tables.
-- Citus: every table about a person has subject_id first in its primary key; the code lists are
-- reference tables; meeting, meeting_attendee, meeting_action and the indicator tables are about no
-- person and would be distributed by meeting (series) id.

-- ---------- code lists ----------

create table early_help_domain (
  code     text primary key,
  label    text not null,
  position int not null
);
insert into early_help_domain (code, label, position) values
  ('development', 'Development of the child or young person', 1),
  ('parenting',   'Parents and carers', 2),
  ('family',      'Family and environmental factors', 3);

create table early_help_element (
  code        text primary key,
  domain_code text not null references early_help_domain (code),
  label       text not null,
  position    int not null
);
insert into early_help_element (code, domain_code, label, position) values
  ('health',                 'development', 'Health: general health, physical development, speech, language and communication', 1),
  ('emotional_social',       'development', 'Emotional and social development', 2),
  ('behaviour',              'development', 'Behavioural development', 3),
  ('identity',               'development', 'Identity, self-esteem, self-image and social presentation', 4),
  ('relationships',          'development', 'Family and social relationships', 5),
  ('self_care',              'development', 'Self-care skills and independence', 6),
  ('learning',               'development', 'Learning: understanding, participation, progress and aspirations', 7),
  ('basic_care',             'parenting',   'Basic care, ensuring safety and protection', 1),
  ('emotional_warmth',       'parenting',   'Emotional warmth and stability', 2),
  ('guidance_boundaries',    'parenting',   'Guidance, boundaries and stimulation', 3),
  ('family_history',         'family',      'Family history, functioning and well-being', 1),
  ('wider_family',           'family',      'Wider family', 2),
  ('housing_work_money',     'family',      'Housing, employment and financial considerations', 3),
  ('community',              'family',      'Social and community elements and resources, including education', 4);

create table early_help_outcome (
  code  text primary key,
  label text not null
);
insert into early_help_outcome (code, label) values
  ('needs_met',       'Needs met: the plan achieved what it set out to'),
  ('stepped_up',      'Stepped up to children''s social care'),
  ('stepped_down',    'Stepped down to universal services'),
  ('family_withdrew', 'The family withdrew their consent'),
  ('moved_away',      'The family moved out of the area');

create table meeting_kind (
  code             text primary key,
  label            text not null,
  individual_cases boolean not null,   -- false: an area meeting that never discusses individual cases
  interval_days    int not null,       -- how often it usually meets
  description      text not null
);
insert into meeting_kind (code, label, individual_cases, interval_days, description) values
  ('taf_review',    'Team around the family review', true, 42, 'The family and the practitioners working with them review the plan'),
  ('locality_hub',  'Locality early help hub', true, 14, 'Allocates new early help requests in a locality every two weeks'),
  ('jag',           'Joint action group (anti-social behaviour)', true, 28, 'Agencies agree action on anti-social behaviour by, or affecting, named people'),
  ('marac',         'MARAC (high-risk domestic abuse)', true, 28, 'Multi-agency risk assessment conference for victims at high risk of domestic abuse'),
  ('area',          'Area management meeting', false, 120, 'Area partners hold the action plan and performance indicators; no individual cases');

-- ---------- a child's early help ----------

create table early_help_case (
  subject_id                 uuid not null references person (subject_id),
  id                         uuid not null,
  organisation_id            uuid not null references organisation (id),
  opened_by                  uuid not null references app_user (id),
  opened_at                  timestamptz not null,
  reason                     text not null,
  review_interval_days       int not null check (review_interval_days between 7 and 182),
  next_review_due            date not null,
  status                     text not null check (status in ('open', 'closed')),
  closed_at                  timestamptz,
  closed_by                  uuid references app_user (id),
  outcome                    text references early_help_outcome (code),
  outcome_summary            text,
  stepped_to_organisation_id uuid references organisation (id),
  stepped_to_involvement_id  uuid,
  primary key (subject_id, id)
);
create unique index early_help_case_one_open on early_help_case (subject_id) where status = 'open';

create table early_help_assessment (
  subject_id          uuid not null references person (subject_id),
  id                  uuid not null,
  case_id             uuid not null,
  version             int not null check (version >= 1),
  status              text not null check (status in ('draft', 'complete')),
  answers             jsonb not null default '{}',      -- { element code: { strengths, needs } }
  child_words         text,
  family_words        text,
  assessment_consent  text check (assessment_consent in ('given', 'refused')),
  assessment_consent_id uuid,                           -- the consent record (0004) of consent to the assessment itself
  consent_given_by    text check (consent_given_by in ('person', 'parental_responsibility', 'lawful_representative')),
  consent_given_by_name text,
  share_consent       text check (share_consent in ('given', 'refused')),
  sharing_consent_id  uuid,                             -- the consent record (0004) made through the consent service
  pages_saved         text[] not null default '{}',
  started_by          uuid not null references app_user (id),
  started_at          timestamptz not null,
  updated_by          uuid not null references app_user (id),
  updated_at          timestamptz not null,
  completed_by        uuid references app_user (id),
  completed_at        timestamptz,
  primary key (subject_id, id),
  foreign key (subject_id, case_id) references early_help_case (subject_id, id)
);
create unique index early_help_assessment_version on early_help_assessment (subject_id, case_id, version);
create unique index early_help_assessment_one_draft on early_help_assessment (subject_id, case_id) where status = 'draft';

create table early_help_handover (
  subject_id        uuid not null references person (subject_id),
  id                uuid not null,
  case_id           uuid not null,
  from_user_id      uuid references app_user (id),
  to_user_id        uuid not null references app_user (id),
  involvement_id    uuid not null,                      -- the new lead_professional involvement
  note              text,
  recorded_by       uuid not null references app_user (id),
  handed_over_at    timestamptz not null,
  primary key (subject_id, id),
  foreign key (subject_id, case_id) references early_help_case (subject_id, id)
);

create table meeting (
  id              uuid primary key,
  series_id       uuid not null,                        -- meetings of one series review each other's actions
  kind            text not null references meeting_kind (code),
  title           text not null,
  organisation_id uuid not null references organisation (id),
  held_on         date not null,
  location        text,
  legal_bases     text[] not null,                      -- codes of legal_basis: what contributions are shared under
  status          text not null check (status in ('scheduled', 'held')),
  notes           text,
  created_by      uuid not null references app_user (id),
  created_at      timestamptz not null
);
create index meeting_series on meeting (series_id, held_on);

create table meeting_attendee (
  meeting_id      uuid not null references meeting (id),
  user_id         uuid not null references app_user (id),
  organisation_id uuid not null references organisation (id),
  added_by        uuid not null references app_user (id),
  added_at        timestamptz not null,
  primary key (meeting_id, user_id)
);
create index meeting_attendee_user on meeting_attendee (user_id);

create table meeting_agenda_item (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  meeting_id      uuid not null references meeting (id),
  reason          text not null,
  added_by        uuid not null references app_user (id),
  added_at        timestamptz not null,
  decision        text,
  decided_by      uuid references app_user (id),
  decided_at      timestamptz,
  primary key (subject_id, id)
);
create index meeting_agenda_item_meeting on meeting_agenda_item (meeting_id);

create table meeting_contribution (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  meeting_id      uuid not null references meeting (id),
  agenda_item_id  uuid not null,
  organisation_id uuid not null references organisation (id),
  author_id       uuid not null references app_user (id),
  body            text not null,
  created_at      timestamptz not null,
  primary key (subject_id, id),
  foreign key (subject_id, agenda_item_id) references meeting_agenda_item (subject_id, id)
);

-- Actions about a person: a plan's actions, and actions a meeting agreed about a case on its agenda.
create table early_help_action (
  subject_id          uuid not null references person (subject_id),
  id                  uuid not null,
  case_id             uuid,
  meeting_id          uuid references meeting (id),
  description         text not null,
  owner_id            uuid not null references app_user (id),
  due_on              date not null,
  status              text not null check (status in ('not_started', 'in_progress', 'done', 'dropped')),
  progress_note       text,
  completed_on        date,
  created_by          uuid not null references app_user (id),
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  last_reminded_on    date,
  reviewed_meeting_id uuid references meeting (id),
  primary key (subject_id, id),
  check (case_id is not null or meeting_id is not null)
);
create index early_help_action_owner on early_help_action (owner_id) where status in ('not_started', 'in_progress');
create index early_help_action_open_due on early_help_action (due_on) where status in ('not_started', 'in_progress');
create index early_help_action_meeting on early_help_action (meeting_id) where meeting_id is not null;

create table early_help_review (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  case_id         uuid not null,
  reviewed_on     date not null,
  summary         text not null,
  progress        jsonb not null,                       -- the plan's actions as they stood: status against due date
  next_review_due date not null,
  meeting_id      uuid references meeting (id),
  recorded_by     uuid not null references app_user (id),
  recorded_at     timestamptz not null,
  primary key (subject_id, id),
  foreign key (subject_id, case_id) references early_help_case (subject_id, id)
);

-- An area meeting's action plan (no person in it).
create table meeting_action (
  meeting_id          uuid not null references meeting (id),
  id                  uuid not null,
  description         text not null,
  owner_id            uuid not null references app_user (id),
  due_on              date not null,
  status              text not null check (status in ('not_started', 'in_progress', 'done', 'dropped')),
  progress_note       text,
  created_by          uuid not null references app_user (id),
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  last_reminded_on    date,
  reviewed_meeting_id uuid references meeting (id),
  primary key (meeting_id, id)
);
create index meeting_action_owner on meeting_action (owner_id) where status in ('not_started', 'in_progress');

create table meeting_indicator (
  series_id        uuid not null,
  id               uuid not null,
  name             text not null,
  unit             text not null,
  target           double precision,
  higher_is_better boolean not null,
  created_by       uuid not null references app_user (id),
  created_at       timestamptz not null,
  primary key (series_id, id)
);
create unique index meeting_indicator_name on meeting_indicator (series_id, lower(name));

create table meeting_indicator_value (
  series_id    uuid not null,
  indicator_id uuid not null,
  period_end   date not null,
  value        double precision not null,
  meeting_id   uuid not null references meeting (id),
  recorded_by  uuid not null references app_user (id),
  recorded_at  timestamptz not null,
  primary key (series_id, indicator_id, period_end),
  foreign key (series_id, indicator_id) references meeting_indicator (series_id, id)
);
