// The assistants service on a real database with a scripted provider (the emulator's faults): what
// each way a provider update can end leaves behind, as a table. Certain refusals leave the
// assistant `synced`; anything that may have reached the provider leaves it `pending`, to be read
// back; a provider that lost it marks it `missing`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { type FaultPlan, noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { seedProviderAssistant } from '../helpers/seed.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await startTestApp({
    env: { PROVIDER_TIMEOUT_MS: '300' },
    provider: { retryBudgetMs: 600, backoffMs: 10 },
  });
  actor = {
    userId: t.owner.userId,
    apiKeyId: null,
    label: t.owner.email,
    requestId: 'table',
    orgId: t.orgId,
    role: 'owner',
  };
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.faults = noFaults();
});

type Outcome = { code: string | undefined; syncState: string; applied: boolean };

const cases: Array<[string, Partial<FaultPlan>, Outcome]> = [
  [
    'a validation refusal (400)',
    { failures: [{ status: 400, times: 9, method: 'PATCH', message: ['name is bad'] }] },
    { code: 'provider_validation', syncState: 'synced', applied: false },
  ],
  [
    'a refused key (401)',
    { failures: [{ status: 401, times: 9, method: 'PATCH' }] },
    { code: 'provider_key_rejected', syncState: 'synced', applied: false },
  ],
  [
    'rate limiting past the retries (429)',
    { failures: [{ status: 429, times: 9, method: 'PATCH', retryAfterSeconds: 0 }] },
    { code: 'provider_rate_limited', syncState: 'synced', applied: false },
  ],
  [
    'a server error (500)',
    { failures: [{ status: 500, times: 9, method: 'PATCH' }] },
    { code: 'provider_error', syncState: 'pending', applied: false },
  ],
  [
    'a gateway error after applying (502)',
    { failures: [{ status: 502, times: 9, method: 'PATCH', afterApply: true }] },
    { code: 'provider_error', syncState: 'pending', applied: true },
  ],
  [
    'a timeout after applying',
    { latencyMs: 1_000, latencyPhase: 'after', latencyMethods: ['PATCH'] },
    { code: 'provider_timeout', syncState: 'pending', applied: true },
  ],
];

describe('a provider update that fails leaves the assistant…', () => {
  it.each(cases)('%s', async (_kind, faults, expected) => {
    const seeded = await seedProviderAssistant(t);
    t.emulator.faults = { ...noFaults(), ...faults };
    const error = await t.services.assistants.update(actor, seeded.id, { name: 'Scripted change' }).then(
      () => undefined,
      (caught: { code?: string }) => caught,
    );
    t.emulator.faults = noFaults();
    const row = await t.services.assistants.get(actor, seeded.id);
    const remote = t.emulator.assistants.get(seeded.providerAssistantId);
    expect({
      code: error?.code,
      syncState: row.syncState,
      applied: remote?.name === 'Scripted change',
    }).toEqual(expected);
    // Whatever it left, reading the provider back brings the assistant in step with it.
    const synced = await t.services.assistants.sync(actor, seeded.id);
    expect(synced).toMatchObject({
      syncState: 'synced',
      config: expect.objectContaining({ name: remote?.name }),
    });
  });

  it('a provider that no longer has it: missing', async () => {
    const seeded = await seedProviderAssistant(t);
    t.emulator.assistants.delete(seeded.providerAssistantId);
    const error = await t.services.assistants
      .update(actor, seeded.id, { name: 'Gone' })
      .catch((caught) => caught);
    expect(error.code).toBe('provider_not_found');
    expect((await t.services.assistants.get(actor, seeded.id)).syncState).toBe('missing');
  });
});
