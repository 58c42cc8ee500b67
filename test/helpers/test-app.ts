// Builds the real application for HTTP tests: a fresh database (PGlite in memory, or a new
// database on the test PostgreSQL server), the Vapi emulator on a loopback port, and signed-in users.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import { buildApp, createServices, type Services } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { ClientSettings } from '../../src/connections/provider-clients.ts';
import { listenForChanges } from '../../src/db/caches.ts';
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts';
import type { Role } from '../../src/orgs/roles.ts';
import { VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';

export const EMULATOR_KEY = 'test-emulator-key';
export const OWNER = { email: 'owner@example.com', password: 'owner-password-1' };
/** The password of every member `userWithRole` makes. */
export const MEMBER_PASSWORD = 'member-password-1';

export interface TestUser {
  userId: string;
  email: string;
  cookie: string;
}

export interface TestApiKey {
  id: string;
  secret: string;
  /** `Authorization: Bearer …` for `request`'s headers. */
  headers: Record<string, string>;
}

export interface TestApp {
  app: FastifyInstance;
  emulator: VapiEmulator;
  emulatorUrl: string;
  database: DatabaseHandle;
  services: Services;
  config: Config;
  owner: TestUser;
  orgId: string;
  /** The owner's organization's default connection: the test emulator, as VAPI_API_KEY makes it. */
  connectionId: string;
  secrets: SecretBox;
  /** A new member of the owner's organization with this role, invited by the owner and signed in. */
  userWithRole(role: Role): Promise<TestUser>;
  login(email: string, password: string): Promise<string>;
  /** Another server on the same database, with its own caches and notification listener. */
  secondServer(): Promise<{ services: Services; request: TestApp['request']; close(): Promise<void> }>;
  /** A new API key of the owner's organization with this role, created by the owner. */
  createApiKey(role: Role, name?: string): Promise<TestApiKey>;
  request(
    cookie: string | undefined,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  provider?: Partial<ClientSettings>;
  /** Receives every log line (at `info` and above) instead of discarding them. */
  logLines?: string[];
  /** On PGlite, keep the database in this folder instead of in memory. */
  pgliteDataDir?: string;
  /** With SMTP set up, where `userWithRole` finds the emailed invitation link. */
  mailbox?: { waitFor(to: string): Promise<{ text: string }> };
  /** Opens the operator's route with this token (as the server does on PGlite); its links start with OPERATOR_ORIGIN. */
  operatorToken?: string;
  /** A database the test opened itself (from `openTestDatabase`), instead of a new one. */
  database?: TestDatabase;
}

export const OPERATOR_ORIGIN = 'http://localhost:3999';

export interface TestDatabase {
  database: DatabaseHandle;
  reopen: () => Promise<DatabaseHandle>;
  /** The PostgreSQL database's URL; undefined on PGlite. */
  url?: string;
}

/**
 * A database for one test file, on whichever engine this Vitest project runs against, and a way
 * to open it again as another server would.
 */
export async function openTestDatabase({
  pgliteDataDir,
  poolSize,
}: {
  pgliteDataDir?: string | undefined;
  poolSize?: number;
} = {}): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE !== 'postgres') {
    // PGlite is one process's: a second server in this process shares the handle.
    const database = await openDatabase(pgliteDataDir ? { dataDir: pgliteDataDir } : { memory: true });
    return { database, reopen: async () => ({ ...database, close: async () => {} }) };
  }
  const adminUrl = inject('postgresUrl');
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: await openDatabase({ url: url.toString(), ...(poolSize ? { poolSize } : {}) }),
    reopen: () => openDatabase({ url: url.toString(), ...(poolSize ? { poolSize } : {}) }),
    url: url.toString(),
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const emulator = new VapiEmulator(EMULATOR_KEY);
  const emulatorUrl = await emulator.listen();
  const { database, reopen } =
    options.database ?? (await openTestDatabase({ pgliteDataDir: options.pgliteDataDir }));
  await database.migrate();
  const config = loadConfig({
    // The first organization's default connection is this file's emulator, as on a server started with these.
    VAPI_API_KEY: EMULATOR_KEY,
    VAPI_BASE_URL: emulatorUrl,
    PROVIDER_TIMEOUT_MS: '3000',
    UPDATE_WAIT_MS: '10000',
    LOGIN_RATE_LIMIT_PER_ADDRESS: '100000',
    LOGIN_RATE_LIMIT_PER_EMAIL: '100000',
    ...options.env,
  });
  const logLines = options.logLines;
  const logger = logLines
    ? pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const secrets = new SecretBox({ current: randomBytes(32) });
  // Jobs are looked for often, so a test sees one start at once.
  const deps = { secrets, clientSettings: { backoffMs: 10, ...options.provider }, jobRunner: { pollMs: 50 } };
  const services = createServices(config, database.db, logger, deps);
  await services.jobRunner.start();
  const stopListening = await listenForChanges(database, services.caches, logger);
  await services.auth.ensureFirstOwner({ email: OWNER.email, password: OWNER.password, orgName: 'Acme' });
  const operator = options.operatorToken
    ? { token: options.operatorToken, origin: () => OPERATOR_ORIGIN }
    : undefined;
  const app = await buildApp({ config, db: database.db, services, logger, operator });
  await app.ready();

  const request = injector(app);

  const login = async (email: string, password: string) => {
    const res = await request(undefined, 'POST', '/auth/login', { email, password });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return sessionCookie(res);
  };

  const ownerCookie = await login(OWNER.email, OWNER.password);
  const me = (await request(ownerCookie, 'GET', '/auth/me')).json();
  const orgId: string = me.activeOrgId;
  const owner = { userId: me.user.id, email: OWNER.email, cookie: ownerCookie };
  const connections = (await request(ownerCookie, 'GET', `/orgs/${orgId}/connections`)).json();
  const connectionId: string = connections.find((c: { isDefault: boolean }) => c.isDefault).id;

  let counter = 0;
  return {
    app,
    emulator,
    emulatorUrl,
    database,
    services,
    config,
    owner,
    orgId,
    connectionId,
    secrets,
    login,
    request,
    async userWithRole(role: Role) {
      counter += 1;
      const email = `${role}${counter}-${randomBytes(3).toString('hex')}@example.com`;
      const password = MEMBER_PASSWORD;
      const invited = await request(ownerCookie, 'POST', `/orgs/${orgId}/invitations`, { email, role });
      if (invited.statusCode !== 201) throw new Error(`invite failed: ${invited.statusCode} ${invited.body}`);
      const link: string | undefined =
        invited.json().acceptUrl ??
        /\S+\/invitations\/[\w-]+/.exec((await options.mailbox?.waitFor(email))?.text ?? '')?.[0];
      if (!link) throw new Error('invited, but no link: pass `mailbox` to startTestApp when SMTP is set up');
      const res = await request(undefined, 'POST', `/invitations/${linkToken(link)}/accept`, {
        name: `${role} ${counter}`,
        password,
      });
      if (res.statusCode !== 201) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
      return { userId: res.json().user.id, email, cookie: sessionCookie(res) };
    },
    async secondServer() {
      const database2 = await reopen();
      const services2 = createServices(config, database2.db, logger, deps);
      const stop2 = await listenForChanges(database2, services2.caches, logger);
      const app2 = await buildApp({ config, db: database2.db, services: services2, logger });
      return {
        services: services2,
        request: injector(app2),
        async close() {
          await app2.close();
          await services2.sandbox.close();
          await stop2();
          await database2.close();
        },
      };
    },
    async createApiKey(role: Role, name = `${role} key`) {
      const res = await request(ownerCookie, 'POST', `/orgs/${orgId}/api-keys`, { name, role });
      if (res.statusCode !== 201) throw new Error(`create API key failed: ${res.statusCode} ${res.body}`);
      const { id, secret } = res.json();
      return { id, secret, headers: { authorization: `Bearer ${secret}` } };
    },
    async close() {
      await services.jobRunner.stop();
      await app.close();
      await services.sandbox.close();
      await stopListening();
      await emulator.close();
      await database.close();
    },
  };
}

