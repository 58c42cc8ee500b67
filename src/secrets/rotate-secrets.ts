// `npm run rotate-secrets`: re-wraps every stored provider key's data key under SECRETS_KEY, reading
// the old ones with SECRETS_KEY_PREVIOUS. Afterwards SECRETS_KEY_PREVIOUS can be dropped. On
// embedded PGlite, stop the server first (one process per data folder); on PostgreSQL it can run
// beside the servers, which read both keys meanwhile.
import { exitWith, loadConfigOrExit } from '../config/load-or-exit.ts';
import { ConnectionRepository } from '../connections/connection-repository.ts';
import { rewrapStoredKeys } from '../connections/stored-keys.ts';
import { openDatabase } from '../db/database.ts';
import { SecretBox, SecretsKeyError } from './secret-box.ts';

const config = loadConfigOrExit();
if (!config.secretsKey || !config.secretsKeyPrevious) {
  exitWith(
    'rotate-secrets needs SECRETS_KEY (the new master key) and SECRETS_KEY_PREVIOUS (the one the keys are sealed under now)',
  );
}

const secrets = new SecretBox({ current: config.secretsKey, previous: config.secretsKeyPrevious });
const database = await openDatabase(
  config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
);
try {
  await database.migrate();
  const changed = await rewrapStoredKeys(new ConnectionRepository(database.db), secrets);
  console.log(
    `re-wrapped ${changed} provider key(s) under master key ${secrets.currentKeyId}; SECRETS_KEY_PREVIOUS is no longer needed`,
  );
} catch (error) {
  if (!(error instanceof SecretsKeyError)) throw error;
  await database.close();
  exitWith(`Secrets error: ${error.message}`);
}
await database.close();
