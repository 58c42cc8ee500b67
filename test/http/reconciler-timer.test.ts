// The reconciler on its own timer, as server.ts starts it: every SYNC_INTERVAL_SECONDS it runs a
// pass by itself, skips an assistant whose update is in progress (never waiting for it), stops
// with stop(), and never runs at 0.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { assistants } from '../../src/db/schema.ts';
import type { ReconcileReport } from '../../src/sync/reconciler.ts';
import { emulatorFetch, seedProviderAssistant } from '../helpers/seed.ts';
import { EMULATOR_KEY, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { SYNC_INTERVAL_SECONDS: '1', SYNC_MAX_CALLS_PER_SECOND: '1000' } });
});
afterAll(async () => {
  await t.services.reconciler.stop();
  await t.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two assistants due for a check: one changed at the provider, one whose lease another update holds. */
async function dueAssistants() {
  const drifted = await seedProviderAssistant(t);
  const busy = await seedProviderAssistant(t);
  await emulatorFetch(t, 'PATCH', `/assistant/${drifted.providerAssistantId}`, { name: 'Changed at Vapi' });
  const liveLease = randomUUID();
  await t.database.db
    .update(assistants)
    .set({ leaseToken: liveLease, leaseExpiresAt: sql`now() + interval '10 minutes'` })
    .where(eq(assistants.id, busy.id));
  await t.database.db.update(assistants).set({ lastSyncedAt: null });
  t.emulator.requests.length = 0;
  return { drifted, busy, liveLease };
}

describe('the reconciler’s timer', () => {
  it('runs a pass every SYNC_INTERVAL_SECONDS by itself, skips a busy assistant, and stops on stop()', async () => {
    expect(t.config.syncIntervalMs).toBe(1_000);
    const { drifted, busy, liveLease } = await dueAssistants();
    const reconciler = t.services.reconciler;
    const passes = vi.spyOn(reconciler, 'runOnce');
    try {
      const started = Date.now();
      reconciler.start();
      reconciler.start(); // a second start keeps the one timer
      await vi.waitFor(() => expect(passes).toHaveBeenCalledTimes(1), { timeout: 3_000, interval: 10 });
      // The timer started it, a whole interval after start().
      const firstAt = Date.now();
      expect(firstAt - started).toBeGreaterThanOrEqual(950);
      const first = (await passes.mock.results[0]?.value) as ReconcileReport;
      expect(Date.now() - firstAt).toBeLessThan(t.config.updateWaitMs / 4);
      // The busy assistant is counted and skipped at once: neither waited for nor read from the provider.
      expect(first).toEqual({ checked: 2, changed: 1, missing: 0, busy: 1, failed: 0 });
      expect(t.emulator.received().map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /assistant/${drifted.providerAssistantId}`,
      ]);
      const stored = (await t.request(t.owner.cookie, 'GET', `/assistants/${drifted.id}`)).json();
      expect(stored).toMatchObject({ name: 'Changed at Vapi', version: 2, syncState: 'synced' });
      const [held] = await t.database.db.select().from(assistants).where(eq(assistants.id, busy.id));
      expect(held).toMatchObject({ leaseToken: liveLease, version: 1 });

      // It keeps going by itself, one pass per interval.
      await vi.waitFor(() => expect(passes).toHaveBeenCalledTimes(2), { timeout: 3_000, interval: 10 });
      expect(passes.mock.calls.length).toBe(2);

      await reconciler.stop();
      const calls = passes.mock.calls.length;
      await sleep(1_150);
      expect(passes.mock.calls.length).toBe(calls);
    } finally {
      await reconciler.stop();
      passes.mockRestore();
    }
  });

  it('at SYNC_INTERVAL_SECONDS=0 start() runs nothing', async () => {
    const config = loadConfig({
      VAPI_API_KEY: EMULATOR_KEY,
      VAPI_BASE_URL: t.emulatorUrl,
      SYNC_INTERVAL_SECONDS: '0',
    });
    expect(config.syncIntervalMs).toBe(0);
    const services = createServices(config, t.database.db, pino({ level: 'silent' }), { secrets: t.secrets });
    const passes = vi.spyOn(services.reconciler, 'runOnce');
    try {
      await dueAssistants();
      services.reconciler.start();
      await sleep(300);
      expect(passes).not.toHaveBeenCalled();
      expect(t.emulator.received()).toEqual([]);
    } finally {
      await services.reconciler.stop();
      await services.sandbox.close();
    }
  });
});