/** Follows a job until it finishes; its last state. */
export async function finishedJob(
  t: Pick<TestApp, 'request'>,
  cookie: string | undefined,
  jobId: string,
  headers: Record<string, string> = {},
): Promise<Record<string, any>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = (await t.request(cookie, 'GET', `/jobs/${jobId}`, undefined, headers)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `POST /assistants/import {all: true}` and its job, followed to the end. */
export async function importAll(
  t: Pick<TestApp, 'request'>,
  cookie: string | undefined,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Record<string, any>> {
  const res = await t.request(cookie, 'POST', '/assistants/import', { ...body, all: true }, headers);
  if (res.statusCode !== 202) throw new Error(`import failed: ${res.statusCode} ${res.body}`);
  return finishedJob(t, cookie, res.json().job.id, headers);
}

/** `request` for an app: a cookie, a method, a URL, a JSON body and extra headers. */
function injector(app: FastifyInstance): TestApp['request'] {
  return (cookie, method, url, body, headers = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
}

/** The token at the end of an invitation or password reset link. */
export function linkToken(link: string): string {
  const token = new URL(link).pathname.split('/').at(-1);
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'auth-token');
  if (!cookie) throw new Error('no auth-token cookie');
  return `auth-token=${cookie.value}`;
}

/** A valid create body; override what a test cares about. */
export function assistantBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Front desk',
    firstMessage: 'Hello, how can I help?',
    model: {
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.7,
      maxTokens: 500,
      systemPrompt: 'You are the front desk.',
    },
    voice: { provider: '11labs', voiceId: 'burt' },
    transcriber: { provider: 'deepgram', model: 'nova-3' },
    ...overrides,
  };
}

/** Creates an assistant through the API and returns its JSON. */
export async function createAssistant(
  t: TestApp,
  cookie = t.owner.cookie,
  overrides: Record<string, unknown> = {},
) {
  const res = await t.request(cookie, 'POST', '/assistants', assistantBody(overrides));
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
