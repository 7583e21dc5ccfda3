import { Router, type Request, type Response } from 'express';
import { DAY_CODES, DAY_NAMES, ROW_PART_NAMES, rowLines, type RowPart } from '../../../directory/edit-rows.ts';
import { formatDistance } from '../../../directory/postcode.ts';
import { TABLES } from '../../../directory/tabular.ts';
import { mayAdministerDirectory, mayEditService, mayRefer } from '../../../policy/directory.ts';
import { requesterOf } from '../../../policy/policy-gate.ts';
import type { Services } from '../../../services/index.ts';
import { ForbiddenError, NotFoundError, ValidationError, type Principal } from '../../../services/principal.ts';
import { formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { formatDate } from '../people/format.ts';
import {
  API_TO_FORM,
  csvFilesFrom,
  DISTANCES,
  EDIT_FIELDS,
  editErrorFields,
  editFieldOrder,
  editValuesFrom,
  REFER_FIELDS,
  referValuesFrom,
  SEARCH_FIELDS,
  searchFormFrom,
  searchInputFrom,
} from './validation.ts';

const FIELD_LABELS: Record<string, string> = {
  name: 'Name', description: 'What it does', status: 'Is it running?', termIds: 'Kinds of help', minimumAge: 'Youngest age', maximumAge: 'Oldest age', eligibility: 'Who it is for',
  fees: 'Cost (in a few words)', referralProcedure: 'How to get help or refer', takesReferrals: 'Referrals through Team Around', url: 'Website', email: 'Email', phone: 'Telephone',
  locationName: 'Name of the place', address1: 'Address line 1', city: 'Town', postcode: 'Postcode',
};
const PART_HEADINGS: Record<RowPart, string> = {
  contacts: 'Contacts for practitioners', schedules: 'Opening times', costs: 'Costs', languages: 'Languages', areas: 'Areas served', accessibility: 'Accessibility of the place', places: 'Other places',
};

/** The export's files (what `exportTables` writes, in its order): listed without reading the directory. */
const EXPORT_FILES: readonly string[] = TABLES.map((t) => t.files[0]!);

export const DIRECTORY_UPLOAD_PATHS = [/^\/directory\/admin\/import$/, /^\/directory\/admin\/postcodes$/];

const STATUS_WORDS: Record<string, string> = { active: 'Running', inactive: 'Not running at the moment', defunct: 'Closed', 'temporarily closed': 'Closed for now' };
const DAYS: Record<string, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

/** Plain words for the pages. */
const fmt = {
  date: formatDate,
  distance: (m: number | undefined) => (m === undefined ? '' : formatDistance(m)),
  status: (s: string) => STATUS_WORDS[s] ?? s,
  ages: (min: number | null, max: number | null) =>
    min === null && max === null ? 'Any age' : min !== null && max !== null ? `Ages ${min} to ${max}` : min !== null ? `Age ${min} and over` : `Up to age ${max}`,
  money: (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2)),
  days: (byday: string | null) => (byday ?? '').split(',').map((d) => DAYS[d.trim()] ?? d).join(', '),
};

const isAdmin = (p: Principal | undefined) => Boolean(p && mayAdministerDirectory(requesterOf(p)).allow);

/**
 * The service directory's pages. Search and service pages are public (no sign-in), in plain
 * words, and work without JavaScript; a signed-in practitioner also sees eligibility and how to
 * refer, and can refer someone to a provider that takes referrals in Team Around. Providers'
 * staff propose changes; an administrator approves them, imports data and postcode centroids, and
 * sees the report of out-of-date services.
 */
