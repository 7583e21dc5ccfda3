/**
 * Generates a synthetic partnership into a database: agencies, teams, services, practitioners and
 * a population of families with involvements. Deterministic for a seed, size and "as of" date.
 *
 * Fast by construction: each batch of households is ONE SQL statement (data-modifying CTEs, one
 * per table, each an `insert … select … from unnest(<array literal per column>)`), so a batch is
 * one transaction and one round trip, and the next batch is generated while the database writes
 * the last one. The indexes stay in place; the tables are vacuumed and analysed at the end.
 */
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { Connection, DatabaseHandle } from '../db/database.ts';
import type { SettingRepository } from '../repositories/setting-repository.ts';
import { ColumnBatch, unnestInsert } from './columns.ts';
import { FamilyGenerator, newTables, type GeneratedCounts, type NameKeys, type Tables } from './families.ts';
import { PartnershipBuilder } from './partnership.ts';
import { IdSource, isoToDay } from './random.ts';

export const SYNTH_SETTING = 'synthetic_partnership';
/**
 * People per batch: one statement and one transaction of roughly 25–30 thousand rows. Part of what
 * the seed determines (cross-household links only reach batches already written), so the same
 * on every database engine.
 */
export const BATCH_PEOPLE = 2000;
const DEMO_SETTING = 'demo_partnership';

export interface SynthOptions {
  people: number;
  seed: number;
  involvementsPerPerson: number;
  /** The date the data is "as of" (YYYY-MM-DD): ages, active and ended involvements. Default today. */
  asOf?: string;
  force?: boolean;
  /** People per batch (one statement and one transaction each); changing it changes the data a little. */
  batchPeople?: number;
  actor: Actor;
  onProgress?: (p: SynthProgress) => void;
}

export interface SynthProgress {
  phase: 'partnership' | 'people' | 'analyse' | 'done';
  people: number;
  total: number;
  involvements: number;
  elapsedMs: number;
}

export interface SynthSettingValue {
  status: 'in-progress' | 'complete';
  people: number;
  seed: number;
  involvementsPerPerson: number;
  asOf: string;
  createdAt: string;
  run: number;
  counts?: GeneratedCounts & { organisations: number; teams: number; services: number; practitioners: number };
  seconds?: number;
  previousRuns?: Array<Omit<SynthSettingValue, 'previousRuns'>>;
}

export class SynthRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthRefusedError';
  }
}

export interface SynthResult {
  setting: SynthSettingValue;
  counts: NonNullable<SynthSettingValue['counts']>;
  seconds: number;
  nhsExhausted: boolean;
}

interface Deps {
  database: DatabaseHandle;
  settings: SettingRepository;
  audit: AuditService;
  nameKeys: NameKeys;
}

/** What is already in the database, to decide whether generating here is safe. */
async function inspect(db: DatabaseHandle, settings: SettingRepository) {
  const [row] = await db.query<{ orgs: boolean; people: boolean; users: boolean; nhs: number }>(
    `select exists (select 1 from organisation) as orgs, exists (select 1 from person) as people, exists (select 1 from app_user) as users,
            (select count(*) from person_identifier where scheme = 'nhs_number' and value like '999%')::int as nhs`,
  );
  return {
    demo: Boolean(await settings.get(DEMO_SETTING)),
    synthetic: await settings.get<SynthSettingValue>(SYNTH_SETTING),
    hasData: Boolean(row?.orgs || row?.people || row?.users),
    syntheticNhsNumbers: row?.nhs ?? 0,
  };
}

