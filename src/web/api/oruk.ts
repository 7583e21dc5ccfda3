import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { orukServiceAtLocation, orukServiceFull, orukServiceSummary, orukTaxonomy, orukTerm, ORUK_OPENAPI_URL, ORUK_PROFILE, ORUK_VERSION, page } from '../../directory/oruk.ts';
import { boundingBox } from '../../directory/postcode.ts';
import type { Services } from '../../services/index.ts';
import { searchSchema } from '../../services/directory-service.ts';
import { parse } from '../../services/person-service.ts';
import { NotFoundError, ValidationError } from '../../services/principal.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const pagingSchema = z.object({
  search: z.preprocess(blank, z.string().trim().max(200).optional()),
  taxonomy_id: z.preprocess(blank, z.uuid('The taxonomy id must be a UUID').optional()),
  page: searchSchema.shape.page,
  per_page: searchSchema.shape.per_page,
});
const salSchema = searchSchema.pick({ search: true, text: true, taxonomy_term_id: true, postcode: true, proximity: true, page: true, per_page: true });

/**
 * The public Open Referral UK 3.0 API under /api/oruk: no sign-in, read only, only published
 * services. Mounted before sessions (like /api/fhir), so a request never creates a session. Errors
 * are JSON. CORS is open: the feed is public and validators read it from the browser.
 */
export function orukRoutes(services: Services): Router {
  const router = Router();
  const dir = services.directory;
  router.use('/api/oruk', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=60');
    next();
  });
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.json(await fn(req, res));
    } catch (err) {
      next(err);
    }
  };
  const uuidOr404 = (id: string | string[] | undefined, what: string) => {
    if (typeof id !== 'string' || !z.uuid().safeParse(id).success) throw new NotFoundError(`No such ${what}`);
    return id;
  };

  router.get(
    '/api/oruk',
    wrap(async () => ({ version: ORUK_VERSION, profile: ORUK_PROFILE, openapi_url: ORUK_OPENAPI_URL })),
  );

  router.get(
    '/api/oruk/services',
    wrap(async (req) => {
      const r = await dir.search(req.query);
      return page(
        r.hits.map((h) => orukServiceSummary(h.service, h.organization, { distance: h.distance })),
        r.total,
        r.page,
        r.size,
      );
    }),
  );

  router.get(
    '/api/oruk/services/:id',
    wrap(async (req) => orukServiceFull(await dir.publishedService(uuidOr404(req.params.id, 'service')))),
  );

  router.get(
    '/api/oruk/service_at_locations',
    wrap(async (req) => {
      const q = parse(salSchema, req.query);
      let near;
      if (q.proximity !== undefined && !q.postcode) throw new ValidationError({ postcode: 'Enter a postcode to search by distance' });
      if (q.postcode) {
        const c = await dir.locate(q.postcode);
        near = { latitude: c.latitude, longitude: c.longitude, metres: q.proximity, box: q.proximity !== undefined ? boundingBox(c.latitude, c.longitude, q.proximity) : undefined };
      }
      const r = await dir.repository.serviceAtLocations({ text: q.search ?? q.text, termId: q.taxonomy_term_id, near }, q.page, q.per_page);
      return page(
        r.rows.map((x) => orukServiceAtLocation(x.id, x.service, x.organization, x.location)),
        r.total,
        q.page,
        q.per_page,
      );
    }),
  );

  router.get(
    '/api/oruk/service_at_locations/:id',
    wrap(async (req) => {
      const x = await dir.repository.serviceAtLocation(uuidOr404(req.params.id, 'service at location'));
      if (!x || !x.service.published) throw new NotFoundError('No such service at location');
      return orukServiceAtLocation(x.id, x.service, x.organization, x.location);
    }),
  );

  router.get(
    '/api/oruk/taxonomies',
    wrap(async (req) => {
      const q = parse(pagingSchema, req.query);
      const all = (await dir.repository.taxonomies()).filter((t) => !q.search || t.name.toLowerCase().includes(q.search.toLowerCase()));
      const slice = all.slice((q.page - 1) * q.per_page, q.page * q.per_page);
      return page(slice.map((t) => orukTaxonomy(t)), all.length, q.page, q.per_page);
    }),
  );

  router.get(
    '/api/oruk/taxonomies/:id',
    wrap(async (req) => {
      const t = await dir.repository.taxonomy(uuidOr404(req.params.id, 'taxonomy'));
      if (!t) throw new NotFoundError('No such taxonomy');
      return orukTaxonomy(t, await dir.repository.terms({ taxonomyId: t.id }));
    }),
  );

  router.get(
    '/api/oruk/taxonomy_terms',
    wrap(async (req) => {
      const q = parse(pagingSchema, req.query);
      const [terms, taxonomies] = await Promise.all([dir.repository.terms({ taxonomyId: q.taxonomy_id, text: q.search }), dir.repository.taxonomies()]);
      const names = new Map(taxonomies.map((t) => [t.id, t.name]));
      const slice = terms.slice((q.page - 1) * q.per_page, q.page * q.per_page);
      return page(slice.map((t) => orukTerm(t, t.taxonomyId ? names.get(t.taxonomyId) : undefined)), terms.length, q.page, q.per_page);
    }),
  );

  router.get(
    '/api/oruk/taxonomy_terms/:id',
    wrap(async (req) => {
      const t = await dir.repository.term(uuidOr404(req.params.id, 'taxonomy term'));
      if (!t) throw new NotFoundError('No such taxonomy term');
      const tax = t.taxonomyId ? await dir.repository.taxonomy(t.taxonomyId) : undefined;
      return orukTerm(t, tax?.name);
    }),
  );

  return router;
}

