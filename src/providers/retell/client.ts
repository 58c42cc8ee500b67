// Switchboard's one door to Retell (or its emulator): the official retell-sdk for the HTTP calls,
// with its own retries off and Switchboard's call policy instead (call-policy.ts, as for Vapi).
//
// A Retell assistant is two objects: an agent and the Retell LLM its `response_engine` points at.
// The provider's assistant object keeps both whole, as Retell last answered them:
//
//   { id: agent_id, agent: { agent_id, voice_id, response_engine: { type: "retell-llm", llm_id }, … },
//                   llm:   { llm_id, model, general_prompt, begin_message, … } }
//
// Creates make the LLM, then the agent (deleting the LLM when the agent is certainly not made);
// updates send each object its own changes ({agent?, llm?}, see mapping.ts); deletes remove the
// agent, then the LLM, which Retell refuses while an agent still uses it.
//
// Marks: Retell keeps no metadata on either object. The one free-form text an agent keeps that
// changes nothing about calls is its draft version's `version_description` ("for your own reference",
// retell-sdk 5.66.1): a create writes its mark there, so `findCreated` can recognise the agent after
// an unknown outcome and `markOf` can tell which organization made it. An LLM has no such field,
// so an LLM is found only through the agent that points at it.
import Retell, { APIConnectionTimeoutError, APIError } from 'retell-sdk';
import { type FieldProblem, ProviderError, type ProviderErrorCode } from '../../errors.ts';
import { isPlainObject } from '../../shared/objects.ts';
import {
  type CallPolicy,
  callPolicyOf,
  callWithRetries,
  type ProviderClientOptions,
} from '../call-policy.ts';
import type { AssistantProvider, CreateMark, ProviderAssistant } from '../provider.ts';
import { notTheProviderApi, type ProviderFailures, providerErrorOf } from '../provider-errors.ts';
import { writableAgentFields, writableLlmFields } from './catalog.ts';
import type { RetellAssistant, RetellChanges } from './mapping.ts';

export interface RetellProviderOptions extends ProviderClientOptions {
  /** Items per page of a v2 list; Retell's largest by default. */
  pageSize?: number;
}

type Fields = Record<string, unknown>;

/** Retell's largest page of agents or LLMs. */
const MAX_PAGE = 1000;
/** How far the provider's clock may be behind ours when looking for a create's agent. */
const CLOCK_SKEW_MS = 10 * 60_000;

export class RetellProvider implements AssistantProvider {
  private readonly sdk: Retell;
  private readonly policy: CallPolicy;
  private readonly pageSize: number;

  constructor(options: RetellProviderOptions) {
    this.sdk = new Retell({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // Each attempt carries its own abort signal (see `call`); this is only a backstop.
      timeout: options.timeoutMs + 1_000,
      maxRetries: 0,
    });
    this.policy = callPolicyOf(options);
    this.pageSize = options.pageSize ?? MAX_PAGE;
  }

  /** `config` is `{agent, llm}` in Retell's own terms (mapping.ts `newRetellConfig`). */
  async create(config: Record<string, unknown>, mark: CreateMark): Promise<RetellAssistant> {
    const startedAt = new Date();
    const llm = await this.once((signal) =>
      this.sdk.llm.create(writableLlmFields(config.llm) as never, { signal }),
    )
      // The agent was never asked for, so there is no assistant; an LLM whose create timed out
      // may remain, unreachable from any agent (nothing in it can be recognised).
      .catch((error: ProviderError) => {
        throw withOutcome(error, true);
      });
    const body = {
      ...writableAgentFields(config.agent),
      response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
      version_description: markText(mark),
    };
    try {
      const agent = await this.once((signal) => this.sdk.agent.create(body as never, { signal }));
      return assistantOf(agent, llm);
    } catch (error) {
      return this.afterFailedAgentCreate(error as ProviderError, llm, startedAt);
    }
  }

  /**
   * The agent create failed. Refused for certain: the LLM goes and the refusal is thrown. Unknown:
   * the agent that points at the new LLM is looked for; when there is none, the LLM goes, and
   * when Retell refuses that because an agent uses it after all, that agent is the answer. (An
   * agent create still under way at Retell after all this would name an LLM that is gone.)
   */
  private async afterFailedAgentCreate(
    error: ProviderError,
    llm: Fields & { llm_id: string },
    since: Date,
  ): Promise<RetellAssistant> {
    const usesLlm = (agent: Fields) => llmIdOf(agent) === llm.llm_id;
    if (!error.definitelyNotApplied) {
      const found = await this.findAgent(since, usesLlm).catch(() => undefined);
      if (found) return assistantOf(found, llm);
    }
    try {
      await this.call((signal) => this.sdk.llm.delete(llm.llm_id, {}, { signal }));
    } catch (deleteError) {
      if (isCode(deleteError, 'provider_validation')) {
        const found = await this.findAgent(since, usesLlm).catch(() => undefined);
        if (found) return assistantOf(found, llm);
      }
      // The LLM stays; with an unknown outcome the service settles it by the mark (`findCreated`).
      throw error;
    }
    throw withOutcome(error, true);
  }

