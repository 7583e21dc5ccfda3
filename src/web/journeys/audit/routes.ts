import { Router } from 'express';
import type { Services } from '../../../services/index.ts';
import { actorOf } from '../../../services/principal.ts';
import { zodErrors } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireRole, requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { auditSearchSchema } from './validation.ts';

const PAGE = 50;

/** The information-governance lead's view of the audit log: search it, and check the hash chain. */
export function auditRoutes(services: Services): Router {
  const router = Router();
  router.use('/audit', requireSignedIn, requireRole(services, 'ig_lead'));

  router.get(urls.audit.search(), async (req, res) => {
    const parsed = auditSearchSchema.safeParse(req.query);
    if (!parsed.success) {
      return res.status(400).render('audit/search.njk', {
        pageTitle: 'Audit log',
        values: req.query,
        entries: [],
        ...zodErrors(parsed.error, ['actor', 'action', 'subjectId', 'outcome', 'from', 'to']),
      });
    }
    const q = parsed.data;
    const entries = await services.audit.search({ ...q, limit: PAGE + 1 });
    const more = entries.length > PAGE;
    const shown = entries.slice(0, PAGE);
    await services.audit.record({
      actor: actorOf(req.principal!),
      action: 'audit.search',
      outcome: 'success',
      purpose: 'information governance review',
      details: { filters: Object.fromEntries(Object.entries(req.query).filter(([k, v]) => v && k !== 'before')), results: shown.length },
      context: auditContext(req),
    });
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    res.render('audit/search.njk', {
      pageTitle: 'Audit log',
      values: query,
      entries: shown,
      nextPage: more ? urls.audit.search({ ...query, before: String(shown.at(-1)!.seq) }) : undefined,
      firstPage: q.beforeSeq ? urls.audit.search({ ...query, before: undefined }) : undefined,
    });
  });

  router.post(urls.audit.verify(), async (req, res) => {
    const started = performance.now();
    const result = await services.audit.verify();
    const ms = Math.round(performance.now() - started);
    await services.audit.record({
      actor: actorOf(req.principal!),
      action: 'audit.verify',
      outcome: result.ok ? 'success' : 'failure',
      details: { entries: result.entries, firstBroken: result.firstBroken ?? null },
      context: auditContext(req),
    });
    res.render('audit/verify.njk', { pageTitle: 'Audit log check', result, ms });
  });

  return router;
}