export async function synthesise(deps: Deps, options: SynthOptions): Promise<SynthResult> {
  const { database, settings, audit } = deps;
  const started = performance.now();
  if (!Number.isInteger(options.people) || options.people < 1) throw new SynthRefusedError('--people must be a whole number of at least 1');
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(isoToDay(asOf))) throw new SynthRefusedError('--as-of must be a date like 2026-11-22');

  const state = await inspect(database, settings);
  if (!options.force) {
    if (state.demo) {
      throw new SynthRefusedError('This database holds the demo partnership; synthetic people are not mixed into it. Use an empty database, or --force.');
    }
    if (state.synthetic) {
      throw new SynthRefusedError(
        state.synthetic.status === 'complete'
          ? `This database already holds a synthetic partnership (${state.synthetic.people} people, seed ${state.synthetic.seed}, made ${state.synthetic.createdAt}). Use an empty database, or --force to add another.`
          : `An earlier synthetic run in this database (started ${state.synthetic.createdAt}) did not finish. Use an empty database, or --force.`,
      );
    }
    if (state.hasData) {
      throw new SynthRefusedError('This database already holds organisations, practitioners or people that are not synthetic; nothing was generated. Use an empty database, or --force.');
    }
  }
  const run = (state.synthetic?.run ?? 0) + 1;
  const now = new Date();
  let previousRuns: SynthSettingValue['previousRuns'];
  if (state.synthetic) {
    const { previousRuns: earlier, ...last } = state.synthetic;
    previousRuns = [...(earlier ?? []), last];
  }
  const setting: SynthSettingValue = {
    status: 'in-progress',
    people: options.people,
    seed: options.seed,
    involvementsPerPerson: options.involvementsPerPerson,
    asOf,
    createdAt: now.toISOString(),
    run,
    ...(previousRuns ? { previousRuns } : {}),
  };
  await settings.set(SYNTH_SETTING, setting);

  const relationshipInverse = new Map(
    (await database.query<{ code: string; inverse_code: string }>('select code, inverse_code from relationship_type')).map((r) => [r.code, r.inverse_code]),
  );
  const asOfDay = isoToDay(asOf);
  // Ids look like UUIDv7 from a "time" just before the as-of date, later runs further on.
  const ids = new IdSource(options.seed ^ (run * 0x9e37), asOfDay * 86_400_000 - 30 * 86_400_000 + run * 3_600_000);
  const partnership = new PartnershipBuilder(ids, { people: options.people, seed: options.seed, run });
  const progress = (phase: SynthProgress['phase'], people: number, involvements: number) =>
    options.onProgress?.({ phase, people, total: options.people, involvements, elapsedMs: performance.now() - started });
  progress('partnership', 0, 0);

  // Identifiers are unique by construction in an empty database (school numbers repeat only past 8,000 schools).
  const conflictSafe = state.hasData || state.syntheticNhsNumbers > 0 || options.people > 5_000_000;
  const batchPeople = options.batchPeople ?? BATCH_PEOPLE;
  // PostgreSQL writes two batches at once on two connections (one per core) while this process
  // generates the next; PGlite is one session in this thread, so one at a time.
  const parallel = database.kind === 'postgres' ? 2 : 1;
  let unchecked = false;
  const generate = async (conns: Connection[]) => {
    // As a superuser, skip the per-row foreign-key triggers (most of the cost of the inserts)
    // and check every foreign key once, set-wise, at the end instead.
    unchecked = await skipForeignKeyTriggers(conns);
    try {
      return await generateOn(conns);
    } finally {
      if (unchecked) for (const c of conns) await c.query('reset session_replication_role');
    }
  };
  const generateOn = async (conns: Connection[]) => {
    await insertPartnership(conns[0]!, partnership, now);
    const families = new FamilyGenerator(partnership, ids, {
      seed: options.seed,
      people: options.people,
      involvementsPerPerson: options.involvementsPerPerson,
      asOfDay,
      run,
      nhsStart: state.syntheticNhsNumbers,
      relationshipInverse,
      nameKeys: deps.nameKeys,
    });
    let written = 0;
    let batch = 0;
    const pending: Array<Promise<unknown> | undefined> = [];
    let lastReport = 0;
    try {
      while (written < options.people) {
        const tables = newTables();
        written += families.fill(tables, Math.min(batchPeople, options.people - written), batch);
        const statement = batchStatement(tables, now, conflictSafe);
        // This connection's previous batch was being written while this one was generated.
        const slot = batch % parallel;
        await pending[slot];
        pending[slot] = conns[slot]!.query(statement.sql, statement.params);
        // Never left unobserved: a failure is rethrown by the await above or below.
        pending[slot].catch(() => undefined);
        batch++;
        const t = performance.now();
        if (t - lastReport > 250) {
          lastReport = t;
          progress('people', written, families.counts.involvements);
        }
      }
    } finally {
      const results = await Promise.allSettled(pending);
      const failed = results.find((r) => r.status === 'rejected');
      // Waits for the batches still in flight, then reports the first that failed.
      // eslint-disable-next-line no-unsafe-finally
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    progress('people', families.counts.people, families.counts.involvements);
    return { families, counts: families.counts };
  };
  const counts = await database.withConnection((c1) =>
    parallel === 1 ? generate([c1]) : database.withConnection((c2) => generate([c1, c2])),
  );

  progress('analyse', counts.counts.people, counts.counts.involvements);
  const tables = ['organisation', 'team', 'service', 'app_user', 'user_role', 'team_member', 'person', 'person_name', 'person_identifier', 'person_address', 'household', 'household_member', 'relationship', 'involvement'];
  if (unchecked) await verifyForeignKeys(database, tables);
  if (database.kind === 'postgres') {
    // VACUUM sets the visibility map (index-only scans) and hint bits now, not under the first queries.
    await database.query(`vacuum (analyze) ${tables.join(', ')}`);
  } else {
    await database.query(`analyze ${tables.join(', ')}`);
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const allCounts = {
    ...counts.counts,
    organisations: partnership.organisations.length,
    teams: partnership.teams.length,
    services: partnership.services.length,
    practitioners: partnership.users.length,
  };
  const done: SynthSettingValue = { ...setting, status: 'complete', people: counts.counts.people, counts: allCounts, seconds };
  await settings.set(SYNTH_SETTING, done);
  await audit.record({
    actor: options.actor,
    action: 'synth.generate',
    outcome: 'success',
    subjectType: 'synthetic-partnership',
    purpose: 'generate synthetic data for testing and benchmarks',
    details: { seed: options.seed, asOf, run, involvementsPerPerson: options.involvementsPerPerson, forced: Boolean(options.force), seconds, counts: allCounts },
  });
  progress('done', counts.counts.people, counts.counts.involvements);
  return { setting: done, counts: allCounts, seconds, nhsExhausted: counts.families.nhsExhausted };
}

/**
 * Sets session_replication_role = replica on every load connection (superusers only: it turns
 * off the foreign-key triggers for those sessions). False, and nothing changed, if not allowed.
 */
async function skipForeignKeyTriggers(conns: Connection[]): Promise<boolean> {
  const [me] = await conns[0]!.query<{ su: boolean }>('select rolsuper as su from pg_roles where rolname = current_user');
  if (!me?.su) return false;
  for (const c of conns) await c.query('set session_replication_role = replica');
  return true;
}

export class SynthIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthIntegrityError';
  }
}

