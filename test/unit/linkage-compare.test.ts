import { describe, expect, it } from 'vitest';
import { COMPARISONS, C_ADDRESS, C_DOB, C_FIRST, C_NHS, C_POSTCODE, C_SEX, C_SURNAME, NC, compareInto } from '../../src/linkage/compare.ts';
import { parseCsv } from '../../src/linkage/csv.ts';
import { prepareFeatures } from '../../src/linkage/features.ts';
import { blankRecord, recordSetOf, type RawRecord } from '../../src/linkage/records.ts';

function levelsOf(a: Partial<RawRecord>, b: Partial<RawRecord>): Record<string, string> {
  const f = prepareFeatures(recordSetOf([{ ...blankRecord('a'), ...a }, { ...blankRecord('b'), ...b }]));
  const out = new Uint8Array(NC);
  compareInto(f, 0, 1, out);
  return Object.fromEntries(COMPARISONS.map((c, i) => [c.name, c.levels[out[i]!]!]));
}

const level = (c: number, a: Partial<RawRecord>, b: Partial<RawRecord>) => levelsOf(a, b)[COMPARISONS[c]!.name];

describe('linkage comparison levels', () => {
  it('grades forenames: exact, close spellings, nicknames, sounds, initials, different', () => {
    expect(level(C_FIRST, { firstName: 'Robert' }, { firstName: 'robert' })).toBe('exact');
    expect(level(C_FIRST, { firstName: 'Katherine' }, { firstName: 'Katharine' })).toBe('Jaro-Winkler >= 0.95');
    expect(level(C_FIRST, { firstName: 'Bob' }, { firstName: 'Robert' })).toBe('nickname');
    expect(level(C_FIRST, { firstName: 'Alfie' }, { firstName: 'Alfred' })).toBe('nickname');
    expect(level(C_FIRST, { firstName: 'Jon' }, { firstName: 'Jonn' })).toBe('Jaro-Winkler >= 0.88');
    expect(level(C_FIRST, { firstName: 'Geoff' }, { firstName: 'Jeff' })).not.toBe('different');
    expect(level(C_FIRST, { firstName: 'J' }, { firstName: 'James' })).toBe('initial only');
    expect(level(C_FIRST, { firstName: 'Mary' }, { firstName: 'Ahmed' })).toBe('different');
    expect(level(C_FIRST, { firstName: '' }, { firstName: 'Ahmed' })).toBe('missing');
  });

  it('recognises forename and surname swapped', () => {
    const l = levelsOf({ firstName: 'Lee', surname: 'Kelly' }, { firstName: 'Kelly', surname: 'Lee' });
    expect(l.first_name).toBe('swapped with surname');
    expect(l.surname).toBe('swapped with first name');
  });

  it('takes forename and surname from a full name when they are not given', () => {
    const l = levelsOf({ fullName: 'Mary Ann Smith' }, { firstName: 'Mary', surname: 'Smith' });
    expect(l.first_name).toBe('exact');
    expect(l.surname).toBe('exact');
  });

  it('grades dates of birth, treating 1 January as a likely placeholder', () => {
    expect(level(C_DOB, { dob: '20120304' }, { dob: '20120304' })).toBe('exact');
    expect(level(C_DOB, { dob: '19800101' }, { dob: '19800101' })).toBe('exact, 1 January (placeholder?)');
    expect(level(C_DOB, { dob: '20120304' }, { dob: '20120403' })).toBe('day and month swapped');
    expect(level(C_DOB, { dob: '20120314' }, { dob: '20120317' })).toBe('one digit off');
    expect(level(C_DOB, { dob: '20120314' }, { dob: '20121314' })).toBe('one digit off'); // not a real date: digits still compared
    expect(level(C_DOB, { dob: '20120314' }, { dob: '20120341' })).toBe('one digit off'); // adjacent digits transposed
    expect(level(C_DOB, { dob: '20120101' }, { dob: '20121105' })).toBe('within a year');
    expect(level(C_DOB, { dob: '20120101' }, { dob: '20150630' })).toBe('within 5 years');
    expect(level(C_DOB, { dob: '19500101' }, { dob: '20150630' })).toBe('different');
    expect(level(C_DOB, { dob: '' }, { dob: '20150630' })).toBe('missing');
  });

  it('grades UK postcodes by unit, sector, district and area, and 4-digit postcodes by prefix', () => {
    expect(level(C_POSTCODE, { postcode: 'nb1 2ab' }, { postcode: 'NB12AB' })).toBe('exact');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB1 2XY' })).toBe('same sector');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB1 7XY' })).toBe('same district');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB14 7XY' })).toBe('same area');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'M1 1AA' })).toBe('different');
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '2617' })).toBe('same sector');
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '2690' })).toBe('same district');
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '3615' })).toBe('different');
  });

  it('grades identifiers: exact, one digit or a transposition, different; and sex', () => {
    expect(level(C_NHS, { nhsNumber: '943 476 5919' }, { nhsNumber: '9434765919' })).toBe('exact');
    expect(level(C_NHS, { nhsNumber: '9434765919' }, { nhsNumber: '9434756919' })).toBe('one digit or transposition');
    expect(level(C_NHS, { nhsNumber: '9434765919' }, { nhsNumber: '9434765910' })).toBe('one digit or transposition');
    expect(level(C_NHS, { nhsNumber: '9434765919' }, { nhsNumber: '4010232137' })).toBe('different');
    expect(level(C_SEX, { sex: 'F' }, { sex: 'female' })).toBe('same');
    expect(level(C_SEX, { sex: 'F' }, { sex: 'M' })).toBe('different');
    expect(level(C_SEX, { sex: 'unknown' }, { sex: 'M' })).toBe('missing');
    expect(level(C_SURNAME, { surname: 'Smith' }, { surname: 'Smyth' })).not.toBe('different');
    expect(level(C_ADDRESS, { address: '12 High Street Northbridge' }, { address: '12 High St Northbridge' })).toBe('two thirds of the words the same');
  });
});

describe('linkage CSV reader', () => {
  it('handles quotes, doubled quotes, line breaks in quotes, CRLF, leading spaces and no final newline', () => {
    const rows = parseCsv('id, name, note\r\n1, "Smith, John", "said ""hi""\nthen left"\r\n2,  O\'Brien ,\r\n\r\n3,x,y');
    expect(rows.map((r) => r.fields)).toEqual([
      ['id', 'name', 'note'],
      ['1', 'Smith, John', 'said "hi"\nthen left'],
      ['2', "O'Brien", ''],
      ['3', 'x', 'y'],
    ]);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 5]);
  });

  it('refuses a quoted field left open at the end', () => {
    expect(() => parseCsv('a,b\n1,"open')).toThrow(/not closed/);
  });
});
