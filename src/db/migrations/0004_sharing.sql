-- 0004 sharing: consent to share, sharing decisions (share and not-share) with their approval,
-- disclosures with exactly the items sent, agencies' notes about a person (the items a disclosure
-- can carry), and information sharing agreements between organisations.
-- Citus: consent, consent_evidence, sharing_decision, record_note and disclosure_grant are
-- subject-scoped (subject_id first in the key); sharing_purpose and legal_basis are reference
-- tables; the agreement tables are small partnership-wide tables (reference tables under Citus).

-- ---------- code lists ----------

create table sharing_purpose (
  code        text primary key,
  label       text not null,
  description text not null
);
insert into sharing_purpose (code, label, description) values
  ('safeguarding_child',  'Safeguarding a child',               'Protecting a child from harm, including child protection enquiries'),
  ('safeguarding_adult',  'Safeguarding an adult',              'Protecting an adult at risk of abuse or neglect'),
  ('early_help',          'Early help and family support',      'Coordinating early help for a child and their family'),
  ('care_and_support',    'Care, treatment and support',        'Planning and providing health or social care'),
  ('housing_support',     'Housing and accommodation',          'Finding or keeping safe accommodation'),
  ('crime_prevention',    'Preventing crime and reoffending',   'Preventing or detecting crime, reducing reoffending'),
  ('staff_safety',        'Keeping staff and others safe',      'Letting a service plan visits and work safely'),
  ('education',           'Education and attendance',           'Supporting a child''s education and school attendance'),
  ('service_referral',    'Referral to a service',              'Referring the person to a service that can help'),
  ('mash_enquiry',        'Multi-agency safeguarding hub enquiry', 'Research by agencies in the hub to decide what a family needs');

create table legal_basis (
  code        text primary key,
  kind        text not null check (kind in ('gdpr_article_6', 'gdpr_article_9', 'criminal_offence', 'statute', 'common_law')),
  label       text not null,
  description text not null,
  consent     boolean not null default false  -- this basis IS the person's consent
);
insert into legal_basis (code, kind, label, description, consent) values
  ('gdpr_6_1_a', 'gdpr_article_6', 'UK GDPR article 6(1)(a): consent', 'The person has given clear consent for this purpose', true),
  ('gdpr_6_1_c', 'gdpr_article_6', 'UK GDPR article 6(1)(c): legal obligation', 'Sharing is necessary to comply with the law', false),
  ('gdpr_6_1_d', 'gdpr_article_6', 'UK GDPR article 6(1)(d): vital interests', 'Sharing is necessary to protect someone''s life', false),
  ('gdpr_6_1_e', 'gdpr_article_6', 'UK GDPR article 6(1)(e): public task', 'Sharing is necessary for a task in the public interest or in official authority', false),
  ('gdpr_9_2_a', 'gdpr_article_9', 'UK GDPR article 9(2)(a): explicit consent', 'Explicit consent for special category data', true),
  ('gdpr_9_2_b', 'gdpr_article_9', 'UK GDPR article 9(2)(b): social protection', 'Obligations in social protection law (DPA 2018 schedule 1 part 1)', false),
  ('gdpr_9_2_c', 'gdpr_article_9', 'UK GDPR article 9(2)(c): vital interests', 'Protecting vital interests where the person cannot consent', false),
  ('gdpr_9_2_g', 'gdpr_article_9', 'UK GDPR article 9(2)(g) with DPA 2018 schedule 1 paragraph 18', 'Substantial public interest: safeguarding of children and of individuals at risk', false),
  ('gdpr_9_2_h', 'gdpr_article_9', 'UK GDPR article 9(2)(h): health or social care', 'Provision of health or social care or treatment', false),
  ('dpa_sch1_p18_offence', 'criminal_offence', 'DPA 2018 section 10 and schedule 1 paragraph 18 (criminal offence data)', 'Safeguarding of children and individuals at risk, for criminal offence data', false),
  ('dpa_sch1_p10_offence', 'criminal_offence', 'DPA 2018 section 10 and schedule 1 paragraph 10 (criminal offence data)', 'Preventing or detecting unlawful acts, for criminal offence data', false),
  ('ca1989_s17', 'statute', 'Children Act 1989 section 17', 'Services for children in need', false),
  ('ca1989_s47', 'statute', 'Children Act 1989 section 47', 'Enquiries where a child is suffering, or likely to suffer, significant harm', false),
  ('ca2004_s10', 'statute', 'Children Act 2004 section 10', 'Cooperation to improve the wellbeing of children', false),
  ('ca2004_s11', 'statute', 'Children Act 2004 section 11', 'Arrangements to safeguard and promote the welfare of children', false),
  ('cda1998_s115', 'statute', 'Crime and Disorder Act 1998 section 115', 'Disclosure to prevent or reduce crime and disorder', false),
  ('care2014_s42', 'statute', 'Care Act 2014 section 42', 'Enquiries into the abuse or neglect of an adult at risk', false),
  ('care2014_s45', 'statute', 'Care Act 2014 section 45', 'Supply of information to a safeguarding adults board', false),
  ('common_law_consent', 'common_law', 'Common law duty of confidence: consent', 'The confidence is not breached because the person consented', true),
  ('common_law_public_interest', 'common_law', 'Common law duty of confidence: overriding public interest', 'The public interest in preventing harm outweighs the duty of confidence', false);