export function directoryRoutes(services: Services): Router {
  const router = Router();
  const dir = services.directory;

  async function categories() {
    return (await dir.repository.terms()).map((t) => ({ value: t.id, text: t.name }));
  }

  // ---------- public ----------

  router.get('/directory', async (req: Request, res: Response) => {
    const form = searchFormFrom(req.query as Record<string, unknown>);
    const searched = Object.keys(req.query).length > 0;
    let result = null;
    let errors = {};
    if (searched) {
      try {
        result = await dir.search(searchInputFrom(form));
      } catch (err) {
        if (!isValidationError(err)) throw err;
        const fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [API_TO_FORM[k] ?? k, v]));
        errors = formErrors(new ValidationError(fields), SEARCH_FIELDS);
      }
    }
    const pages = result ? Math.max(1, Math.ceil(result.total / result.size)) : 0;
    const link = (page: number) => `/directory?${new URLSearchParams({ ...form, page: String(page) }).toString()}`;
    res.render('directory/search.njk', {
      pageTitle: searched ? 'Search results: find help and services' : 'Find help and services near you',
      form,
      result,
      pages,
      previous: result && result.page > 1 ? link(result.page - 1) : null,
      next: result && result.page < pages ? link(result.page + 1) : null,
      distances: DISTANCES.map((d) => ({ value: d.miles, text: `${d.miles} ${d.miles === '1' ? 'mile' : 'miles'}`, selected: d.miles === form.distance })),
      categories: [{ value: '', text: 'Any kind of help' }, ...(await categories()).map((c) => ({ ...c, selected: c.value === form.category }))],
      fmt,
      ...errors,
    });
  });

  router.get('/directory/services/:id', async (req: Request, res: Response) => {
    const p = req.principal;
    const full = p ? await dir.serviceForEditor(p, String(req.params.id)) : await dir.publishedService(String(req.params.id));
    const s = full.service;
    res.render('directory/service.njk', {
      pageTitle: s.name,
      full,
      s,
      practitioner: Boolean(p),
      canRefer: Boolean(p && mayRefer(requesterOf(p), s).allow),
      referBlocked: p ? mayRefer(requesterOf(p), s).reason : null,
      canEdit: Boolean(p && mayEditService(requesterOf(p), s).allow),
      fmt,
    });
  });

  /** The published directory in the ORUK tabular form, one CSV per table. */
  router.get('/directory/export/:file', async (req: Request, res: Response) => {
    const name = String(req.params.file);
    if (!EXPORT_FILES.includes(name)) throw new NotFoundError('No such file: the export has ' + EXPORT_FILES.join(', '));
    const text = (await dir.exportTables({ contacts: isAdmin(req.principal) ? 'full' : 'public' })).get(name)!;
    res.type('text/csv').attachment(name).send(text);
  });

  router.get('/directory/export', async (req: Request, res: Response) => {
    res.render('directory/export.njk', { pageTitle: 'Download the directory', files: EXPORT_FILES, full: isAdmin(req.principal) });
  });

  // ---------- practitioners: refer ----------

  router.use('/directory/referrals', requireSignedIn);
  router.use('/directory/manage', requireSignedIn);
  router.use('/directory/admin', requireSignedIn);
  router.use(/^\/directory\/services\/[^/]+\/refer$/, requireSignedIn);

  async function renderRefer(req: Request, res: Response, values: Record<string, unknown>, errors: object = {}, status = 200) {
    const p = req.principal!;
    const full = await dir.publishedService(String(req.params.id));
    const may = mayRefer(requesterOf(p), full.service);
    if (!may.allow) {
      await services.audit.record({ actor: { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles }, action: 'directory.referral.create', outcome: 'denied', subjectType: 'directory-service', subjectId: full.service.id, reason: may.reason, context: auditContext(req) });
      res.status(403).render('errors/forbidden.njk', { pageTitle: 'You cannot refer to this service', message: may.reason.replace(/\.$/, '') });
      return;
    }
    const people = await dir.referCandidates(p, auditContext(req));
    res.status(status).render('directory/refer.njk', { pageTitle: `Refer someone to ${full.service.name}`, s: full.service, people, values, ...errors });
  }

  router.get('/directory/services/:id/refer', async (req: Request, res: Response) => {
    await renderRefer(req, res, { categories: ['identity', 'contacts'], capacityAssessment: 'presumed' });
  });

  router.post('/directory/services/:id/refer', async (req: Request, res: Response) => {
    const values = referValuesFrom(req.body);
    try {
      const r = await dir.refer(req.principal!, String(req.params.id), values, auditContext(req));
      req.session.flash =
        r.outcome === 'referred'
          ? '<strong>Referral sent.</strong> The provider has been told. The family\'s agreement is recorded with their consent records.'
          : '<strong>No referral was made.</strong> The family did not agree. Their refusal is recorded, and nothing was sent.';
      res.redirect(r.outcome === 'referred' ? '/directory/referrals' : `/directory/services/${String(req.params.id)}`);
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderRefer(req, res, values, formErrors(err, REFER_FIELDS), 400);
    }
  });

  router.get('/directory/referrals', async (req: Request, res: Response) => {
    const { sent, received } = await dir.referrals(req.principal!);
    res.render('directory/referrals.njk', { pageTitle: 'Service referrals', sent, received, fmt });
  });

  router.get('/directory/referrals/:subjectId/:id', async (req: Request, res: Response) => {
    const r = await dir.referral(req.principal!, String(req.params.subjectId), String(req.params.id), auditContext(req));
    res.render('directory/referral.njk', { pageTitle: `Referral to ${r.referral.serviceName}`, r, fmt });
  });

  // ---------- providers: their services and changes ----------

  router.get('/directory/manage', async (req: Request, res: Response) => {
    const p = req.principal!;
    const [mine, pending] = await Promise.all([dir.editable(p), dir.edits(p, 'pending')]);
    res.render('directory/manage.njk', { pageTitle: 'Your directory entries', mine, pending, admin: isAdmin(p), settings: await dir.settings(), fmt });
  });

  async function renderEdit(req: Request, res: Response, serviceId: string | null, values: Record<string, unknown>, errors: object = {}, status = 200) {
    for (const part of ROW_PART_NAMES) values[part] ??= [];
    const terms = await categories();
    const s = serviceId ? (await dir.serviceForEditor(req.principal!, serviceId)).service : null;
    const pending = serviceId ? (await dir.repository.edits({ serviceId, status: 'pending' }))[0] : undefined;
    res.status(status).render('directory/edit.njk', {
      pageTitle: s ? `Change ${s.name}` : 'Add a service to the directory',
      s,
      pending,
      values,
      terms: terms.map((t) => ({ ...t, checked: ((values.termIds as string[]) ?? []).includes(t.value) })),
      statuses: Object.entries(STATUS_WORDS).map(([value, text]) => ({ value, text, selected: values.status === value })),
      dayItems: (chosen: unknown) => DAY_CODES.map((d) => ({ value: d, text: DAY_NAMES[d], checked: Array.isArray(chosen) && chosen.includes(d) })),
      ...errors,
    });
  }

  /** A POST of the edit form: an add or remove button shows the form again; otherwise the change is sent. */
  async function postEdit(req: Request, res: Response, serviceId: string | null) {
    const { values, action } = editValuesFrom(req.body);
    if (action) {
      await renderEdit(req, res, serviceId, values);
      return;
    }
    try {
      if (serviceId) {
        await dir.proposeEdit(req.principal!, serviceId, values, auditContext(req));
        req.session.flash = '<strong>Change sent for approval.</strong> The published entry stays as it is until an administrator approves the change.';
      } else {
        await dir.proposeNew(req.principal!, values, auditContext(req));
        req.session.flash = '<strong>Sent for approval.</strong> An administrator will check the new entry before it is published.';
      }
      res.redirect('/directory/manage');
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderEdit(req, res, serviceId, values, formErrors(new ValidationError(editErrorFields(err.fields)), editFieldOrder(values)), 400);
    }
  }

  router.get('/directory/manage/services/new', async (req: Request, res: Response) => {
    await renderEdit(req, res, null, { status: 'active', termIds: [] });
  });

  router.post('/directory/manage/services/new', async (req: Request, res: Response) => {
    await postEdit(req, res, null);
  });

  router.get('/directory/manage/services/:id', async (req: Request, res: Response) => {
    const s = await dir.repository.service(String(req.params.id));
    if (!s) throw new NotFoundError('No such service');
    await dir.assertMayEdit(req.principal!, s, auditContext(req));
    await renderEdit(req, res, s.id, (await dir.editValues(s.id)) as Record<string, unknown>);
  });

  router.post('/directory/manage/services/:id', async (req: Request, res: Response) => {
    const s = await dir.repository.service(String(req.params.id));
    if (!s) throw new NotFoundError('No such service');
    // Refused (and audited) before anything else, adding or removing a row included.
    await dir.assertMayEdit(req.principal!, s, auditContext(req));
    await postEdit(req, res, s.id);
  });

  router.post('/directory/manage/services/:id/checked', async (req: Request, res: Response) => {
    await dir.confirmChecked(req.principal!, String(req.params.id), auditContext(req));
    req.session.flash = '<strong>Thank you.</strong> The entry is marked as checked today.';
    res.redirect('/directory/manage');
  });

  // ---------- administrators ----------

  const requireAdmin = async (req: Request, action: string) => {
    const p = req.principal!;
    const d = mayAdministerDirectory(requesterOf(p));
    if (!d.allow) {
      await services.audit.record({ actor: { userId: p.userId, label: p.email, organisationId: p.organisationId, roles: p.roles }, action: `directory.${action}`, outcome: 'denied', subjectType: 'directory', reason: d.reason, context: auditContext(req) });
      throw new ForbiddenError(d.reason);
    }
  };

  router.get('/directory/admin/edits/:id', async (req: Request, res: Response) => {
    await requireAdmin(req, 'edit.read');
    await renderDecision(req, res);
  });

  async function renderDecision(req: Request, res: Response, errors: object = {}, status = 200) {
    const e = await dir.edit(req.principal!, String(req.params.id));
    const current = e.servicePublished ? await dir.editValues(e.serviceId) : null;
    const terms = new Map((await categories()).map((t) => [t.value, t.text]));
    const label = (k: string, v: unknown) => (k === 'termIds' ? ((v as string[]) ?? []).map((t) => terms.get(t) ?? t).join(', ') : k === 'takesReferrals' ? (v ? 'Yes' : 'No') : v === undefined || v === null ? '' : String(v));
    const rows = EDIT_FIELDS.map((k) => ({ field: FIELD_LABELS[k] ?? k, now: current ? label(k, (current as Record<string, unknown>)[k]) : '', proposed: label(k, e.proposed[k]) }));
    // The repeatable parts: each row as a line, published now and proposed (a part the change leaves out stays as it is).
    const parts = ROW_PART_NAMES.map((k) => {
      const now = current ? rowLines(k, (current as Record<string, unknown>)[k] as Array<Record<string, unknown>>) : [];
      const given = e.proposed[k] !== undefined;
      const proposed = given ? rowLines(k, e.proposed[k] as Array<Record<string, unknown>>) : now;
      const added = proposed.filter((x) => !now.includes(x));
      const removed = now.filter((x) => !proposed.includes(x));
      return { key: k, heading: PART_HEADINGS[k], now, proposed, added, removed, given, changed: added.length + removed.length > 0 };
    });
    const changed = rows.filter((r) => r.now !== r.proposed);
    res.status(status).render('directory/decision.njk', { pageTitle: `Change to ${e.serviceName}`, e, rows, changed, parts, changedParts: parts.filter((x) => x.changed), ownChange: e.submittedBy === req.principal!.userId, ...errors });
  }

  router.post('/directory/admin/edits/:id/approve', async (req: Request, res: Response) => {
    try {
      await dir.approve(req.principal!, String(req.params.id), { note: req.body?.note }, auditContext(req));
      req.session.flash = '<strong>Change approved.</strong> The entry is published as changed.';
      res.redirect('/directory/manage');
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await renderDecision(req, res, formErrors(err, ['note']), 400);
    }
  });

  router.post('/directory/admin/edits/:id/reject', async (req: Request, res: Response) => {
    try {
      await dir.reject(req.principal!, String(req.params.id), { note: req.body?.rejectNote }, auditContext(req));
      req.session.flash = '<strong>Change not approved.</strong> The published entry is unchanged.';
      res.redirect('/directory/manage');
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const fe = formErrors(new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === 'note' ? 'rejectNote' : k, v]))), ['rejectNote']);
      await renderDecision(req, res, fe, 400);
    }
  });

  router.get('/directory/admin/stale', async (req: Request, res: Response) => {
    await requireAdmin(req, 'stale.read');
    const report = await dir.staleReport();
    res.render('directory/stale.njk', { pageTitle: 'Out-of-date directory entries', report, values: report.settings, fmt });
  });

  router.post('/directory/admin/stale', async (req: Request, res: Response) => {
    const values = { staleAfterDays: req.body?.staleAfterDays, remindBeforeDays: req.body?.remindBeforeDays };
    try {
      await dir.setSettings(req.principal!, values, auditContext(req));
      req.session.flash = '<strong>Saved.</strong> The age at which entries are out of date is saved.';
      res.redirect('/directory/admin/stale');
    } catch (err) {
      if (!isValidationError(err)) throw err;
      const report = await dir.staleReport();
      res.status(400).render('directory/stale.njk', { pageTitle: 'Out-of-date directory entries', report, values, fmt, ...formErrors(err, ['staleAfterDays', 'remindBeforeDays']) });
    }
  });

  router.get('/directory/admin/import', async (req: Request, res: Response) => {
    await requireAdmin(req, 'import');
    res.render('directory/import.njk', { pageTitle: 'Import directory data', organisations: await orgOptions(req.principal!.organisationId) });
  });

  async function orgOptions(selected: string) {
    return (await services.repositories.organisations.list()).map((o) => ({ value: o.id, text: o.name, selected: o.id === selected }));
  }

  router.post('/directory/admin/import', async (req: Request, res: Response) => {
    await requireAdmin(req, 'import');
    const { files, problems } = csvFilesFrom(req.uploads);
    const owner = typeof req.body?.owner === 'string' ? req.body.owner : '';
    try {
      if (problems.length) throw new ValidationError({ files: problems.join('; ') });
      const result = await dir.importTables({ principal: req.principal! }, files, owner, auditContext(req));
      res.render('directory/import.njk', { pageTitle: 'Import directory data', organisations: await orgOptions(owner), result });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('directory/import.njk', { pageTitle: 'Import directory data', organisations: await orgOptions(owner), ...formErrors(err, ['owner', 'files']) });
    }
  });

  router.get('/directory/admin/postcodes', async (req: Request, res: Response) => {
    await requireAdmin(req, 'postcodes.import');
    res.render('directory/postcodes.njk', { pageTitle: 'Import postcode centroids', count: await dir.centroidCount() });
  });

  router.post('/directory/admin/postcodes', async (req: Request, res: Response) => {
    await requireAdmin(req, 'postcodes.import');
    const file = (req.uploads ?? []).find((u) => u.field === 'file' && u.filename);
    try {
      if (!file) throw new ValidationError({ file: 'Choose a CSV file in the ONS Postcode Directory layout' });
      if (file.truncated) throw new ValidationError({ file: 'The file is too large: upload 20 MB or less at a time, or use the command line' });
      const result = await dir.importCentroids({ principal: req.principal! }, file.data.toString('utf8'), file.filename, auditContext(req));
      res.render('directory/postcodes.njk', { pageTitle: 'Import postcode centroids', count: await dir.centroidCount(), result });
    } catch (err) {
      if (!isValidationError(err)) throw err;
      res.status(400).render('directory/postcodes.njk', { pageTitle: 'Import postcode centroids', count: await dir.centroidCount(), ...formErrors(err, ['file']) });
    }
  });

  return router;
}
