import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Services } from '../../services/index.ts';
import { auditContext } from '../request-context.ts';

const limiters = new WeakMap<Services, RequestHandler>();

/**
 * One per-address limit shared by every sign-in route (password, security code, set-up,
 * invitation, organisation sign-in), so the routes do not each grant their own allowance.
 * A refusal is audited before the 429 page is sent.
 */
export function signInRateLimiter(services: Services): RequestHandler {
  let limiter = limiters.get(services);
  if (!limiter) {
    limiter = rateLimit({
      windowMs: 15 * 60_000,
      limit: services.config.signIn.rateLimitPerWindow,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => {
        services.audit
          .record({
            actor: { userId: null, label: 'anonymous', organisationId: null, roles: [] },
            action: 'auth.rate-limited',
            outcome: 'denied',
            reason: `too many sign-in attempts from this address (${req.method} ${req.path})`,
            context: auditContext(req),
          })
          .catch(() => undefined)
          .finally(() => res.status(429).render('sign-in/too-many.njk', { pageTitle: 'Too many attempts' }));
      },
    });
    limiters.set(services, limiter);
  }
  return limiter;
}
