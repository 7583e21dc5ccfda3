import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ValidationError } from '../../services/principal.ts';

function statusOf(err: unknown): number {
  const s = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

const CODES: Record<number, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** 404s and errors: JSON under /api, GOV.UK pages elsewhere. Internal details are logged, never shown. */
export function setupErrorHandling(app: Express, logger: Logger): void {
  app.use((req: Request, res: Response) => {
    if (req.path.startsWith('/api/')) {
      res.status(404).json({ error: { code: 'not_found', message: `No API route ${req.method} ${req.path}`, requestId: req.requestId } });
      return;
    }
    res.status(404).render('errors/not-found.njk', { pageTitle: 'Page not found' });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = statusOf(err);
    // Body-parser errors (bad JSON) carry type and status 400.
    const type = (err as { type?: string })?.type;
    if (type === 'entity.parse.failed') status = 400;
    if (status >= 500) logger.error({ err, requestId: req.requestId }, 'request failed');
    if (res.headersSent) return;
    const message =
      status >= 500
        ? 'Sorry, something went wrong. Try again later.'
        : type === 'entity.parse.failed'
          ? 'The request body is not valid JSON'
          : (err as Error).message;
    if (req.path.startsWith('/api/')) {
      res.status(status).json({
        error: {
          code: CODES[status] ?? (status >= 500 ? 'internal' : 'error'),
          message,
          requestId: req.requestId,
          ...(err instanceof ValidationError ? { fields: err.fields } : {}),
        },
      });
      return;
    }
    const view = status === 403 ? 'errors/forbidden.njk' : status === 404 ? 'errors/not-found.njk' : 'errors/error.njk';
    res.status(status).render(view, {
      pageTitle: status === 403 ? 'You do not have access' : status === 404 ? 'Page not found' : status >= 500 ? 'Sorry, there is a problem with the service' : 'There is a problem',
      message,
      requestId: req.requestId,
      status,
    });
  });
}
