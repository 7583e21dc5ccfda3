import { PgBoss, type ConstructorOptions, type Db } from 'pg-boss';
import type { DatabaseHandle } from './database.ts';

/** pg-boss keeps its tables, functions and version in this schema of the application's database. */
export const JOB_SCHEMA = 'pgboss';

/**
 * pg-boss over the application's own connection (decision 0012): every statement pg-boss writes
 * goes through `DatabaseHandle#runExternalSql`, so on PGlite it waits its turn for the one
 * connection like any request, and never lands inside someone else's transaction. On PostgreSQL it
 * borrows from the same pool. pg-boss opens no connection of its own and needs no LISTEN (workers
 * poll).
 */
export function jobQueueDatabase(handle: DatabaseHandle): Db {
  return {
    executeSql: (text, values) => handle.runExternalSql(text, values ?? []),
  };
}

/** The constructor options shared by every pg-boss instance the application makes. */
export function jobQueueOptions(handle: DatabaseHandle): ConstructorOptions {
  return {
    db: jobQueueDatabase(handle),
    schema: JOB_SCHEMA,
    // 'pglite' is pg-boss's own profile for the embedded engine: plain PostgreSQL, single session.
    backend: handle.kind === 'pglite' ? 'pglite' : 'postgres',
  };
}

export interface JobQueueInstall {
  /** pg-boss's schema version before and after; `before` is null when it was not installed. */
  before: number | null;
  after: number;
}

/**
 * Creates or upgrades pg-boss's schema by pg-boss's own route (start with `migrate`, then stop at
 * once): no worker, no schedule, no maintenance runs. Safe to run from several processes at once on
 * PostgreSQL (pg-boss takes an advisory lock); idempotent.
 */
export async function installJobQueue(handle: DatabaseHandle): Promise<JobQueueInstall> {
  const boss = new PgBoss({ ...jobQueueOptions(handle), migrate: true, supervise: false, schedule: false });
  let failure: unknown;
  boss.on('error', (err) => {
    failure ??= err;
  });
  const before = (await boss.isInstalled()) ? await boss.schemaVersion() : null;
  await boss.start();
  await boss.stop({ graceful: false, close: false });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  const after = await boss.schemaVersion();
  if (after === null) throw new Error(`The job queue schema "${JOB_SCHEMA}" was not created`);
  return { before, after };
}
