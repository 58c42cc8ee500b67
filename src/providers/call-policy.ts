// One timeout and retry policy for every provider client, whatever SDK makes the HTTP calls: an
// explicit timer per attempt, retries only for idempotent calls and transient failures, backoff with
// jitter (or the provider's Retry-After), and an overall budget so a caller never waits long.
import type { ProviderError } from '../errors.ts';

export interface ProviderClientOptions {
  apiKey: string;
  baseUrl: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts for idempotent calls (reads, updates of given values, deletes). Creates are never repeated. */
  maxAttempts?: number;
  /** Retries stop when the next wait would end past this many ms after the first attempt. */
  retryBudgetMs?: number;
  /** First backoff; doubles each retry, with jitter. */
  backoffMs?: number;
}

export type CallPolicy = Required<Omit<ProviderClientOptions, 'apiKey' | 'baseUrl'>>;

export function callPolicyOf(options: ProviderClientOptions): CallPolicy {
  return {
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts ?? 3,
    retryBudgetMs: options.retryBudgetMs ?? 5_000,
    backoffMs: options.backoffMs ?? 200,
  };
}

/** What a client makes of one failed attempt. */
export interface FailedAttempt {
  error: ProviderError;
  /** The HTTP status, when the provider answered. */
  status?: number;
  /** The provider's Retry-After, in ms. */
  retryAfterMs?: number;
}

/** Our own per-attempt timer fired. */
export class ProviderTimeout extends Error {}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Runs `attempt` under the policy. `describe` turns whatever an attempt threw (a ProviderTimeout
 * when our timer fired) into a ProviderError; the last one is thrown.
 */
export async function callWithRetries<T>(
  policy: CallPolicy,
  attempt: (signal: AbortSignal) => Promise<T>,
  describe: (raw: unknown) => FailedAttempt,
  maxAttempts = policy.maxAttempts,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    // An explicit timer, cleared in `finally`, bounds each attempt.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), policy.timeoutMs);
    try {
      return await attempt(timeout.signal);
    } catch (raw) {
      const failed = describe(timeout.signal.aborted ? new ProviderTimeout() : raw);
      const retryable =
        failed.status !== undefined
          ? RETRYABLE_STATUSES.has(failed.status)
          : failed.error.code === 'provider_unreachable';
      if (!retryable || n >= maxAttempts) throw failed.error;
      const wait = failed.retryAfterMs ?? policy.backoffMs * 2 ** (n - 1) * (0.8 + Math.random() * 0.4);
      if (Date.now() - started + wait > policy.retryBudgetMs) throw failed.error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      clearTimeout(timer);
    }
  }
}
