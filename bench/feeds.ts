/**
 * `npm run bench -- feeds [--rows 1000000] [--batch 1000] [--bad-every 50]`
 *
 * Streams a synthetic people CSV of --rows rows (one in --bad-every with a bad date, NHS number or
 * postcode) through FeedService#import into a fresh database on the PostgreSQL server named by
 * DATABASE_URL (database ta_bench_feeds, dropped at the end), three times:
 *  1. first import: every good row inserted;
 *  2. the same file again: every good row unchanged (nothing rewritten);
 *  3. an import stopped halfway (the source throws), then resumed with the same file.
 * Measures rows/s, MB/s and the process's peak resident set size (sampled every 50 ms, and the
 * kernel's maxRSS), which must stay flat however big the file: the file is never held in memory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { newId } from '../src/ids.ts';
import { nhsCheckDigit } from '../src/people/identifiers.ts';
import { createServices } from '../src/services/index.ts';
import { cleanUpOnExit, gitState, machine, runSuite, wholeNumber, writeResults } from './support/run.ts';

const DB = 'ta_bench_feeds';

function letters(i: number): string {
  let s = '';
  do {
    s += String.fromCharCode(97 + (i % 26));
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

async function writeCsv(file: string, rows: number, badEvery: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('id,forename,surname,dob,nhs,postcode,notes\r\n');
  let bad = 0;
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    let nhsBody = String(400_000_000 + i);
    let d = nhsCheckDigit(nhsBody);
    while (d > 9) {
      nhsBody = String(Number(nhsBody) + 500_000_000);
      d = nhsCheckDigit(nhsBody);
    }
    let dob = `20${String(10 + (i % 14)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    let nhs = nhsBody + d;
    let pc = `NB${(i % 9) + 1} ${(i % 9) + 1}AB`;
    if (i % badEvery === 0) {
      bad++;
      const k = (i / badEvery) % 3;
      if (k === 0) dob = '2019-02-30';
      else if (k === 1) nhs = nhs.slice(0, 9) + String((Number(nhs[9]) + 1) % 10);
      else pc = 'NOT A POSTCODE';
    }
    buf += `R${i},Child${letters(i)},"Family ${letters(i * 7)}",${dob},${nhs},${pc},"free text, not mapped"\r\n`;
    if (buf.length > 1 << 16) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(() => r()));
  return bad;
}

await runSuite('feeds', async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '1000' }, 'bad-every': { type: 'string', default: '50' } }, strict: true });
  const rows = wholeNumber('rows', values.rows, 1, 50_000_000);
  const batch = wholeNumber('batch', values.batch, 1, 5000);
  const badEvery = wholeNumber('bad-every', values['bad-every'], 2, 1_000_000);
  const cleanUp = cleanUpOnExit();

  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  cleanUp.add(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop database if exists ${DB} with (force)`);
    await c.end();
  });
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${DB}`;
  const database = await openDatabase({ databaseUrl: dbUrl.toString(), poolSize: 4 });
  cleanUp.add(() => database.close());
  await migrate(database);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-bench-feeds-'));
  cleanUp.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const services = createServices(loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, APP_SECRET: 'bench-secret-bench-secret-bench-secret-12', LOG_LEVEL: 'silent' }), database);

  const orgId = newId();
  await services.repositories.organisations.insert(orgId, { name: 'Bench Borough Council', typeCode: 'childrens_social_care', officialCode: 'E99999999', emailDomain: null, oidcIssuer: null, oidcClientId: null, oidcClientSecret: null, active: true }, new Date());
  const feed = await services.feeds.create('operator', { name: 'Bench people', kind: 'people', format: 'csv', mapping: { fields: { sourceRecordId: 'id', givenNames: 'forename', familyName: 'surname', dateOfBirth: 'dob', nhsNumber: 'nhs', postcode: 'postcode' } } }, orgId);

  const file = path.join(dir, 'people.csv');
  console.log(`Writing ${rows.toLocaleString('en-GB')} rows…`);
  const bad = await writeCsv(file, rows, badEvery);
  const size = fs.statSync(file).size;
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  console.log(`${(size / 1e6).toFixed(1)} MB, ${bad.toLocaleString('en-GB')} bad rows.`);

  const measure = async (target: typeof feed, label: string, source: () => AsyncIterable<Uint8Array>, fileSha256: string | null) => {
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const r = await services.feeds.import('operator', target, source(), {
      bytesTotal: size,
      batchSize: batch,
      fileSha256,
      onProgress: (p) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${p.percent ?? 0}% ${p.rowsSeen.toLocaleString('en-GB')} rows ${p.rowsPerSecond.toLocaleString('en-GB')} rows/s\x1b[K`);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const result = {
      label,
      status: r.status,
      seconds: Math.round(seconds * 100) / 100,
      resumedFromRow: r.resumedFromRow,
      rowsPerSecond: Math.round(r.rowsPerSecond),
      mbPerSecond: Math.round((r.bytesRead / 1e6 / seconds) * 10) / 10,
      peakRssMb: Math.round(peak / 1e6),
      counts: { seen: r.rowsSeen, accepted: r.rowsAccepted, unchanged: r.rowsUnchanged, rejected: r.rowsRejected, inserted: r.inserted, updated: r.updated },
    };
    console.log(JSON.stringify(result));
    return result;
  };

  const first = await measure(feed, 'first import', () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }), null);
  const again = await measure(feed, 'same file again', () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }), null);

  // Interrupted halfway, then resumed: a second feed, so the records are new again.
  const feed2 = await services.feeds.create('operator', { name: 'Bench people 2', kind: 'events', format: 'csv', mapping: { fields: { sourceRecordId: 'id', personRecordId: 'nhs', startDate: 'dob', eventType: 'forename' } } }, orgId);
  async function* stopsHalfway(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
      if (sent > size / 2) throw new Error('simulated: connection lost');
      sent += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  const stopped = await measure(feed2, 'stopped halfway', stopsHalfway, sha);
  const resumed = await measure(feed2, 'resumed', () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }), sha);
  const held = await services.repositories.feeds.countSourceRecords(orgId, 'events');

  const report = {
    suite: 'feeds',
    date: new Date().toISOString(),
    machine: machine(),
    git: gitState(),
    rows,
    bytes: size,
    badRows: bad,
    batch,
    maxRssMbKernel: Math.round(process.resourceUsage().maxRSS / 1000),
    runs: [first, again, stopped, resumed],
    eventsHeldAfterResume: held,
  };
  console.log(`Results: ${writeResults('feeds', new Date(), report)}`);
  await services.audit.flush();
  await cleanUp.run();
});
