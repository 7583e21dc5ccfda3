import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPARISONS, C_FIRST, C_SURNAME, NC } from '../../src/linkage/compare.ts';
import { Linker, linkRecords } from '../../src/linkage/link.ts';
import { forEachCandidate } from '../../src/linkage/blocking.ts';
import { expectationMaximisation, rng } from '../../src/linkage/model.ts';
import { blankRecord, recordSetOf, type RawRecord } from '../../src/linkage/records.ts';
import { syntheticPeople } from '../../src/linkage/synthetic.ts';
import { pairwiseScores } from '../../src/linkage/evaluate.ts';

describe('expectation–maximisation', () => {
  it('recovers m and lambda from unlabelled level patterns drawn from a known model', () => {
    // three comparisons with known m and u; everything else missing
    const used = [0, 1, 2];
    const trueM = COMPARISONS.map((c) => c.levels.map(() => 0));
    const u = COMPARISONS.map((c) => c.levels.map((_, l) => (l === 0 ? 1 : 1 / (c.levels.length - 1))));
    trueM[0] = [0, 0.8, 0.02, 0.06, 0.04, 0.03, 0.02, 0.01, 0.02];
    trueM[1] = [0, 0.85, 0.01, 0.05, 0.04, 0.02, 0.03];
    trueM[2] = [0, 0.8, 0.02, 0.03, 0.08, 0.03, 0.02, 0.02];
    u[0] = [1, 0.01, 0.001, 0.01, 0.005, 0.02, 0.05, 0.004, 0.9];
    u[1] = [1, 0.005, 0.001, 0.01, 0.02, 0.05, 0.914];
    u[2] = [1, 0.0002, 0.0001, 0.0003, 0.002, 0.01, 0.05, 0.9374];
    const lambda = 0.3;
    const random = rng(7);
    const draw = (p: number[]) => {
      let x = random();
      for (let l = 1; l < p.length; l++) {
        x -= p[l]!;
        if (x <= 0) return l;
      }
      return p.length - 1;
    };
    const counts = new Map<string, number>();
    for (let k = 0; k < 50_000; k++) {
      const match = random() < lambda;
      const levels = used.map((c) => draw(match ? trueM[c]! : u[c]!));
      const key = levels.join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const patterns: Uint8Array[] = [];
    const cs: number[] = [];
    for (const [key, n] of counts) {
      const p = new Uint8Array(NC);
      key.split(',').forEach((v, i) => (p[used[i]!] = Number(v)));
      patterns.push(p);
      cs.push(n);
    }
    const estimate = COMPARISONS.map((_, c) => used.includes(c));
    const start = COMPARISONS.map((c) => c.mStart.slice());
    const fit = expectationMaximisation({ patterns, counts: cs, total: 50_000 }, start, u, estimate);
    expect(fit.lambda).toBeGreaterThan(0.28);
    expect(fit.lambda).toBeLessThan(0.32);
    for (const c of used) for (let l = 1; l < trueM[c]!.length; l++) expect(Math.abs(fit.m[c]![l]! - trueM[c]![l]!)).toBeLessThan(0.03);
    expect(fit.iterations).toBeLessThan(50);
  });
});

function person(id: string, fields: Partial<RawRecord>): RawRecord {
  return { ...blankRecord(id), ...fields };
}

describe('linking people', () => {
  // a small population with duplicates, so that u and m can be learned
  const { set: population } = syntheticPeople(3000, 3);
  const base = Array.from({ length: population.size }, (_, i) => population.get(i));
  const small = base.slice(0, 1200);

  it('never joins twins, directly or through a third record, but still links real duplicates', () => {
    const twinA = person('twin-a', { firstName: 'Amelia', surname: 'Okonkwo', dob: '20150612', postcode: 'NB3 4QX', sex: 'F' });
    const twinB = person('twin-b', { firstName: 'Grace', surname: 'Okonkwo', dob: '20150612', postcode: 'NB3 4QX', sex: 'F' });
    // a record that looks like both (no forename): would chain the twins together without the guard
    const bridge = person('bridge', { surname: 'Okonkwo', dob: '20150612', postcode: 'NB3 4QX', sex: 'F' });
    const twinA2 = person('twin-a2', { firstName: 'Amelia', surname: 'Okonkwo', dob: '20150612', postcode: 'NB3 4QX', sex: 'F', nhsNumber: '9434765919' });
    const result = linkRecords(recordSetOf([...base, twinA, twinB, bridge, twinA2]));
    const at = (id: string) => result.clusters[base.length + ['twin-a', 'twin-b', 'bridge', 'twin-a2'].indexOf(id)]!;
    expect(at('twin-a')).not.toBe(at('twin-b'));
    expect(at('twin-a')).toBe(at('twin-a2'));
    const i = base.length;
    expect(result.linker.explain(i, i + 1).twinGuard).toBe(true);
    expect(result.linker.explain(i, i + 3).twinGuard).toBe(false);
  });

  it('keeps a record with a mistaken forename with the person its identifier names, and the rest of that person’s records with it', () => {
    // Flynn's records; one carries his number under another forename, one has his forename with a mistyped number
    const flynn = { surname: 'Cresswell', dob: '20110417', postcode: 'NB4 7TR', sex: 'M' };
    const records = [
      person('f1', { ...flynn, firstName: 'Flynn', nhsNumber: '9434765919' }),
      person('f2', { ...flynn, firstName: 'Flynn', nhsNumber: '9434765919' }),
      person('f3', { ...flynn, firstName: 'Flynn', nhsNumber: '9434765919' }),
      person('wrong-forename', { ...flynn, firstName: 'Zachary', nhsNumber: '9434765919' }),
      person('wrong-number', { ...flynn, firstName: 'Flyn', nhsNumber: '4010232137' }),
    ];
    const result = linkRecords(recordSetOf([...base, ...records]));
    const n = base.length;
    expect(result.linker.explain(n + 3, n + 4).twinGuard).toBe(true); // the two odd records alone look like twins
    expect(new Set(records.map((_, k) => result.clusters[n + k])).size).toBe(1);
  });

  it('keeps twins apart when each has several records, the same address written differently and no postcode on some', () => {
    const family = { surname: 'Adeyemi', dob: '20140902', sex: 'F' };
    const records = [
      person('a1', { ...family, firstName: 'Tomi', address: '14 Cedar Road', postcode: 'NB3 4QX', nhsNumber: '9434765919' }),
      person('a2', { ...family, firstName: 'Tomi', address: '14 Cedar Rd', nhsNumber: '9434765919' }),
      person('a3', { ...family, firstName: 'Tomilola', address: '14 Cedar Raod' }),
      person('b1', { ...family, firstName: 'Kemi', address: '14 Cedar Road', postcode: 'NB3 4QX', nhsNumber: '4010232137' }),
      person('b2', { ...family, firstName: 'Kemi', address: '14 Cedar Road' }),
      // a record without a forename at the same address: alike to both, it must not chain them together
      person('bridge', { ...family, address: '14 Cedar Road', postcode: 'NB3 4QX' }),
    ];
    const result = linkRecords(recordSetOf([...base, ...records]));
    const n = base.length;
    const a = new Set([0, 1, 2].map((k) => result.clusters[n + k]));
    const b = new Set([3, 4].map((k) => result.clusters[n + k]));
    for (const x of a) expect(b.has(x)).toBe(false);
    expect(b.size).toBe(1);
    expect(result.clusters[n]).toBe(result.clusters[n + 1]);
  });

  it('keeps twins apart whose forenames both look like their surname (never taken for a swap)', () => {
    const family = { surname: 'Martin', dob: '20150612', postcode: 'NB3 4QX', address: '3 Larch Crescent', sex: 'F' };
    const records = [
      person('a1', { ...family, firstName: 'Mariana' }),
      person('a2', { ...family, firstName: 'Mariana', postcode: '' }),
      person('b1', { ...family, firstName: 'Martine' }),
      person('b2', { ...family, firstName: 'Martine', address: '3 Larch Cres' }),
    ];
    const result = linkRecords(recordSetOf([...small, ...records]));
    const n = small.length;
    expect(result.clusters[n]).toBe(result.clusters[n + 1]);
    expect(result.clusters[n + 2]).toBe(result.clusters[n + 3]);
    expect(result.clusters[n]).not.toBe(result.clusters[n + 2]);
    expect(result.linker.explain(n, n + 2).twinGuard).toBe(true);
  });

  it('never puts two twins’ records in one group, whatever their forenames and however their records vary (property)', () => {
    const names = ['Amelia', 'Grace', 'Oliver', 'Harry', 'Isla', 'Noah', 'Leo', 'Freya', 'Arlo', 'Mohammed', 'Ava', 'Theo', 'Maryam', 'Jack', 'Ivy'];
    const variant = fc.constantFrom<'same' | 'upper' | 'no-postcode' | 'no-nhs' | 'street-abbreviated' | 'street-mistyped' | 'no-sex'>(
      'same',
      'upper',
      'no-postcode',
      'no-nhs',
      'street-abbreviated',
      'street-mistyped',
      'no-sex',
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: names.length - 1 }),
        fc.integer({ min: 1, max: names.length - 1 }),
        fc.array(variant, { minLength: 1, maxLength: 3 }),
        fc.array(variant, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom<'none' | 'no-forename' | 'initial-a' | 'initial-b'>('none', 'no-forename', 'initial-a', 'initial-b'),
        (x, shift, va, vb, sameSex, bridge) => {
          const na = names[x]!;
          const nb = names[(x + shift) % names.length]!;
          const family = { surname: 'Okonkwo', dob: '20150612', address: '3 Larch Crescent', postcode: 'NB3 4QX' };
          const make = (id: string, first: string, sex: string, nhs: string, v: string) =>
            person(id, {
              ...family,
              firstName: v === 'upper' ? first.toUpperCase() : first,
              sex: v === 'no-sex' ? '' : sex,
              nhsNumber: v === 'no-nhs' ? '' : nhs,
              postcode: v === 'no-postcode' || v === 'street-mistyped' ? '' : family.postcode,
              address: v === 'street-abbreviated' ? '3 Larch Cres' : v === 'street-mistyped' ? '3 Lacrh Crescent' : family.address,
            });
          const twinA = va.map((v, k) => make(`a${k}`, na, 'F', '9434765919', v));
          const twinB = vb.map((v, k) => make(`b${k}`, nb, sameSex ? 'F' : 'M', '4010232137', v));
          // a record alike to both twins (no forename, or only an initial): it may join either, never both
          const extra = bridge === 'none' ? [] : [make('bridge', bridge === 'no-forename' ? '' : (bridge === 'initial-a' ? na : nb).charAt(0), '', '', 'no-postcode')];
          const result = linkRecords(recordSetOf([...small, ...twinA, ...twinB, ...extra]));
          const n = small.length;
          const groupsA = new Set(twinA.map((_, k) => result.clusters[n + k]));
          for (let k = 0; k < twinB.length; k++) expect(groupsA.has(result.clusters[n + twinA.length + k]!)).toBe(false);
        },
      ),
      { numRuns: 30, seed: 20261207 },
    );
  });

  it('decides every candidate pair as the full weight does when it leaves addresses and near swaps to the end', () => {
    // synthetic people given addresses (some mistyped, some another house) and some swapped names
    const streets = ['Cedar Road', 'High Street', 'Larch Crescent', 'Mill Lane', 'Station Road', 'Church Walk'];
    const random = rng(5);
    const records = base.slice(0, 2500).map((r, k) => {
      const street = streets[k % streets.length]!;
      const house = 1 + (k % 40);
      const roll = random();
      const address = roll < 0.3 ? '' : roll < 0.45 ? `${house} ${street.replace('a', 'e')}` : roll < 0.55 ? `${house + 2} ${street}` : `${house} ${street}`;
      // names swapped (with a letter dropped on either side), and surnames that look like a forename
      const names = random();
      const cut = (x: string) => x.slice(0, -1) || x;
      const [firstName, surname] =
        names < 0.03
          ? [r.surname, cut(r.firstName)]
          : names < 0.06
            ? [cut(r.surname), r.firstName]
            : names < 0.08
              ? [r.firstName, cut(r.firstName)]
              : names < 0.1
                ? [cut(r.firstName), r.firstName]
                : [r.firstName, r.surname];
      return { ...r, address, firstName, surname };
    });
    const set = recordSetOf(records);
    const trained = linkRecords(set).linker;
    // also with the name weights drawn at random, so that a swap may weigh less than the names in place
    // (a model trained on other data may weigh the levels so)
    const shuffled = structuredClone(trained.params);
    const draw = rng(9);
    for (const c of [C_FIRST, C_SURNAME]) shuffled.weights[c] = shuffled.weights[c]!.map((w, l) => (l === 0 ? 0 : Math.round((draw() * 30 - 12) * 100) / 100));
    const full = new Uint8Array(NC);
    const quick = new Uint8Array(NC);
    let pairs = 0;
    let linked = 0;
    for (const [linker, min] of [
      [trained, trained.minWeight],
      [trained, 0],
      [trained, 30],
      [new Linker(set, {}, shuffled), trained.minWeight],
    ] as const) {
      forEachCandidate(linker.rules, linker.f.source, false, (i, j) => {
        pairs++;
        const w = linker.weightOf(i, j, full);
        const q = linker.weightIfAtLeast(i, j, min, quick);
        expect(q >= min).toBe(w >= min);
        if (w >= min) {
          linked++;
          expect(q).toBeCloseTo(w, 9);
          expect(Array.from(quick)).toEqual(Array.from(full));
        }
      }, { mask: false });
    }
    expect(pairs).toBeGreaterThan(10_000);
    expect(linked).toBeGreaterThan(500);
  });

  it('explains a pair: the prior and the fields’ contributions add up to the weight', () => {
    const a = person('a', { firstName: 'Robert', surname: 'Hughes', dob: '19840307', postcode: 'NB1 2AB', sex: 'M' });
    const b = person('b', { firstName: 'Bob', surname: 'Hughes', dob: '19840703', postcode: 'NB1 2AX', sex: 'M' });
    const result = linkRecords(recordSetOf([...base, a, b]));
    const e = result.linker.explain(base.length, base.length + 1);
    const sum = e.prior + e.fields.reduce((s, f) => s + f.weight, 0);
    expect(e.weight).toBeCloseTo(sum, 9);
    expect(e.fields.find((f) => f.comparison === 'first_name')!.level).toBe('nickname');
    expect(e.fields.find((f) => f.comparison === 'date_of_birth')!.level).toBe('day and month swapped');
    expect(e.probability).toBeCloseTo(1 / (1 + 2 ** -e.weight), 9);
    for (const f of e.fields) if (f.level !== 'missing') expect(f.weight).toBeCloseTo(Math.log2(f.m / f.u) + f.termFrequencyAdjustment, 9);
  });

  it('counts agreeing on a rare surname for more than on a common one', () => {
    const common = base.find((r) => r.surname !== '')!.surname;
    const a = person('a', { firstName: 'Zed', surname: 'Quillfeather', dob: '19700101' });
    const b = person('b', { firstName: 'Zed', surname: 'Quillfeather', dob: '19990505' });
    const c = person('c', { firstName: 'Zed', surname: common, dob: '19700101' });
    const d = person('d', { firstName: 'Zed', surname: common, dob: '19990505' });
    const result = linkRecords(recordSetOf([...base, a, b, c, d]));
    const n = base.length;
    const rare = result.linker.explain(n, n + 1).fields.find((f) => f.comparison === 'surname')!;
    const usual = result.linker.explain(n + 2, n + 3).fields.find((f) => f.comparison === 'surname')!;
    expect(rare.level).toBe('exact');
    expect(usual.level).toBe('exact');
    expect(rare.weight).toBeGreaterThan(usual.weight + 1);
  });

  it('finds the duplicates in synthetic records without labels, and one record among them', () => {
    const { set, person: truth } = syntheticPeople(5000, 11);
    const result = linkRecords(set);
    const s = pairwiseScores(result.clusters, Array.from(truth, String));
    expect(s.precision).toBeGreaterThan(0.95);
    expect(s.recall).toBeGreaterThan(0.85);
    const probe = set.get(10);
    const hits = result.linker.query({ ...probe, firstName: probe.firstName.toUpperCase() });
    expect(hits[0]?.index).toBeDefined();
    expect(truth[hits[0]!.index]).toBe(truth[10]);
  });
});
