import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CLI_ACTOR, runCommand } from '../../src/cli/commands.ts';
import { bufferedOutput } from '../../src/cli/output.ts';
import { nhsCheckDigit } from '../../src/people/identifiers.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const nhs = (n: number) => {
  for (let b = n; ; b++) {
    const body = String(900_000_000 + b);
    const d = nhsCheckDigit(body);
    if (d >= 0 && d <= 9) return body + d;
  }
};

/** 0 → "a", 27 → "bb": names hold letters only. */
const alpha = (i: number) => {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
};

/** A people file: `good` valid rows, and three bad ones at known rows. */
function peopleCsv(good: number, surnameOf = (i: number) => `Family${alpha(i)}`, prefix = 'P'): string {
  const lines = ['Ref,First,Last,Born,NHS,Post,Unused'];
  for (let i = 1; i <= good; i++) lines.push(`${prefix}${i},Child${alpha(i)},"${surnameOf(i)}",2019-05-${String((i % 28) + 1).padStart(2, '0')},${nhs(i * 10)},M1 1AE,x`);
  lines.push('B1,Ann,Smith,2019-02-30,,M1 1AE,x'); // a date that does not exist
  lines.push('B2,Bob,Jones,2018-01-01,9434765918,M1 1AE,x'); // NHS number fails modulus 11
  lines.push('B3,Cat,Brown,2018-01-01,,NOT A PC,x'); // not a postcode
  return lines.join('\r\n') + '\r\n';
}

async function* chunked(text: string, size: number, failAfterBytes = Infinity): AsyncGenerator<Uint8Array> {
  const b = Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) {
    if (i >= failAfterBytes) throw new Error('connection reset by peer');
    yield b.subarray(i, i + size);
  }
}

