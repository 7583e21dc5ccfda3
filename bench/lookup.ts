/**
 * `npm run bench -- lookup [--people 1000000] [--seed 1] [--fresh] [--requests 2000] [--connections 10]
 *                          [--duration 8] [--rounds 3] [--warmup 3] [--database ta_bench_lookup]`
 *
 * "Who is involved" and fuzzy person search at partnership scale, through the HTTP API with the
 * access policy and the audit log, on PostgreSQL only (DATABASE_URL names the server).
 *
 * The data: a synthetic partnership (src/synth) of --people people (~5 involvements each) in the
 * database --database (default ta_bench_lookup) on that server. Generating a million people takes
 * minutes, so the database is KEPT between runs and reused when it holds a complete synthetic
 * partnership of the same size and seed; --fresh drops and regenerates it. Drop it yourself when
 * done: `psql -c 'drop database ta_bench_lookup'`.
 *
 * The measurements, each against the app running in this process on 127.0.0.1:
 *  - latency: --requests sequential requests per endpoint (one at a time, keep-alive), interleaved
 *    in 4 slices so that drift affects every endpoint alike: p50/p95/p99;
 *  - throughput: autocannon from a worker thread, --connections at once, as a ratio to /ping in the
 *    same rounds (the order rotates each round);
 *  - search recall: whether the intended person is among the results of each perturbed query.
 * Endpoints: /ping; GET /api/v1/people/{id}/involvements for random people (and some of the
 * practitioner's own caseload); GET /api/v1/people?name=…&dateOfBirth=…&reason=… with the name or
 * date perturbed (nickname, misspelling, other surname, day and month swapped).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertClean, cpuPerRequest, runLoad, runMeasuredLoad, type LoadJob, type LoadTarget, type MeasuredLoadResult } from './support/load.ts';
import {
  cleanUpOnExit,
  keptDatabase,
  gitState,
  listen,
  loadAverage1m,
  machine as describeMachine,
  median,
  percentiles,
  round3,
  runSuite,
  wholeNumber,
  writeResults,
} from './support/run.ts';

const REASON = 'benchmark: checking who is involved';

// ---------------------------------------------------------------- options

interface Options {
  people: number;
  seed: number;
  involvementsPerPerson: number;
  fresh: boolean;
  requests: number;
  connections: number;
  durationS: number;
  rounds: number;
  warmupS: number;
  database: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      'involvements-per-person': { type: 'string', default: '5' },
      fresh: { type: 'boolean', default: false },
      requests: { type: 'string', default: '2000' },
      connections: { type: 'string', short: 'c', default: '10' },
      duration: { type: 'string', short: 'd', default: '8' },
      rounds: { type: 'string', short: 'r', default: '3' },
      warmup: { type: 'string', short: 'w', default: '3' },
      database: { type: 'string', default: 'ta_bench_lookup' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: DATABASE_URL=postgres://… npm run bench -- lookup [--people 1000000] [--seed 1] [--involvements-per-person 5] [--fresh]\n' +
        '         [--requests 2000] [--connections 10] [--duration 8] [--rounds 3] [--warmup 3] [--database ta_bench_lookup]\n' +
        'The synthetic database is kept between runs and reused when it matches --people, --seed and --involvements-per-person;\n' +
        '--fresh regenerates it (a million people take several minutes).',
    );
    process.exit(0);
  }
  const num = wholeNumber;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) {
    console.error('--database must be a plain lower-case PostgreSQL name, like ta_bench_lookup');
    process.exit(2);
  }
  return {
    people: num('people', values.people, 1000, 100_000_000),
    seed: num('seed', values.seed, 0, 2 ** 31 - 1),
    involvementsPerPerson: Number(values['involvements-per-person']),
    fresh: values.fresh,
    requests: num('requests', values.requests, 40, 1_000_000),
    connections: num('connections', values.connections, 1, 1000),
    durationS: num('duration', values.duration, 1, 120),
    rounds: num('rounds', values.rounds, 1, 20),
    warmupS: num('warmup', values.warmup, 0, 60),
    database: values.database,
  };
}

/** A sequential GET over one keep-alive socket; returns status, body and milliseconds. */
function timedGet(agent: http.Agent, base: string, t: LoadTarget): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(`${base}${t.path}`, { agent, headers: t.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- the run (main thread)

type Perturbation = 'nickname' | 'misspelt surname' | 'misspelt first name' | 'other surname' | 'day and month swapped' | 'exact';

async function main(): Promise<void> {
  const opts = parseOptions();
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.error(
      'The lookup benchmark runs on PostgreSQL only: a million people would take far too long to generate into the embedded database.\n' +
        'Set DATABASE_URL to a PostgreSQL server where this user may create databases, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- lookup',
    );
    process.exitCode = 2;
    return;
  }
  process.env.NODE_ENV ??= 'production';
  const { openDatabase } = await import('../src/db/database.ts');
  const { migrate } = await import('../src/db/migrate.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { createServices } = await import('../src/services/index.ts');
  const { nameKeys } = await import('../src/services/person-service.ts');
  const { createApp } = await import('../src/web/app.ts');
  const { synthesise, SYNTH_SETTING } = await import('../src/synth/synthesise.ts');
  const { NICKNAMES, typo } = await import('../src/synth/names.ts');
  const { Rng } = await import('../src/synth/random.ts');

  const cleanUp = cleanUpOnExit(' (the benchmark database is kept)');

  try {
    // ---- the database: kept between runs, reused when it matches
    const kept = await keptDatabase(adminUrl, opts.database, opts.fresh);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-lookup-'));
    cleanUp.add(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1',
      APP_SECRET: crypto.randomBytes(36).toString('base64url'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      // Passed through so that a run can measure without the token cache (API_TOKEN_CACHE_SECONDS=0).
      ...(process.env.API_TOKEN_CACHE_SECONDS ? { API_TOKEN_CACHE_SECONDS: process.env.API_TOKEN_CACHE_SECONDS } : {}),
      DATABASE_URL: kept.url,
    });
    let database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanUp.add(() => database.close());
    await migrate(database);
    let services = createServices(config, database);
    cleanUp.add(() => services.audit.flush());

    type Setting = { status: string; people: number; seed: number; involvementsPerPerson: number; seconds?: number; asOf: string; counts?: Record<string, number> };
    let setting = await services.repositories.settings.get<Setting>(SYNTH_SETTING);
    const matches = setting?.status === 'complete' && setting.seed === opts.seed && setting.involvementsPerPerson === opts.involvementsPerPerson &&
      Math.abs(setting.people - opts.people) < 10;
    let generation: { reused: boolean; seconds: number | null } = { reused: true, seconds: setting?.seconds ?? null };
    if (!matches) {
      const [{ any }] = (await database.query<{ any: boolean }>('select exists (select 1 from organisation) or exists (select 1 from person) as any')) as [{ any: boolean }];
      if (any) {
        console.log(`${opts.database} holds ${setting ? `a different synthetic partnership (${setting.people} people, seed ${setting.seed}, ${setting.status})` : 'other data'}: recreating it`);
        await services.audit.flush();
        await database.close();
        await kept.recreate();
        database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        await migrate(database);
        services = createServices(config, database);
      }
      console.log(`Generating ${opts.people.toLocaleString('en-GB')} synthetic people into ${opts.database} (kept for later runs)…`);
      let last = 0;
      const r = await synthesise(
        { database, settings: services.repositories.settings, audit: services.audit, nameKeys },
        {
          people: opts.people,
          seed: opts.seed,
          involvementsPerPerson: opts.involvementsPerPerson,
          actor: { userId: null, label: 'bench', organisationId: null, roles: [] },
          onProgress: (p) => {
            if (p.phase === 'people' && p.elapsedMs - last < 10_000) return;
            last = p.elapsedMs;
            console.log(`  ${p.phase} ${p.people.toLocaleString('en-GB')} people, ${p.involvements.toLocaleString('en-GB')} involvements, ${(p.elapsedMs / 1000).toFixed(0)} s`);
          },
        },
      );
      generation = { reused: false, seconds: r.seconds };
      setting = r.setting as Setting;
    } else {
      console.log(`Reusing ${opts.database}: ${setting!.people.toLocaleString('en-GB')} synthetic people (seed ${setting!.seed}, as of ${setting!.asOf}).`);
    }

    // ---- who asks: a social worker with a caseload, and a MASH officer
    const [practitioner] = await database.query<{ id: string; email: string; active: number }>(
      `select u.id, u.email, count(*)::int as active
         from app_user u join involvement i on i.practitioner_id = u.id and i.end_date is null
        where u.job_title = 'Social worker' group by u.id, u.email order by 3 desc, 2 limit 1`,
    );
    const [mash] = await database.query<{ id: string; email: string }>(
      `select u.id, u.email from app_user u join user_role r on r.user_id = u.id and r.role_code = 'mash_officer'
         join organisation o on o.id = u.organisation_id and o.type_code = 'childrens_social_care' order by u.email limit 1`,
    );
    if (!practitioner || !mash) throw new Error('The synthetic partnership has no social worker with a caseload, or no MASH officer');
    const by = { userId: null, label: 'bench', organisationId: null, roles: [] };
    const practitionerToken = (await services.auth.createApiToken(practitioner.email, { name: 'bench lookup', expiresInMs: 3 * 3_600_000, by })).token;
    const mashToken = (await services.auth.createApiToken(mash.email, { name: 'bench lookup', expiresInMs: 3 * 3_600_000, by })).token;
    const tokens = [`Bearer ${practitionerToken}`, `Bearer ${mashToken}`];

    // ---- who is looked up and searched for (repeatable for a seed)
    const rng = new Rng(opts.seed, 0xbe7c4);
    const [{ n: peopleCount }] = (await database.query<{ n: number }>('select count(*)::int as n from person')) as [{ n: number }];
    const share = Math.min(100, ((opts.requests * 3) / peopleCount) * 100);
    // A repeatable random sample of about 3× what is needed, shuffled, so the people are spread over the whole table.
    const shuffled = <T,>(rows: T[]): T[] => {
      for (let i = rows.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [rows[i], rows[j]] = [rows[j]!, rows[i]!];
      }
      return rows.slice(0, opts.requests);
    };
    const lookupIds = shuffled(
      await database.query<{ subject_id: string }>(`select subject_id from person tablesample bernoulli (${share}) repeatable (${opts.seed})`),
    ).map((r) => r.subject_id);
    const caseload = (
      await database.query<{ subject_id: string }>(
        'select distinct subject_id from involvement where practitioner_id = $1 and end_date is null order by subject_id limit 200',
        [practitioner.id],
      )
    ).map((r) => r.subject_id);
    // One in ten of the practitioner's lookups is someone on their own caseload (the record basis).
    const lookupTargets: LoadTarget[] = lookupIds.map((id, i) => {
      const own = i % 2 === 0 && i % 20 === 0 && caseload.length > 0;
      return {
        path: `/api/v1/people/${own ? caseload[(i / 20) % caseload.length]! : id}/involvements?reason=${encodeURIComponent(REASON)}`,
        headers: { authorization: tokens[i % 2]! },
      };
    });

    const sample = shuffled(await database.query<{ subject_id: string; date_of_birth: string; given_names: string; family_name: string; other_family: string | null }>(
      `select p.subject_id, p.date_of_birth, n.given_names, n.family_name,
              (select o.family_name from person_name o where o.subject_id = p.subject_id and o.kind in ('birth', 'previous') and o.family_name <> n.family_name limit 1) as other_family
         from person p tablesample bernoulli (${share}) repeatable (${opts.seed + 1})
         join person_name n on n.subject_id = p.subject_id and n.kind = 'current'
        where not p.shielded and not p.deceased and p.dob_precision = 'exact' and p.date_of_birth <= current_date`,
    ));
    const kinds: Perturbation[] = ['nickname', 'misspelt surname', 'misspelt first name', 'other surname', 'day and month swapped', 'exact'];
    const used = new Map<Perturbation, number>();
    const searches = sample.map((s, i) => {
      const first = s.given_names.split(' ')[0]!;
      let given = first;
      let family = s.family_name;
      let dob = s.date_of_birth;
      const [y, m, d] = dob.split('-');
      // Each person gets the perturbation used least so far among those that apply to them, so the kinds stay balanced.
      const applies = (k: Perturbation) =>
        k === 'nickname' ? Boolean(NICKNAMES[first]) : k === 'other surname' ? Boolean(s.other_family) : k === 'day and month swapped' ? Number(d) <= 12 && d !== m : true;
      let kind: Perturbation = 'exact';
      for (const k of kinds) if (applies(k) && (used.get(k) ?? 0) < (used.get(kind) ?? 0)) kind = k;
      used.set(kind, (used.get(kind) ?? 0) + 1);
      if (kind === 'nickname') given = rng.pick(NICKNAMES[first]!);
      else if (kind === 'misspelt first name') given = typo(rng, first);
      else if (kind === 'misspelt surname') family = typo(rng, family);
      else if (kind === 'other surname') family = s.other_family!;
      else if (kind === 'day and month swapped') dob = `${y}-${d}-${m}`;
      const q = new URLSearchParams({ name: `${given} ${family}`, dateOfBirth: dob, reason: REASON });
      return { subjectId: s.subject_id, kind, query: `${given} ${family}, ${dob}`, target: { path: `/api/v1/people?${q}`, headers: { authorization: tokens[i % 2]! } } };
    });
    if (searches.length < opts.requests * 0.9) throw new Error(`Only ${searches.length} people sampled for searches`);

    // ---- the app
    const base = await listen(createApp(services, createLogger('silent')), cleanUp);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanUp.add(() => agent.destroy());

    // Each endpoint must answer correctly before it is timed.
    const pingTarget: LoadTarget = { path: '/ping' };
    const probe = async (name: string, t: LoadTarget, ok: (body: unknown) => boolean) => {
      const r = await timedGet(agent, base, t);
      let body: unknown = r.body;
      try {
        body = JSON.parse(r.body);
      } catch {
        /* /ping answers text */
      }
      if (r.status !== 200 || !ok(body)) throw new Error(`${name} did not answer as expected before the run: ${r.status} ${r.body.slice(0, 300)}`);
    };
    await probe('/ping', pingTarget, (b) => JSON.stringify(b).includes('pong'));
    await probe('who is involved', lookupTargets[1]!, (b) => Array.isArray((b as { current?: unknown }).current));
    await probe('search', searches[0]!.target, (b) => Array.isArray((b as { results?: unknown }).results));

    const [versionRow] = await database.query<{ version: string }>('select version() as version');
    const [sizeRow] = await database.query<{ size: string }>('select pg_size_pretty(pg_database_size(current_database())) as size');
    const machine = { ...describeMachine(), databaseVersion: versionRow?.version ?? null, databaseSize: sizeRow?.size ?? null };
    console.log(
      `lookup benchmark on ${machine.databaseVersion?.split(' on ')[0] ?? '?'}, ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ` +
        `${machine.memoryGiB} GiB, Node ${machine.node}; ${peopleCount.toLocaleString('en-GB')} people, database ${machine.databaseSize}`,
    );
    console.log(`Practitioner ${practitioner.email} (${practitioner.active} active involvements); MASH officer ${mash.email}.`);
    if (machine.loadAverage1mAtStart > 0.5) {
      console.log(`Note: 1-minute load average is ${machine.loadAverage1mAtStart} before the run: other work is sharing the machine.`);
    }
    await services.audit.flush();
    const auditBefore = (await services.repositories.audit.head())?.seq ?? 0;
    const responses = { lookup: 0, search: 0 };
    const count = (name: string, n: number) => {
      if (name === 'who is involved') responses.lookup += n;
      else if (name === 'search') responses.search += n;
    };

    // ---- sequential latency, interleaved in slices
    const endpoints = [
      { name: '/ping', targets: [pingTarget], audited: false },
      { name: 'who is involved', targets: lookupTargets, audited: true },
      { name: 'search', targets: searches.map((s) => s.target), audited: true },
    ];
    const sequential: Record<string, number[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
    const statuses: Record<string, Record<string, number>> = Object.fromEntries(endpoints.map((e) => [e.name, {}]));
    const searchBodies: string[] = new Array(searches.length);
    const slices = 4;
    // A short warm-up of each endpoint first (not counted).
    for (const e of endpoints) {
      for (let i = 0; i < 20; i++) await timedGet(agent, base, e.targets[(i * 7919) % e.targets.length]!);
      count(e.name, 20);
    }
    for (let s = 0; s < slices; s++) {
      const order = endpoints.map((_, i) => endpoints[(i + s) % endpoints.length]!);
      for (const e of order) {
        const from = Math.floor((s * opts.requests) / slices);
        const to = Math.floor(((s + 1) * opts.requests) / slices);
        for (let i = from; i < to; i++) {
          const idx = i % e.targets.length;
          const r = await timedGet(agent, base, e.targets[idx]!);
          sequential[e.name]!.push(r.ms);
          statuses[e.name]![r.status] = (statuses[e.name]![r.status] ?? 0) + 1;
          count(e.name, 1);
          if (e.name === 'search' && i < searches.length) searchBodies[idx] = r.body;
        }
      }
      process.stdout.write(`  sequential slice ${s + 1}/${slices} done\n`);
    }
    for (const e of endpoints) {
      const bad = Object.entries(statuses[e.name]!).filter(([code]) => !code.startsWith('2'));
      if (bad.length) throw new Error(`${e.name}: sequential responses other than 2xx: ${JSON.stringify(statuses[e.name])}`);
    }

    // ---- recall of the perturbed searches
    const recall = new Map<string, { queries: number; found: number; top1: number; top5: number; results: number }>();
    const misses: Array<{ kind: string; query: string }> = [];
    searches.forEach((s, i) => {
      const body = searchBodies[i];
      if (body === undefined) return;
      const results = (JSON.parse(body) as { results: Array<{ subjectId: string }> }).results;
      const rank = results.findIndex((r) => r.subjectId === s.subjectId);
      for (const key of [s.kind, 'all']) {
        const r = recall.get(key) ?? { queries: 0, found: 0, top1: 0, top5: 0, results: 0 };
        r.queries++;
        r.results += results.length;
        if (rank >= 0) r.found++;
        if (rank === 0) r.top1++;
        if (rank >= 0 && rank < 5) r.top5++;
        recall.set(key, r);
      }
      if (rank < 0 && misses.length < 40) misses.push({ kind: s.kind, query: s.query });
    });

    // ---- throughput under concurrency
    const job = (e: (typeof endpoints)[number], durationS: number): LoadJob => ({ base, targets: e.targets, connections: opts.connections, durationS, setupEachRequest: true });
    let loadRuns = 0;
    if (opts.warmupS > 0) {
      for (const e of endpoints) {
        const r = await runLoad(job(e, opts.warmupS));
        assertClean(`${e.name} (warm-up)`, r);
        count(e.name, r.responses);
        if (e.audited) loadRuns++;
        console.log(`  warm-up     ${e.name.padEnd(16)} ${r.rps.toFixed(0).padStart(7)} req/s`);
      }
    }
    const rounds: Record<string, MeasuredLoadResult[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = endpoints.map((_, i) => endpoints[(i + round) % endpoints.length]!);
      for (const e of order) {
        const r = await runMeasuredLoad(job(e, opts.durationS), { postgres: true });
        assertClean(`${e.name} (round ${round + 1})`, r);
        count(e.name, r.responses);
        if (e.audited) loadRuns++;
        rounds[e.name]!.push(r);
        console.log(
          `  round ${round + 1}/${opts.rounds}   ${e.name.padEnd(16)} ${r.rps.toFixed(0).padStart(7)} req/s  ` +
            `p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms`,
        );
      }
    }

    // ---- audit: an entry for every lookup and every search (searches also log each person shown), chain intact
    await services.audit.flush();
    const auditAfter = (await services.repositories.audit.head())?.seq ?? 0;
    const auditWritten = auditAfter - auditBefore;
    const byAction = Object.fromEntries(
      (
        await database.query<{ action: string; n: number }>('select action, count(*)::int as n from audit_event where seq > $1 and seq <= $2 group by 1 order by 1', [
          auditBefore,
          auditAfter,
        ])
      ).map((r) => [r.action, r.n]),
    ) as Record<string, number>;
    const verify = await services.audit.verify();

    const pingMedian = median(rounds['/ping']!.map((r) => r.rps));
    const summary = endpoints.map((e) => {
      const rs = rounds[e.name]!;
      const rps = median(rs.map((r) => r.rps));
      return {
        endpoint: e.name,
        sequentialMs: percentiles(sequential[e.name]!),
        sequentialRequests: sequential[e.name]!.length,
        medianRps: Math.round(rps),
        ratioToPing: Math.round((rps / pingMedian) * 1000) / 1000,
        perRoundRatioToPing: rs.map((r, i) => Math.round((r.rps / rounds['/ping']![i]!.rps) * 1000) / 1000),
        roundsRps: rs.map((r) => Math.round(r.rps)),
        underLoadLatencyMs: { p50: median(rs.map((r) => r.latencyMs.p50)), p95: median(rs.map((r) => r.latencyMs.p95)), p99: median(rs.map((r) => r.latencyMs.p99)) },
        underLoadCpuMsPerRequest: cpuPerRequest(rs),
      };
    });
    const recallRows = [...recall].map(([kind, r]) => ({
      kind,
      queries: r.queries,
      recall: round3(r.found / r.queries),
      top1: round3(r.top1 / r.queries),
      top5: round3(r.top5 / r.queries),
      meanResults: Math.round((r.results / r.queries) * 10) / 10,
    }));
    const date = new Date();
    const report = {
      suite: 'lookup',
      date: date.toISOString(),
      ...gitState(),
      machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
      options: { ...opts, apiTokenCacheSeconds: config.apiTokenCacheMs / 1000 },
      data: { database: opts.database, people: peopleCount, setting, generation },
      callers: { practitioner: { email: practitioner.email, activeInvolvements: practitioner.active }, mashOfficer: mash.email },
      targets: { lookupP95Ms: 10, searchP95Ms: 50, throughputRatioToPing: 0.3 },
      summary,
      recall: recallRows,
      misses,
      audit: { entriesWritten: auditWritten, byAction, responsesCounted: responses, chain: verify },
      rounds,
    };
    const file = writeResults('lookup', date, report);

    const f = (n: number) => n.toFixed(2);
    console.log(`\n### lookup — PostgreSQL, ${peopleCount.toLocaleString('en-GB')} people, ${date.toISOString().slice(0, 10)}\n`);
    console.log(
      '| Endpoint | Sequential p50 ms | p95 ms | p99 ms | Median req/s (c=' + opts.connections + ') | Ratio to /ping | Ratio per round | p95 ms under load | ' +
        'CPU ms/request under load: app, load generator, PostgreSQL |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---|---:|---|');
    for (const s of summary) {
      const c = s.underLoadCpuMsPerRequest;
      console.log(
        `| ${s.endpoint} | ${f(s.sequentialMs.p50)} | ${f(s.sequentialMs.p95)} | ${f(s.sequentialMs.p99)} | ${s.medianRps} | ${s.ratioToPing.toFixed(3)} | ` +
          `${s.perRoundRatioToPing.map((r) => r.toFixed(3)).join(', ')} | ${f(s.underLoadLatencyMs.p95)} | ` +
          `${c.app.toFixed(3)}, ${c.loadGenerator.toFixed(3)}, ${c.postgres?.toFixed(3) ?? '–'} |`,
      );
    }
    console.log('CPU per request: this process but the load generator (the app), the load generator\'s thread, and every postgres process on the machine, over each round; medians of the rounds.');
    console.log('\n| Search perturbation | Queries | Recall | Top 1 | Top 5 | Mean results |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of recallRows) console.log(`| ${r.kind} | ${r.queries} | ${r.recall.toFixed(3)} | ${r.top1.toFixed(3)} | ${r.top5.toFixed(3)} | ${r.meanResults} |`);
    console.log(
      `\nMachine: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ` +
        `${machine.databaseVersion}; load average (1 min) ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end`,
    );
    console.log(
      `Data: ${peopleCount.toLocaleString('en-GB')} people, ${(setting?.counts?.involvements ?? 0).toLocaleString('en-GB')} involvements in ${opts.database} (${machine.databaseSize}); ` +
        (generation.reused ? `reused (generated earlier in ${generation.seconds ?? '?'} s)` : `generated by this run in ${generation.seconds} s`),
    );
    console.log(
      `Audit: ${auditWritten} entries written (${Object.entries(byAction).map(([a, n]) => `${a} ${n}`).join(', ')}) for ${responses.lookup} lookups and ` +
        `${responses.search} searches counted; chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.entries} entries verified).`,
    );
    console.log(`API token principal cache: ${config.apiTokenCacheMs / 1000} s (API_TOKEN_CACHE_SECONDS).`);
    console.log(`Raw results: ${file}`);
    if (!verify.ok) throw new Error(`The audit chain does not verify: ${JSON.stringify(verify.firstBroken)}`);
    // Up to one request per connection per load run may be audited after autocannon stops counting.
    for (const [what, action] of [['lookup', 'person.involvements.read'], ['search', 'person.search']] as const) {
      const n = byAction[action] ?? 0;
      if (n < responses[what] || n > responses[what] + opts.connections * loadRuns) {
        throw new Error(`Expected one ${action} audit entry per ${what}: ${n} entries for ${responses[what]} responses`);
      }
    }
  } finally {
    await cleanUp.run();
  }
}

await runSuite('lookup', main);
