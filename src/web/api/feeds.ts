import type { Request, Response } from 'express';
import { z } from 'zod';
import { FEED_FORMATS, FEED_KINDS, DATE_FORMATS, TARGET_FIELDS } from '../../feeds/mapping.ts';
import type { ImportResult } from '../../feeds/feed-service.ts';
import type { Feed, ImportRun } from '../../repositories/feed-repository.ts';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';
import type { ApiRegistry } from './registry.ts';
import { ErrorSchema } from './schemas.ts';

export class UnsupportedMediaTypeError extends Error {
  readonly status = 415;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The content types a run's body may have, by the feed's format. */
export const UPLOAD_TYPES: Record<'csv' | 'json', string[]> = {
  csv: ['text/csv', 'application/csv', 'text/plain'],
  json: ['application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl'],
};

/** Whether a request is a run's upload, whose body must reach the import as a stream (not the JSON parser). */
export function isFeedUpload(req: Request): boolean {
  return req.method === 'POST' && /^\/api\/v1\/feeds\/[^/]+\/runs\/?$/.test(req.originalUrl.split('?')[0]!);
}

const timestamp = () => z.iso.datetime();

export function registerFeedRoutes(registry: ApiRegistry, services: Services) {
  const Mapping = registry.component(
    'FeedMapping',
    z.object({
      fields: z
        .partialRecord(z.enum(TARGET_FIELDS), z.string())
        .meta({ description: 'For each field, the column of your file (CSV header or JSON key) that holds it. Which fields each kind needs: people need sourceRecordId, givenNames, familyName, dateOfBirth; involvements sourceRecordId, personRecordId, role, startDate; contacts sourceRecordId, personRecordId, startDate; events sourceRecordId, personRecordId, startDate, eventType' }),
      dateFormat: z.enum(DATE_FORMATS).default('YYYY-MM-DD'),
    }),
  );
  const FeedSchema = registry.component(
    'Feed',
    z.object({
      id: z.uuid(),
      organisationId: z.uuid(),
      name: z.string(),
      kind: z.enum(FEED_KINDS),
      format: z.enum(FEED_FORMATS),
      mapping: Mapping,
      createdAt: timestamp(),
    }),
  );
  const Run = registry.component(
    'ImportRun',
    z.object({
      id: z.uuid(),
      feedId: z.uuid(),
      status: z.enum(['running', 'completed', 'failed', 'interrupted']),
      rowsSeen: z.number().int(),
      rowsAccepted: z.number().int().meta({ description: 'Rows that passed validation (new, changed or unchanged)' }),
      rowsUnchanged: z.number().int().meta({ description: 'Accepted rows identical to what was already held: not rewritten' }),
      rowsRejected: z.number().int().meta({ description: 'Rows refused; each problem is in errors.csv' }),
      bytesRead: z.number().int(),
      bytesTotal: z.number().int().nullable(),
      percent: z.number().nullable(),
      checkpointRow: z.number().int().meta({ description: 'The last row whose outcome is committed; an interrupted run resumes after it' }),
      fileSha256: z.string().nullable(),
      startedAt: timestamp(),
      finishedAt: timestamp().nullable(),
      failure: z.string().nullable(),
      links: z.object({ self: z.string(), errors: z.string() }),
    }),
  );
  const feedOut = (f: Feed) => ({ id: f.id, organisationId: f.organisationId, name: f.name, kind: f.kind, format: f.format, mapping: f.mapping, createdAt: f.createdAt.toISOString() });
  const runOut = (r: ImportRun) => ({
    id: r.id,
    feedId: r.feedId,
    status: r.status,
    rowsSeen: r.rowsSeen,
    rowsAccepted: r.rowsAccepted,
    rowsUnchanged: r.rowsUnchanged,
    rowsRejected: r.rowsRejected,
    bytesRead: r.bytesRead,
    bytesTotal: r.bytesTotal,
    percent: r.status === 'completed' ? 100 : r.bytesTotal ? Math.min(100, Math.round((1000 * r.bytesRead) / r.bytesTotal) / 10) : null,
    checkpointRow: r.checkpointRow,
    fileSha256: r.fileSha256,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    failure: r.failure,
    links: { self: `/api/v1/feeds/${r.feedId}/runs/${r.id}`, errors: `/api/v1/feeds/${r.feedId}/runs/${r.id}/errors.csv` },
  });
  const feedParams = z.object({ id: z.uuid('The feed id must be a UUID') });
  const runParams = z.object({ id: z.uuid('The feed id must be a UUID'), runId: z.uuid('The run id must be a UUID') });

  registry.add({
    method: 'get',
    path: '/api/v1/feeds',
    operationId: 'listFeeds',
    summary: "Your organisation's feeds",
    tags: ['Feeds'],
    secured: true,
    responses: { 200: { description: 'The feeds', schema: z.object({ feeds: z.array(FeedSchema) }) }, 403: { description: 'Not allowed', schema: ErrorSchema } },
    handler: async ({ req }) => ({ feeds: (await services.feeds.list(req.principal!)).map(feedOut) }),
  });

  registry.add({
    method: 'post',
    path: '/api/v1/feeds',
    operationId: 'createFeed',
    summary: 'Create a feed with its column mapping',
    tags: ['Feeds'],
    secured: true,
    request: {
      body: z.object({ name: z.string(), kind: z.enum(FEED_KINDS), format: z.enum(FEED_FORMATS), mapping: Mapping }),
    },
    responses: { 201: { description: 'The feed', schema: FeedSchema }, 403: { description: 'Not allowed', schema: ErrorSchema } },
    handler: async ({ req, body }) => feedOut(await services.feeds.create(req.principal!, body, undefined, auditContext(req))),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/feeds/:id',
    operationId: 'getFeed',
    summary: 'One feed and its recent runs',
    tags: ['Feeds'],
    secured: true,
    request: { params: feedParams },
    responses: { 200: { description: 'The feed', schema: FeedSchema.extend({ runs: z.array(Run) }) }, 404: { description: 'No such feed', schema: ErrorSchema } },
    handler: async ({ req, params }) => {
      const feed = await services.feeds.get(req.principal!, params.id, auditContext(req));
      return { ...feedOut(feed), runs: (await services.feeds.runs(req.principal!, feed.id)).map(runOut) };
    },
  });

  registry.add({
    method: 'post',
    path: '/api/v1/feeds/:id/runs',
    operationId: 'importFeedFile',
    summary: 'Send a file through a feed',
    description:
      'The request body is the file itself, streamed: `text/csv` for a CSV feed; `application/json` (an array of objects) or `application/x-ndjson` for a JSON feed. ' +
      'Every row is validated; good rows are kept, refused rows are listed with row, column and reason (errors.csv). Rows are committed in batches with a checkpoint: ' +
      'send the header `X-Content-SHA256` (the hex SHA-256 of the file) and a run of the same file that was interrupted is resumed after its last committed row. ' +
      'Sending the same file again changes nothing (records are keyed by your record id). Answers when the file has been read, with the counts.',
    tags: ['Feeds'],
    secured: true,
    request: { params: feedParams },
    responses: {
      201: { description: 'The run, with its counts (status completed, or failed/interrupted with the reason)', schema: Run },
      403: { description: 'Not allowed', schema: ErrorSchema },
      415: { description: 'The content type does not match the feed format', schema: ErrorSchema },
    },
    handler: async ({ req, res, params }) => {
      const context = auditContext(req);
      const feed = await services.feeds.get(req.principal!, params.id, context);
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!UPLOAD_TYPES[feed.format].includes(type)) {
        throw new UnsupportedMediaTypeError(`This feed takes ${feed.format.toUpperCase()}: send the file as ${UPLOAD_TYPES[feed.format].slice(0, 2).join(' or ')}, not ${type || 'no content type'}`);
      }
      const length = Number(req.get('content-length'));
      const result: ImportResult = await services.feeds.import(req.principal!, feed, req, {
        bytesTotal: Number.isFinite(length) && length > 0 ? length : null,
        fileSha256: req.get('x-content-sha256') ?? null,
        context,
      });
      const run = (await services.feeds.run(req.principal!, feed.id, result.runId))!;
      res.status(201).location(`/api/v1/feeds/${feed.id}/runs/${run.id}`).json(runOut(run));
    },
  });

