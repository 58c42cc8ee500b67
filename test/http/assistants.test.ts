// Assistants: create, get, list, delete; role boundaries; another organization's assistants are 404.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { seedProviderAssistant } from '../helpers/seed.ts';
import {
  assistantBody,
  createAssistant,
  EMULATOR_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/test-app.ts';

let t: TestApp;
let viewer: TestUser;
let editor: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  [viewer, editor, admin] = await Promise.all([
    t.userWithRole('viewer'),
    t.userWithRole('editor'),
    t.userWithRole('admin'),
  ]);
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.faults = noFaults();
  t.emulator.requests.length = 0;
});

describe('create', () => {
  it('creates at the provider first, then stores version 1 with the provider’s whole object', async () => {
    const res = await t.request(editor.cookie, 'POST', '/assistants', assistantBody());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'Front desk',
      version: 1,
      syncState: 'synced',
      orgId: t.orgId,
      createdBy: editor.userId,
      model: {
        provider: 'openai',
        model: 'gpt-4o',
        temperature: 0.7,
        maxTokens: 500,
        systemPrompt: 'You are the front desk.',
      },
      voice: { provider: '11labs', voiceId: 'burt' },
      transcriber: { provider: 'deepgram', model: 'nova-3' },
    });
    expect(res.headers.etag).toBeTruthy();
    const atProvider = t.emulator.assistants.get(body.providerAssistantId) as Record<string, any>;
    expect(body.providerConfig).toEqual(atProvider);
    // Vapi keeps the system prompt in model.messages.
    expect(atProvider.model.messages).toEqual([{ role: 'system', content: 'You are the front desk.' }]);
  });

  it.each([
    [{ name: undefined }, 'name', 'is required'],
    [{ model: { provider: 'openai' } }, 'model.model', 'is required'],
    [{ voice: { provider: '11labs' } }, 'voice.voiceId', 'is required'],
    [{ voice: { voiceId: 'x' } }, 'voice.provider', undefined],
    [
      { model: { provider: 'openai', model: 'gpt-4o', temperature: 3 } },
      'model.temperature',
      'must be at most 2',
    ],
    [{ model: { provider: 'anthropic', model: 'gpt-4o' } }, 'model.model', undefined],
    [
      { voice: { provider: 'neuphonic', voiceId: 'x' } },
      'voice.language',
      'is required by voice provider neuphonic',
    ],
    [{ tools: [] }, 'tools', 'is not a known field'],
  ])('refuses %j before calling the provider', async (overrides, field, message) => {
    const res = await t.request(editor.cookie, 'POST', '/assistants', assistantBody(overrides));
    expect(res.statusCode).toBe(400);
    const problem = res.json().details.find((d: { field: string }) => d.field === field);
    expect(problem).toBeDefined();
    if (message) expect(problem.message).toBe(message);
    expect(t.emulator.received('POST')).toHaveLength(0);
  });

  it('a provider failure on create is a 500, nothing is stored, and the create is not repeated', async () => {
    t.emulator.faults.failures = [{ status: 503, times: 5 }];
    const before = (await t.request(t.owner.cookie, 'GET', '/assistants?limit=100')).json().items.length;
    const res = await t.request(
      editor.cookie,
      'POST',
      '/assistants',
      assistantBody({ name: 'Never stored' }),
    );
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_error' });
    expect(t.emulator.received('POST')).toHaveLength(1);
    expect((await t.request(t.owner.cookie, 'GET', '/assistants?limit=100')).json().items.length).toBe(
      before,
    );
  });
});

