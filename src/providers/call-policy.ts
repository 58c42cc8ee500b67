// One timeout and retry policy for every provider client, whether an SDK or our own transport makes
// its HTTP calls: an explicit timer per attempt, retries only for idempotent calls and transient
// failures, backoff with jitter (or the provider's Retry-After), and an overall budget so a caller
// never waits long.
import { parseRetryAfter } from '../shared/retry-after.ts';
import { type ProviderFailures, ProviderTimeout, providerErrorOf } from './provider-errors.ts';

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

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Runs `attempt` under the policy; what an attempt threw (a ProviderTimeout when our timer fired)
 * is read through the client's `failures`, and the last failure is thrown as a ProviderError.
 */
export async function callWithRetries<T>(
  policy: CallPolicy,
  attempt: (signal: AbortSignal) => Promise<T>,
  failures: ProviderFailures,
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
      const thrown = timeout.signal.aborted ? new ProviderTimeout() : raw;
      const error = providerErrorOf(thrown, policy.timeoutMs, failures);
      const answer = failures.answerOf(thrown);
      const retryable =
        answer !== undefined ? RETRYABLE_STATUSES.has(answer.status) : error.code === 'provider_unreachable';
      if (!retryable || n >= maxAttempts) throw error;
      const wait =
        parseRetryAfter(answer?.retryAfter) ?? policy.backoffMs * 2 ** (n - 1) * (0.8 + Math.random() * 0.4);
      if (Date.now() - started + wait > policy.retryBudgetMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      clearTimeout(timer);
    }
  }
}
