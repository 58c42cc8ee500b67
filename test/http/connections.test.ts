// Connections (SPEC section 9): each organization reaches providers only through its own
// accounts. Keys are checked before they are stored, never shown, never stored in clear; a key
// the provider refuses at run time marks the connection invalid; two organizations on two
// provider accounts never see each other's assistants.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { assistants, organizations } from '../../src/db/schema.ts';
import { noFaults, VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import { Reconciler } from '../../src/sync/reconciler.ts';
import { closedPort } from '../helpers/ports.ts';
import {
  assistantBody,
  createAssistant,
  EMULATOR_KEY,
  importAll,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/test-app.ts';

let t: TestApp;
const logLines: string[] = [];
/** A second Vapi account, on its own standalone emulator. */
let other: VapiEmulator;
let otherUrl: string;
const OTHER_KEY = 'second-account-private-key-7f3a';

beforeAll(async () => {
  t = await startTestApp({ logLines });
  other = new VapiEmulator(OTHER_KEY);
  otherUrl = await other.listen();
});
afterAll(async () => {
  await t.close();
  await other.close();
});

const connectionsUrl = (orgId = t.orgId) => `/orgs/${orgId}/connections`;

async function connect(body: Record<string, unknown>, cookie = t.owner.cookie, orgId = t.orgId) {
  return t.request(cookie, 'POST', connectionsUrl(orgId), body);
}

async function listConnections(cookie = t.owner.cookie, orgId = t.orgId) {
  return (await t.request(cookie, 'GET', connectionsUrl(orgId))).json() as Array<Record<string, unknown>>;
}

/** A new organization owned by a new user, active in their session. */
async function secondTenant(name: string): Promise<{ user: TestUser; orgId: string }> {
  const user = await t.userWithRole('viewer');
  const org = (await t.request(user.cookie, 'POST', '/orgs', { name })).json();
  await t.request(t.owner.cookie, 'DELETE', `/orgs/${t.orgId}/members/${user.userId}`);
  await t.request(user.cookie, 'POST', '/auth/active-org', { orgId: org.orgId });
  return { user, orgId: org.orgId };
}

describe('connecting a provider account', () => {
  it('a new organization starts with its own sandbox as the default', async () => {
    const { user, orgId } = await secondTenant('Fresh org');
    const list = await listConnections(user.cookie, orgId);
    expect(list).toEqual([
      expect.objectContaining({
        provider: 'sandbox',
        name: 'Sandbox',
        isDefault: true,
        status: 'ok',
        keyHint: null,
      }),
    ]);
  });

  it('checks the key with one cheap read, stores it sealed, and shows only its last 4 characters', async () => {
    t.emulator.requests.length = 0;
    const res = await connect({
      provider: 'vapi',
      name: 'Checked',
      apiKey: EMULATOR_KEY,
      baseUrl: t.emulatorUrl,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      provider: 'vapi',
      keyHint: EMULATOR_KEY.slice(-4),
      status: 'ok',
      baseUrl: t.emulatorUrl,
      isDefault: false,
    });
    expect(t.emulator.received().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /assistant?limit=1']);
    expect(res.body).not.toContain(EMULATOR_KEY);
    const stored = await t.database.db.execute(
      sql`select api_key_sealed from connections where id = ${res.json().id}`,
    );
    const sealed = (stored as unknown as { rows: Array<{ api_key_sealed: string }> }).rows[0]?.api_key_sealed;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(EMULATOR_KEY);
    expect(t.secrets.open(sealed as string, res.json().id)).toBe(EMULATOR_KEY);
  });

  it('a key the provider refuses is a 400 provider_key_rejected that explains Vapi’s 401, and nothing is stored', async () => {
    const before = await listConnections();
    const res = await connect({
      provider: 'vapi',
      name: 'Public key',
      apiKey: 'public-key-0000-wxyz',
      baseUrl: t.emulatorUrl,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('provider_key_rejected');
    expect(res.json().message).toMatch(/public key/);
    expect(res.body).not.toContain('public-key-0000-wxyz');
    expect(await listConnections()).toEqual(before);
  });

  it('an unreachable provider is a 400 provider_unreachable, and nothing is stored', async () => {
    const before = await listConnections();
    const res = await connect({
      provider: 'vapi',
      name: 'Nowhere',
      apiKey: EMULATOR_KEY,
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('provider_unreachable');
    expect(await listConnections()).toEqual(before);
  });

  it('says what is wrong with a bad connection request', async () => {
    const noKey = await connect({ provider: 'vapi', name: 'No key' });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().details).toEqual([expect.objectContaining({ field: 'apiKey' })]);
    const sandboxKey = await connect({ provider: 'sandbox', name: 'Keyed sandbox', apiKey: 'abcdefgh12' });
    expect(sandboxKey.json().details).toEqual([expect.objectContaining({ field: 'apiKey' })]);
    const badUrl = await connect({
      provider: 'vapi',
      name: 'Bad URL',
      apiKey: EMULATOR_KEY,
      baseUrl: 'ftp://x',
    });
    expect(badUrl.statusCode).toBe(400);
    const taken = await connect({ provider: 'sandbox', name: ' Sandbox ' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('connection_name_taken');
    for (const baseUrl of [
      'http://user:pw@127.0.0.1:4411',
      'http://127.0.0.1:4411/?x=1',
      'http://',
      'http://127.0.0.1:99999',
    ]) {
      const res = await connect({ provider: 'vapi', name: 'Odd URL', apiKey: EMULATOR_KEY, baseUrl });
      expect(res.statusCode, baseUrl).toBe(400);
      expect(res.json().details, baseUrl).toEqual([expect.objectContaining({ field: 'baseUrl' })]);
      expect(res.body).not.toContain('pw@');
    }
    const headerBreaking = await connect({
      provider: 'vapi',
      name: 'Newline key',
      apiKey: 'abcdefgh\nX-Evil: 1',
    });
    expect(headerBreaking.json().details).toEqual([expect.objectContaining({ field: 'apiKey' })]);
  });

  it('an address that is not Vapi’s API says so instead of blaming a missing assistant', async () => {
    const notVapi = await connect({
      provider: 'vapi',
      name: 'Wrong path',
      apiKey: EMULATOR_KEY,
      baseUrl: `${t.emulatorUrl}/v1`,
    });
    expect(notVapi.statusCode).toBe(400);
    expect(notVapi.json().code).toBe('provider_unreachable');
    expect(notVapi.json().message).toMatch(/answered 404: is it Vapi's API/);
  });

  it('the key never reaches an answer, a log line or the audit log', async () => {
    const secret = 'never-logged-private-key-51ab';
    other.addKey(secret);
    const res = await connect({ provider: 'vapi', name: 'Quiet', apiKey: secret, baseUrl: otherUrl });
    expect(res.statusCode).toBe(201);
    await t.request(t.owner.cookie, 'PATCH', `${connectionsUrl()}/${res.json().id}`, { apiKey: secret });
    await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${res.json().id}/check`);
    const audit = await t.request(t.owner.cookie, 'GET', `/orgs/${t.orgId}/audit?limit=100`);
    expect(audit.body).toContain('connection.created');
    expect(audit.body).not.toContain(secret);
    expect(JSON.stringify(await listConnections())).not.toContain(secret);
    expect(logLines.join('\n')).not.toContain(secret);
  });
});

describe('rotation, checks and removal', () => {
  it('rotates to another key of the same account; a key of another account is a 409', async () => {
    const created = await connect({
      provider: 'vapi',
      name: 'Rotating',
      apiKey: EMULATOR_KEY,
      baseUrl: t.emulatorUrl,
    });
    const id = created.json().id;
    await createAssistant(t, t.owner.cookie, { connectionId: id });
    // The account is learned from the assistants the provider shows.
    const check = await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${id}/check`);
    expect(check.json().providerAccountId).toEqual(expect.any(String));

    const sameAccountKey = 'same-account-second-key-9c1d';
    t.emulator.addKey(sameAccountKey, check.json().providerAccountId);
    const rotated = await t.request(t.owner.cookie, 'PATCH', `${connectionsUrl()}/${id}`, {
      apiKey: sameAccountKey,
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toMatchObject({ keyHint: '9c1d', status: 'ok' });

    const foreignKey = 'other-account-key-0042';
    t.emulator.addKey(foreignKey);
    // Its account shows an assistant, so Switchboard can tell it is another account.
    await fetch(`${t.emulatorUrl}/assistant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${foreignKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Theirs' }),
    });
    const refused = await t.request(t.owner.cookie, 'PATCH', `${connectionsUrl()}/${id}`, {
      apiKey: foreignKey,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('different_provider_account');
    expect((await t.request(t.owner.cookie, 'GET', `${connectionsUrl()}/${id}`)).json().keyHint).toBe('9c1d');
  });

  it('the default connection cannot be deleted until another is the default', async () => {
    const res = await t.request(t.owner.cookie, 'DELETE', `${connectionsUrl()}/${t.connectionId}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('connection_is_default');
  });

  it('importing an assistant already managed on another connection of the organization says so', async () => {
    const a = await createAssistant(t);
    const second = (
      await connect({ provider: 'vapi', name: 'Second door', apiKey: EMULATOR_KEY, baseUrl: t.emulatorUrl })
    ).json();
    const res = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      connectionId: second.id,
      providerAssistantId: a.providerAssistantId,
    });
    expect(res.statusCode).toBe(409);
    const again = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: a.providerAssistantId,
    });
    expect(again.statusCode).toBe(200);
  });

  it('a connection that assistants use cannot be deleted; an unused one can', async () => {
    const used = await connect({ provider: 'sandbox', name: 'Used sandbox' });
    await createAssistant(t, t.owner.cookie, { connectionId: used.json().id });
    const refused = await t.request(t.owner.cookie, 'DELETE', `${connectionsUrl()}/${used.json().id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('connection_in_use');
    const unused = await connect({ provider: 'sandbox', name: 'Unused sandbox' });
    expect(
      (await t.request(t.owner.cookie, 'DELETE', `${connectionsUrl()}/${unused.json().id}`)).statusCode,
    ).toBe(204);
    expect((await listConnections()).map((c) => c.name)).not.toContain('Unused sandbox');
  });

  it('a key revoked at the provider marks the connection invalid; it is still tried, and a success sets it back to ok', async () => {
    const key = 'soon-revoked-key-77aa';
    other.addKey(key);
    const created = await connect({ provider: 'vapi', name: 'Revocable', apiKey: key, baseUrl: otherUrl });
    const id = created.json().id;
    const a = await createAssistant(t, t.owner.cookie, { connectionId: id });
    const account = other.revokeKey(key);

    const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'After revoke' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_key_rejected' });
    expect(res.json().message).toMatch(/Revocable.*an admin must update/);
    expect(res.body).not.toContain(key);
    expect((await t.request(t.owner.cookie, 'GET', `${connectionsUrl()}/${id}`)).json().status).toBe(
      'invalid',
    );
    // Nothing was applied, so the assistant is not left pending.
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
      syncState: 'synced',
      version: 1,
    });

    other.addKey(key, account);
    const retried = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'Key restored' });
    expect(retried.statusCode).toBe(200);
    expect((await t.request(t.owner.cookie, 'GET', `${connectionsUrl()}/${id}`)).json().status).toBe('ok');
  });

  it('a check reports invalid and unreachable, and ok again once the key works', async () => {
    const key = 'checked-key-3141';
    other.addKey(key);
    const id = (
      await connect({ provider: 'vapi', name: 'Checked twice', apiKey: key, baseUrl: otherUrl })
    ).json().id;
    const account = other.revokeKey(key);
    const invalid = await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${id}/check`);
    expect(invalid.json()).toMatchObject({ status: 'invalid', checkedAt: expect.any(String) });
    other.addKey(key, account);
    const ok = await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${id}/check`);
    expect(ok.json().status).toBe('ok');
  });

  it('an admin changes the default connection, which new assistants then use', async () => {
    const sandbox = (await connect({ provider: 'sandbox', name: 'New default' })).json();
    await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${sandbox.id}/default`);
    try {
      const a = await createAssistant(t);
      expect(a).toMatchObject({ connectionId: sandbox.id, provider: 'sandbox' });
      const defaults = (await listConnections()).filter((c) => c.isDefault).map((c) => c.id);
      expect(defaults).toEqual([sandbox.id]);
    } finally {
      await t.request(t.owner.cookie, 'POST', `${connectionsUrl()}/${t.connectionId}/default`);
    }
  });

  it('without a default connection (SANDBOX=off, a later organization), a create must name one', async () => {
    const setDefault = (id: string | null) =>
      t.database.db
        .update(organizations)
        .set({ defaultConnectionId: id })
        .where(eq(organizations.id, t.orgId));
    await setDefault(null);
    try {
      const res = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody());
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/connectionId.*no default connection/);
      const named = await t.request(
        t.owner.cookie,
        'POST',
        '/assistants',
        assistantBody({ connectionId: t.connectionId, name: 'Named connection' }),
      );
      expect(named.json()).toMatchObject({ connectionId: t.connectionId });
    } finally {
      await setDefault(t.connectionId);
    }
  });

  it('an editor may list connections but not change them', async () => {
    const editor = await t.userWithRole('editor');
    expect((await t.request(editor.cookie, 'GET', connectionsUrl())).statusCode).toBe(200);
    expect((await connect({ provider: 'sandbox', name: 'Editor sandbox' }, editor.cookie)).statusCode).toBe(
      403,
    );
  });
});

/** The names of the assistants the caller's organization manages, in order. */
async function namesIn(cookie: string): Promise<string[]> {
  const list = (await t.request(cookie, 'GET', '/assistants?limit=100')).json();
  return list.items.map((a: { name: string }) => a.name).sort();
}

describe('assistants belong to a connection', () => {
  it('every answer names the connection; the list filters by it', async () => {
    const sandbox = (await connect({ provider: 'sandbox', name: 'Filtered sandbox' })).json();
    const inSandbox = await createAssistant(t, t.owner.cookie, {
      connectionId: sandbox.id,
      name: 'In sandbox',
    });
    const inVapi = await createAssistant(t, t.owner.cookie, { name: 'In Vapi' });
    expect(inVapi.connectionId).toBe(t.connectionId);
    expect(inSandbox).toMatchObject({ connectionId: sandbox.id, provider: 'sandbox' });
    const filtered = (
      await t.request(t.owner.cookie, 'GET', `/assistants?connectionId=${sandbox.id}`)
    ).json();
    expect(filtered.items.map((a: { id: string }) => a.id)).toEqual([inSandbox.id]);
    // The sandbox is Vapi's API: edits merge and keep the system prompt.
    const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${inSandbox.id}`, {
      model: { temperature: 0.1 },
    });
    expect(patched.json().model).toMatchObject({ temperature: 0.1, systemPrompt: 'You are the front desk.' });
  });

  it('another organization’s connection is a 400 naming connectionId, the same as one that does not exist', async () => {
    const { user, orgId } = await secondTenant('Other tenant');
    const theirs = (await listConnections(user.cookie, orgId))[0]?.id as string;
    const answers = [];
    for (const connectionId of [theirs, '00000000-0000-4000-8000-000000000000']) {
      const res = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ connectionId }));
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([expect.objectContaining({ field: 'connectionId' })]);
      answers.push(res.json().message);
      const imported = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
        connectionId,
        all: true,
      });
      expect(imported.statusCode).toBe(400);
    }
    expect(answers[0]).toBe(answers[1]);
    expect((await t.request(t.owner.cookie, 'GET', `${connectionsUrl(orgId)}/${theirs}`)).statusCode).toBe(
      404,
    );
  });

  it('two organizations on two provider accounts never see each other’s assistants: list, get, import, sync', async () => {
    const { user: bob, orgId: bobOrg } = await secondTenant('Bob’s agency');
    const bobKey = 'bob-private-key-2718';
    other.addKey(bobKey);
    const bobConnection = (
      await connect(
        { provider: 'vapi', name: 'Bob Vapi', apiKey: bobKey, baseUrl: otherUrl },
        bob.cookie,
        bobOrg,
      )
    ).json();
    const bobs = (
      await t.request(
        bob.cookie,
        'POST',
        '/assistants',
        assistantBody({ connectionId: bobConnection.id, name: 'Bob only' }),
      )
    ).json();
    // An assistant in Bob's account that nobody manages yet.
    const loose = await fetch(`${otherUrl}/assistant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bobKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Loose at Bob' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const alices = await createAssistant(t, t.owner.cookie, { name: 'Alice only' });

    const aliceList = (await t.request(t.owner.cookie, 'GET', '/assistants?limit=100')).json();
    expect(aliceList.items.map((a: { id: string }) => a.id)).not.toContain(bobs.id);
    const bobList = (await t.request(bob.cookie, 'GET', '/assistants?limit=100')).json();
    expect(bobList.items.map((a: { id: string }) => a.id)).toEqual([bobs.id]);
    for (const id of [bobs.id, bobs.providerAssistantId]) {
      expect((await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).statusCode).toBe(404);
      expect((await t.request(t.owner.cookie, 'POST', `/assistants/${id}/sync`)).statusCode).toBe(404);
    }
    for (const id of [alices.id, alices.providerAssistantId]) {
      expect((await t.request(bob.cookie, 'GET', `/assistants/${id}`)).statusCode).toBe(404);
    }
    // Alice's connection reaches Alice's account only: Bob's assistants are not there to import.
    for (const id of [bobs.providerAssistantId, loose.id]) {
      const res = await t.request(t.owner.cookie, 'POST', '/assistants/import', { providerAssistantId: id });
      expect(res.json().code).toBe('provider_not_found');
    }
    expect(await importAll(t, t.owner.cookie)).toMatchObject({ state: 'succeeded', failed: 0 });
    expect(await namesIn(t.owner.cookie)).not.toContain('Loose at Bob');
    // Bob imports his own loose one; his managed one is skipped.
    const bobJob = await importAll(t, bob.cookie, { connectionId: bobConnection.id });
    expect(bobJob).toMatchObject({ state: 'succeeded', total: 2, done: 2, failed: 0 });
    expect(await namesIn(bob.cookie)).toEqual(['Bob only', 'Loose at Bob']);
  });

  it('import writes nothing to the provider and skips what another organization marked as its own', async () => {
    const { user: carol, orgId: carolOrg } = await secondTenant('Carol shares the account');
    // Carol connects the same account as Alice's default connection.
    const carolConnection = (
      await connect(
        { provider: 'vapi', name: 'Shared', apiKey: EMULATOR_KEY, baseUrl: t.emulatorUrl },
        carol.cookie,
        carolOrg,
      )
    ).json();
    const alices = await createAssistant(t, t.owner.cookie, { name: 'Marked for Alice' });
    // Alice stops managing it in Switchboard's records, but the provider's copy keeps her mark.
    await t.database.db.execute(sql`delete from assistants where id = ${alices.id}`);
    t.emulator.requests.length = 0;
    await importAll(t, carol.cookie, { connectionId: carolConnection.id });
    expect(await namesIn(carol.cookie)).not.toContain('Marked for Alice');
    const byId = await t.request(carol.cookie, 'POST', '/assistants/import', {
      connectionId: carolConnection.id,
      providerAssistantId: alices.providerAssistantId,
    });
    expect(byId.statusCode).toBe(409);
    expect(t.emulator.received().filter((r) => r.method !== 'GET')).toEqual([]);
    // Alice may bring her own marked assistant back.
    const back = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: alices.providerAssistantId,
    });
    expect(back.statusCode).toBe(201);
  });

  it('the sandboxes of two organizations are isolated', async () => {
    const { user: dave, orgId: daveOrg } = await secondTenant('Dave');
    const daveSandbox = (await listConnections(dave.cookie, daveOrg))[0]?.id as string;
    const mine = (await connect({ provider: 'sandbox', name: 'Isolated sandbox' })).json();
    const a = await createAssistant(t, t.owner.cookie, { connectionId: mine.id, name: 'My sandbox one' });
    const res = await t.request(dave.cookie, 'POST', '/assistants/import', {
      connectionId: daveSandbox,
      providerAssistantId: a.providerAssistantId,
    });
    expect(res.json().code).toBe('provider_not_found');
    expect(await importAll(t, dave.cookie)).toMatchObject({ state: 'succeeded', total: 0 });
    expect(await namesIn(dave.cookie)).toEqual([]);
  });
});

describe('pacing per connection', () => {
  it('a 429 from one provider account slows only that connection; the others are checked on time', async () => {
    const limitedKey = 'rate-limited-account-key-429a';
    other.addKey(limitedKey);
    const limited = (
      await connect({ provider: 'vapi', name: 'Rate limited', apiKey: limitedKey, baseUrl: otherUrl })
    ).json();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await createAssistant(t, t.owner.cookie, { connectionId: limited.id, name: `Limited ${i}` })).id,
      );
      ids.push((await createAssistant(t, t.owner.cookie, { name: `Free ${i}` })).id);
    }
    await t.database.db.update(assistants).set({ lastSyncedAt: sql`now()` });
    await t.database.db.update(assistants).set({ lastSyncedAt: null }).where(inArray(assistants.id, ids));
    // Every attempt of the first check is refused with Retry-After: the client gives up, and the
    // reconciler holds that connection back.
    other.faults = {
      ...noFaults(),
      failures: [{ status: 429, times: 3, method: 'GET', retryAfterSeconds: 0.2 }],
    };
    other.requests.length = 0;
    t.emulator.requests.length = 0;
    const reconciler = new Reconciler(
      new AssistantRepository(t.database.db),
      t.services.assistants,
      { intervalMs: 60_000, maxCallsPerSecond: 20 },
      pino({ level: 'silent' }),
    );
    const started = Date.now();
    const report = await reconciler.runOnce();
    other.faults = noFaults();
    expect(report).toMatchObject({ checked: 5, failed: 1 });
    const freeDone = Math.max(...t.emulator.received('GET').map((r) => r.at)) - started;
    const limitedGets = other.received('GET').map((r) => r.at - started);
    console.log(
      `[figures] per-connection pacing: the free connection's 3 checks done after ${freeDone} ms; the limited one's calls at ${limitedGets.join(', ')} ms`,
    );
    // The free connection did not wait behind the limited one's 429s and backoff.
    expect(freeDone).toBeLessThan(Math.max(...limitedGets));
    // After its 429s, the limited connection waited out Retry-After before its next check.
    const afterRefusals = limitedGets.slice(3);
    expect(afterRefusals.length).toBe(2);
    expect((afterRefusals[0] as number) - (limitedGets[2] as number)).toBeGreaterThanOrEqual(190);
  });
});

