/**
 * The Fellegi–Sunter model: m and u probabilities per comparison level, learned without labels.
 *  - u (how often non-matches agree at a level) from comparing random pairs of records;
 *  - m (how often matches agree at a level) by expectation–maximisation over the blocked pairs, one
 *    EM run per blocking rule, leaving out the comparisons that rule blocked on (they are agreed by
 *    construction in that rule's pairs); each comparison's m is averaged over the runs that estimated it;
 *  - term-frequency adjustment of exact name agreement: agreeing on a rare name counts for more.
 * Match weight of a pair = Σ log2(m/u) over the comparisons' levels (+ term-frequency adjustments).
 */
import { COMPARISONS, NC, compareInto } from './compare.ts';
import type { Features } from './features.ts';
import { forEachCandidate, type RuleIndex } from './blocking.ts';

export interface ModelParams {
  m: number[][];
  u: number[][];
  /**
   * Probability that two records drawn at random are the same person: the most matches any blocking
   * rule's EM found (its lambda times its pairs), over all possible pairs. The prior of the weights,
   * whose u come from random pairs too.
   */
  lambda: number;
  expectedMatches: number;
  /** log2 weight per comparison level (0 for level 0). */
  weights: number[][];
  /** Comparisons with data on both sides somewhere (others are left out). */
  active: boolean[];
  emIterations: number[];
  /** u of exact agreement on first name / surname (for term-frequency adjustment). */
  uExactFirst: number;
  uExactSurname: number;
}

/** A fast deterministic random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function activeComparisons(f: Features): boolean[] {
  const p = f.present;
  return [p.first, p.surname, p.dob, p.postcode, p.nhs, p.other, p.sex, p.email, p.town, p.address];
}

/** u probabilities from `samples` random pairs (across sources when linking two files). */
export function estimateU(f: Features, samples: number, linkOnly: boolean, seed = 1): number[][] {
  const counts = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(1)); // add-one smoothing
  const levels = new Uint8Array(NC);
  const random = rng(seed);
  const n = f.n;
  const bySource: number[][] = [];
  if (linkOnly) for (let i = 0; i < n; i++) (bySource[f.source[i]!] ??= []).push(i);
  let done = 0;
  for (let t = 0; t < samples * 4 && done < samples; t++) {
    let i: number;
    let j: number;
    if (linkOnly) {
      const a = bySource[0] ?? [];
      const b = bySource[1] ?? [];
      if (a.length === 0 || b.length === 0) break;
      i = a[(random() * a.length) | 0]!;
      j = b[(random() * b.length) | 0]!;
    } else {
      i = (random() * n) | 0;
      j = (random() * n) | 0;
      if (i === j) continue;
    }
    compareInto(f, i, j, levels);
    for (let c = 0; c < NC; c++) counts[c]![levels[c]!]!++;
    done++;
  }
  return counts.map((row) => {
    const total = row.reduce((s, v, l) => (l === 0 ? s : s + v), 0);
    return row.map((v, l) => (l === 0 ? 1 : v / total));
  });
}

/** Packs levels (4 bits each) into one number: the pattern key of a pair. */
function packLevels(levels: Uint8Array): number {
  let key = 0;
  for (let c = NC - 1; c >= 0; c--) key = key * 16 + levels[c]!;
  return key;
}

function unpack(key: number, out: Uint8Array): void {
  for (let c = 0; c < NC; c++) {
    const v = key % 16;
    out[c] = v;
    key = (key - v) / 16;
  }
}

interface PatternCounts {
  patterns: Uint8Array[];
  counts: number[];
  total: number;
}

function toPatterns(map: Map<number, number>): PatternCounts {
  const patterns: Uint8Array[] = [];
  const counts: number[] = [];
  let total = 0;
  for (const [k, v] of map) {
    const p = new Uint8Array(NC);
    unpack(k, p);
    patterns.push(p);
    counts.push(v);
    total += v;
  }
  return { patterns, counts, total };
}

/**
 * EM over level patterns with counts: estimates lambda and the m of the comparisons in `estimate`
 * (u fixed). Returns the new m (rows of comparisons not estimated are copied) and lambda.
 */
export function expectationMaximisation(
  data: PatternCounts,
  mStart: number[][],
  u: number[][],
  estimate: boolean[],
  options: { maxIterations?: number; tolerance?: number; lambdaStart?: number; use?: boolean[] } = {},
): { m: number[][]; lambda: number; iterations: number } {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-5;
  let m = mStart.map((r) => r.slice());
  let lambda = options.lambdaStart ?? 0.1;
  let iterations = 0;
  const use = options.use ?? estimate;
  for (let it = 0; it < maxIterations; it++) {
    iterations = it + 1;
    const acc = m.map((r) => new Array<number>(r.length).fill(0));
    let sumP = 0;
    for (let k = 0; k < data.patterns.length; k++) {
      const p = data.patterns[k]!;
      let lm = Math.log(lambda);
      let lu = Math.log(1 - lambda);
      for (let c = 0; c < NC; c++) {
        if (!use[c]) continue;
        const l = p[c]!;
        if (l === 0) continue;
        lm += Math.log(m[c]![l]!);
        lu += Math.log(u[c]![l]!);
      }
      const post = 1 / (1 + Math.exp(lu - lm));
      const w = post * data.counts[k]!;
      sumP += w;
      for (let c = 0; c < NC; c++) if (estimate[c]) acc[c]![p[c]!]! += w;
    }
    const newLambda = Math.min(Math.max(sumP / data.total, 1e-9), 1 - 1e-9);
    const newM = m.map((row, c) => {
      if (!estimate[c]) return row;
      const a = acc[c]!;
      const tot = a.reduce((s, v, l) => (l === 0 ? s : s + v), 0);
      if (tot <= 0) return row;
      // a tiny floor keeps every level possible (no infinite weights)
      const raw = a.map((v, l) => (l === 0 ? 0 : Math.max(v / tot, 1e-6)));
      const norm = raw.reduce((s, v) => s + v, 0);
      return raw.map((v, l) => (l === 0 ? 1 : v / norm));
    });
    let change = Math.abs(newLambda - lambda);
    for (let c = 0; c < NC; c++) for (let l = 1; l < m[c]!.length; l++) change = Math.max(change, Math.abs(newM[c]![l]! - m[c]![l]!));
    m = newM;
    lambda = newLambda;
    if (change < tolerance) break;
  }
  return { m, lambda, iterations };
}