  /**
   * The agent and its LLM. With the stored copy, the LLM it names is read beside the agent; when
   * the agent now uses another LLM, that one is read after it.
   */
  async get(providerId: string, stored?: Record<string, unknown>): Promise<RetellAssistant> {
    const agentRead = this.call((signal) => this.sdk.agent.retrieve(providerId, {}, { signal }));
    const guess = isRetellAssistant(stored) && stored.id === providerId ? llmIdOf(stored.agent) : undefined;
    if (guess === undefined) {
      const agent = await agentRead;
      return assistantOf(agent, await this.readLlm(agent));
    }
    const llmRead = this.call((signal) => this.sdk.llm.retrieve(guess, {}, { signal }));
    // Its failure matters only if the agent still uses it; it is awaited then.
    llmRead.catch(() => {});
    const agent = await agentRead;
    return assistantOf(agent, llmIdOf(agent) === guess ? await llmRead : await this.readLlm(agent));
  }

  /**
   * `changes` is `{agent?, llm?}` (mapping.ts `retellChanges`): the agent's touched fields go to
   * update-agent, then the LLM's to update-retell-llm. When the agent's changes were applied and
   * anything after fails, the error is a `HalfAppliedUpdate`: read both to settle. An object with
   * no changes is taken from `current` (just read) rather than read again, so a one-object change
   * is one call; without `current` it is read.
   */
  async update(
    providerId: string,
    changes: Record<string, unknown>,
    current?: Record<string, unknown>,
  ): Promise<RetellAssistant> {
    const { agent: agentChanges, llm: llmChanges } = changes as RetellChanges;
    const known = isRetellAssistant(current) && current.id === providerId ? current : undefined;
    if (!agentChanges) {
      const agent =
        known?.agent ?? (await this.call((signal) => this.sdk.agent.retrieve(providerId, {}, { signal })));
      return assistantOf(agent, await this.changeLlm(agent, llmChanges, known));
    }
    const agent = await this.call((signal) =>
      this.sdk.agent.update(providerId, writableAgentFields(agentChanges) as never, { signal }),
    );
    try {
      return assistantOf(agent, await this.changeLlm(agent, llmChanges, known));
    } catch (error) {
      throw new HalfAppliedUpdate(toRetellError(error, this.policy.timeoutMs));
    }
  }

  /** Agent first (Retell refuses to delete an LLM in use), then its LLM. */
  async delete(providerId: string): Promise<void> {
    let agent: Fields;
    try {
      agent = await this.call((signal) => this.sdk.agent.retrieve(providerId, {}, { signal }));
      await this.call((signal) => this.sdk.agent.delete(providerId, { signal }));
    } catch (error) {
      if (isCode(error, 'provider_not_found')) return;
      throw error;
    }
    const llmId = llmIdOf(agent);
    if (llmId === undefined) return;
    try {
      await this.call((signal) => this.sdk.llm.delete(llmId, {}, { signal }));
    } catch (error) {
      // Gone already, or refused because another agent still uses it: either way it is not ours to remove.
      if (isCode(error, 'provider_not_found') || isCode(error, 'provider_validation')) return;
      const cause = error as ProviderError;
      throw new ProviderError(
        cause.statusCode,
        cause.code as ProviderErrorCode,
        `Retell deleted the agent but not its LLM ${llmId}, which is left unused: ${cause.message}`,
        cause.details,
        cause.headers,
      );
    }
  }

  /** Every voice agent of the account whose engine is a Retell LLM, with that LLM. */
  async listAll(): Promise<RetellAssistant[]> {
    const summaries = await this.listAgentSummaries();
    const llms = new Map((await this.listLlms()).map((llm) => [llm.llm_id, llm]));
    const assistants: RetellAssistant[] = [];
    for (const summary of summaries) {
      if (summary.channel !== undefined && summary.channel !== 'voice') continue;
      const agent = await this.readIfThere(summary.agent_id);
      const llmId = agent ? llmIdOf(agent) : undefined;
      if (!agent || llmId === undefined) continue;
      assistants.push(assistantOf(agent, llms.get(llmId) ?? (await this.readLlm(agent))));
    }
    return assistants;
  }

