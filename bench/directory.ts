/**
 * `DATABASE_URL=postgres://… npm run bench -- directory [--services 50000] [--seed 1] [--fresh]
 *                                                      [--requests 1000] [--rounds 3] [--database ta_bench_directory]`
 *
 * The service directory at council scale, through the real app's HTTP API on PostgreSQL:
 *  - text + postcode proximity: GET /api/oruk/services?search=<word>&postcode=<pc>&proximity=<m>
 *    (target p95 ≤ 50 ms);
 *  - the ORUK /services page of 50: GET /api/oruk/services?per_page=50&page=<n> over every page
 *    (target p95 ≤ 30 ms);
 *  - and, for context, text alone, proximity alone and one full service (/services/{id}), with
 *    /ping as the baseline measured in the same rounds (ratios to it are reported).
 * Requests are sequential over one keep-alive socket (latency, not throughput), interleaved in
 * slices and rounds so that drift affects every endpoint alike; the median of the rounds' p95 is
 * the figure. Any response other than 200 fails the run.
 *
 * The data: the demo partnership (organisations, the invented Northbridge postcode centroids) and
 * --services synthetic services (invented names and words), each at one location spread over
 * about 25 km around Northbridge, with one to three of 24 taxonomy terms, imported through the
 * same path as a tabular import. It lives in --database (default ta_bench_directory), KEPT
 * between runs and reused when it holds the same --services and --seed; --fresh rebuilds it.
 * Drop it when done: `psql -c 'drop database ta_bench_directory'`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUpOnExit, keptDatabase, gitState, listen, loadAverage1m, machine as describeMachine, median, percentiles, round3, runSuite, wholeNumber, writeResults } from './support/run.ts';

const SETTING = 'bench_directory';

interface Options {
  services: number;
  seed: number;
  fresh: boolean;
  requests: number;
  rounds: number;
  database: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '50000' },
      seed: { type: 'string', default: '1' },
      fresh: { type: 'boolean', default: false },
      requests: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      database: { type: 'string', default: 'ta_bench_directory' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: DATABASE_URL=postgres://… npm run bench -- directory [--services 50000] [--seed 1] [--fresh] [--requests 1000] [--rounds 3] [--database ta_bench_directory]');
    process.exit(0);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) {
    console.error('--database must be a plain lower-case PostgreSQL name, like ta_bench_directory');
    process.exit(2);
  }
  return {
    services: wholeNumber('services', values.services, 100, 2_000_000),
    seed: wholeNumber('seed', values.seed, 0, 2 ** 31 - 1),
    fresh: values.fresh,
    requests: wholeNumber('requests', values.requests, 40, 1_000_000),
    rounds: wholeNumber('rounds', values.rounds, 1, 20),
    database: values.database,
  };
}

/** A small seeded generator (mulberry32), so a seed gives the same directory. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! , int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const PLACES = ['Hillside', 'Riverside', 'Westgate', 'Northfield', 'Castle', 'Mill', 'Oakwood', 'Brookside', 'Market', 'Hollin', 'Ashby', 'Fernlea', 'Meadow', 'Station', 'Canal', 'Priory'];
const KINDS = ['Family Hub', 'Youth Club', 'Baby Clinic', 'Stay and Play', 'Food Bank', 'Advice Centre', 'Parent Group', 'Homework Club', 'Counselling', 'Sports Club', 'Library', 'Nursery', 'Drop-in', 'Helpline', 'Carers Group', 'Dads Group', 'Music Group', 'Holiday Club', 'Reading Club', 'Debt Advice'];
const WORDS = [
  'support', 'parents', 'children', 'young', 'people', 'families', 'advice', 'play', 'learning', 'health', 'wellbeing', 'money', 'housing', 'benefits', 'food', 'sport',
  'music', 'art', 'reading', 'school', 'homework', 'sleep', 'feeding', 'behaviour', 'anxiety', 'confidence', 'friends', 'safety', 'disability', 'autism', 'carers', 'grandparents',
  'cooking', 'budgeting', 'employment', 'training', 'language', 'english', 'swimming', 'football', 'dance', 'drama', 'gardening', 'outdoor', 'counselling', 'mentoring', 'bereavement', 'separation',
];
const TERMS = [
  'Parenting support', 'Early years and childcare', 'Health and wellbeing', 'Money, housing and benefits', 'Domestic abuse support', 'Activities for young people',
  'Special educational needs and disabilities', 'Mental health', 'Food and essentials', 'Education and learning', 'Employment and skills', 'Sport and leisure',
  'Arts and culture', 'Carers', 'Bereavement', 'Relationships', 'Substance misuse', 'Housing', 'Legal advice', 'Transport', 'Digital skills', 'Language support', 'Volunteering', 'Crisis support',
];

function timedGet(agent: http.Agent, url: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.error('The directory benchmark runs on PostgreSQL only (the targets are for PostgreSQL). Set DATABASE_URL, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- directory');
    process.exitCode = 2;
    return;
  }
  process.env.NODE_ENV ??= 'production';
  const { openDatabase } = await import('../src/db/database.ts');
  const { migrate } = await import('../src/db/migrate.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { createServices } = await import('../src/services/index.ts');
  const { createApp } = await import('../src/web/app.ts');
  const { emptyDirectoryData } = await import('../src/directory/model.ts');
  const { newId } = await import('../src/ids.ts');
  const cleanUp = cleanUpOnExit(' (the benchmark database is kept)');

  try {
    const kept = await keptDatabase(adminUrl, opts.database, opts.fresh);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-directory-'));
    cleanUp.add(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1',
      APP_SECRET: crypto.randomBytes(36).toString('base64url'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: kept.url,
    });
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanUp.add(() => database.close());
    await migrate(database);
    const services = createServices(config, database);
    cleanUp.add(() => services.audit.flush());

    type Setting = { services: number; seed: number; seconds: number };
    const setting = await services.repositories.settings.get<Setting>(SETTING);
    let generation = { reused: true, seconds: setting?.seconds ?? null };
    if (!setting || setting.services !== opts.services || setting.seed !== opts.seed) {
      if (setting || (await services.demo.isLoaded())) {
        console.log(`${opts.database} holds a different directory: recreating it (or use --database)`);
        await database.close();
        await kept.recreate();
        throw new Error('The database was recreated: run the benchmark again to fill it');
      }
      const started = Date.now();
      console.log(`Loading the demo partnership and generating ${opts.services.toLocaleString('en-GB')} services into ${opts.database} (kept for later runs)…`);
      await services.demo.load();
      const orgs = await services.repositories.organisations.list();
      const centroids = await database.query<{ latitude: number; longitude: number }>('select latitude, longitude from postcode_centroid');
      const cLat = centroids.reduce((a, c) => a + c.latitude, 0) / centroids.length;
      const cLon = centroids.reduce((a, c) => a + c.longitude, 0) / centroids.length;
      const r = rng(opts.seed);
      const base = emptyDirectoryData();
      const taxonomyId = newId();
      base.taxonomies.push({ id: taxonomyId, name: 'Benchmark categories', description: 'Invented categories for the benchmark', uri: null, version: '1' });
      const termIds = TERMS.map((name) => {
        const id = newId();
        base.terms.push({ id, taxonomyId, parentId: null, code: null, name, description: `Services about ${name.toLowerCase()}`, termUri: null });
        return id;
      });
      const organizations = Array.from({ length: Math.max(10, Math.round(opts.services / 10)) }, (_, i) => {
        const id = newId();
        base.organizations.push({ id, name: `${r.pick(PLACES)} ${r.pick(['Trust', 'Partnership', 'Community Group', 'Charity', 'Network'])} ${i + 1}`, description: 'An invented provider', email: null, website: null, uri: null, logo: null });
        return id;
      });
      await services.directory.repository.importData(base, orgs[0]!.id, new Date());
      const batch = 5000;
      for (let from = 0; from < opts.services; from += batch) {
        const d = emptyDirectoryData();
        for (let i = from; i < Math.min(opts.services, from + batch); i++) {
          const id = newId();
          const min = r.pick([null, 0, 0, 5, 11, 16, 18]);
          const words = Array.from({ length: r.int(10, 25) }, () => r.pick(WORDS)).join(' ');
          d.services.push({
            id, organizationId: r.pick(organizations), name: `${r.pick(PLACES)} ${r.pick(KINDS)}`, description: `${words}.`, url: null, email: null, phone: null,
            status: 'active', fees: null, accreditations: null, minimumAge: min, maximumAge: min === null ? null : min + r.int(3, 60), eligibilityDescription: null,
            applicationProcess: null, takesReferrals: r.next() < 0.1, alert: null, assuredDate: null, assurerEmail: null, lastCheckedOn: '2026-01-01', lastModified: new Date(),
          });
          const locationId = newId();
          // Up to about 25 km from the centre (uniform over the disc).
          const dist = 25_000 * Math.sqrt(r.next());
          const bearing = r.next() * 2 * Math.PI;
          const lat = cLat + ((dist * Math.cos(bearing)) / 6_371_008.8) * (180 / Math.PI);
          const lon = cLon + ((dist * Math.sin(bearing)) / (6_371_008.8 * Math.cos((cLat * Math.PI) / 180))) * (180 / Math.PI);
          d.locations.push({ id: locationId, organizationId: null, locationType: 'physical', name: null, description: null, latitude: lat, longitude: lon, addressId: null, address1: null, address2: null, city: null, stateProvince: null, postalCode: null, country: null });
          d.serviceAtLocations.push({ id: newId(), serviceId: id, locationId });
          for (const t of new Set(Array.from({ length: r.int(1, 3) }, () => r.pick(termIds)))) d.attributes.push({ id: newId(), serviceId: id, termId: t });
        }
        await services.directory.repository.importData(d, r.pick(orgs).id, new Date());
        process.stdout.write(`  ${Math.min(opts.services, from + batch).toLocaleString('en-GB')} services\n`);
      }
      await database.query('vacuum analyze');
      const seconds = Math.round((Date.now() - started) / 1000);
      await services.repositories.settings.set(SETTING, { services: opts.services, seed: opts.seed, seconds });
      generation = { reused: false, seconds };
    } else {
      console.log(`Reusing ${opts.database}: ${setting.services.toLocaleString('en-GB')} services (seed ${setting.seed}).`);
    }

    const [{ n: published }] = (await database.query<{ n: number }>('select count(*)::int as n from directory_service where published')) as [{ n: number }];
    const postcodes = (await database.query<{ pcds: string }>('select pcds from postcode_centroid order by pcds')).map((x) => x.pcds);
    const ids = (await database.query<{ id: string }>('select id from directory_service where published order by random() limit 500')).map((x) => x.id);
    const base = await listen(createApp(services, createLogger('silent')), cleanUp);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanUp.add(() => agent.destroy());

    const r = rng(opts.seed + 7);
    const pages = Math.ceil(published / 50);
    const q = (pc: string) => encodeURIComponent(pc);
    const endpoints: Array<{ name: string; url: () => string }> = [
      { name: '/ping', url: () => `${base}/ping` },
      { name: 'text + proximity', url: () => `${base}/api/oruk/services?search=${r.pick(WORDS)}&postcode=${q(r.pick(postcodes))}&proximity=${r.pick([1000, 2000, 5000])}&per_page=50` },
      { name: 'services page of 50', url: () => `${base}/api/oruk/services?per_page=50&page=${r.int(1, pages)}` },
      { name: 'text only', url: () => `${base}/api/oruk/services?search=${r.pick(WORDS)}%20${r.pick(WORDS)}&per_page=50` },
      { name: 'proximity only', url: () => `${base}/api/oruk/services?postcode=${q(r.pick(postcodes))}&proximity=2000&per_page=50` },
      { name: 'service by id', url: () => `${base}/api/oruk/services/${r.pick(ids)}` },
    ];

    const machine = describeMachine();
    const [versionRow] = await database.query<{ version: string }>('select version()');
    console.log(`directory benchmark: ${published.toLocaleString('en-GB')} published services, ${postcodes.length} postcodes; ${versionRow?.version.split(' on ')[0]}, ${machine.cpu}, ${machine.logicalCpus} CPUs, Node ${machine.node}; load ${machine.loadAverage1mAtStart}`);
    // Warm-up: every endpoint, not counted.
    for (const e of endpoints) for (let i = 0; i < 50; i++) await timedGet(agent, e.url());

    const rounds: Array<Record<string, ReturnType<typeof percentiles> & { ratioP50ToPing: number }>> = [];
    const resultSizes = { textProximity: [] as number[] };
    for (let round = 0; round < opts.rounds; round++) {
      const times: Record<string, number[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
      const slices = 4;
      for (let s = 0; s < slices; s++) {
        const order = endpoints.map((_, i) => endpoints[(i + s + round) % endpoints.length]!);
        for (const e of order) {
          for (let i = 0; i < opts.requests / slices; i++) {
            const res = await timedGet(agent, e.url());
            if (res.status !== 200) throw new Error(`${e.name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
            times[e.name]!.push(res.ms);
            if (e.name === 'text + proximity') resultSizes.textProximity.push((JSON.parse(res.body) as { total_items: number }).total_items);
          }
        }
      }
      const ping = percentiles(times['/ping']!).p50;
      const summary = Object.fromEntries(endpoints.map((e) => { const p = percentiles(times[e.name]!); return [e.name, { ...p, ratioP50ToPing: round3(p.p50 / ping) }]; }));
      rounds.push(summary);
      console.log(`round ${round + 1}/${opts.rounds}: ` + endpoints.map((e) => `${e.name} p50 ${summary[e.name]!.p50} p95 ${summary[e.name]!.p95} ms`).join('; '));
    }
    const medians = Object.fromEntries(
      endpoints.map((e) => [e.name, { p50: round3(median(rounds.map((x) => x[e.name]!.p50))), p95: round3(median(rounds.map((x) => x[e.name]!.p95))), p99: round3(median(rounds.map((x) => x[e.name]!.p99))), ratioP50ToPing: round3(median(rounds.map((x) => x[e.name]!.ratioP50ToPing))) }]),
    );
    const targets = {
      'text + proximity p95 <= 50 ms': medians['text + proximity']!.p95 <= 50,
      'services page of 50 p95 <= 30 ms': medians['services page of 50']!.p95 <= 30,
    };
    const sizes = resultSizes.textProximity.sort((a, b) => a - b);
    const report = {
      suite: 'directory',
      date: new Date().toISOString(),
      git: gitState(),
      machine: { ...machine, loadAverage1mAtEnd: loadAverage1m(), database: versionRow?.version },
      options: opts,
      data: { published, postcodes: postcodes.length, generation },
      textProximityMatches: { median: median(sizes), max: sizes[sizes.length - 1] },
      medians,
      targets,
      rounds,
    };
    console.log('\nMedians of the rounds (ms):');
    for (const [name, m] of Object.entries(medians)) console.log(`  ${name.padEnd(22)} p50 ${String(m.p50).padStart(8)}  p95 ${String(m.p95).padStart(8)}  p99 ${String(m.p99).padStart(8)}  p50/ping ${m.ratioP50ToPing}`);
    console.log(`Text + proximity matched ${report.textProximityMatches.median} services (median; max ${report.textProximityMatches.max}).`);
    for (const [t, ok] of Object.entries(targets)) console.log(`  ${ok ? 'MET ' : 'MISSED'}  ${t}`);
    console.log(`Load average: ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end.`);
    console.log(`Raw results: ${writeResults('directory', new Date(), report)}`);
  } finally {
    await cleanUp.run();
  }
}

await runSuite('directory', main);
