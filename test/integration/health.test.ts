import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeDatabase } from '../support/database.ts';

describe(`health endpoints (${describeDatabase()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('/ping answers without a session or database', async () => {
    const res = await request(t.app).get('/ping').expect(200);
    expect(res.body).toEqual({ status: 'pong' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('/health is UP when the database answers', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body.status).toBe('UP');
    expect(res.body.components.database.status).toBe('UP');
  });

  it('/info gives version and commit', async () => {
    const res = await request(t.app).get('/info').expect(200);
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof res.body.commit).toBe('string');
  });

  it('/health is DOWN with 503 once the database is gone', async () => {
    const other = await createTestApp();
    await other.close();
    const res = await request(other.app).get('/health').expect(503);
    expect(res.body.status).toBe('DOWN');
  });
});

describe('static assets', () => {
  it('serves GOV.UK Frontend CSS without the GOV.UK font', async () => {
    const t = await createTestApp();
    try {
      const res = await request(t.app).get('/assets/govuk-frontend.min.css').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/css/);
      expect(res.text).toContain('.govuk-button');
      expect(res.text).not.toMatch(/@font-face/);
      expect(res.text).not.toContain('/assets/fonts/');
      await request(t.app).get('/assets/govuk-frontend.min.css').set('If-None-Match', res.headers.etag!).expect(304);
      await request(t.app).get('/assets/fonts/bold-b542beb274-v2.woff2').expect(404);
    } finally {
      await t.close();
    }
  });
});
