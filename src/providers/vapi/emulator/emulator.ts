// A stand-in for the parts of Vapi's HTTP API that Switchboard uses, as a real HTTP server:
// singular `/assistant` paths, Bearer auth, NestJS-shaped errors, top-level-merge PATCH.
// Each API key reaches one account (Vapi's `orgId`). Standalone, accounts live in memory
// (`MemoryStore`); as the sandbox provider they live in Switchboard's database (sandbox-store.ts).
// Tests and benchmarks steer it through `faults` (in-process) or `/__emulator/*` (over HTTP).
import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { acceptEmptyJsonBodies } from '../../../shared/json-body.ts';
import { isPlainObject } from '../../../shared/objects.ts';
import { validateAssistantDto } from './validate.ts';

export type EmulatedAssistant = Record<string, unknown> & {
  id: string;
  orgId: string;
  createdAt: string;
  updatedAt: string;
};
type Assistant = EmulatedAssistant;

/** Where an emulator keeps each account's assistants. */
export interface EmulatorStore {
  get(account: string, id: string): Promise<Assistant | undefined>;
  insert(account: string, assistant: Assistant): Promise<void>;
  /** Replaces the assistant with `change(current)` atomically; undefined when it does not exist. */
  update(
    account: string,
    id: string,
    change: (current: Assistant) => Assistant,
  ): Promise<Assistant | undefined>;
  delete(account: string, id: string): Promise<Assistant | undefined>;
  /** Every assistant of the account; the emulator filters, orders and limits. */
  all(account: string): Promise<Assistant[]>;
}

/** Accounts in memory, for tests and benchmarks: gone when the process ends. */
export class MemoryStore implements EmulatorStore {
  private readonly accounts = new Map<string, Map<string, Assistant>>();

  /** The account's assistants, live: tests read and change them directly. */
  account(account: string): Map<string, Assistant> {
    let assistants = this.accounts.get(account);
    if (!assistants) {
      assistants = new Map();
      this.accounts.set(account, assistants);
    }
    return assistants;
  }

  clear(): void {
    for (const assistants of this.accounts.values()) assistants.clear();
  }

  async get(account: string, id: string) {
    return this.account(account).get(id);
  }

  async insert(account: string, assistant: Assistant) {
    this.account(account).set(assistant.id, assistant);
  }

  async update(account: string, id: string, change: (current: Assistant) => Assistant) {
    const current = this.account(account).get(id);
    if (!current) return undefined;
    const next = change(current);
    this.account(account).set(id, next);
    return next;
  }

  async delete(account: string, id: string) {
    const current = this.account(account).get(id);
    this.account(account).delete(id);
    return current;
  }

  async all(account: string) {
    return [...this.account(account).values()];
  }
}

export interface VapiEmulatorOptions {
  /** Where assistants live; in memory by default. */
  store?: EmulatorStore;
  /**
   * Maps a Bearer token to the account it reaches; by default the constructor's key and the keys
   * added with `addKey`.
   */
  authenticate?: (token: string) => string | undefined;
  /** Keep requests for `received()`; tests want it, the sandbox does not. */
  recordRequests?: boolean;
  /** At most this many recorded requests are kept, the oldest dropped first, so memory stays bounded. */
  maxRecorded?: number;
}

export interface FailureRule {
  status: number;
  /** How many matching requests fail before the rule is used up. */
  times: number;
  /** Only requests with this method fail; all when absent. */
  method?: string;
  retryAfterSeconds?: number;
  /** The error body's message; Vapi sends an array of messages for validation failures. */
  message?: string | string[];
  /** Apply the request first, then fail: a gateway error after the provider did the work. */
  afterApply?: boolean;
}

