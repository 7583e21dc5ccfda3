import { Router } from 'express';
import { requireSignedIn } from '../../setup/authentication.ts';
import { urls } from '../../urls.ts';

/** The signed-in home page: what this practitioner can do, by role. */
export function homeRoutes(): Router {
  const router = Router();
  router.get(urls.home(), (req, res, next) => {
    if (!req.principal) return res.redirect(urls.signIn());
    next();
  }, requireSignedIn, (req, res) => {
    res.render('home/home.njk', { pageTitle: 'Home', p: req.principal });
  });
  return router;
}
