import type { DatabaseHandle } from '../db/database.ts';

/** Server-side web sessions. The browser holds only a signed random id. */
export class SessionRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  async get(sid: string, now: Date): Promise<Record<string, unknown> | undefined> {
    const r = await this.#h.db
      .selectFrom('web_session')
      .select('data')
      .where('sid', '=', sid)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r?.data;
  }

  async set(sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    const json = JSON.stringify(data);
    await this.#h.db
      .insertInto('web_session')
      .values({ sid, data: json, expires_at: expiresAt })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: json, expires_at: expiresAt }))
      .execute();
  }

  async touch(sid: string, expiresAt: Date): Promise<void> {
    await this.#h.db.updateTable('web_session').set({ expires_at: expiresAt }).where('sid', '=', sid).execute();
  }

  async destroy(sid: string): Promise<void> {
    await this.#h.db.deleteFrom('web_session').where('sid', '=', sid).execute();
  }

  /** Ends every session of a user (deactivation, second-factor reset). */
  async destroyForUser(userId: string): Promise<number> {
    const r = await this.#h.query<{ sid: string }>(
      `delete from web_session where data->>'userId' = $1 or data->>'pendingUserId' = $1 returning sid`,
      [userId],
    );
    return r.length;
  }

  async purgeExpired(now: Date): Promise<number> {
    const r = await this.#h.db.deleteFrom('web_session').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
