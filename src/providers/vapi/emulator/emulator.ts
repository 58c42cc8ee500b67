// A stand-in for the parts of Vapi's HTTP API that Switchboard uses, as a real HTTP server:
// singular `/assistant` paths, Bearer auth, NestJS-shaped errors, top-level-merge PATCH.
// Each API key reaches one account (Vapi's `orgId`). Standalone, accounts live in memory
// (`MemoryStore`); as the sandbox provider they live in Switchboard's database (sandbox-store.ts).
// Tests and benchmarks steer it through `faults` (in-process) or `/__emulator/*` (over HTTP).
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../../../shared/objects.ts';
import {
  type Answer,
  accountDigest,
  type EmulatorOptions,
  EmulatorServer,
  type ErrorStyle,
  MemoryStore,
  type EmulatorStore as Store,
} from '../../emulator-kit.ts';
import { validateAssistantDto } from './validate.ts';

export { type FailureRule, type FaultPlan, noFaults, type RecordedRequest } from '../../emulator-kit.ts';

export type EmulatedAssistant = Record<string, unknown> & {
  id: string;
  orgId: string;
  createdAt: string;
  updatedAt: string;
};
type Assistant = EmulatedAssistant;

/** Where an emulator keeps each account's assistants. */
export type EmulatorStore = Store<Assistant>;

export interface VapiEmulatorOptions extends EmulatorOptions {
  /** Where assistants live; in memory by default. */
  store?: EmulatorStore;
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

/** NestJS-shaped error bodies, in Vapi's words. */
const VAPI_ERRORS: ErrorStyle = {
  body: errorBody,
  badKey: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
  failure: (status) => (status === 429 ? 'Rate limit exceeded' : 'Internal server error'),
};

/** The account the constructor's key reaches: a fixed Vapi-style `orgId`. */
export const DEFAULT_ACCOUNT = '00000000-0000-4000-8000-00000000e001';

export class VapiEmulator extends EmulatorServer {
  private readonly store: EmulatorStore;
  private readonly memory = new MemoryStore<Assistant>((assistant) => assistant.id);

  constructor(apiKey: string, options: VapiEmulatorOptions = {}) {
    super(apiKey, DEFAULT_ACCOUNT, options, VAPI_ERRORS);
    this.store = options.store ?? this.memory;
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
    this.allowKey(key, account);
    return this.memory.account(account);
  }

  protected clearStores(): void {
    this.memory.clear();
  }

  private routes(): void {
    const app = this.app;
    app.post('/assistant', (req, reply) =>
      this.handle(req, reply, async (account) => {
        const problems = validateAssistantDto(req.body ?? {});
        if (problems.length > 0) return [400, errorBody(400, problems)];
        const now = this.isoTimestamp();
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
    const next: Assistant = { ...current, updatedAt: this.isoTimestamp() };
    for (const [key, value] of Object.entries(body)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    return next;
  }

  /** Strictly increasing ISO timestamps, so updatedAt always moves on a change. */
  private isoTimestamp(): string {
    return new Date(this.timestamp()).toISOString();
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
  const hex = accountDigest(key);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function errorBody(statusCode: number, message: string | string[]) {
  return { message, error: REASONS[statusCode] ?? 'Error', statusCode };
}

function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(isPlainObject(body) ? body : {}).filter(([, v]) => v !== null));
}
