import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { PGlitePool } from './pglite-pool.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  /** Where the data lives, for messages: a redacted URL or a folder. */
  readonly location: string;
  readonly db: Kysely<Database>;
  /** Runs a multi-statement SQL script (migrations). */
  executeScript(sql: string): Promise<void>;
  /** Runs `fn` on one dedicated connection (session-level locks, scripts in sequence). */
  withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** Raw parameterised query for repositories that need SQL Kysely cannot express. */
  query<R>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /**
   * Runs SQL that a library writes itself (pg-boss, src/db/job-queue.ts): one statement with
   * parameters, or without parameters a script whose statements' rows all come back, in order.
   * Each call has a connection to itself, so a `begin … commit` inside one script never
   * interleaves with anyone else's statements; a failed script's transaction is rolled back before
   * the connection is handed on.
   */
  runExternalSql(sql: string, params?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface Connection {
  query<R>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  executeScript(sql: string): Promise<void>;
  /**
   * Runs several statements without parameters in one round trip (the simple query protocol) and
   * returns the rows of the last one: e.g. `begin; select … for update`.
   */
  queryScript<R>(sql: string): Promise<R[]>;
}

export interface QueryOptions {
  /**
   * Names the statement so that PostgreSQL parses and plans it once per connection and then only
   * binds and executes it (a named prepared statement). The text under one name must never change,
   * so only fixed SQL (no variable lists) may be named. PGlite ignores the name: it runs in-process.
   */
  name?: string;
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * int8 comes back as a JS number on both engines (ids are UUIDs; counts fit), and a SQL date as
 * its 'YYYY-MM-DD' text, never a Date in the server's local time zone.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '*****';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Folder for the embedded database; `memory://` for an in-memory one. */
  dataDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPGlite(options.dataDir ?? 'memory://');
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types: pgTypes,
    application_name: 'teamaround',
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined);
  const location = redactUrl(url);
  try {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ v: number }>("select current_setting('server_version_num')::int as v");
      const version = rows[0]?.v ?? 0;
      if (version < 150000) {
        throw new DatabaseUnavailableError(
          `PostgreSQL at ${location} is version ${Math.floor(version / 10000)}; Team Around needs 15 or later.`,
        );
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof DatabaseUnavailableError) throw err;
    throw new DatabaseUnavailableError(
      `Cannot reach the database at ${location}: ${(err as Error).message || String(err)}. ` +
        'Check DATABASE_URL, or unset it to use the embedded database.',
      { cause: err },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    location,
    db,
    async executeScript(sql) {
      await pool.query(sql);
    },
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query<R>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
            return (await client.query({ text: sql, values: params as unknown[], ...(options.name ? { name: options.name } : {}) })).rows as R[];
          },
          async executeScript(sql: string) {
            await client.query(sql);
          },
          async queryScript<R>(sql: string) {
            const r = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
            return (Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows) as R[];
          },
        });
      } finally {
        client.release();
      }
    },
    async query<R>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      const r = await pool.query({ text: sql, values: params as unknown[], ...(options.name ? { name: options.name } : {}) });
      return r.rows as R[];
    },
    async runExternalSql(sql: string, params: readonly unknown[] = []) {
      const client = await pool.connect();
      try {
        const r = (await client.query(sql, params.length ? (params as unknown[]) : undefined)) as pg.QueryResult | pg.QueryResult[];
        return { rows: Array.isArray(r) ? r.flatMap((x) => x.rows ?? []) : r.rows };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPGlite(dataDir: string): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith('memory://');
  let pglite: PGlite;
  try {
    if (!inMemory) fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const dir = inMemory ? undefined : path.join(dataDir, 'pgdata');
    pglite = await PGlite.create(dir, { parsers: { 20: (v: string) => Number(v), 1082: (v: string) => v } });
  } catch (err) {
    throw new DatabaseUnavailableError(
      `Cannot open the embedded database in ${dataDir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const pool = new PGlitePool(pglite);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }) });
  let closed = false;
  return {
    kind: 'pglite',
    location: inMemory ? 'in memory' : path.join(dataDir, 'pgdata'),
    db,
    async executeScript(sql) {
      const client = await pool.connect();
      try {
        await pglite.exec(sql);
      } finally {
        client.release();
      }
    },
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query<R>(sql: string, params: readonly unknown[] = []) {
            return (await client.query<R>(sql, params)).rows;
          },
          async executeScript(sql: string) {
            await pglite.exec(sql);
          },
          async queryScript<R>(sql: string) {
            return ((await pglite.exec(sql)).at(-1)?.rows ?? []) as R[];
          },
        });
      } finally {
        client.release();
      }
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await pool.query<R>(sql, params);
      return r.rows;
    },
    async runExternalSql(sql: string, params: readonly unknown[] = []) {
      const client = await pool.connect();
      try {
        if (params.length) return { rows: (await pglite.query(sql, params as unknown[])).rows };
        return { rows: (await pglite.exec(sql)).flatMap((r) => r.rows) };
      } catch (err) {
        // One session for everyone: a script that failed inside its own `begin` must not leave the
        // next borrower in an aborted transaction.
        await pglite.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      if (closed) return false;
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
