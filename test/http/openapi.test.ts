// The OpenAPI document: valid 3.1 that Redocly's recommended rules accept, carrying the seed's
// descriptions, and honest: real responses validate against the schemas it declares.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('passes Redocly lint (recommended rules) with no errors', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: { 'operation-4xx-response': 'off' },
    });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it('is OpenAPI 3.1 with cookie auth modelled as apiKey, as the seed says', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'auth-token',
    });
    expect(doc.components.securitySchemes.cookieAuth.description).toContain(
      'This spec models the cookie using apiKey-style auth for documentation purposes.',
    );
  });

  it('carries the seed’s descriptions for PATCH /assistants/{id}', () => {
    const op = doc.paths['/assistants/{id}'].patch;
    expect(op.description).toContain(
      'Updates an existing assistant in both the external provider and the local database using a partial configuration payload.',
    );
    expect(op.parameters.find((p: any) => p.name === 'id').description).toBe(
      'Assistant identifier (external provider ID or local DB ID).',
    );
    const body = op.requestBody.content['application/json'].schema;
    expect(body.description).toBe(
      'Partial update payload for an existing assistant. All fields are optional.',
    );
    expect(body.properties.name.description).toBe('Assistant display name.');
    expect(body.properties.model.description).toContain('which "brain" the agent uses');
    expect(body.properties.model.properties.temperature.description).toContain('Controls creativity.');
    expect(body.properties.voice.properties.voiceId.description).toBe(
      'Voice identifier within the chosen provider.',
    );
    expect(body.properties.transcriber.properties.model.description).toBe(
      'Optional model identifier, depending on the provider.',
    );
    expect(op.responses['200'].description).toBe('Assistant updated successfully.');
    expect(op.responses['404'].description).toBe('Assistant not found.');
    expect(op.responses['500'].description).toBe(
      'Error updating assistant or communicating with the external provider.',
    );
    // The seed folds a lacking role into its 401; Switchboard answers 403 for it and documents both.
    expect(op.responses['401'].description).toBe('Not authenticated or lacking permission to update agents.');
    expect(op.responses['403'].description).toMatch(/role lacks the permission/);
    expect(op.responses['412']).toBeDefined();
    expect(op.responses['500'].content['application/json'].schema.description).toBe(
      'Standard error response envelope.',
    );
  });

  it('real responses validate against the schemas the document declares', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const check = (path: string, method: string, status: number, body: unknown) => {
      const schema = doc.paths[path][method].responses[String(status)].content['application/json'].schema;
      const valid = ajv.validate(schema, body);
      expect({ path, method, status, errors: ajv.errors ?? null }).toEqual({
        path,
        method,
        status,
        errors: null,
      });
      return valid;
    };
    const a = await createAssistant(t);
    check('/assistants', 'post', 201, a);
    check(
      '/assistants/{id}',
      'get',
      200,
      (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json(),
    );
    const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      model: { temperature: 1 },
    });
    check('/assistants/{id}', 'patch', 200, patched.json());
    const invalid = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      model: { temperature: 9 },
    });
    check('/assistants/{id}', 'patch', 400, invalid.json());
    check(
      '/assistants/{id}',
      'patch',
      401,
      (await t.request(undefined, 'PATCH', `/assistants/${a.id}`, {})).json(),
    );
    check(
      '/assistants/{id}',
      'patch',
      404,
      (await t.request(t.owner.cookie, 'PATCH', '/assistants/nope', {})).json(),
    );
    check('/assistants', 'get', 200, (await t.request(t.owner.cookie, 'GET', '/assistants')).json());
    check('/auth/me', 'get', 200, (await t.request(t.owner.cookie, 'GET', '/auth/me')).json());
    check(
      '/orgs/{orgId}/members',
      'get',
      200,
      (await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/members`)).json(),
    );
  });

  it('says on every route that takes a body that it answers 413 past its own limit and 415 for a body not JSON', async () => {
    const withBody = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, any>)
        .filter(([, operation]) => operation.requestBody)
        .map(([method, operation]) => ({ path, method, responses: operation.responses })),
    );
    expect(withBody.length).toBeGreaterThan(10);
    for (const { path, method, responses } of withBody) {
      const limit =
        path === '/assistants/bulk'
          ? '3 MiB'
          : (path === '/assistants' && method === 'post') ||
              (path === '/assistants/{id}' && method === 'patch')
            ? '2 MiB'
            : '256 KiB';
      expect({ path, method, description: responses['413']?.description }).toEqual({
        path,
        method,
        description: `The body is larger than ${limit}, the most this route accepts.`,
      });
      expect(responses['415'], `${method} ${path}`).toBeDefined();
    }
    // A read never takes a body, so it answers neither.
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods as Record<string, any>)) {
        if (method !== 'get') continue;
        expect([method, path, operation.responses['413'], operation.responses['415']]).toEqual([
          method,
          path,
          undefined,
          undefined,
        ]);
      }
    }

    // The real answer is the envelope the document declares, naming the limit.
    const a = await createAssistant(t);
    const tooLarge = await t.app.inject({
      method: 'PATCH',
      url: `/assistants/${a.id}`,
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({
      code: 'body_too_large',
      message: 'The body is larger than 2 MiB, the most this route accepts',
    });
    const loginTooLarge = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'x'.repeat(300 * 1024), password: 'x' }),
    });
    expect(loginTooLarge.json()).toMatchObject({
      code: 'body_too_large',
      message: 'The body is larger than 256 KiB, the most this route accepts',
    });
    const schema = doc.paths['/assistants/{id}'].patch.responses['413'].content['application/json'].schema;
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validate(schema, tooLarge.json()), JSON.stringify(ajv.errors)).toBe(true);
    const bulkTooLarge = await t.app.inject({
      method: 'POST',
      url: '/assistants/bulk',
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ ids: [a.id], patch: { name: 'x'.repeat(3 * 1024 * 1024) } }),
    });
    expect(bulkTooLarge.json()).toMatchObject({
      code: 'body_too_large',
      message: 'The body is larger than 3 MiB, the most this route accepts',
    });
  });

  it('serves a browsable reference at /docs', async () => {
    const res = await t.request(undefined, 'GET', '/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });

  it('health and readiness answer', async () => {
    expect((await t.request(undefined, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.request(undefined, 'GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });
});
