import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import { principalsChanged } from './principal-changes.ts';

export interface Organisation {
  id: string;
  name: string;
  typeCode: string;
  typeLabel: string;
  officialCode: string;
  emailDomain: string | null;
  oidcIssuer: string | null;
  oidcClientId: string | null;
  /** Encrypted; only the OIDC sign-in code decrypts it. */
  oidcClientSecret: string | null;
  active: boolean;
  createdAt: Date;
}

export interface OrganisationType {
  code: string;
  label: string;
  codeScheme: string;
}

export interface Team {
  id: string;
  organisationId: string;
  name: string;
  email: string | null;
  phone: string | null;
  memberCount: number;
}

export interface OrganisationWrite {
  name: string;
  typeCode: string;
  officialCode: string;
  emailDomain: string | null;
  oidcIssuer: string | null;
  oidcClientId: string | null;
  oidcClientSecret?: string | null | undefined;
  active: boolean;
}

export class OrganisationRepository {
  readonly #h: DatabaseHandle;
  constructor(handle: DatabaseHandle) {
    this.#h = handle;
  }

  #select() {
    return this.#h.db
      .selectFrom('organisation as o')
      .innerJoin('organisation_type as t', 't.code', 'o.type_code')
      .select([
        'o.id',
        'o.name',
        'o.type_code',
        't.label as type_label',
        'o.official_code',
        'o.email_domain',
        'o.oidc_issuer',
        'o.oidc_client_id',
        'o.oidc_client_secret',
        'o.active',
        'o.created_at',
      ]);
  }

  static #map(r: {
    id: string;
    name: string;
    type_code: string;
    type_label: string;
    official_code: string;
    email_domain: string | null;
    oidc_issuer: string | null;
    oidc_client_id: string | null;
    oidc_client_secret: string | null;
    active: boolean;
    created_at: Date;
  }): Organisation {
    return {
      id: r.id,
      name: r.name,
      typeCode: r.type_code,
      typeLabel: r.type_label,
      officialCode: r.official_code,
      emailDomain: r.email_domain,
      oidcIssuer: r.oidc_issuer,
      oidcClientId: r.oidc_client_id,
      oidcClientSecret: r.oidc_client_secret,
      active: r.active,
      createdAt: r.created_at,
    };
  }

  async types(): Promise<OrganisationType[]> {
    const rows = await this.#h.db.selectFrom('organisation_type').selectAll().orderBy('label').execute();
    return rows.map((r) => ({ code: r.code, label: r.label, codeScheme: r.code_scheme }));
  }

  async list(): Promise<Organisation[]> {
    const rows = await this.#select().orderBy('o.name').execute();
    return rows.map(OrganisationRepository.#map);
  }

  async listWithOidc(): Promise<Organisation[]> {
    const rows = await this.#select()
      .where('o.oidc_issuer', 'is not', null)
      .where('o.active', '=', true)
      .orderBy('o.name')
      .execute();
    return rows.map(OrganisationRepository.#map);
  }

  async findById(id: string): Promise<Organisation | undefined> {
    const r = await this.#select().where('o.id', '=', id).executeTakeFirst();
    return r && OrganisationRepository.#map(r);
  }

  async findByName(name: string): Promise<Organisation | undefined> {
    const r = await this.#select()
      .where(sql<boolean>`lower(o.name) = ${name.toLowerCase()}`)
      .executeTakeFirst();
    return r && OrganisationRepository.#map(r);
  }

  async findByCode(typeCode: string, officialCode: string): Promise<Organisation | undefined> {
    const r = await this.#select()
      .where('o.type_code', '=', typeCode)
      .where('o.official_code', '=', officialCode)
      .executeTakeFirst();
    return r && OrganisationRepository.#map(r);
  }

  async insert(id: string, w: OrganisationWrite, now: Date): Promise<void> {
    await this.#h.db
      .insertInto('organisation')
      .values({
        id,
        name: w.name,
        type_code: w.typeCode,
        official_code: w.officialCode,
        email_domain: w.emailDomain,
        oidc_issuer: w.oidcIssuer,
        oidc_client_id: w.oidcClientId,
        oidc_client_secret: w.oidcClientSecret ?? null,
        active: w.active,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(id: string, w: OrganisationWrite, now: Date): Promise<void> {
    try {
      await this.#h.db
        .updateTable('organisation')
        .set({
          name: w.name,
          type_code: w.typeCode,
          official_code: w.officialCode,
          email_domain: w.emailDomain,
          oidc_issuer: w.oidcIssuer,
          oidc_client_id: w.oidcClientId,
          ...(w.oidcClientSecret !== undefined ? { oidc_client_secret: w.oidcClientSecret } : {}),
          active: w.active,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    } finally {
      principalsChanged(); // after the write: see principal-changes.ts
    }
  }

  async teams(organisationId?: string): Promise<Team[]> {
    let q = this.#h.db
      .selectFrom('team as t')
      .leftJoin('team_member as m', 'm.team_id', 't.id')
      .select((eb) => [
        't.id',
        't.organisation_id',
        't.name',
        't.email',
        't.phone',
        eb.fn.count<number>('m.user_id').as('member_count'),
      ])
      .groupBy(['t.id', 't.organisation_id', 't.name', 't.email', 't.phone'])
      .orderBy('t.name');
    if (organisationId) q = q.where('t.organisation_id', '=', organisationId);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      name: r.name,
      email: r.email,
      phone: r.phone,
      memberCount: Number(r.member_count),
    }));
  }

  async teamNames(ids: readonly string[]): Promise<Array<{ id: string; name: string }>> {
    if (ids.length === 0) return [];
    return this.#h.db.selectFrom('team').select(['id', 'name']).where('id', 'in', ids).orderBy('name').execute();
  }

  async findTeam(id: string): Promise<Team | undefined> {
    const all = await this.#h.db.selectFrom('team').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      all && {
        id: all.id,
        organisationId: all.organisation_id,
        name: all.name,
        email: all.email,
        phone: all.phone,
        memberCount: 0,
      }
    );
  }

  async insertTeam(
    t: { id: string; organisationId: string; name: string; email: string | null; phone: string | null },
    now: Date,
  ): Promise<void> {
    await this.#h.db
      .insertInto('team')
      .values({
        id: t.id,
        organisation_id: t.organisationId,
        name: t.name,
        email: t.email,
        phone: t.phone,
        created_at: now,
      })
      .execute();
  }

  async teamNameTaken(organisationId: string, name: string): Promise<boolean> {
    const r = await this.#h.db
      .selectFrom('team')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where(sql<boolean>`lower(name) = ${name.toLowerCase()}`)
      .executeTakeFirst();
    return Boolean(r);
  }
}