export interface TrainOptions {
  uSamples?: number;
  /** Candidate pairs used for EM, about (blocking groups are sampled above that). */
  trainingPairs?: number;
  maxGroup: number;
  linkOnly: boolean;
  seed?: number;
}

/** Learns m and u without labels. */
export function train(f: Features, rules: readonly RuleIndex[], options: TrainOptions): ModelParams {
  const active = activeComparisons(f);
  const u = estimateU(f, options.uSamples ?? 300_000, options.linkOnly, options.seed ?? 1);
  const mStart = COMPARISONS.map((c) => c.mStart.slice());
  // Level patterns of the blocked pairs, per rule (a pair counts for every rule it shares).
  const perRule = rules.map(() => new Map<number, number>());
  const all = new Map<number, number>();
  const levels = new Uint8Array(NC);
  // estimate how many pairs there are, to sample groups when there are too many
  const cap = options.trainingPairs ?? 1_000_000;
  let estimatePairs = 0;
  for (const r of rules) {
    for (let g = 0; g < r.groups; g++) {
      const s = r.groupStart[g + 1]! - r.groupStart[g]!;
      if (s <= r.maxGroup) estimatePairs += (s * (s - 1)) / 2;
    }
  }
  const sampleEvery = Math.max(1, Math.ceil(estimatePairs / cap));
  forEachCandidate(
    rules,
    f.source,
    options.linkOnly,
    (i, j, mask) => {
      compareInto(f, i, j, levels);
      const key = packLevels(levels);
      all.set(key, (all.get(key) ?? 0) + 1);
      for (let r = 0; r < rules.length; r++) {
        if (mask & (1 << r)) {
          const map = perRule[r]!;
          map.set(key, (map.get(key) ?? 0) + 1);
        }
      }
    },
    { sampleEvery },
  );
  const sums = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
  const runs = new Array<number>(NC).fill(0);
  const emIterations: number[] = [];
  for (let r = 0; r < rules.length; r++) {
    if (!rules[r]!.rule.train) continue;
    const data = toPatterns(perRule[r]!);
    if (data.total < 20) continue;
    const estimate = active.map((a, c) => a && !rules[r]!.rule.uses.includes(c));
    const fit = expectationMaximisation(data, mStart, u, estimate);
    emIterations.push(fit.iterations);
    for (let c = 0; c < NC; c++) {
      if (!estimate[c]) continue;
      runs[c]!++;
      for (let l = 0; l < sums[c]!.length; l++) sums[c]![l]! += fit.m[c]![l]!;
    }
  }
  const m = COMPARISONS.map((_, c) => (runs[c]! > 0 ? sums[c]!.map((v) => v / runs[c]!) : mStart[c]!.slice()));
  let totalPairs: number;
  if (options.linkOnly) {
    const perSource = new Map<number, number>();
    for (let i = 0; i < f.n; i++) perSource.set(f.source[i]!, (perSource.get(f.source[i]!) ?? 0) + 1);
    const sizes = [...perSource.values()];
    const sum = sizes.reduce((a, b) => a + b, 0);
    totalPairs = (sum * sum - sizes.reduce((a, b) => a + b * b, 0)) / 2;
  } else totalPairs = (f.n * (f.n - 1)) / 2;
  // The prior: the share of all pairs that match, found as the fixed point of
  // lambda = Σ over candidate pairs of P(match | levels, lambda) / all pairs (pairs not reached by
  // blocking are taken as non-matches).
  const weightsOf = (p: Uint8Array) => {
    let w = 0;
    for (let c = 0; c < NC; c++) if (active[c] && p[c]! > 0) w += Math.log2(m[c]![p[c]!]! / u[c]![p[c]!]!);
    return w;
  };
  const allData = toPatterns(all);
  const patternWeights = allData.patterns.map(weightsOf);
  let lambda = 1e-4;
  for (let it = 0; it < 200; it++) {
    const odds = lambda / (1 - lambda);
    let expected = 0;
    for (let k = 0; k < patternWeights.length; k++) {
      const o = odds * 2 ** patternWeights[k]!;
      expected += (o / (1 + o)) * allData.counts[k]! * sampleEvery;
    }
    const next = Math.min(Math.max(expected / Math.max(totalPairs, 1), 1e-12), 0.5);
    const done = Math.abs(next - lambda) < lambda * 1e-6;
    lambda = next;
    if (done) break;
  }
  const expectedMatches = lambda * totalPairs;
  const weights = m.map((row, c) => row.map((mv, l) => (l === 0 || !active[c] ? 0 : Math.log2(mv / u[c]![l]!))));
  return {
    m,
    u,
    lambda,
    expectedMatches,
    weights,
    active,
    emIterations,
    uExactFirst: u[0]![1]!,
    uExactSurname: u[1]![1]!,
  };
}
