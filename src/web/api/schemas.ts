import { z } from 'zod';
import type { ApiRegistry } from './registry.ts';

/** Every error the API returns (registered as the Error component; routes may name it as a response schema). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Machine-readable: unauthorized, forbidden, not_found, validation, conflict, internal' }),
      message: z.string(),
      requestId: z.string().optional(),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .meta({ description: 'For validation errors: each field at fault (as body.x, query.y, path.z) and what is wrong' }),
    }),
  })
  .meta({ description: 'Every error the API returns has this shape' });

/** Shapes shared across the API, registered as named components. */
export function registerCommonSchemas(registry: ApiRegistry) {
  const Error = registry.component('Error', ErrorSchema);
  const Organisation = registry.component(
    'OrganisationRef',
    z.object({
      id: z.uuid(),
      name: z.string(),
      type: z.string().meta({ description: 'Organisation type code, e.g. police, nhs_trust, school' }),
      officialCode: z.string(),
    }),
  );
  const Me = registry.component(
    'Me',
    z.object({
      id: z.uuid(),
      email: z.string(),
      displayName: z.string(),
      organisation: Organisation,
      roles: z.array(z.enum(['practitioner', 'team_manager', 'mash_officer', 'ig_lead', 'system_admin'])),
      teams: z.array(z.object({ id: z.uuid(), name: z.string() })),
      authenticatedBy: z.enum(['password', 'oidc', 'api-token']),
    }),
  );
  return { Error, Organisation, Me };
}
