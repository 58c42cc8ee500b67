// What every provider emulator shares: a Fastify server with Bearer keys that reach accounts
// (`addKey`, `revokeKey`), a pluggable store, request recording, and the fault controls tests and
// benchmarks steer in-process (`faults`) or over HTTP (`/__emulator/*`). Each emulator adds its
// provider's paths, rules and error bodies (vapi/emulator, retell/emulator).
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { acceptEmptyJsonBodies } from '../shared/json-body.ts';

/** Where an emulator keeps each account's objects of one kind. */
export interface EmulatorStore<T> {
  get(account: string, id: string): Promise<T | undefined>;
  insert(account: string, item: T): Promise<void>;
  /** Replaces the item with `change(current)` atomically; undefined when it does not exist. */
  update(account: string, id: string, change: (current: T) => T): Promise<T | undefined>;
  delete(account: string, id: string): Promise<T | undefined>;
  /** Every item of the account, oldest first; the emulator filters, orders and limits. */
  all(account: string): Promise<T[]>;
}

/** Accounts in memory, for tests and benchmarks: gone when the process ends. */
export class MemoryStore<T> implements EmulatorStore<T> {
  private readonly accounts = new Map<string, Map<string, T>>();

  constructor(private readonly idOf: (item: T) => string) {}

  /** The account's items, live: tests read and change them directly. */
  account(account: string): Map<string, T> {
    let items = this.accounts.get(account);
    if (!items) {
      items = new Map();
      this.accounts.set(account, items);
    }
    return items;
  }

  clear(): void {
    for (const items of this.accounts.values()) items.clear();
  }

  async get(account: string, id: string) {
    return this.account(account).get(id);
  }

  async insert(account: string, item: T) {
    this.account(account).set(this.idOf(item), item);
  }

  async update(account: string, id: string, change: (current: T) => T) {
    const current = this.account(account).get(id);
    if (current === undefined) return undefined;
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

export interface FailureRule {
  status: number;
  /** How many matching requests fail before the rule is used up. */
  times: number;
  /** Only requests with this method fail; all when absent. */
  method?: string;
  /** Only requests whose path starts with this fail (e.g. `/create-agent`); all when absent. */
  path?: string;
  retryAfterSeconds?: number;
  /** The error body's message; Vapi sends an array of messages for validation failures. */
  message?: string | string[];
  /** Apply the request first, then fail: a gateway error after the provider did the work. */
  afterApply?: boolean;
}

export interface FaultPlan {
  /** Added to every API request. */
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

export function noFaults(): FaultPlan {
  return { latencyMs: 0, latencyPhase: 'before', latencyMethods: [], hangMethods: [], failures: [] };
}

/** The status and body an emulated request answers with. */
export type Answer = [number, unknown];

export interface EmulatorOptions {
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

/** How one provider words its errors. */
export interface ErrorStyle {
  body(status: number, message: string | string[]): unknown;
  /** The message of a request whose key reaches no account. */
  readonly badKey: string;
  /** The message of an injected failure without one of its own. */
  failure(status: number): string;
}

export abstract class EmulatorServer {
  readonly requests: RecordedRequest[] = [];
  faults: FaultPlan = noFaults();
  protected readonly app: FastifyInstance;
  private readonly keys = new Map<string, string>();
  private readonly authenticate: (token: string) => string | undefined;
  private readonly recordRequests: boolean;
  private readonly maxRecorded: number;
  private lastTimestamp = 0;

  constructor(
    apiKey: string,
    defaultAccount: string,
    options: EmulatorOptions,
    protected readonly errors: ErrorStyle,
  ) {
    this.keys.set(apiKey, defaultAccount);
    this.authenticate = options.authenticate ?? ((token) => this.keys.get(token));
    this.recordRequests = options.recordRequests ?? true;
    this.maxRecorded = options.maxRecorded ?? 10_000;
    this.app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
    acceptEmptyJsonBodies(this.app);
    this.app.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      reply.code(status).send(this.errors.body(status, error.message));
    });
    this.controlRoutes();
  }

  /** Lets `key` reach `account`: another key of an existing account, or a new account. */
  protected allowKey(key: string, account: string): void {
    this.keys.set(key, account);
  }

  /** Stops accepting `key`, as the provider does for a deleted key; returns the account it reached. */
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

  /** Back to empty accounts with no faults. */
  reset(): void {
    this.clearStores();
    this.requests.length = 0;
    this.faults = noFaults();
  }

  /** Requests to the provider's API (controls excluded), optionally filtered by method. */
  received(method?: string): RecordedRequest[] {
    return method ? this.requests.filter((r) => r.method === method) : [...this.requests];
  }

  /** Empties the in-memory stores (`reset`). */
  protected abstract clearStores(): void;

  private controlRoutes(): void {
    this.app.post('/__emulator/reset', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      this.reset();
      return { ok: true };
    });
    this.app.put('/__emulator/faults', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      this.faults = { ...noFaults(), ...(req.body as Partial<FaultPlan>) };
      return this.faults;
    });
    this.app.get('/__emulator/requests', async (req, reply) => {
      if (!this.accountOf(req, reply)) return;
      return this.requests;
    });
  }

