// The master keys from the configuration, or, when SECRETS_KEY is unset (never in production, which
// config refuses), a key kept in DATA_DIR/secrets.key so `npm start` works with no setup.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { decodeMasterKey, MASTER_KEY_BYTES, type MasterKeys, SecretsKeyError } from './secret-box.ts';

export interface LoadedMasterKeys {
  keys: MasterKeys;
  /** The key file this call created, so the caller can say so in the log once. */
  generatedFile?: string;
}

export async function loadMasterKeys(
  config: Pick<Config, 'secretsKey' | 'secretsKeyPrevious' | 'dataDir'>,
): Promise<LoadedMasterKeys> {
  const previous = config.secretsKeyPrevious;
  if (config.secretsKey !== undefined) return { keys: { current: config.secretsKey, previous } };

  const file = join(config.dataDir, 'secrets.key');
  await mkdir(config.dataDir, { recursive: true });
  const generated = randomBytes(MASTER_KEY_BYTES);
  try {
    // 'wx' fails if the file exists, so of two starts racing only one creates the key.
    await writeFile(file, `${generated.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { keys: { current: generated, previous }, generatedFile: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }

  const current = decodeMasterKey((await readFile(file, 'utf8')).trim());
  if (current === undefined) {
    throw new SecretsKeyError(
      `${file} does not hold a master key (32 random bytes in base64); restore it or set SECRETS_KEY`,
    );
  }
  return { keys: { current, previous } };
}
