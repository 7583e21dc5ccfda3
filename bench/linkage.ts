/**
 * `npm run bench -- linkage [--synthetic 1000000] [--queries 1000] [--skip-synthetic] [--toolkit <folder>] [--python /usr/bin/python3]`
 *
 * Record linkage (src/linkage), no labels used in training:
 *  - on the labelled fixtures in ../shared/fixtures/linkage (skipped with a message when absent):
 *    pairwise precision, recall and F1 for febrl3, febrl4 (4a against 4b), fake_1000 and
 *    historical_50k, blocking recall (share of true pairs reached by blocking), end-to-end time
 *    (reading the CSV with the `link` command's reader, then linking);
 *  - scored comparisons per second per thread (candidate pairs scored on one thread, historical_50k);
 *  - --synthetic records with realistic errors (src/linkage/synthetic.ts) deduplicated with worker
 *    threads on every core, with their accuracy against the generated truth;
 *  - checking one incoming record against those records through the in-memory blocking index
 *    (built once): p50/p95/p99 over --queries perturbed records.
 * With `--toolkit <folder>` (the Python recordlinkage toolkit's source, never committed here: see
 * bench/toolkit/README.md) the same run first measures the toolkit's unsupervised pipeline on the same
 * files (bench/toolkit/recordlinkage_baseline.py, Debian's python3 or `--python`) and prints its F1
 * beside ours; without it, the issue's quoted toolkit figures are printed, labelled as quoted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { blockingRecall, pairwiseScores, type PairwiseScores } from '../src/linkage/evaluate.ts';
import { FAKE_MAPPING, FEBRL_MAPPING, HISTORICAL_MAPPING, LINKAGE_FIXTURES_DIR, linkageFixturesPresent, readTruth } from '../src/linkage/fixtures.ts';
import { linkRecords } from '../src/linkage/link.ts';
import { emptyRecordSet, readMappedCsv, type LinkMapping } from '../src/linkage/mapping.ts';
import { linkRecordsParallel } from '../src/linkage/parallel.ts';
import { PARALLEL_FROM_RECORDS } from '../src/cli/link-command.ts';
import { syntheticPeople } from '../src/linkage/synthetic.ts';
import { gitState, loadAverage1m, machine, percentiles, round3, runSuite, wholeNumber, writeResults } from './support/run.ts';

const TOOLKIT_F1_QUOTED_IN_ISSUE: Record<string, number | undefined> = { fake_1000: 0.553, historical_50k: 0.535 };

interface ToolkitScores {
  precision: number;
  recall: number;
  f1: number;
}
interface ToolkitResult {
  candidatePairs: number;
  indexRecall: number;
  seconds: number;
  ecm: { raw: ToolkitScores; cc: ToolkitScores };
  kmeans: { raw: ToolkitScores; cc: ToolkitScores } | null;
}

/** Runs bench/toolkit/recordlinkage_baseline.py with the toolkit's source on PYTHONPATH; its figures by dataset. */
function runToolkit(folder: string, python: string): { results: Record<string, ToolkitResult>; versions: unknown } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ta-toolkit-'));
  try {
    const out = path.join(dir, 'toolkit.json');
    const driver = path.join(import.meta.dirname, 'toolkit', 'recordlinkage_baseline.py');
    execFileSync(python, [driver, '--json-out', out], { env: { ...process.env, PYTHONPATH: folder }, stdio: ['ignore', 'inherit', 'inherit'] });
    interface Classifier {
      raw: ToolkitScores;
      cc: ToolkitScores;
      seconds_total: number;
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      versions: unknown;
      datasets: Array<{ dataset: string; candidate_pairs: number; index_recall: number; classifiers: { ECMClassifier: Classifier; KMeansClassifier?: Classifier } }>;
    };
    const results: Record<string, ToolkitResult> = {};
    for (const d of report.datasets) {
      const e = d.classifiers.ECMClassifier;
      const k = d.classifiers.KMeansClassifier;
      results[d.dataset] = {
        candidatePairs: d.candidate_pairs,
        indexRecall: d.index_recall,
        seconds: e.seconds_total,
        ecm: { raw: e.raw, cc: e.cc },
        kmeans: k ? { raw: k.raw, cc: k.cc } : null,
      };
    }
    return { results, versions: report.versions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function toolkitLine(name: string, toolkit: Record<string, ToolkitResult> | null): string {
  const t = toolkit?.[name];
  if (t) {
    const k = t.kmeans ? `; KMeans ${t.kmeans.raw.f1.toFixed(4)}, ${t.kmeans.cc.f1.toFixed(4)} closed` : '';
    return `recordlinkage toolkit measured in this run: ECM F1 ${t.ecm.raw.f1.toFixed(4)} (${t.ecm.cc.f1.toFixed(4)} with its links closed into groups)${k}; index recall ${t.indexRecall.toFixed(4)}, ${t.candidatePairs} pairs, ${t.seconds.toFixed(1)} s`;
  }
  const quoted = TOOLKIT_F1_QUOTED_IN_ISSUE[name];
  return quoted ? `recordlinkage toolkit ${quoted} as quoted in the issue, not measured here (give --toolkit)` : 'recordlinkage toolkit not measured (give --toolkit)';
}
const TARGET_F1: Record<string, number> = { febrl3: 0.998, febrl4: 0.999, fake_1000: 0.85, historical_50k: 0.8 };

interface FixtureCase {
  name: string;
  files: string[];
  mapping: LinkMapping;
  truth: string;
  linkOnly: boolean;
}

const CASES: FixtureCase[] = [
  { name: 'febrl3', files: ['febrl3.csv'], mapping: FEBRL_MAPPING, truth: 'rec_id', linkOnly: false },
  { name: 'febrl4', files: ['febrl4a.csv', 'febrl4b.csv'], mapping: FEBRL_MAPPING, truth: 'rec_id', linkOnly: true },
  { name: 'fake_1000', files: ['fake_1000.csv'], mapping: FAKE_MAPPING, truth: 'cluster', linkOnly: false },
  { name: 'historical_50k', files: ['historical_50k.csv'], mapping: HISTORICAL_MAPPING, truth: 'cluster', linkOnly: false },
];

const fmt = (s: PairwiseScores) => `precision ${s.precision.toFixed(4)}  recall ${s.recall.toFixed(4)}  F1 ${s.f1.toFixed(4)}`;

async function fixtures(toolkit: Record<string, ToolkitResult> | null): Promise<unknown[]> {
  if (!linkageFixturesPresent()) {
    console.log(`Skipping the labelled fixtures: ${LINKAGE_FIXTURES_DIR} is absent (it lives beside the checkout, in ../shared).`);
    return [];
  }
  const results = [];
  for (const c of CASES) {
    const started = performance.now();
    const set = emptyRecordSet();
    const seen = new Map<string, string>();
    for (let s = 0; s < c.files.length; s++) await readMappedCsv(path.join(LINKAGE_FIXTURES_DIR, c.files[s]!), c.mapping, set, s, seen);
    const readMs = performance.now() - started;
    const result = linkRecords(set, { linkOnly: c.linkOnly });
    const endToEndMs = performance.now() - started;
    let truth: string[] = [];
    for (const f of c.files) truth = truth.concat(await readTruth(path.join(LINKAGE_FIXTURES_DIR, f), c.truth));
    const source = c.linkOnly ? set.sources : null;
    const scores = pairwiseScores(result.clusters, truth, source);
    const blocking = blockingRecall(result.linker.rules, truth, source);
    const t = result.stats.timings;
    const perSecond = result.stats.candidatePairs / ((t.scoreMs ?? 1) / 1000);
    console.log(`${c.name.padEnd(15)} ${fmt(scores)}  (target F1 >= ${TARGET_F1[c.name]})`);
    console.log(`${''.padEnd(15)} ${toolkitLine(c.name, toolkit)}`);
    console.log(
      `${''.padEnd(15)} blocking recall ${blocking.recall.toFixed(4)} (${blocking.reached}/${blocking.truePairs})  candidate pairs ${result.stats.candidatePairs}  ` +
        `end to end ${(endToEndMs / 1000).toFixed(2)} s (read ${(readMs / 1000).toFixed(2)}, prepare ${((t.prepareMs ?? 0) / 1000).toFixed(2)}, train ${((t.trainMs ?? 0) / 1000).toFixed(2)}, score ${((t.scoreMs ?? 0) / 1000).toFixed(2)}, cluster ${((t.clusterMs ?? 0) / 1000).toFixed(2)})  ` +
        `${Math.round(perSecond).toLocaleString('en-GB')} scored pairs/s on one thread`,
    );
    // the same, as the `link` command runs it on big inputs: scoring on worker threads
    let parallelEndToEndMs: number | null = null;
    if (set.size >= 50_000) {
      const t0 = performance.now();
      const again = emptyRecordSet();
      const seenAgain = new Map<string, string>();
      for (let s = 0; s < c.files.length; s++) await readMappedCsv(path.join(LINKAGE_FIXTURES_DIR, c.files[s]!), c.mapping, again, s, seenAgain);
      await linkRecordsParallel(again, { linkOnly: c.linkOnly }, os.availableParallelism());
      parallelEndToEndMs = performance.now() - t0;
      console.log(`${''.padEnd(15)} end to end with ${os.availableParallelism()} threads scoring (for comparison: the link command uses threads from ${PARALLEL_FROM_RECORDS.toLocaleString('en-GB')} records): ${(parallelEndToEndMs / 1000).toFixed(2)} s`);
    }
    results.push({
      name: c.name,
      parallelEndToEndMs: parallelEndToEndMs === null ? null : Math.round(parallelEndToEndMs),
      records: set.size,
      scores: { precision: round3(scores.precision), recall: round3(scores.recall), f1: Math.round(scores.f1 * 10000) / 10000, truePairs: scores.truePairs, predictedPairs: scores.predictedPairs, truePositives: scores.truePositives },
      blockingRecall: Math.round(blocking.recall * 10000) / 10000,
      candidatePairs: result.stats.candidatePairs,
      endToEndMs: Math.round(endToEndMs),
      readMs: Math.round(readMs),
      timingsMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])),
      scoredPairsPerSecondOneThread: Math.round(perSecond),
      estimatedMatches: Math.round(result.linker.params.expectedMatches),
      targetF1: TARGET_F1[c.name],
      toolkitF1QuotedInIssue: TOOLKIT_F1_QUOTED_IN_ISSUE[c.name] ?? null,
      toolkitMeasured: toolkit?.[c.name] ?? null,
    });
  }
  return results;
}

