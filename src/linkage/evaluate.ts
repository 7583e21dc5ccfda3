/**
 * Pairwise accuracy of a clustering against known truth (benchmarks and tests only: the model itself
 * never sees labels). A pair is a true match when both records have the same truth label.
 */
import { ruleReaches, type RuleIndex } from './blocking.ts';

export interface PairwiseScores {
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Pairs within groups of `labels` (across sources only when `source` is given). */
function pairsByGroup(keyOf: (i: number) => string, n: number, source: ArrayLike<number> | null): number {
  const groups = new Map<string, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const k = keyOf(i);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = new Map()));
    const s = source ? source[i]! : 0;
    g.set(s, (g.get(s) ?? 0) + 1);
  }
  let pairs = 0;
  for (const g of groups.values()) {
    let sum = 0;
    let sq = 0;
    for (const c of g.values()) {
      sum += c;
      sq += c * c;
    }
    pairs += source ? (sum * sum - sq) / 2 : (sum * (sum - 1)) / 2;
  }
  return pairs;
}

export function pairwiseScores(predicted: ArrayLike<number>, truth: readonly string[], source: ArrayLike<number> | null = null): PairwiseScores {
  const n = truth.length;
  const truePairs = pairsByGroup((i) => truth[i]!, n, source);
  const predictedPairs = pairsByGroup((i) => String(predicted[i]), n, source);
  const truePositives = pairsByGroup((i) => `${predicted[i]}\u0000${truth[i]}`, n, source);
  const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predictedPairs, truePositives, precision, recall, f1 };
}

/** Share of true pairs that at least one blocking rule puts in the same (not oversized) group. */
export function blockingRecall(rules: readonly RuleIndex[], truth: readonly string[], source: ArrayLike<number> | null = null): { truePairs: number; reached: number; recall: number } {
  const members = new Map<string, number[]>();
  truth.forEach((t, i) => {
    const m = members.get(t);
    if (m) m.push(i);
    else members.set(t, [i]);
  });
  let truePairs = 0;
  let reached = 0;
  for (const m of members.values()) {
    for (let a = 0; a < m.length; a++) {
      for (let b = a + 1; b < m.length; b++) {
        const i = m[a]!;
        const j = m[b]!;
        if (source && source[i] === source[j]) continue;
        truePairs++;
        if (rules.some((r) => ruleReaches(r, i, j))) reached++;
      }
    }
  }
  return { truePairs, reached, recall: truePairs === 0 ? 1 : reached / truePairs };
}
