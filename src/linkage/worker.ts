/** Worker thread of `linkRecordsParallel`: scores one share of the candidate pairs. */
import { parentPort, workerData } from 'node:worker_threads';
import { Linker } from './link.ts';
import type { RecordSet } from './records.ts';
import type { WorkerJob, WorkerReply } from './parallel.ts';

const job = workerData as WorkerJob;
const set = {
  size: job.sources.length,
  sources: job.sources,
  columns: job.columns,
} as unknown as RecordSet;
const started = performance.now();
const linker = new Linker(set, job.options, job.params);
const counter = { scored: 0 };
const edges = linker.scoreCandidates(job.part, job.parts, counter);
const reply: WorkerReply = { i: edges.i.slice(), j: edges.j.slice(), w: edges.w.slice(), scored: counter.scored, ms: performance.now() - started };
parentPort!.postMessage(reply, [reply.i.buffer as ArrayBuffer, reply.j.buffer as ArrayBuffer, reply.w.buffer as ArrayBuffer]);
