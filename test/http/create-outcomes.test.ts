// A create never leaves an orphan or a duplicate at the provider (SPEC section 9). The create is
// recorded `pending` before the provider call and marked in the provider's copy; whatever the
// provider does (refuse, fail after creating, time out, finish late, or the server dies), the
// end state is exactly one managed assistant or none, and the create is sent once.
import { eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assistants, auditEvents } from '../../src/db/schema.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { assistantBody, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: { PROVIDER_TIMEOUT_MS: '300' },
    provider: { retryBudgetMs: 1_000, backoffMs: 20 },
  });
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.reset();
});

const create = (name: string) => t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name }));

/** Rows whose create the provider has not confirmed: never shown, settled later. */
async function unconfirmed() {
  return t.database.db.select().from(assistants).where(isNull(assistants.providerAssistantId));
}

async function storedNamed(name: string) {
  const rows = await t.database.db.select().from(assistants);
  return rows.filter((row) => row.config.name === name);
}

/** As if the lease of the unconfirmed creates had run out (their process died or gave up). */
async function expireCreateLeases() {
  await t.database.db
    .update(assistants)
    .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
    .where(isNull(assistants.providerAssistantId));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('create outcomes', () => {
  it('the create itself marks the provider’s copy with the organization and the assistant', async () => {
    const res = await create('Marked');
    expect(res.statusCode).toBe(201);
    const remote = t.emulator.assistants.get(res.json().providerAssistantId);
    expect(remote?.metadata).toEqual({ switchboard: { orgId: t.orgId, assistantId: res.json().id } });
    expect(t.emulator.received('POST')).toHaveLength(1);
  });

  it('a 502 that arrives after the provider created it: the mark is found at once and the assistant adopted', async () => {
    t.emulator.faults = {
      ...noFaults(),
      failures: [{ status: 502, times: 1, method: 'POST', afterApply: true }],
    };
    const started = performance.now();
    const res = await create('Created despite 502');
    console.log(
      `[figures] unknown create (502 after applying) settled on the spot in ${Math.round(performance.now() - started)} ms`,
    );
    expect(res.statusCode).toBe(201);
    expect(t.emulator.received('POST')).toHaveLength(1);
    expect(t.emulator.assistants.size).toBe(1);
    expect(res.json().providerAssistantId).toBe([...t.emulator.assistants.keys()][0]);
    expect(await storedNamed('Created despite 502')).toHaveLength(1);
    expect(await unconfirmed()).toEqual([]);
    const versions = (await t.request(t.owner.cookie, 'GET', `/assistants/${res.json().id}/versions`)).json();
    expect(versions.items).toEqual([expect.objectContaining({ version: 1, source: 'create' })]);
  });

  it('a timeout after the provider applied: found at once and adopted, never sent twice', async () => {
    t.emulator.faults = { ...noFaults(), latencyMs: 800, latencyPhase: 'after', latencyMethods: ['POST'] };
    const res = await create('Slow answer');
    expect(res.statusCode).toBe(201);
    expect(t.emulator.received('POST')).toHaveLength(1);
    expect(t.emulator.assistants.size).toBe(1);
    expect(await storedNamed('Slow answer')).toHaveLength(1);
  });

  it('a refusal is certain: the record goes at once, nothing stays pending', async () => {
    t.emulator.faults = {
      ...noFaults(),
      failures: [{ status: 400, times: 1, method: 'POST', message: ['voice.voiceId must be a string'] }],
    };
    const res = await create('Refused');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('provider_validation');
    expect(await storedNamed('Refused')).toEqual([]);
    expect(t.emulator.assistants.size).toBe(0);
  });

  it('a 503 before anything was made: a 500 that says so, nothing shown; dropped with an audit event once settled', async () => {
    t.emulator.faults = { ...noFaults(), failures: [{ status: 503, times: 1, method: 'POST' }] };
    const res = await create('Never made');
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toMatch(/Switchboard will look for it/);
    const list = (await t.request(t.owner.cookie, 'GET', '/assistants?q=Never made')).json();
    expect(list.items).toEqual([]);
    const [pending] = await unconfirmed();
    expect(pending).toMatchObject({ syncState: 'pending' });

    // Not before its lease runs out: the provider might still be working on it.
    await t.services.assistants.recoverPending();
    expect(await unconfirmed()).toHaveLength(1);
    await expireCreateLeases();
    const started = performance.now();
    await t.services.assistants.recoverPending();
    console.log(
      `[figures] unknown create dropped after its lease in ${Math.round(performance.now() - started)} ms`,
    );
    expect(await unconfirmed()).toEqual([]);
    expect(t.emulator.assistants.size).toBe(0);
    expect(t.emulator.received('POST')).toHaveLength(1);
    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, pending?.id as string));
    expect(event).toMatchObject({ action: 'assistant.create_abandoned', orgId: t.orgId, outcome: 'success' });
  });

  it('a create the provider finishes after the timeout: pending, then adopted by the settler', async () => {
    // The emulator waits, then creates: Switchboard has given up by then.
    t.emulator.faults = { ...noFaults(), latencyMs: 600, latencyPhase: 'before', latencyMethods: ['POST'] };
    const res = await create('Finished late');
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('provider_timeout');
    expect(await unconfirmed()).toHaveLength(1);
    await sleep(700);
    expect(t.emulator.assistants.size).toBe(1);
    await expireCreateLeases();
    await t.services.assistants.recoverPending();
    const [row] = await storedNamed('Finished late');
    expect(row).toMatchObject({
      syncState: 'synced',
      providerAssistantId: [...t.emulator.assistants.keys()][0],
    });
    const shown = (await t.request(t.owner.cookie, 'GET', `/assistants/${row?.id}`)).json();
    expect(shown).toMatchObject({ name: 'Finished late', version: 1, connectionId: t.connectionId });
    expect(t.emulator.received('POST')).toHaveLength(1);
  });

  it('the reconciler settles an unconfirmed create as well', async () => {
    t.emulator.faults = {
      ...noFaults(),
      failures: [{ status: 504, times: 1, method: 'POST', afterApply: true }],
    };
    // The on-the-spot look fails too, so only the reconciler can settle it.
    t.emulator.faults.failures.push({ status: 500, times: 10, method: 'GET' });
    const res = await create('Reconciled create');
    expect(res.statusCode).toBe(500);
    t.emulator.faults = noFaults();
    await expireCreateLeases();
    await t.database.db.update(assistants).set({ lastSyncedAt: null });
    const report = await t.services.reconciler.runOnce();
    expect(report.failed).toBe(0);
    expect(await storedNamed('Reconciled create')).toEqual([
      expect.objectContaining({ syncState: 'synced' }),
    ]);
    expect(t.emulator.assistants.size).toBe(1);
  });
});