-- Special category (UK GDPR article 9) and criminal offence (article 10) data need a further condition.
alter table data_category add column special_category boolean not null default false;
alter table data_category add column criminal_offence boolean not null default false;
update data_category set special_category = true where code = 'health';
update data_category set criminal_offence = true where code in ('police', 'probation', 'youth_justice');
insert into data_category (code, label, description, case_content) values
  ('consent', 'Consent', 'What the person has agreed to share, or refused, with whom and for what', false),
  ('sharing_history', 'Sharing history', 'What was shared about the person, with whom, why and on what basis', false);

-- ---------- consent ----------

-- The evidence for a consent (a signed form): stored in the database, so it is backed up and
-- audited with everything else. Read only through the consent service.
create table consent_evidence (
  subject_id    uuid not null references person (subject_id),
  id            uuid not null,
  filename      text not null,
  content_type  text not null,
  size_bytes    integer not null,
  sha256        text not null,
  content       bytea not null,
  uploaded_by   uuid not null references app_user (id),
  uploaded_at   timestamptz not null,
  primary key (subject_id, id)
);

-- One consent statement: given or refused, by whom, with the capacity to decide assessed, for
-- which purposes, recipients and categories. Never updated except to record its withdrawal, so
-- the history is the rows themselves.
create table consent (
  subject_id              uuid not null references person (subject_id),
  id                      uuid not null,
  decision                text not null check (decision in ('given', 'refused')),
  given_by                text not null check (given_by in ('person', 'parental_responsibility', 'lawful_representative')),
  given_by_subject_id     uuid references person (subject_id),
  given_by_name           text,
  capacity_assessment     text not null check (capacity_assessment in ('gillick', 'mental_capacity', 'presumed')),
  capacity_outcome        text not null check (capacity_outcome in ('capable', 'not_capable')),
  capacity_reasoning      text,
  capacity_assessed_by    uuid references app_user (id),
  capacity_assessed_on    date,
  purposes                text[] not null,
  recipient_organisation_ids uuid[] not null default '{}',
  recipient_organisation_types text[] not null default '{}',
  any_recipient           boolean not null default false,
  categories              text[] not null,
  exceptions              jsonb not null default '[]',  -- nested provisions: [{type, purposes, organisationIds, organisationTypes, categories, from, until}]
  method                  text not null check (method in ('verbal', 'written', 'electronic')),
  evidence_id             uuid,
  valid_from              date not null,
  valid_until             date,
  notes                   text,
  organisation_id         uuid not null references organisation (id),
  recorded_by             uuid not null references app_user (id),
  recorded_at             timestamptz not null,
  withdrawn_at            timestamptz,
  withdrawn_by            uuid references app_user (id),
  withdrawal_reason       text,
  withdrawal_method       text check (withdrawal_method in ('verbal', 'written', 'electronic')),
  source                  text not null default 'app' check (source in ('app', 'api', 'fhir')),
  external_id             text,
  request_key             text,
  primary key (subject_id, id),
  foreign key (subject_id, evidence_id) references consent_evidence (subject_id, id)
);
create unique index consent_request_key on consent (subject_id, request_key) where request_key is not null;
create index consent_organisation on consent (organisation_id, recorded_at desc);

-- ---------- what an agency holds about a person ----------

-- A note, alert or assessment an agency holds about a person: case content of its category,
-- shown to its own practitioners who work with the person, and to others only when disclosed.
create table record_note (
  subject_id      uuid not null references person (subject_id),
  id              uuid not null,
  organisation_id uuid not null references organisation (id),
  category        text not null references data_category (code),
  kind            text not null check (kind in ('note', 'alert', 'assessment', 'risk')),
  title           text not null,
  body            text not null,
  recorded_by     uuid not null references app_user (id),
  recorded_at     timestamptz not null,
  primary key (subject_id, id)
);

-- ---------- information sharing agreements ----------

create table sharing_agreement (
  id              uuid primary key,
  reference       text not null unique,
  title           text not null,
  purposes        text[] not null,
  legal_bases     text[] not null,
  categories      text[] not null,
  retention       text not null,
  start_date      date not null,
  end_date        date,
  review_date     date not null,
  status          text not null check (status in ('draft', 'active', 'suspended', 'ended')),
  notes           text,
  created_by      uuid not null references app_user (id),
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  last_reviewed_at timestamptz,
  last_reminded_at timestamptz
);
create index sharing_agreement_review on sharing_agreement (review_date) where status = 'active';

