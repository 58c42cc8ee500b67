// Shared by the one-process and two-process concurrency tests: a set of updates that each touch
// a different part of `model`, and the check that no update was built on a stale copy.
import { expect } from 'vitest';
import type { RecordedRequest } from '../../src/providers/vapi/emulator/emulator.ts';

type ModelField = 'temperature' | 'maxTokens' | 'systemPrompt';

export interface ModelUpdate {
  field: ModelField;
  value: number | string;
  body: { model: Record<string, number | string> };
}

/** `count` updates, cycling through three model fields, each with a value no other update uses. */
export function distinctModelUpdates(count: number): ModelUpdate[] {
  const fields: ModelField[] = ['temperature', 'maxTokens', 'systemPrompt'];
  return Array.from({ length: count }, (_, i) => {
    const field = fields[i % fields.length] as ModelField;
    const value =
      field === 'temperature'
        ? Math.round((0.01 + i * 0.05) * 100) / 100
        : field === 'maxTokens'
          ? 100 + i
          : `Prompt ${i}`;
    return { field, value, body: { model: { [field]: value } } };
  });
}

function fieldOf(model: Record<string, unknown>, field: ModelField): unknown {
  if (field !== 'systemPrompt') return model[field];
  const messages = (model.messages ?? []) as Array<{ role: string; content: unknown }>;
  return messages.find((m) => m.role === 'system')?.content;
}

/**
 * Replays the PATCH bodies the provider received, in arrival order: each must equal the state
 * before it with exactly its own field changed. A body built from a stale copy would revert a
 * field an earlier update set, and fail here. Returns the final model.
 */
export function expectSerialised(
  initialModel: Record<string, unknown>,
  received: RecordedRequest[],
  updates: ModelUpdate[],
): Record<string, unknown> {
  let model = initialModel;
  const applied = new Set<ModelUpdate>();
  for (const request of received) {
    const sent = (request.body as { model: Record<string, unknown> }).model;
    const update = updates.find(
      (u) => !applied.has(u) && fieldOf(sent, u.field) === u.value && fieldOf(model, u.field) !== u.value,
    );
    expect(update, `a PATCH body that matches no pending update: ${JSON.stringify(sent)}`).toBeDefined();
    if (!update) break;
    applied.add(update);
    for (const field of ['temperature', 'maxTokens', 'systemPrompt'] as const) {
      if (field !== update.field)
        expect(fieldOf(sent, field), `${field} reverted`).toEqual(fieldOf(model, field));
    }
    model = sent;
  }
  expect(applied.size).toBe(updates.length);
  return model;
}

export { fieldOf };
