import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Services } from '../../services/index.ts';
import { actorOf } from '../../services/principal.ts';
import { auditContext } from '../request-context.ts';
import { registerAgreementRoutes } from './agreements.ts';
import { isFeedUpload, registerFeedRoutes } from './feeds.ts';
import { registerLinkingRoutes } from './linking.ts';
import { registerEarlyHelpRoutes } from './early-help.ts';
import { registerFamilySummaryRoutes } from './family-summary.ts';
import { registerFrontDoorRoutes } from './front-door.ts';
import { registerPeopleRoutes } from './people.ts';
import { registerSharingRoutes } from './sharing.ts';
import { ApiRegistry } from './registry.ts';
import { registerCommonSchemas } from './schemas.ts';

export class UnauthorizedError extends Error {
  readonly status = 401;
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** Builds the registry of every API route (also used to produce /api/openapi.json). */
export function buildApiRegistry(services: Services): ApiRegistry {
  const registry = new ApiRegistry();
  const { Me } = registerCommonSchemas(registry);

  registry.add({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'getMe',
    summary: 'Who the caller is',
    description: 'The practitioner the bearer token belongs to: organisation, roles and teams.',
    tags: ['Identity'],
    secured: true,
    responses: { 200: { description: 'The caller', schema: Me } },
    handler: async ({ req }) => {
      const p = req.principal!;
      const teams = await services.repositories.organisations.teamNames(p.teamIds);
      await services.audit.record({
        actor: actorOf(p),
        action: 'api.me.read',
        outcome: 'success',
        subjectType: 'practitioner',
        subjectId: p.userId,
        context: auditContext(req),
      });
      return {
        id: p.userId,
        email: p.email,
        displayName: p.displayName,
        organisation: { id: p.organisationId, name: p.organisationName, type: p.organisationType, officialCode: p.organisationCode },
        roles: p.roles,
        teams,
        authenticatedBy: p.via,
      };
    },
  });

  registerPeopleRoutes(registry, services);
  registerSharingRoutes(registry, services);
  registerAgreementRoutes(registry, services);
  registerFeedRoutes(registry, services);
  registerLinkingRoutes(registry, services);
  registerEarlyHelpRoutes(registry, services);
  registerFamilySummaryRoutes(registry, services);
  registerFrontDoorRoutes(registry, services);

  return registry;
}

/** /api/v1: bearer token on every route (401 JSON without one), JSON bodies, JSON errors. */
export function apiV1Routes(services: Services, registry: ApiRegistry): Router {
  const router = Router();
  router.use('/api/v1', async (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return next(new UnauthorizedError(header ? 'The Authorization header must be "Bearer <token>"' : 'A bearer token is required'));
    }
    const principal = await services.auth.authenticateApiToken(match[1]!);
    if (!principal) {
      await services.audit.record({
        actor: { userId: null, label: 'api', organisationId: null, roles: [] },
        action: 'api.authenticate',
        outcome: 'failure',
        reason: 'unknown, expired or revoked token',
        context: auditContext(req),
      });
      return next(new UnauthorizedError('The bearer token is not valid, has expired or was revoked'));
    }
    req.principal = principal;
    next();
  });
  // Bodies are parsed only after the caller is known.
  // Consent evidence (a scanned form, base64) may be up to 5 MB.
  router.use('/api/v1/people/:id/consents', express.json({ limit: '8mb' }));
  // A feed's file is streamed straight into the import (src/feeds): never parsed or buffered here.
  const json = express.json({ limit: '1mb' });
  router.use('/api/v1', (req, res, next) => (isFeedUpload(req) ? next() : json(req, res, next)));
  registry.mount(router);
  return router;
}