describe('get and list', () => {
  it('gets one by local id and by provider id', async () => {
    const created = await createAssistant(t);
    for (const id of [created.id, created.providerAssistantId]) {
      const res = await t.request(viewer.cookie, 'GET', `/assistants/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(created);
    }
  });

  it('404s an unknown id, whether or not it looks like a UUID', async () => {
    for (const id of ['6f1c1a3e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await t.request(viewer.cookie, 'GET', `/assistants/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ message: 'Assistant not found', code: 'not_found' });
    }
  });

  it('a list answers what a list shows; the provider’s whole object only comes with one assistant', async () => {
    const a = await createAssistant(t, t.owner.cookie, { name: 'Summarised' });
    const list = (await t.request(t.owner.cookie, 'GET', '/assistants?q=Summarised')).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: a.id, name: 'Summarised', model: a.model, voice: a.voice });
    expect(list.items[0]).not.toHaveProperty('providerConfig');
    const one = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json();
    expect(one.providerConfig).toMatchObject({ id: a.providerAssistantId, name: 'Summarised' });
  });

  it('lists newest first with cursor pagination and a name search', async () => {
    const t2 = await startTestApp();
    try {
      const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
      for (const name of names) await createAssistant(t2, t2.owner.cookie, { name });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/assistants?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t2.request(t2.owner.cookie, 'GET', query)).json();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((a: { name: string }) => a.name));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...names].reverse());

      const search = (await t2.request(t2.owner.cookie, 'GET', '/assistants?q=ARL')).json();
      expect(search.items.map((a: { name: string }) => a.name)).toEqual(['Charlie']);

      const bad = await t2.request(t2.owner.cookie, 'GET', '/assistants?cursor=garbage');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details).toEqual([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
      expect((await t2.request(t2.owner.cookie, 'GET', '/assistants?limit=0')).statusCode).toBe(400);
      expect((await t2.request(t2.owner.cookie, 'GET', '/assistants?limit=101')).statusCode).toBe(400);
    } finally {
      await t2.close();
    }
  });
});

describe('delete', () => {
  it('deletes at the provider, then locally', async () => {
    const created = await createAssistant(t);
    const res = await t.request(admin.cookie, 'DELETE', `/assistants/${created.id}`);
    expect(res.statusCode).toBe(204);
    expect(t.emulator.assistants.has(created.providerAssistantId)).toBe(false);
    expect((await t.request(admin.cookie, 'GET', `/assistants/${created.id}`)).statusCode).toBe(404);
  });

  it('an assistant the provider already lost is still deleted locally', async () => {
    const created = await createAssistant(t);
    t.emulator.assistants.delete(created.providerAssistantId);
    expect(
      (await t.request(admin.cookie, 'DELETE', `/assistants/${created.providerAssistantId}`)).statusCode,
    ).toBe(204);
    expect((await t.request(admin.cookie, 'GET', `/assistants/${created.id}`)).statusCode).toBe(404);
  });

  it('a provider failure keeps the local assistant, pending until the provider is read again', async () => {
    const created = await createAssistant(t);
    t.emulator.faults.failures = [{ status: 500, times: 5 }];
    const res = await t.request(admin.cookie, 'DELETE', `/assistants/${created.id}`);
    expect(res.statusCode).toBe(500);
    expect((await t.request(admin.cookie, 'GET', `/assistants/${created.id}`)).json()).toEqual({
      ...created,
      syncState: 'pending',
    });
    t.emulator.faults.failures = [];
    const synced = await t.request(admin.cookie, 'POST', `/assistants/${created.id}/sync`);
    expect(synced.json()).toEqual(created);
  });
});

