import crypto from 'node:crypto';
import type { Express } from 'express';

/** Gives every request an id (kept from a trusted upstream X-Request-Id if well formed) that logs and audit entries share. */
export function setupRequestContext(app: Express, options: { trustUpstream: boolean }): void {
  app.use((req, res, next) => {
    // A client could otherwise choose the id written into audit entries: only a trusted proxy's is kept.
    const incoming = options.trustUpstream ? req.get('x-request-id') : undefined;
    req.requestId = incoming && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  });
}
