// Switchboard's one door to Vapi (or the emulator): the official SDK for the HTTP calls, over our
// own transport (http-fetcher.ts), with one explicit timeout and one retry policy of our own. The
// SDK's own retries are off because they may wait up to 60 s on a Retry-After, with no overall budget.
import { VapiError, VapiClient as VapiSdk, VapiTimeoutError } from '@vapi-ai/server-sdk';
import { type FieldProblem, ProviderError } from '../../errors.ts';
import { isPlainObject } from '../../shared/objects.ts';
import {
  type CallPolicy,
  callPolicyOf,
  callWithRetries,
  type ProviderClientOptions,
} from '../call-policy.ts';
import type { AssistantProvider, CreateMark, ProviderAssistant } from '../provider.ts';
import { notTheProviderApi, providerErrorOf, type SdkFailures } from '../provider-errors.ts';
import { writableFields } from './catalog.ts';
import { httpFetcher } from './http-fetcher.ts';

/** Vapi's largest page; older pages are asked for with `createdAtLt`. */
const LIST_PAGE = 1000;
/** How far the provider's clock may be behind ours when looking for a create's assistant. */
const CLOCK_SKEW_MS = 10 * 60_000;

export type VapiClientOptions = ProviderClientOptions;

export class VapiClient implements AssistantProvider {
  private readonly sdk: VapiSdk;
  private readonly policy: CallPolicy;

  constructor(options: VapiClientOptions) {
    this.sdk = new VapiSdk({
      token: options.apiKey,
      baseUrl: options.baseUrl,
      // Each attempt carries its own abort signal (see `call`); this is only a backstop.
      timeoutInSeconds: (options.timeoutMs + 1_000) / 1000,
      maxRetries: 0,
      fetcher: httpFetcher(),
    });
    this.policy = callPolicyOf(options);
  }

  create(config: Record<string, unknown>, mark: CreateMark): Promise<ProviderAssistant> {
    // Marked in the create itself, so an unknown outcome can be found (`findCreated`).
    const body = writableFields({ ...config, metadata: withMark(config.metadata, mark) });
    // Never retried: a repeated create could leave two assistants at the provider.
    return this.call(
      (request) =>
        this.sdk.assistants.create(body as never, request) as unknown as Promise<ProviderAssistant>,
      1,
    );
  }

  async findCreated(mark: CreateMark, since: Date): Promise<ProviderAssistant | undefined> {
    const createdAtGe = new Date(since.getTime() - CLOCK_SKEW_MS).toISOString();
    const candidates = await this.list({ createdAtGe });
    return candidates.find((assistant) => this.markOf(assistant)?.assistantId === mark.assistantId);
  }

  async checkKey(): Promise<{ accountId: string | null }> {
    let page: unknown;
    try {
      page = await this.call((request) => this.sdk.assistants.list({ limit: 1 }, request));
    } catch (error) {
      // A 404 on Vapi's list means the address is not Vapi's API, not that an assistant is missing.
      if (error instanceof ProviderError && error.code === 'provider_not_found')
        throw notTheProviderApi('Vapi', 'https://api.vapi.ai', 'answered 404');
      throw error;
    }
    if (!Array.isArray(page))
      throw notTheProviderApi('Vapi', 'https://api.vapi.ai', 'answered, but not with a list of assistants');
    return { accountId: page[0] ? this.accountOf(page[0] as ProviderAssistant) : null };
  }

  markOf(assistant: ProviderAssistant): CreateMark | undefined {
    const mark = isPlainObject(assistant.metadata) ? assistant.metadata.switchboard : undefined;
    if (!isPlainObject(mark) || typeof mark.orgId !== 'string' || typeof mark.assistantId !== 'string')
      return undefined;
    return { orgId: mark.orgId, assistantId: mark.assistantId };
  }

  accountOf(assistant: ProviderAssistant): string | null {
    return typeof assistant.orgId === 'string' ? assistant.orgId : null;
  }

  get(providerId: string): Promise<ProviderAssistant> {
    return this.call(
      (request) =>
        this.sdk.assistants.get({ id: providerId }, request) as unknown as Promise<ProviderAssistant>,
    );
  }

  update(providerId: string, changes: Record<string, unknown>): Promise<ProviderAssistant> {
    const body = { ...writableFields(changes), id: providerId };
    return this.call(
      (request) =>
        this.sdk.assistants.update(body as never, request) as unknown as Promise<ProviderAssistant>,
    );
  }

  listAll(beforePage?: () => Promise<void>): Promise<ProviderAssistant[]> {
    return this.list({}, beforePage);
  }

  /** Every page, newest first, from `createdAtGe` when given. */
  private async list(
    filter: { createdAtGe?: string },
    beforePage?: () => Promise<void>,
  ): Promise<ProviderAssistant[]> {
    const all: ProviderAssistant[] = [];
    let createdAtLt: string | undefined;
    for (;;) {
      await beforePage?.();
      const page = (await this.call((request) =>
        this.sdk.assistants.list(
          { limit: LIST_PAGE, ...filter, ...(createdAtLt ? { createdAtLt } : {}) },
          request,
        ),
      )) as unknown as ProviderAssistant[];
      all.push(...page);
      const oldest = page[page.length - 1]?.createdAt;
      if (page.length < LIST_PAGE || typeof oldest !== 'string') return all;
      createdAtLt = oldest;
    }
  }

  async delete(providerId: string): Promise<void> {
    try {
      await this.call((request) => this.sdk.assistants.delete({ id: providerId }, request));
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'provider_not_found') return;
      throw error;
    }
  }

  /** Runs `attempt` under the retry policy and turns every failure into a ProviderError. */
  private call<T>(
    attempt: (request: { abortSignal: AbortSignal }) => Promise<T>,
    maxAttempts = this.policy.maxAttempts,
  ): Promise<T> {
    return callWithRetries(
      this.policy,
      (abortSignal) => attempt({ abortSignal }),
      VAPI_FAILURES,
      maxAttempts,
    );
  }
}

/** Merges the mark into the user's own metadata, keeping their keys. */
function withMark(metadata: unknown, mark: CreateMark): Record<string, unknown> {
  return { ...(isPlainObject(metadata) ? metadata : {}), switchboard: { ...mark } };
}

/** How the Vapi SDK shows failures: Vapi answers 404 for a missing assistant, 400 (or 422) for a refused body. */
const VAPI_FAILURES: SdkFailures = {
  isTimeout: (error) => error instanceof VapiTimeoutError,
  answerOf: (error) =>
    error instanceof VapiError && error.statusCode !== undefined
      ? {
          status: error.statusCode,
          messages: providerMessages(error.body),
          retryAfter: error.rawResponse?.headers?.get('retry-after'),
        }
      : undefined,
  meanings: { invalid: [400, 422], notFound: [404], fieldOf: toFieldProblem },
};

export function toProviderError(error: unknown, timeoutMs: number): ProviderError {
  return providerErrorOf(error, timeoutMs, VAPI_FAILURES);
}

function providerMessages(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.filter((m): m is string => typeof m === 'string');
  return typeof message === 'string' ? [message] : [];
}

/** `model.temperature must not be greater than 2` → field `model.temperature`. */
function toFieldProblem(message: string): FieldProblem {
  const property = /^(?:(.+)\.)?property (\S+) should not exist$/.exec(message);
  if (property)
    return { field: property[1] ? `${property[1]}.${property[2]}` : (property[2] ?? ''), message };
  const field = /^(?:each value in )?([\w.]+) /.exec(message)?.[1] ?? '';
  return { field, message };
}
