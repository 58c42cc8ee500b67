// How a model menu groups a provider's models, for every provider's catalog (GET /providers).

export type ModelGroup = { label: string; models: string[] };

/** The model families a menu groups a provider's models by; the first match wins. */
const MODEL_FAMILIES: Readonly<Record<string, ReadonlyArray<readonly [label: string, pattern: RegExp]>>> = {
  openai: [
    ['GPT-6', /^gpt-6/],
    ['GPT-5', /^(gpt-5|chat-latest)/],
    ['GPT-4.1', /^gpt-4\.1/],
    ['Realtime (speech to speech)', /realtime/],
    ['GPT-4o', /^(chat)?gpt-4o/],
    ['Reasoning (o-series)', /^o\d/],
    ['GPT-4 and GPT-3.5', /^gpt-(4|3\.5)/],
  ],
  anthropic: [
    ['Claude Opus', /opus/],
    ['Claude Sonnet', /sonnet/],
    ['Claude Haiku', /haiku/],
  ],
  google: [
    ['Gemini Flash-Lite', /^gemini-.*flash-lite/],
    ['Gemini Flash', /^gemini-.*flash/],
  ],
};

const PINNED = ', pinned to a region';

/**
 * A provider's models in groups: its families in the order above, then whatever no family
 * matched, then the region-pinned deployments (`name:region`) by the same families. Each model
 * keeps the provider's order within its group, and appears exactly once.
 */
export function groupModels(provider: string, models: readonly string[]): ModelGroup[] {
  const families = MODEL_FAMILIES[provider] ?? [];
  const other = families.length > 0 ? 'Other models' : 'Models';
  const labels = [...families.map(([label]) => label), other];
  const order = [...labels, ...labels.map((label) => label + PINNED)];
  const groups = new Map<string, string[]>(order.map((label) => [label, []]));
  for (const model of models) {
    const [base = model, region] = model.split(':', 2);
    const family = families.find(([, pattern]) => pattern.test(base))?.[0] ?? other;
    groups.get(region === undefined ? family : family + PINNED)?.push(model);
  }
  return [...groups].filter(([, list]) => list.length > 0).map(([label, list]) => ({ label, models: list }));
}
