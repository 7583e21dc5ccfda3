import { describe, expect, it } from 'vitest';
import { MIN_TRAINING_RECORDS, modelMismatch, scoreWithModel, startingModel, termFrequencyAdjustment, trainAppModel, type AppModel } from '../../src/linkage/app-model.ts';
import { COMPARISONS, C_FIRST, C_SURNAME } from '../../src/linkage/compare.ts';
import { prepareFeatures } from '../../src/linkage/features.ts';
import { recordSetOf, type RawRecord } from '../../src/linkage/records.ts';
import { syntheticPeople } from '../../src/linkage/synthetic.ts';

/** Synthetic people: each person's first record plays the people table, their later records an agency's. */
function split(n: number, seed: number) {
  const { set, person } = syntheticPeople(n, seed);
  const people: RawRecord[] = [];
  const records: RawRecord[] = [];
  const personOf = new Map<string, number>();
  for (let i = 0; i < set.size; i++) {
    const r = set.get(i);
    personOf.set(r.id, person[i]!);
    (r.id.endsWith('-0') ? people : records).push(r);
  }
  return { people, records, personOf };
}

function score(model: AppModel, a: RawRecord, b: RawRecord) {
  const f = prepareFeatures(recordSetOf([a, b]));
  return scoreWithModel(model, f, 1, 0);
}

describe('the model the app scores with', () => {
  it('starts from the engine’s starting m, hand-set u and a prior of 1 in 1,000 until one is trained', () => {
    const model = startingModel();
    expect(model.id).toBeNull();
    const { people } = split(50, 3);
    const s = score(model, people[0]!, people[0]!);
    expect(s.prior).toBeCloseTo(Math.log2(1 / 1000), 9);
    expect(s.prior + s.fields.reduce((t, x) => t + x.weight, 0)).toBeCloseTo(s.weight, 9);
    expect(s.fields.every((x) => x.termFrequencyAdjustment === 0)).toBe(true);
  });

  it('says when stored parameters were learned for other comparison levels, naming the comparison', () => {
    const { params } = startingModel();
    expect(modelMismatch(params)).toBeNull();
    expect(modelMismatch({ ...params, active: params.active.slice(1) })).toMatch(/comparisons where this version has/);
    const address = COMPARISONS.findIndex((c) => c.name === 'address');
    const older = { ...params, u: params.u.map((r, c) => (c === address ? r.slice(0, 5) : r)) };
    expect(modelMismatch(older)).toBe(`its u for address has 5 levels where this version has ${COMPARISONS[address]!.levels.length}`);
  });

  it('refuses to train on too few records, saying how many it needs', () => {
    const { people, records } = split(600, 4);
    expect(() => trainAppModel(people, records)).toThrow(new RegExp(`at least ${MIN_TRAINING_RECORDS} people`));
  });

  it('learns weights without labels that separate true pairs from random ones, and keeps only names held by several records', () => {
    const { people, records, personOf } = split(9000, 7);
    expect(records.length).toBeGreaterThanOrEqual(MIN_TRAINING_RECORDS);
    const { model: trained, summary } = trainAppModel(people, records, { minCount: 5 });
    const model: AppModel = { id: 'test', ...trained };
    expect(summary.lambda).toBeGreaterThan(0);
    expect(summary.lambda).toBeLessThan(0.01);
    // about one true pair per agency record (each has exactly one person in the people table)
    expect(summary.expectedMatches / records.length).toBeGreaterThan(0.6);
    expect(summary.expectedMatches / records.length).toBeLessThan(1.4);
    // An exact NHS number counts for much more than agreeing on sex.
    const nhsExact = model.params.weights[4]![1]!;
    const sexSame = model.params.weights[6]![1]!;
    expect(nhsExact).toBeGreaterThan(10);
    expect(nhsExact).toBeGreaterThan(sexSame + 8);

    const byPerson = new Map<number, RawRecord>();
    for (const p of people) byPerson.set(personOf.get(p.id)!, p);
    let truePositive = 0;
    let falsePositive = 0;
    const pairs = records.slice(0, 400);
    for (const [k, r] of pairs.entries()) {
      if (score(model, byPerson.get(personOf.get(r.id)!)!, r).probability >= 0.5) truePositive++;
      const other = people[(k * 7919) % people.length]!;
      if (personOf.get(other.id) !== personOf.get(r.id) && score(model, other, r).probability >= 0.5) falsePositive++;
    }
    expect(truePositive / pairs.length).toBeGreaterThan(0.9);
    expect(falsePositive).toBeLessThanOrEqual(2);

    // Term frequencies: the stored table lists no name held by fewer than five records, and agreeing on
    // the commonest surname counts for less than agreeing on a rare one.
    const n = model.names!;
    expect(Object.values(n.surname).every((c) => c >= 5)).toBe(true);
    expect(Object.values(n.first).every((c) => c >= 5)).toBe(true);
    const commonest = Object.entries(n.surname).sort((a, b) => b[1] - a[1])[0]![0];
    expect(termFrequencyAdjustment(model, C_SURNAME, commonest)).toBeLessThan(termFrequencyAdjustment(model, C_SURNAME, 'zzyzxunheardof'));
    expect(termFrequencyAdjustment(model, C_FIRST, 'zzyzxunheardof')).toBeGreaterThan(0);
    // and it shows in a pair's explanation
    const a = people.find((p) => p.surname && p.firstName && p.dob)!;
    const s = score(model, a, a);
    expect(s.fields.find((x) => x.comparison === 'surname')!.termFrequencyAdjustment).not.toBe(0);
    expect(s.modelId).toBe('test');
  }, 60_000);
});
