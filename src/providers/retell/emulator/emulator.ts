// A stand-in for the parts of Retell's HTTP API that Switchboard uses, as a real HTTP server:
// agents and Retell LLMs at Retell's flat, verb-named paths, v2 pagination, Bearer keys that reach
// accounts, `{status: "error", message}` bodies, 422 for an id the key cannot see, partial updates
// that keep the draft's version and move `last_modification_timestamp`, and no deleting an LLM an
// agent still uses. Facts: shared/reference/retell-api.md. Fault controls as the Vapi emulator's
// (emulator-kit.ts), with `path` to fail one of the two creates.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../../../shared/objects.ts';
import {
  type Answer,
  accountDigest,
  type EmulatorOptions,
  EmulatorServer,
  type EmulatorStore,
  type ErrorStyle,
  MemoryStore,
} from '../../emulator-kit.ts';
import { agentProblems, llmProblems, type ObjectRequest } from './validate.ts';

export type EmulatedAgent = Record<string, unknown> & {
  agent_id: string;
  version: number;
  last_modification_timestamp: number;
};
export type EmulatedLlm = Record<string, unknown> & {
  llm_id: string;
  version: number;
  last_modification_timestamp: number;
};

type EmulatedObject = Record<string, unknown> & { version: number; last_modification_timestamp: number };

/** What differs between agents and LLMs in their create, get, update and delete routes. */
interface ObjectKind<T extends EmulatedObject> {
  store: EmulatorStore<T>;
  idKey: 'agent_id' | 'llm_id';
  idPrefix: 'agent' | 'llm';
  paths: { create: string; get: string; update: string; delete: string };
  /** Server-set fields beyond the id, the version and the time. */
  serverSet: Record<string, unknown>;
  problems: (request: ObjectRequest) => string[];
  /** A refusal of a body that passed `problems` (it names something the account lacks). */
  refuse?: (account: string, body: Record<string, unknown>) => Promise<Answer | undefined>;
  refuseDelete?: (
    account: string,
    id: string,
    query: Record<string, string | undefined>,
  ) => Promise<Answer | undefined>;
}

export interface RetellEmulatorOptions extends EmulatorOptions {
  /** Where agents live; in memory by default. `all` must answer in creation order. */
  agents?: EmulatorStore<EmulatedAgent>;
  /** Where Retell LLMs live; in memory by default. */
  llms?: EmulatorStore<EmulatedLlm>;
}

/** Retell's example messages for each status (its OpenAPI document's `components.responses`). */
const MESSAGES: Record<number, string> = {
  400: 'Invalid request format, please check API reference.',
  401: 'API key is missing or invalid.',
  402: 'Trial has ended, please add payment method.',
  403: 'Forbidden',
  404: 'The requested resource was not found.',
  409: 'Resource update conflict.',
  412: 'Precondition failed for conditional update.',
  422: 'Cannot find requested asset under given api key.',
  429: 'Account rate limited, please throttle your requests.',
  500: 'An unexpected server error occurred.',
};

const RETELL_ERRORS: ErrorStyle = {
  body: (_status, message) => ({ status: 'error', message: [message].flat().join('; ') }),
  badKey: MESSAGES[401] ?? '',
  failure: (status) => MESSAGES[status] ?? MESSAGES[500] ?? '',
};

/** The account the constructor's key reaches. */
export const DEFAULT_ACCOUNT = 'org_emulator';

