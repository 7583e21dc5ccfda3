/**
 * Linking with worker threads: the main thread learns the model, then each worker rebuilds the
 * features and blocking indexes from the raw columns (in parallel), scores its share of the blocking
 * groups and sends back the links above the threshold; the main thread clusters them.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Linker, type Edges, type LinkOptions, type LinkResult } from './link.ts';
import type { ModelParams } from './model.ts';
import type { RecordSet } from './records.ts';

export interface WorkerJob {
  columns: RecordSet['columns'];
  sources: number[];
  options: LinkOptions;
  params: ModelParams;
  part: number;
  parts: number;
}

export interface WorkerReply {
  i: Int32Array;
  j: Int32Array;
  w: Float64Array;
  scored: number;
  ms: number;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);

function runWorker(job: WorkerJob): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: job });
    worker.once('message', (reply: WorkerReply) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`linkage worker stopped with exit code ${code}`));
    });
  });
}

/** Links a record set using `threads` worker threads for scoring (default: every core). */
export async function linkRecordsParallel(set: RecordSet, options: LinkOptions = {}, threads = os.availableParallelism()): Promise<LinkResult & { scored: number }> {
  const linker = new Linker(set, options);
  const t = performance.now();
  const replies = await Promise.all(
    Array.from({ length: threads }, (_, part) => runWorker({ columns: set.columns, sources: set.sources, options, params: linker.params, part, parts: threads })),
  );
  linker.timings.scoreMs = performance.now() - t;
  linker.timings.workerScoreMs = Math.max(...replies.map((r) => r.ms));
  const edges: Edges[] = replies.map((r) => ({ i: r.i, j: r.j, w: r.w, length: r.i.length }));
  const t2 = performance.now();
  const clusters = linker.cluster(edges);
  linker.timings.clusterMs = performance.now() - t2;
  const scored = replies.reduce((s, r) => s + r.scored, 0);
  const linkedPairs = edges.reduce((s, e) => s + e.length, 0);
  return { linker, clusters, scored, stats: { records: set.size, candidatePairs: scored, linkedPairs, clusters: new Set(clusters).size, timings: linker.timings } };
}
