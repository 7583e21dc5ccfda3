import { Router } from 'express';
import type { Services } from '../../../services/index.ts';
import { hasRole } from '../../../services/principal.ts';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';

/** The signed-in home page: what this practitioner can do, by role, and their notifications. */
export function homeRoutes(services: Services): Router {
  const router = Router();
  router.get(urls.home(), (req, res, next) => {
    if (!req.principal) return res.redirect(urls.signIn());
    next();
  }, requireSignedIn, async (req, res) => {
    const p = req.principal!;
    const notifications = (await services.people.notifications(p)).map((n) => ({
      ...n,
      // Only links within Team Around are followed.
      href: n.link && n.link.startsWith('/') && !n.link.startsWith('//') ? n.link : null,
    }));
    res.render('home/home.njk', {
      pageTitle: 'Home',
      p,
      notifications,
      worksWithPeople: hasRole(p, 'practitioner', 'mash_officer', 'team_manager'),
    });
  });
  return router;
}
