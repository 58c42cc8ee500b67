// A stand-in for the parts of Vapi's HTTP API that Switchboard uses, as a real HTTP server:
// singular `/assistant` paths, Bearer auth, NestJS-shaped errors, top-level-merge PATCH.
// Tests and benchmarks steer it through `faults` (in-process) or `/__emulator/*` (over HTTP).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isPlainObject } from '../../../shared/objects.ts';
import { validateAssistantDto } from './validate.ts';

type Assistant = Record<string, unknown> & { id: string; createdAt: string; updatedAt: string };

export interface FailureRule {
  status: number;
  /** How many matching requests fail before the rule is used up. */
  times: number;
  /** Only requests with this method fail; all when absent. */
  method?: string;
  retryAfterSeconds?: number;
  /** The error body's message; Vapi sends an array of messages for validation failures. */
  message?: string | string[];
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

const ORG_ID = '00000000-0000-4000-8000-00000000e001';

export function noFaults(): FaultPlan {
  return { latencyMs: 0, latencyPhase: 'before', latencyMethods: [], hangMethods: [], failures: [] };
}

export class VapiEmulator {
  readonly assistants = new Map<string, Assistant>();
  readonly requests: RecordedRequest[] = [];
  faults: FaultPlan = noFaults();
  private readonly app: FastifyInstance;
  private lastTimestamp = 0;

  constructor(private readonly apiKey: string) {
    this.app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
    this.routes();
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
    this.assistants.clear();
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
      if (!this.authorized(req, reply)) return;
      this.reset();
      return { ok: true };
    });
    app.put('/__emulator/faults', async (req, reply) => {
      if (!this.authorized(req, reply)) return;
      this.faults = { ...noFaults(), ...(req.body as Partial<FaultPlan>) };
      return this.faults;
    });
    app.get('/__emulator/requests', async (req, reply) => {
      if (!this.authorized(req, reply)) return;
      return this.requests;
    });

    app.post('/assistant', (req, reply) =>
      this.handle(req, reply, () => {
        const problems = validateAssistantDto(req.body ?? {});
        if (problems.length > 0) return [400, errorBody(400, problems)];
        const now = this.timestamp();
        const assistant: Assistant = {
          ...withoutNulls(req.body as Record<string, unknown>),
          id: randomUUID(),
          orgId: ORG_ID,
          createdAt: now,
          updatedAt: now,
          isServerUrlSecretSet: false,
        };
        this.assistants.set(assistant.id, assistant);
        return [201, assistant];
      }),
    );

    app.get('/assistant', (req, reply) =>
      this.handle(req, reply, () => [200, this.list(req.query as Record<string, string>)]),
    );

    app.get('/assistant/:id', (req, reply) =>
      this.handle(req, reply, () => this.withAssistant(req, (a) => [200, a])),
    );

    app.patch('/assistant/:id', (req, reply) =>
      this.handle(req, reply, () =>
        this.withAssistant(req, (current) => {
          const problems = validateAssistantDto(req.body ?? {});
          if (problems.length > 0) return [400, errorBody(400, problems)];
          // Vapi merges top-level keys only: a present key replaces the whole value, null clears it.
          const next: Assistant = { ...current, updatedAt: this.timestamp() };
          for (const [key, value] of Object.entries(req.body as Record<string, unknown>)) {
            if (value === null) delete next[key];
            else next[key] = value;
          }
          this.assistants.set(current.id, next);
          return [200, next];
        }),
      ),
    );

    app.delete('/assistant/:id', (req, reply) =>
      this.handle(req, reply, () =>
        this.withAssistant(req, (current) => {
          this.assistants.delete(current.id);
          return [200, current];
        }),
      ),
    );
  }

  /**
   * Auth, recording and the fault plan around one assistant request. `apply` changes the store
   * and says what to answer; with `latencyPhase: 'after'` the change is made before the delay,
   * so a client that gives up during it leaves the change applied.
   */
  private async handle(req: FastifyRequest, reply: FastifyReply, apply: () => Answer) {
    if (!this.authorized(req, reply)) return reply;
    this.requests.push({ method: req.method, path: req.url, body: req.body ?? null, at: Date.now() });
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
      if (failure.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(failure.retryAfterSeconds));
      const message =
        failure.message ?? (failure.status === 429 ? 'Rate limit exceeded' : 'Internal server error');
      return reply.code(failure.status).send(errorBody(failure.status, message));
    }
    const [status, body] = apply();
    if (delayMs > 0 && faults.latencyPhase === 'after') await sleep(delayMs);
    return reply.code(status).send(body);
  }

  private authorized(req: FastifyRequest, reply: FastifyReply): boolean {
    if (req.headers.authorization === `Bearer ${this.apiKey}`) return true;
    reply
      .code(401)
      .send(
        errorBody(
          401,
          'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        ),
      );
    return false;
  }

  private withAssistant(req: FastifyRequest, found: (assistant: Assistant) => Answer): Answer {
    const { id } = req.params as { id: string };
    const assistant = this.assistants.get(id);
    if (!assistant) return [404, errorBody(404, `Couldn't Find Assistant. \`id\` ${id} Does Not Exist.`)];
    return found(assistant);
  }

  private list(query: Record<string, string>): Assistant[] {
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
    return [...this.assistants.values()]
      .filter((a) =>
        filters.every(([param, field, test]) => {
          const bound = query[param];
          return bound === undefined || test(Date.parse(a[field]), Date.parse(bound));
        }),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .slice(0, limit);
  }

  /** Strictly increasing ISO timestamps, so updatedAt always moves on a change. */
  private timestamp(): string {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return new Date(this.lastTimestamp).toISOString();
  }
}

function errorBody(statusCode: number, message: string | string[]) {
  return { message, error: REASONS[statusCode] ?? 'Error', statusCode };
}

function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(isPlainObject(body) ? body : {}).filter(([, v]) => v !== null));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
