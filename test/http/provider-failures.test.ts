// Every way the provider can fail, driven through the emulator's controls: the caller gets a 4xx
// or a 500 with a code, and the stored assistant stays as it was.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { closedPort } from '../helpers/ports.ts';
import { seedProviderAssistant } from '../helpers/seed.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let assistant: { id: string; providerAssistantId: string };

beforeAll(async () => {
  t = await startTestApp({
    env: { PROVIDER_TIMEOUT_MS: '300' },
    provider: { retryBudgetMs: 1_000, backoffMs: 20 },
  });
});
afterAll(() => t.close());
beforeEach(async () => {
  t.emulator.faults = noFaults();
  assistant = await seedProviderAssistant(t);
});

const patch = (body: unknown) => t.request(t.owner.cookie, 'PATCH', `/assistants/${assistant.id}`, body);
const stored = async () => (await t.request(t.owner.cookie, 'GET', `/assistants/${assistant.id}`)).json();
const withoutSyncState = ({ syncState: _s, ...rest }: Record<string, unknown>) => rest;

describe('provider failures on PATCH', () => {
  it('retries a 5xx (the merged PATCH is idempotent) and succeeds', async () => {
    t.emulator.faults.failures = [{ status: 503, times: 2, method: 'PATCH' }];
    const res = await patch({ name: 'After retries' });
    expect(res.statusCode).toBe(200);
    expect(t.emulator.received('PATCH')).toHaveLength(3);
    expect(res.json().version).toBe(2);
  });

  it('gives up after its attempts with provider_error; nothing stored, pending because a 502 may follow an applied change', async () => {
    const before = await stored();
    t.emulator.faults.failures = [{ status: 502, times: 100, method: 'PATCH' }];
    const res = await patch({ name: 'Never' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_error' });
    expect(t.emulator.received('PATCH')).toHaveLength(3);
    expect(await stored()).toEqual({ ...before, syncState: 'pending' });
  });

  it('a 502 after the provider applied the change: pending, and the next read stores what the provider has', async () => {
    t.emulator.faults.failures = [
      { status: 502, times: 1, method: 'PATCH', afterApply: true },
      { status: 502, times: 100, method: 'PATCH' },
    ];
    const res = await patch({ name: 'Applied anyway' });
    expect(res.statusCode).toBe(500);
    expect((await stored()).syncState).toBe('pending');
    t.emulator.faults = noFaults();
    await t.services.assistants.recoverPending();
    expect(await stored()).toMatchObject({ name: 'Applied anyway', syncState: 'synced' });
  });

  it('a refusal is certain: a 4xx leaves the assistant synced', async () => {
    const before = await stored();
    t.emulator.faults.failures = [
      { status: 400, times: 1, method: 'PATCH', message: ['name must be shorter'] },
    ];
    const res = await patch({ name: 'Refused' });
    expect(res.statusCode).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('honours a short Retry-After on 429, then succeeds', async () => {
    t.emulator.faults.failures = [{ status: 429, times: 1, retryAfterSeconds: 0, method: 'PATCH' }];
    const res = await patch({ name: 'Rate limited once' });
    expect(res.statusCode).toBe(200);
    expect(t.emulator.received('PATCH')).toHaveLength(2);
  });

  it('a Retry-After beyond the retry budget is passed on as provider_rate_limited', async () => {
    const before = await stored();
    t.emulator.faults.failures = [{ status: 429, times: 5, retryAfterSeconds: 30, method: 'PATCH' }];
    const res = await patch({ name: 'Throttled' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_rate_limited' });
    expect(res.headers['retry-after']).toBe('30');
    expect(t.emulator.received('PATCH')).toHaveLength(1);
    expect(await stored()).toEqual(before);
  });

  it('a hanging provider is cut off by the timeout: provider_timeout, configuration unchanged, marked pending', async () => {
    const before = await stored();
    t.emulator.faults.hangMethods = ['PATCH'];
    const started = Date.now();
    const res = await patch({ name: 'Hung' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_timeout' });
    const after = await stored();
    expect(withoutSyncState(after)).toEqual(withoutSyncState(before));
    // The provider may have applied it; Switchboard says so instead of guessing.
    expect(after.syncState).toBe('pending');
  });

  it('the next update of a pending assistant first stores what the provider really has', async () => {
    // The update reached the provider, but its answer never arrived.
    t.emulator.faults = { ...noFaults(), latencyMs: 1_000, latencyPhase: 'after', latencyMethods: ['PATCH'] };
    const lost = await patch({ name: 'Applied but unanswered' });
    expect(lost.json()).toMatchObject({ code: 'provider_timeout' });
    t.emulator.faults = noFaults();

    const res = await patch({ model: { temperature: 1.2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Applied but unanswered', syncState: 'synced', version: 3 });
    expect(res.json().providerConfig).toEqual(t.emulator.assistants.get(assistant.providerAssistantId));
  });

  it('the settler on start brings a pending assistant back in step', async () => {
    t.emulator.faults = { ...noFaults(), latencyMs: 1_000, latencyPhase: 'after', latencyMethods: ['PATCH'] };
    await patch({ name: 'Settled on start' });
    t.emulator.faults = noFaults();
    expect((await stored()).syncState).toBe('pending');
    // A dead process's lease would have run out; this one was released, so settling can start now.
    const settled = await t.services.assistants.recoverPending();
    expect(settled).toBeGreaterThanOrEqual(1);
    expect(await stored()).toMatchObject({ name: 'Settled on start', syncState: 'synced', version: 2 });
  });

  it('an unreachable provider is provider_unreachable, and nothing changes', async () => {
    const down = await startTestApp({ env: { VAPI_BASE_URL: `http://127.0.0.1:${await closedPort()}` } });
    try {
      const row = await seedProviderAssistant(down);
      const before = (await down.request(down.owner.cookie, 'GET', `/assistants/${row.id}`)).json();
      const res = await down.request(down.owner.cookie, 'PATCH', `/assistants/${row.id}`, {
        name: 'Nowhere',
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'provider_unreachable' });
      // Connection refused means the request never arrived, so the assistant is not left pending.
      expect((await down.request(down.owner.cookie, 'GET', `/assistants/${row.id}`)).json()).toEqual(before);
    } finally {
      await down.close();
    }
  });

  it('a rejected API key is a 500 provider_key_rejected, without the key in the answer', async () => {
    const wrongKey = await startTestApp({ env: { VAPI_API_KEY: 'wrong-key' } });
    try {
      const res = await wrongKey.request(wrongKey.owner.cookie, 'POST', '/assistants', {
        name: 'X',
        model: { provider: 'openai', model: 'gpt-4o' },
        voice: { provider: 'openai', voiceId: 'alloy' },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'provider_key_rejected' });
      expect(res.json().message).toMatch(/an admin must update/);
      expect(res.body).not.toContain('wrong-key');
    } finally {
      await wrongKey.close();
    }
  });
});
