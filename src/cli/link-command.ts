/**
 * `teamaround link --input a.csv [--input b.csv] --mapping mapping.json --output clusters.csv`:
 * links records on files alone (no database) and writes `record_id,cluster_id`, one row per input record.
 * With two inputs, duplicates within each file are found too, unless --across-only says each file holds
 * each person at most once (then only pairs across the files are compared).
 */
import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CsvError } from '../linkage/csv.ts';
import { linkRecords, type LinkResult } from '../linkage/link.ts';
import { emptyRecordSet, MappingError, parseLinkMapping, readMappedCsv } from '../linkage/mapping.ts';
import { linkRecordsParallel } from '../linkage/parallel.ts';
import type { Output } from './output.ts';

export class LinkInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkInputError';
  }
}

/**
 * Worker threads pay off only for large inputs: each worker rebuilds the features and indexes, which
 * on historical_50k (50,578 records) cost more than the scoring they share (one thread 3.5 s end to
 * end, two 10.2 s, at load 6 on 2 cores).
 */
export const PARALLEL_FROM_RECORDS = 200_000;

export const LINK_USAGE = 'link --input <a.csv> [--input <b.csv>] --mapping <mapping.json> --output <clusters.csv> [--across-only] [--threshold 0.99] [--threads N]';

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Runs the command; usage and input problems throw LinkInputError with a message naming file, row and column. */
export async function runLinkCommand(args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      output: { type: 'string' },
      threshold: { type: 'string', default: '0.99' },
      threads: { type: 'string' },
      'across-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const inputs = values.input ?? [];
  if (inputs.length === 0) throw new LinkInputError('--input: give the CSV file to link (twice to link two files against each other)');
  if (inputs.length > 2) throw new LinkInputError('--input: give one file (to find duplicates) or two (to link them)');
  if (!values.mapping) throw new LinkInputError('--mapping: give the JSON file that names the columns (record_id is required)');
  if (!values.output) throw new LinkInputError('--output: give the CSV file to write record_id,cluster_id to');
  const threshold = Number(values.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new LinkInputError('--threshold: give a match probability between 0 and 1, e.g. 0.99');
  const threads = values.threads === undefined ? os.availableParallelism() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new LinkInputError('--threads: give a whole number from 1 to 64');

  let mappingText: string;
  try {
    mappingText = readFileSync(values.mapping, 'utf8');
  } catch (err) {
    throw new LinkInputError(`--mapping: cannot read ${values.mapping} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let mappingJson: unknown;
  try {
    mappingJson = JSON.parse(mappingText);
  } catch (err) {
    throw new LinkInputError(`${values.mapping}: not valid JSON (${(err as Error).message})`);
  }
  const mapping = parseLinkMapping(mappingJson, values.mapping);

  const started = performance.now();
  const set = emptyRecordSet();
  const seen = new Map<string, string>();
  for (let s = 0; s < inputs.length; s++) {
    const file = inputs[s]!;
    let summary;
    try {
      summary = await readMappedCsv(file, mapping, set, s, seen);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LinkInputError(`--input: ${file} does not exist`);
      throw err;
    }
    io.err(`Read ${summary.rows} records from ${file}.`);
    if (summary.badDates > 0) {
      io.err(`  ${summary.badDates} dates of birth in ${file} (column "${mapping.date_of_birth}") did not match ${mapping.date_format ?? 'YYYY-MM-DD'} and were treated as missing; the first is on row ${summary.firstBadDateRow}.`);
    }
  }
  if (values['across-only'] && inputs.length !== 2) throw new LinkInputError('--across-only: needs two --input files');
  const options = { linkOnly: values['across-only'], threshold };
  let result: LinkResult;
  if (threads > 1 && set.size >= PARALLEL_FROM_RECORDS) result = await linkRecordsParallel(set, options, threads);
  else result = linkRecords(set, options);

  // cluster ids numbered in order of first appearance; written to a temporary file, then renamed,
  // so an interrupted run leaves no half-written output
  const names = new Map<number, number>();
  const tmp = path.join(path.dirname(path.resolve(values.output)), `.${path.basename(values.output)}.${process.pid}.tmp`);
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  try {
    const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
    await write('record_id,cluster_id\n');
    let chunk = '';
    const ids = set.columns.id;
    for (let i = 0; i < set.size; i++) {
      const root = result.clusters[i]!;
      let cid = names.get(root);
      if (cid === undefined) {
        cid = names.size + 1;
        names.set(root, cid);
      }
      chunk += `${csvField(ids[i]!)},${cid}\n`;
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    renameSync(tmp, values.output);
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  const s = result.stats;
  io.err(
    `Compared ${s.candidatePairs} candidate pairs; linked ${s.linkedPairs} pairs at match probability >= ${threshold}; ${s.records} records in ${s.clusters} clusters. ` +
      `Wrote ${values.output} in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

/** Whether an error is a problem with the command's input (reported as a message, exit code 2). */
function isLinkInputError(err: unknown): err is Error {
  return err instanceof LinkInputError || err instanceof MappingError || err instanceof CsvError;
}

/**
 * `link` as a command: a problem with the input or the options is a message and exit code 2 (with
 * the usage for a bad option); anything else is thrown. Used by the command table and by
 * bin/teamaround.js, which runs `link` without loading the rest of the app.
 */
export async function linkMain(args: string[], io: Output): Promise<number> {
  try {
    return await runLinkCommand(args, io);
  } catch (err) {
    if (isLinkInputError(err)) {
      io.err(err.message);
      return 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\nUsage: npx teamaround ${LINK_USAGE}`);
      return 2;
    }
    throw err;
  }
}
