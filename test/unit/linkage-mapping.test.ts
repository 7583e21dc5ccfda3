import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dateParser, emptyRecordSet, parseLinkMapping, readMappedCsv } from '../../src/linkage/mapping.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-link-map-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('link mapping', () => {
  it('needs only record_id, and names every problem with its key', () => {
    expect(parseLinkMapping({ record_id: 'id' })).toEqual({ record_id: 'id' });
    expect(() => parseLinkMapping({ surname: 'sn' }, 'm.json')).toThrow(/m\.json: record_id:/);
    expect(() => parseLinkMapping({ record_id: 'id', nickname: 'x' }, 'm.json')).toThrow(/unknown key\(s\) nickname/);
    expect(() => parseLinkMapping({ record_id: 'id', date_format: 'YYYYMMDD' })).toThrow(/date_format: is given but date_of_birth is not/);
    expect(() => parseLinkMapping({ record_id: 'id', date_of_birth: 'dob', date_format: 'YYYY-MM' })).toThrow(/date_format/);
    expect(() => parseLinkMapping({ record_id: 'id', address_lines: 'line1' })).toThrow(/address_lines/);
    expect(() => parseLinkMapping({ record_id: '' })).toThrow(/record_id/);
  });

  it('parses dates in the given format into YYYYMMDD', () => {
    expect(dateParser('YYYY-MM-DD')('2012-03-04')).toBe('20120304');
    expect(dateParser('YYYYMMDD')('20120304')).toBe('20120304');
    expect(dateParser('D/M/YYYY')('4/3/2012')).toBe('20120304');
    expect(dateParser('DD/MM/YYYY')('2012-03-04')).toBeNull();
  });

  it('reads only the mapped columns, and refuses a record id used twice across two files, naming file, row and column', async () => {
    const a = file('a.csv', 'id,forename,secret\nx1,Amy,do-not-read\nx2,Ben,do-not-read\n');
    const b = file('b.csv', 'ref,forename\ny1,Cat\nx2,Dan\n');
    const set = emptyRecordSet();
    const seen = new Map<string, string>();
    await readMappedCsv(a, { record_id: 'id', first_name: 'forename' }, set, 0, seen);
    expect(set.size).toBe(2);
    expect(JSON.stringify(set.get(0))).not.toMatch(/do-not-read/);
    await expect(readMappedCsv(b, { record_id: 'ref', first_name: 'forename' }, set, 1, seen)).rejects.toThrow(
      new RegExp(`${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, row 3: column "ref" \\(record_id\\): the id "x2" is used again \\(first at .*a\\.csv, row 3\\)`),
    );
  });

  it('refuses a mapped column missing from the header, and an empty record id', async () => {
    const a = file('c.csv', 'id,forename\n1,Amy\n,Ben\n');
    await expect(readMappedCsv(a, { record_id: 'id', surname: 'family' }, emptyRecordSet(), 0, new Map())).rejects.toThrow(/row 1: the mapping's surname names the column "family", which is not in the header/);
    await expect(readMappedCsv(a, { record_id: 'id' }, emptyRecordSet(), 0, new Map())).rejects.toThrow(/c\.csv, row 3: column "id" \(record_id\) is empty/);
  });

  it('counts dates of birth that do not fit the format as missing, with the first row', async () => {
    const a = file('d.csv', 'id,dob\n1,2012-03-04\n2,04/03/2012\n3,\n');
    const set = emptyRecordSet();
    const summary = await readMappedCsv(a, { record_id: 'id', date_of_birth: 'dob', date_format: 'YYYY-MM-DD' }, set, 0, new Map());
    expect(summary).toMatchObject({ rows: 3, badDates: 1, firstBadDateRow: 3 });
    expect(set.columns.dob).toEqual(['20120304', '', '']);
  });
});
