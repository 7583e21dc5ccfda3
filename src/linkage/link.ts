/**
 * The linking engine: prepare features, block, learn the model without labels, score the candidate
 * pairs, and group records into people (connected components over pairs above the threshold, never
 * joining twins). `explain` says how each field contributed to a pair's weight; `query` checks one
 * incoming record against the whole set through the blocking indexes.
 */
import { BLOCKING_RULES, forEachCandidate, indexRule, type RuleIndex } from './blocking.ts';
import { COMPARISONS, C_ADDRESS, C_FIRST, C_SURNAME, NC, addressLevel, areTwinGroups, compareInto, isTwinPair, mightBeSwapped, nearlySwapped } from './compare.ts';
import { fillRecord, prepareFeatures, type Features } from './features.ts';
import { train, type ModelParams } from './model.ts';
import type { RawRecord, RecordSet } from './records.ts';

export interface LinkOptions {
  /** Link two (or more) sources against each other only, not within a source. Default false (deduplicate). */
  linkOnly?: boolean;
  /** Match probability at or above which a pair is linked. Default 0.99. */
  threshold?: number;
  /** Blocking groups bigger than this are not expanded into pairs. Default 5000. */
  maxGroup?: number;
  /** Links needed to join two groups of records, as a share of the smaller group's size. Default 0.5. */
  support?: number;
  uSamples?: number;
  trainingPairs?: number;
  seed?: number;
}

export interface Edges {
  i: Int32Array;
  j: Int32Array;
  w: Float64Array;
  length: number;
}

export interface FieldContribution {
  comparison: string;
  level: string;
  m: number;
  u: number;
  /** log2(m/u), plus the term-frequency adjustment for an exact name; 0 when missing. */
  weight: number;
  termFrequencyAdjustment: number;
}

export interface Explanation {
  /** log2 of the prior odds that a blocked pair is a match. */
  prior: number;
  fields: FieldContribution[];
  /** prior + Σ field weights. */
  weight: number;
  probability: number;
  twinGuard: boolean;
}

class EdgeBuffer {
  i = new Int32Array(1024);
  j = new Int32Array(1024);
  w = new Float64Array(1024);
  length = 0;
  push(i: number, j: number, w: number): void {
    if (this.length === this.i.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.i = grow(this.i);
      this.j = grow(this.j);
      this.w = grow(this.w);
    }
    this.i[this.length] = i;
    this.j[this.length] = j;
    this.w[this.length] = w;
    this.length++;
  }
  toEdges(): Edges {
    return { i: this.i.subarray(0, this.length), j: this.j.subarray(0, this.length), w: this.w.subarray(0, this.length), length: this.length };
  }
}

export class Linker {
  readonly f: Features;
  readonly rules: RuleIndex[];
  readonly params: ModelParams;
  readonly linkOnly: boolean;
  readonly maxGroup: number;
  readonly threshold: number;
  /** Share of the smaller group's size in links needed to join two groups of records. */
  readonly support: number;
  /** Weight table, 16 slots per comparison. */
  readonly W: Float64Array;
  /** log2 prior odds that two records are the same person. */
  readonly prior: number;
  /** Match weight (without prior) at or above which a pair is linked. */
  readonly minWeight: number;
  /** The highest weight an address level can add. */
  readonly maxAddressWeight: number;
  readonly timings: Record<string, number> = {};
  private readonly levels = new Uint8Array(NC);
  /** Term-frequency adjustments per name id of the set, worked out once (names a query adds are worked out when asked). */
  readonly #tfFirst: Float64Array;
  readonly #tfSurname: Float64Array;