async function synthetic(records: number, queries: number): Promise<unknown> {
  const threads = os.availableParallelism();
  let t = performance.now();
  const { set, person } = syntheticPeople(records, 1);
  const generateMs = performance.now() - t;
  console.log(`\nsynthetic: ${set.size} records generated in ${(generateMs / 1000).toFixed(1)} s; deduplicating with ${threads} worker threads…`);
  t = performance.now();
  const result = await linkRecordsParallel(set, {}, threads);
  const linkMs = performance.now() - t;
  const scores = pairwiseScores(result.clusters, Array.from(person, String));
  const tm = result.stats.timings;
  console.log(
    `synthetic ${set.size}: deduplicated in ${(linkMs / 1000).toFixed(1)} s with ${threads} threads (target < 120 s): prepare ${((tm.prepareMs ?? 0) / 1000).toFixed(1)}, train ${((tm.trainMs ?? 0) / 1000).toFixed(1)}, ` +
      `score in workers ${((tm.scoreMs ?? 0) / 1000).toFixed(1)}, cluster ${((tm.clusterMs ?? 0) / 1000).toFixed(1)}; ${result.scored} pairs scored; ${fmt(scores)}`,
  );
  // one incoming record against the whole set: perturbed copies of existing records
  const linker = result.linker;
  const times: number[] = [];
  let found = 0;
  for (let q = 0; q < queries; q++) {
    const i = (q * 7919) % set.size;
    const r = set.get(i);
    const probe = { ...r, firstName: q % 3 === 0 ? r.firstName.slice(0, -1) : r.firstName, postcode: q % 4 === 0 ? '' : r.postcode };
    const started = performance.now();
    const hits = linker.query(probe, { minProbability: 0.5, limit: 10 });
    times.push(performance.now() - started);
    if (hits.some((h) => person[h.index] === person[i])) found++;
  }
  const p = percentiles(times);
  console.log(`query one record against ${set.size}: p50 ${p.p50.toFixed(2)} ms  p95 ${p.p95.toFixed(2)} ms  p99 ${p.p99.toFixed(2)} ms (target p95 < 50 ms); the person was found for ${found}/${queries} perturbed records`);
  return {
    records: set.size,
    threads,
    generateMs: Math.round(generateMs),
    dedupeMs: Math.round(linkMs),
    timingsMs: Object.fromEntries(Object.entries(tm).map(([k, v]) => [k, Math.round(v)])),
    scoredPairs: result.scored,
    scores: { precision: round3(scores.precision), recall: round3(scores.recall), f1: round3(scores.f1) },
    query: { queries, p50Ms: round3(p.p50), p95Ms: round3(p.p95), p99Ms: round3(p.p99), found },
  };
}

