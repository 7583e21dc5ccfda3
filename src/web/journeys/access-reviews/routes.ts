import { Router, type Request, type Response } from 'express';
import type { Services } from '../../../services/index.ts';
import { ValidationError } from '../../../services/principal.ts';
import { field, formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireRole, requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { fmt } from '../people/format.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The information-governance lead's review of emergency (break-glass) access. */
export function accessReviewRoutes(services: Services): Router {
  const router = Router();
  router.use(urls.accessReviews.list(), requireSignedIn, requireRole(services, 'ig_lead'), (_req, res, next) => {
    res.locals.fmt = fmt;
    next();
  });

  const render = async (
    req: Request,
    res: Response,
    view: { status?: number; reviewing?: string; values?: Record<string, string>; errors?: object; errorList?: object[] } = {},
  ) => {
    const { open, done } = await services.people.reviewQueue(req.principal!, auditContext(req));
    const now = new Date();
    res.status(view.status ?? 200).render('access-reviews/list.njk', {
      pageTitle: 'Access reviews',
      open: open.map((b) => ({ ...b, expired: b.expiresAt <= now })),
      done,
      ...view,
    });
  };

  router.get(urls.accessReviews.list(), async (req, res) => {
    await render(req, res);
  });

  router.post('/access-reviews/:subjectId/:id', async (req, res) => {
    const { subjectId, id } = req.params;
    if (!UUID.test(subjectId) || !UUID.test(id)) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const values = { outcome: field(req.body, 'outcome'), note: field(req.body, 'note') };
    try {
      await services.people.review(req.principal!, subjectId, id, values, auditContext(req));
      req.session.flash = values.outcome === 'justified' ? 'The emergency access was recorded as justified' : 'The emergency access was recorded as not justified';
      res.redirect(urls.accessReviews.list());
    } catch (err) {
      if (!isValidationError(err)) throw err;
      // Each review form's fields carry the break-glass id, so the error summary links to the right one.
      const fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === 'form' ? k : `${k}-${id}`, v]));
      const errors = formErrors(new ValidationError(fields), [`outcome-${id}`, `note-${id}`]);
      await render(req, res, {
        status: 400,
        reviewing: id,
        values,
        errors: Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, { text: v }])),
        errorList: errors.errorList,
      });
    }
  });

  return router;
}
