import type { DatabaseHandle } from '../db/database.ts';

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
    await this.#h.db
      .updateTable('api_token')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
