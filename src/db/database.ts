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
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface Connection {
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  executeScript(sql: string): Promise<void>;
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
          async query<R>(sql: string, params: readonly unknown[] = []) {
            return (await client.query(sql, params as unknown[])).rows as R[];
          },
          async executeScript(sql: string) {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await pool.query(sql, params as unknown[]);
      return r.rows as R[];
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
        });
      } finally {
        client.release();
      }
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await pool.query<R>(sql, params);
      return r.rows;
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
