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
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertClean, cpuPerRequest, runLoad, runMeasuredLoad, type LoadJob, type MeasuredLoadResult } from './support/load.ts';
import {
  cleanUpOnExit,
  gitState,
  listen,
  loadAverage1m,
  machine as describeMachine,
  median,
  ROOT,
  runSuite,
  wholeNumber,
  writeResults,
} from './support/run.ts';

const EMAIL = 'admin@csc.northbridge.example';

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
  return {
    connections: wholeNumber('connections', values.connections, 1, 1000),
    durationS: wholeNumber('duration', values.duration, 1, 120),
    rounds: wholeNumber('rounds', values.rounds, 1, 20),
    warmupS: wholeNumber('warmup', values.warmup, 0, 60),
  };
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

  const cleanUp = cleanUpOnExit();
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-'));
    cleanUp.add(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    // A throwaway database: PGlite in the temporary DATA_DIR, or a new database on the PostgreSQL server.
    const adminUrl = process.env.DATABASE_URL;
    let databaseUrl: string | undefined;
    if (adminUrl) {
      const name = `ta_bench_${crypto.randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      cleanUp.add(async () => {
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
      // Passed through so that a run can measure without the token cache (API_TOKEN_CACHE_SECONDS=0).
      ...(process.env.API_TOKEN_CACHE_SECONDS ? { API_TOKEN_CACHE_SECONDS: process.env.API_TOKEN_CACHE_SECONDS } : {}),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanUp.add(() => database.close());
    await migrate(database);
    const services = createServices(config, database);
    cleanUp.add(() => services.audit.flush());
    await services.demo.load();

    const base = await listen(createApp(services, createLogger('silent')), cleanUp);

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
    const machine = { ...describeMachine(), database: kind, databaseVersion: versionRow?.version ?? null, pglite: pgliteVersion, databaseLocation: database.location };
    console.log(`http benchmark on ${kind} (${machine.databaseVersion?.split(' on ')[0] ?? '?'}), ${machine.cpu}, ` +
      `${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}`);
    if (machine.loadAverage1mAtStart > 0.5) {
      console.log(`Note: 1-minute load average is ${machine.loadAverage1mAtStart} before the run: other work is sharing the machine.`);
    }
    console.log(`${opts.connections} connections, ${opts.rounds} rounds of ${opts.durationS} s per endpoint after ${opts.warmupS} s warm-up each`);

    const auditBefore = (await services.repositories.audit.head())?.seq ?? 0;
    const job = (e: (typeof endpoints)[number], durationS: number): LoadJob => ({
      base,
      targets: [{ path: e.path, headers: e.headers }],
      connections: opts.connections,
      durationS,
    });

    let apiResponses = 0;
    const runs = 1 + opts.rounds;
    if (opts.warmupS > 0) {
      for (const e of endpoints) {
        const r = await runLoad(job(e, opts.warmupS));
        assertClean(`${e.name} (warm-up)`, r);
        if (e.path === '/api/v1/me') apiResponses += r.responses;
        console.log(`  warm-up     ${e.name.padEnd(12)} ${r.rps.toFixed(0).padStart(7)} req/s`);
      }
    }
    const rounds: Record<string, MeasuredLoadResult[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = endpoints.map((_, i) => endpoints[(i + round) % endpoints.length]!);
      for (const e of order) {
        const r = await runMeasuredLoad(job(e, opts.durationS), { postgres: database.kind === 'postgres' });
        assertClean(`${e.name} (round ${round + 1})`, r);
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
        cpuMsPerRequest: cpuPerRequest(rs),
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
        errors: rs.reduce((n, r) => n + r.errors, 0),
      };
    });

    const date = new Date();
    const report = {
      suite: 'http',
      date: date.toISOString(),
      ...gitState(),
      machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
      options: { ...opts, apiTokenCacheSeconds: config.apiTokenCacheMs / 1000, loadGenerator: `autocannon (worker thread), user ${EMAIL}` },
      summary,
      audit: {
        entriesWrittenDuringLoad: auditWritten,
        apiResponsesCounted: apiResponses,
        note: 'At most one in-flight request per connection per run can be audited after autocannon stops counting.',
        chain: verify,
      },
      rounds,
    };
    const file = writeResults('http', date, report);

    const f = (n: number) => n.toFixed(2);
    console.log(`\n### http — ${kind}, ${date.toISOString().slice(0, 10)}\n`);
    console.log('| Endpoint | Median req/s | Ratio to /ping | p50 ms | p95 ms | p99 ms | req/s per round | ratio per round | CPU ms/request: app, load generator, PostgreSQL |');
    console.log('|---|---:|---:|---:|---:|---:|---|---|---|');
    for (const s of summary) {
      const c = s.cpuMsPerRequest;
      console.log(`| \`${s.endpoint}\` | ${s.medianRps} | ${s.ratioToPing.toFixed(3)} | ${f(s.medianLatencyMs.p50)} | ` +
        `${f(s.medianLatencyMs.p95)} | ${f(s.medianLatencyMs.p99)} | ${s.roundsRps.join(', ')} | ` +
        `${s.perRoundRatioToPing.map((r) => r.toFixed(3)).join(', ')} | ${c.app.toFixed(3)}, ${c.loadGenerator.toFixed(3)}, ${c.postgres?.toFixed(3) ?? '–'} |`);
    }
    console.log('\nRatios are medians of each endpoint over rounds divided by the median of /ping in this run; latencies are medians of the per-round percentiles.');
    console.log(`\nMachine: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, ${machine.os}, ` +
      `Node ${machine.node}, NODE_ENV=${machine.nodeEnv}, ${kind}${pgliteVersion ? ` ${pgliteVersion}` : ''}: ${machine.databaseVersion}; ` +
      `load average (1 min) ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end`);
    console.log(`Audit: ${auditWritten} entries written under load for ${apiResponses} counted API reads; ` +
      `chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.entries} entries verified).`);
    console.log(`Raw results: ${file}`);

    const inFlightAllowance = opts.connections * runs;
    if (!verify.ok) throw new Error(`The audit chain does not verify: ${JSON.stringify(verify.firstBroken)}`);
    if (auditWritten < apiResponses || auditWritten > apiResponses + inFlightAllowance) {
      throw new Error(`Expected one audit entry per API read: ${auditWritten} entries for ${apiResponses} reads`);
    }
  } finally {
    await cleanUp.run();
  }
}

await runSuite('http', main);