  async findCreated(mark: CreateMark, since: Date): Promise<RetellAssistant | undefined> {
    const agent = await this.findAgent(
      since,
      (candidate) => markIn(candidate)?.assistantId === mark.assistantId,
    );
    return agent ? assistantOf(agent, await this.readLlm(agent)) : undefined;
  }

  /** GET /get-api-key-info: proves the key and names its account (`org_id`). */
  async checkKey(): Promise<{ accountId: string | null }> {
    let info: unknown;
    try {
      info = await this.call((signal) => this.sdk.identity.retrieve({ signal }));
    } catch (error) {
      // Retell answers 422 for unknown ids only; a 404 here means the address is not Retell's API.
      if (isCode(error, 'provider_not_found'))
        throw notTheProviderApi('Retell', 'https://api.retellai.com', 'answered 404');
      throw error;
    }
    if (!isPlainObject(info) || (typeof info.org_id !== 'string' && typeof info.org_name !== 'string'))
      throw notTheProviderApi(
        'Retell',
        'https://api.retellai.com',
        "answered, but not with the key's account",
      );
    return { accountId: typeof info.org_id === 'string' ? info.org_id : null };
  }

  markOf(assistant: ProviderAssistant): CreateMark | undefined {
    return markIn(isPlainObject(assistant.agent) ? assistant.agent : {});
  }

  /** Retell's agents and LLMs do not show their account; `checkKey` learns it. */
  accountOf(): string | null {
    return null;
  }

  /** The LLM after `llmChanges`; with none, `known`'s when the agent still uses it, else read. */
  private async changeLlm(
    agent: Fields,
    llmChanges: Fields | undefined,
    known: RetellAssistant | undefined,
  ): Promise<Fields> {
    const llmId = requireLlmId(agent);
    if (!llmChanges) return known?.llm.llm_id === llmId ? known.llm : this.readLlm(agent);
    return this.call((signal) =>
      this.sdk.llm.update(llmId, writableLlmFields(llmChanges) as never, { signal }),
    );
  }

  private readLlm(agent: Fields): Promise<Fields> {
    const llmId = requireLlmId(agent);
    return this.call((signal) => this.sdk.llm.retrieve(llmId, {}, { signal }));
  }

  private async readIfThere(agentId: string): Promise<Fields | undefined> {
    try {
      return await this.call((signal) => this.sdk.agent.retrieve(agentId, {}, { signal }));
    } catch (error) {
      if (isCode(error, 'provider_not_found')) return undefined;
      throw error;
    }
  }

  /** The first agent changed since `since` (less the clock skew) that `matches`. */
  private async findAgent(since: Date, matches: (agent: Fields) => boolean): Promise<Fields | undefined> {
    const after = since.getTime() - CLOCK_SKEW_MS;
    for (const summary of await this.listAgentSummaries()) {
      if (typeof summary.user_modified_timestamp === 'number' && summary.user_modified_timestamp < after)
        continue;
      const agent = await this.readIfThere(summary.agent_id);
      if (agent && matches(agent)) return agent;
    }
    return undefined;
  }

  /** POST /v2/list-agents, every page: one summary per agent. */
  private listAgentSummaries(): Promise<Array<Fields & { agent_id: string }>> {
    return this.everyPage((pagination_key, signal) =>
      this.sdk.agent.list(
        { limit: this.pageSize, ...(pagination_key ? { pagination_key } : {}) },
        { signal },
      ),
    );
  }

  /** GET /v2/list-retell-llms, every page: whole LLMs. */
  private listLlms(): Promise<Array<Fields & { llm_id: string }>> {
    return this.everyPage((pagination_key, signal) =>
      this.sdk.llm.list({ limit: this.pageSize, ...(pagination_key ? { pagination_key } : {}) }, { signal }),
    );
  }

  /** Follows v2 pagination: the opaque `pagination_key` goes back until `has_more` is false. */
  private async everyPage<T>(
    page: (
      key: string | undefined,
      signal: AbortSignal,
    ) => Promise<{ items: unknown[]; has_more: boolean; pagination_key?: string }>,
  ): Promise<T[]> {
    const all: T[] = [];
    let key: string | undefined;
    for (;;) {
      const answer = await this.call((signal) => page(key, signal));
      all.push(...(answer.items as T[]));
      if (!answer.has_more || !answer.pagination_key) return all;
      key = answer.pagination_key;
    }
  }

  /** An idempotent call (a read, an update of given values, a delete) under the retry policy. */
  private call<T>(
    attempt: (signal: AbortSignal) => PromiseLike<T>,
    maxAttempts = this.policy.maxAttempts,
  ): Promise<T & Fields> {
    return callWithRetries(
      this.policy,
      async (signal) => (await attempt(signal)) as T & Fields,
      RETELL_FAILURES,
      maxAttempts,
    );
  }

