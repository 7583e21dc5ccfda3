import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costRowSchema, rowIssue, rowLines, scheduleRowSchema } from '../../src/directory/edit-rows.ts';
import { parseServiceEdit } from '../../src/services/directory-service.ts';
import { ValidationError } from '../../src/services/principal.ts';

const base = { name: 'Stay and Play', description: 'Play sessions for young children and their carers.', status: 'active' };
const problems = (input: unknown): Record<string, string> => {
  try {
    parseServiceEdit(input);
    return {};
  } catch (err) {
    if (err instanceof ValidationError) return err.fields;
    throw err;
  }
};

describe('the repeatable parts of a proposed change to a directory entry', () => {
  it('names the row and the field of each problem', () => {
    const p = problems({
      ...base,
      schedules: [
        { byday: ['MO'], opensAt: '09:00', closesAt: '12:00' },
        { byday: ['TU'], opensAt: '13:00', closesAt: '12:30' },
        { byday: [], opensAt: '9am', closesAt: '' },
      ],
      costs: [{ option: '', amount: '-1' }],
      languages: [{ name: 'Polish', code: 'polish' }],
      contacts: [{ name: 'Desk' }],
      places: [{ address1: '1 High Street', city: 'Northbridge', postcode: 'not one', accessibility: 'Ramp' }, { address1: '', city: 'Northbridge', postcode: 'nb1 2ab' }],
    });
    expect(p).toEqual({
      'schedules.1.closesAt': 'Opening time 2: the closing time must be after the opening time',
      'schedules.2.byday': 'Opening time 3: choose at least one day',
      'schedules.2.opensAt': 'Opening time 3: enter the opening time as hours and minutes on the 24-hour clock, like 09:00 or 17:30',
      'schedules.2.closesAt': 'Opening time 3: enter the closing time as hours and minutes on the 24-hour clock, like 09:00 or 17:30',
      'costs.0.option': 'Cost 1: say what the cost is for, like Per session',
      'costs.0.amount': 'Cost 1: the amount must be 0 or more',
      'languages.0.code': 'Language 1: enter a 2 or 3 letter language code, like pl, or leave it blank',
      'contacts.0.email': 'Contact 1: enter an email address or a telephone number',
      'places.0.postcode': 'Place 1: enter a full UK postcode, like NB1 2AB',
      'places.1.address1': 'Place 2: enter the first line of the address',
    });
    const ok = parseServiceEdit({ ...base, places: [{ address1: '1 High Street', city: 'Northbridge', postcode: 'nb1 2ab', accessibility: 'Ramp\r\n\nHearing loop ' }] });
    expect(ok.places).toEqual([{ address1: '1 High Street', city: 'Northbridge', postcode: 'NB1 2AB', accessibility: ['Ramp', 'Hearing loop'] }]);
  });

  it('leaves a part out of the change when it is not given, and accepts an empty list (remove them all)', () => {
    const v = parseServiceEdit({ ...base, languages: [] });
    expect(v.languages).toEqual([]);
    expect(v.schedules).toBeUndefined();
  });

  it('accepts a schedule exactly when it closes after it opens', () => {
    const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(hhmm, hhmm, fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }), (opensAt, closesAt, byday) => {
        expect(scheduleRowSchema.safeParse({ byday, opensAt, closesAt }).success).toBe(closesAt > opensAt);
      }),
    );
  });

  it('takes amounts in pounds and pence only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (pence) => {
        const r = costRowSchema.safeParse({ option: 'Per session', amount: (pence / 100).toFixed(2) });
        expect(r.success && r.data.amount).toBe(pence / 100);
      }),
    );
    expect(costRowSchema.safeParse({ option: 'Per session', amount: '2.505' }).success).toBe(false);
  });

  it('writes rows as plain lines for the approval page, and row problems with their row', () => {
    expect(rowLines('schedules', [{ byday: 'SA,SU', opensAt: '10:00', closesAt: '12:00', description: null }])).toEqual(['Saturday Sunday, 10:00 to 12:00']);
    expect(rowLines('costs', [{ option: 'Per session', amount: 2.5, amountDescription: '' }])).toEqual(['Per session, £2.50']);
    expect(rowIssue(['name'], 'enter the name')).toEqual({ key: 'name', message: 'Enter the name' });
  });
});