/** Every foreign key of the tables written, checked set-wise (one anti-join each). */
async function verifyForeignKeys(database: DatabaseHandle, tables: string[]): Promise<void> {
  const fks = await database.query<{ name: string; tbl: string; ref: string; cols: string; refcols: string }>(
    `select c.conname as name, c.conrelid::regclass::text as tbl, c.confrelid::regclass::text as ref,
            (select string_agg(a.attname, ',' order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as cols,
            (select string_agg(a.attname, ',' order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
               join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as refcols
       from pg_constraint c
      where c.contype = 'f' and c.conrelid::regclass::text = any($1::text[])
      order by 2, 1`,
    [tables],
  );
  const broken: string[] = [];
  await database.withConnection(async (conn) => {
    await conn.query("set work_mem = '256MB'");
    try {
      for (const fk of fks) {
        const cols = fk.cols.split(',');
        const refcols = fk.refcols.split(',');
        const [row] = await conn.query<{ n: number }>(
          `select count(*)::int as n from ${fk.tbl} c where ${cols.map((col) => `c.${col} is not null`).join(' and ')} ` +
            `and not exists (select 1 from ${fk.ref} r where ${cols.map((col, i) => `r.${refcols[i]} = c.${col}`).join(' and ')})`,
        );
        if (row && row.n > 0) broken.push(`${fk.name}: ${row.n} rows of ${fk.tbl} refer to no ${fk.ref}`);
      }
    } finally {
      await conn.query('reset work_mem');
    }
  });
  if (broken.length) throw new SynthIntegrityError(`The synthetic data breaks foreign keys (a bug in the generator): ${broken.join('; ')}`);
}