  registry.add({
    method: 'get',
    path: '/api/v1/feeds/:id/runs/:runId',
    operationId: 'getImportRun',
    summary: "A run's progress and counts",
    tags: ['Feeds'],
    secured: true,
    request: { params: runParams },
    responses: { 200: { description: 'The run', schema: Run }, 404: { description: 'No such run', schema: ErrorSchema } },
    handler: async ({ req, params }) => runOut(await services.feeds.run(req.principal!, params.id, params.runId, auditContext(req))),
  });

  registry.add({
    method: 'get',
    path: '/api/v1/feeds/:id/runs/:runId/errors.csv',
    operationId: 'getImportErrors',
    summary: "A run's refused rows as CSV: row, column, value, reason",
    tags: ['Feeds'],
    secured: true,
    request: { params: runParams },
    responses: { 200: { description: 'text/csv: one line per problem (a row may have several)' }, 404: { description: 'No such run', schema: ErrorSchema } },
    handler: async ({ req, res, params }) => {
      await streamErrorsCsv(services, req, res, params.id, params.runId);
    },
  });
}

/** Streams a run's errors.csv (shared by the API and the web page). */
export async function streamErrorsCsv(services: Services, req: Request, res: Response, feedId: string, runId: string): Promise<void> {
  const lines = services.feeds.errorsCsv(req.principal!, feedId, runId, auditContext(req));
  const first = await lines.next(); // checks access before any header is sent
  res.status(200).type('text/csv; charset=utf-8').attachment(`import-${runId}-errors.csv`);
  if (!first.done) res.write(first.value);
  for await (const chunk of lines) {
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}
