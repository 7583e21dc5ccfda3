/**
 * The model the app scores candidate pairs with: the engine's Fellegi–Sunter parameters trained
 * without labels (u from random pairs, m by expectation–maximisation, the prior lambda) on the people
 * table against the agencies' people records (link-only: a record is compared with people, not with
 * another record), plus the name frequencies for term-frequency adjustment.
 *
 * Name frequencies keep only names held by at least `minCount` records. A rarer name is scored as if
 * it were held by `minCount - 1` records: slightly less credit than the truth for a unique name, and
 * the stored model lists no rare name, so it says nothing about any one person.
 */
import { COMPARISONS, C_FIRST, C_SURNAME, NC, compareInto, isTwinPair } from './compare.ts';
import type { Features } from './features.ts';
import { Linker, type Explanation, type FieldContribution } from './link.ts';
import type { ModelParams } from './model.ts';
import { recordSetOf, type RawRecord } from './records.ts';

export interface NameFrequencies {
  first: Record<string, number>;
  surname: Record<string, number>;
  firstTotal: number;
  surnameTotal: number;
  minCount: number;
}

export interface AppModel {
  /** The stored model's id, or null for the built-in starting values. */
  id: string | null;
  params: Pick<ModelParams, 'm' | 'u' | 'lambda' | 'weights' | 'active' | 'uExactFirst' | 'uExactSurname'>;
  names: NameFrequencies | null;
}

export interface TrainingSummary {
  people: number;
  records: number;
  lambda: number;
  expectedMatches: number;
  emIterations: number[];
  namesKept: number;
}

/** At least this many on each side to train: EM on fewer finds no stable m. */
export const MIN_TRAINING_RECORDS = 1000;

/** u (share of random pairs at each level) before any training, in the order of COMPARISONS' levels; level 0 is "missing". */
const STARTING_U: readonly (readonly number[])[] = [
  [1, 0.01, 0.001, 0.005, 0.005, 0.01, 0.02, 0.03, 0.919],
  [1, 0.01, 0.001, 0.005, 0.01, 0.02, 0.954],
  [1, 0.001, 0.0005, 0.0005, 0.005, 0.05, 0.2, 0.743],
  [1, 0.001, 0.002, 0.01, 0.05, 0.2, 0.737],
  [1, 0.000001, 0.00001, 0.999989],
  [1, 0.000001, 0.00001, 0.999989],
  [1, 0.5, 0.5],
  [1, 0.00001, 0.001, 0.99899],
  [1, 0.3, 0.05, 0.65],
  [1, 0.001, 0.002, 0.01, 0.05, 0.937],
];

/**
 * The starting model, used until one is trained: the engine's starting m, hand-set u, and a prior of
 * 1 in 1,000 that a candidate the database proposes is the same person.
 */
export function startingModel(): AppModel {
  const m = COMPARISONS.map((c) => c.mStart.slice());
  const u = STARTING_U.map((r) => r.slice());
  const weights = m.map((row, c) => row.map((mv, l) => (l === 0 ? 0 : Math.log2(mv / u[c]![l]!))));
  return { id: null, params: { m, u, lambda: 1 / 1001, weights, active: new Array<boolean>(NC).fill(true), uExactFirst: u[0]![1]!, uExactSurname: u[1]![1]! }, names: null };
}

/**
 * Why stored parameters cannot score with this version's comparisons, or null when they can: a model
 * trained before a comparison gained or lost a level has a probability per level of another list, and
 * scoring with it would read the wrong level's weight. Such a model is set aside until one is trained again.
 */
export function modelMismatch(params: Pick<ModelParams, 'm' | 'u' | 'weights' | 'active'>): string | null {
  if (params.active.length !== NC) return `it has ${params.active.length} comparisons where this version has ${NC}`;
  for (const [name, rows] of [['m', params.m], ['u', params.u], ['weights', params.weights]] as const) {
    if (rows.length !== NC) return `its ${name} has ${rows.length} comparisons where this version has ${NC}`;
    for (let c = 0; c < NC; c++) {
      const want = COMPARISONS[c]!.levels.length;
      if (rows[c]!.length !== want) return `its ${name} for ${COMPARISONS[c]!.name} has ${rows[c]!.length} levels where this version has ${want}`;
    }
  }
  return null;
}