/** One statement writing a whole batch: a data-modifying CTE per table, foreign keys checked at its end. */
function batchStatement(t: Tables, now: Date, conflictSafe: boolean): { sql: string; params: string[] } {
  const params: string[] = [now.toISOString()];
  const parts: string[] = [];
  const add = (batch: ColumnBatch, constants: Record<string, string>, suffix = '') => {
    if (batch.length === 0) return;
    const s = unnestInsert(batch, params.length + 1, constants, suffix);
    params.push(...s.params);
    parts.push(s.sql);
  };
  const at = '$1::timestamptz';
  add(t.person, { gender: 'null', created_at: at, created_by: 'null', updated_at: at, request_key: 'null' });
  add(t.person_name, { created_at: at });
  // NHS numbers and UPNs are unique across the database: a forced run over other data skips a clash rather than fail.
  add(t.person_identifier, { created_at: at }, conflictSafe ? 'on conflict do nothing' : '');
  add(t.person_address, { created_at: at });
  add(t.household, { created_at: at });
  // A membership's id is derived from its person and household (one membership each here), so the seed's ids are unchanged.
  add(t.household_member, { id: 'md5(t.subject_id::text || t.household_id::text)::uuid', to_date: 'null', created_at: at, created_by: 'null', ended_by: 'null' });
  add(t.relationship, { to_date: 'null', created_at: at, created_by: 'null' });
  add(t.involvement, { created_at: at });
  const last = parts.pop()!;
  const sql = parts.length ? `with ${parts.map((p, i) => `w${i} as (${p})`).join(', ')} ${last}` : last;
  return { sql, params };
}

async function insertPartnership(conn: Connection, p: PartnershipBuilder, now: Date): Promise<void> {
  const org = new ColumnBatch('organisation', [
    { name: 'id', type: 'uuid' }, { name: 'name', type: 'text' }, { name: 'type_code', type: 'text' },
    { name: 'official_code', type: 'text' }, { name: 'email_domain', type: 'text' },
  ]);
  for (const o of p.organisations) org.push(o.id, o.name, o.typeCode, o.officialCode, o.emailDomain);
  const team = new ColumnBatch('team', [
    { name: 'id', type: 'uuid' }, { name: 'organisation_id', type: 'uuid' }, { name: 'name', type: 'text' },
    { name: 'email', type: 'text' }, { name: 'phone', type: 'text' },
  ]);
  for (const t of p.teams) team.push(t.id, t.organisationId, t.name, t.email, t.phone);
  const service = new ColumnBatch('service', [
    { name: 'id', type: 'uuid' }, { name: 'organisation_id', type: 'uuid' }, { name: 'name', type: 'text' },
    { name: 'category', type: 'text' }, { name: 'sensitive_kind', type: 'text' }, { name: 'email', type: 'text' }, { name: 'phone', type: 'text' },
  ]);
  for (const s of p.services) service.push(s.id, s.organisationId, s.name, s.category, s.sensitiveKind, s.email, s.phone);
  const user = new ColumnBatch('app_user', [
    { name: 'id', type: 'uuid' }, { name: 'organisation_id', type: 'uuid' }, { name: 'email', type: 'text' },
    { name: 'display_name', type: 'text' }, { name: 'job_title', type: 'text' }, { name: 'phone', type: 'text' },
  ]);
  const role = new ColumnBatch('user_role', [{ name: 'user_id', type: 'uuid' }, { name: 'role_code', type: 'text' }]);
  const member = new ColumnBatch('team_member', [{ name: 'team_id', type: 'uuid' }, { name: 'user_id', type: 'uuid' }]);
  for (const u of p.users) {
    user.push(u.id, u.organisationId, u.email, u.displayName, u.jobTitle, u.phone);
    for (const r of u.roles) role.push(u.id, r);
    for (const t of u.teamIds) member.push(t, u.id);
  }
  const params: string[] = [now.toISOString()];
  const parts: string[] = [];
  const at = '$1::timestamptz';
  for (const [batch, constants] of [
    [org, { oidc_issuer: 'null', oidc_client_id: 'null', oidc_client_secret: 'null', active: 'true', created_at: at, updated_at: at }],
    [team, { created_at: at }],
    [service, { created_at: at }],
    // Synthetic practitioners have no password and no authenticator: nobody can sign in as them.
    [user, { status: "'active'", password_hash: 'null', totp_secret: 'null', totp_enrolled_at: 'null', totp_last_step: 'null', oidc_subject: 'null', locked_until: 'null', last_sign_in_at: 'null', is_demo: 'false', created_at: at, updated_at: at }],
    [role, {}],
    [member, {}],
  ] as const) {
    const s = unnestInsert(batch, params.length + 1, constants);
    params.push(...s.params);
    parts.push(s.sql);
  }
  const last = parts.pop()!;
  await conn.query(`with ${parts.map((q, i) => `w${i} as (${q})`).join(', ')} ${last}`, params);
}
