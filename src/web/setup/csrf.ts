import crypto from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';

export class CsrfError extends Error {
  readonly status = 403;
  constructor() {
    super('This form has expired or was not sent from Team Around. Go back, reload the page and try again.');
    this.name = 'CsrfError';
  }
}

/**
 * Synchroniser-token CSRF protection for every web form: a random token kept in the
 * server-side session, rendered into each form, and checked on every unsafe request.
 * (The JSON API uses bearer tokens, not cookies, so it is outside this.)
 */
export function setupCsrf(app: Express): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const token = () => {
      req.session.csrfToken ??= crypto.randomBytes(32).toString('base64url');
      return req.session.csrfToken;
    };
    Object.defineProperty(res.locals, 'csrfToken', { get: token, enumerable: true, configurable: true });
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const expected = req.session.csrfToken;
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (
      typeof sent === 'string' &&
      expected &&
      sent.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(expected))
    ) {
      return next();
    }
    next(new CsrfError());
  });
}
