import type { DatabaseHandle } from '../db/database.ts';

export class SettingRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const r = await this.#h.db.selectFrom('app_setting').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    await this.#h.db
      .insertInto('app_setting')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json }))
      .execute();
  }
}