/** v2 lists: `limit` defaults to 50 and is at most 1000. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

const notFound: Answer = [422, RETELL_ERRORS.body(422, MESSAGES[422] ?? '')];

export class RetellEmulator extends EmulatorServer {
  private readonly agents: EmulatorStore<EmulatedAgent>;
  private readonly llms: EmulatorStore<EmulatedLlm>;
  private readonly memoryAgents = new MemoryStore<EmulatedAgent>((agent) => agent.agent_id);
  private readonly memoryLlms = new MemoryStore<EmulatedLlm>((llm) => llm.llm_id);

  constructor(apiKey: string, options: RetellEmulatorOptions = {}) {
    super(apiKey, DEFAULT_ACCOUNT, options, RETELL_ERRORS);
    this.agents = options.agents ?? this.memoryAgents;
    this.llms = options.llms ?? this.memoryLlms;
    this.app.setNotFoundHandler((_req, reply) =>
      reply.code(404).send(RETELL_ERRORS.body(404, MESSAGES[404] ?? '')),
    );
    this.objectRoutes(this.llmKind());
    this.objectRoutes(this.agentKind());
    this.listRoutes();
    this.app.get('/get-api-key-info', (req, reply) =>
      this.handle(req, reply, async (account) => [
        200,
        { org_id: account, org_name: `Emulated organization ${account}`, api_key_name: null },
      ]),
    );
  }

  /** The default account's objects (in memory), live: tests read and change them directly. */
  get account(): { agents: Map<string, EmulatedAgent>; llms: Map<string, EmulatedLlm> } {
    return this.objectsOf(DEFAULT_ACCOUNT);
  }

  /**
   * Lets `key` reach `account`: another key of an existing account, or a new account (another
   * Retell organization). Returns the account's objects (in memory).
   */
  addKey(key: string, account = `org_${accountDigest(key).slice(0, 24)}`) {
    this.allowKey(key, account);
    return this.objectsOf(account);
  }

  protected clearStores(): void {
    this.memoryAgents.clear();
    this.memoryLlms.clear();
  }

  private objectsOf(account: string) {
    return { agents: this.memoryAgents.account(account), llms: this.memoryLlms.account(account) };
  }

  /** Create, get, update and delete, the same for agents and LLMs but for each kind's rules. */
  private objectRoutes<T extends EmulatedObject>(kind: ObjectKind<T>): void {
    const { store, paths } = kind;
    this.app.post(paths.create, (req, reply) =>
      this.handle(req, reply, async (account) => {
        const body = bodyOf(req);
        const problems = kind.problems({ next: body, sent: body, creating: true });
        if (problems.length > 0) return invalid(problems);
        const refused = await kind.refuse?.(account, body);
        if (refused) return refused;
        const object = {
          ...body,
          ...kind.serverSet,
          [kind.idKey]: this.newId(kind.idPrefix),
          version: 0,
          is_published: false,
          last_modification_timestamp: this.timestamp(),
        } as EmulatedObject as T;
        await store.insert(account, object);
        return [201, object];
      }),
    );
    this.app.get(`${paths.get}/:id`, (req, reply) =>
      this.handle(req, reply, async (account) => found(atVersion(req, await store.get(account, idOf(req))))),
    );
    this.app.patch(`${paths.update}/:id`, (req, reply) =>
      this.handle(req, reply, async (account) => {
        const body = bodyOf(req);
        const current = atVersion(req, await store.get(account, idOf(req)));
        // Retell looks the id up before the body.
        if (!current) return notFound;
        const problems = kind.problems({ next: { ...current, ...body }, sent: body, creating: false });
        if (problems.length > 0) return invalid(problems);
        const refused = await kind.refuse?.(account, body);
        if (refused) return refused;
        return found(await store.update(account, idOf(req), (object) => this.changed(object, body)));
      }),
    );
    this.app.delete(`${paths.delete}/:id`, (req, reply) =>
      this.handle(req, reply, async (account) => {
        if (!(await store.get(account, idOf(req)))) return notFound;
        const refused = await kind.refuseDelete?.(account, idOf(req), queryOf(req));
        if (refused) return refused;
        await store.delete(account, idOf(req));
        return [204, undefined];
      }),
    );
  }

  private llmKind(): ObjectKind<EmulatedLlm> {
    return {
      store: this.llms,
      idKey: 'llm_id',
      idPrefix: 'llm',
      paths: {
        create: '/create-retell-llm',
        get: '/get-retell-llm',
        update: '/update-retell-llm',
        delete: '/delete-retell-llm',
      },
      serverSet: {},
      problems: llmProblems,
      refuseDelete: async (account, id, query) => {
        const user = (await this.agents.all(account)).find((agent) => engineLlmId(agent) === id);
        if (!user || query.force_delete === 'true') return undefined;
        return invalid([
          `Cannot delete Retell LLM ${id}: agent ${user.agent_id} still uses it (delete the agent first, or set force_delete)`,
        ]);
      },
    };
  }

  private agentKind(): ObjectKind<EmulatedAgent> {
    return {
      store: this.agents,
      idKey: 'agent_id',
      idPrefix: 'agent',
      paths: { create: '/create-agent', get: '/get-agent', update: '/update-agent', delete: '/delete-agent' },
      serverSet: { base_version: null },
      problems: agentProblems,
      // A Retell-LLM engine must point at an LLM of the same account.
      refuse: async (account, body) => {
        const llmId = engineLlmId(body);
        return llmId === undefined || (await this.llms.get(account, llmId)) ? undefined : notFound;
      },
    };
  }

  private listRoutes(): void {
    this.app.get('/v2/list-retell-llms', (req, reply) =>
      this.handle(req, reply, async (account) =>
        paged(await this.llms.all(account), req, (llm) => llm.llm_id),
      ),
    );
    this.app.post('/v2/list-agents', (req, reply) =>
      this.handle(req, reply, async (account) => {
        const channel = channelFilter(req.body);
        const agents = channel === undefined || channel === 'voice' ? await this.agents.all(account) : [];
        return paged(agents, req, (agent) => agent.agent_id, summaryOf);
      }),
    );
  }

  /** A partial update of the draft: sent keys replace (null included), the version stays. */
  private changed<T extends EmulatedObject>(current: T, body: Record<string, unknown>): T {
    return { ...current, ...body, last_modification_timestamp: this.timestamp() };
  }

  /** Ids that sort in creation order, so pages stay stable while objects come and go. */
  private newId(kind: 'agent' | 'llm'): string {
    return `${kind}_${this.timestamp().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
  }
}

const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
const queryOf = (req: FastifyRequest) => (req.query ?? {}) as Record<string, string | undefined>;
const bodyOf = (req: FastifyRequest): Record<string, unknown> => (isPlainObject(req.body) ? req.body : {});

function invalid(problems: string[]): Answer {
  return [400, RETELL_ERRORS.body(400, problems)];
}

function found(object: unknown): Answer {
  return object ? [200, object] : notFound;
}

/** The draft is the only version an emulated object has: `latest` or its number reach it. */
function atVersion<T extends { version: number }>(req: FastifyRequest, object: T | undefined): T | undefined {
  const version = queryOf(req).version;
  if (!object || version === undefined || version === 'latest' || Number(version) === object.version)
    return object;
  return undefined;
}

function engineLlmId(object: Record<string, unknown>): string | undefined {
  const engine = object.response_engine;
  return isPlainObject(engine) && engine.type === 'retell-llm' && typeof engine.llm_id === 'string'
    ? engine.llm_id
    : undefined;
}

function channelFilter(body: unknown): unknown {
  const criteria = isPlainObject(body) ? body.filter_criteria : undefined;
  const channel = isPlainObject(criteria) ? criteria.channel : undefined;
  return isPlainObject(channel) ? channel.value : undefined;
}

/** One list-agents item per agent: its name, channel, last change and tags. */
function summaryOf(agent: EmulatedAgent) {
  return {
    agent_id: agent.agent_id,
    agent_name: typeof agent.agent_name === 'string' ? agent.agent_name : '',
    channel: 'voice',
    user_modified_timestamp: agent.last_modification_timestamp,
    tags: {},
  };
}

/**
 * A v2 page: `limit` (1–1000, default 50), `sort_order` (default descending), and an opaque
 * `pagination_key` naming the last item given; `{items, has_more, pagination_key?}`.
 */
function paged<T>(
  all: T[],
  req: FastifyRequest,
  idOf: (item: T) => string,
  show: (item: T) => unknown = (x) => x,
) {
  const query = queryOf(req);
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return invalid([`limit must be an integer from 1 to ${MAX_LIMIT}`]);
  const order = query.sort_order ?? 'descending';
  if (order !== 'ascending' && order !== 'descending')
    return invalid(['sort_order must be ascending or descending']);
  const after = query.pagination_key === undefined ? undefined : keyPosition(query.pagination_key);
  if (after === null) return invalid(['pagination_key is not one this API gave']);
  const sign = order === 'ascending' ? 1 : -1;
  const sorted = [...all].sort((a, b) => sign * idOf(a).localeCompare(idOf(b)));
  const rest =
    after === undefined ? sorted : sorted.filter((item) => sign * idOf(item).localeCompare(after) > 0);
  const items = rest.slice(0, limit);
  const last = items[items.length - 1];
  const hasMore = rest.length > limit;
  return [
    200,
    {
      items: items.map(show),
      has_more: hasMore,
      ...(hasMore && last !== undefined
        ? { pagination_key: Buffer.from(idOf(last)).toString('base64url') }
        : {}),
    },
  ] satisfies Answer;
}

/** The id a pagination key names; null when it is not one of ours. */
function keyPosition(key: string): string | null {
  const id = Buffer.from(key, 'base64url').toString('utf8');
  return /^(agent|llm)_[0-9a-f]{32}$/.test(id) ? id : null;
}