export interface FaultPlan {
  /** Added to every assistant request. */
  latencyMs: number;
  /** `before` delays the answer before anything is applied; `after` applies first, then delays. */
  latencyPhase: 'before' | 'after';
  /** Only requests with these methods are delayed; all when empty. */
  latencyMethods: string[];
  /** Requests with these methods never get an answer. */
  hangMethods: string[];
  failures: FailureRule[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The status and body an emulated request answers with. */
type Answer = [number, unknown];

/** The account the constructor's key reaches: a fixed Vapi-style `orgId`. */
export const DEFAULT_ACCOUNT = '00000000-0000-4000-8000-00000000e001';

export function noFaults(): FaultPlan {
  return { latencyMs: 0, latencyPhase: 'before', latencyMethods: [], hangMethods: [], failures: [] };
}

export class VapiEmulator {
  readonly requests: RecordedRequest[] = [];
  faults: FaultPlan = noFaults();
  private readonly app: FastifyInstance;
  private readonly store: EmulatorStore;
  private readonly memory = new MemoryStore();
  private readonly keys = new Map<string, string>();
  private readonly authenticate: (token: string) => string | undefined;
  private readonly recordRequests: boolean;
  private readonly maxRecorded: number;
  private lastTimestamp = 0;

  constructor(apiKey: string, options: VapiEmulatorOptions = {}) {
    this.store = options.store ?? this.memory;
    this.keys.set(apiKey, DEFAULT_ACCOUNT);
    this.authenticate = options.authenticate ?? ((token) => this.keys.get(token));
    this.recordRequests = options.recordRequests ?? true;
    this.maxRecorded = options.maxRecorded ?? 10_000;
    this.app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
    acceptEmptyJsonBodies(this.app);
    this.routes();
  }

  /** The default account's assistants (in memory), live. */
  get assistants(): Map<string, Assistant> {
    return this.memory.account(DEFAULT_ACCOUNT);
  }

  /**
   * Lets `key` reach `account`: another key of an existing account, or a new account (a
   * different Vapi organization). Returns the account's assistants (in memory).
   */
  addKey(key: string, account = accountIdFor(key)): Map<string, Assistant> {
    this.keys.set(key, account);
    return this.memory.account(account);
  }

  /** Stops accepting `key`, as Vapi does for a deleted key; returns the account it reached. */
  revokeKey(key: string): string | undefined {
    const account = this.keys.get(key);
    this.keys.delete(key);
    return account;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await this.app.listen({ port, host });
    const address = this.app.server.address();
    if (!address || typeof address === 'string') throw new Error('emulator has no TCP address');
    return `http://${host}:${address.port}`;
  }

  close(): Promise<void> {
    return this.app.close();
  }

  /** Back to an empty account with no faults. */
  reset(): void {
    this.memory.clear();
    this.requests.length = 0;
    this.faults = noFaults();
  }

  /** Requests to the assistant API (controls excluded), optionally filtered by method. */
  received(method?: string): RecordedRequest[] {
    return method ? this.requests.filter((r) => r.method === method) : [...this.requests];
  }

  private routes(): void {
    const app = this.app;
    app.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      reply.code(status).send(errorBody(status, error.message));
    });

    app.post('/__emulator/reset', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      this.reset();
      return { ok: true };
    });
    app.put('/__emulator/faults', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      this.faults = { ...noFaults(), ...(req.body as Partial<FaultPlan>) };
      return this.faults;
    });
    app.get('/__emulator/requests', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      return this.requests;
    });

    app.post('/assistant', (req, reply) =>
      this.handle(req, reply, async (account) => {
        const problems = validateAssistantDto(req.body ?? {});
        if (problems.length > 0) return [400, errorBody(400, problems)];
        const now = this.timestamp();
        const assistant: Assistant = {
          ...withoutNulls(req.body as Record<string, unknown>),
          id: randomUUID(),
          orgId: account,
          createdAt: now,
          updatedAt: now,
          isServerUrlSecretSet: false,
        };
        await this.store.insert(account, assistant);
        return [201, assistant];
      }),
    );

    app.get('/assistant', (req, reply) =>
      this.handle(req, reply, async (account) => [
        200,
        listed(await this.store.all(account), req.query as Record<string, string>),
      ]),
    );

    app.get('/assistant/:id', (req, reply) =>
      this.handle(req, reply, async (account) => found(req, await this.store.get(account, idOf(req)))),
    );

    app.patch('/assistant/:id', (req, reply) =>
      this.handle(req, reply, async (account) => {
        const problems = validateAssistantDto(req.body ?? {});
        const updated = await this.store.update(account, idOf(req), (current) =>
          problems.length > 0 ? current : this.mergeTopLevel(current, req.body as Record<string, unknown>),
        );
        // Vapi answers 404 for an unknown id before it looks at the body.
        if (updated && problems.length > 0) return [400, errorBody(400, problems)];
        return found(req, updated);
      }),
    );

    app.delete('/assistant/:id', (req, reply) =>
      this.handle(req, reply, async (account) => found(req, await this.store.delete(account, idOf(req)))),
    );
  }

  /** Vapi merges top-level keys only: a present key replaces the whole value, null clears it. */
  private mergeTopLevel(current: Assistant, body: Record<string, unknown>): Assistant {
    const next: Assistant = { ...current, updatedAt: this.timestamp() };
    for (const [key, value] of Object.entries(body)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    return next;
  }

  /**
   * Auth, recording and the fault plan around one assistant request. `apply` changes the store
   * and says what to answer; with `latencyPhase: 'after'` the change is made before the delay,
   * so a client that gives up during it leaves the change applied.
   */
  private async handle(
    req: FastifyRequest,
    reply: FastifyReply,
    apply: (account: string) => Promise<Answer>,
  ) {
    const account = this.accountOf(req, reply);
    if (!account) return reply;
    if (this.recordRequests) {
      this.requests.push({ method: req.method, path: req.url, body: req.body ?? null, at: Date.now() });
      if (this.requests.length > this.maxRecorded)
        this.requests.splice(0, this.requests.length - this.maxRecorded);
    }
    const faults = this.faults;
    if (faults.hangMethods.includes(req.method)) {
      await new Promise((resolve) => req.raw.socket.once('close', resolve));
      return reply.hijack();
    }
    const delayMs =
      faults.latencyMethods.length === 0 || faults.latencyMethods.includes(req.method) ? faults.latencyMs : 0;
    if (delayMs > 0 && faults.latencyPhase === 'before') await sleep(delayMs);
    const failure = faults.failures.find((f) => f.times > 0 && (!f.method || f.method === req.method));
    if (failure) {
      failure.times -= 1;
      if (failure.afterApply) await apply(account);
      if (failure.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(failure.retryAfterSeconds));
      const message =
        failure.message ?? (failure.status === 429 ? 'Rate limit exceeded' : 'Internal server error');
      return reply.code(failure.status).send(errorBody(failure.status, message));
    }
    const [status, body] = await apply(account);
    if (delayMs > 0 && faults.latencyPhase === 'after') await sleep(delayMs);
    return reply.code(status).send(body);
  }

  /** The account the request's key reaches; otherwise answers 401 as Vapi does and returns undefined. */
  private accountOf(req: FastifyRequest, reply: FastifyReply): string | undefined {
    const header = req.headers.authorization;
    const account = header?.startsWith('Bearer ') ? this.authenticate(header.slice(7)) : undefined;
    if (account) return account;
    reply
      .code(401)
      .send(
        errorBody(
          401,
          'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        ),
      );
    return undefined;
  }

  /** Strictly increasing ISO timestamps, so updatedAt always moves on a change. */
  private timestamp(): string {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return new Date(this.lastTimestamp).toISOString();
  }
}

const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

function found(req: FastifyRequest, assistant: Assistant | undefined): Answer {
  if (assistant) return [200, assistant];
  return [404, errorBody(404, `Couldn't Find Assistant. \`id\` ${idOf(req)} Does Not Exist.`)];
}

/** `GET /assistant`: Vapi's date filters and `limit` (0–1000, default 100), newest first. */
function listed(assistants: Assistant[], query: Record<string, string>): Assistant[] {
  const limit = Math.min(Math.max(Number(query.limit ?? 100) || 0, 0), 1000);
  const filters: Array<[string, 'createdAt' | 'updatedAt', (a: number, b: number) => boolean]> = [
    ['createdAtGt', 'createdAt', (a, b) => a > b],
    ['createdAtLt', 'createdAt', (a, b) => a < b],
    ['createdAtGe', 'createdAt', (a, b) => a >= b],
    ['createdAtLe', 'createdAt', (a, b) => a <= b],
    ['updatedAtGt', 'updatedAt', (a, b) => a > b],
    ['updatedAtLt', 'updatedAt', (a, b) => a < b],
    ['updatedAtGe', 'updatedAt', (a, b) => a >= b],
    ['updatedAtLe', 'updatedAt', (a, b) => a <= b],
  ];
  return assistants
    .filter((a) =>
      filters.every(([param, field, test]) => {
        const bound = query[param];
        return bound === undefined || test(Date.parse(a[field]), Date.parse(bound));
      }),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .slice(0, limit);
}

/** A stable Vapi-style `orgId` for an account reached by `key`. */
function accountIdFor(key: string): string {
  const hex = createHash('sha256').update(`emulator-account:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function errorBody(statusCode: number, message: string | string[]) {
  return { message, error: REASONS[statusCode] ?? 'Error', statusCode };
}

function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(isPlainObject(body) ? body : {}).filter(([, v]) => v !== null));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
