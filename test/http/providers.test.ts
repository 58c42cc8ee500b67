// GET /providers: the assistant form's choices are the catalog's, within the request schemas, and
// its limits are the ones the API enforces (checked against real 400s, not only the schema).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantCreate } from '../../src/assistants/schemas.ts';
import { RETELL_MODELS } from '../../src/providers/retell/catalog.ts';
import type { ProviderCatalog } from '../../src/providers/schemas.ts';
import {
  MODEL_PROVIDERS,
  SERVER_SET_KEYS,
  TRANSCRIBER_PROVIDERS,
  VOICE_PROVIDERS,
} from '../../src/providers/vapi/catalog.ts';
import { createAssistant, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let body: ProviderCatalog;
/** The kinds that follow Vapi's rules (Vapi and the sandbox); Retell has its own entry. */
let vapiKinds: ProviderCatalog['items'];

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.request(t.owner.cookie, 'GET', '/providers');
  expect(res.statusCode).toBe(200);
  body = res.json();
  vapiKinds = body.items.filter((choices) => choices.provider !== 'retell');
});
afterAll(() => t.close());

const request = AssistantCreate.properties;
const enumOf = (schema: unknown) => (schema as { enum: string[] }).enum;
/** A TypeBox schema's bounding keywords, which its static type does not carry. */
const k = (schema: unknown) =>
  schema as { minimum: number; maximum: number; minLength?: number; maxLength: number };
const length = (schema: unknown) => ({ minLength: k(schema).minLength ?? 0, maxLength: k(schema).maxLength });
const range = (schema: unknown) => ({ minimum: k(schema).minimum, maximum: k(schema).maximum });
const sorted = (values: readonly string[]) => [...values].sort((a, b) => a.localeCompare(b, 'en'));

