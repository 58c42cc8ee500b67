// The stored provider keys as a whole: a start checks that the master key opens them, and
// `npm run rotate-secrets` re-wraps each one's data key under the current master key.
import type { SecretBox } from '../secrets/secret-box.ts';
import type { ConnectionRepository } from './connection-repository.ts';

/** Throws SecretsKeyError, naming the master key, when a stored key cannot be opened. */
export async function assertStoredKeysOpen(repo: ConnectionRepository, secrets: SecretBox): Promise<void> {
  for (const { id, apiKeySealed } of await repo.sealedKeys()) secrets.open(apiKeySealed, id);
}

/** Re-wraps every stored key under the current master key; returns how many changed. */
export async function rewrapStoredKeys(repo: ConnectionRepository, secrets: SecretBox): Promise<number> {
  let changed = 0;
  for (const { id, apiKeySealed } of await repo.sealedKeys()) {
    const rewrapped = secrets.rewrap(apiKeySealed, id);
    if (rewrapped === apiKeySealed) continue;
    await repo.update(id, { apiKeySealed: rewrapped });
    changed++;
  }
  return changed;
}
