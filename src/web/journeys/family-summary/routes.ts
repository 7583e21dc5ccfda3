import { Router, type Request, type Response } from 'express';
import { PURPOSE_PROFILES, SUMMARY_PURPOSES } from '../../../policy/family-summary.ts';
import { CASE_CATEGORIES } from '../../../policy/access-policy.ts';
import { WINDOW_CHOICES } from '../../../family-summary/window.ts';
import { familyTreeInput } from '../../../family-summary/tree.ts';
import type { FamilySummary, SummaryTarget } from '../../../services/family-summary-service.ts';
import type { Services } from '../../../services/index.ts';
import { ValidationError } from '../../../services/principal.ts';
import { bornText, formatDate, formatDob } from '../people/format.ts';
import { renderFamilyTree } from '../../family-tree.ts';
import { formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { categoryLabel, dateTimeText, periodText } from './format.ts';
import { summaryPdf } from './pdf.ts';
import { renderTimeline } from './timeline.ts';
import { isUuid, keptQuery, markFormSchema } from './validation.ts';

const WINDOW_LABELS: Record<string, string> = { '1': 'The last year', '2': 'The last 2 years', '5': 'The last 5 years', '10': 'The last 10 years', all: 'All records' };

const fmt = { date: formatDate, dob: formatDob, period: periodText, category: categoryLabel, dateTime: dateTimeText };

function targetOf(req: Request): { target: SummaryTarget; base: string } | null {
  const id = String(req.params.id);
  if (!isUuid(id)) return null;
  return req.params.kind === 'households'
    ? { target: { kind: 'household', householdId: id }, base: urls.familySummary.householdBase(id) }
    : { target: { kind: 'person', subjectId: id }, base: urls.familySummary.personBase(id) };
}

/** The family tree of the summary's members (only those shown), with its text alternative. */
export function summaryTree(s: FamilySummary) {
  const input = familyTreeInput(s.members, s.relations, s.households, (m) => bornText(m.dateOfBirth, m.dobPrecision));
  if (input.people.length === 0) return null;
  const focus = s.members.find((m) => m.subjectId === s.focusId);
  return renderFamilyTree({ ...input, subjectId: s.focusId, title: `Family tree of ${focus?.name ?? 'the family'}` });
}

const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Family summary pages: the summary, its chronology (timeline and table), the family tree, marks and analysis, and the printable PDF. */
export function familySummaryRoutes(services: Services): Router {
  const router = Router();
  router.use('/family-summary', requireSignedIn);

  const withTarget = (handler: (req: Request, res: Response, t: { target: SummaryTarget; base: string }) => Promise<void>) => async (req: Request, res: Response) => {
    if (req.params.kind !== 'people' && req.params.kind !== 'households') return notFound(res);
    const t = targetOf(req);
    if (!t) return notFound(res);
    await handler(req, res, t);
  };
  const notFound = (res: Response) => void res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });

  /** Without a reason, or with a bad one: the form asking what the summary is for and why. */
  const renderStart = (res: Response, base: string, query: Record<string, unknown>, status: number, errors: object) =>
    res.status(status).render('family-summary/start.njk', {
      pageTitle: 'Family summary: what is it for?',
      base,
      values: { purpose: query.purpose ?? 'work-with-family', reason: query.reason ?? '', window: query.window ?? '5' },
      purposes: SUMMARY_PURPOSES.map((p) => ({ value: p, text: PURPOSE_PROFILES[p].label })),
      windows: WINDOW_CHOICES.map((w) => ({ value: w, text: WINDOW_LABELS[w] })),
      ...errors,
    });

  const load = async (req: Request, res: Response, base: string, fn: () => Promise<void>) => {
    const q = req.query as Record<string, unknown>;
    if (!q.reason && !q.go) return renderStart(res, base, q, 200, {});
    try {
      await fn();
    } catch (err) {
      if (isValidationError(err)) return renderStart(res, base, q, 400, formErrors(err, ['purpose', 'reason', 'window']));
      throw err;
    }
  };

  router.get(
    '/family-summary/:kind/:id',
    withTarget(async (req, res, { target, base }) =>
      load(req, res, base, async () => {
        const s = await services.summaries.summary(req.principal!, target, req.query, auditContext(req));
        const kept = keptQuery(req.query as Record<string, unknown>);
        const shownOf = Object.fromEntries(s.members.map((m) => [m.subjectId, m.access ? [...m.access.categories.keys()].map(categoryLabel) : []]));
        res.render('family-summary/summary.njk', { pageTitle: `Family summary: ${focusName(s)}`, s, tree: summaryTree(s), kept, base, fmt, focusName: focusName(s), shownOf });
      }),
    ),
  );

  router.get(
    '/family-summary/:kind/:id/tree',
    withTarget(async (req, res, { target, base }) =>
      load(req, res, base, async () => {
        const s = await services.summaries.summary(req.principal!, target, req.query, auditContext(req), 'family-summary.tree.read');
        res.render('family-summary/tree.njk', { pageTitle: `Family tree: ${focusName(s)}`, s, tree: summaryTree(s), kept: keptQuery(req.query as Record<string, unknown>), base, fmt, focusName: focusName(s) });
      }),
    ),
  );

  const renderChronology = async (req: Request, res: Response, target: SummaryTarget, base: string, status = 200, errors: object = {}, formValues: object = {}) => {
    const { summary: s, filter, entries } = await services.summaries.chronology(req.principal!, target, req.query as Record<string, unknown>, auditContext(req));
    const kept = keptQuery(req.query as Record<string, unknown>);
    const agencies = [...new Map(s.chronology.map((e) => [e.organisationId, e.organisationName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
    const categories = CASE_CATEGORIES.filter((c) => s.chronology.some((e) => e.category === c));
    const timeline = renderTimeline({
      entries,
      lanes: s.members.map((m) => ({ subjectId: m.subjectId, name: m.name })),
      from: s.window.from,
      to: s.window.to,
      title: `Timeline of ${focusName(s)}'s family: ${entries.length} entries`,
    });
    const markItem = typeof req.query.mark === 'string' ? entries.find((e) => e.key === req.query.mark) ?? s.chronology.find((e) => e.key === req.query.mark) : undefined;
    res.status(status).render('family-summary/chronology.njk', {
      pageTitle: `Chronology: ${focusName(s)}`,
      s,
      entries,
      filter,
      kept,
      base,
      fmt,
      focusName: focusName(s),
      timeline,
      markItem,
      agencyItems: agencies.map(([id, name]) => ({ value: id, text: name, checked: filter.agency.includes(id) })),
      categoryItems: categories.map((c) => ({ value: c, text: categoryLabel(c), checked: filter.category.includes(c) })),
      personItems: s.members.map((m) => ({ value: m.subjectId, text: m.name, checked: filter.person.includes(m.subjectId) })),
      memberItems: s.members.map((m) => ({ value: m.subjectId, text: m.name })),
      markUrl: urls.familySummary.mark(base, kept),
      ...errors,
      formValues,
    });
  };

  router.get(
    '/family-summary/:kind/:id/chronology',
    withTarget(async (req, res, { target, base }) => load(req, res, base, () => renderChronology(req, res, target, base))),
  );

  router.post(
    '/family-summary/:kind/:id/mark',
    withTarget(async (req, res, { target, base }) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const kept = keptQuery(req.query as Record<string, unknown>);
      try {
        const { subjectId } = parseMarkTarget(body);
        await services.summaries.mark(req.principal!, subjectId, { itemKey: body.itemKey, significant: body.significant, analysis: body.analysis, entryDate: body.entryDate }, auditContext(req));
      } catch (err) {
        if (isValidationError(err)) {
          req.query = { ...kept, ...(typeof body.itemKey === 'string' && body.itemKey ? { mark: body.itemKey } : {}) } as typeof req.query;
          return renderChronology(req, res, target, base, 400, formErrors(err, ['subjectId', 'analysis', 'entryDate']), body);
        }
        throw err;
      }
      res.redirect(303, `${urls.familySummary.chronology(base, kept)}#chronology-table`);
    }),
  );

  router.get(
    '/family-summary/:kind/:id/summary.pdf',
    withTarget(async (req, res, { target, base }) =>
      load(req, res, base, async () => {
        const s = await services.summaries.summary(req.principal!, target, req.query, auditContext(req), 'family-summary.pdf.read');
        const tree = summaryTree(s);
        const pdf = await summaryPdf(s, (tree?.textAlternative ?? []).map(unescapeXml));
        // Produced, then audited, then sent: a PDF that was never recorded never leaves.
        await services.summaries.recordPrint(req.principal!, s, auditContext(req));
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', `attachment; filename="family-summary-${s.generatedAt.toISOString().slice(0, 10)}.pdf"`);
        res.send(pdf);
      }),
    ),
  );
  return router;
}

function parseMarkTarget(body: Record<string, unknown>): { subjectId: string } {
  const r = markFormSchema.safeParse(body);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const i of r.error.issues) fields[String(i.path[0] ?? 'subjectId')] ??= i.message;
  throw new ValidationError(fields);
}

const focusName = (s: FamilySummary) => s.members.find((m) => m.subjectId === s.focusId)?.name ?? 'the family';