  /** A create: never repeated, since a repeat could make a second object. */
  private once<T>(attempt: (signal: AbortSignal) => PromiseLike<T>): Promise<T & Fields> {
    return this.call(attempt, 1);
  }
}

/**
 * An update whose agent changes Retell applied while the LLM's were not (or could not be
 * confirmed). Never "certainly not applied": the assistant is pending until both are read again.
 */
export class HalfAppliedUpdate extends ProviderError {
  readonly applied = 'agent';
  readonly notApplied = 'llm';

  constructor(override readonly cause: ProviderError) {
    super(
      cause.statusCode,
      cause.code as ProviderErrorCode,
      `Retell applied the agent's changes but not the LLM's, so the update is half-applied; Switchboard will read both to settle it. ${cause.message}`,
      cause.details,
      cause.headers,
      false,
    );
    this.name = 'HalfAppliedUpdate';
  }
}

function assistantOf(agent: Fields, llm: Fields): RetellAssistant {
  return { id: String(agent.agent_id), agent, llm };
}

function isRetellAssistant(copy: Record<string, unknown> | undefined): copy is RetellAssistant {
  return typeof copy?.id === 'string' && isPlainObject(copy.agent) && isPlainObject(copy.llm);
}

/** The LLM an agent's engine points at; undefined for a custom-LLM or conversation-flow agent. */
function llmIdOf(agent: Fields): string | undefined {
  const engine = agent.response_engine;
  return isPlainObject(engine) && engine.type === 'retell-llm' && typeof engine.llm_id === 'string'
    ? engine.llm_id
    : undefined;
}

function requireLlmId(agent: Fields): string {
  const llmId = llmIdOf(agent);
  if (llmId !== undefined) return llmId;
  const type = isPlainObject(agent.response_engine) ? agent.response_engine.type : undefined;
  throw new ProviderError(
    500,
    'provider_error',
    `The Retell agent ${String(agent.agent_id)} answers with a ${String(type)} engine, not a Retell LLM; Switchboard manages agents backed by a Retell LLM`,
  );
}

const MARK = /^Created by Switchboard \(organization (\S+), assistant (\S+)\)$/;

function markText(mark: CreateMark): string {
  return `Created by Switchboard (organization ${mark.orgId}, assistant ${mark.assistantId})`;
}

function markIn(agent: Fields): CreateMark | undefined {
  const found = typeof agent.version_description === 'string' ? MARK.exec(agent.version_description) : null;
  return found?.[1] && found[2] ? { orgId: found[1], assistantId: found[2] } : undefined;
}

function isCode(error: unknown, code: ProviderErrorCode): boolean {
  return error instanceof ProviderError && error.code === code;
}

/** The same error with what is known about its outcome. */
function withOutcome(error: ProviderError, definitelyNotApplied: boolean): ProviderError {
  return new ProviderError(
    error.statusCode,
    error.code as ProviderErrorCode,
    error.message,
    error.details,
    error.headers,
    definitelyNotApplied,
  );
}

/** How retell-sdk shows failures: Retell answers 422 for an id missing or another account's, 400 for a refused body. */
const RETELL_FAILURES: ProviderFailures = {
  isTimeout: (error) => error instanceof APIConnectionTimeoutError,
  // Connection errors are APIErrors too, without a status.
  answerOf: (error) =>
    error instanceof APIError && typeof error.status === 'number'
      ? {
          status: error.status,
          messages:
            isPlainObject(error.error) && typeof error.error.message === 'string'
              ? [error.error.message]
              : [],
          retryAfter: error.headers?.get('retry-after'),
        }
      : undefined,
  meanings: { invalid: [400], notFound: [404, 422], fieldOf: fieldOfMessage },
};

export function toRetellError(error: unknown, timeoutMs: number): ProviderError {
  return providerErrorOf(error, timeoutMs, RETELL_FAILURES);
}

/** Retell's native names, back to Switchboard's, for a message that starts with one. */
const SWITCHBOARD_NAMES: Readonly<Record<string, string>> = {
  agent_name: 'name',
  begin_message: 'firstMessage',
  model: 'model.model',
  model_temperature: 'model.temperature',
  general_prompt: 'model.systemPrompt',
  voice_id: 'voice.voiceId',
};

function fieldOfMessage(message: string): FieldProblem {
  const first = /^(\w+)/.exec(message)?.[1] ?? '';
  return { field: SWITCHBOARD_NAMES[first] ?? '', message };
}
