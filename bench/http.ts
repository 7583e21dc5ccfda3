/**
 * `npm run bench -- http [--connections 10] [--duration 8] [--rounds 3] [--warmup 3]`
 *
 * Requests per second of a signed-in page (`/`) and of an audited API read (`/api/v1/me`),
 * each as a ratio to `/ping` measured in the same run. The real app runs in this process on
 * 127.0.0.1 over a throwaway database: embedded PGlite in a temporary DATA_DIR, or, when
 * DATABASE_URL is set, a new database on that PostgreSQL server (created and dropped here).
 * The load comes from autocannon in a worker thread, so it has its own event loop; rounds are
 * interleaved (the order rotates each round) so drift affects every endpoint alike.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const EMAIL = 'admin@csc.northbridge.example';

interface LoadJob {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
}

interface LoadResult {
  responses: number;
  durationS: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

// ---------------------------------------------------------------- load generator (worker thread)

/** Runs one autocannon burst and keeps every response time (ms, sub-millisecond precision). */
async function generateLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: job.url, headers: job.headers, connections: job.connections, duration: job.durationS, timeout: 10 },
      (err: unknown, r: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const non2xx = Object.entries(statusCodes).reduce((n, [code, count]) => (code.startsWith('2') ? n : n + count), 0);
  return {
    responses: latencies.length,
    durationS: result.duration,
    rps: Math.round((latencies.length / result.duration) * 10) / 10,
    latencyMs: {
      mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
      p50: round(pct(50)),
      p95: round(pct(95)),
      p99: round(pct(99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
    },
    statusCodes,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function runInWorker(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    let answered = false;
    worker.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      answered = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`load worker exited with code ${code} without a result`));
    });
  });
}

// ---------------------------------------------------------------- the app under test (main thread)

