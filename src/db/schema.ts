import type { ColumnType, Generated } from 'kysely';

/** Timestamps are written as Date and read as Date on both PostgreSQL and PGlite. */
type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganisationTypeTable {
  code: string;
  label: string;
  code_scheme: string;
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

export interface Database {
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
}
