import type { Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Access logs: method, path without its query string, status, time, request id and user id; never bodies. */
export function setupLogging(app: Express, logger: Logger): void {
  if (!logger.isLevelEnabled('info') && !logger.isLevelEnabled('warn')) return;
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as unknown as { requestId: string }).requestId,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/ping' || (req.url ?? '').startsWith('/assets/') || (req.url ?? '').startsWith('/public/') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req) => ({ userId: (req as unknown as { principal?: { userId: string } }).principal?.userId }),
    }),
  );
}