  constructor(set: RecordSet, options: LinkOptions = {}, params?: ModelParams) {
    this.linkOnly = options.linkOnly ?? false;
    this.maxGroup = options.maxGroup ?? 5000;
    this.threshold = options.threshold ?? 0.99;
    this.support = options.support ?? 0.5;
    let t = performance.now();
    this.f = prepareFeatures(set);
    this.timings.prepareMs = performance.now() - t;
    t = performance.now();
    this.rules = BLOCKING_RULES.map((r) => indexRule(this.f, r, this.maxGroup)).filter((r) => r.groups > 0);
    this.timings.indexMs = performance.now() - t;
    t = performance.now();
    this.params =
      params ??
      train(this.f, this.rules, { maxGroup: this.maxGroup, linkOnly: this.linkOnly, uSamples: options.uSamples, trainingPairs: options.trainingPairs, seed: options.seed });
    this.timings.trainMs = performance.now() - t;
    this.W = new Float64Array(NC * 16);
    for (let c = 0; c < NC; c++) for (let l = 0; l < this.params.weights[c]!.length; l++) this.W[c * 16 + l] = this.params.weights[c]![l]!;
    const lb = this.params.lambda;
    this.prior = Math.log2(lb / (1 - lb));
    this.minWeight = Math.log2(this.threshold / (1 - this.threshold)) - this.prior;
    let best = 0;
    for (let l = 1; l < COMPARISONS[C_ADDRESS]!.levels.length; l++) best = Math.max(best, this.W[C_ADDRESS * 16 + l]!);
    this.maxAddressWeight = best;
    const names = this.f.names.length;
    const tfFirst = new Float64Array(names);
    const tfSurname = new Float64Array(names);
    for (let id = 0; id < names; id++) {
      tfFirst[id] = this.#tfCompute(C_FIRST, id);
      tfSurname[id] = this.#tfCompute(C_SURNAME, id);
    }
    this.#tfFirst = tfFirst;
    this.#tfSurname = tfSurname;
  }

  /** Term-frequency adjustment for agreeing exactly on name id `id` as a first name / surname. */
  tfAdjustment(comparison: number, id: number): number {
    const table = comparison === C_FIRST ? this.#tfFirst : this.#tfSurname;
    return id < table.length ? table[id]! : this.#tfCompute(comparison, id);
  }

