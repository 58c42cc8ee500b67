// Organization API keys: shown once, stored as a hash, never above the creator's role, scoped to
// their organization, revoked at once, exempt from the browser-only CSRF check.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeys, auditEvents } from '../../src/db/schema.ts';
import { assistantBody, createAssistant, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const keysUrl = () => `/orgs/${t.orgId}/api-keys`;
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe('creating and listing keys', () => {
  it('shows the secret once (sb_ and 256 random bits) and stores only its SHA-256', async () => {
    const res = await t.request(t.owner.cookie, 'POST', keysUrl(), { name: 'CI deploys', role: 'editor' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created.secret).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'CI deploys', role: 'editor', lastUsedAt: null });
    expect(created.createdBy).toBe(t.owner.userId);
    expect(created.prefix).toBe(created.secret.slice(0, 11));

    const [row] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.tokenHash).toBe(createHash('sha256').update(created.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.secret);

    const listed = (await t.request(t.owner.cookie, 'GET', keysUrl())).json();
    const mine = listed.find((k: { id: string }) => k.id === created.id);
    expect(mine).toMatchObject({ name: 'CI deploys', role: 'editor', prefix: created.prefix });
    expect(mine).not.toHaveProperty('secret');
    expect(JSON.stringify(listed)).not.toContain(created.secret);
  });

  it('two keys never share a secret', async () => {
    const a = await t.createApiKey('viewer');
    const b = await t.createApiKey('viewer');
    expect(a.secret).not.toBe(b.secret);
  });

  it('a key’s role is at most its creator’s', async () => {
    const admin = await t.userWithRole('admin');
    const tooHigh = await t.request(admin.cookie, 'POST', keysUrl(), { name: 'Mine', role: 'owner' });
    expect(tooHigh.statusCode).toBe(403);
    expect(tooHigh.json().message).toMatch(/cannot grant the owner role/);
    const same = await t.request(admin.cookie, 'POST', keysUrl(), { name: 'Mine', role: 'admin' });
    expect(same.statusCode).toBe(201);
    const editor = await t.userWithRole('editor');
    expect(
      (await t.request(editor.cookie, 'POST', keysUrl(), { name: 'x', role: 'viewer' })).statusCode,
    ).toBe(403);
  });

  it('refuses a bad body by name', async () => {
    const res = await t.request(t.owner.cookie, 'POST', keysUrl(), { name: '', role: 'superuser', extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/name/);
    expect(res.json().message).toMatch(/role/);
  });
});

describe('using a key', () => {
  it('works on the assistant routes as the cookie does, recorded as the key', async () => {
    const key = await t.createApiKey('editor', 'Deploy bot');
    const created = await t.request(
      undefined,
      'POST',
      '/assistants',
      assistantBody({ name: 'By key' }),
      key.headers,
    );
    expect(created.statusCode).toBe(201);
    const assistant = created.json();
    expect(assistant).toMatchObject({ orgId: t.orgId, createdBy: null, name: 'By key' });

    const patched = await t.request(
      undefined,
      'PATCH',
      `/assistants/${assistant.id}`,
      { model: { temperature: 0.3 } },
      key.headers,
    );
    expect(patched.statusCode).toBe(200);
    expect(patched.json().model.temperature).toBe(0.3);

    const versions = (
      await t.request(undefined, 'GET', `/assistants/${assistant.id}/versions`, undefined, key.headers)
    ).json();
    expect(versions.items.map((v: { actorApiKeyId: string | null }) => v.actorApiKeyId)).toEqual([
      key.id,
      key.id,
    ]);
    const list = await t.request(undefined, 'GET', '/assistants?limit=5', undefined, key.headers);
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0].id).toBe(assistant.id);
  });

  it('acts with its own role, not its creator’s', async () => {
    const viewerKey = await t.createApiKey('viewer');
    const a = await createAssistant(t);
    expect(
      (await t.request(undefined, 'GET', `/assistants/${a.id}`, undefined, viewerKey.headers)).statusCode,
    ).toBe(200);
    const patch = await t.request(
      undefined,
      'PATCH',
      `/assistants/${a.id}`,
      { name: 'No' },
      viewerKey.headers,
    );
    expect(patch.statusCode).toBe(403);
    expect(patch.json().message).toMatch(/needs the editor role.*this API key is viewer/);
  });

  it('is scoped to its organization: another organization’s assistant is a 404', async () => {
    const other = (await t.request(t.owner.cookie, 'POST', '/orgs', { name: 'Second org' })).json();
    await t.request(t.owner.cookie, 'POST', '/auth/active-org', { orgId: other.orgId });
    const elsewhere = await createAssistant(t);
    await t.request(t.owner.cookie, 'POST', '/auth/active-org', { orgId: t.orgId });
    const key = await t.createApiKey('owner');
    for (const id of [elsewhere.id, elsewhere.providerAssistantId]) {
      expect(
        (await t.request(undefined, 'GET', `/assistants/${id}`, undefined, key.headers)).statusCode,
      ).toBe(404);
    }
    const listed = (
      await t.request(undefined, 'GET', '/assistants?limit=100', undefined, key.headers)
    ).json();
    expect(listed.items.every((a: { orgId: string }) => a.orgId === t.orgId)).toBe(true);
  });

  it('is not a session: routes outside the assistants answer 401 and say so', async () => {
    const key = await t.createApiKey('owner');
    for (const url of ['/auth/me', `/orgs/${t.orgId}/members`, keysUrl(), `/orgs/${t.orgId}/audit`]) {
      const res = await t.request(undefined, 'GET', url, undefined, key.headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toMatch(/API keys work on the assistant routes only/);
    }
  });

  it('an unknown, malformed or revoked key is a 401, even next to a valid cookie', async () => {
    const key = await t.createApiKey('editor');
    for (const secret of [`${key.secret}x`, 'sb_', 'not-a-key', key.secret.slice(0, 20)]) {
      const res = await t.request(t.owner.cookie, 'GET', '/assistants', undefined, bearer(secret));
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toMatch(/API key is not valid/);
    }
    expect((await t.request(undefined, 'GET', '/assistants', undefined, key.headers)).statusCode).toBe(200);
    const revoked = await t.request(t.owner.cookie, 'DELETE', `${keysUrl()}/${key.id}`);
    expect(revoked.statusCode).toBe(204);
    expect((await t.request(undefined, 'GET', '/assistants', undefined, key.headers)).statusCode).toBe(401);
    expect((await t.request(t.owner.cookie, 'DELETE', `${keysUrl()}/${key.id}`)).statusCode).toBe(404);
    const listed = (await t.request(t.owner.cookie, 'GET', keysUrl())).json();
    expect(listed.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });

  it('an admin cannot revoke an owner’s key', async () => {
    const ownerKey = await t.createApiKey('owner');
    const admin = await t.userWithRole('admin');
    const res = await t.request(admin.cookie, 'DELETE', `${keysUrl()}/${ownerKey.id}`);
    expect(res.statusCode).toBe(403);
    expect((await t.request(undefined, 'GET', '/assistants', undefined, ownerKey.headers)).statusCode).toBe(
      200,
    );
  });

  it('the cross-site check does not apply to a key, and still applies to the cookie', async () => {
    const key = await t.createApiKey('editor');
    const crossSite = { origin: 'https://evil.example' };
    const withKey = await t.request(undefined, 'POST', '/assistants', assistantBody(), {
      ...key.headers,
      ...crossSite,
    });
    expect(withKey.statusCode).toBe(201);
    const withCookie = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody(), crossSite);
    expect(withCookie.statusCode).toBe(403);
  });

  it('records when it was last used, to the minute', async () => {
    const key = await t.createApiKey('viewer');
    const lastUsed = async () =>
      (await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]?.lastUsedAt ?? null;
    expect(await lastUsed()).toBeNull();
    await t.request(undefined, 'GET', '/assistants', undefined, key.headers);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (first as Date).getTime())).toBeLessThan(60_000);
    await t.request(undefined, 'GET', '/assistants', undefined, key.headers);
    expect(await lastUsed()).toEqual(first);
    // A use more than a minute after the last one is recorded again.
    await t.database.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(Date.now() - 120_000) })
      .where(eq(apiKeys.id, key.id));
    // The change reaches the cache by the database's notification (asynchronous on a real server).
    await vi.waitFor(() => expect(t.services.caches.apiKeys.size).toBe(0));
    await t.request(undefined, 'GET', '/assistants', undefined, key.headers);
    expect(((await lastUsed()) as Date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const listed = (await t.request(t.owner.cookie, 'GET', keysUrl())).json();
    expect(listed.find((k: { id: string }) => k.id === key.id).lastUsedAt).not.toBeNull();
  });
});

