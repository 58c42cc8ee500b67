// `npm start`: configuration → database (opening) → master keys → app → migrations → stored keys
// checked → connections for older data → first owner → listen; SIGTERM/SIGINT drain in-flight
// requests and close the database.
import pino from 'pino';
import { buildApp, createServices } from './app.ts';
import { newLinkToken } from './auth/tokens.ts';
import { exitWith, loadConfigOrExit } from './config/load-or-exit.ts';
import { ConnectionRepository } from './connections/connection-repository.ts';
import { adoptLegacyAssistants } from './connections/legacy-assistants.ts';
import { assertStoredKeysOpen } from './connections/stored-keys.ts';
import { listenForChanges } from './db/caches.ts';
import { openDatabase } from './db/database.ts';
import { logStream } from './http/log-stream.ts';
import { loopbackUrl, removeOperatorFile, writeOperatorFile } from './http/operator.ts';
import { loadMasterKeys } from './secrets/master-keys.ts';
import { SecretBox, SecretsKeyError } from './secrets/secret-box.ts';

const SHUTDOWN_GRACE_MS = 10_000;

const config = loadConfigOrExit();

const logger = pino(
  {
    level: config.logLevel,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
  },
  logStream(process.stdout.isTTY === true),
);

// Embedded PGlite opens on its own thread while this one builds the app; statements wait for it.
const database = await openDatabase(
  config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
);

let secrets: SecretBox;
try {
  const { keys, generatedFile } = await loadMasterKeys(config);
  secrets = new SecretBox(keys);
  if (generatedFile) {
    logger.warn(
      `SECRETS_KEY is not set: generated a master key for provider API keys in ${generatedFile} (mode 0600); keep it with the data`,
    );
  }
} catch (error) {
  if (!(error instanceof SecretsKeyError)) throw error;
  exitWith(`Secrets error: ${error.message}`);
}

const services = createServices(config, database.db, logger, { secrets });
let stopping = false;
// A signal may arrive while the start's last steps run (they follow `listen`); the shutdown waits for
// them, so none of them runs on a closed database or restarts what the shutdown stopped.
let started: () => void = () => {};
const startup = new Promise<void>((resolve) => {
  started = resolve;
});
// On PGlite (one process per data folder) `npm run reset-password` goes through this server while
// it runs, with the token it finds in DATA_DIR/operator.json; on PostgreSQL it opens the database.
const operatorToken = config.databaseUrl ? undefined : newLinkToken();
let listeningPort = config.port;
const operator = operatorToken
  ? { token: operatorToken, origin: () => config.publicUrl ?? `http://localhost:${listeningPort}` }
  : undefined;
const app = await buildApp({ config, db: database.db, services, logger, operator });
// While stopping, every answer tells its client that the connection closes, so none sends another.
app.addHook('onSend', (_request, reply, _payload, done) => {
  if (stopping) reply.header('connection', 'close');
  done();
});
// Loads the plugins and compiles the routes' schemas: the half second of start that needs no database.
await app.ready();

await database.migrate();
logger.info(
  config.databaseUrl
    ? 'database: PostgreSQL (DATABASE_URL)'
    : `database: embedded PGlite in ${config.dataDir}`,
);
try {
  await assertStoredKeysOpen(new ConnectionRepository(database.db), secrets);
} catch (error) {
  if (!(error instanceof SecretsKeyError)) throw error;
  await database.close();
  exitWith(`Secrets error: ${error.message}; start with the master key that sealed them`);
}
const serverVapi = config.vapiApiKey ? { apiKey: config.vapiApiKey, baseUrl: config.vapiBaseUrl } : undefined;
await adoptLegacyAssistants(database.db, services.provisioning, serverVapi, logger);
logger.info(
  serverVapi
    ? `provider: the first organization's default connection is Vapi at ${serverVapi.baseUrl} (VAPI_API_KEY); others bring their own connections`
    : config.sandbox
      ? 'provider: VAPI_API_KEY is not set; every organization starts with a Sandbox connection (the built-in Vapi emulator, kept in the database) and can add its own Vapi account'
      : 'provider: SANDBOX=off and no VAPI_API_KEY; each organization must add a connection before it creates assistants',
);
const firstOwner = await services.auth.ensureFirstOwner({
  email: config.adminEmail,
  password: config.adminPassword,
  orgName: config.adminOrg,
});
if (firstOwner?.generatedPassword) {
  // Printed once, on the first start; it is stored only as a hash. A LOG_LEVEL that hides warnings
  // must not hide it, so it then goes to stdout as a plain line.
  const line = `first owner created: ${firstOwner.email} with password ${firstOwner.generatedPassword} (shown once)`;
  if (logger.isLevelEnabled('warn')) logger.warn(line);
  else console.log(line);
} else if (firstOwner) {
  logger.info(`first owner created: ${firstOwner.email}`);
}
// PGlite allows one process per data folder, so any lease found now is a dead process's.
const settled = await services.assistants.recoverPending({ sole: database.driver === 'pglite' });
if (settled > 0) logger.info(`settled ${settled} assistant(s) left pending by an earlier process`);

const stopListening = await listenForChanges(database, services.caches, logger);
// Before listening: a signal that arrives while the server starts to listen still stops it cleanly.
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
await app.listen({ port: config.port, host: config.host });
const address = app.server.address();
if (address && typeof address === 'object') listeningPort = address.port;
if (operatorToken && address && typeof address === 'object') {
  try {
    await writeOperatorFile(config.dataDir, {
      url: loopbackUrl(address),
      token: operatorToken,
      pid: process.pid,
    });
  } catch (error) {
    logger.warn(
      `could not write ${config.dataDir}/operator.json (${(error as Error).message}); stop the server to run npm run reset-password`,
    );
  }
}
// Also settles what a dead server left pending once its lease has run out.
services.reconciler.start();
await services.jobRunner.start({ sole: database.driver === 'pglite' });
if (config.syncIntervalMs === 0) logger.info('reconciler off (SYNC_INTERVAL_SECONDS=0)');
started();

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: finishing in-flight requests, then stopping`);
  const force = setTimeout(() => {
    logger.error('in-flight requests did not finish in time; stopping anyway');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  force.unref();
  await startup;
  await services.reconciler.stop();
  await services.jobRunner.stop();
  await app.close();
  await stopListening();
  await services.sandbox.close();
  await database.close();
  // Last: until the database is closed, the command must not open it itself.
  if (operatorToken) await removeOperatorFile(config.dataDir, operatorToken).catch(() => {});
  process.exit(0);
}
