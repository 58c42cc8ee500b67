// Switchboard's one door to Vapi (or the emulator): Vapi's REST paths over our own kept-alive
// transport (http-transport.ts), with one explicit timeout and one retry policy of our own. Not the
// official SDK: its request and response layers cost about 0.2 ms of CPU per call, a third of a
// PATCH's CPU on PostgreSQL (bench/README.md); every call here is a plain JSON exchange, and the
// answer is kept whole (unknown fields too). Tests still drive the emulator with the SDK.
import { type FieldProblem, ProviderError } from '../../errors.ts';
import { isPlainObject } from '../../shared/objects.ts';
import {
  type CallPolicy,
  callPolicyOf,
  callWithRetries,
  type ProviderClientOptions,
} from '../call-policy.ts';
import { HttpTransport } from '../http-transport.ts';
import type { AssistantProvider, CreateMark, ProviderAssistant } from '../provider.ts';
import { notTheProviderApi, type ProviderFailures, providerErrorOf } from '../provider-errors.ts';
import { writableFields } from './catalog.ts';

/** Vapi's largest page; older pages are asked for with `createdAtLt`. */
const LIST_PAGE = 1000;
/** How far the provider's clock may be behind ours when looking for a create's assistant. */
const CLOCK_SKEW_MS = 10 * 60_000;

export type VapiClientOptions = ProviderClientOptions;

/** Vapi answered, with a status other than 2xx or a body that is not JSON. */
export class VapiAnswerError extends Error {
  constructor(
    readonly status: number,
    /** The JSON body, or its text when it is not JSON (a proxy's error page). */
    readonly body: unknown,
    readonly retryAfter: string | undefined,
  ) {
    super(`Vapi answered HTTP ${status}`);
  }
}

type Query = Record<string, string | number | undefined>;

export class VapiClient implements AssistantProvider {
  private readonly http = new HttpTransport();
  private readonly policy: CallPolicy;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(options: VapiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };
    this.policy = callPolicyOf(options);
  }

  create(config: Record<string, unknown>, mark: CreateMark): Promise<ProviderAssistant> {
    // Marked in the create itself, so an unknown outcome can be found (`findCreated`).
    const body = writableFields({ ...config, metadata: withMark(config.metadata, mark) });
    // Never retried: a repeated create could leave two assistants at the provider.
    return this.call('POST', '/assistant', { body }, 1) as Promise<ProviderAssistant>;
  }

  async findCreated(mark: CreateMark, since: Date): Promise<ProviderAssistant | undefined> {
    const createdAtGe = new Date(since.getTime() - CLOCK_SKEW_MS).toISOString();
    const candidates = await this.list({ createdAtGe });
    return candidates.find((assistant) => this.markOf(assistant)?.assistantId === mark.assistantId);
  }

  async checkKey(): Promise<{ accountId: string | null }> {
    let page: unknown;
    try {
      page = await this.call('GET', '/assistant', { query: { limit: 1 } });
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
    return this.call('GET', assistantPath(providerId)) as Promise<ProviderAssistant>;
  }

  update(providerId: string, changes: Record<string, unknown>): Promise<ProviderAssistant> {
    return this.call('PATCH', assistantPath(providerId), {
      body: writableFields(changes),
    }) as Promise<ProviderAssistant>;
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
      const page = (await this.call('GET', '/assistant', {
        query: { limit: LIST_PAGE, ...filter, createdAtLt },
      })) as ProviderAssistant[];
      all.push(...page);
      const oldest = page[page.length - 1]?.createdAt;
      if (page.length < LIST_PAGE || typeof oldest !== 'string') return all;
      createdAtLt = oldest;
    }
  }

  async delete(providerId: string): Promise<void> {
    try {
      await this.call('DELETE', assistantPath(providerId));
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'provider_not_found') return;
      throw error;
    }
  }

  /** One call under the retry policy; every failure is thrown as a ProviderError. */
  private call(
    method: string,
    path: string,
    { query, body }: { query?: Query; body?: unknown } = {},
    maxAttempts = this.policy.maxAttempts,
  ): Promise<unknown> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers =
      payload === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' };
    return callWithRetries(
      this.policy,
      async (signal) => {
        const answer = await this.http.send(url, { method, headers, body: payload, signal });
        const parsed = parseJson(answer.text);
        if (answer.status >= 200 && answer.status < 300 && parsed.ok) return parsed.value;
        const retryAfter = answer.headers['retry-after'];
        throw new VapiAnswerError(
          answer.status,
          parsed.ok ? parsed.value : answer.text,
          Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        );
      },
      VAPI_FAILURES,
      maxAttempts,
    );
  }
}

function assistantPath(providerId: string): string {
  return `/assistant/${encodeURIComponent(providerId)}`;
}

/** An empty body is JSON's `undefined` (a 204, a bodiless 200). */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Merges the mark into the user's own metadata, keeping their keys. */
function withMark(metadata: unknown, mark: CreateMark): Record<string, unknown> {
  return { ...(isPlainObject(metadata) ? metadata : {}), switchboard: { ...mark } };
}

/** Vapi's failures: 404 for a missing assistant, 400 (or 422) for a refused body. Timeouts are our own timer's. */
const VAPI_FAILURES: ProviderFailures = {
  answerOf: (error) =>
    error instanceof VapiAnswerError
      ? { status: error.status, messages: providerMessages(error.body), retryAfter: error.retryAfter }
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