await runSuite('linkage', async () => {
  const { values } = parseArgs({
    options: {
      synthetic: { type: 'string', default: '1000000' },
      queries: { type: 'string', default: '1000' },
      'skip-synthetic': { type: 'boolean', default: false },
      toolkit: { type: 'string' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const records = wholeNumber('synthetic', values.synthetic!, 1000, 10_000_000);
  const queries = wholeNumber('queries', values.queries!, 10, 100_000);
  const date = new Date();
  const m = machine();
  console.log(`linkage benchmark on ${m.cpu} (${m.logicalCpus} cores), load ${m.loadAverage1mAtStart}`);
  let toolkit: ReturnType<typeof runToolkit> | null = null;
  if (values.toolkit) {
    console.log(`The recordlinkage toolkit first, from ${values.toolkit} with ${values.python}:`);
    toolkit = runToolkit(path.resolve(values.toolkit), values.python!);
    console.log('');
  }
  const fixtureResults = await fixtures(toolkit?.results ?? null);
  const syntheticResult = values['skip-synthetic'] ? null : await synthetic(records, queries);
  const file = writeResults('linkage', date, { suite: 'linkage', date: date.toISOString(), machine: m, git: gitState(), loadAverage1mAtEnd: loadAverage1m(), fixtures: fixtureResults, synthetic: syntheticResult, toolkit: toolkit ? { measured: true, versions: toolkit.versions } : { measured: false, why: 'no --toolkit folder given' } });
  console.log(`\nResults written to ${file}`);
});
