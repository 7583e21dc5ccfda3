/**
 * Agency data feeds: an organisation's saved feeds and the streaming import of its files into
 * `source_record`. Every import passes `mayImportFeed` (src/policy/access-policy.ts) and is audited
 * as a run (start, finish with counts), not row by row: the run id is on every record it wrote
 * (`first_run_id`, `last_run_id`), so a later read of those records can be traced to it.
 * Linking records to people is not done here; `source_record.subject_id` is left for src/linkage.
 */
import { z } from 'zod';
import type { Actor, AuditContext, AuditService } from '../audit/audit-service.ts';
import { newId, isUuid } from '../ids.ts';
import { mayImportFeed, mayManageFeeds, type FeedRequester, type OrganisationRecordDecision } from '../policy/access-policy.ts';
import type { Feed, FeedRepository, ImportErrorRow, ImportRun } from '../repositories/feed-repository.ts';
import { actorOf, ForbiddenError, NotFoundError, ValidationError, type Principal } from '../services/principal.ts';
import { FEED_FORMATS, FEED_KINDS, parseMapping, validateRow, type FeedFormat, type NormalisedRecord } from './mapping.ts';
import { csvRows, FeedFormatError, jsonRows, Meter } from './parse.ts';

/** Who asks: a practitioner (signed in or by API token), or the operator at the server's command line. */
export type FeedCaller = Principal | 'operator';

export const OPERATOR_ACTOR: Actor = { userId: null, label: 'cli', organisationId: null, roles: [] };

export interface ImportProgress {
  runId: string;
  rowsSeen: number;
  rowsAccepted: number;
  rowsUnchanged: number;
  rowsRejected: number;
  bytesRead: number;
  bytesTotal: number | null;
  /** 0–100 when the size is known. */
  percent: number | null;
  rowsPerSecond: number;
}

export interface ImportOptions {
  /** The file's size in bytes, when known (for the percentage). */
  bytesTotal?: number | null | undefined;
  /** The file's SHA-256, when known before reading it: an unfinished run of the same file is resumed. */
  fileSha256?: string | null | undefined;
  batchSize?: number | undefined;
  onProgress?: ((p: ImportProgress) => void) | undefined;
  /** Called with the run id as soon as the run exists (e.g. to answer 202 with a status URL). */
  onRunStarted?: ((runId: string) => void) | undefined;
  context?: AuditContext | undefined;
}

export interface ImportResult extends ImportProgress {
  status: ImportRun['status'];
  resumedFromRow: number;
  inserted: number;
  updated: number;
  failure: string | null;
  fileSha256: string | null;
}

export const feedInputSchema = z.object({
  name: z.string('Enter a name for the feed').trim().min(1, 'Enter a name for the feed').max(100, 'The name must be 100 characters or fewer'),
  kind: z.enum(FEED_KINDS, `Choose what the feed sends: ${FEED_KINDS.join(', ')}`),
  format: z.enum(FEED_FORMATS, 'Choose the file format: csv or json'),
  mapping: z.unknown(),
});
export type FeedInput = z.input<typeof feedInputSchema>;

const SHA256_RE = /^[0-9a-f]{64}$/;
const EXCERPT = 40;

function requesterOf(c: FeedCaller): FeedRequester {
  if (c === 'operator') return { operator: true };
  return { userId: c.userId, organisationId: c.organisationId, organisationType: c.organisationType, teamIds: c.teamIds, roles: c.roles, via: c.via };
}

function actorFor(c: FeedCaller): Actor {
  return c === 'operator' ? OPERATOR_ACTOR : actorOf(c);
}

export class FeedService {
  readonly #feeds: FeedRepository;
  readonly #audit: AuditService;
  readonly #now: () => Date;

  constructor(deps: { feeds: FeedRepository; audit: AuditService; now?: (() => Date) | undefined }) {
    this.#feeds = deps.feeds;
    this.#audit = deps.audit;
    this.#now = deps.now ?? (() => new Date());
  }

