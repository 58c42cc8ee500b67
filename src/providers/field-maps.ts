// Which field map serves an assistant, by its connection's provider: the assistants service asks
// here and names no provider itself.
import type { ProviderFieldMap } from './provider.ts';
import { retellFieldMap } from './retell/mapping.ts';
import { vapiFieldMap } from './vapi/mapping.ts';

const FIELD_MAPS: Readonly<Record<string, ProviderFieldMap>> = {
  vapi: vapiFieldMap,
  // The sandbox is the Vapi emulator in-process: the same objects.
  sandbox: vapiFieldMap,
  retell: retellFieldMap,
};

export function fieldMapFor(provider: string): ProviderFieldMap {
  const map = FIELD_MAPS[provider];
  if (!map) throw new Error(`no field map for provider ${provider}`);
  return map;
}
