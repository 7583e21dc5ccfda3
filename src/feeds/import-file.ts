/** `npx teamaround import`: one file into one feed, with a live progress bar on a terminal. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Output } from '../cli/output.ts';
import type { Services } from '../services/index.ts';
import { ValidationError } from '../services/principal.ts';
import type { ImportProgress, ImportResult } from './feed-service.ts';

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

/** A text progress bar: `[██████░░░░]  61.0%  610,000 rows  48,211 rows/s  12 refused`. */
export function progressLine(p: ImportProgress, width = 24): string {
  const pct = p.percent ?? 0;
  const filled = Math.round((width * pct) / 100);
  const bar = p.percent === null ? '' : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${pct.toFixed(1).padStart(5)}%  `;
  return `${bar}${fmt(p.rowsSeen)} rows  ${fmt(p.rowsPerSecond)} rows/s  ${fmt(p.rowsRejected)} refused`;
}

export function summaryLine(r: ImportResult): string {
  const head = r.status === 'completed' ? 'Import complete' : `Import ${r.status}`;
  return (
    `${head} (run ${r.runId}${r.resumedFromRow ? `, resumed after row ${fmt(r.resumedFromRow)}` : ''}): ${fmt(r.rowsSeen)} rows read, ` +
    `${fmt(r.rowsAccepted)} accepted (${fmt(r.inserted)} new, ${fmt(r.updated)} changed, ${fmt(r.rowsUnchanged)} unchanged), ${fmt(r.rowsRejected)} refused.`
  );
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export async function runImportFile(services: Services, o: { feed: string; file: string; batchSize: number }, io: Output): Promise<number> {
  let size: number;
  try {
    const st = fs.statSync(o.file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new ValidationError({ file: `--file: cannot read "${o.file}" (is the path right?)` });
  }
  const feed = await services.feeds.resolve(o.feed);
  // The file's hash first (one quick read), so an interrupted import of this same file is resumed, not repeated.
  const sha = await sha256OfFile(o.file);
  let lastDecile = -1;
  const stream = fs.createReadStream(o.file, { highWaterMark: 64 * 1024 });
  // Ctrl+C stops reading: the rows read so far are committed and the run is marked interrupted, so
  // running the same command again resumes after them.
  const stop = () => stream.destroy(new Error('stopped at the keyboard (Ctrl+C)'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const result = await services.feeds.import('operator', feed, stream, {
    bytesTotal: size,
    fileSha256: sha,
    batchSize: o.batchSize,
    onProgress: (p) => {
      if (io.interactive) process.stderr.write(`\r${progressLine(p)}\x1b[K`);
      else {
        const decile = Math.floor((p.percent ?? 0) / 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          io.err(progressLine(p));
        }
      }
    },
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (io.interactive) process.stderr.write('\r\x1b[K');
  io.out(summaryLine(result));
  if (result.failure) io.err(result.failure);
  if (result.rowsRejected > 0) {
    io.err(`The refused rows, with the column and reason for each, are at /api/v1/feeds/${feed.id}/runs/${result.runId}/errors.csv and on the feed's page.`);
  }
  return result.status === 'completed' ? 0 : 1;
}
