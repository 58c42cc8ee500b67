// `npm start`: configuration → database (opening) → provider (or the in-process emulator) → app
// → migrations → first owner → listen; SIGTERM/SIGINT drain in-flight requests and close the database.
import pino from 'pino';
import { buildApp, createServices } from './app.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { listenForChanges } from './db/caches.ts';
import { openDatabase } from './db/database.ts';
import { VapiEmulator } from './providers/vapi/emulator/emulator.ts';
import { VapiClient } from './providers/vapi/vapi-client.ts';

const SHUTDOWN_GRACE_MS = 10_000;

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  process.exit(1);
}

const logger = pino({
  level: config.logLevel,
  redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
});

// Embedded PGlite opens on its own thread while this one builds the app; statements wait for it.
const database = await openDatabase(
  config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
);

let emulator: VapiEmulator | undefined;
let vapiBaseUrl = config.vapiBaseUrl;
let vapiApiKey = config.vapiApiKey;
if (!vapiApiKey) {
  vapiApiKey = 'in-process-emulator';
  emulator = new VapiEmulator(vapiApiKey);
  vapiBaseUrl = await emulator.listen(0, '127.0.0.1');
  logger.warn(
    `VAPI_API_KEY is not set: using the bundled Vapi emulator in-process at ${vapiBaseUrl}; assistants will not reach real Vapi`,
  );
}
const provider = new VapiClient({
  apiKey: vapiApiKey,
  baseUrl: vapiBaseUrl,
  timeoutMs: config.providerTimeoutMs,
});

const services = createServices(config, database.db, provider, logger);
let stopping = false;
const app = await buildApp({ config, db: database.db, services, logger });
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
const firstOwner = await services.auth.ensureFirstOwner({
  email: config.adminEmail,
  password: config.adminPassword,
  orgName: config.adminOrg,
});
if (firstOwner?.generatedPassword) {
  // Printed once, on the first start; it is stored only as a hash.
  logger.warn(
    `first owner created: ${firstOwner.email} with password ${firstOwner.generatedPassword} (shown once)`,
  );
} else if (firstOwner) {
  logger.info(`first owner created: ${firstOwner.email}`);
}
// PGlite allows one process per data folder, so any lease found now is a dead process's.
const settled = await services.assistants.settleStalePending({ sole: database.driver === 'pglite' });
if (settled > 0) logger.info(`settled ${settled} assistant(s) left pending by an earlier process`);

const stopListening = await listenForChanges(database, services.caches, logger);
await app.listen({ port: config.port, host: config.host });
// Also settles what a dead server left pending once its lease has run out.
services.reconciler.start();
if (config.syncIntervalMs === 0) logger.info('reconciler off (SYNC_INTERVAL_SECONDS=0)');

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: finishing in-flight requests, then stopping`);
  const force = setTimeout(() => {
    logger.error('in-flight requests did not finish in time; stopping anyway');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  force.unref();
  await services.reconciler.stop();
  await app.close();
  await stopListening();
  await emulator?.close();
  await database.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
