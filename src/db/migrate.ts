import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseHandle } from './database.ts';
import { installJobQueue, type JobQueueInstall } from './job-queue.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Arbitrary constant: one migrator at a time across every app instance. */
const MIGRATION_LOCK = 4_711_2026;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f));
  files.sort();
  return files.map((file) => {
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    return {
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql,
      checksum: crypto.createHash('sha256').update(sql).digest('hex'),
    };
  });
}

export interface MigrationResult {
  applied: string[];
  current: number;
  /** pg-boss's own schema (background jobs, decision 0012), created or upgraded after the files. */
  jobQueue: JobQueueInstall;
}

/**
 * Applies the numbered SQL files in order, each in its own transaction, recording each in
 * schema_migration. A file that was changed after it was applied is refused, not re-run. Then
 * creates or upgrades the job queue's schema (pg-boss keeps its own version in it).
 */
export async function migrate(handle: DatabaseHandle, migrations = listMigrations()): Promise<MigrationResult> {
  const files = await migrateFiles(handle, migrations);
  // After the files, outside their connection: on PGlite that connection is the only one.
  return { ...files, jobQueue: await installJobQueue(handle) };
}

async function migrateFiles(handle: DatabaseHandle, migrations: Migration[]): Promise<Omit<MigrationResult, 'jobQueue'>> {
  return handle.withConnection(async (conn) => {
    await conn.executeScript(`
      create table if not exists schema_migration (
        version    integer primary key,
        name       text not null,
        checksum   text not null,
        applied_at timestamptz not null default now()
      )`);
    const applied: string[] = [];
    if (handle.kind === 'postgres') await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const done = await conn.query<{ version: number; name: string; checksum: string }>(
        'select version, name, checksum from schema_migration order by version',
      );
      const byVersion = new Map(done.map((d) => [Number(d.version), d]));
      for (const m of migrations) {
        const previous = byVersion.get(m.version);
        if (previous) {
          if (previous.checksum !== m.checksum) {
            throw new Error(
              `Migration ${m.name} was changed after it was applied (checksum differs). ` +
                'Add a new numbered migration instead of editing an applied one.',
            );
          }
          continue;
        }
        try {
          await conn.executeScript(`begin;\n${m.sql}\n;`);
          await conn.query('insert into schema_migration (version, name, checksum) values ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await conn.executeScript('commit');
        } catch (err) {
          await conn.executeScript('rollback').catch(() => undefined);
          throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
      }
    } finally {
      if (handle.kind === 'postgres') await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
    return { applied, current: migrations.at(-1)?.version ?? 0 };
  });
}
