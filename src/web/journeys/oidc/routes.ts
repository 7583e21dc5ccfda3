import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../../services/index.ts';
import type { OidcFailure } from '../../../services/oidc-service.ts';
import { auditContext } from '../../request-context.ts';
import { regenerateSession, saveSession } from '../../setup/sessions.ts';
import { urls } from '../../urls.ts';
import { signInRateLimiter } from '../../setup/sign-in-rate-limit.ts';

const organisationIdSchema = z.uuid();

/** Printable ASCII without spaces, as OAuth 2.0 allows for codes, states and error codes. */
const oauthValue = (max: number) => z.string().min(1).max(max).regex(/^[\x21-\x7e]+$/);

/**
 * The parameters an identity provider may send to the callback: either a code or an error,
 * each with the state we sent. Anything else is dropped; a repeated or oversized parameter
 * (the query parser gives an array or a long string) makes the whole response invalid.
 */
export const callbackQuerySchema = z
  .object({
    state: oauthValue(512).optional(),
    code: oauthValue(4096).optional(),
    iss: z.url().max(2048).optional(),
    session_state: oauthValue(1024).optional(),
    error: oauthValue(128).optional(),
    error_description: z.string().max(1000).optional(),
    error_uri: z.url().max(2048).optional(),
  })
  .refine((q) => Boolean(q.code) !== Boolean(q.error), 'expected either a code or an error');

/** Where the identity provider sends the browser back to: the public address if configured, else this request's. */
function redirectUri(services: Services, req: Request): string {
  const base = services.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${base}${urls.oidcCallback()}`;
}

function safeReturnTo(returnTo: string | undefined): string {
  return returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') && !returnTo.startsWith('/\\') ? returnTo : urls.home();
}

function renderFailure(res: Response, failure: OidcFailure): void {
  if (failure.status === 404) {
    res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    return;
  }
  res.status(failure.status).render('oidc/failed.njk', {
    pageTitle: 'You have not been signed in',
    message: failure.message,
    organisationName: failure.organisationName,
  });
}

/** Sign-in through an agency's own OpenID Connect identity provider (authorization code flow with PKCE). */
export function oidcRoutes(services: Services): Router {
  const router = Router();
  // Each start may reach out to the provider and each refusal is audited: limit them as password sign-in is.
  const limiter = signInRateLimiter(services);

  router.get('/sign-in/organisation/:organisationId', limiter, async (req, res) => {
    if (req.principal) return res.redirect(urls.home());
    const id = organisationIdSchema.safeParse(req.params.organisationId);
    if (!id.success) return res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
    const started = await services.oidc.begin(id.data, redirectUri(services, req), auditContext(req));
    if (!started.ok) return renderFailure(res, started);
    req.session.oidc = {
      organisationId: id.data,
      state: started.state,
      nonce: started.nonce,
      codeVerifier: started.codeVerifier,
    };
    await saveSession(req);
    res.redirect(303, started.url.href);
  });

  router.get(urls.oidcCallback(), limiter, async (req, res) => {
    // One callback per start: whatever happens next, this browser's pending sign-in is used up.
    const pending = req.session.oidc;
    delete req.session.oidc;
    const callback = redirectUri(services, req);
    const query = callbackQuerySchema.safeParse(req.query);
    let result;
    if (!query.success) {
      result = await services.oidc.malformedCallback(pending?.organisationId, auditContext(req));
    } else {
      const currentUrl = new URL(callback);
      for (const [key, value] of Object.entries(query.data)) {
        if (typeof value === 'string') currentUrl.searchParams.set(key, value);
      }
      result = await services.oidc.complete(pending?.organisationId, currentUrl, pending, callback, auditContext(req));
    }
    if (!result.ok) {
      if (pending) await saveSession(req);
      return renderFailure(res, result);
    }
    const returnTo = req.session.returnTo;
    await regenerateSession(req);
    req.session.userId = result.principal.userId;
    req.session.via = 'oidc';
    await saveSession(req);
    res.redirect(safeReturnTo(returnTo));
  });

  return router;
}
