import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { validateNhsNumber, validatePostcode, validateUpn } from '../../src/people/identifiers.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { nameKeys } from '../../src/services/person-service.ts';
import { synthesise, SynthRefusedError, SYNTH_SETTING, type SynthOptions } from '../../src/synth/synthesise.ts';
import { createTestDatabase, describeDatabase } from '../support/database.ts';

const ACTOR = { userId: null, label: 'cli', organisationId: null, roles: [] };

async function fresh() {
  const database = await createTestDatabase();
  const services = createServices(loadConfig({ APP_SECRET: 'synth-test-secret-synth-test-secret-1', LOG_LEVEL: 'silent' }), database);
  return { database, services };
}

const deps = (s: Services) => ({ database: s.database, settings: s.repositories.settings, audit: s.audit, nameKeys });
const options = (o: Partial<SynthOptions> = {}): SynthOptions => ({ people: 400, seed: 7, involvementsPerPerson: 5, asOf: '2026-11-22', actor: ACTOR, ...o });

describe(`synthetic partnership generator (${describeDatabase()})`, { timeout: 240_000 }, () => {
  let a: Awaited<ReturnType<typeof fresh>>;
  let b: Awaited<ReturnType<typeof fresh>>;
  beforeAll(async () => {
    [a, b] = await Promise.all([fresh(), fresh()]);
    await synthesise(deps(a.services), options());
    await synthesise(deps(b.services), options());
  });
  afterAll(async () => {
    await a?.services.audit.flush();
    await b?.services.audit.flush();
    await a?.database.dropDatabase();
    await b?.database.dropDatabase();
  });

  it('is deterministic: the same seed makes the same people, ids and all', async () => {
    const q = 'select p.subject_id, p.date_of_birth, n.kind, n.given_names, n.family_name from person p join person_name n using (subject_id) order by 1, 3, 4, 5';
    const [x, y] = await Promise.all([a.database.query(q), b.database.query(q)]);
    expect(x.length).toBeGreaterThan(400);
    expect(crypto.createHash('sha256').update(JSON.stringify(x)).digest('hex')).toBe(crypto.createHash('sha256').update(JSON.stringify(y)).digest('hex'));
  });

  it('records what it made, audits the run, and makes practitioners who cannot sign in', async () => {
    const setting = await a.services.repositories.settings.get<{ status: string; people: number; seed: number; counts: { involvements: number } }>(SYNTH_SETTING);
    expect(setting).toMatchObject({ status: 'complete', seed: 7 });
    expect(setting!.people).toBeGreaterThanOrEqual(400);
    const [inv] = await a.database.query<{ n: number }>('select count(*)::int as n from involvement');
    expect(inv!.n).toBe(setting!.counts.involvements);
    // About five involvements each on average.
    expect(inv!.n / setting!.people).toBeGreaterThan(4);
    expect(inv!.n / setting!.people).toBeLessThan(6);
    const audit = await a.services.audit.search({ limit: 10 });
    expect(audit.some((e) => e.action === 'synth.generate' && e.actorLabel === 'cli')).toBe(true);
    const [users] = await a.database.query<{ n: number; signin: number; demo: number }>(
      "select count(*)::int as n, count(*) filter (where password_hash is not null or totp_secret is not null)::int as signin, count(*) filter (where is_demo)::int as demo from app_user where status = 'active'",
    );
    expect(users!.n).toBeGreaterThan(20);
    expect(users!.signin).toBe(0);
    expect(users!.demo).toBe(0);
  });

  it('uses only test-range NHS numbers, valid UPNs and NB postcodes', async () => {
    const ids = await a.database.query<{ scheme: string; value: string }>("select scheme, value from person_identifier where scheme in ('nhs_number', 'upn')");
    expect(ids.length).toBeGreaterThan(300);
    for (const i of ids) {
      if (i.scheme === 'nhs_number') {
        expect(validateNhsNumber(i.value)).toEqual({ ok: true, value: i.value });
        expect(i.value.startsWith('999')).toBe(true);
      } else {
        expect(validateUpn(i.value)).toEqual({ ok: true, value: i.value });
      }
    }
    const postcodes = await a.database.query<{ postcode: string }>('select distinct postcode from person_address');
    for (const p of postcodes) {
      expect(validatePostcode(p.postcode)).toEqual({ ok: true, value: p.postcode });
      expect(p.postcode).toMatch(/^NB\d/);
    }
  });

  it('stores every relationship from both sides with the inverse type', async () => {
    const [unpaired] = await a.database.query<{ n: number }>(
      `select count(*)::int as n from relationship r
        join relationship_type t on t.code = r.type
       where not exists (select 1 from relationship b where b.pair_id = r.pair_id and b.subject_id = r.related_subject_id
                           and b.related_subject_id = r.subject_id and b.type = t.inverse_code)`,
    );
    expect(unpaired!.n).toBe(0);
  });

  it('includes sensitive services, early help assessments and ended involvements', async () => {
    const [r] = await a.database.query<{ sensitive: number; eha: number; ended: number; active: number }>(
      `select count(*) filter (where s.sensitive_kind is not null)::int as sensitive, count(*) filter (where i.early_help_assessment)::int as eha,
              count(*) filter (where i.end_date is not null)::int as ended, count(*) filter (where i.end_date is null)::int as active
         from involvement i left join service s on s.id = i.service_id`,
    );
    expect(r!.sensitive).toBeGreaterThan(0);
    expect(r!.eha).toBeGreaterThan(0);
    expect(r!.ended).toBeGreaterThan(0);
    expect(r!.active).toBeGreaterThan(0);
  });

  it('refuses a database that already holds data, unless forced', async () => {
    await expect(synthesise(deps(a.services), options({ people: 50 }))).rejects.toThrow(SynthRefusedError);
    const demo = await fresh();
    try {
      await demo.services.demo.load();
      await expect(synthesise(deps(demo.services), options({ people: 50 }))).rejects.toThrow(/demo partnership/);
      const forced = await synthesise(deps(demo.services), options({ people: 50, force: true }));
      expect(forced.counts.people).toBeGreaterThanOrEqual(50);
      // The demo is untouched.
      expect((await demo.services.demo.users()).length).toBe(14);
    } finally {
      await demo.services.audit.flush();
      await demo.database.dropDatabase();
    }
  });
});
