// An attacker's view: every route × every role, every route against another tenant's objects,
// thousands of malformed requests, and what reaches the logs. The route list comes from the
// OpenAPI document, so a route added later without an entry here fails the first test.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeys, auditEvents, invitations, passwordResets } from '../../src/db/schema.ts';
import type { Role } from '../../src/orgs/roles.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { emulatorFetch } from '../helpers/seed.ts';
import {
  assistantBody,
  createAssistant,
  EMULATOR_KEY,
  linkToken,
  OWNER,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/test-app.ts';

/** `gone`: answers 410 to everyone (a route kept in the document only to say where to go instead). */
type Access = 'public' | 'signed-in' | 'gone' | Role;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Who may call each documented route, in the caller's active organization. */
const ACCESS: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /auth/login': 'public',
  'POST /auth/password-reset': 'public',
  'POST /auth/password-reset/{token}': 'public',
  'POST /auth/logout': 'signed-in',
  'POST /auth/password': 'signed-in',
  'GET /auth/me': 'signed-in',
  'POST /auth/active-org': 'signed-in',
  'GET /orgs': 'signed-in',
  'POST /orgs': 'signed-in',
  'GET /orgs/{orgId}/members': 'admin',
  'POST /orgs/{orgId}/members': 'gone',
  'PATCH /orgs/{orgId}/members/{userId}': 'admin',
  'DELETE /orgs/{orgId}/members/{userId}': 'admin',
  'GET /orgs/{orgId}/invitations': 'admin',
  'POST /orgs/{orgId}/invitations': 'admin',
  'DELETE /orgs/{orgId}/invitations/{invitationId}': 'admin',
  'GET /invitations/{token}': 'public',
  'POST /invitations/{token}/accept': 'public',
  'GET /orgs/{orgId}/api-keys': 'admin',
  'POST /orgs/{orgId}/api-keys': 'admin',
  'DELETE /orgs/{orgId}/api-keys/{keyId}': 'admin',
  'GET /orgs/{orgId}/audit': 'admin',
  'GET /orgs/{orgId}/connections': 'viewer',
  'POST /orgs/{orgId}/connections': 'admin',
  'GET /orgs/{orgId}/connections/{connectionId}': 'viewer',
  'PATCH /orgs/{orgId}/connections/{connectionId}': 'admin',
  'DELETE /orgs/{orgId}/connections/{connectionId}': 'admin',
  'POST /orgs/{orgId}/connections/{connectionId}/check': 'admin',
  'POST /orgs/{orgId}/connections/{connectionId}/default': 'admin',
  'GET /providers': 'viewer',
  'GET /whoami': 'viewer',
  'GET /connections': 'viewer',
  'GET /assistants': 'viewer',
  'POST /assistants': 'editor',
  'GET /assistants/{id}': 'viewer',
  'PATCH /assistants/{id}': 'editor',
  'DELETE /assistants/{id}': 'admin',
  'GET /assistants/{id}/versions': 'viewer',
  'GET /assistants/{id}/versions/{n}': 'viewer',
  'POST /assistants/{id}/versions/{n}/restore': 'editor',
  'POST /assistants/{id}/sync': 'editor',
  'POST /assistants/import': 'editor',
  'POST /assistants/bulk': 'editor',
  'GET /jobs': 'viewer',
  'GET /jobs/{id}': 'viewer',
  'POST /jobs/{id}/cancel': 'editor',
};
const ROLE_ORDER: Role[] = ['viewer', 'editor', 'admin', 'owner'];

let t: TestApp;
let documented: string[];
/** Routes whose OpenAPI security accepts an organization API key. */
let keyRoutes: Set<string>;
const logLines: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ logLines });
  // Jobs stay queued here, so each job route meets a live job.
  await t.services.jobRunner.stop();
  const doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
  documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  keyRoutes = new Set(
    Object.entries(
      doc.paths as Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.some((scheme) => 'apiKeyAuth' in scheme))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    ),
  );
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.faults = noFaults();
});

