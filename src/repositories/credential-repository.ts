import type { DatabaseHandle } from '../db/database.ts';
import { principalsChanged } from './principal-changes.ts';

export interface Invitation {
  id: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The practitioner a live API token belongs to: what a Principal is made of. */
export interface ApiTokenOwner {
  tokenId: string;
  id: string;
  email: string;
  displayName: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  organisationCode: string;
  roles: string[];
  teamIds: string[];
  /** When the token itself expires (null: never). */
  tokenExpiresAt: Date | null;
}

/** Invitations and API tokens: both stored only as hashes of the secret handed out. */
export class CredentialRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  async insertInvitation(i: {
    id: string;
    userId: string;
    tokenHash: string;
    createdBy: string | null;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      // A new invitation replaces any earlier one that was not used.
      await trx
        .updateTable('invitation')
        .set({ expires_at: i.createdAt })
        .where('user_id', '=', i.userId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', i.createdAt)
        .execute();
      await trx
        .insertInto('invitation')
        .values({
          id: i.id,
          user_id: i.userId,
          token_hash: i.tokenHash,
          created_by: i.createdBy,
          created_at: i.createdAt,
          expires_at: i.expiresAt,
          used_at: null,
        })
        .execute();
    });
  }

  async findInvitation(tokenHash: string): Promise<Invitation | undefined> {
    const r = await this.#h.db
      .selectFrom('invitation')
      .select(['id', 'user_id', 'expires_at', 'used_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && { id: r.id, userId: r.user_id, expiresAt: r.expires_at, usedAt: r.used_at };
  }

  /** Marks an invitation used; false when it was already used (a double submission). */
  async useInvitation(id: string, now: Date): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('invitation')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertApiToken(t: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    createdAt: Date;
    expiresAt: Date | null;
  }): Promise<void> {
    await this.#h.db
      .insertInto('api_token')
      .values({
        id: t.id,
        user_id: t.userId,
        name: t.name,
        token_hash: t.tokenHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
  }

  async findApiToken(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const r = await this.#h.db
      .selectFrom('api_token')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        userId: r.user_id,
        name: r.name,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
        lastUsedAt: r.last_used_at,
      }
    );
  }

  /**
   * Authenticates a bearer token in one statement: the live (unrevoked, unexpired) token of an
   * active practitioner, with their organisation, roles and teams; and, at most once a minute per
   * token, its last use recorded. Undefined for an unknown, revoked or expired token or an account
   * that is not active.
   */
  async findLiveApiTokenOwner(tokenHash: string, now: Date): Promise<ApiTokenOwner | undefined> {
    const [r] = await this.#h.query<{
      token_id: string;
      id: string;
      email: string;
      display_name: string;
      organisation_id: string;
      organisation_name: string;
      organisation_type: string;
      organisation_code: string;
      roles: string[];
      team_ids: string[];
      token_expires_at: Date | null;
    }>(
      `with t as (
         select t.id, t.user_id, t.last_used_at, t.expires_at
           from api_token t join app_user u on u.id = t.user_id and u.status = 'active'
          where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)
       ), touched as (
         update api_token a set last_used_at = $2 from t
          where a.id = t.id and (t.last_used_at is null or t.last_used_at < $2::timestamptz - interval '60 seconds')
       )
       select t.id as token_id, t.expires_at as token_expires_at, u.id, u.email, u.display_name, u.organisation_id, o.name as organisation_name,
              o.type_code as organisation_type, o.official_code as organisation_code,
              coalesce((select array_agg(r.role_code order by r.role_code) from user_role r where r.user_id = u.id), '{}') as roles,
              coalesce((select array_agg(m.team_id::text order by m.team_id) from team_member m where m.user_id = u.id), '{}') as team_ids
         from t join app_user u on u.id = t.user_id join organisation o on o.id = u.organisation_id`,
      [tokenHash, now],
      { name: 'credentials_live_api_token_owner' },
    );
    return (
      r && {
        tokenId: r.token_id,
        id: r.id,
        email: r.email,
        displayName: r.display_name,
        organisationId: r.organisation_id,
        organisationName: r.organisation_name,
        organisationType: r.organisation_type,
        organisationCode: r.organisation_code,
        roles: r.roles,
        teamIds: r.team_ids,
        tokenExpiresAt: r.token_expires_at,
      }
    );
  }

  async touchApiToken(id: string, now: Date): Promise<void> {
    await this.#h.db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async listApiTokens(userId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.#h.db
      .selectFrom('api_token')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  async revokeApiTokensOf(userId: string, now: Date): Promise<void> {
    try {
      await this.#h.db
        .updateTable('api_token')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    } finally {
      principalsChanged(); // after the write: see principal-changes.ts
    }
  }
}
