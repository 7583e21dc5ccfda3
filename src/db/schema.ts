import type { ColumnType, Generated } from 'kysely';

/** Timestamps are written as Date and read as Date on both PostgreSQL and PGlite. */
type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganisationTypeTable {
  code: string;
  label: string;
  code_scheme: string;
  case_category: string;
}

export interface RoleTable {
  code: string;
  label: string;
  description: string;
}

export interface OrganisationTable {
  id: string;
  name: string;
  type_code: string;
  official_code: string;
  email_domain: string | null;
  oidc_issuer: string | null;
  oidc_client_id: string | null;
  oidc_client_secret: string | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TeamTable {
  id: string;
  organisation_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  created_at: Timestamp;
}

export type UserStatus = 'invited' | 'active' | 'deactivated';

export interface AppUserTable {
  id: string;
  organisation_id: string;
  email: string;
  display_name: string;
  job_title: string | null;
  phone: string | null;
  status: UserStatus;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enrolled_at: Timestamp | null;
  totp_last_step: ColumnType<number | null, number | null, number | null>;
  oidc_subject: string | null;
  failed_attempts: Generated<number>;
  locked_until: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  is_demo: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserRoleTable {
  user_id: string;
  role_code: string;
}

export interface TeamMemberTable {
  team_id: string;
  user_id: string;
}

export interface InvitationTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface WebSessionTable {
  sid: string;
  data: Json<Record<string, unknown>>;
  expires_at: Timestamp;
}

export interface AppSettingTable {
  key: string;
  value: Json<unknown>;
}

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEventTable {
  seq: ColumnType<number, number, never>;
  id: string;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  roles: string[];
  action: string;
  outcome: AuditOutcome;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

type DateOnly = ColumnType<string, string, string>;

export interface DataCategoryTable {
  code: string;
  label: string;
  description: string;
  case_content: boolean;
}

export interface RelationshipTypeTable {
  code: string;
  label: string;
  inverse_code: string;
  parental: boolean;
}

export interface InvolvementRoleTable {
  code: string;
  label: string;
}

export interface ServiceTable {
  id: string;
  organisation_id: string;
  name: string;
  category: string;
  sensitive_kind: string | null;
  email: string | null;
  phone: string | null;
  created_at: Timestamp;
}

export interface PersonTable {
  subject_id: string;
  sex: string;
  gender: string | null;
  date_of_birth: DateOnly | null;
  dob_precision: string;
  shielded: Generated<boolean>;
  deceased: Generated<boolean>;
  date_of_death: DateOnly | null;
  created_at: Timestamp;
  created_by: string | null;
  updated_at: Timestamp;
  request_key: string | null;
}

export interface PersonNameTable {
  subject_id: string;
  id: string;
  kind: string;
  given_names: string;
  family_name: string;
  given_norm: string;
  family_norm: string;
  family_phonetic: string;
  given_phonetic: string;
  created_at: Timestamp;
}

export interface PersonIdentifierTable {
  subject_id: string;
  id: string;
  scheme: string;
  value: string;
  organisation_id: string | null;
  created_at: Timestamp;
}

export interface PersonAddressTable {
  subject_id: string;
  id: string;
  line1: string;
  line2: string | null;
  town: string | null;
  postcode: string;
  from_date: DateOnly | null;
  to_date: DateOnly | null;
  created_at: Timestamp;
}

export interface RelationshipTable {
  subject_id: string;
  id: string;
  pair_id: string;
  related_subject_id: string;
  type: string;
  from_date: DateOnly | null;
  to_date: DateOnly | null;
  created_at: Timestamp;
  created_by: string | null;
}

export interface HouseholdTable {
  id: string;
  created_at: Timestamp;
  label: string | null;
  /** The household's address: all of line1 and postcode, or neither. */
  line1: string | null;
  line2: string | null;
  town: string | null;
  postcode: string | null;
  created_by: string | null;
}

export interface HouseholdMemberTable {
  subject_id: string;
  id: string;
  household_id: string;
  from_date: DateOnly | null;
  to_date: DateOnly | null;
  created_at: Timestamp | null;
  created_by: string | null;
  ended_by: string | null;
}

export interface InvolvementTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  service_id: string | null;
  team_id: string | null;
  practitioner_id: string | null;
  role: string;
  start_date: DateOnly;
  end_date: DateOnly | null;
  early_help_assessment: Generated<boolean>;
  consent_to_show: Generated<boolean>;
  created_at: Timestamp;
  created_by: string | null;
  ended_by: string | null;
  end_reason: string | null;
}

export interface EnquiryTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  opened_by: string;
  opened_at: Timestamp;
  closed_at: Timestamp | null;
  reason: string;
}

export interface DisclosureGrantTable {
  subject_id: string;
  id: string;
  recipient_user_id: string | null;
  recipient_team_id: string | null;
  recipient_organisation_id: string | null;
  categories: string[];
  granted_by: string | null;
  granted_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  decision_id: string | null;
  sender_organisation_id: string | null;
  message: string | null;
  items: ColumnType<Array<{ type: string; id: string | null; category: string }>, string | undefined, string>;
  purpose: string | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export interface SharingPurposeTable {
  code: string;
  label: string;
  description: string;
}

export interface LegalBasisTable {
  code: string;
  kind: string;
  label: string;
  description: string;
  consent: boolean;
}

export interface ConsentEvidenceTable {
  subject_id: string;
  id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
  uploaded_by: string;
  uploaded_at: Timestamp;
}

export interface ConsentExceptionJson {
  type: 'deny' | 'permit';
  purposes: string[];
  organisationIds: string[];
  organisationTypes: string[];
  categories: string[];
  from?: string | null;
  until?: string | null;
}

export interface ConsentTable {
  subject_id: string;
  id: string;
  decision: 'given' | 'refused';
  given_by: 'person' | 'parental_responsibility' | 'lawful_representative';
  given_by_subject_id: string | null;
  given_by_name: string | null;
  capacity_assessment: 'gillick' | 'mental_capacity' | 'presumed';
  capacity_outcome: 'capable' | 'not_capable';
  capacity_reasoning: string | null;
  capacity_assessed_by: string | null;
  capacity_assessed_on: string | null;
  purposes: string[];
  recipient_organisation_ids: string[];
  recipient_organisation_types: string[];
  any_recipient: boolean;
  categories: string[];
  exceptions: ColumnType<ConsentExceptionJson[], string | undefined, string>;
  method: 'verbal' | 'written' | 'electronic';
  evidence_id: string | null;
  valid_from: string;
  valid_until: string | null;
  notes: string | null;
  organisation_id: string;
  recorded_by: string;
  recorded_at: Timestamp;
  withdrawn_at: Timestamp | null;
  withdrawn_by: string | null;
  withdrawal_reason: string | null;
  withdrawal_method: string | null;
  source: 'app' | 'api' | 'fhir';
  external_id: string | null;
  request_key: string | null;
}

export interface RecordNoteTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  category: string;
  kind: 'note' | 'alert' | 'assessment' | 'risk';
  title: string;
  body: string;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface SharingAgreementTable {
  id: string;
  reference: string;
  title: string;
  purposes: string[];
  legal_bases: string[];
  categories: string[];
  retention: string;
  start_date: string;
  end_date: string | null;
  review_date: string;
  status: 'draft' | 'active' | 'suspended' | 'ended';
  notes: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_reviewed_at: Timestamp | null;
  last_reminded_at: Timestamp | null;
}

export interface SharingAgreementPartyTable {
  agreement_id: string;
  organisation_id: string;
  signatory_name: string | null;
  signatory_role: string | null;
  signed_at: Timestamp | null;
  signed_by: string | null;
}

export interface SharingDecisionTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  decided_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  purpose: string;
  purpose_detail: string;
  request_from: string | null;
  recipient_organisation_id: string | null;
  recipient_team_id: string | null;
  recipient_user_id: string | null;
  recipient_description: string | null;
  identifies: boolean;
  confidential: boolean;
  consent_position: 'given' | 'refused' | 'withdrawn' | 'not_sought' | 'not_needed';
  consent_id: string | null;
  not_seeking_reason: string | null;
  not_seeking_detail: string | null;
  risk_child: boolean;
  risk_adult: boolean;
  public_interest: boolean;
  risk_detail: string | null;
  legal_bases: string[];
  categories: string[];
  minimum_necessary: string | null;
  withheld: string | null;
  person_told: 'told' | 'will_tell' | 'not_told';
  not_told_reason: string | null;
  outcome: 'share' | 'share_in_part' | 'not_share';
  reasons: string;
  with_consent: boolean;
  override: boolean;
  emergency: boolean;
  routine: boolean;
  agreement_id: string | null;
  agreement_status: 'covered' | 'not_covered' | 'no_agreement' | 'not_applicable' | null;
  one_off_justification: string | null;
  approval_required: boolean;
  approval_status: 'pending' | 'approved' | 'declined' | null;
  approval_requested_at: Timestamp | null;
  approved_by: string | null;
  approved_at: Timestamp | null;
  approval_note: string | null;
  last_chased_at: Timestamp | null;
  chase_count: number;
  share_items: ColumnType<Array<{ type: string; id: string | null; category: string }>, string | undefined, string>;
  share_message: string | null;
  share_expires_at: Timestamp | null;
  status: 'awaiting_approval' | 'shared' | 'recorded' | 'declined';
  disclosure_id: string | null;
  request_key: string | null;
}

export interface BreakGlassTable {
  subject_id: string;
  id: string;
  user_id: string;
  organisation_id: string;
  reason: string;
  started_at: Timestamp;
  expires_at: Timestamp;
  reviewed_at: Timestamp | null;
  reviewed_by: string | null;
  review_outcome: string | null;
  review_note: string | null;
  /** The (London) day the IG leads were last reminded to review it (0006). */
  last_reminded_on: DateOnly | null;
}

export interface NotificationTable {
  id: string;
  recipient_user_id: string;
  kind: string;
  subject_id: string | null;
  message: string;
  link: string | null;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

// ---------- 0007 agency data feeds ----------

export interface FeedKindTable {
  code: string;
  label: string;
}

export interface FeedTable {
  organisation_id: string;
  id: string;
  name: string;
  kind: string;
  format: string;
  mapping: Json<Record<string, unknown>>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ImportRunTable {
  organisation_id: string;
  id: string;
  feed_id: string;
  status: string;
  rows_seen: Generated<number>;
  rows_accepted: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_rejected: Generated<number>;
  bytes_read: Generated<number>;
  bytes_total: number | null;
  checkpoint_row: Generated<number>;
  file_sha256: string | null;
  started_by: string;
  started_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
  failure: string | null;
}

export interface ImportErrorTable {
  organisation_id: string;
  run_id: string;
  row_number: number;
  seq: number;
  column_name: string | null;
  value_excerpt: string | null;
  reason: string;
}

export interface SourceRecordTable {
  organisation_id: string;
  kind: string;
  source_record_id: string;
  feed_id: string;
  person_record_id: string | null;
  given_names: string | null;
  family_name: string | null;
  date_of_birth: DateOnly | null;
  sex: string | null;
  nhs_number: string | null;
  postcode: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  role: string | null;
  practitioner_name: string | null;
  team_name: string | null;
  start_date: DateOnly | null;
  end_date: DateOnly | null;
  event_type: string | null;
  description: string | null;
  raw: Json<Record<string, unknown>>;
  content_sha256: string;
  first_seen_at: Timestamp;
  last_changed_at: Timestamp;
  first_run_id: string;
  last_run_id: string;
  subject_id: string | null;
}

export interface ReachAreaTable {
  organisation_id: string;
  prefix: string;
  created_at: Timestamp;
}

/** 0010: the worker-curated chronology (significant marks and analysis). */
export interface ChronologyEntryTable {
  subject_id: string;
  id: string;
  item_key: string | null;
  significant: boolean;
  entry_date: string;
  analysis: string | null;
  organisation_id: string;
  category: string;
  recorded_by: string;
  recorded_at: Timestamp;
}

/** 0012: the front door (MASH contacts, research, threshold decisions); see src/repositories/front-door-repository.ts. */
export interface FrontDoorCodeTable {
  code: string;
  label: string;
  sort: number;
}
export interface FrontDoorRatingTable extends FrontDoorCodeTable {
  default_hours: number;
  default_warn_hours: number;
}
export interface FrontDoorTimescaleTable {
  organisation_id: string;
  rating: string;
  hours: number;
  warn_hours: number;
  updated_by: string;
  updated_at: Timestamp;
}
export interface FrontDoorContactTable {
  organisation_id: string;
  id: string;
  reference: string;
  source: string;
  received_at: Timestamp;
  recorded_by: string | null;
  referrer_user_id: string | null;
  referrer_name: string;
  referrer_role: string | null;
  referrer_organisation_id: string | null;
  referrer_organisation: string | null;
  referrer_email: string | null;
  referrer_phone: string | null;
  external_reference: string | null;
  summary: string;
  family_knows: string;
  family_view: string | null;
  referrer_urgency: string;
  status: string;
  rating: string | null;
  rating_reason: string | null;
  rated_by: string | null;
  rated_at: Timestamp | null;
  due_at: Timestamp | null;
  warned_at: Timestamp | null;
  breach_reported_at: Timestamp | null;
  decided_at: Timestamp | null;
  re_referral: Generated<boolean>;
  previous_contact_id: string | null;
  previous_outcome: string | null;
  previous_decided_at: Timestamp | null;
  legal_bases: string[] | null;
}
export interface FrontDoorContactCategoryTable {
  organisation_id: string;
  contact_id: string;
  category: string;
}
export interface FrontDoorContactPersonTable {
  organisation_id: string;
  contact_id: string;
  id: string;
  position: number;
  role: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
  postcode: string | null;
  relationship: string | null;
  subject_id: string | null;
  enquiry_id: string | null;
  matched_by: string | null;
  matched_at: Timestamp | null;
}
export interface FrontDoorResearchRequestTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  contact_id: string;
  contact_person_id: string;
  agency_organisation_id: string;
  question: string;
  sent_identity: Json<{ givenNames: string; familyName: string; dateOfBirth: string | null; postcode: string | null }>;
  requested_by: string;
  requested_at: Timestamp;
  due_at: Timestamp;
  legal_bases: string[];
  status: string;
  nothing_held: boolean | null;
  decline_consideration: string | null;
  decline_reason: string | null;
  decline_ask_instead: string | null;
  decline_ask_again_on: string | null;
  responded_by: string | null;
  responded_at: Timestamp | null;
  overdue_notified_at: Timestamp | null;
}
export interface FrontDoorResearchItemTable {
  subject_id: string;
  id: string;
  request_id: string;
  position: number;
  category: string;
  summary: string;
  linked_record_kind: string | null;
  linked_record_id: string | null;
  withheld_from_family: boolean;
  withheld_reason: string | null;
}
export interface FrontDoorDecisionTable {
  organisation_id: string;
  contact_id: string;
  level: string;
  outcome: string;
  rationale: string;
  advice: string | null;
  service_id: string | null;
  service_name: string | null;
  lead_professional: string | null;
  decided_by: string;
  decided_at: Timestamp;
  sign_off: string;
  signed_off_by: string | null;
  signed_off_at: Timestamp | null;
  manager_comment: string | null;
  referrer_told_at: Timestamp | null;
  referrer_told_by: string | null;
  referrer_told_how: string | null;
}
export interface FrontDoorFeedbackTable {
  organisation_id: string;
  contact_id: string;
  referrer_organisation_id: string | null;
  quality: string;
  comments: string;
  given_by: string;
  given_at: Timestamp;
}

// ---------- 0011 service directory (Open Referral UK) ----------

export interface DirectoryTaxonomyTable { id: string; name: string; description: string; uri: string | null; version: string | null }
export interface DirectoryTaxonomyTermTable {
  id: string; taxonomy_id: string | null; parent_id: string | null; code: string | null; name: string; description: string; term_uri: string | null;
}
export interface DirectoryOrganizationTable {
  id: string; name: string; description: string; email: string | null; website: string | null; uri: string | null; logo: string | null;
  owner_organisation_id: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface DirectoryLocationTable {
  id: string; organization_id: string | null; location_type: string; name: string | null; description: string | null;
  latitude: number | null; longitude: number | null; address_id: string | null; address_1: string | null; address_2: string | null;
  city: string | null; state_province: string | null; postal_code: string | null; country: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface DirectoryServiceTable {
  id: string; organization_id: string; owner_organisation_id: string; name: string; description: string | null; url: string | null;
  email: string | null; phone: string | null; status: string; fees: string | null; accreditations: string | null;
  minimum_age: number | null; maximum_age: number | null; eligibility_description: string | null; application_process: string | null;
  takes_referrals: boolean; alert: string | null; assured_date: string | null; assurer_email: string | null; published: boolean;
  published_at: Timestamp | null; last_checked_on: string; last_modified: Timestamp; last_reminded_at: Timestamp | null; created_at: Timestamp;
  search_vector: string;
}
export interface DirectoryServiceEditTable {
  id: string; service_id: string; proposed: Json<unknown>; status: 'pending' | 'approved' | 'rejected'; submitted_by: string; submitted_at: Timestamp;
  decided_by: string | null; decided_at: Timestamp | null; decision_note: string | null;
}
export interface DirectoryServiceAttributeTable { id: string; service_id: string; taxonomy_term_id: string }
export interface DirectoryServiceAtLocationTable { id: string; service_id: string; location_id: string; latitude: number | null; longitude: number | null }
export interface DirectoryContactTable { id: string; service_id: string; name: string | null; title: string | null; email: string | null; phone: string | null }
export interface PostcodeCentroidTable { pcds: string; latitude: number; longitude: number; imported_at: Timestamp }
export interface ServiceReferralTable {
  subject_id: string; id: string; service_id: string; to_organisation_id: string; from_organisation_id: string; referred_by: string;
  consent_id: string; reason: string; categories: string[]; status: 'sent' | 'accepted' | 'declined'; created_at: Timestamp;
}

// ---------- early help (0013) ----------

export interface EarlyHelpCaseTable {
  subject_id: string;
  id: string;
  organisation_id: string;
  opened_by: string;
  opened_at: Timestamp;
  reason: string;
  review_interval_days: number;
  next_review_due: DateOnly;
  status: 'open' | 'closed';
  closed_at: Timestamp | null;
  closed_by: string | null;
  outcome: string | null;
  outcome_summary: string | null;
  stepped_to_organisation_id: string | null;
  stepped_to_involvement_id: string | null;
}

export interface EarlyHelpAssessmentTable {
  subject_id: string;
  id: string;
  case_id: string;
  version: number;
  status: 'draft' | 'complete';
  answers: Json<Record<string, { strengths: string; needs: string }>>;
  child_words: string | null;
  family_words: string | null;
  assessment_consent: 'given' | 'refused' | null;
  assessment_consent_id: string | null;
  consent_given_by: 'person' | 'parental_responsibility' | 'lawful_representative' | null;
  consent_given_by_name: string | null;
  share_consent: 'given' | 'refused' | null;
  sharing_consent_id: string | null;
  pages_saved: string[];
  started_by: string;
  started_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
  completed_by: string | null;
  completed_at: Timestamp | null;
}

export interface EarlyHelpHandoverTable {
  subject_id: string;
  id: string;
  case_id: string;
  from_user_id: string | null;
  to_user_id: string;
  involvement_id: string;
  note: string | null;
  recorded_by: string;
  handed_over_at: Timestamp;
}

export interface MeetingTable {
  id: string;
  series_id: string;
  kind: string;
  title: string;
  organisation_id: string;
  held_on: DateOnly;
  location: string | null;
  legal_bases: string[];
  status: 'scheduled' | 'held';
  notes: string | null;
  created_by: string;
  created_at: Timestamp;
}

export interface MeetingAttendeeTable {
  meeting_id: string;
  user_id: string;
  organisation_id: string;
  added_by: string;
  added_at: Timestamp;
}

export interface MeetingAgendaItemTable {
  subject_id: string;
  id: string;
  meeting_id: string;
  reason: string;
  added_by: string;
  added_at: Timestamp;
  decision: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
}

export interface MeetingContributionTable {
  subject_id: string;
  id: string;
  meeting_id: string;
  agenda_item_id: string;
  organisation_id: string;
  author_id: string;
  body: string;
  created_at: Timestamp;
}

export interface EarlyHelpActionTable {
  subject_id: string;
  id: string;
  case_id: string | null;
  meeting_id: string | null;
  description: string;
  owner_id: string;
  due_on: DateOnly;
  status: 'not_started' | 'in_progress' | 'done' | 'dropped';
  progress_note: string | null;
  completed_on: DateOnly | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_reminded_on: DateOnly | null;
  reviewed_meeting_id: string | null;
}

export interface EarlyHelpReviewTable {
  subject_id: string;
  id: string;
  case_id: string;
  reviewed_on: DateOnly;
  summary: string;
  progress: Json<unknown>;
  next_review_due: DateOnly;
  meeting_id: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface MeetingActionTable {
  meeting_id: string;
  id: string;
  description: string;
  owner_id: string;
  due_on: DateOnly;
  status: 'not_started' | 'in_progress' | 'done' | 'dropped';
  progress_note: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_reminded_on: DateOnly | null;
  reviewed_meeting_id: string | null;
}

export interface MeetingIndicatorTable {
  series_id: string;
  id: string;
  name: string;
  unit: string;
  target: number | null;
  higher_is_better: boolean;
  created_by: string;
  created_at: Timestamp;
}

export interface MeetingIndicatorValueTable {
  series_id: string;
  indicator_id: string;
  period_end: DateOnly;
  value: number;
  meeting_id: string;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface EarlyHelpCodeTable {
  code: string;
  label: string;
}

export interface Database {
  early_help_domain: EarlyHelpCodeTable & { position: number };
  early_help_element: EarlyHelpCodeTable & { domain_code: string; position: number };
  early_help_outcome: EarlyHelpCodeTable;
  meeting_kind: EarlyHelpCodeTable & { individual_cases: boolean; interval_days: number; description: string };
  early_help_case: EarlyHelpCaseTable;
  early_help_assessment: EarlyHelpAssessmentTable;
  early_help_handover: EarlyHelpHandoverTable;
  early_help_action: EarlyHelpActionTable;
  early_help_review: EarlyHelpReviewTable;
  meeting: MeetingTable;
  meeting_attendee: MeetingAttendeeTable;
  meeting_agenda_item: MeetingAgendaItemTable;
  meeting_contribution: MeetingContributionTable;
  meeting_action: MeetingActionTable;
  meeting_indicator: MeetingIndicatorTable;
  meeting_indicator_value: MeetingIndicatorValueTable;
  data_category: DataCategoryTable;
  relationship_type: RelationshipTypeTable;
  involvement_role: InvolvementRoleTable;
  service: ServiceTable;
  person: PersonTable;
  person_name: PersonNameTable;
  person_identifier: PersonIdentifierTable;
  person_address: PersonAddressTable;
  relationship: RelationshipTable;
  household: HouseholdTable;
  household_member: HouseholdMemberTable;
  involvement: InvolvementTable;
  enquiry: EnquiryTable;
  disclosure_grant: DisclosureGrantTable;
  sharing_purpose: SharingPurposeTable;
  legal_basis: LegalBasisTable;
  consent_evidence: ConsentEvidenceTable;
  consent: ConsentTable;
  record_note: RecordNoteTable;
  sharing_agreement: SharingAgreementTable;
  sharing_agreement_party: SharingAgreementPartyTable;
  sharing_decision: SharingDecisionTable;
  break_glass: BreakGlassTable;
  notification: NotificationTable;
  organisation_type: OrganisationTypeTable;
  role: RoleTable;
  organisation: OrganisationTable;
  team: TeamTable;
  app_user: AppUserTable;
  user_role: UserRoleTable;
  team_member: TeamMemberTable;
  invitation: InvitationTable;
  api_token: ApiTokenTable;
  web_session: WebSessionTable;
  app_setting: AppSettingTable;
  audit_event: AuditEventTable;
  audit_head: AuditHeadTable;
  schema_migration: SchemaMigrationTable;
  feed_kind: FeedKindTable;
  feed: FeedTable;
  import_run: ImportRunTable;
  import_error: ImportErrorTable;
  source_record: SourceRecordTable;
  reach_area: ReachAreaTable;
  directory_taxonomy: DirectoryTaxonomyTable;
  directory_taxonomy_term: DirectoryTaxonomyTermTable;
  directory_organization: DirectoryOrganizationTable;
  directory_location: DirectoryLocationTable;
  directory_service: DirectoryServiceTable;
  directory_service_edit: DirectoryServiceEditTable;
  directory_service_attribute: DirectoryServiceAttributeTable;
  directory_service_at_location: DirectoryServiceAtLocationTable;
  directory_contact: DirectoryContactTable;
  postcode_centroid: PostcodeCentroidTable;
  service_referral: ServiceReferralTable;
  front_door_concern_category: FrontDoorCodeTable;
  front_door_rating: FrontDoorRatingTable;
  front_door_level: FrontDoorCodeTable;
  front_door_outcome: FrontDoorCodeTable;
  front_door_timescale: FrontDoorTimescaleTable;
  front_door_contact: FrontDoorContactTable;
  front_door_contact_category: FrontDoorContactCategoryTable;
  front_door_contact_person: FrontDoorContactPersonTable;
  front_door_research_request: FrontDoorResearchRequestTable;
  front_door_decline_consideration: FrontDoorCodeTable;
  front_door_research_item: FrontDoorResearchItemTable;
  front_door_decision: FrontDoorDecisionTable;
  front_door_feedback: FrontDoorFeedbackTable;
  chronology_entry: ChronologyEntryTable;
}