describe('bounded by its creator', () => {
  it('a demoted creator’s key acts at the lower role; a removed creator’s key stops at once and is revoked', async () => {
    const admin = await t.userWithRole('admin');
    const created = await t.request(admin.cookie, 'POST', keysUrl(), { name: 'Admin made', role: 'admin' });
    expect(created.statusCode).toBe(201);
    const key = bearer(created.json().secret);
    const a = await createAssistant(t);
    expect(
      (await t.request(undefined, 'PATCH', `/assistants/${a.id}`, { name: 'By key' }, key)).statusCode,
    ).toBe(200);

    await t.request(t.owner.cookie, 'PATCH', `/orgs/${t.orgId}/members/${admin.userId}`, { role: 'viewer' });
    expect((await t.request(undefined, 'GET', `/assistants/${a.id}`, undefined, key)).statusCode).toBe(200);
    const denied = await t.request(undefined, 'PATCH', `/assistants/${a.id}`, { name: 'Too far' }, key);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toContain('viewer');

    await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${admin.userId}`);
    expect((await t.request(undefined, 'GET', `/assistants/${a.id}`, undefined, key)).statusCode).toBe(401);
    const [row] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, created.json().id));
    expect(row?.revokedAt).toBeInstanceOf(Date);
    const events = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, created.json().id));
    expect(events.map((e) => [e.action, e.detail.reason])).toContainEqual([
      'api_key.revoked',
      'creator_left',
    ]);
  });

  it('a grant racing a demotion never leaves a key above its creator', async () => {
    for (let i = 0; i < 5; i++) {
      const admin = await t.userWithRole('admin');
      const [grant] = await Promise.all([
        t.request(admin.cookie, 'POST', keysUrl(), { name: `Race ${i}`, role: 'admin' }),
        t.request(t.owner.cookie, 'PATCH', `/orgs/${t.orgId}/members/${admin.userId}`, { role: 'viewer' }),
      ]);
      if (grant.statusCode !== 201) {
        expect(grant.statusCode).toBe(403);
        continue;
      }
      const key = bearer(grant.json().secret);
      expect((await t.request(undefined, 'POST', '/assistants', assistantBody(), key)).statusCode).toBe(403);
    }
  });
});

describe('what a script learns with its key (the switchboard command)', () => {
  it('GET /whoami names the key, its organization and role; a session gets its active organization', async () => {
    const key = await t.createApiKey('editor', 'Deploys');
    const res = await t.request(undefined, 'GET', '/whoami', undefined, key.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      orgId: t.orgId,
      orgName: expect.any(String),
      role: 'editor',
      actor: 'Deploys',
      apiKeyId: key.id,
    });
    const session = (await t.request(t.owner.cookie, 'GET', '/whoami')).json();
    expect(session).toMatchObject({ orgId: t.orgId, role: 'owner', apiKeyId: null });
    expect((await t.request(undefined, 'GET', '/whoami')).statusCode).toBe(401);
  });

  it("GET /connections lists the key's organization's connections, to a viewer key too", async () => {
    const key = await t.createApiKey('viewer');
    const res = await t.request(undefined, 'GET', '/connections', undefined, key.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toContainEqual(expect.objectContaining({ id: t.connectionId, isDefault: true }));
    expect(JSON.stringify(res.json())).not.toContain(key.secret);
  });

  it("versions name who made them: the user's email or the key's name", async () => {
    const key = await t.createApiKey('editor', 'Nightly sync');
    const assistant = await createAssistant(t);
    const patched = await t.request(
      undefined,
      'PATCH',
      `/assistants/${assistant.id}`,
      { name: 'By key' },
      key.headers,
    );
    expect(patched.statusCode).toBe(200);
    const versions = (await t.request(t.owner.cookie, 'GET', `/assistants/${assistant.id}/versions`)).json();
    expect(versions.items.map((v: { actorLabel: string | null }) => v.actorLabel)).toEqual([
      'Nightly sync',
      t.owner.email,
    ]);
  });
});

describe('the OpenAPI document', () => {
  it('declares both schemes, and the assistant routes accept either', async () => {
    const doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(doc.components.securitySchemes.apiKeyAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/assistants/{id}'].patch.security).toEqual([{ cookieAuth: [] }, { apiKeyAuth: [] }]);
    expect(doc.paths['/orgs/{orgId}/members'].get.security).toEqual([{ cookieAuth: [] }]);
  });
});
