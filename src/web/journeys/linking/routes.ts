import { Router } from 'express';
import type { Services } from '../../../services/index.ts';
import { formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { urls } from '../../urls.ts';
import { requireSignedIn } from '../../setup/authentication.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The record-linkage review queue: why the system thinks a feed record is a person (each field's contribution), accept or reject. */
export function linkingRoutes(services: Services): Router {
  const router = Router();
  router.use(['/linking', '/people/:id/linked-records'], requireSignedIn);
  router.param('linkId', (_req, res, next, id: string) => (UUID.test(id) ? next() : res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' })));
  router.param('id', (_req, res, next, id: string) => (UUID.test(id) ? next() : res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' })));

  router.get('/linking', async (req, res) => {
    const reviews = await services.linking.queue(req.principal!);
    res.render('linking/queue.njk', { pageTitle: 'Records to link', reviews });
  });

  const renderReview = async (req: Parameters<Parameters<Router['get']>[1]>[0], res: Parameters<Parameters<Router['get']>[1]>[1], status = 200, errors: object = {}) => {
    const detail = await services.linking.review(req.principal!, String(req.params.id), auditContext(req));
    const identity = detail.person?.identity ?? null;
    const name = identity?.names.find((n) => n.kind === 'current') ?? identity?.names[0] ?? null;
    res.status(status).render('linking/review.njk', { pageTitle: 'Is this the same person?', ...detail, name, dateOfBirth: identity?.dateOfBirth ?? null, ...errors });
  };

  router.get('/linking/reviews/:id', async (req, res) => renderReview(req, res));

  router.post('/linking/reviews/:id', async (req, res) => {
    try {
      await services.linking.decide(req.principal!, String(req.params.id), { decision: req.body?.decision, note: req.body?.note }, auditContext(req));
    } catch (err) {
      if (isValidationError(err)) return renderReview(req, res, 400, formErrors(err, ['decision', 'note']));
      throw err;
    }
    res.redirect(303, '/linking');
  });
  router.get('/people/:id/linked-records', async (req, res) => {
    const { records } = await services.linking.linkedRecords(req.principal!, String(req.params.id), auditContext(req), { reason: typeof req.query.reason === 'string' ? req.query.reason : undefined });
    res.render('linking/person-records.njk', { pageTitle: 'Agency records linked to this person', subjectId: String(req.params.id), records });
  });

  const renderUndo = async (req: Parameters<Parameters<Router['get']>[1]>[0], res: Parameters<Parameters<Router['get']>[1]>[1], status = 200, extra: object = {}) => {
    const link = await services.linking.link(req.principal!, String(req.params.linkId));
    if (link.undoneAt) return res.redirect(303, urls.linking.personRecords(link.subjectId));
    res.status(status).render('linking/undo.njk', { pageTitle: 'Undo a wrong link', link, values: {}, errors: {}, ...extra });
  };
  router.get('/linking/links/:linkId/undo', async (req, res) => renderUndo(req, res));
  router.post('/linking/links/:linkId/undo', async (req, res) => {
    const link = await services.linking.link(req.principal!, String(req.params.linkId));
    try {
      await services.linking.undo(req.principal!, link.id, { reason: req.body?.reason }, auditContext(req));
    } catch (err) {
      if (isValidationError(err)) return renderUndo(req, res, 400, { ...formErrors(err, ['reason']), values: { reason: req.body?.reason ?? '' } });
      throw err;
    }
    res.redirect(303, urls.linking.personRecords(link.subjectId));
  });
  return router;
}
