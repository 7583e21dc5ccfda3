import type { Express } from 'express';
import type { Services } from '../../services/index.ts';
import { appVersion } from '../../version.ts';

/** /ping, /health and /info: no sign-in, no personal data, no session. */
export function setupHealth(app: Express, services: Services): void {
  app.get('/ping', (_req, res) => {
    res.type('application/json').send('{"status":"pong"}');
  });
  app.get('/health', async (_req, res) => {
    const started = performance.now();
    const up = await services.database.ping();
    const body = {
      status: up ? 'UP' : 'DOWN',
      components: {
        database: {
          status: up ? 'UP' : 'DOWN',
          details: { kind: services.database.kind, responseTimeMs: Math.round((performance.now() - started) * 10) / 10 },
        },
      },
    };
    res.status(up ? 200 : 503).json(body);
  });
  app.get('/info', (_req, res) => {
    const v = appVersion();
    res.json({
      name: 'teamaround',
      version: v.version,
      commit: services.config.gitCommit ?? v.commit,
      node: process.version,
      database: services.database.kind,
      uptimeSeconds: Math.round(process.uptime()),
    });
  });
}