  async #refuse(caller: FeedCaller, action: string, d: OrganisationRecordDecision, subjectType: string, subjectId: string, context?: AuditContext): Promise<never> {
    await this.#audit.record({ actor: actorFor(caller), action, outcome: 'denied', subjectType, subjectId, reason: d.reason, context });
    throw new ForbiddenError(d.reason);
  }

  async create(caller: FeedCaller, input: unknown, organisationId?: string, context?: AuditContext): Promise<Feed> {
    const r = feedInputSchema.safeParse(input);
    if (!r.success) {
      const fields: Record<string, string> = {};
      for (const i of r.error.issues) fields[i.path.map(String).join('.') || 'feed'] ??= i.message;
      throw new ValidationError(fields);
    }
    const org = caller === 'operator' ? organisationId : caller.organisationId;
    if (!org) throw new ValidationError({ organisation: 'Name the organisation the feed belongs to' });
    const d = mayManageFeeds(requesterOf(caller), org);
    if (!d.allow) await this.#refuse(caller, 'feed.create', d, 'organisation', org, context);
    const m = parseMapping(r.data.kind, r.data.mapping);
    if (!m.ok) throw new ValidationError(m.errors);
    const id = newId();
    const created = await this.#feeds.insertFeed(
      { id, organisationId: org, name: r.data.name, kind: r.data.kind, format: r.data.format, mapping: m.mapping, createdBy: caller === 'operator' ? null : caller.userId },
      this.#now(),
    );
    if (created === 'name-taken') throw new ValidationError({ name: `Your organisation already has a feed called "${r.data.name}"` });
    await this.#audit.record({
      actor: actorFor(caller),
      action: 'feed.create',
      outcome: 'success',
      subjectType: 'feed',
      subjectId: id,
      details: { kind: r.data.kind, format: r.data.format, fields: Object.keys(m.mapping.fields) },
      context,
    });
    return (await this.#feeds.findFeed(id))!;
  }

  async list(caller: Principal): Promise<Feed[]> {
    const d = mayManageFeeds(requesterOf(caller), caller.organisationId);
    if (!d.allow) throw new ForbiddenError(d.reason);
    return this.#feeds.listFeeds(caller.organisationId);
  }

  /** A feed the caller may use; 404 for an unknown id, 403 (audited) for another organisation's. */
  async get(caller: FeedCaller, id: string, context?: AuditContext): Promise<Feed> {
    const feed = isUuid(id) ? await this.#feeds.findFeed(id) : undefined;
    if (!feed) throw new NotFoundError('There is no feed with that id');
    const d = mayManageFeeds(requesterOf(caller), feed.organisationId);
    if (!d.allow) await this.#refuse(caller, 'feed.read', d, 'feed', feed.id, context);
    return feed;
  }

  /** For the command line: a feed by id, or by name when only one organisation has a feed of that name. */
  async resolve(idOrName: string): Promise<Feed> {
    if (isUuid(idOrName)) {
      const f = await this.#feeds.findFeed(idOrName);
      if (f) return f;
    }
    const byName = await this.#feeds.findFeedsByName(idOrName);
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) throw new ValidationError({ feed: `--feed: ${byName.length} organisations have a feed called "${idOrName}"; give its id (${byName.map((f) => `${f.id} for ${f.organisationName}`).join(', ')})` });
    throw new ValidationError({ feed: `--feed: there is no feed with the id or name "${idOrName}"` });
  }

  async runs(caller: FeedCaller, feedId: string): Promise<ImportRun[]> {
    const feed = await this.get(caller, feedId);
    return this.#feeds.listRuns(feed.organisationId, feed.id);
  }

  async run(caller: FeedCaller, feedId: string, runId: string, context?: AuditContext): Promise<ImportRun> {
    const feed = await this.get(caller, feedId, context);
    const run = isUuid(runId) ? await this.#feeds.findRun(runId) : undefined;
    if (!run || run.feedId !== feed.id) throw new NotFoundError('There is no run with that id for this feed');
    return run;
  }

  /** The refused rows of a run as CSV (row, column, value, reason), read a page at a time; the download is audited. */
  async *errorsCsv(caller: FeedCaller, feedId: string, runId: string, context?: AuditContext): AsyncGenerator<string> {
    const run = await this.run(caller, feedId, runId, context);
    await this.#audit.record({ actor: actorFor(caller), action: 'feed.import.errors.download', outcome: 'success', subjectType: 'import-run', subjectId: run.id, details: { feedId, rowsRejected: run.rowsRejected }, context });
    yield 'row,column,value,reason\r\n';
    let afterRow = -1;
    let afterSeq = -1;
    for (;;) {
      const page = await this.#feeds.errors(run.organisationId, run.id, afterRow, afterSeq, 1000);
      if (!page.length) return;
      yield page.map((e) => [String(e.rowNumber), csvCell(e.column ?? ''), csvCell(e.value ?? ''), csvCell(e.reason)].join(',') + '\r\n').join('');
      const last = page[page.length - 1]!;
      afterRow = last.rowNumber;
      afterSeq = last.seq;
    }
  }

  /**
   * Streams one file into a feed. Rows are validated as they are read; every `batchSize` rows the
   * accepted records, the refused rows and the run's checkpoint commit together, so a stop at any
   * point keeps exactly what was committed and a resumed run starts after the checkpoint.
   */
  async import(caller: FeedCaller, feed: Feed, source: AsyncIterable<Uint8Array | string>, options: ImportOptions = {}): Promise<ImportResult> {
    const context = options.context;
    const d = mayImportFeed(requesterOf(caller), feed);
    if (!d.allow) await this.#refuse(caller, 'feed.import', d, 'feed', feed.id, context);
    const announced = options.fileSha256?.toLowerCase() ?? null;
    if (announced !== null && !SHA256_RE.test(announced)) throw new ValidationError({ sha256: 'The SHA-256 must be 64 hexadecimal characters' });
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 5000));
    const now = this.#now();

    let runId: string;
    let resumedFromRow = 0;
    const totals = { rowsSeen: 0, rowsAccepted: 0, rowsUnchanged: 0, rowsRejected: 0 };
    const previous = announced ? await this.#feeds.resumableRun(feed.organisationId, feed.id, announced) : null;
    if (previous && (await this.#feeds.reopenRun(feed.organisationId, previous.id, now))) {
      runId = previous.id;
      resumedFromRow = previous.checkpointRow;
      totals.rowsSeen = previous.rowsSeen;
      totals.rowsAccepted = previous.rowsAccepted;
      totals.rowsUnchanged = previous.rowsUnchanged;
      totals.rowsRejected = previous.rowsRejected;
    } else {
      runId = newId();
      await this.#feeds.insertRun({ id: runId, organisationId: feed.organisationId, feedId: feed.id, bytesTotal: options.bytesTotal ?? null, fileSha256: announced, startedBy: actorFor(caller).label }, now);
    }
    await this.#audit.record({
      actor: actorFor(caller),
      action: 'feed.import.start',
      outcome: 'success',
      subjectType: 'import-run',
      subjectId: runId,
      reason: d.reason,
      details: { feedId: feed.id, feed: feed.name, kind: feed.kind, organisationId: feed.organisationId, resumedFromRow, bytesTotal: options.bytesTotal ?? null },
      context,
    });
    options.onRunStarted?.(runId);

    const meter = new Meter();
    const started = performance.now();
    let processedHere = 0; // rows read this time
    let committedHere = 0; // rows committed this time
    let inserted = 0;
    let updated = 0;
    let records: NormalisedRecord[] = [];
    let errors: Array<ImportErrorRow & { seq: number }> = [];
    let batchRows = 0;
    let lastRow = resumedFromRow;
    const today = now.toISOString().slice(0, 10);
    // Progress counts what is committed: the rows and the bytes read up to the end of the last committed batch.
    let committedBytes = 0;
    const progress = (final = false): ImportProgress => {
      const total = options.bytesTotal ?? null;
      const seconds = (performance.now() - started) / 1000;
      const bytes = final ? meter.bytes : committedBytes;
      return {
        runId,
        ...totals,
        bytesRead: bytes,
        bytesTotal: total,
        percent: total ? Math.min(100, Math.round((1000 * bytes) / total) / 10) : null,
        rowsPerSecond: seconds > 0 ? Math.round((final ? processedHere : committedHere) / seconds) : 0,
      };
    };
    // One batch commits while the next is read and checked (at most one in flight, committed in order),
    // so reading the file and writing to the database overlap.
    let inflight: Promise<void> | null = null;
    const drain = async () => {
      const p = inflight;
      inflight = null;
      if (p) await p;
    };
    const commit = async () => {
      await drain();
      if (batchRows === 0) return;
      const batch = { records, errors, rows: batchRows, lastRow, bytes: meter.bytes };
      records = [];
      errors = [];
      batchRows = 0;
      const batchAccepted = batch.records.length;
      const batchRejected = batch.rows - batchAccepted;
      const p = this.#feeds
        .commitBatch(
          { organisationId: feed.organisationId, runId, feedId: feed.id, kind: feed.kind },
          batch.records,
          batch.errors,
          (written) => ({
            checkpointRow: batch.lastRow,
            rowsSeen: totals.rowsSeen + batch.rows,
            rowsAccepted: totals.rowsAccepted + batchAccepted,
            rowsUnchanged: totals.rowsUnchanged + written.unchanged,
            rowsRejected: totals.rowsRejected + batchRejected,
            bytesRead: batch.bytes,
          }),
          this.#now(),
        )
        .then((w) => {
          totals.rowsSeen += batch.rows;
          totals.rowsAccepted += batchAccepted;
          totals.rowsUnchanged += w.unchanged;
          totals.rowsRejected += batchRejected;
          inserted += w.inserted;
          updated += w.updated;
          committedBytes = batch.bytes;
          committedHere += batch.rows;
          options.onProgress?.(progress());
        });
      p.catch(() => {}); // awaited by the next commit or drain; this only keeps it from being reported as unhandled
      inflight = p;
    };
    const commitAll = async () => {
      await commit();
      await drain();
    };

    let status: ImportResult['status'] = 'completed';
    let failure: string | null = null;
    let sha: string | null = announced;
    const rows = feed.format === 'csv' ? csvRows(meter.wrap(source)) : jsonRows(meter.wrap(source));
    try {
      let sourceError: unknown = null;
      const iterator = rows[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Awaited<ReturnType<typeof rows.next>>['value']>;
        try {
          next = await iterator.next();
        } catch (err) {
          sourceError = err;
          break;
        }
        if (next.done) break;
        const r = next.value;
        if (r.row <= resumedFromRow) continue;
        lastRow = r.row;
        batchRows++;
        processedHere++;
        if (r.problem) {
          errors.push({ rowNumber: r.row, seq: 0, column: r.problem.column, value: null, reason: `Row ${r.row} ${r.problem.reason}` });
        } else {
          const v = validateRow(feed.kind, feed.mapping, r.fields, today);
          if (v.ok) records.push(v.record);
          else v.problems.forEach((p, seq) => errors.push({ rowNumber: r.row, seq, column: p.column, value: p.value === null ? null : excerpt(p.value), reason: p.reason }));
        }
        if (batchRows >= batchSize) await commit();
      }
      if (sourceError instanceof FeedFormatError) {
        // The rows before the break are good: keep them, and say where and why the file broke.
        await commitAll();
        await this.#feeds.commitBatch(
          { organisationId: feed.organisationId, runId, feedId: feed.id, kind: feed.kind },
          [],
          [{ rowNumber: sourceError.row, seq: 99, column: null, value: null, reason: `The file cannot be read further: ${sourceError.message}` }],
          () => ({ checkpointRow: lastRow, ...totals, bytesRead: meter.bytes }),
          this.#now(),
        );
        status = 'failed';
        failure = sourceError.message;
      } else if (sourceError) {
        // The sender stopped (connection closed, file unreadable): keep the complete rows read so far.
        await commitAll();
        status = 'interrupted';
        failure = `The file stopped arriving after row ${lastRow}: ${(sourceError as Error).message ?? String(sourceError)}`;
      } else {
        await commitAll();
        const computed = meter.sha256();
        if (announced && computed !== announced) {
          status = 'failed';
          failure = `The file's SHA-256 is ${computed}, not the ${announced} announced with it`;
        }
        sha = computed;
      }
    } catch (err) {
      status = 'failed';
      failure = `The import stopped after row ${lastRow} was read: ${(err as Error).message}`;
      await drain().catch(() => {});
    }
    try {
      await this.#feeds.finishRun(feed.organisationId, runId, { status, fileSha256: sha, failure, bytesRead: meter.bytes }, this.#now());
    } catch {
      // left as running: a later run of the same file takes it over once it is stale
    }
    const result: ImportResult = { ...progress(true), status, resumedFromRow, inserted, updated, failure, fileSha256: sha };
    await this.#audit.record({
      actor: actorFor(caller),
      action: 'feed.import.finish',
      outcome: status === 'completed' ? 'success' : 'failure',
      subjectType: 'import-run',
      subjectId: runId,
      reason: failure,
      details: {
        feedId: feed.id,
        kind: feed.kind,
        organisationId: feed.organisationId,
        status,
        rowsSeen: result.rowsSeen,
        rowsAccepted: result.rowsAccepted,
        rowsUnchanged: result.rowsUnchanged,
        rowsRejected: result.rowsRejected,
        // The records written this time carry this run id (source_record.last_run_id).
        sourceRecordsWritten: inserted + updated,
        sourceRecordsInserted: inserted,
        sourceRecordsChanged: updated,
        bytesRead: meter.bytes,
        fileSha256: sha,
        resumedFromRow,
      },
      context,
    });
    return result;
  }
}

function excerpt(v: string): string {
  return v.length > EXCERPT ? `${v.slice(0, EXCERPT - 1)}…` : v;
}

/** One CSV cell, quoted when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export type { FeedFormat };
