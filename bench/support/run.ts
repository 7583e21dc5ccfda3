/**
 * What every benchmark suite needs besides its own measurements: option parsing, clean-up on exit
 * or Ctrl+C, the app listening on 127.0.0.1, a description of the machine, statistics, and the
 * CPU time used by the app, the load generator and (on this machine) PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const ROOT = path.dirname(BENCH_DIR);

export const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Percentiles {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of response times in ms. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return {
    mean: round3(values.reduce((a, b) => a + b, 0) / (values.length || 1)),
    p50: round3(pct(50)),
    p95: round3(pct(95)),
    p99: round3(pct(99)),
    max: round3(sorted.length ? sorted[sorted.length - 1]! : NaN),
  };
}

/** A whole-number option, or exit 2 naming the option and its range. */
export function wholeNumber(name: string, v: string, min: number, max: number): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
}

export function commandOutput(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function gitState(): { commit: string | null; uncommittedChanges: boolean } {
  return {
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: (commandOutput('git', ['status', '--porcelain']) ?? '') !== '',
  };
}

export const loadAverage1m = (): number => Math.round(os.loadavg()[0]! * 100) / 100;

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    logicalCpus: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nodeEnv: process.env.NODE_ENV,
    // Other work on the machine skews absolute figures (ratios less so): recorded, not hidden.
    loadAverage1mAtStart: loadAverage1m(),
  };
}

/**
 * Clean-up steps run in reverse order, once, at the end or on Ctrl+C (the second signal is ignored).
 * `note` is added to the message printed on a signal.
 */
export function cleanUpOnExit(note = ''): { add(fn: () => Promise<unknown> | unknown): void; run(): Promise<void> } {
  const steps: Array<() => Promise<unknown> | unknown> = [];
  const run = async () => {
    for (const fn of steps.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('clean-up step failed:', err);
      }
    }
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: cleaning up before exiting${note}`);
    void run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { add: (fn) => void steps.push(fn), run };
}

/** Listens on 127.0.0.1 (a free port) and returns the base URL; closing is added to the clean-up. */
export async function listen(handler: http.RequestListener, cleanUp: { add(fn: () => Promise<unknown> | unknown): void }): Promise<string> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  cleanUp.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The suite's own database on the PostgreSQL server at adminUrl, kept between runs (dropped first when
 * `fresh`): its URL, and `recreate()` to empty it when it holds data of another setting.
 */
export async function keptDatabase(adminUrl: string, name: string, fresh: boolean): Promise<{ url: string; recreate(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return (await c.query(sql)).rows as Array<Record<string, unknown>>;
    } finally {
      await c.end();
    }
  };
  const exists = async () => (await admin(`select 1 from pg_database where datname = '${name}'`)).length > 0;
  if (fresh && (await exists())) {
    console.log(`--fresh: dropping ${name}`);
    await admin(`drop database ${name} with (force)`);
  }
  if (!(await exists())) await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    recreate: async () => {
      await admin(`drop database ${name} with (force)`);
      await admin(`create database ${name}`);
    },
  };
}

/** Writes the raw report to bench/results/<suite>-<timestamp>.json and returns its path from the repository root. */
export function writeResults(suite: string, date: Date, report: unknown): string {
  fs.mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  const file = path.join(BENCH_DIR, 'results', `${suite}-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return path.relative(ROOT, file);
}

/**
 * CPU time (ms) used so far by every `postgres` process on this machine, from /proc; null when
 * that cannot be read (not Linux, or the server is elsewhere). Includes PostgreSQL's background
 * processes and any other client's queries, so it is an upper bound for the app's share.
 */
export function postgresCpuMs(): number | null {
  try {
    const hz = 100; // USER_HZ on Linux
    let ticks = 0;
    let found = false;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
        found = true;
      } catch {
        // the process ended meanwhile
      }
    }
    return found ? (ticks * 1000) / hz : null;
  } catch {
    return null;
  }
}

/** This process's CPU time so far (every thread, including the load generator's worker), ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs a suite's main function: reports a failure with exit code 1, and exits even if some
 * handle still holds the process open after clean-up.
 */
export async function runSuite(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    console.error(`\n${name} benchmark FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
  setTimeout(() => {
    console.error('Warning: something still held the process open after clean-up; exiting.');
    process.exit(process.exitCode ?? 0);
  }, 5_000).unref();
}