describe('GET /providers', () => {
  it('answers for every kind of connection that has assistants to configure, the sandbox with Vapi’s rules', () => {
    expect(body.items.map((c) => c.provider)).toEqual(['vapi', 'sandbox', 'retell']);
    const [vapi, sandbox] = body.items;
    expect(sandbox).toEqual({ ...vapi, provider: 'sandbox' });
  });

  it('needs a member of an organization or an API key, of any role', async () => {
    expect((await t.request(undefined, 'GET', '/providers')).statusCode).toBe(401);
    const viewer = await t.userWithRole('viewer');
    expect((await t.request(viewer.cookie, 'GET', '/providers')).statusCode).toBe(200);
    const key = await t.createApiKey('viewer');
    const byKey = await t.request(undefined, 'GET', '/providers', undefined, key.headers);
    expect(byKey.statusCode).toBe(200);
    expect(byKey.json()).toEqual(body);
  });

  it('offers the model providers the API accepts, each with every catalog model exactly once, in groups', () => {
    for (const choices of vapiKinds) {
      expect(choices.modelProviders.map((p) => p.id)).toEqual(enumOf(request.model.properties.provider));
      for (const provider of choices.modelProviders) {
        const catalog = MODEL_PROVIDERS[provider.id]?.models;
        if (!catalog) {
          expect(provider.modelGroups).toBeNull();
          continue;
        }
        const grouped = provider.modelGroups?.flatMap((g) => g.models) ?? [];
        expect(sorted(grouped)).toEqual(sorted(catalog));
        expect(new Set(grouped).size).toBe(grouped.length);
        for (const group of provider.modelGroups ?? []) {
          expect(group.models.length).toBeGreaterThan(0);
          // The provider's order within a group; region-pinned deployments only in their own groups.
          expect(group.models).toEqual(catalog.filter((m) => group.models.includes(m)));
          const pinned = group.label.endsWith(', pinned to a region');
          expect(group.models.every((m) => m.includes(':') === pinned)).toBe(true);
        }
      }
    }
  });

  it('groups OpenAI’s long list by family, the region-pinned ones last', () => {
    const openai = body.items[0]?.modelProviders.find((p) => p.id === 'openai');
    const groups = openai?.modelGroups ?? [];
    const labels = groups.map((g) => g.label);
    expect(labels.slice(0, 3)).toEqual(['GPT-5', 'GPT-4.1', 'Realtime (speech to speech)']);
    expect(groups.find((g) => g.label === 'GPT-4o')?.models).toContain('gpt-4o');
    expect(groups.find((g) => g.label === 'Reasoning (o-series)')?.models).toContain('o3');
    const firstPinned = labels.findIndex((l) => l.endsWith(', pinned to a region'));
    expect(firstPinned).toBeGreaterThan(0);
    expect(labels.slice(firstPinned).every((l) => l.endsWith(', pinned to a region'))).toBe(true);
    // No menu group is anywhere near the 150-odd options of one flat list.
    expect(Math.max(...groups.map((g) => g.models.length))).toBeLessThan(60);
  });

  it('offers every voice and transcriber provider the API accepts, alphabetically, with the catalog’s models', () => {
    for (const choices of vapiKinds) {
      expect(choices.voiceProviders.map((p) => p.id)).toEqual(sorted(Object.keys(VOICE_PROVIDERS)));
      // The request schema takes every platform's voice providers; each platform offers its own.
      expect(enumOf(request.voice.properties.provider)).toEqual(
        expect.arrayContaining(choices.voiceProviders.map((p) => p.id)),
      );
      expect(choices.transcriberProviders.map((p) => p.id)).toEqual(
        sorted(Object.keys(TRANSCRIBER_PROVIDERS)),
      );
      for (const transcriber of choices.transcriberProviders) {
        const variant = TRANSCRIBER_PROVIDERS[transcriber.id];
        expect(transcriber.models).toEqual(variant?.models ? [...variant.models] : null);
        expect(transcriber.modelRequired).toBe(variant?.required.includes('model'));
      }
    }
    const deepgram = body.items[0]?.transcriberProviders.find((p) => p.id === 'deepgram');
    expect(deepgram).toEqual({ id: 'deepgram', models: null, modelRequired: false });
  });

  it('gives the limits of the request schema, narrowed per model provider by the catalog’s bounds', () => {
    const model = request.model.properties;
    for (const choices of vapiKinds) {
      expect(choices.limits).toEqual({
        name: length(request.name),
        firstMessage: length(request.firstMessage),
        model: length(model.model),
        systemPrompt: length(model.systemPrompt),
        temperature: range(model.temperature),
        maxTokens: range(model.maxTokens),
        voiceId: length(request.voice.properties.voiceId),
        transcriberModel: length(request.transcriber.properties.model),
      });
      for (const provider of choices.modelProviders) {
        const bounds = MODEL_PROVIDERS[provider.id]?.bounds ?? {};
        for (const field of ['temperature', 'maxTokens'] as const) {
          const [min, max] = bounds[field] ?? [null, null];
          const limit = choices.limits[field];
          expect(provider[field]).toEqual({
            minimum: Math.max(limit.minimum, min ?? -Infinity),
            maximum: Math.min(limit.maximum, max ?? Infinity),
          });
        }
      }
    }
  });

  it('for Retell: its own models, temperature 0–1, and the fields it cannot hold', () => {
    const retell = body.items.find((choices) => choices.provider === 'retell');
    expect(
      retell?.modelProviders.flatMap((p) => p.modelGroups?.flatMap((g) => g.models) ?? []).sort(),
    ).toEqual([...RETELL_MODELS].sort());
    for (const provider of retell?.modelProviders ?? []) {
      expect(provider.temperature).toEqual({ minimum: 0, maximum: 1 });
      expect(provider.maxTokens).toBeUndefined();
    }
    expect(retell?.voiceProviders.map((p) => p.voiceIdPrefix)).toContain('11labs-');
    expect(retell?.transcriberProviders).toEqual([]);
    expect(retell?.unheldFields).toEqual(['model.maxTokens', 'transcriber']);
    expect(retell?.derivedFields).toEqual(['model.provider', 'voice.provider']);
    // What a diff leaves out: the ids and timestamps each provider sets itself.
    expect(retell?.serverSetFields).toEqual(expect.arrayContaining(['id', 'agent.version', 'llm.llm_id']));
    for (const choices of vapiKinds) expect(choices.serverSetFields).toEqual([...SERVER_SET_KEYS]);
    expect(vapiKinds.every((choices) => choices.unheldFields.length === 0)).toBe(true);
  });

  it('has limits the API enforces: the edges pass, one past them is a 400 at the field', async () => {
    const [vapi] = body.items;
    if (!vapi) throw new Error('no vapi choices');
    const { limits } = vapi;
    const a = await createAssistant(t);
    const patch = (payload: object) => t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, payload);
    const refusedAt = async (payload: object) => {
      const res = await patch(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      return res.json().details.map((d: { field: string }) => d.field);
    };
    const { temperature, maxTokens } = limits;
    const nameMax = limits.name.maxLength;

    expect((await patch({ name: 'n'.repeat(nameMax) })).statusCode).toBe(200);
    expect(await refusedAt({ name: 'n'.repeat(nameMax + 1) })).toContain('name');
    expect(await refusedAt({ name: '' })).toContain('name');
    for (const value of [temperature.minimum, temperature.maximum]) {
      expect((await patch({ model: { temperature: value } })).statusCode).toBe(200);
    }
    expect(await refusedAt({ model: { temperature: temperature.maximum + 0.01 } })).toContain(
      'model.temperature',
    );
    expect(await refusedAt({ model: { temperature: temperature.minimum - 0.01 } })).toContain(
      'model.temperature',
    );
    for (const value of [maxTokens.minimum, maxTokens.maximum]) {
      expect((await patch({ model: { maxTokens: value } })).statusCode).toBe(200);
    }
    expect(await refusedAt({ model: { maxTokens: maxTokens.maximum + 1 } })).toContain('model.maxTokens');
    expect(await refusedAt({ model: { maxTokens: maxTokens.minimum - 1 } })).toContain('model.maxTokens');
  });

  it('accepts every offered choice: a model from each group, every voice provider', async () => {
    const [vapi] = body.items;
    const a = await createAssistant(t);
    for (const provider of vapi?.modelProviders ?? []) {
      for (const group of provider.modelGroups ?? []) {
        const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
          model: { provider: provider.id, model: group.models[0] },
        });
        expect(res.statusCode, `${provider.id} ${group.models[0]}: ${res.body}`).toBe(200);
      }
    }
  });

  it('answers with what its OpenAPI document declares, described', async () => {
    const doc = (await t.request(undefined, 'GET', '/openapi.json')).json();
    const op = doc.paths['/providers'].get;
    const schema = op.responses['200'].content['application/json'].schema;
    expect(schema.description).toMatch(/assistant form/);
    expect(schema.properties.items.items.properties.limits.description).toBeTruthy();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    expect(ajv.validate(schema, body), JSON.stringify(ajv.errors)).toBe(true);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });
});
