import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiRegistry } from '../../src/web/api/registry.ts';
import { setupErrorHandling } from '../../src/web/setup/errors.ts';
import { createLogger } from '../../src/logger.ts';

function appWith(registry: ApiRegistry) {
  const app = express();
  app.use((req, _res, next) => {
    req.requestId = 'test-request';
    next();
  });
  app.use(express.json());
  const router = express.Router();
  registry.mount(router);
  app.use(router);
  app.set('views', []);
  setupErrorHandling(app, createLogger('silent'));
  return app;
}

describe('API registry', () => {
  const registry = new ApiRegistry();
  const Thing = registry.component('Thing', z.object({ id: z.uuid(), size: z.number().int().min(1) }));
  registry.add({
    method: 'post',
    path: '/api/v1/things/:id',
    operationId: 'putThing',
    summary: 'Store a thing',
    tags: ['Things'],
    secured: true,
    request: {
      params: z.object({ id: z.uuid('must be a UUID') }),
      query: z.object({ dryRun: z.enum(['true', 'false']).optional().meta({ description: 'Only check' }) }),
      body: z.object({ size: z.number('size must be a number').int().min(1, 'size must be at least 1') }),
    },
    responses: { 201: { description: 'Stored', schema: Thing } },
    handler: async ({ params, body }) => ({ id: params.id, size: body.size }),
  });

  it('validates path, query and body, naming each field at fault', async () => {
    const res = await request(appWith(registry)).post('/api/v1/things/nope?dryRun=maybe').send({ size: 0 }).expect(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.fields).toMatchObject({ 'path.id': 'must be a UUID' });
    const res2 = await request(appWith(registry))
      .post('/api/v1/things/01890000-0000-7000-8000-000000000001?dryRun=maybe')
      .send({ size: 0 })
      .expect(400);
    expect(Object.keys(res2.body.error.fields)).toEqual(['query.dryRun']);
    const res3 = await request(appWith(registry)).post('/api/v1/things/01890000-0000-7000-8000-000000000001').send({ size: 0 }).expect(400);
    expect(res3.body.error.fields).toEqual({ 'body.size': 'size must be at least 1' });
  });

  it('answers with the first success status declared', async () => {
    const res = await request(appWith(registry)).post('/api/v1/things/01890000-0000-7000-8000-000000000001').send({ size: 3 }).expect(201);
    expect(res.body).toEqual({ id: '01890000-0000-7000-8000-000000000001', size: 3 });
  });

  it('describes the same route in OpenAPI from the same schemas', () => {
    const doc = registry.openApiDocument({ version: '1.0.0' }) as {
      paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string; required: boolean; description?: string }>; requestBody: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const op = doc.paths['/api/v1/things/{id}']!.post!;
    expect(op.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      expect.objectContaining({ name: 'dryRun', in: 'query', required: false, description: 'Only check' }),
    ]);
    expect(op.responses['201']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '400', '401']));
    expect(doc.components.schemas).toHaveProperty('PutThingRequest');
  });
});
