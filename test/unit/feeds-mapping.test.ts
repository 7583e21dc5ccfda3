import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseFeedDate, parseMapping, validateRow, type FeedMapping } from '../../src/feeds/mapping.ts';

const mapping: FeedMapping = {
  fields: { sourceRecordId: 'ID', givenNames: 'Forename', familyName: 'Surname', dateOfBirth: 'DOB', nhsNumber: 'NHS', postcode: 'Postcode', sex: 'Gender' },
  dateFormat: 'DD/MM/YYYY',
};
const TODAY = '2026-11-22';

describe('parseMapping', () => {
  it('accepts a mapping naming every required field and defaults the date format', () => {
    const r = parseMapping('people', { fields: { sourceRecordId: 'id', givenNames: 'g', familyName: 'f', dateOfBirth: 'd' } });
    expect(r).toEqual({ ok: true, mapping: { fields: { sourceRecordId: 'id', givenNames: 'g', familyName: 'f', dateOfBirth: 'd' }, dateFormat: 'YYYY-MM-DD' } });
  });
  it('names each missing field, each field the kind does not have, and a column mapped twice', () => {
    const r = parseMapping('events', { fields: { sourceRecordId: 'id', personRecordId: 'id', givenNames: 'g' }, dateFormat: 'YYYYMMDD' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['mapping.fields.personRecordId']).toMatch(/"id" is already mapped/);
    expect(r.errors['mapping.fields.givenNames']).toMatch(/A events feed has no field "givenNames"/);
    expect(r.errors['mapping.fields.startDate']).toMatch(/Name the column/);
    expect(r.errors['mapping.fields.eventType']).toMatch(/Name the column/);
  });
  it('refuses an unknown date format', () => {
    const r = parseMapping('people', { fields: {}, dateFormat: 'MM/DD/YY' });
    expect(r.ok).toBe(false);
  });
});

describe('parseFeedDate', () => {
  it('reads each format and refuses dates that do not exist', () => {
    expect(parseFeedDate('2024-02-29', 'YYYY-MM-DD')).toBe('2024-02-29');
    expect(parseFeedDate('2023-02-29', 'YYYY-MM-DD')).toBeNull();
    expect(parseFeedDate('31/04/2020', 'DD/MM/YYYY')).toBeNull();
    expect(parseFeedDate('1/5/2020', 'DD/MM/YYYY')).toBe('2020-05-01');
    expect(parseFeedDate('20201301', 'YYYYMMDD')).toBeNull();
    expect(parseFeedDate('2020-1-1', 'YYYY-MM-DD')).toBeNull();
  });
});

describe('validateRow', () => {
  it('normalises a good row and keeps only the mapped columns as sent', () => {
    const r = validateRow('people', mapping, { ID: ' A1 ', Forename: 'Mary  Ann', Surname: "O'Neill", DOB: '02/03/2019', NHS: '943 476 5919', Postcode: 'sw1a1aa', Gender: 'F', Secret: 'not kept' }, TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record).toMatchObject({ sourceRecordId: 'A1', givenNames: 'Mary Ann', familyName: "O'Neill", dateOfBirth: '2019-03-02', nhsNumber: '9434765919', postcode: 'SW1A 1AA', sex: 'female' });
    expect(r.record.raw).toEqual({ ID: 'A1', Forename: 'Mary  Ann', Surname: "O'Neill", DOB: '02/03/2019', NHS: '943 476 5919', Postcode: 'sw1a1aa', Gender: 'F' });
    expect(r.record.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('reports every problem of a row with its column, value and reason', () => {
    const r = validateRow('people', mapping, { ID: 'A2', Forename: '', Surname: 'Sm1th', DOB: '30/02/2019', NHS: '9434765918', Postcode: 'XX', Gender: 'F' }, TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.column, p.value])).toEqual([
      ['Forename', null],
      ['Surname', 'Sm1th'],
      ['DOB', '30/02/2019'],
      ['NHS', '9434765918'],
      ['Postcode', 'XX'],
    ]);
    expect(r.problems[0]!.reason).toBe('Given names is empty');
    expect(r.problems[2]!.reason).toMatch(/not a real date in the format DD\/MM\/YYYY/);
    expect(r.problems[3]!.reason).toMatch(/NHS number/i);
  });
  it('refuses a date of birth in the future and a missing column', () => {
    const r = validateRow('people', mapping, { ID: 'A3', Forename: 'A', Surname: 'B', DOB: '01/01/2030' }, TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ column: 'DOB', value: '01/01/2030', reason: 'a date of birth cannot be in the future' }]);
  });
  it('gives the same hash to the same content and a different one to a change', () => {
    const row = { ID: 'A1', Forename: 'A', Surname: 'B', DOB: '01/01/2010' };
    const a = validateRow('people', mapping, row, TODAY);
    const b = validateRow('people', mapping, { ...row }, TODAY);
    const c = validateRow('people', mapping, { ...row, Surname: 'C' }, TODAY);
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid rows');
    expect(a.record.contentSha256).toBe(b.record.contentSha256);
    expect(a.record.contentSha256).not.toBe(c.record.contentSha256);
  });
  it('refuses an end date before the start date', () => {
    const m: FeedMapping = { fields: { sourceRecordId: 'id', personRecordId: 'p', role: 'r', startDate: 's', endDate: 'e' }, dateFormat: 'YYYY-MM-DD' };
    const r = validateRow('involvements', m, { id: '1', p: 'P1', r: 'school', s: '2024-09-01', e: '2024-08-01' }, TODAY);
    expect(r).toEqual({ ok: false, problems: [{ column: 'e', value: '2024-08-01', reason: 'the end date is before the start date' }] });
  });
});