interface Options {
  connections: number;
  durationS: number;
  rounds: number;
  warmupS: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', short: 'c', default: '10' },
      duration: { type: 'string', short: 'd', default: '8' },
      rounds: { type: 'string', short: 'r', default: '3' },
      warmup: { type: 'string', short: 'w', default: '3' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run bench -- http [--connections 10] [--duration 8] [--rounds 3] [--warmup 3]\n' +
      'Durations are seconds per endpoint per round. Set DATABASE_URL to measure on PostgreSQL.');
    process.exit(0);
  }
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`--${name} must be a whole number from ${min} to ${max}`);
      process.exit(2);
    }
    return n;
  };
  return {
    connections: num('connections', values.connections, 1, 1000),
    durationS: num('duration', values.duration, 1, 120),
    rounds: num('rounds', values.rounds, 1, 20),
    warmupS: num('warmup', values.warmup, 0, 60),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function commandOutput(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Signs in through the real pages (password, then security code) and returns the session cookie. */
async function signIn(base: string, code: (email: string) => Promise<string>, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const call = async (method: 'GET' | 'POST', p: string, form?: Record<string, string>) => {
    const res = await fetch(base + p, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  };
  const csrf = (html: string) => {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('No CSRF token on the page');
    return m[1]!;
  };
  const expect = (r: { status: number; location: string | null }, status: number, location?: string) => {
    if (r.status !== status || (location !== undefined && r.location !== location)) {
      throw new Error(`Sign-in step failed: got ${r.status} ${r.location ?? ''}, expected ${status} ${location ?? ''}`);
    }
  };
  const page = await call('GET', '/sign-in');
  expect(page, 200);
  expect(await call('POST', '/sign-in', { _csrf: csrf(page.text), email: EMAIL, password }), 302, '/sign-in/security-code');
  const codePage = await call('GET', '/sign-in/security-code');
  expect(codePage, 200);
  expect(await call('POST', '/sign-in/security-code', { _csrf: csrf(codePage.text), code: await code(EMAIL) }), 302, '/');
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

async function main(): Promise<void> {
  const opts = parseOptions();
  // Measure the app as deployed: Express caches views and Nunjucks caches templates unless told otherwise.
  process.env.NODE_ENV ??= 'production';
  const { openDatabase } = await import('../src/db/database.ts');
  const { migrate } = await import('../src/db/migrate.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { createServices } = await import('../src/services/index.ts');
  const { DEMO_PASSWORD } = await import('../src/services/demo-service.ts');
  const { createApp } = await import('../src/web/app.ts');
  const pg = (await import('pg')).default;

  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const cleanUp = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('clean-up step failed:', err);
      }
    }
  };
  // Ctrl+C still closes everything and drops the throwaway database (the second signal is ignored).
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: cleaning up before exiting`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    // A throwaway database: PGlite in the temporary DATA_DIR, or a new database on the PostgreSQL server.
    const adminUrl = process.env.DATABASE_URL;
    let databaseUrl: string | undefined;
    if (adminUrl) {
      const name = `ta_bench_${crypto.randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      });
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
    }
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1',
      APP_SECRET: crypto.randomBytes(36).toString('base64url'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanups.push(() => database.close());
    await migrate(database);
    const services = createServices(config, database);
    cleanups.push(() => services.audit.flush());
    await services.demo.load();

    const server = http.createServer(createApp(services, createLogger('silent')));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Credentials: a signed-in web session (through the real pages) and an API bearer token.
    const cookie = await signIn(base, async (email) => (await services.demo.code(email)).code, DEMO_PASSWORD);
    const { token } = await services.auth.createApiToken(EMAIL, {
      name: 'bench',
      by: { userId: null, label: 'bench', organisationId: null, roles: [] },
    });

    const endpoints = [
      { name: '/ping', path: '/ping', headers: {} as Record<string, string>, what: 'no session, no database (baseline)' },
      { name: '/', path: '/', headers: { cookie }, what: 'signed-in home page: session + principal from the database, rendered' },
      { name: '/api/v1/me', path: '/api/v1/me', headers: { authorization: `Bearer ${token}` }, what: 'bearer token, audited read' },
    ];

    // Each endpoint must answer correctly before it is timed.
    for (const e of endpoints) {
      const res = await fetch(base + e.path, { headers: e.headers, redirect: 'manual' });
      const body = await res.text();
      const ok =
        res.status === 200 &&
        (e.path === '/ping' ? body.includes('pong') : e.path === '/' ? body.includes(EMAIL) : JSON.parse(body).email === EMAIL);
      if (!ok) throw new Error(`${e.name} did not answer as expected before the run: ${res.status} ${body.slice(0, 200)}`);
    }

    const kind = database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite';
    const [versionRow] = await database.query<{ version: string }>('select version() as version');
    const pgliteVersion =
      database.kind === 'pglite'
        ? (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version
        : null;
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model ?? 'unknown',
      logicalCpus: os.availableParallelism(),
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      nodeEnv: process.env.NODE_ENV,
      database: kind,
      databaseVersion: versionRow?.version ?? null,
      pglite: pgliteVersion,
      databaseLocation: database.location,
      // Other work on the machine skews absolute figures (ratios less so): recorded, not hidden.
      loadAverage1mAtStart: Math.round(os.loadavg()[0]! * 100) / 100,
    };
    console.log(`http benchmark on ${kind} (${machine.databaseVersion?.split(' on ')[0] ?? '?'}), ${machine.cpu}, ` +
      `${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}`);
    if (machine.loadAverage1mAtStart > 0.5) {
      console.log(`Note: 1-minute load average is ${machine.loadAverage1mAtStart} before the run: other work is sharing the machine.`);
    }
    console.log(`${opts.connections} connections, ${opts.rounds} rounds of ${opts.durationS} s per endpoint after ${opts.warmupS} s warm-up each`);

    const auditBefore = (await services.repositories.audit.head())?.seq ?? 0;
    const check = (name: string, r: LoadResult) => {
      if (r.non2xx || r.errors || r.timeouts || r.responses === 0) {
        throw new Error(
          `${name}: ${r.responses} responses, ${r.non2xx} not 2xx (${JSON.stringify(r.statusCodes)}), ` +
            `${r.errors} errors, ${r.timeouts} timeouts: the figures would be meaningless`,
        );
      }
    };
    const job = (e: (typeof endpoints)[number], durationS: number): LoadJob => ({
      url: base + e.path,
      headers: e.headers,
      connections: opts.connections,
      durationS,
    });

    let apiResponses = 0;
    const runs = 1 + opts.rounds;
    if (opts.warmupS > 0) {
      for (const e of endpoints) {
        const r = await runInWorker(job(e, opts.warmupS));
        check(`${e.name} (warm-up)`, r);
        if (e.path === '/api/v1/me') apiResponses += r.responses;
        console.log(`  warm-up     ${e.name.padEnd(12)} ${r.rps.toFixed(0).padStart(7)} req/s`);
      }
    }
    const rounds: Record<string, LoadResult[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = endpoints.map((_, i) => endpoints[(i + round) % endpoints.length]!);
      for (const e of order) {
        const r = await runInWorker(job(e, opts.durationS));
        check(`${e.name} (round ${round + 1})`, r);
        if (e.path === '/api/v1/me') apiResponses += r.responses;
        rounds[e.name]!.push(r);
        console.log(`  round ${round + 1}/${opts.rounds}   ${e.name.padEnd(12)} ${r.rps.toFixed(0).padStart(7)} req/s  ` +
          `p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms`);
      }
    }

    // Every API read must have left exactly one audit entry, and the chain must still verify.
    await services.audit.flush();
    const auditAfter = (await services.repositories.audit.head())?.seq ?? 0;
    const auditWritten = auditAfter - auditBefore;
    const verify = await services.audit.verify();

    const pingMedian = median(rounds['/ping']!.map((r) => r.rps));
    const summary = endpoints.map((e) => {
      const rs = rounds[e.name]!;
      const rps = median(rs.map((r) => r.rps));
      return {
        endpoint: e.name,
        what: e.what,
        medianRps: Math.round(rps),
        ratioToPing: Math.round((rps / pingMedian) * 1000) / 1000,
        perRoundRatioToPing: rs.map((r, i) => Math.round((r.rps / rounds['/ping']![i]!.rps) * 1000) / 1000),
        roundsRps: rs.map((r) => Math.round(r.rps)),
        medianLatencyMs: {
          p50: median(rs.map((r) => r.latencyMs.p50)),
          p95: median(rs.map((r) => r.latencyMs.p95)),
          p99: median(rs.map((r) => r.latencyMs.p99)),
        },
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
        errors: rs.reduce((n, r) => n + r.errors, 0),
      };
    });

    const date = new Date();
    const report = {
      suite: 'http',
      date: date.toISOString(),
      commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
      uncommittedChanges: (commandOutput('git', ['status', '--porcelain']) ?? '') !== '',
      machine: { ...machine, loadAverage1mAtEnd: Math.round(os.loadavg()[0]! * 100) / 100 },
      options: { ...opts, loadGenerator: `autocannon (worker thread), user ${EMAIL}` },
      summary,
      audit: {
        entriesWrittenDuringLoad: auditWritten,
        apiResponsesCounted: apiResponses,
        note: 'At most one in-flight request per connection per run can be audited after autocannon stops counting.',
        chain: verify,
      },
      rounds,
    };
    fs.mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
    const file = path.join(BENCH_DIR, 'results', `http-${date.toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');

    const f = (n: number) => n.toFixed(2);
    console.log(`\n### http — ${kind}, ${date.toISOString().slice(0, 10)}\n`);
    console.log('| Endpoint | Median req/s | Ratio to /ping | p50 ms | p95 ms | p99 ms | req/s per round | ratio per round |');
    console.log('|---|---:|---:|---:|---:|---:|---|---|');
    for (const s of summary) {
      console.log(`| \`${s.endpoint}\` | ${s.medianRps} | ${s.ratioToPing.toFixed(3)} | ${f(s.medianLatencyMs.p50)} | ` +
        `${f(s.medianLatencyMs.p95)} | ${f(s.medianLatencyMs.p99)} | ${s.roundsRps.join(', ')} | ` +
        `${s.perRoundRatioToPing.map((r) => r.toFixed(3)).join(', ')} |`);
    }
    console.log('\nRatios are medians of each endpoint over rounds divided by the median of /ping in this run; latencies are medians of the per-round percentiles.');
    console.log(`\nMachine: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, ${machine.os}, ` +
      `Node ${machine.node}, NODE_ENV=${machine.nodeEnv}, ${kind}${pgliteVersion ? ` ${pgliteVersion}` : ''}: ${machine.databaseVersion}; ` +
      `load average (1 min) ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end`);
    console.log(`Audit: ${auditWritten} entries written under load for ${apiResponses} counted API reads; ` +
      `chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.entries} entries verified).`);
    console.log(`Raw results: ${path.relative(ROOT, file)}`);

    const inFlightAllowance = opts.connections * runs;
    if (!verify.ok) throw new Error(`The audit chain does not verify: ${JSON.stringify(verify.firstBroken)}`);
    if (auditWritten < apiResponses || auditWritten > apiResponses + inFlightAllowance) {
      throw new Error(`Expected one audit entry per API read: ${auditWritten} entries for ${apiResponses} reads`);
    }
  } finally {
    await cleanUp();
  }
}

if (isMainThread) {
  try {
    await main();
  } catch (err) {
    console.error(`\nhttp benchmark FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
  // Everything is closed; if some handle still holds the process open, say so rather than hang.
  setTimeout(() => {
    console.error('Warning: something still held the process open after clean-up; exiting.');
    process.exit(process.exitCode ?? 0);
  }, 5_000).unref();
} else {
  try {
    parentPort!.postMessage({ ok: true, result: await generateLoad(workerData as LoadJob) });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