  #tfCompute(comparison: number, id: number): number {
    const f = this.f;
    const first = comparison === C_FIRST;
    const count = (first ? f.firstCount[id] : f.surnameCount[id]) ?? 0;
    const total = first ? f.firstTotal : f.surnameTotal;
    if (total === 0) return 0;
    const tf = Math.max(count, 1) / total;
    const u = first ? this.params.uExactFirst : this.params.uExactSurname;
    return Math.log2(u / tf);
  }

  /** Match weight (without prior) of records i and j; fills `levels`. */
  weightOf(i: number, j: number, levels: Uint8Array = this.levels): number {
    compareInto(this.f, i, j, levels);
    return this.#sum(i, levels);
  }

  #sum(i: number, levels: Uint8Array): number {
    const W = this.W;
    let w = 0;
    for (let c = 0; c < NC; c++) w += W[c * 16 + levels[c]!]!;
    if (levels[C_FIRST] === 1) w += this.tfAdjustment(C_FIRST, this.f.first[i]!);
    if (levels[C_SURNAME] === 1) w += this.tfAdjustment(C_SURNAME, this.f.surname[i]!);
    return w;
  }

  /**
   * The pair's weight when it reaches `min`, else -Infinity: the same decision as `weightOf(i, j) >= min`
   * with less work. The two dearest checks come last, each only when it could still lift the pair to
   * `min`: names swapped with close spellings, then addresses. When it returns a weight, `levels` holds
   * every level.
   */
  weightIfAtLeast(i: number, j: number, min: number, levels: Uint8Array = this.levels): number {
    const f = this.f;
    const W = this.W;
    compareInto(f, i, j, levels, true);
    let w = this.#sum(i, levels);
    const hasAddress = f.address[i]! >= 0 && f.address[j]! >= 0;
    const addressHeadroom = hasAddress ? this.maxAddressWeight : 0;
    const fl = levels[C_FIRST]!;
    const sl = levels[C_SURNAME]!;
    if (mightBeSwapped(fl, sl)) {
      // neither name is exact in place (mightBeSwapped), so no term-frequency adjustment is in w for them
      const swapped = w - W[C_FIRST * 16 + fl]! - W[C_SURNAME * 16 + sl]! + W[C_FIRST * 16 + 2]! + W[C_SURNAME * 16 + 2]!;
      // weightOf takes the swap whenever the names are nearly swapped, whichever weighs more, so the
      // check is needed whenever either weight could reach min
      if ((swapped > w ? swapped : w) + addressHeadroom >= min && nearlySwapped(f, f.first[i]!, f.first[j]!, f.surname[i]!, f.surname[j]!)) {
        levels[C_FIRST] = 2;
        levels[C_SURNAME] = 2;
        w = swapped;
      }
    }
    if (!hasAddress) return w >= min ? w : -Infinity;
    if (w + addressHeadroom < min) return -Infinity;
    const l = addressLevel(f, i, j);
    levels[C_ADDRESS] = l;
    w += W[C_ADDRESS * 16 + l]!;
    return w >= min ? w : -Infinity;
  }

  probability(weight: number): number {
    return 1 / (1 + 2 ** -(weight + this.prior));
  }

  /**
   * Scores the candidate pairs (this thread's share when `parts` > 1) and returns those at or above the
   * threshold, twins excluded. `counter.scored` counts the pairs compared.
   */
  scoreCandidates(part = 0, parts = 1, counter = { scored: 0 }): Edges {
    const out = new EdgeBuffer();
    const levels = this.levels;
    const min = this.minWeight;
    forEachCandidate(
      this.rules,
      this.f.source,
      this.linkOnly,
      (i, j) => {
        counter.scored++;
        const w = this.weightIfAtLeast(i, j, min, levels);
        if (w >= min && !isTwinPair(this.f, i, j, levels)) out.push(i, j, w);
      },
      { part, parts, mask: false },
    );
    return out.toEdges();
  }

  /** Groups records into clusters: strongest links first, never joining a component that holds a twin of the other. */
  cluster(edgeLists: readonly Edges[]): Int32Array {
    const n = this.f.n;
    const parent = new Int32Array(n);
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]!]!;
        x = parent[x]!;
      }
      return x;
    };
    let total = 0;
    for (const e of edgeLists) total += e.length;
    const ei = new Int32Array(total);
    const ej = new Int32Array(total);
    const ew = new Float64Array(total);
    let k = 0;
    for (const e of edgeLists) {
      ei.set(e.i, k);
      ej.set(e.j, k);
      ew.set(e.w, k);
      k += e.length;
    }
    const order = new Uint32Array(total);
    for (let x = 0; x < total; x++) order[x] = x;
    order.sort((a, b) => ew[b]! - ew[a]!);
    // twin keys: date of birth and surname, of records that also have a forename (whether two records
    // with one key live at the same address is isTwinPair's question)
    const f = this.f;
    // per component: twin key → its records with that key
    const twinKeys = new Map<number, Map<string, number[]>>();
    const keysOf = (i: number): string[] => (f.dob[i]! < 0 || f.surname[i]! < 0 || f.first[i]! < 0 ? [] : [`${f.dob[i]}|${f.surname[i]}`]);
    const twinLevels = new Uint8Array(NC);
    const entries = (root: number): Map<string, number[]> => {
      let m = twinKeys.get(root);
      if (!m) {
        m = new Map();
        for (const key of keysOf(root)) m.set(key, [root]);
        twinKeys.set(root, m);
      }
      return m;
    };
    // Two groups of records are joined only when enough links support it: at least half the size of
    // the smaller group, so a single stray link cannot chain two people's records together.
    const size = new Int32Array(n).fill(1);
    const support = new Map<number, number>();
    for (let x = 0; x < total; x++) {
      const e = order[x]!;
      let a = find(ei[e]!);
      let b = find(ej[e]!);
      if (a === b) continue;
      const need = Math.ceil(Math.min(size[a]!, size[b]!) * this.support);
      if (need > 1) {
        const key = a < b ? a * n + b : b * n + a;
        const got = (support.get(key) ?? 0) + 1;
        support.set(key, got);
        if (got < need) continue;
      }
      let ma = entries(a);
      let mb = entries(b);
      if (ma.size < mb.size) {
        [a, b] = [b, a];
        [ma, mb] = [mb, ma];
      }
      if (areTwinGroups(f, ma, mb, twinLevels)) continue;
      parent[b] = a;
      size[a] = size[a]! + size[b]!;
      for (const [key, firsts] of mb) {
        const other = ma.get(key);
        if (other) other.push(...firsts);
        else ma.set(key, firsts);
      }
      twinKeys.delete(b);
    }
    const cluster = new Int32Array(n);
    for (let i = 0; i < n; i++) cluster[i] = find(i);
    return cluster;
  }

  /** Why the model thinks records i and j are (or are not) the same person. */
  explain(i: number, j: number): Explanation {
    const levels = new Uint8Array(NC);
    const weight = this.weightOf(i, j, levels);
    const fields: FieldContribution[] = [];
    for (let c = 0; c < NC; c++) {
      if (!this.params.active[c]) continue;
      const l = levels[c]!;
      const tf = COMPARISONS[c]!.tfLevel === l && l > 0 ? this.tfAdjustment(c, c === C_FIRST ? this.f.first[i]! : this.f.surname[i]!) : 0;
      fields.push({
        comparison: COMPARISONS[c]!.name,
        level: COMPARISONS[c]!.levels[l]!,
        m: this.params.m[c]![l]!,
        u: this.params.u[c]![l]!,
        weight: this.W[c * 16 + l]! + tf,
        termFrequencyAdjustment: tf,
      });
    }
    return { prior: this.prior, fields, weight: weight + this.prior, probability: this.probability(weight), twinGuard: isTwinPair(this.f, i, j, levels) };
  }

  /**
   * Checks one incoming record against every record of the set through the blocking indexes; returns
   * the candidates at or above `minProbability`, best first.
   */
  query(record: Omit<RawRecord, 'id' | 'source'>, options: { minProbability?: number; limit?: number } = {}): Array<{ index: number; probability: number; weight: number }> {
    const slot = this.f.n;
    fillRecord(this.f, slot, { ...record, source: -1 });
    const seen = new Set<number>();
    const levels = new Uint8Array(NC);
    const out: Array<{ index: number; probability: number; weight: number }> = [];
    const minP = options.minProbability ?? 0.5;
    for (const r of this.rules) {
      const k = r.rule.key(this.f, slot);
      if (k === null) continue;
      const g = r.dense.get(k);
      if (g === undefined) continue;
      const s = r.groupStart[g]!;
      const e = r.groupStart[g + 1]!;
      if (e - s > r.maxGroup) continue;
      for (let a = s; a < e; a++) {
        const i = r.members[a]!;
        if (seen.has(i)) continue;
        seen.add(i);
        const w = this.weightOf(slot, i, levels);
        const p = this.probability(w);
        if (p >= minP && !isTwinPair(this.f, slot, i, levels)) out.push({ index: i, probability: p, weight: w });
      }
    }
    out.sort((a, b) => b.weight - a.weight);
    return out.slice(0, options.limit ?? 10);
  }
}

export interface LinkResult {
  linker: Linker;
  /** Cluster number per record (the index of one of its records). */
  clusters: Int32Array;
  stats: { records: number; candidatePairs: number; linkedPairs: number; clusters: number; timings: Record<string, number> };
}

/** Links a record set on this thread. */
export function linkRecords(set: RecordSet, options: LinkOptions = {}): LinkResult {
  const linker = new Linker(set, options);
  let t = performance.now();
  const counter = { scored: 0 };
  const edges = linker.scoreCandidates(0, 1, counter);
  linker.timings.scoreMs = performance.now() - t;
  t = performance.now();
  const clusters = linker.cluster([edges]);
  linker.timings.clusterMs = performance.now() - t;
  return { linker, clusters, stats: { records: set.size, candidatePairs: counter.scored, linkedPairs: edges.length, clusters: new Set(clusters).size, timings: linker.timings } };
}