describe('roles', () => {
  it('viewer reads; editor creates and updates; only admin and owner delete', async () => {
    const a = await createAssistant(t);
    const cases: Array<[TestUser, 'GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown, number]> = [
      [viewer, 'GET', '/assistants', undefined, 200],
      [viewer, 'GET', `/assistants/${a.id}`, undefined, 200],
      [viewer, 'POST', '/assistants', assistantBody(), 403],
      [viewer, 'PATCH', `/assistants/${a.id}`, { name: 'Viewer' }, 403],
      [viewer, 'DELETE', `/assistants/${a.id}`, undefined, 403],
      [editor, 'PATCH', `/assistants/${a.id}`, { name: 'Editor' }, 200],
      [editor, 'DELETE', `/assistants/${a.id}`, undefined, 403],
    ];
    for (const [user, method, url, body, status] of cases) {
      const res = await t.request(user.cookie, method, url, body);
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status });
      if (status === 403) expect(res.json().code).toBe('forbidden');
    }
    expect(t.emulator.received('PATCH')).toHaveLength(1);
    expect((await t.request(t.owner.cookie, 'DELETE', `/assistants/${a.id}`)).statusCode).toBe(204);
  });

  it('without a session every assistant route is a 401', async () => {
    for (const [method, url] of [
      ['GET', '/assistants'],
      ['POST', '/assistants'],
      ['GET', '/assistants/x'],
      ['PATCH', '/assistants/x'],
      ['DELETE', '/assistants/x'],
    ] as const) {
      const res = await t.request(
        undefined,
        method,
        url,
        method === 'POST' || method === 'PATCH' ? {} : undefined,
      );
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
    const forged = await t.request('auth-token=forged-token', 'GET', '/assistants');
    expect(forged.statusCode).toBe(401);
  });
});

describe('tenancy', () => {
  it('another organization’s assistant is a 404 by local id and by provider id, for every method', async () => {
    const theirs = await seedProviderAssistant(t);
    const outsider = await t.userWithRole('viewer');
    // The outsider gets an organization of their own, where they are owner, and switches to it.
    const org = (await t.request(outsider.cookie, 'POST', '/orgs', { name: 'Other' })).json();
    expect(
      (await t.request(outsider.cookie, 'POST', '/auth/active-org', { orgId: org.orgId })).statusCode,
    ).toBe(200);
    for (const id of [theirs.id, theirs.providerAssistantId]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'Hijacked' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await t.request(outsider.cookie, method, `/assistants/${id}`, body);
        expect({ method, id, status: res.statusCode }).toEqual({ method, id, status: 404 });
      }
    }
    const list = (await t.request(outsider.cookie, 'GET', '/assistants')).json();
    expect(list.items).toEqual([]);
    expect(t.emulator.received('PATCH')).toHaveLength(0);
    expect(t.emulator.received('DELETE')).toHaveLength(0);
  });
});

describe('bodies', () => {
  it('a DELETE that says application/json but sends nothing is accepted, by the API and by the emulator', async () => {
    const a = await createAssistant(t);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/assistants/${a.id}`,
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
    const remote = await fetch(`${t.emulatorUrl}/assistant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${EMULATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bodiless delete' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const atEmulator = await fetch(`${t.emulatorUrl}/assistant/${remote.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${EMULATOR_KEY}`, 'content-type': 'application/json' },
    });
    expect(atEmulator.status).toBe(200);
  });

  it('a body whose every field is within its limit is never too large, even with each character escaped', async () => {
    const a = await createAssistant(t);
    // 100,000 and 10,000 characters (the schema's limits), each outside the BMP and escaped as a
    // surrogate pair, as an encoder that keeps to ASCII sends them: about 1.3 MB.
    const escaped = (n: number) => '\\ud83d\\ude00'.repeat(n);
    const payload = `{"firstMessage": "${escaped(10_000)}", "model": {"systemPrompt": "${escaped(100_000)}"}}`;
    expect(payload.length).toBeGreaterThan(1_300_000);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/assistants/${a.id}`,
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json().model.systemPrompt).toBe('😀'.repeat(100_000));
    // One character more is refused by the field's limit, in words, not by the body's size.
    const over = await t.app.inject({
      method: 'PATCH',
      url: `/assistants/${a.id}`,
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload: `{"model": {"systemPrompt": "${escaped(100_001)}"}}`,
    });
    expect(over.json()).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('model.systemPrompt'),
    });
  });

  it('a body that is not JSON is still a 400 that says so', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/assistants',
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(typeof res.json().message).toBe('string');
  });
});
