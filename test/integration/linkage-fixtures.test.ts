/**
 * Accuracy on the labelled FEBRL files in ../shared/fixtures/linkage (skipped, saying so, where that
 * folder is absent): no labels are used in training; they are read only to score the clusters.
 * The benchmark (`npm run bench -- linkage`) measures the same with times and the toolkit beside it;
 * these checks keep the figures from slipping and say why every pair missed is missed.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NC, compareInto, isTwinPair } from '../../src/linkage/compare.ts';
import { pairwiseScores } from '../../src/linkage/evaluate.ts';
import { FEBRL_MAPPING, LINKAGE_FIXTURES_DIR, linkageFixturesPresent, readTruth } from '../../src/linkage/fixtures.ts';
import { linkRecords } from '../../src/linkage/link.ts';
import { emptyRecordSet, readMappedCsv } from '../../src/linkage/mapping.ts';

const present = linkageFixturesPresent();
if (!present) console.warn(`linkage fixtures absent (${LINKAGE_FIXTURES_DIR}): the FEBRL accuracy checks are skipped`);

async function linkFiles(files: string[], linkOnly: boolean) {
  const set = emptyRecordSet();
  const seen = new Map<string, string>();
  for (let s = 0; s < files.length; s++) await readMappedCsv(path.join(LINKAGE_FIXTURES_DIR, files[s]!), FEBRL_MAPPING, set, s, seen);
  let truth: string[] = [];
  for (const f of files) truth = truth.concat(await readTruth(path.join(LINKAGE_FIXTURES_DIR, f), 'rec_id'));
  const result = linkRecords(set, { linkOnly });
  return { set, truth, result, scores: pairwiseScores(result.clusters, truth, linkOnly ? set.sources : null) };
}

/** True pairs not in one cluster for which no record of the one cluster and record of the other are twins. */
function missedWithoutTwins({ set, truth, result }: Awaited<ReturnType<typeof linkFiles>>, linkOnly: boolean): string[] {
  const members = new Map<number, number[]>();
  result.clusters.forEach((c, i) => members.set(c, [...(members.get(c) ?? []), i]));
  const byTruth = new Map<string, number[]>();
  truth.forEach((t, i) => byTruth.set(t, [...(byTruth.get(t) ?? []), i]));
  const levels = new Uint8Array(NC);
  const f = result.linker.f;
  const twinsAcross = (a: number, b: number) =>
    members.get(result.clusters[a]!)!.some((x) =>
      members.get(result.clusters[b]!)!.some((y) => {
        compareInto(f, x, y, levels);
        return isTwinPair(f, x, y, levels);
      }),
    );
  const unexplained: string[] = [];
  for (const group of byTruth.values()) {
    for (let p = 0; p < group.length; p++) {
      for (let q = p + 1; q < group.length; q++) {
        const i = group[p]!;
        const j = group[q]!;
        if (linkOnly && set.sources[i] === set.sources[j]) continue;
        if (result.clusters[i] !== result.clusters[j] && !twinsAcross(i, j)) unexplained.push(`${set.get(i).id} ~ ${set.get(j).id}`);
      }
    }
  }
  return unexplained;
}

describe.skipIf(!present)('linking the labelled FEBRL files, no labels used in training', { timeout: 120_000 }, () => {
  it('deduplicates febrl3 with F1 at least 0.998 and no false link; every pair missed is kept apart by the twin rule', async () => {
    const run = await linkFiles(['febrl3.csv'], false);
    expect(run.scores.f1).toBeGreaterThanOrEqual(0.998);
    expect(run.scores.precision).toBe(1);
    expect(missedWithoutTwins(run, false)).toEqual([]);
  });

  it('links febrl4a against febrl4b with F1 at least 0.999 and no false link; every pair missed is kept apart by the twin rule', async () => {
    const run = await linkFiles(['febrl4a.csv', 'febrl4b.csv'], true);
    expect(run.scores.f1).toBeGreaterThanOrEqual(0.999);
    expect(run.scores.precision).toBe(1);
    expect(missedWithoutTwins(run, true)).toEqual([]);
  });
});