describe('secrets at rest', () => {
  it('the raw database files hold no provider key', async () => {
    const secret = `raw-file-probe-key-${Date.now()}`;
    other.addKey(secret);
    const probe = startTestAppOnDisk();
    const disk = await probe.start();
    try {
      const res = await disk.app.request(
        disk.app.owner.cookie,
        'POST',
        `/orgs/${disk.app.orgId}/connections`,
        {
          provider: 'vapi',
          name: 'On disk',
          apiKey: secret,
          baseUrl: otherUrl,
        },
      );
      expect(res.statusCode).toBe(201);
      await disk.flush();
      const files = await disk.files();
      expect(files.length).toBeGreaterThan(0);
      const needle = Buffer.from(secret);
      const holding = files.filter((file) => readFileSync(file).includes(needle));
      expect(holding).toEqual([]);
    } finally {
      await disk.close();
    }
  });
});

/** A test app whose database lives in files this test can read: a PGlite folder, or the PostgreSQL server's data directory. */
function startTestAppOnDisk() {
  return {
    async start() {
      if (process.env.TEST_DATABASE === 'postgres') {
        const app = await startTestApp();
        const admin = new pg.Client({ connectionString: inject('postgresUrl') });
        await admin.connect();
        const dataDir = (await admin.query('show data_directory')).rows[0].data_directory as string;
        return {
          app,
          flush: async () => {
            await admin.query('checkpoint');
          },
          files: async () => walk(dataDir),
          close: async () => {
            await admin.end();
            await app.close();
          },
        };
      }
      const { mkdtempSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-raw-'));
      const app = await startTestApp({ pgliteDataDir: dir });
      return {
        app,
        flush: async () => {
          await app.database.db.execute(sql`checkpoint`);
        },
        files: async () => walk(dir),
        close: async () => {
          await app.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? walk(path) : [path];
  });
}
