/**
 * `npm run bench -- summary [--people 1000000] [--seed 1] [--events 500] [--requests 300] [--fresh] [--database ta_bench_summary]`
 *
 * The family summary (issue 6) at partnership scale, through the HTTP API with the access policy and
 * the audit log, on PostgreSQL only (DATABASE_URL names the server). Target: p95 <= 100 ms.
 *
 * The data: the synthetic partnership of src/synth (the `lookup` suite's generator: COPY and
 * generate_series) with --people people, in the database --database (default ta_bench_summary),
 * KEPT between runs and reused when it matches; --fresh regenerates it. Into it, once (remembered in
 * the app_setting `bench_summary_family`), a family of six (two adults, partners, who moved in
 * together 40 days ago; four children), with --events records each sent by six agencies through their feeds (FeedService:
 * people records, then involvements and events) and linked by the linking service; the hub's MASH
 * officer has an open enquiry on each of them (so the policy opens every case category, the
 * heaviest case) and records written consent for health on the mother.
 *
 * Measured: sequential keep-alive requests (one at a time), interleaved in 4 slices so drift hits
 * every endpoint alike: /ping (baseline), who is involved (the lookup suite's endpoint, baseline of a
 * policy+audit read), the family summary for a hub meeting and to work with the family, and the
 * family's chronology for one agency. p50/p95/p99 per endpoint, and ratios to who is involved.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUpOnExit, keptDatabase, gitState, listen, loadAverage1m, machine as describeMachine, percentiles, postgresCpuMs, processCpuMs, runSuite, wholeNumber, writeResults } from './support/run.ts';

const REASON = 'benchmark: family on the locality hub agenda';
const FAMILY_SETTING = 'bench_summary_family';

interface Options {
  people: number;
  seed: number;
  events: number;
  requests: number;
  fresh: boolean;
  database: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      events: { type: 'string', default: '500' },
      requests: { type: 'string', default: '300' },
      fresh: { type: 'boolean', default: false },
      database: { type: 'string', default: 'ta_bench_summary' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: DATABASE_URL=postgres://… npm run bench -- summary [--people 1000000] [--seed 1] [--events 500] [--requests 300] [--fresh] [--database ta_bench_summary]');
    process.exit(0);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) {
    console.error('--database must be a plain lower-case PostgreSQL name, like ta_bench_summary');
    process.exit(2);
  }
  return {
    people: wholeNumber('people', values.people, 1000, 100_000_000),
    seed: wholeNumber('seed', values.seed, 0, 2 ** 31 - 1),
    events: wholeNumber('events', values.events, 1, 100_000),
    requests: wholeNumber('requests', values.requests, 20, 100_000),
    fresh: values.fresh,
    database: values.database,
  };
}

function timedGet(agent: http.Agent, base: string, p: string, headers: Record<string, string>): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(`${base}${p}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

const AGENCIES = [
  { type: 'childrens_social_care', events: ['Home visit', 'Strategy discussion', 'Child in need review', 'Child protection conference', 'Core group meeting'] },
  { type: 'police', events: ['Domestic abuse incident', 'Anti-social behaviour', 'Missing person report', 'Welfare check', 'Arrest'] },
  { type: 'school', events: ['Fixed-term exclusion', 'Attendance meeting', 'Safeguarding concern', 'EHCP annual review', 'Parents evening'] },
  { type: 'gp_practice', events: ['Appointment', 'Missed appointment', 'Prescription review', 'Antenatal booking', 'Referral to specialist'] },
  { type: 'housing', events: ['Rent arrears warning', 'Repair visit', 'Noise nuisance complaint', 'Tenancy review', 'Notice seeking possession'] },
  { type: 'youth_justice', events: ['Referral order panel', 'Appointment', 'Reparation session', 'Missed appointment', 'Review'] },
] as const;

async function main(): Promise<void> {
  const opts = parseOptions();
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.error('The summary benchmark runs on PostgreSQL only. Set DATABASE_URL, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- summary');
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
  const { nhsCheckDigit } = await import('../src/people/identifiers.ts');
  const { newId } = await import('../src/ids.ts');
  const { Rng } = await import('../src/synth/random.ts');
  const cleanUp = cleanUpOnExit(' (the benchmark database is kept)');

  try {
    const kept = await keptDatabase(adminUrl, opts.database, opts.fresh);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-summary-'));
    cleanUp.add(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1',
      APP_SECRET: crypto.randomBytes(36).toString('base64url'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: kept.url,
    });
    let database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    cleanUp.add(() => database.close());
    await migrate(database);
    let services = createServices(config, database);
    cleanUp.add(() => services.audit.flush());

    // ---- the partnership: kept between runs
    type Setting = { status: string; people: number; seed: number; seconds?: number; counts?: Record<string, number> };
    const setting = await services.repositories.settings.get<Setting>(SYNTH_SETTING);
    let generation = { reused: true, seconds: setting?.seconds ?? null };
    if (!(setting?.status === 'complete' && setting.seed === opts.seed && Math.abs(setting.people - opts.people) < 10)) {
      const [{ any }] = (await database.query<{ any: boolean }>('select exists (select 1 from organisation) or exists (select 1 from person) as any')) as [{ any: boolean }];
      if (any) {
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
          involvementsPerPerson: 5,
          actor: { userId: null, label: 'bench', organisationId: null, roles: [] },
          onProgress: (p) => {
            if (p.phase === 'people' && p.elapsedMs - last < 15_000) return;
            last = p.elapsedMs;
            console.log(`  ${p.phase} ${p.people.toLocaleString('en-GB')} people, ${(p.elapsedMs / 1000).toFixed(0)} s`);
          },
        },
      );
      generation = { reused: false, seconds: r.seconds };
    }
    const by = { userId: null, label: 'bench', organisationId: null, roles: [] };
    const tokenFor = async (email: string) => (await services.auth.createApiToken(email, { name: 'bench summary', expiresInMs: 3 * 3_600_000, by })).token;
    const principalFor = async (email: string) => (await services.auth.authenticateApiToken(await tokenFor(email)))!;
    const [hub] = await database.query<{ email: string }>(
      `select u.email from app_user u join user_role r on r.user_id = u.id and r.role_code = 'mash_officer'
         join organisation o on o.id = u.organisation_id and o.type_code = 'childrens_social_care' where u.status = 'active' order by u.email limit 1`,
    );
    if (!hub) throw new Error('The synthetic partnership has no MASH officer in children’s social care');
    const hubPrincipal = await principalFor(hub.email);

    // ---- the family of six, once
    type Family = { ids: string[]; focus: string; events: number };
    let family = await services.repositories.settings.get<Family>(FAMILY_SETTING);
    if (!family || family.events !== opts.events) {
      const seeding = performance.now();
      const ctx = { requestId: 'bench-summary', ip: null };
      const rng = new Rng(opts.seed, 0x5a11);
      // NHS numbers nobody in the partnership holds.
      const nhs: string[] = [];
      for (let b = 999_100_000 + rng.range(0, 800_000); nhs.length < 6; b++) {
        const d = nhsCheckDigit(String(b));
        if (d < 0 || d > 9) continue;
        const v = String(b) + d;
        const taken = await database.query('select 1 from person_identifier where scheme = $1 and value = $2', ['nhs_number', v]);
        if (taken.length === 0) nhs.push(v);
      }
      // Names are letters only (the feeds refuse digits in a family name).
      const suffix = [...crypto.randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
      const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
      const people = [
        { given: 'Marisol', family: `Quenby-${suffix}`, sex: 'female' as const, dob: day(35 * 365), precision: 'exact' as const },
        { given: 'Dorian', family: `Quenby-${suffix}`, sex: 'male' as const, dob: day(39 * 365), precision: 'exact' as const },
        { given: 'Ottilie', family: `Quenby-${suffix}`, sex: 'female' as const, dob: day(12 * 365), precision: 'exact' as const },
        { given: 'Caspian', family: `Quenby-${suffix}`, sex: 'male' as const, dob: day(9 * 365), precision: 'exact' as const },
        { given: 'Wren', family: `Quenby-${suffix}`, sex: 'female' as const, dob: day(6 * 365), precision: 'exact' as const },
        { given: 'Juniper', family: `Quenby-${suffix}`, sex: 'female' as const, dob: day(2 * 365), precision: 'exact' as const },
      ];

      const ids: string[] = [];
      for (const [i, p] of people.entries()) {
        ids.push((await services.people.create(hubPrincipal, { givenNames: p.given, familyName: p.family, sex: p.sex, dateOfBirth: p.dob, dobPrecision: p.precision, nhsNumber: nhs[i] }, ctx)).subjectId);
      }
      const [mother, father, ...kids] = ids as [string, string, string, string, string, string];
      await services.people.addRelationship(hubPrincipal, mother, { relatedSubjectId: father, type: 'partner', fromDate: day(40) }, ctx);
      for (const k of kids) {
        await services.people.addRelationship(hubPrincipal, mother, { relatedSubjectId: k, type: 'parent' }, ctx);
        await services.people.addRelationship(hubPrincipal, father, { relatedSubjectId: k, type: k === kids[0] ? 'step_parent' : 'parent' }, ctx);
      }
      await services.people.createHousehold(hubPrincipal, mother, { label: 'Bench household', address: 'none', memberSubjectIds: [father, ...kids], fromDate: day(40) }, ctx);
      for (const id of ids) await services.repositories.people.openEnquiry({ subjectId: id, id: newId(), organisationId: hubPrincipal.organisationId, openedBy: hubPrincipal.userId, reason: 'benchmark' }, new Date());
      await services.consents.record(
        hubPrincipal,
        mother,
        { decision: 'given', givenBy: 'person', capacityAssessment: 'presumed', capacityOutcome: 'capable', purposes: ['early_help'], recipientOrganisationIds: [hubPrincipal.organisationId], categories: ['health'], method: 'written' },
        ctx,
      );
      // Each agency sends its people records, then its events (and social care its involvements); linking attaches them.
      for (const [a, agency] of AGENCIES.entries()) {
        const [sender] = await database.query<{ email: string }>(
          `select u.email from app_user u join organisation o on o.id = u.organisation_id join user_role r on r.user_id = u.id and r.role_code = 'practitioner'
            where o.type_code = $1 and u.status = 'active' order by o.name, u.email limit 1`,
          [agency.type],
        );
        if (!sender) throw new Error(`No practitioner of a ${agency.type} organisation in the partnership`);
        const p = await principalFor(sender.email);
        const name = `bench ${suffix} ${agency.type}`;
        const pf = await services.feeds.create(p, { name: `${name} people`, kind: 'people', format: 'csv', mapping: { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', nhsNumber: 'NHS' }, dateFormat: 'YYYY-MM-DD' } });
        const rows = people.map((x, i) => `P${i},${x.given},${x.family},${x.dob},${nhs[i]}`);
        const sent = await services.feeds.import(p, pf, text(['Ref,First,Last,Born,NHS', ...rows].join('\r\n') + '\r\n'));
        if (sent.rowsAccepted !== people.length) throw new Error(`${agency.type}: ${sent.rowsRejected} people records refused (see import_error)`);
        const ef = await services.feeds.create(p, {
          name: `${name} events`,
          kind: 'events',
          format: 'csv',
          mapping: { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'Date', eventType: 'Type', description: 'Notes' }, dateFormat: 'YYYY-MM-DD' },
        });
        const lines = ['Ref,Person,Date,Type,Notes'];
        // --events per person in all, spread over the six agencies and the last six years.
        for (let i = 0; i < 6; i++) {
          const share = Math.floor(opts.events / AGENCIES.length) + (a < opts.events % AGENCIES.length ? 1 : 0);
          for (let e = 0; e < share; e++) lines.push(`E${i}-${e},P${i},${day(rng.range(1, 6 * 365))},${rng.pick([...agency.events])},Synthetic event ${e}`);
        }
        await services.feeds.import(p, ef, text(lines.join('\r\n') + '\r\n'));
        const linked = await services.linking.run(p, p.organisationId, ctx);
        if (linked.linked.length !== people.length) throw new Error(`${agency.type}: only ${linked.linked.length} of ${people.length} people records linked`);
        console.log(`  ${agency.type}: ${linked.linked.length} people records linked, ${lines.length - 1} events sent`);
      }
      // The lead's linking carries subject_id to the dependants; if it did not, say so and stop.
      const [unlinked] = await database.query<{ n: number }>(
        `select count(*)::int as n from source_record s join source_record p on p.organisation_id = s.organisation_id and p.kind = 'people' and p.source_record_id = s.person_record_id
          where s.kind <> 'people' and s.subject_id is null and p.subject_id is not null`,
      );
      if (unlinked!.n) throw new Error(`${unlinked!.n} events were not attached to their linked people`);
      family = { ids, focus: kids[0]!, events: opts.events };
      await services.repositories.settings.set(FAMILY_SETTING, family);
      console.log(`Family of six seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    }
    const [{ n: linkedRecords }] = (await database.query<{ n: number }>('select count(*)::int as n from source_record where subject_id = any($1::uuid[]) and kind <> $2', [family.ids, 'people'])) as [{ n: number }];
    const [{ n: peopleCount }] = (await database.query<{ n: number }>('select count(*)::int as n from person')) as [{ n: number }];

    // ---- the app
    const base = await listen(createApp(services, createLogger('silent')), cleanUp);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanUp.add(() => agent.destroy());
    const auth = { authorization: `Bearer ${await tokenFor(hub.email)}` };
    const q = (o: Record<string, string>) => new URLSearchParams({ reason: REASON, ...o }).toString();
    const [someAgency] = await database.query<{ organisation_id: string }>('select organisation_id from source_record where subject_id = $1 and kind = $2 limit 1', [family.focus, 'events']);
    const endpoints = [
      { name: '/ping', path: '/ping', headers: {}, check: (b: string) => b.includes('pong') },
      { name: 'who is involved', path: `/api/v1/people/${family.focus}/involvements?${q({})}`, headers: auth, check: (b: string) => b.includes('"current"') },
      {
        name: 'family summary (hub meeting)',
        path: `/api/v1/family-summary/people/${family.focus}?${q({ purpose: 'hub-meeting' })}`,
        headers: auth,
        check: (b: string) => (JSON.parse(b) as { members: unknown[] }).members.length === 6,
      },
      {
        name: 'family summary (work with family)',
        path: `/api/v1/family-summary/people/${family.focus}?${q({ purpose: 'work-with-family' })}`,
        headers: auth,
        check: (b: string) => (JSON.parse(b) as { chronologyEntries: number }).chronologyEntries > 0,
      },
      {
        name: 'chronology, one agency',
        path: `/api/v1/family-summary/people/${family.focus}/chronology?${q({ purpose: 'work-with-family', agency: someAgency!.organisation_id })}`,
        headers: auth,
        check: (b: string) => (JSON.parse(b) as { entries: unknown[] }).entries.length > 0,
      },
    ];
    const probe: Record<string, unknown> = {};
    for (const e of endpoints) {
      const r = await timedGet(agent, base, e.path, e.headers);
      if (r.status !== 200 || !e.check(r.body)) throw new Error(`${e.name} did not answer as expected: ${r.status} ${r.body.slice(0, 300)}`);
      if (e.name === 'family summary (work with family)') {
        const b = JSON.parse(r.body) as { chronologyEntries: number; statuses: unknown[]; heldBy: unknown[] };
        probe.workWithFamily = { chronologyEntries: b.chronologyEntries, statuses: b.statuses.length, heldBy: b.heldBy.length, bytes: r.body.length };
      }
      if (e.name === 'family summary (hub meeting)') {
        const b = JSON.parse(r.body) as { chronologyEntries: number; heldBy: unknown[] };
        probe.hubMeeting = { chronologyEntries: b.chronologyEntries, heldBy: b.heldBy.length, bytes: r.body.length };
      }
      if (e.name === 'chronology, one agency') probe.chronology = { entries: (JSON.parse(r.body) as { entries: unknown[] }).entries.length, bytes: r.body.length };
    }
    const [versionRow] = await database.query<{ version: string }>('select version() as version');
    const [sizeRow] = await database.query<{ size: string }>('select pg_size_pretty(pg_database_size(current_database())) as size');
    const machine = { ...describeMachine(), databaseVersion: versionRow?.version ?? null, databaseSize: sizeRow?.size ?? null };
    console.log(`summary benchmark: ${peopleCount.toLocaleString('en-GB')} people, family of 6 with ${linkedRecords} linked records; load average ${machine.loadAverage1mAtStart}`);
    await services.audit.flush();
    const auditBefore = (await services.repositories.audit.head())?.seq ?? 0;

    const times: Record<string, number[]> = Object.fromEntries(endpoints.map((e) => [e.name, []]));
    // CPU used per request while each endpoint's requests ran (one at a time): this process (the app
    // and the client), and every postgres process on the machine (an upper bound: other clients too).
    const cpu: Record<string, { app: number; postgres: number | null }> = Object.fromEntries(endpoints.map((e) => [e.name, { app: 0, postgres: 0 }]));
    for (const e of endpoints) for (let i = 0; i < 10; i++) await timedGet(agent, base, e.path, e.headers);
    const slices = 4;
    for (let s = 0; s < slices; s++) {
      for (const e of endpoints.map((_, i) => endpoints[(i + s) % endpoints.length]!)) {
        const n = Math.floor(((s + 1) * opts.requests) / slices) - Math.floor((s * opts.requests) / slices);
        const app0 = processCpuMs();
        const pg0 = postgresCpuMs();
        for (let i = 0; i < n; i++) {
          const r = await timedGet(agent, base, e.path, e.headers);
          if (r.status !== 200) throw new Error(`${e.name}: ${r.status} ${r.body.slice(0, 200)}`);
          times[e.name]!.push(r.ms);
        }
        await services.audit.flush();
        const pg1 = postgresCpuMs();
        const c = cpu[e.name]!;
        c.app += processCpuMs() - app0;
        c.postgres = pg0 === null || pg1 === null || c.postgres === null ? null : c.postgres + (pg1 - pg0);
      }
      console.log(`  slice ${s + 1}/${slices} done`);
    }
    await services.audit.flush();
    const auditAfter = (await services.repositories.audit.head())?.seq ?? 0;
    const byAction = Object.fromEntries(
      (await database.query<{ action: string; n: number }>('select action, count(*)::int as n from audit_event where seq > $1 and seq <= $2 group by 1 order by 1', [auditBefore, auditAfter])).map((r) => [r.action, r.n]),
    ) as Record<string, number>;
    const lookupP50 = percentiles(times['who is involved']!).p50;
    const summary = endpoints.map((e) => {
      const p = percentiles(times[e.name]!);
      const c = cpu[e.name]!;
      const per = (v: number) => Math.round((v / times[e.name]!.length) * 100) / 100;
      return {
        endpoint: e.name,
        requests: times[e.name]!.length,
        ms: p,
        p50RatioToWhoIsInvolved: Math.round((p.p50 / lookupP50) * 100) / 100,
        cpuMsPerRequest: { app: per(c.app), postgres: c.postgres === null ? null : per(c.postgres) },
      };
    });
    const date = new Date();
    const report = {
      suite: 'summary',
      date: date.toISOString(),
      ...gitState(),
      machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
      options: opts,
      data: { database: opts.database, people: peopleCount, family, linkedRecords, generation, probe },
      target: { summaryP95Ms: 100 },
      summary,
      audit: { entriesWritten: auditAfter - auditBefore, byAction },
    };
    const file = writeResults('summary', date, report);
    console.log(`\n### summary — PostgreSQL, ${peopleCount.toLocaleString('en-GB')} people, family of six with ${linkedRecords} linked records, ${date.toISOString().slice(0, 10)}\n`);
    console.log('| Endpoint (sequential, keep-alive) | Requests | p50 ms | p95 ms | p99 ms | p50 / who is involved | CPU ms/request: app, PostgreSQL |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const s of summary) {
      console.log(
        `| ${s.endpoint} | ${s.requests} | ${s.ms.p50.toFixed(2)} | ${s.ms.p95.toFixed(2)} | ${s.ms.p99.toFixed(2)} | ${s.p50RatioToWhoIsInvolved.toFixed(2)} | ` +
          `${s.cpuMsPerRequest.app.toFixed(2)}, ${s.cpuMsPerRequest.postgres?.toFixed(2) ?? '–'} |`,
      );
    }
    console.log('CPU: this process (app and client) and every postgres process on the machine (an upper bound), over each endpoint\'s requests.');
    console.log(`\nMachine: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.databaseVersion?.split(' on ')[0]}; load average (1 min) ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end`);
    console.log(`Responses: ${JSON.stringify(probe)}`);
    console.log(`Audit: ${auditAfter - auditBefore} entries (${Object.entries(byAction).map(([a, n]) => `${a} ${n}`).join(', ')})`);
    console.log(`Raw results: ${file}`);
    const hubP95 = summary.find((s) => s.endpoint === 'family summary (hub meeting)')!.ms.p95;
    console.log(`Target p95 <= 100 ms for the summary: ${hubP95 <= 100 ? 'met' : 'MISSED'} (${hubP95.toFixed(2)} ms)`);
  } finally {
    await cleanUp.run();
  }
}

await runSuite('summary', main);
