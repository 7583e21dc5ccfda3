import { Router, type Request, type Response } from 'express';
import type { Disclosure } from '../../../repositories/sharing-repository.ts';
import type { Services } from '../../../services/index.ts';
import { isDisclosureRecipient } from '../../../services/sharing-service.ts';
import { formErrors, isValidationError } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';
import { fmt } from '../people/format.ts';
import { sfmt } from '../sharing/labels.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function state(d: Disclosure, now: Date): { text: string; classes: string; live: boolean } {
  if (d.revokedAt) return { text: 'Access withdrawn', classes: 'govuk-tag--grey', live: false };
  if (d.expiresAt && d.expiresAt <= now) return { text: 'Access ended', classes: 'govuk-tag--grey', live: false };
  if (!d.acknowledgedAt) return { text: 'New', classes: 'govuk-tag--blue', live: true };
  return { text: 'Acknowledged', classes: 'govuk-tag--green', live: true };
}

/** The secure inbox: what other agencies shared with the practitioner, opened item by item, and acknowledged. */
export function inboxRoutes(services: Services): Router {
  const router = Router();
  const { sharing } = services;

  router.use('/inbox', requireSignedIn, (_req, res, next) => {
    res.locals.fmt = fmt;
    res.locals.sfmt = sfmt;
    next();
  });
  for (const param of ['sid', 'did']) {
    router.param(param, (_req, res, next, id: string) => {
      if (UUID.test(id)) return next();
      res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    });
  }

  router.get('/inbox', async (req, res) => {
    const now = new Date();
    const list = await sharing.inbox(req.principal!, auditContext(req));
    const rows = list.map((d) => ({ ...d, state: state(d, now) }));
    res.render('inbox/list.njk', { pageTitle: 'Shared with you', rows, unread: rows.filter((r) => r.state.live && !r.acknowledgedAt).length });
  });

  const openPage = async (req: Request, res: Response, view: { status?: number; errors?: object; errorList?: object[] }) => {
    const p = req.principal!;
    const d = await sharing.openDisclosure(p, req.params.sid as string, req.params.did as string, auditContext(req));
    const s = state(d, new Date());
    res.status(view.status ?? 200).render('inbox/disclosure.njk', {
      pageTitle: d.subjectName ? `Shared with you about ${d.subjectName}` : 'Shared with you',
      d,
      state: s,
      canAcknowledge: s.live && !d.acknowledgedAt && isDisclosureRecipient(p, d),
      ...view,
    });
  };

  router.get('/inbox/:sid/:did', async (req, res) => {
    await openPage(req, res, {});
  });

  router.post('/inbox/:sid/:did/acknowledge', async (req, res) => {
    try {
      await sharing.acknowledge(req.principal!, req.params.sid as string, req.params.did as string, auditContext(req));
      req.session.flash = 'You acknowledged what was shared. The sender has been told.';
      res.redirect(urls.inbox.disclosure(req.params.sid as string, req.params.did as string));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      await openPage(req, res, { status: 400, ...formErrors(err, []) });
    }
  });

  return router;
}
