import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('API documentation', () => {
  it('describes the routes and the schemas they validate', async () => {
    const r = await t.client().get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const gates = r.body.paths['/api/compounds/{cid}/gates'];
    expect(gates.post.summary).toMatch(/gate/i);
    expect(gates.post.requestBody.content['application/json'].schema.properties.name.type).toBe('string');
    expect(gates.post.parameters).toEqual([expect.objectContaining({ name: 'cid', in: 'path', required: true })]);
    expect(r.body.paths['/api/auth/login'].post).toBeDefined();
    expect(r.body.paths['/api/users/{id}'].patch.requestBody).toBeDefined();
  });

  it('serves interactive docs from local files (no internet at the gate)', async () => {
    const page = await t.client().get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js');
    const js = await t.app.request('http://localhost/api/docs/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100_000);
  });

  it('answers /healthz with the database kind and version', async () => {
    const r = await t.client().get('/healthz');
    expect(r.body).toEqual({ ok: true, database: t.database.kind, version: 'test', https: 'off', certificateExpiresAt: null });
  });
});
