import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { nameKeys, PersonService } from '../../src/services/person-service.ts';
import type { Principal } from '../../src/services/principal.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CAP = 50;
const CTX = { requestId: 'people-search-test', ip: '127.0.0.1' };
const REASON = 'a referral from the school nurse';

/**
 * A search by first name and surname without a date of birth, where the surname is common: more
 * people share it than the candidate cap (lowered here to 50, as 2,000 is to a million people).
 * The people sought are recorded last, so a cap that takes the surname's matches in the order
 * they lie on disk leaves them out.
 */
describe(`Name-only search among many people with one surname (${describeDatabase()})`, () => {
  let t: TestApp;
  let service: PersonService;
  let principal: Principal;
  let oliver: string;
  let robert: string;
  let jane: string;

  const ids = async (q: Record<string, string>) => (await service.search(principal, { ...q, reason: REASON }, CTX)).map((r) => r.subjectId);

  beforeAll(async () => {
    t = await createTestApp();
    const people = t.services.repositories.people;
    service = new PersonService({
      people,
      organisations: t.services.repositories.organisations,
      users: t.services.repositories.users,
      audit: t.services.audit,
      gate: t.services.gate,
      candidateLimit: CAP,
    });
    const user = (await t.services.repositories.users.findByEmail('social.worker@csc.northbridge.example'))!;
    principal = (await t.services.auth.principal(user.id, 'api-token'))!;

    const first = ['James', 'Harry', 'George', 'Jack', 'Noah', 'Leo', 'Arthur', 'Freddie', 'Theo', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Rosie', 'Grace'];
    const rows: Array<{ given: string; family: string; dob: string }> = [];
    // 400 Smiths with other first names, then 80 Oliver Smyths (sounding like the name sought, not spelt like it).
    for (let i = 0; i < 400; i++) rows.push({ given: first[i % first.length]!, family: 'Smith', dob: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}` });
    for (let i = 0; i < 80; i++) rows.push({ given: 'Oliver', family: 'Smyth', dob: `19${50 + (i % 50)}-0${1 + (i % 9)}-2${i % 8}` });
    rows.push({ given: 'Oliver', family: 'Smith', dob: '2011-07-09' });
    rows.push({ given: 'Robert', family: 'Smith', dob: '2009-02-14' });
    rows.push({ given: 'Mary Jane', family: 'Thistlewood', dob: '2013-10-30' });
    const now = new Date();
    const people_ = rows.map((r) => ({ ...r, subjectId: newId() }));
    // In one statement each, in this order: the people sought are the last on disk.
    await people.db
      .insertInto('person')
      .values(people_.map((p) => ({ subject_id: p.subjectId, sex: 'unknown', gender: null, date_of_birth: p.dob, dob_precision: 'exact', shielded: false, deceased: false, date_of_death: null, created_at: now, created_by: null, updated_at: now, request_key: null })))
      .execute();
    await people.db
      .insertInto('person_name')
      .values(
        people_.map((p) => {
          const k = nameKeys(p.given, p.family);
          return { subject_id: p.subjectId, id: newId(), kind: 'current', given_names: p.given, family_name: p.family, given_norm: k.givenNorm, family_norm: k.familyNorm, given_phonetic: k.givenPhonetic, family_phonetic: k.familyPhonetic, created_at: now };
        }),
      )
      .execute();
    [oliver, robert, jane] = people_.slice(-3).map((p) => p.subjectId) as [string, string, string];
  });
  afterAll(async () => t?.close());

  it('finds the person by exact first name and surname, ahead of the 80 who only sound like them', async () => {
    const found = await service.search(principal, { name: 'Oliver Smith', reason: REASON }, CTX);
    expect(found[0]?.subjectId).toBe(oliver);
  });

  it('finds them by a nickname and a sound-alike surname', async () => {
    expect(await ids({ name: 'Ollie Smith' })).toContain(oliver);
    expect(await ids({ name: 'Bobby Smyth' })).toContain(robert);
    expect(await ids({ name: 'Rob Smith' })).toContain(robert);
  });

  it('finds someone with a rare surname by their middle name', async () => {
    // Only the first forename is indexed: a few of everyone with the exact surname are candidates too.
    expect(await ids({ name: 'Jane Thistlewood' })).toContain(jane);
  });

  it('still finds by name and date of birth, and by surname alone', async () => {
    expect(await ids({ name: 'Oliver Smith', dateOfBirth: '2011-07-09' })).toEqual([oliver]);
    expect(await ids({ name: 'Oliver Smith', dateOfBirth: '2011-09-07' })).toContain(oliver);
    expect((await ids({ name: 'Smith' })).length).toBeGreaterThan(0);
  });
});
