import { describe, expect, it } from 'vitest';
import { COMPARISONS, C_ADDRESS, C_DOB, C_FIRST, C_NHS, C_POSTCODE, C_SEX, C_SURNAME, NC, compareInto, isTwinPair } from '../../src/linkage/compare.ts';
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

  it('recognises forename and surname swapped, also with a close spelling on either side', () => {
    const l = levelsOf({ firstName: 'Lee', surname: 'Kelly' }, { firstName: 'Kelly', surname: 'Lee' });
    expect(l.first_name).toBe('swapped with surname');
    expect(l.surname).toBe('swapped with first name');
    const near = levelsOf({ firstName: 'Joshua', surname: 'Campbell' }, { firstName: 'Campblel', surname: 'Joshua' });
    expect(near.first_name).toBe('swapped with surname');
    expect(near.surname).toBe('swapped with first name');
    const typoBoth = levelsOf({ firstName: 'Chloe', surname: 'Ryan' }, { firstName: 'Ryna', surname: 'Chloe' });
    expect(typoBoth.first_name).toBe('swapped with surname');
    // a name that agrees in place is never part of a swap: twins sharing a surname whose forenames
    // both look like it ("Mariana Martin", "Martine Martin") are two forenames, not a swap
    const twinsLikeSurname = levelsOf({ firstName: 'Mariana', surname: 'Martin' }, { firstName: 'Martine', surname: 'Martin' });
    expect(twinsLikeSurname.surname).toBe('exact');
    expect(twinsLikeSurname.first_name).not.toBe('swapped with surname');
    // one name in place and one swapped is not a swap
    const half = levelsOf({ firstName: 'Alicia', surname: 'Heron' }, { firstName: 'Heron', surname: 'Brooke' });
    expect(half.first_name).toBe('different');
    expect(half.surname).toBe('different');
    // names that merely differ stay different
    const other = levelsOf({ firstName: 'Mary', surname: 'Okafor' }, { firstName: 'Ahmed', surname: 'Patel' });
    expect(other.first_name).toBe('different');
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
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '2690' })).toBe('same district');
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '3715' })).toBe('different');
  });

  it('grades a postcode one character off or with two characters transposed above the same sector', () => {
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB1 2BA' })).toBe('one character or transposition');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB1 2AD' })).toBe('one character or transposition');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB1 2XY' })).toBe('same sector');
    expect(level(C_POSTCODE, { postcode: '2325' }, { postcode: '2235' })).toBe('one character or transposition');
    expect(level(C_POSTCODE, { postcode: '2615' }, { postcode: '2617' })).toBe('one character or transposition');
    expect(level(C_POSTCODE, { postcode: 'NB1 2AB' }, { postcode: 'NB12 AB' })).toBe('exact');
  });

  it('grades addresses by their characters: typing errors, spacing and abbreviations are the same address, another house number is not', () => {
    const a = (x: string, y: string) => level(C_ADDRESS, { address: x }, { address: y });
    expect(a('12 High Street Northbridge', '12 high street northbridge')).toBe('exact');
    expect(a('12 High Street Northbridge', '12 High St Northbridge')).toBe('exact'); // common abbreviations written out
    expect(a('14 Cedar Road', '14 Cedar Raod')).toBe('the same but for typing errors');
    expect(a('262 Verbrugghen Street Oxley Way', '262 Verbrugghens treet Oxley Way')).toBe('the same but for typing errors');
    expect(a('1 Mainwaring Rich Circuit Uralgurral', '1 Uralgur Ral Mainwaring Fich Circuit')).toBe('the same but for typing errors');
    expect(a('Flat 2 14 Cedar Road', 'Cedar Road')).not.toBe('the same but for typing errors');
    expect(a('12 High Street Northbridge', '14 High Street Northbridge')).toBe('two thirds alike');
    expect(a('12 High Street Northbridge', 'High Street Northbridge')).toBe('the same but for typing errors');
    expect(a('83 Carslaw Street Croydon', '83 Croyfon')).toBe('a third alike');
    expect(a('12 High Street Northbridge', '7 Acacia Avenue Southfield')).toBe('different');
    expect(a('', '7 Acacia Avenue')).toBe('missing');
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

describe('the twin rule for one pair', () => {
  const twins = (a: Partial<RawRecord>, b: Partial<RawRecord>) => {
    const f = prepareFeatures(recordSetOf([{ ...blankRecord('a'), ...a }, { ...blankRecord('b'), ...b }]));
    const out = new Uint8Array(NC);
    compareInto(f, 0, 1, out);
    return isTwinPair(f, 0, 1, out);
  };
  const amelia = { firstName: 'Amelia', surname: 'Okonkwo', dob: '20150612' };
  const grace = { firstName: 'Grace', surname: 'Okonkwo', dob: '20150612' };

  it('holds at the same postcode, at the same address lines, and at address lines the same but for typing errors where no postcode disagrees', () => {
    expect(twins({ ...amelia, postcode: 'NB3 4QX' }, { ...grace, postcode: 'NB3 4QX' })).toBe(true);
    expect(twins({ ...amelia, address: '14 Cedar Road' }, { ...grace, address: '14 Cedar Road' })).toBe(true);
    expect(twins({ ...amelia, address: '14 Cedar Road', postcode: 'NB3 4QX' }, { ...grace, address: '14 Cedar Raod' })).toBe(true);
    expect(twins({ ...amelia, address: '14 Cedar Road', postcode: 'NB3 4QX' }, { ...grace, address: '14 Cedar Rd', postcode: 'NB3 4QY' })).toBe(true);
  });

  it('holds for twins whose forenames both look like their surname', () => {
    expect(twins({ firstName: 'Mariana', surname: 'Martin', dob: '20150612', postcode: 'NB3 4QX' }, { firstName: 'Martine', surname: 'Martin', dob: '20150612', postcode: 'NB3 4QX' })).toBe(true);
    expect(twins({ firstName: 'Harrington', surname: 'Harrison', dob: '20150612', postcode: 'NB3 4QX' }, { firstName: 'Harris', surname: 'Harrison', dob: '20150612', postcode: 'NB3 4QX' })).toBe(true);
  });

  it('does not hold for forenames that are forms of one another, other dates of birth or surnames, another house, or shared identifiers', () => {
    expect(twins({ ...amelia, postcode: 'NB3 4QX' }, { ...amelia, firstName: 'Millie', postcode: 'NB3 4QX' })).toBe(false);
    expect(twins({ ...amelia, postcode: 'NB3 4QX' }, { ...grace, dob: '20150613', postcode: 'NB3 4QX' })).toBe(false);
    expect(twins({ ...amelia, postcode: 'NB3 4QX' }, { ...grace, surname: 'Okafor', postcode: 'NB3 4QX' })).toBe(false);
    expect(twins({ ...amelia, address: '14 Cedar Road' }, { ...grace, address: '16 Cedar Road' })).toBe(false);
    // address lines alike but for typing errors, and two recorded postcodes that differ: not shown to be one address
    expect(twins({ ...amelia, address: '14 Cedar Road', postcode: 'NB3 4QX' }, { ...grace, address: '14 Cedar Raod', postcode: 'NB3 4QY' })).toBe(false);
    expect(twins({ ...amelia, postcode: 'NB3 4QX', nhsNumber: '9434765919' }, { ...grace, postcode: 'NB3 4QX', nhsNumber: '9434765919' })).toBe(false);
  });
});
