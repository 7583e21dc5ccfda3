import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pairwiseScores } from '../../src/linkage/evaluate.ts';
import { FAKE_MAPPING, LINKAGE_FIXTURES_DIR, linkageFixturesPresent, readTruth } from '../../src/linkage/fixtures.ts';
import { parseCsv } from '../../src/linkage/csv.ts';

const BIN = path.resolve('bin/teamaround.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-link-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The `link` command needs no database: DATA_DIR points at a folder that must stay empty. */
function link(args: string[]) {
  const dataDir = path.join(dir, 'data-must-stay-empty');
  const r = spawnSync(process.execPath, [BIN, 'link', ...args], { env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 120_000 });
  expect(fs.existsSync(dataDir)).toBe(false);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('teamaround link', { timeout: 180_000 }, () => {
  it('refuses bad usage and a bad mapping with a clear message and exit code 2, writing nothing', () => {
    const input = write('in.csv', 'id,first,last\n1,Amy,Jones\n2,Amy,Jones\n');
    const out = path.join(dir, 'never.csv');
    expect(link(['--mapping', 'x.json', '--output', out]).stderr).toMatch(/--input: give the CSV file/);
    const bad = write('bad.json', JSON.stringify({ first_name: 'first', colour: 'c' }));
    const r = link(['--input', input, '--mapping', bad, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: record_id:/);
    expect(r.stderr).toMatch(/unknown key\(s\) colour/);
    const notJson = write('notjson.json', '{record_id:');
    expect(link(['--input', input, '--mapping', notJson, '--output', out]).stderr).toMatch(/notjson\.json: not valid JSON/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('with two inputs, refuses a record id that is in both, naming the file, row and column', () => {
    const a = write('a.csv', 'id,first,last\n1,Amy,Jones\n2,Ben,Smith\n');
    const b = write('b.csv', 'id,first,last\n7,Amy,Jones\n2,Ben,Smith\n');
    const mapping = write('m.json', JSON.stringify({ record_id: 'id', first_name: 'first', surname: 'last' }));
    const out = path.join(dir, 'dup.csv');
    const r = link(['--input', a, '--input', b, '--mapping', mapping, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${b}, row 3: column "id" (record_id): the id "2" is used again (first at ${a}, row 3)`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('writes record_id,cluster_id for every record of two files, ids as given', () => {
    const a = write('a2.csv', 'id,first,last,dob\n"a,1",Amy,Jones,2010-01-05\na2,Ben,Smith,2011-02-03\n');
    const b = write('b2.csv', 'id,first,last,dob\nb1,Amy,Jones,2010-01-05\n');
    const mapping = write('m2.json', JSON.stringify({ record_id: 'id', first_name: 'first', surname: 'last', date_of_birth: 'dob', date_format: 'YYYY-MM-DD' }));
    const out = path.join(dir, 'two.csv');
    const r = link(['--input', a, '--input', b, '--mapping', mapping, '--output', out]);
    expect(r.stderr).toMatch(/Wrote/);
    expect(r.code).toBe(0);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'));
    expect(rows[0]!.fields).toEqual(['record_id', 'cluster_id']);
    expect(rows.slice(1).map((x) => x.fields[0])).toEqual(['a,1', 'a2', 'b1']);
  });

  it.skipIf(!linkageFixturesPresent())('links fake_1000 with pairwise F1 above 0.88 (0.907 measured), no labels used', async () => {
    if (!linkageFixturesPresent()) return;
    const input = path.join(LINKAGE_FIXTURES_DIR, 'fake_1000.csv');
    const mapping = write('fake.json', JSON.stringify(FAKE_MAPPING));
    const out = path.join(dir, 'fake-clusters.csv');
    const r = link(['--input', input, '--mapping', mapping, '--output', out]);
    expect(r.code).toBe(0);
    const rows = parseCsv(fs.readFileSync(out, 'utf8')).slice(1);
    expect(rows).toHaveLength(1000);
    const truth = await readTruth(input, 'cluster');
    const ids = parseCsv(fs.readFileSync(input, 'utf8')).slice(1).map((x) => x.fields[0]!);
    expect(rows.map((x) => x.fields[0])).toEqual(ids);
    const scores = pairwiseScores(rows.map((x) => Number(x.fields[1])), truth);
    expect(scores.f1).toBeGreaterThan(0.88);
    expect(scores.precision).toBeGreaterThan(0.95);
  });
});

if (!linkageFixturesPresent()) console.warn(`linkage fixtures absent (${LINKAGE_FIXTURES_DIR}): the fake_1000 accuracy check is skipped`);
