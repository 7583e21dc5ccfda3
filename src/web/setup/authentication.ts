import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Services } from '../../services/index.ts';
import { actorOf, ForbiddenError, hasRole, type Role } from '../../services/principal.ts';
import { auditContext } from '../request-context.ts';
import { urls } from '../urls.ts';

/** Loads the signed-in practitioner from the session on every request and builds the navigation they may use. */
export function setupAuthentication(app: Express, services: Services): void {
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const { userId, via } = req.session;
    if (userId) {
      const principal = await services.auth.principal(userId, via ?? 'password');
      if (principal) {
        req.principal = principal;
        res.locals.principal = principal;
        res.locals.navigation = navigationFor(req);
        // Pages for signed-in users may show personal data: never cache them.
        res.setHeader('Cache-Control', 'no-store');
      } else {
        // Deactivated or deleted since the session began.
        await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
      }
    }
    if (req.session.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  });
}

function navigationFor(req: Request) {
  const p = req.principal;
  const items: Array<{ href: string; text: string; active: boolean }> = [
    { href: urls.home(), text: 'Home', active: req.path === '/' },
  ];
  if (hasRole(p, 'system_admin')) {
    items.push({ href: urls.admin.organisations(), text: 'Organisations', active: req.path.startsWith('/admin/organisations') });
    items.push({ href: urls.admin.practitioners(), text: 'Practitioners', active: req.path.startsWith('/admin/practitioners') });
  }
  items.push({ href: '/directory', text: 'Service directory', active: req.path.startsWith('/directory') });
  if (hasRole(p, 'practitioner', 'mash_officer', 'team_manager')) {
    items.push({ href: urls.people.search(), text: 'Find a person', active: req.path.startsWith('/people') });
    items.push({ href: urls.inbox.list(), text: 'Shared with you', active: req.path.startsWith('/inbox') });
    items.push({ href: urls.earlyHelp.tasks(), text: 'Early help', active: req.path.startsWith('/early-help') });
  }
  if (hasRole(p, 'mash_officer', 'team_manager')) {
    // The hub's own staff work its queue; other agencies' MASH officers and managers answer its research requests.
    const hub = p!.organisationType === 'childrens_social_care';
    items.push({ href: hub ? urls.frontDoor.queue() : urls.frontDoor.researchInbox(), text: hub ? 'MASH' : 'MASH research', active: req.path.startsWith('/front-door') });
  } else if (hasRole(p, 'practitioner')) {
    // Any practitioner may refer a concern to the hub (mayRefer).
    items.push({ href: urls.frontDoor.new(), text: 'Refer a concern', active: req.path.startsWith('/front-door') });
  }
  if (hasRole(p, 'team_manager')) {
    items.push({ href: urls.sharing.approvals(), text: 'Approvals', active: req.path.startsWith('/sharing/approvals') || req.path.startsWith('/sharing/decisions') });
  }
  if (hasRole(p, 'team_manager', 'ig_lead')) {
    items.push({ href: urls.sharing.report(), text: 'Sharing decisions', active: req.path.startsWith('/sharing/report') });
  }
  if (hasRole(p, 'ig_lead')) {
    items.push({ href: urls.accessReviews.list(), text: 'Access reviews', active: req.path.startsWith('/access-reviews') });
    items.push({ href: urls.audit.search(), text: 'Audit log', active: req.path.startsWith('/audit') });
  }
  if (hasRole(p, 'ig_lead', 'team_manager')) {
    items.push({ href: '/feeds', text: 'Data feeds', active: req.path.startsWith('/feeds') });
  }
  if (hasRole(p, 'ig_lead', 'team_manager', 'system_admin')) {
    items.push({ href: urls.agreements.list(), text: 'Sharing agreements', active: req.path.startsWith('/agreements') });
  }
  return items;
}

export const requireSignedIn: RequestHandler = (req, res, next) => {
  if (req.principal) return next();
  if (req.method === 'GET') req.session.returnTo = req.originalUrl;
  res.redirect(urls.signIn());
};

/** Refuses (and audits the refusal) unless the principal has one of the roles. */
export function requireRole(services: Services, ...roles: Role[]): RequestHandler {
  return async (req, _res, next) => {
    if (!req.principal) return next(new ForbiddenError());
    if (hasRole(req.principal, ...roles)) return next();
    await services.audit.record({
      actor: actorOf(req.principal),
      action: 'web.access',
      outcome: 'denied',
      reason: `needs role ${roles.join(' or ')} for ${req.method} ${req.path}`,
      context: auditContext(req),
    });
    next(new ForbiddenError(`You need the ${roles.map((r) => r.replace('_', ' ')).join(' or ')} role to see this page`));
  };
}