describe('involvements with the practitioner and team (0014)', () => {
  const mapping: FeedMapping = {
    fields: { sourceRecordId: 'Ref', personRecordId: 'Person', role: 'Role', practitionerName: 'Officer', teamName: 'Unit', startDate: 'Start' },
    dateFormat: 'YYYY-MM-DD',
  };
  const today = '2026-12-07';

  it('keeps the practitioner and team, spaces tidied, and names one over 200 characters by its column', () => {
    const ok = validateRow('involvements', mapping, { Ref: 'I1', Person: 'P1', Role: 'Offender manager', Officer: 'DS  Rowan Achterberg', Unit: 'IOM', Start: '2026-01-05' }, today);
    expect(ok.ok && ok.record.practitionerName).toBe('DS Rowan Achterberg');
    expect(ok.ok && ok.record.teamName).toBe('IOM');
    const long = validateRow('involvements', mapping, { Ref: 'I2', Person: 'P1', Role: 'Case officer', Officer: 'x'.repeat(201), Start: '2026-01-05' }, today);
    expect(long).toEqual({ ok: false, problems: [{ column: 'Officer', value: 'x'.repeat(201), reason: "Practitioner's name must be 200 characters or fewer" }] });
  });

  it('hashes a record that sends neither as it was hashed before they existed, so sending an old file again changes nothing', () => {
    const before: FeedMapping = { fields: { sourceRecordId: 'Ref', personRecordId: 'Person', role: 'Role', startDate: 'Start' }, dateFormat: 'YYYY-MM-DD' };
    const r = validateRow('involvements', before, { Ref: 'I1', Person: 'P1', Role: 'Case officer', Start: '2026-01-05' }, today);
    if (!r.ok) throw new Error('refused');
    // the record as 0013's code hashed it: the same fields in the same order, without the two new ones
    const old = {
      sourceRecordId: 'I1',
      personRecordId: 'P1',
      givenNames: null,
      familyName: null,
      dateOfBirth: null,
      sex: null,
      nhsNumber: null,
      postcode: null,
      address: null,
      phone: null,
      email: null,
      role: 'Case officer',
      startDate: '2026-01-05',
      endDate: null,
      eventType: null,
      description: null,
      raw: { Ref: 'I1', Person: 'P1', Role: 'Case officer', Start: '2026-01-05' },
    };
    expect(r.record.contentSha256).toBe(createHash('sha256').update(JSON.stringify(old)).digest('hex'));
    // and a practitioner sent later is a change
    const withOfficer = validateRow('involvements', mapping, { Ref: 'I1', Person: 'P1', Role: 'Case officer', Officer: 'PC Mabel Ostrander', Start: '2026-01-05' }, today);
    expect(withOfficer.ok && withOfficer.record.contentSha256).not.toBe(r.record.contentSha256);
  });
});