/**
 * Trains on people (source 0) against agencies' records (source 1), link-only, with the engine's
 * blocking rules. `minCount`: the fewest holders of a name for it to be kept in the frequencies.
 */
export function trainAppModel(people: readonly RawRecord[], records: readonly RawRecord[], options: { minCount?: number; seed?: number } = {}): { model: Omit<AppModel, 'id'>; summary: TrainingSummary } {
  if (people.length < MIN_TRAINING_RECORDS || records.length < MIN_TRAINING_RECORDS) {
    throw new RangeError(`Training needs at least ${MIN_TRAINING_RECORDS} people and ${MIN_TRAINING_RECORDS} agency records; there are ${people.length} and ${records.length}`);
  }
  const set = recordSetOf([...people.map((r) => ({ ...r, source: 0 })), ...records.map((r) => ({ ...r, source: 1 }))]);
  const linker = new Linker(set, { linkOnly: true, seed: options.seed ?? 1 });
  const p = linker.params;
  const names = nameFrequencies(linker.f, options.minCount ?? 5);
  return {
    model: { params: { m: p.m, u: p.u, lambda: p.lambda, weights: p.weights, active: p.active, uExactFirst: p.uExactFirst, uExactSurname: p.uExactSurname }, names },
    summary: {
      people: people.length,
      records: records.length,
      lambda: p.lambda,
      expectedMatches: p.expectedMatches,
      emIterations: p.emIterations,
      namesKept: Object.keys(names.first).length + Object.keys(names.surname).length,
    },
  };
}

function nameFrequencies(f: Features, minCount: number): NameFrequencies {
  const first: Record<string, number> = {};
  const surname: Record<string, number> = {};
  for (let id = 0; id < f.names.length; id++) {
    const name = f.names[id]!;
    if ((f.firstCount[id] ?? 0) >= minCount) first[name] = f.firstCount[id]!;
    if ((f.surnameCount[id] ?? 0) >= minCount) surname[name] = f.surnameCount[id]!;
  }
  return { first, surname, firstTotal: f.firstTotal, surnameTotal: f.surnameTotal, minCount };
}

/** Term-frequency adjustment (bits) for agreeing exactly on `name` as a first name or surname. */
export function termFrequencyAdjustment(model: AppModel, comparison: typeof C_FIRST | typeof C_SURNAME, name: string): number {
  const n = model.names;
  if (!n) return 0;
  const first = comparison === C_FIRST;
  const total = first ? n.firstTotal : n.surnameTotal;
  if (total === 0) return 0;
  const count = (first ? n.first[name] : n.surname[name]) ?? Math.max(n.minCount - 1, 1);
  const u = first ? model.params.uExactFirst : model.params.uExactSurname;
  return Math.log2(u / (count / total));
}

/** The engine's explanation of a pair (prior, each field's level and contribution), naming the model used. */
export type PairScore = Explanation & { modelId: string | null };

/** Scores records `i` and `j` of prepared features with the model, field by field. */
export function scoreWithModel(model: AppModel, f: Features, i: number, j: number): PairScore {
  const levels = new Uint8Array(NC);
  compareInto(f, i, j, levels);
  const lb = model.params.lambda;
  const prior = Math.log2(lb / (1 - lb));
  let total = prior;
  const fields: FieldContribution[] = [];
  for (let c = 0; c < NC; c++) {
    const l = levels[c]!;
    const def = COMPARISONS[c]!;
    const active = model.params.active[c] ?? true;
    const m = l === 0 || !active ? 1 : model.params.m[c]![l]!;
    const u = l === 0 || !active ? 1 : model.params.u[c]![l]!;
    let weight = l === 0 || !active ? 0 : model.params.weights[c]![l]!;
    let tf = 0;
    if (active && l === 1 && (c === C_FIRST || c === C_SURNAME)) {
      const id = c === C_FIRST ? f.first[i]! : f.surname[i]!;
      if (id >= 0) tf = termFrequencyAdjustment(model, c, f.names[id]!);
      weight += tf;
    }
    total += weight;
    fields.push({ comparison: def.name, level: def.levels[l]!, m, u, weight, termFrequencyAdjustment: tf });
  }
  return { prior, fields, weight: total, probability: 1 / (1 + 2 ** -total), twinGuard: isTwinPair(f, i, j, levels), modelId: model.id };
}