create table sharing_agreement_party (
  agreement_id     uuid not null references sharing_agreement (id),
  organisation_id  uuid not null references organisation (id),
  signatory_name   text,
  signatory_role   text,
  signed_at        timestamptz,
  signed_by        uuid references app_user (id),
  primary key (agreement_id, organisation_id)
);
create index sharing_agreement_party_org on sharing_agreement_party (organisation_id);

-- ---------- the sharing decision ----------

create table sharing_decision (
  subject_id               uuid not null references person (subject_id),
  id                       uuid not null,
  organisation_id          uuid not null references organisation (id),
  decided_by               uuid not null references app_user (id),
  created_at               timestamptz not null,
  updated_at               timestamptz not null,
  -- the answers, in the order the guidance asks them
  purpose                  text not null references sharing_purpose (code),
  purpose_detail           text not null,
  request_from             text,
  recipient_organisation_id uuid references organisation (id),
  recipient_team_id        uuid references team (id),
  recipient_user_id        uuid references app_user (id),
  recipient_description    text,
  identifies               boolean not null,
  confidential             boolean not null,
  consent_position         text not null check (consent_position in ('given', 'refused', 'withdrawn', 'not_sought', 'not_needed')),
  consent_id               uuid,
  not_seeking_reason       text check (not_seeking_reason in ('unsafe', 'impracticable', 'prejudice_crime', 'cannot_consent')),
  not_seeking_detail       text,
  risk_child               boolean not null default false,
  risk_adult               boolean not null default false,
  public_interest          boolean not null default false,
  risk_detail              text,
  legal_bases              text[] not null default '{}',
  categories               text[] not null default '{}',
  minimum_necessary        text,
  withheld                 text,
  person_told              text not null check (person_told in ('told', 'will_tell', 'not_told')),
  not_told_reason          text,
  outcome                  text not null check (outcome in ('share', 'share_in_part', 'not_share')),
  reasons                  text not null,
  -- what the answers mean
  with_consent             boolean not null,
  override                 boolean not null,      -- shares against a refusal or withdrawal of consent
  emergency                boolean not null default false,
  routine                  boolean not null default false,
  agreement_id             uuid references sharing_agreement (id),
  agreement_status         text check (agreement_status in ('covered', 'not_covered', 'no_agreement', 'not_applicable')),
  one_off_justification    text,
  -- approval
  approval_required        boolean not null,
  approval_status          text check (approval_status in ('pending', 'approved', 'declined')),
  approval_requested_at    timestamptz,
  approved_by              uuid references app_user (id),
  approved_at              timestamptz,
  approval_note            text,
  last_chased_at           timestamptz,
  chase_count              integer not null default 0,
  -- the share itself: exactly what goes, kept here until it is sent (at once, or on approval)
  share_items              jsonb not null default '[]',
  share_message            text,
  share_expires_at         timestamptz,
  status                   text not null check (status in ('awaiting_approval', 'shared', 'recorded', 'declined')),
  disclosure_id            uuid,
  request_key              text,
  primary key (subject_id, id),
  foreign key (subject_id, consent_id) references consent (subject_id, id)
);
create unique index sharing_decision_request_key on sharing_decision (subject_id, request_key) where request_key is not null;
create index sharing_decision_organisation on sharing_decision (organisation_id, created_at desc);
create index sharing_decision_pending on sharing_decision (organisation_id, approval_requested_at) where approval_status = 'pending';

-- ---------- disclosures: the share itself ----------

alter table disclosure_grant add column decision_id uuid;
alter table disclosure_grant add column sender_organisation_id uuid references organisation (id);
alter table disclosure_grant add column message text;
alter table disclosure_grant add column items jsonb not null default '[]';   -- [{type, id?, category}]: exactly what was sent
alter table disclosure_grant add column purpose text references sharing_purpose (code);
alter table disclosure_grant add column acknowledged_at timestamptz;
alter table disclosure_grant add column acknowledged_by uuid references app_user (id);
alter table disclosure_grant add column revoked_by uuid references app_user (id);
alter table disclosure_grant add column revoke_reason text;
create index disclosure_grant_recipient_user on disclosure_grant (recipient_user_id, granted_at desc) where recipient_user_id is not null;
create index disclosure_grant_recipient_team on disclosure_grant (recipient_team_id, granted_at desc) where recipient_team_id is not null;
create index disclosure_grant_recipient_org on disclosure_grant (recipient_organisation_id, granted_at desc) where recipient_organisation_id is not null;
