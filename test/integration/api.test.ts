import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

const CLI = { userId: null, label: 'test', organisationId: null, roles: [] };

describe(`JSON API (${describeDatabase()})`, () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.services.auth.createApiToken('police.officer@police.northbridge.example', { by: CLI })).token;
  });
  afterAll(async () => t?.close());

  it('GET /api/v1/me answers who the caller is, and audits the read', async () => {
    const res = await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toMatchObject({
      email: 'police.officer@police.northbridge.example',
      displayName: 'DC Lewis Hart',
      organisation: { name: 'Northbridge Police', type: 'police', officialCode: '98' },
      roles: ['mash_officer', 'practitioner'],
      teams: [{ name: 'Public Protection Unit' }],
      authenticatedBy: 'api-token',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    const entry = (await t.services.audit.search({ action: 'api.me.read', limit: 1 }))[0];
    expect(entry).toMatchObject({ actorLabel: 'police.officer@police.northbridge.example', requestId: res.headers['x-request-id'] });
  });

  it.each([
    ['no header', undefined],
    ['a malformed header', 'Token abc'],
    ['an unknown token', 'Bearer ta_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('answers 401 JSON with %s, on known and unknown routes and any method', async (_label, header) => {
    for (const [method, path] of [
      ['get', '/api/v1/me'],
      ['get', '/api/v1/no-such-thing'],
      ['post', '/api/v1/me'],
      ['delete', '/api/v1/anything/at/all'],
    ] as const) {
      let req = request(t.app)[method](path);
      if (header) req = req.set('Authorization', header);
      const res = await req.send(method === 'post' ? '{not json' : undefined).set('Content-Type', 'application/json');
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.body.error.message).toBeTruthy();
    }
  });

  it('refuses an expired token and a deactivated practitioner\'s token', async () => {
    const short = await t.services.auth.createApiToken('gp@riverside.northbridge.example', { by: CLI, expiresInMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${short.token}`).expect(401);
    const hv = await t.services.auth.createApiToken('health.visitor@nhs.northbridge.example', { by: CLI });
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${hv.token}`).expect(200);
    await t.services.repositories.users.setStatus(hv.user.id, 'deactivated', new Date());
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${hv.token}`).expect(401);
  });

  it('records when a token was last used (at most once a minute) and refuses it once revoked', async () => {
    const gp = await t.services.auth.createApiToken('gp@riverside.northbridge.example', { by: CLI, name: 'last used' });
    const lastUsed = async () => (await t.services.repositories.credentials.listApiTokens(gp.user.id)).find((r) => r.name === 'last used')?.lastUsedAt ?? null;
    expect(await lastUsed()).toBeNull();
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${gp.token}`).expect(200);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${gp.token}`).expect(200);
    expect((await lastUsed())?.getTime()).toBe(first!.getTime());
    await t.services.repositories.credentials.revokeApiTokensOf(gp.user.id, new Date());
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${gp.token}`).expect(401);
  });

  it('keeps a token\'s principal for a few seconds, but any change to principals in this process ends that at once', async () => {
    const me = () => request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    await me().expect(200);
    const officer = (await t.services.repositories.users.findByEmail('police.officer@police.northbridge.example'))!;
    try {
      // Another process deactivating the account (plain SQL here) is seen only when the kept principal ends
      // (API_TOKEN_CACHE_SECONDS, 5 by default: decision 0011)...
      await t.services.database.query(`update app_user set status = 'deactivated' where id = $1`, [officer.id]);
      await me().expect(200);
      // ...but any change to principals made in this process (here, an unrelated practitioner's tokens revoked) ends it at once.
      const gp = (await t.services.repositories.users.findByEmail('gp@riverside.northbridge.example'))!;
      await t.services.repositories.credentials.revokeApiTokensOf(gp.id, new Date());
      await me().expect(401);
    } finally {
      await t.services.repositories.users.setStatus(officer.id, 'active', new Date());
    }
    await me().expect(200);
  });

  it('answers 404 JSON for an unknown route with a valid token, whatever the method', async () => {
    const res = await request(t.app).get('/api/v1/nothing-here').set('Authorization', `Bearer ${token}`).expect(404);
    expect(res.body.error.code).toBe('not_found');
    const post = await request(t.app).post('/api/v1/nothing-here').set('Authorization', `Bearer ${token}`).send({ a: 1 }).expect(404);
    expect(post.body.error.code).toBe('not_found');
  });

  it('ignores a request id sent by the client unless a trusted proxy is configured', async () => {
    const res = await request(t.app).get('/ping').set('X-Request-Id', 'chosen-by-client-123');
    expect(res.headers['x-request-id']).not.toBe('chosen-by-client-123');
  });

  it('publishes a valid OpenAPI 3.1 document whose schemas match what the API returns', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.paths['/api/v1/me'].get.security).toEqual([{ bearerAuth: [] }]);

    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const me = (await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body;
    const validateMe = ajv.compile({ $ref: 'doc#/components/schemas/Me' });
    expect(validateMe(me), JSON.stringify(validateMe.errors)).toBe(true);
    const err = (await request(t.app).get('/api/v1/me')).body;
    const validateError = ajv.compile({ $ref: 'doc#/components/schemas/Error' });
    expect(validateError(err), JSON.stringify(validateError.errors)).toBe(true);
  });
});
