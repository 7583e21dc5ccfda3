import { Router } from 'express';
import type { Services } from '../../../services/index.ts';

/** Sign-in through an agency's own OpenID Connect provider (placeholder until implemented). */
export function oidcRoutes(_services: Services): Router {
  return Router();
}