  /**
   * Auth, recording and the fault plan around one API request. `apply` changes the store and
   * says what to answer; with `latencyPhase: 'after'` the change is made before the delay, so a
   * client that gives up during it leaves the change applied.
   */
  protected async handle(
    req: FastifyRequest,
    reply: FastifyReply,
    apply: (account: string) => Promise<Answer>,
  ) {
    const account = this.accountOf(req, reply);
    if (!account) return reply;
    this.record(req);
    const faults = this.faults;
    if (faults.hangMethods.includes(req.method)) {
      await new Promise((resolve) => req.raw.socket.once('close', resolve));
      return reply.hijack();
    }
    const delayMs =
      faults.latencyMethods.length === 0 || faults.latencyMethods.includes(req.method) ? faults.latencyMs : 0;
    if (delayMs > 0 && faults.latencyPhase === 'before') await sleep(delayMs);
    const path = req.url.split('?', 1)[0] ?? '';
    const failure = faults.failures.find(
      (f) => f.times > 0 && (!f.method || f.method === req.method) && (!f.path || path.startsWith(f.path)),
    );
    if (failure) {
      failure.times -= 1;
      if (failure.afterApply) await apply(account);
      if (failure.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(failure.retryAfterSeconds));
      const message = failure.message ?? this.errors.failure(failure.status);
      return reply.code(failure.status).send(this.errors.body(failure.status, message));
    }
    const [status, body] = await apply(account);
    if (delayMs > 0 && faults.latencyPhase === 'after') await sleep(delayMs);
    return status === 204 ? reply.code(204).send() : reply.code(status).send(body);
  }

  private record(req: FastifyRequest): void {
    if (!this.recordRequests) return;
    this.requests.push({ method: req.method, path: req.url, body: req.body ?? null, at: Date.now() });
    if (this.requests.length > this.maxRecorded)
      this.requests.splice(0, this.requests.length - this.maxRecorded);
  }

  /** The account the request's key reaches; otherwise answers 401 and returns undefined. */
  protected accountOf(req: FastifyRequest, reply: FastifyReply): string | undefined {
    const header = req.headers.authorization;
    const account = header?.startsWith('Bearer ') ? this.authenticate(header.slice(7)) : undefined;
    if (account) return account;
    reply.code(401).send(this.errors.body(401, this.errors.badKey));
    return undefined;
  }

  /** Strictly increasing ms timestamps, so a change always moves the object's time forward. */
  protected timestamp(): number {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }
}

/** A stable hex digest naming the account a key reaches, so the same key always reaches the same account. */
export function accountDigest(key: string): string {
  return createHash('sha256').update(`emulator-account:${key}`).digest('hex');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
