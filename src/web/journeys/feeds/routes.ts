import { Router, type Response } from 'express';
import { DATE_FORMATS, FEED_KINDS, FIELD_LABELS, KIND_FIELDS, TARGET_FIELDS, type FeedKind } from '../../../feeds/mapping.ts';
import { BirthsFeedService, weekOf, weekSchema } from '../../../feeds/births.ts';
import type { Services } from '../../../services/index.ts';
import type { ImportRun } from '../../../repositories/feed-repository.ts';
import { ValidationError } from '../../../services/principal.ts';
import { streamErrorsCsv, UPLOAD_TYPES } from '../../api/feeds.ts';
import { escapeHtml, field, formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND_LABELS: Record<FeedKind, string> = { people: 'People', involvements: 'Involvements', contacts: 'Contacts', events: 'Events' };
const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  running: { text: 'Running', classes: 'govuk-tag--blue' },
  completed: { text: 'Completed', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
  interrupted: { text: 'Interrupted', classes: 'govuk-tag--orange' },
};
const FORM_ORDER = ['name', 'kind', 'format', 'dateFormat', ...TARGET_FIELDS.map((f) => `mapping.fields.${f}`)];

/** A run's state for the page and for its poller (public/feed-progress.js). */
export function runView(r: ImportRun) {
  const percent = r.status === 'completed' ? 100 : r.bytesTotal ? Math.min(100, Math.round((1000 * r.bytesRead) / r.bytesTotal) / 10) : null;
  const n = (x: number) => x.toLocaleString('en-GB');
  const text =
    `${r.status === 'running' ? 'Importing' : STATUS_TAGS[r.status]!.text}: ${n(r.rowsSeen)} rows read` +
    (percent === null ? '' : ` (${percent}% of the file)`) +
    `, ${n(r.rowsAccepted)} accepted, ${n(r.rowsRejected)} refused.`;
  return { id: r.id, status: r.status, tag: STATUS_TAGS[r.status], percent, text, rowsSeen: r.rowsSeen, rowsAccepted: r.rowsAccepted, rowsUnchanged: r.rowsUnchanged, rowsRejected: r.rowsRejected, startedAt: r.startedAt, finishedAt: r.finishedAt, failure: r.failure, startedBy: r.startedBy };
}

/** The data feeds pages: an organisation's feeds, creating one with its mapping, uploading a file and watching its run. */
export function feedRoutes(services: Services): Router {
  const router = Router();
  const { feeds } = services;
  const fieldRows = TARGET_FIELDS.map((f) => ({
    name: f,
    label: FIELD_LABELS[f],
    kinds: FEED_KINDS.filter((k) => KIND_FIELDS[k].required.includes(f) || KIND_FIELDS[k].optional.includes(f)),
    requiredFor: FEED_KINDS.filter((k) => KIND_FIELDS[k].required.includes(f)),
  }));
  const labels = { kinds: KIND_LABELS, dateFormats: DATE_FORMATS, fieldRows };

  router.use('/feeds', requireSignedIn);
  router.param('id', (_req, res, next, id: string) => (UUID.test(id) ? next() : res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' })));
  router.param('runId', (_req, res, next, id: string) => (UUID.test(id) ? next() : res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' })));

  router.get('/feeds', async (req, res) => {
    const list = await feeds.list(req.principal!);
    res.render('feeds/list.njk', { pageTitle: 'Data feeds', feeds: list, kinds: KIND_LABELS });
  });

  const renderNew = (res: Response, values: Record<string, string>, status = 200, errors: object = {}) =>
    res.status(status).render('feeds/new.njk', { pageTitle: 'Create a data feed', values, ...labels, ...errors });

  // The weekly list of new births for the signed-in practitioner's children's centre (src/feeds/births.ts).
  router.get('/feeds/births.csv', async (req, res) => {
    const q = weekSchema.safeParse(req.query);
    if (!q.success) throw new ValidationError({ from: q.error.issues[0]!.message });
    const week = weekOf(new Date(), q.data.from);
    const list = await services.births.list(req.principal!, req.principal!.organisationId, week, auditContext(req));
    res.type('text/csv; charset=utf-8').attachment(`new-births-${week.from}.csv`).send(BirthsFeedService.csv(list));
  });

  router.get('/feeds/new', async (req, res) => {
    await feeds.list(req.principal!); // the same rule as creating: refused here rather than after the form is filled in
    renderNew(res, { format: 'csv', dateFormat: 'YYYY-MM-DD' });
  });

  router.post('/feeds/new', async (req, res) => {
    const values: Record<string, string> = {};
    for (const k of ['name', 'kind', 'format', 'dateFormat', ...TARGET_FIELDS]) values[k] = field(req.body, k).trim();
    const kind = values.kind as FeedKind;
    const mappingFields: Record<string, string> = {};
    if ((FEED_KINDS as readonly string[]).includes(kind)) {
      for (const f of [...KIND_FIELDS[kind].required, ...KIND_FIELDS[kind].optional]) if (values[f]) mappingFields[f] = values[f]!;
    }
    try {
      const feed = await feeds.create(req.principal!, { name: values.name, kind: values.kind, format: values.format, mapping: { fields: mappingFields, dateFormat: values.dateFormat || 'YYYY-MM-DD' } }, undefined, auditContext(req));
      req.session.flash = `Feed “${escapeHtml(feed.name)}” created. You can now upload a file.`;
      res.redirect(303, `/feeds/${feed.id}`);
    } catch (err) {
      if (!isValidationError(err)) throw err;
      // A field's error is shown next to its input (ids are the field names).
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(err.fields)) fields[k.replace(/^mapping\.fields\./, '').replace(/^mapping\./, '')] = v;
      renderNew(res, values, 400, formErrors(new ValidationError(fields), FORM_ORDER.map((k) => k.replace(/^mapping\.fields\./, ''))));
    }
  });

  router.get('/feeds/:id', async (req, res) => {
    const feed = await feeds.get(req.principal!, String(req.params.id), auditContext(req));
    const runs = await feeds.runs(req.principal!, feed.id);
    res.render('feeds/feed.njk', {
      pageTitle: feed.name,
      feed,
      kindLabel: KIND_LABELS[feed.kind],
      mappingRows: Object.entries(feed.mapping.fields).map(([f, column]) => ({ label: FIELD_LABELS[f as keyof typeof FIELD_LABELS], column })),
      runs: runs.map(runView),
      accept: feed.format === 'csv' ? '.csv,text/csv' : '.json,.ndjson,.jsonl,application/json,application/x-ndjson',
    });
  });

  router.post('/feeds/:id/upload', async (req, res) => {
    const feed = await feeds.get(req.principal!, String(req.params.id), auditContext(req));
    const upload = req.feedUpload;
    if (!upload || upload.filename === '') {
      const runs = await feeds.runs(req.principal!, feed.id);
      const errors = formErrors(new ValidationError({ file: 'Choose a file to upload' }), ['file']);
      return res.status(400).render('feeds/feed.njk', { pageTitle: feed.name, feed, kindLabel: KIND_LABELS[feed.kind], mappingRows: [], runs: runs.map(runView), ...errors });
    }
    const type = upload.contentType.toLowerCase();
    const looksRight = feed.format === 'csv' ? /\.csv$/i.test(upload.filename) || UPLOAD_TYPES.csv.includes(type) : /\.(json|ndjson|jsonl)$/i.test(upload.filename) || UPLOAD_TYPES.json.includes(type);
    if (!looksRight) {
      const runs = await feeds.runs(req.principal!, feed.id);
      const errors = formErrors(new ValidationError({ file: `This feed takes ${feed.format.toUpperCase()} files: the file must end .${feed.format}` }), ['file']);
      return res.status(400).render('feeds/feed.njk', { pageTitle: feed.name, feed, kindLabel: KIND_LABELS[feed.kind], mappingRows: [], runs: runs.map(runView), ...errors });
    }
    const length = Number(req.get('content-length'));
    const result = await feeds.import(req.principal!, feed, upload.body, { bytesTotal: Number.isFinite(length) && length > 0 ? length : null, context: auditContext(req) });
    res.redirect(303, `/feeds/${feed.id}/runs/${result.runId}`);
  });

  router.get('/feeds/:id/runs/:runId', async (req, res) => {
    const feed = await feeds.get(req.principal!, String(req.params.id), auditContext(req));
    const run = await feeds.run(req.principal!, feed.id, String(req.params.runId));
    res.render('feeds/run.njk', { pageTitle: `Import into ${feed.name}`, feed, run: runView(run) });
  });

  router.get('/feeds/:id/runs/:runId/progress.json', async (req, res) => {
    const run = await feeds.run(req.principal!, String(req.params.id), String(req.params.runId));
    res.json(runView(run));
  });

  router.get('/feeds/:id/runs/:runId/errors.csv', async (req, res) => {
    await streamErrorsCsv(services, req, res, String(req.params.id), String(req.params.runId));
  });

  return router;
}
