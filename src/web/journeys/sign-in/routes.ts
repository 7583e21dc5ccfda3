import { Router, type Request, type Response } from 'express';
import type { Services } from '../../../services/index.ts';
import { isValidationError, formErrors, field, zodErrors as fieldErrors } from '../../forms.ts';
import { auditContext } from '../../request-context.ts';
import { regenerateSession, saveSession } from '../../setup/sessions.ts';
import { urls } from '../../urls.ts';
import { signInSchema, securityCodeSchema, invitationSchema } from './validation.ts';
import { signInRateLimiter } from '../../setup/sign-in-rate-limit.ts';

const PENDING_MAX_MS = 10 * 60_000;

/** Password, then a TOTP security code (set up on first sign-in); invitations; sign-out. */
export function signInRoutes(services: Services): Router {
  const router = Router();
  const limiter = signInRateLimiter(services);

  const completeSignIn = async (req: Request, res: Response, userId: string) => {
    const returnTo = req.session.returnTo;
    await regenerateSession(req);
    req.session.userId = userId;
    req.session.via = 'password';
    await saveSession(req);
    res.redirect(returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : urls.home());
  };

  const pendingUser = (req: Request): string | undefined => {
    const { pendingUserId, pendingSince } = req.session;
    if (!pendingUserId || !pendingSince || Date.now() - pendingSince > PENDING_MAX_MS) return undefined;
    return pendingUserId;
  };

  router.get(urls.signIn(), async (req, res) => {
    if (req.principal) return res.redirect(urls.home());
    const providers = await services.repositories.organisations.listWithOidc();
    res.render('sign-in/sign-in.njk', { pageTitle: 'Sign in', providers, values: {} });
  });

  router.post(urls.signIn(), limiter, async (req, res) => {
    const providers = await services.repositories.organisations.listWithOidc();
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) {
      return res.status(400).render('sign-in/sign-in.njk', {
        pageTitle: 'Sign in',
        providers,
        values: { email: field(req.body, 'email') },
        ...fieldErrors(parsed.error, ['email', 'password']),
      });
    }
    const result = await services.auth.signInWithPassword(parsed.data.email, parsed.data.password, auditContext(req));
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? 'This account is locked after too many failed attempts. Try again later or ask your administrator to unlock it.'
          : 'Enter a correct email address and password';
      return res.status(result.reason === 'locked' ? 423 : 401).render('sign-in/sign-in.njk', {
        pageTitle: 'Sign in',
        providers,
        values: { email: parsed.data.email },
        errors: { email: { text: message } },
        errorList: [{ text: message, href: '#email' }],
      });
    }
    const returnTo = req.session.returnTo;
    await regenerateSession(req);
    req.session.pendingUserId = result.userId;
    req.session.pendingSince = Date.now();
    if (returnTo) req.session.returnTo = returnTo;
    await saveSession(req);
    res.redirect(result.next === 'totp' ? urls.signInTotp() : urls.signInEnrol());
  });

  router.get(urls.signInTotp(), (req, res) => {
    if (!pendingUser(req)) return res.redirect(urls.signIn());
    res.render('sign-in/security-code.njk', { pageTitle: 'Enter your security code' });
  });

  router.post(urls.signInTotp(), limiter, async (req, res) => {
    const userId = pendingUser(req);
    if (!userId) return res.redirect(urls.signIn());
    const parsed = securityCodeSchema.safeParse(req.body);
    if (!parsed.success) {
      return res
        .status(400)
        .render('sign-in/security-code.njk', { pageTitle: 'Enter your security code', ...fieldErrors(parsed.error, ['code']) });
    }
    const result = await services.auth.verifySecondFactor(userId, parsed.data.code, auditContext(req));
    if (!result.ok) {
      if (result.reason === 'locked') {
        await regenerateSession(req);
        const message = 'This account is locked after too many failed attempts. Try again later or ask your administrator to unlock it.';
        return res.status(423).render('sign-in/sign-in.njk', {
          pageTitle: 'Sign in',
          providers: [],
          values: {},
          errors: { email: { text: message } },
          errorList: [{ text: message, href: '#email' }],
        });
      }
      const message = 'The security code is not correct or has already been used. Enter the current code from your authenticator app';
      return res.status(401).render('sign-in/security-code.njk', {
        pageTitle: 'Enter your security code',
        errors: { code: { text: message } },
        errorList: [{ text: message, href: '#code' }],
      });
    }
    await completeSignIn(req, res, result.principal.userId);
  });

  router.get(urls.signInEnrol(), async (req, res) => {
    const userId = pendingUser(req);
    if (!userId) return res.redirect(urls.signIn());
    const enrolment = req.session.enrolSecret
      ? await services.auth.enrolmentFor(userId, req.session.enrolSecret)
      : await services.auth.beginEnrolment(userId);
    req.session.enrolSecret = enrolment.secret;
    res.render('sign-in/set-up-authenticator.njk', { pageTitle: 'Set up your authenticator app', enrolment });
  });

  router.post(urls.signInEnrol(), limiter, async (req, res) => {
    const userId = pendingUser(req);
    const secret = req.session.enrolSecret;
    if (!userId || !secret) return res.redirect(urls.signIn());
    const parsed = securityCodeSchema.safeParse(req.body);
    const enrolment = await services.auth.enrolmentFor(userId, secret);
    if (!parsed.success) {
      return res.status(400).render('sign-in/set-up-authenticator.njk', {
        pageTitle: 'Set up your authenticator app',
        enrolment,
        ...fieldErrors(parsed.error, ['code']),
      });
    }
    const result = await services.auth.completeEnrolment(userId, secret, parsed.data.code, auditContext(req));
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? 'This account is locked after too many failed attempts. Ask your administrator to unlock it.'
          : 'The security code is not correct. Check the app shows Team Around and enter the current code';
      return res.status(result.reason === 'locked' ? 423 : 401).render('sign-in/set-up-authenticator.njk', {
        pageTitle: 'Set up your authenticator app',
        enrolment,
        errors: { code: { text: message } },
        errorList: [{ text: message, href: '#code' }],
      });
    }
    await completeSignIn(req, res, result.principal.userId);
  });

  router.post(urls.signOut(), async (req, res) => {
    if (req.principal) await services.auth.signedOut(req.principal, auditContext(req));
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('teamaround.sid');
    res.clearCookie('__Host-teamaround');
    res.redirect(urls.signedOut());
  });

  router.get(urls.signedOut(), (_req, res) => {
    res.render('sign-in/signed-out.njk', { pageTitle: 'You have signed out' });
  });

  router.get('/invitation/:token', async (req, res) => {
    const found = await services.auth.invitation(String(req.params.token));
    res.status('problem' in found ? 410 : 200).render('sign-in/invitation.njk', {
      pageTitle: 'problem' in found ? 'Invitation not valid' : 'Create your password',
      problem: 'problem' in found ? found.problem : undefined,
      invitee: 'problem' in found ? undefined : { displayName: found.user.displayName, email: found.user.email, organisation: found.user.organisationName },
    });
  });

  router.post('/invitation/:token', limiter, async (req, res) => {
    const token = String(req.params.token);
    const parsed = invitationSchema.safeParse(req.body);
    const found = await services.auth.invitation(token);
    const invitee = 'problem' in found ? undefined : { displayName: found.user.displayName, email: found.user.email, organisation: found.user.organisationName };
    if (!parsed.success) {
      return res
        .status(400)
        .render('sign-in/invitation.njk', { pageTitle: 'Create your password', invitee, ...fieldErrors(parsed.error, ['password', 'confirmPassword']) });
    }
    try {
      await services.auth.acceptInvitation(token, parsed.data.password, parsed.data.confirmPassword, auditContext(req));
    } catch (err) {
      if (!isValidationError(err)) throw err;
      return res
        .status(400)
        .render('sign-in/invitation.njk', { pageTitle: 'Create your password', invitee, ...formErrors(err, ['password', 'confirmPassword']) });
    }
    req.session.flash = 'Your password is set. Sign in to set up your authenticator app.';
    res.redirect(urls.signIn());
  });

  return router;
}