describe('agency data feeds', () => {
  let t: TestApp;
  let csc: string;
  let police: string;
  let feedId: string;
  const mapping = { fields: { sourceRecordId: 'Ref', givenNames: 'First', familyName: 'Last', dateOfBirth: 'Born', nhsNumber: 'NHS', postcode: 'Post' }, dateFormat: 'YYYY-MM-DD' };

  beforeAll(async () => {
    t = await createTestApp();
    csc = (await t.services.auth.createApiToken('social.worker@csc.northbridge.example', { by: CLI_ACTOR })).token;
    police = (await t.services.auth.createApiToken('police.officer@police.northbridge.example', { by: CLI_ACTOR })).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = (token: string) => ({
    get: (url: string) => request(t.app).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string) => request(t.app).post(url).set('Authorization', `Bearer ${token}`),
  });

  it('creates a feed with its mapping, and names each problem of a bad mapping', async () => {
    const bad = await api(csc).post('/api/v1/feeds').send({ name: 'Bad', kind: 'people', format: 'csv', mapping: { fields: { sourceRecordId: 'Ref' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields['mapping.fields.givenNames']).toMatch(/Name the column/);
    const created = await api(csc).post('/api/v1/feeds').send({ name: 'Case system people', kind: 'people', format: 'csv', mapping }).expect(201);
    feedId = created.body.id;
    expect(created.body.mapping.fields.sourceRecordId).toBe('Ref');
    const dup = await api(csc).post('/api/v1/feeds').send({ name: 'case SYSTEM people', kind: 'people', format: 'csv', mapping });
    expect(dup.status).toBe(400);
    const list = await api(csc).get('/api/v1/feeds').expect(200);
    expect(list.body.feeds.map((f: { name: string }) => f.name)).toEqual(['Case system people']);
    // The police see only their own feeds (the demo's incident feeds), never children's services'.
    const policeFeeds = (await api(police).get('/api/v1/feeds').expect(200)).body.feeds as Array<{ name: string }>;
    expect(policeFeeds.map((f) => f.name).every((n) => n.startsWith('Demo police incidents'))).toBe(true);
  });

  it('imports a CSV posted to the API: good rows kept, bad rows reported with row, column and reason', async () => {
    const file = peopleCsv(25);
    const res = await api(csc).post(`/api/v1/feeds/${feedId}/runs`).set('Content-Type', 'text/csv').send(file).expect(201);
    expect(res.body).toMatchObject({ status: 'completed', rowsSeen: 28, rowsAccepted: 25, rowsUnchanged: 0, rowsRejected: 3, checkpointRow: 29, percent: 100 });
    expect(res.body.fileSha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(await t.services.repositories.feeds.countSourceRecords((await t.services.feeds.resolve(feedId)).organisationId, 'people')).toBe(25);
    const rec = await t.services.repositories.feeds.sourceRecord((await t.services.feeds.resolve(feedId)).organisationId, 'people', 'P3');
    expect(rec).toMatchObject({ given_names: 'Childd', postcode: 'M1 1AE', date_of_birth: '2019-05-04', subject_id: null, first_run_id: res.body.id });
    expect(rec!.raw).not.toHaveProperty('Unused'); // only mapped columns are kept

    const csv = await api(csc).get(res.body.links.errors).expect(200).expect('Content-Type', /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('row,column,value,reason');
    expect(lines[1]).toBe('27,Born,2019-02-30,not a real date in the format YYYY-MM-DD');
    expect(lines[2]).toMatch(/^28,NHS,9434765918,/);
    expect(lines[3]).toBe('29,Post,NOT A PC,"Enter a full UK postcode, like SW1A 1AA"');

    const progress = await api(csc).get(`/api/v1/feeds/${feedId}/runs/${res.body.id}`).expect(200);
    expect(progress.body.rowsAccepted).toBe(25);

    const audit = await t.services.audit.search({ subjectId: res.body.id, limit: 10 });
    const finish = audit.find((e) => e.action === 'feed.import.finish')!;
    expect(finish.details).toMatchObject({ rowsAccepted: 25, rowsRejected: 3, sourceRecordsInserted: 25, feedId });
    expect(audit.some((e) => e.action === 'feed.import.start')).toBe(true);
  });

  it('changes nothing when the same file is sent again, and rewrites only the changed record', async () => {
    const again = await api(csc).post(`/api/v1/feeds/${feedId}/runs`).set('Content-Type', 'text/csv').send(peopleCsv(25)).expect(201);
    expect(again.body).toMatchObject({ status: 'completed', rowsAccepted: 25, rowsUnchanged: 25 });
    const org = (await t.services.feeds.resolve(feedId)).organisationId;
    expect((await t.services.repositories.feeds.sourceRecord(org, 'people', 'P1'))!.last_run_id).not.toBe(again.body.id);
    const changed = await api(csc).post(`/api/v1/feeds/${feedId}/runs`).set('Content-Type', 'text/csv').send(peopleCsv(25, (i) => (i === 7 ? 'Renamed' : `Family${alpha(i)}`))).expect(201);
    expect(changed.body).toMatchObject({ rowsAccepted: 25, rowsUnchanged: 24 });
    const p7 = await t.services.repositories.feeds.sourceRecord(org, 'people', 'P7');
    expect(p7).toMatchObject({ family_name: 'Renamed', last_run_id: changed.body.id });
    expect(await t.services.repositories.feeds.countSourceRecords(org, 'people')).toBe(25);
  });

  it("refuses another organisation's token (audited), a wrong content type, and an unknown feed", async () => {
    const denied = await api(police).post(`/api/v1/feeds/${feedId}/runs`).set('Content-Type', 'text/csv').send(peopleCsv(1));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/own organisation/);
    const entries = await t.services.audit.search({ subjectId: feedId, outcome: 'denied', limit: 5 });
    expect(entries.length).toBeGreaterThan(0);
    const wrong = await api(csc).post(`/api/v1/feeds/${feedId}/runs`).set('Content-Type', 'application/json').send('[]');
    expect(wrong.status).toBe(415);
    await api(csc).get('/api/v1/feeds/00000000-0000-7000-8000-000000000000/runs/00000000-0000-7000-8000-000000000000').expect(404);
  });

  it('keeps every committed batch when the file stops arriving, and resumes the same file after the checkpoint', async () => {
    const principal = (await t.services.auth.authenticateApiToken(csc))!;
    const feed = await t.services.feeds.create(principal, { name: 'Interrupted', kind: 'people', format: 'csv', mapping });
    const file = peopleCsv(60, undefined, 'R'); // other record ids than the first feed's: records are keyed by organisation, kind and id
    const sha = createHash('sha256').update(file).digest('hex');
    const heldBefore = await t.services.repositories.feeds.countSourceRecords(feed.organisationId, 'people');
    const first = await t.services.feeds.import(principal, feed, chunked(file, 97, Buffer.byteLength(file) / 2), { batchSize: 10, fileSha256: sha });
    expect(first.status).toBe('interrupted');
    expect(first.failure).toMatch(/connection reset by peer/);
    const run1 = (await t.services.repositories.feeds.findRun(first.runId))!;
    expect(run1.checkpointRow).toBeGreaterThan(10);
    const heldAfterStop = await t.services.repositories.feeds.countSourceRecords(feed.organisationId, 'people');
    expect(heldAfterStop - heldBefore).toBe(run1.rowsAccepted); // nothing accepted was lost
    expect(run1.rowsSeen).toBe(run1.checkpointRow - 1);

    const second = await t.services.feeds.import(principal, feed, chunked(file, 97), { batchSize: 10, fileSha256: sha });
    expect(second).toMatchObject({ status: 'completed', runId: first.runId, resumedFromRow: run1.checkpointRow, rowsSeen: 63, rowsAccepted: 60, rowsRejected: 3 });
    expect(second.rowsUnchanged).toBe(0); // nothing done twice
    expect((await t.services.repositories.feeds.countSourceRecords(feed.organisationId, 'people')) - heldBefore).toBe(60);
    const errors: string[] = [];
    for await (const chunk of t.services.feeds.errorsCsv(principal, feed.id, first.runId)) errors.push(chunk);
    expect(errors.join('').trim().split('\r\n')).toHaveLength(4); // the header and each bad row once
  });

  it('marks a run interrupted when the API client stops sending, keeping the batches committed', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const file = Buffer.from(peopleCsv(3000, undefined, 'Q'));
      const feed = await t.services.feeds.resolve(feedId);
      const before = (await t.services.repositories.feeds.listRuns(feed.organisationId, feed.id)).length;
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: `/api/v1/feeds/${feedId}/runs`, headers: { Authorization: `Bearer ${csc}`, 'Content-Type': 'text/csv', 'Content-Length': file.length } });
      req.on('error', () => {});
      req.write(file.subarray(0, Math.floor(file.length * 0.6)));
      const waitFor = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
        for (let i = 0; i < 200; i++) {
          const v = await probe();
          if (v !== undefined) return v;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('timed out waiting for the run');
      };
      // One batch of 1,000 rows committed while the rest has not arrived.
      const running = await waitFor(async () => {
        const runs = await t.services.repositories.feeds.listRuns(feed.organisationId, feed.id);
        return runs.length > before && runs[0]!.checkpointRow >= 1000 ? runs[0]! : undefined;
      });
      expect(running.status).toBe('running');
      req.destroy();
      const stopped = await waitFor(async () => {
        const r = await t.services.repositories.feeds.findRun(running.id);
        return r && r.status !== 'running' ? r : undefined;
      });
      expect(stopped.status).toBe('interrupted');
      expect(stopped.rowsAccepted).toBeGreaterThanOrEqual(1000);
      expect(stopped.failure).toMatch(/stopped arriving/);
      const finish = (await t.services.audit.search({ subjectId: running.id, action: 'feed.import.finish', limit: 1 }))[0]!;
      expect(finish.outcome).toBe('failure');
      expect(finish.details).toMatchObject({ status: 'interrupted', rowsAccepted: stopped.rowsAccepted });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads JSON arrays and NDJSON, and stops at a broken file keeping the rows before the break', async () => {
    const principal = (await t.services.auth.authenticateApiToken(csc))!;
    const feed = await t.services.feeds.create(principal, { name: 'Events JSON', kind: 'events', format: 'json', mapping: { fields: { sourceRecordId: 'id', personRecordId: 'person', startDate: 'date', eventType: 'type' } } });
    const nd = '{"id":"E1","person":"P1","date":"2025-01-02","type":"attendance"}\n{"id":"E2","person":"P1","date":"2025-13-02","type":"x"}\n';
    const r1 = await api(csc).post(`/api/v1/feeds/${feed.id}/runs`).set('Content-Type', 'application/x-ndjson').send(nd).expect(201);
    expect(r1.body).toMatchObject({ status: 'completed', rowsAccepted: 1, rowsRejected: 1 });
    const broken = '[{"id":"E3","person":"P2","date":"2025-01-03","type":"visit"}, {"id":"E4"';
    const r2 = await api(csc).post(`/api/v1/feeds/${feed.id}/runs`).set('Content-Type', 'application/json').send(broken).expect(201);
    expect(r2.body).toMatchObject({ status: 'failed', rowsAccepted: 1 });
    expect(r2.body.failure).toMatch(/closing \]/);
  });

  it('imports a file with the CLI command', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-feed-'));
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(file, '\uFEFF' + peopleCsv(12));
    const io = bufferedOutput();
    expect(await runCommand(t.services, ['import', '--feed', 'Case system people', '--file', file, '--batch', '5'], io)).toBe(0);
    expect(io.stdout()).toMatch(/Import complete \(run [0-9a-f-]+\): 15 rows read, 12 accepted \(0 new, 1 changed, 11 unchanged\), 3 refused\./);
    expect(io.stderr()).toMatch(/errors\.csv/);
    const io2 = bufferedOutput();
    expect(await runCommand(t.services, ['import', '--feed', 'no such feed', '--file', file], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/no feed with the id or name/);

    const mappingFile = path.join(dir, 'mapping.json');
    fs.writeFileSync(mappingFile, JSON.stringify({ fields: { sourceRecordId: 'Ref', personRecordId: 'Person', startDate: 'On' } }));
    const io3 = bufferedOutput();
    expect(await runCommand(t.services, ['feed', 'create', '--organisation', 'Northbridge Police', '--name', 'Custody contacts', '--kind', 'contacts', '--format', 'csv', '--mapping', mappingFile], io3)).toBe(0);
    const created = await t.services.feeds.resolve(io3.stdout().trim());
    expect(created).toMatchObject({ name: 'Custody contacts', kind: 'contacts', organisationName: 'Northbridge Police' });
    const io4 = bufferedOutput();
    fs.writeFileSync(mappingFile, JSON.stringify({ fields: { sourceRecordId: 'Ref' } }));
    expect(await runCommand(t.services, ['feed', 'create', '--organisation', 'Northbridge Police', '--name', 'Broken', '--kind', 'contacts', '--format', 'csv', '--mapping', mappingFile], io4)).toBe(2);
    expect(io4.stderr()).toMatch(/Name the column that holds person's record id/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
