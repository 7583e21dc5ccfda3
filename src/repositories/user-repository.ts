import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { UserStatus } from '../db/schema.ts';
import { principalsChanged } from './principal-changes.ts';

export interface User {
  id: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  organisationCode: string;
  email: string;
  displayName: string;
  jobTitle: string | null;
  phone: string | null;
  status: UserStatus;
  passwordHash: string | null;
  totpSecret: string | null;
  totpEnrolledAt: Date | null;
  totpLastStep: number | null;
  oidcSubject: string | null;
  failedAttempts: number;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
  isDemo: boolean;
  roles: string[];
  teamIds: string[];
}

export interface UserListFilter {
  organisationId?: string | undefined;
  text?: string | undefined;
  status?: UserStatus | undefined;
  limit?: number | undefined;
}

export interface NewUser {
  id: string;
  organisationId: string;
  email: string;
  displayName: string;
  jobTitle: string | null;
  phone: string | null;
  status: UserStatus;
  passwordHash?: string | null;
  isDemo?: boolean;
  roles: string[];
  teamIds: string[];
}

export class UserRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  #base() {
    return this.#h.db
      .selectFrom('app_user as u')
      .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
      .select([
        'u.id',
        'u.organisation_id',
        'o.name as organisation_name',
        'o.type_code as organisation_type',
        'o.official_code as organisation_code',
        'u.email',
        'u.display_name',
        'u.job_title',
        'u.phone',
        'u.status',
        'u.password_hash',
        'u.totp_secret',
        'u.totp_enrolled_at',
        'u.totp_last_step',
        'u.oidc_subject',
        'u.failed_attempts',
        'u.locked_until',
        'u.last_sign_in_at',
        'u.is_demo',
        sql<string[]>`coalesce((select array_agg(r.role_code order by r.role_code) from user_role r where r.user_id = u.id), '{}')`.as(
          'roles',
        ),
        sql<string[]>`coalesce((select array_agg(m.team_id::text order by m.team_id) from team_member m where m.user_id = u.id), '{}')`.as(
          'team_ids',
        ),
      ]);
  }

  static #map(r: Record<string, unknown>): User {
    return {
      id: r.id as string,
      organisationId: r.organisation_id as string,
      organisationName: r.organisation_name as string,
      organisationType: r.organisation_type as string,
      organisationCode: r.organisation_code as string,
      email: r.email as string,
      displayName: r.display_name as string,
      jobTitle: (r.job_title as string | null) ?? null,
      phone: (r.phone as string | null) ?? null,
      status: r.status as UserStatus,
      passwordHash: (r.password_hash as string | null) ?? null,
      totpSecret: (r.totp_secret as string | null) ?? null,
      totpEnrolledAt: (r.totp_enrolled_at as Date | null) ?? null,
      totpLastStep: r.totp_last_step == null ? null : Number(r.totp_last_step),
      oidcSubject: (r.oidc_subject as string | null) ?? null,
      failedAttempts: Number(r.failed_attempts ?? 0),
      lockedUntil: (r.locked_until as Date | null) ?? null,
      lastSignInAt: (r.last_sign_in_at as Date | null) ?? null,
      isDemo: Boolean(r.is_demo),
      roles: (r.roles as string[]) ?? [],
      teamIds: (r.team_ids as string[]) ?? [],
    };
  }

  async findById(id: string): Promise<User | undefined> {
    const r = await this.#base().where('u.id', '=', id).executeTakeFirst();
    return r && UserRepository.#map(r);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const r = await this.#base()
      .where(sql<boolean>`lower(u.email) = ${email.trim().toLowerCase()}`)
      .executeTakeFirst();
    return r && UserRepository.#map(r);
  }

  async findByOidcSubject(organisationId: string, subject: string): Promise<User | undefined> {
    const r = await this.#base()
      .where('u.organisation_id', '=', organisationId)
      .where('u.oidc_subject', '=', subject)
      .executeTakeFirst();
    return r && UserRepository.#map(r);
  }

  async list(f: UserListFilter): Promise<User[]> {
    let q = this.#base();
    if (f.organisationId) q = q.where('u.organisation_id', '=', f.organisationId);
    if (f.status) q = q.where('u.status', '=', f.status);
    if (f.text) {
      const like = `%${f.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`(lower(u.display_name) like ${like} or lower(u.email) like ${like})`);
    }
    const rows = await q
      .orderBy('o.name')
      .orderBy('u.display_name')
      .limit(f.limit ?? 500)
      .execute();
    return rows.map(UserRepository.#map);
  }

  async listDemo(): Promise<User[]> {
    const rows = await this.#base().where('u.is_demo', '=', true).orderBy('u.email').execute();
    return rows.map(UserRepository.#map);
  }

  async insert(u: NewUser, now: Date): Promise<void> {
    await this.#h.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('app_user')
        .values({
          id: u.id,
          organisation_id: u.organisationId,
          email: u.email.trim(),
          display_name: u.displayName,
          job_title: u.jobTitle,
          phone: u.phone,
          status: u.status,
          password_hash: u.passwordHash ?? null,
          is_demo: u.isDemo ?? false,
          totp_secret: null,
          totp_enrolled_at: null,
          totp_last_step: null,
          oidc_subject: null,
          locked_until: null,
          last_sign_in_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      if (u.roles.length > 0) {
        await trx
          .insertInto('user_role')
          .values(u.roles.map((role_code) => ({ user_id: u.id, role_code })))
          .execute();
      }
      if (u.teamIds.length > 0) {
        await trx
          .insertInto('team_member')
          .values(u.teamIds.map((team_id) => ({ team_id, user_id: u.id })))
          .execute();
      }
    });
  }

  async updateProfile(
    id: string,
    p: { displayName: string; jobTitle: string | null; phone: string | null; roles: string[]; teamIds: string[] },
    now: Date,
  ): Promise<void> {
    try {
      await this.#h.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('app_user')
          .set({ display_name: p.displayName, job_title: p.jobTitle, phone: p.phone, updated_at: now })
          .where('id', '=', id)
          .execute();
        await trx.deleteFrom('user_role').where('user_id', '=', id).execute();
        if (p.roles.length > 0) {
          await trx
            .insertInto('user_role')
            .values(p.roles.map((role_code) => ({ user_id: id, role_code })))
            .execute();
        }
        await trx.deleteFrom('team_member').where('user_id', '=', id).execute();
        if (p.teamIds.length > 0) {
          await trx
            .insertInto('team_member')
            .values(p.teamIds.map((team_id) => ({ team_id, user_id: id })))
            .execute();
        }
      });
    } finally {
      principalsChanged(); // after the write: see principal-changes.ts
    }
  }

  async setStatus(id: string, status: UserStatus, now: Date): Promise<void> {
    try {
      await this.#h.db.updateTable('app_user').set({ status, updated_at: now }).where('id', '=', id).execute();
    } finally {
      principalsChanged(); // after the write: see principal-changes.ts
    }
  }

  async setPassword(id: string, passwordHash: string, now: Date): Promise<void> {
    try {
      await this.#h.db
        .updateTable('app_user')
        .set({ password_hash: passwordHash, status: 'active', failed_attempts: 0, locked_until: null, updated_at: now })
        .where('id', '=', id)
        .execute();
    } finally {
      principalsChanged(); // after the write: see principal-changes.ts
    }
  }

  async setTotp(id: string, encryptedSecret: string | null, step: number | null, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('app_user')
      .set({
        totp_secret: encryptedSecret,
        totp_enrolled_at: encryptedSecret ? now : null,
        totp_last_step: step,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Records an accepted code's step; false if a concurrent request already used this or a later step. */
  async claimTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.#h.db
      .updateTable('app_user')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async recordFailure(id: string, maxFailures: number, lockUntil: Date): Promise<{ locked: boolean }> {
    const rows = await this.#h.query<{ failed_attempts: number; locked_until: Date | null }>(
      // A lock that has run out starts the count afresh, so one more mistake does not re-lock at once.
      `update app_user
          set failed_attempts = case when locked_until is not null and locked_until <= now() then 1 else failed_attempts + 1 end,
              locked_until = case
                when locked_until is not null and locked_until <= now() then null
                when failed_attempts + 1 >= $2 then $3::timestamptz
                else locked_until end
        where id = $1
        returning failed_attempts, locked_until`,
      [id, maxFailures, lockUntil],
    );
    return { locked: (rows[0]?.failed_attempts ?? 0) >= maxFailures };
  }

  async recordSuccess(id: string, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('app_user')
      .set({ failed_attempts: 0, locked_until: null, last_sign_in_at: now })
      .where('id', '=', id)
      .execute();
  }

  async unlock(id: string, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('app_user')
      .set({ failed_attempts: 0, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async linkOidcSubject(id: string, subject: string, now: Date): Promise<void> {
    await this.#h.db
      .updateTable('app_user')
      .set({ oidc_subject: subject, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async countByOrganisation(): Promise<Map<string, number>> {
    const rows = await this.#h.db
      .selectFrom('app_user')
      .select(['organisation_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('organisation_id')
      .execute();
    return new Map(rows.map((r) => [r.organisation_id, Number(r.n)]));
  }

  async roles(): Promise<Array<{ code: string; label: string; description: string }>> {
    return this.#h.db.selectFrom('role').selectAll().orderBy('label').execute();
  }
}
