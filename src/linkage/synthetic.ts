/**
 * Synthetic people with realistic recording errors, for measuring linkage at scale (a million records):
 * each person is recorded one to four times, and each extra record may have a typo or nickname in the
 * forename, a misspelt surname, day and month swapped or one digit wrong in the date of birth, a new
 * postcode after a move, a missing field, or forename and surname swapped. Every tenth birth is a twin
 * (same surname, date of birth and postcode, another forename). Names come from src/synth.
 */
import { givenName, nicknameOf, surname as pickSurname, typo } from '../synth/names.ts';
import { Rng, dayToIso } from '../synth/random.ts';
import { blankRecord, emptyRecordSet, type RecordSet } from './records.ts';

const AREAS = ['NB', 'NE', 'SR', 'DH', 'TS', 'DL', 'LS', 'BD', 'HX', 'HD', 'WF', 'YO', 'HG', 'S', 'DN', 'HU', 'M', 'OL', 'BL', 'WN', 'SK', 'WA', 'L', 'CH'];
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

function postcode(rng: Rng): string {
  return `${rng.pick(AREAS)}${1 + rng.int(40)} ${rng.int(10)}${LETTERS[rng.int(LETTERS.length)]}${LETTERS[rng.int(LETTERS.length)]}`;
}

function nhsNumber(rng: Rng): string {
  for (;;) {
    const d = Array.from({ length: 9 }, () => rng.int(10));
    const sum = d.reduce((s, v, i) => s + v * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${d.join('')}${check === 11 ? 0 : check}`;
  }
}

export interface SyntheticPeople {
  set: RecordSet;
  /** Person number of each record (the truth). */
  person: Int32Array;
}

export function syntheticPeople(records: number, seed = 1): SyntheticPeople {
  const rng = new Rng(seed);
  const set = emptyRecordSet();
  const person: number[] = [];
  let p = 0;
  const start = -25_000; // 1901
  while (set.size < records) {
    const sex = rng.chance(0.5) ? 'female' : 'male';
    const day = start + rng.int(45_000);
    const iso = dayToIso(day);
    const year = Number(iso.slice(0, 4));
    const base = {
      first: givenName(rng, sex, year),
      surname: pickSurname(rng),
      dob: iso.replace(/-/g, ''),
      sex: sex === 'female' ? 'F' : 'M',
      postcode: postcode(rng),
      nhs: rng.chance(0.7) ? nhsNumber(rng) : '',
    };
    const twins = rng.chance(0.02);
    const people = twins ? [base, { ...base, first: givenName(rng, sex, year), nhs: rng.chance(0.7) ? nhsNumber(rng) : '' }] : [base];
    for (const who of people) {
      const copies = 1 + (rng.chance(0.35) ? 1 + rng.int(3) : 0);
      for (let c = 0; c < copies && set.size < records; c++) {
        const r = blankRecord(`p${p}-${c}`, 0);
        let first = who.first;
        let sur = who.surname;
        let dob = who.dob;
        let pc = who.postcode;
        let nhs = who.nhs;
        if (c > 0) {
          if (rng.chance(0.15)) first = nicknameOf(rng, first) ?? first;
          if (rng.chance(0.1)) first = typo(rng, first);
          if (rng.chance(0.1)) sur = typo(rng, sur);
          if (rng.chance(0.03)) [first, sur] = [sur, first];
          const dobError = rng.next();
          if (dobError < 0.04) dob = `${dob.slice(0, 4)}${dob.slice(6, 8)}${dob.slice(4, 6)}`;
          else if (dobError < 0.08) {
            const k = rng.int(8);
            dob = `${dob.slice(0, k)}${rng.int(10)}${dob.slice(k + 1)}`;
          }
          if (rng.chance(0.25)) pc = postcode(rng);
          if (rng.chance(0.05)) dob = '';
          if (rng.chance(0.3)) nhs = '';
          if (rng.chance(0.05)) first = '';
        }
        r.firstName = first;
        r.surname = sur;
        r.dob = dob;
        r.sex = rng.chance(0.05) ? '' : who.sex;
        r.postcode = pc;
        r.nhsNumber = nhs;
        set.push(r);
        person.push(p);
      }
      p++;
    }
  }
  return { set, person: Int32Array.from(person) };
}