/** Fresh objects for one call of a route, so allowed calls do not disturb each other. */
async function requestFor(route: string): Promise<{ method: Method; url: string; body?: unknown }> {
  const [method, template] = route.split(' ') as [Method, string];
  const onJob = template.startsWith('/jobs/{id}');
  const a = template.includes('{id}') && !onJob ? await createAssistant(t) : undefined;
  const job = onJob ? await queuedJob() : undefined;
  const member = template.includes('{userId}') ? await t.userWithRole('viewer') : undefined;
  const key = template.includes('{keyId}') ? await t.createApiKey('viewer') : undefined;
  const invitation = template.includes('{invitationId}') ? await newInvitation() : undefined;
  // The default stays the emulator's connection; every other connection route gets a fresh sandbox.
  const connectionId = !template.includes('{connectionId}')
    ? undefined
    : template.endsWith('/default')
      ? t.connectionId
      : (await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections`, sandboxBody())).json().id;
  const url = template
    .replace('{id}', job ?? a?.id ?? '')
    .replace('{n}', '1')
    .replace('{orgId}', t.orgId)
    .replace('{userId}', member?.userId ?? '')
    .replace('{keyId}', key?.id ?? '')
    .replace('{invitationId}', invitation?.id ?? '')
    .replace('{connectionId}', connectionId ?? '');
  const bodies: Record<string, unknown> = {
    'POST /auth/login': { email: OWNER.email, password: OWNER.password },
    'POST /auth/active-org': { orgId: t.orgId },
    'POST /orgs': { name: 'Matrix org' },
    'POST /orgs/{orgId}/invitations': {
      email: `m-${randomBytes(4).toString('hex')}@example.com`,
      role: 'viewer',
    },
    'PATCH /orgs/{orgId}/members/{userId}': { role: 'viewer' },
    'POST /orgs/{orgId}/api-keys': { name: 'Matrix key', role: 'viewer' },
    'POST /orgs/{orgId}/connections': sandboxBody(),
    'PATCH /orgs/{orgId}/connections/{connectionId}': { name: `Renamed ${randomBytes(4).toString('hex')}` },
    'POST /assistants': assistantBody(),
    'PATCH /assistants/{id}': { name: 'Matrix' },
    'POST /assistants/import': {
      connectionId: t.connectionId,
      providerAssistantId: (await emulatorFetch(t, 'POST', '/assistant', { name: 'Importable' })).body.id,
    },
    'POST /assistants/bulk': { ids: [(await createAssistant(t)).id], patch: { name: 'Bulk matrix' } },
  };
  return { method, url, body: bodies[route] };
}

/** A bulk job of the owner's organization, queued (the runner is stopped in this file). */
async function queuedJob(): Promise<string> {
  const res = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
    ids: [(await createAssistant(t)).id],
    patch: { name: 'Queued' },
  });
  if (res.statusCode !== 202) throw new Error(`bulk failed: ${res.statusCode} ${res.body}`);
  return res.json().job.id;
}

/** A pending invitation of the owner's organization, made by the owner. */
async function newInvitation(): Promise<{ id: string; acceptUrl: string }> {
  const res = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
    email: `i-${randomBytes(4).toString('hex')}@example.com`,
    role: 'viewer',
  });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

function sandboxBody() {
  return { provider: 'sandbox', name: `Sandbox ${randomBytes(4).toString('hex')}` };
}

describe('route table', () => {
  it('every documented route has an access rule here, and every rule a route', () => {
    expect([...documented].sort()).toEqual(Object.keys(ACCESS).sort());
  });
});

describe('role matrix', () => {
  it('each role × each route: below the route’s role is 403, at or above it is let through', async () => {
    const users: Record<Role, TestUser> = {
      viewer: await t.userWithRole('viewer'),
      editor: await t.userWithRole('editor'),
      admin: await t.userWithRole('admin'),
      owner: t.owner,
    };
    const outcomes: string[] = [];
    for (const [route, access] of Object.entries(ACCESS)) {
      // Logout and password change act on the caller's own session; auth-orgs.test.ts covers them.
      if (access === 'public' || access === 'gone') continue;
      if (route === 'POST /auth/logout' || route === 'POST /auth/password') continue;
      for (const role of ROLE_ORDER) {
        const { method, url, body } = await requestFor(route);
        const res = await t.request(users[role].cookie, method, url, body);
        const allowed = access === 'signed-in' || ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(access);
        const ok = allowed ? res.statusCode < 400 : res.statusCode === 403;
        if (!ok) outcomes.push(`${role} ${route} → ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('API keys: each key role × each assistant route as for members; every other non-public route is a 401', async () => {
    const keys = Object.fromEntries(
      await Promise.all(ROLE_ORDER.map(async (role) => [role, await t.createApiKey(role)] as const)),
    );
    const outcomes: string[] = [];
    for (const [route, access] of Object.entries(ACCESS)) {
      if (access === 'public' || access === 'gone') continue;
      const onAssistants = keyRoutes.has(route);
      expect(onAssistants).toBe(/^\w+ \/(assistants|providers|jobs|whoami|connections)/.test(route));
      for (const role of ROLE_ORDER) {
        const { method, url, body } = await requestFor(route);
        const res = await t.request(undefined, method, url, body, keys[role]?.headers);
        const allowed = access !== 'signed-in' && ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(access);
        const expected = !onAssistants ? 'status 401' : allowed ? 'let through' : 'status 403';
        const actual = res.statusCode < 400 ? 'let through' : `status ${res.statusCode}`;
        if (actual !== expected)
          outcomes.push(`${role} key ${route} → ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('without a session every non-public route is a 401', async () => {
    const failures: string[] = [];
    for (const [route, access] of Object.entries(ACCESS)) {
      if (access === 'public' || access === 'gone') continue;
      const { method, url, body } = await requestFor(route);
      const res = await t.request(undefined, method, url, body);
      if (res.statusCode !== 401) failures.push(`${route} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('a gone route is a 410 for everyone: every role, an API key, no session', async () => {
    const key = await t.createApiKey('admin');
    const callers: Array<[string | undefined, Record<string, string>]> = [
      [(await t.userWithRole('viewer')).cookie, {}],
      [t.owner.cookie, {}],
      [undefined, key.headers],
      [undefined, {}],
    ];
    const failures: string[] = [];
    for (const [route, access] of Object.entries(ACCESS)) {
      if (access !== 'gone') continue;
      for (const [cookie, headers] of callers) {
        const { method, url, body } = await requestFor(route);
        const res = await t.request(cookie, method, url, body, headers);
        if (res.statusCode !== 410) failures.push(`${route} → ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('tenant isolation matrix', () => {
  it('an owner of another organization gets 404 for this one’s objects, by local and provider id, on every route', async () => {
    const outsider = await t.userWithRole('viewer');
    const theirOrg = (await t.request(outsider.cookie, 'POST', '/orgs', { name: 'Outsider Inc' })).json();
    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${outsider.userId}`);
    await t.request(outsider.cookie, 'POST', '/auth/active-org', { orgId: theirOrg.orgId });
    const victim = await createAssistant(t);
    const victimKey = await t.createApiKey('viewer');
    const victimInvitation = await newInvitation();
    const victimJob = await queuedJob();
    t.emulator.requests.length = 0;
    const failures: string[] = [];
    for (const route of Object.keys(ACCESS).filter(
      (r) => ACCESS[r] !== 'gone' && /\{(id|orgId|userId|keyId|invitationId|connectionId)\}/.test(r),
    )) {
      const [method, template] = route.split(' ') as [Method, string];
      for (const id of [victim.id, victim.providerAssistantId]) {
        if (!template.includes('{id}') && id !== victim.id) continue;
        const url = template
          .replace('{id}', template.startsWith('/jobs/') ? victimJob : id)
          .replace('{n}', '1')
          .replace('{orgId}', t.orgId)
          .replace('{userId}', t.owner.userId)
          .replace('{keyId}', victimKey.id)
          .replace('{invitationId}', victimInvitation.id)
          .replace('{connectionId}', t.connectionId);
        const bodies: Record<string, unknown> = {
          'POST /orgs/{orgId}/connections': sandboxBody(),
          'PATCH /orgs/{orgId}/connections/{connectionId}': { name: 'Stolen' },
          'POST /orgs/{orgId}/invitations': { email: 'x@example.com', role: 'viewer' },
          'POST /orgs/{orgId}/api-keys': { name: 'Stolen', role: 'viewer' },
          'PATCH /orgs/{orgId}/members/{userId}': { role: 'viewer' },
          'PATCH /assistants/{id}': { name: 'Stolen' },
        };
        const body = bodies[route];
        const res = await t.request(outsider.cookie, method, url, body);
        if (res.statusCode !== 404)
          failures.push(`${route} (${id === victim.id ? 'local id' : 'provider id'}) → ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
    expect(t.emulator.requests).toEqual([]);
    const token = new URL(victimInvitation.acceptUrl).pathname.split('/').at(-1);
    expect((await t.request(undefined, 'GET', `/invitations/${token}`)).statusCode).toBe(200);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${victim.id}`)).json()).toMatchObject({
      version: 1,
      name: victim.name,
    });
  });
});

describe('bad input', () => {
  const envelopeOk = (res: { statusCode: number; body: string; json(): any }) => {
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const body = res.json();
    expect(typeof body.message).toBe('string');
    expect(body.message.length).toBeGreaterThan(0);
    expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  };

  const hostileKey = fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'name',
      'model',
      'voice',
      'temperature',
      'toString',
    ),
    fc.string({ maxLength: 12 }),
  );
  const hostileValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 30 }),
      fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '\u202e', '"', '\\', 'é', '💥'), maxLength: 10 }),
      fc.constantFrom('0.5', '1e3', 'NaN', 'Infinity', '-0', 'true', 'null', ''),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const hostileBody = fc.oneof(
    fc.dictionary(hostileKey, hostileValue, { maxKeys: 5 }),
    fc.record({ model: fc.dictionary(hostileKey, hostileValue, { maxKeys: 4 }) }),
    fc.record({ voice: hostileValue, transcriber: hostileValue }),
    hostileValue,
  );

  it('thousands of malformed PATCH bodies: a 4xx envelope, no provider call, no change', async () => {
    const a = await createAssistant(t);
    t.emulator.requests.length = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        const res = await t.app.inject({
          method: 'PATCH',
          url: `/assistants/${a.id}`,
          headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
          payload: JSON.stringify(body) ?? 'null',
        });
        if (res.statusCode === 200) {
          accepted++;
          return;
        }
        envelopeOk(res);
      }),
      { numRuns: 1500 },
    );
    const after = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
    // Only the rare body that is a valid patch (such as {}) is accepted; none changed anything.
    expect(t.emulator.received('PATCH')).toHaveLength(after.version - 1);
    expect(accepted).toBeLessThan(1500);
  });

  it('malformed create, login, invitation and reset bodies are 4xx envelopes with no provider call', async () => {
    t.emulator.requests.length = 0;
    const invite = `/orgs/${t.orgId}/invitations`;
    const accept = `/invitations/${'x'.repeat(43)}/accept`;
    const reset = `/auth/password-reset/${'x'.repeat(43)}`;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/assistants', '/auth/login', invite, accept, reset, '/assistants/import'),
        hostileBody,
        async (url, body) => {
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
            payload: JSON.stringify(body) ?? 'null',
          });
          envelopeOk(res);
        },
      ),
      { numRuns: 1000 },
    );
    expect(t.emulator.received('POST')).toEqual([]);
  });

  it('raw garbage, wrong content types, huge and deeply nested bodies, odd ids', async () => {
    const a = await createAssistant(t);
    const cases: Array<{ payload: string; type: string; status?: number }> = [
      { payload: '{"name": "x"', type: 'application/json', status: 400 },
      { payload: 'name=x', type: 'application/x-www-form-urlencoded', status: 415 },
      { payload: '<xml/>', type: 'text/xml', status: 415 },
      { payload: '{"name": "x"}', type: 'text/plain', status: 415 },
      { payload: '{"name": "x"}', type: 'text/plain; charset=utf-8', status: 415 },
      { payload: '', type: 'application/json', status: 400 },
      { payload: JSON.stringify({ name: 'x'.repeat(2_200_000) }), type: 'application/json', status: 413 },
      { payload: `${'['.repeat(5000)}${']'.repeat(5000)}`, type: 'application/json' },
      { payload: `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`, type: 'application/json' },
      {
        payload: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
        type: 'application/json',
        status: 400,
      },
    ];
    for (const c of cases) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/assistants/${a.id}`,
        headers: { cookie: t.owner.cookie, 'content-type': c.type },
        payload: c.payload,
      });
      envelopeOk(res);
      if (c.status)
        expect({ type: c.type, status: res.statusCode }).toEqual({ type: c.type, status: c.status });
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    for (const payload of ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}']) {
      const poisoned = await t.app.inject({
        method: 'PATCH',
        url: `/assistants/${a.id}`,
        headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
        payload,
      });
      expect(poisoned.json()).toMatchObject({
        code: 'forbidden_key',
        message: expect.stringContaining('__proto__'),
      });
    }
    for (const id of [
      '%00',
      '..%2F..%2Fetc',
      "1' or '1'='1",
      'x'.repeat(500),
      '00000000-0000-0000-0000-000000000000',
    ]) {
      const res = await t.request(t.owner.cookie, 'GET', `/assistants/${id}`);
      envelopeOk(res);
    }
    expect(t.emulator.received('PATCH')).toEqual([]);
  });
});

describe('secrets and headers', () => {
  it('passwords, session tokens, link tokens, API key secrets, password hashes and the provider key never reach a response, a log line or the audit log', async () => {
    logLines.length = 0;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const email = `secret-${randomBytes(3).toString('hex')}@example.com`;
    // The invitation's own creation answer is the one place its link appears; it is left out here.
    const invited = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/invitations`, {
      email,
      role: 'editor',
    });
    const invitationToken = new URL(invited.json().acceptUrl).pathname.split('/').at(-1) as string;
    const preview = await t.request(undefined, 'GET', `/invitations/${invitationToken}`);
    const added = await t.request(undefined, 'POST', `/invitations/${invitationToken}/accept`, {
      name: 'Secretive',
      password: `${password}-first`,
    });
    // The operator's answer is the one place a reset link appears.
    const resetToken = linkToken((await t.services.passwordResets.issueLink(email, 'http://localhost')).link);
    const reset = await t.request(undefined, 'POST', `/auth/password-reset/${resetToken}`, { password });
    expect([preview.statusCode, added.statusCode, reset.statusCode]).toEqual([200, 201, 204]);
    const login = await t.request(undefined, 'POST', '/auth/login', { email, password });
    const token = login.cookies.find((c) => c.name === 'auth-token')?.value as string;
    const cookie = `auth-token=${token}`;
    await t.request(undefined, 'POST', '/auth/login', { email, password: 'wrong-password' });
    const responses = [
      preview,
      added,
      reset,
      login,
      await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/invitations`),
      await t.request(cookie, 'GET', '/auth/me'),
      await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/members`),
      await t.request(cookie, 'POST', '/assistants', assistantBody()),
    ];
    t.emulator.faults.failures = [{ status: 500, times: 10 }];
    responses.push(await t.request(cookie, 'POST', '/assistants', assistantBody()));
    t.emulator.faults.failures = [];
    // The key's own creation answer is the one place its secret appears; it is left out here.
    const key = await t.createApiKey('editor');
    responses.push(
      await t.request(undefined, 'POST', '/assistants', assistantBody(), key.headers),
      await t.request(undefined, 'GET', '/assistants', undefined, { authorization: `Bearer ${key.secret}x` }),
      await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/api-keys`),
      await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?limit=200`),
    );
    const stored = JSON.stringify([
      await t.database.db.select().from(auditEvents),
      await t.database.db.select().from(apiKeys),
      await t.database.db.select().from(invitations),
      await t.database.db.select().from(passwordResets),
    ]);
    const everything = [...responses.map((r) => r.body), ...logLines, stored].join('\n');
    expect(logLines.length).toBeGreaterThan(5);
    for (const secret of [
      password,
      `${password}-first`,
      token,
      invitationToken,
      resetToken,
      key.secret,
      EMULATOR_KEY,
      '$argon2id$',
      'passwordHash',
      'wrong-password',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('sends the API set on every JSON answer, errors and unknown paths included: never cached, never a page', async () => {
    const a = await createAssistant(t);
    const answers = [
      await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`),
      await t.request(undefined, 'GET', '/healthz'),
      await t.request(undefined, 'GET', '/assistants'),
      await t.request(undefined, 'GET', '/no-such-path'),
    ];
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 401, 404]);
    for (const res of answers) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['strict-transport-security']).toBeDefined();
      // Headers that only steer a page stay off a JSON answer.
      expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it("sends helmet's page set on pages: the dashboard and the API reference", async () => {
    for (const path of ['/', '/docs']) {
      const res = await t.request(undefined, 'GET', path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy'], path).toContain("default-src 'self'");
      // The API reference uses inline styles; plain HTTP (COOKIE_SECURE=false in tests) must not
      // upgrade every asset request.
      expect(res.headers['content-security-policy'], path).toContain("style-src 'self' 'unsafe-inline'");
      expect(res.headers['content-security-policy'], path).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options'], path).toBe('SAMEORIGIN');
      expect(res.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['cache-control'], path).not.toBe('no-store');
    }
  });
});

describe('NUL characters', () => {
  it('are refused in bodies, paths and queries before any provider call, naming the field', async () => {
    const a = await createAssistant(t);
    t.emulator.requests.length = 0;
    const patch = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      name: 'a\u0000b',
      model: { systemPrompt: '\u0000' },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().details).toEqual([
      { field: 'name', message: 'must not contain the NUL character (\\u0000)' },
      { field: 'model.systemPrompt', message: 'must not contain the NUL character (\\u0000)' },
    ]);
    expect((await t.request(t.owner.cookie, 'GET', '/assistants/%00')).statusCode).toBe(400);
    expect((await t.request(t.owner.cookie, 'GET', '/assistants?q=%00')).statusCode).toBe(400);
    expect(
      (await t.request(undefined, 'POST', '/auth/login', { email: 'a\u0000@b.c', password: 'x' })).statusCode,
    ).toBe(400);
    expect(t.emulator.requests).toEqual([]);
  });
});
