import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Services } from '../services/index.ts';
import { appVersion } from '../version.ts';
import { apiV1Routes, buildApiRegistry } from './api/v1.ts';
import { fhirRoutes } from './api/fhir.ts';
import { orukRoutes } from './api/oruk.ts';
import { DIRECTORY_UPLOAD_PATHS, directoryRoutes } from './journeys/directory/routes.ts';
import { accessReviewRoutes } from './journeys/access-reviews/routes.ts';
import { adminRoutes } from './journeys/admin/routes.ts';
import { agreementRoutes } from './journeys/agreements/routes.ts';
import { auditRoutes } from './journeys/audit/routes.ts';
import { CONSENT_UPLOAD_PATHS, consentRoutes } from './journeys/consent/routes.ts';
import { feedRoutes } from './journeys/feeds/routes.ts';
import { setupFeedUploads } from './journeys/feeds/upload.ts';
import { homeRoutes } from './journeys/home/routes.ts';
import { inboxRoutes } from './journeys/inbox/routes.ts';
import { linkingRoutes } from './journeys/linking/routes.ts';
import { earlyHelpRoutes } from './journeys/early-help/routes.ts';
import { frontDoorRoutes } from './journeys/front-door/routes.ts';
import { familySummaryRoutes } from './journeys/family-summary/routes.ts';
import { oidcRoutes } from './journeys/oidc/routes.ts';
import { peopleRoutes } from './journeys/people/routes.ts';
import { sharingRoutes } from './journeys/sharing/routes.ts';
import { signInRoutes } from './journeys/sign-in/routes.ts';
import { setupAuthentication } from './setup/authentication.ts';
import { setupCsrf } from './setup/csrf.ts';
import { setupErrorHandling } from './setup/errors.ts';
import { setupHealth } from './setup/health.ts';
import { setupLogging } from './setup/logging.ts';
import { setupMultipartForms } from './setup/multipart.ts';
import { setupNunjucks } from './setup/nunjucks.ts';
import { setupRequestContext } from './setup/request-context.ts';
import { setupSecurityHeaders } from './setup/security.ts';
import { setupSessions } from './setup/sessions.ts';
import { setupStatic } from './setup/static.ts';
import './types.ts';

/**
 * The web application. Order matters: request id and logging first; health checks, static
 * files and the bearer-token API need no session; then sessions, CSRF and the signed-in
 * practitioner for the web journeys; errors last.
 */
export function createApp(services: Services, logger: Logger): Express {
  const app = express();
  app.set('query parser', 'simple');
  setupRequestContext(app, { trustUpstream: services.config.trustProxy });
  setupLogging(app, logger);
  setupSecurityHeaders(app, { https: Boolean(services.config.publicUrl?.startsWith('https://')) });
  setupNunjucks(app);
  setupHealth(app, services);
  setupStatic(app);

  const registry = buildApiRegistry(services);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(registry.openApiDocument({ version: appVersion().version, serverUrl: services.config.publicUrl }));
  });
  app.use(apiV1Routes(services, registry));
  // HL7 FHIR R4: Consent read, search and create (same bearer tokens; OperationOutcome errors).
  app.use(fhirRoutes(services, logger));
  // Open Referral UK 3.0: the public service directory feed (no sign-in, published services only).
  app.use(orukRoutes(services));
  // Unknown API paths answer JSON here, before any cookie or form handling.
  app.use('/api', (req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `No API route ${req.method} ${req.originalUrl.split('?')[0]}`, requestId: req.requestId } });
  });

  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  setupSessions(app, services);
  // The consent form uploads its evidence: read before the CSRF check, so the check sees its token.
  setupMultipartForms(app, { paths: CONSENT_UPLOAD_PATHS, maxBytes: 5 * 1024 * 1024 + 256 * 1024 });
  setupFeedUploads(app);
  setupMultipartForms(app, { paths: DIRECTORY_UPLOAD_PATHS, maxBytes: 20 * 1024 * 1024 });
  setupCsrf(app);
  setupAuthentication(app, services);
  app.use(signInRoutes(services));
  app.use(oidcRoutes(services));
  app.use(homeRoutes(services));
  app.use(adminRoutes(services));
  app.use(auditRoutes(services));
  app.use(peopleRoutes(services));
  app.use(accessReviewRoutes(services));
  app.use(consentRoutes(services));
  app.use(sharingRoutes(services));
  app.use(inboxRoutes(services));
  app.use(agreementRoutes(services));
  app.use(feedRoutes(services));
  app.use(linkingRoutes(services));
  app.use(earlyHelpRoutes(services));
  app.use(frontDoorRoutes(services));
  app.use(directoryRoutes(services));
  app.use(familySummaryRoutes(services));

  setupErrorHandling(app, logger);
  return app;
}
