// What a provider's failure means to Switchboard, the same for every provider: each client only
// says which of its statuses mean "not found" and "invalid", and how its messages name fields.
import { type FieldProblem, ProviderError } from '../errors.ts';
import { codedCause } from '../shared/error-cause.ts';

/** Our own per-attempt timer fired (call-policy.ts). */
export class ProviderTimeout extends Error {}

/** How one provider's client shows a failure, and what the provider's statuses mean. */
export interface ProviderFailures {
  /** An SDK's own timeout, a backstop behind ours; a client without one leaves it out. */
  isTimeout?(error: unknown): boolean;
  /** The provider's error answer; undefined when there was none (no connection, no answer). */
  answerOf(error: unknown): StatusFailure | undefined;
  readonly meanings: StatusMeanings;
}

/** Whatever a call threw, as the ProviderError that tells the caller what happened. */
export function providerErrorOf(
  error: unknown,
  timeoutMs: number,
  failures: ProviderFailures,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof ProviderTimeout || failures.isTimeout?.(error)) return providerTimeoutError(timeoutMs);
  const answer = failures.answerOf(error);
  return answer ? providerStatusError(answer, failures.meanings) : providerUnreachableError(error);
}

/** A provider's answer with an error status. */
export interface StatusFailure {
  status: number;
  /** The messages of the error body. */
  messages: readonly string[];
  retryAfter?: string | null;
}

/** How one provider uses its statuses. */
export interface StatusMeanings {
  /** The request itself was refused (400 to the caller). */
  readonly invalid: readonly number[];
  /** The object does not exist, or the key cannot see it. */
  readonly notFound: readonly number[];
  /** The field one of its messages is about; empty when it names none. */
  readonly fieldOf: (message: string) => FieldProblem;
}

export function providerTimeoutError(timeoutMs: number): ProviderError {
  return new ProviderError(
    500,
    'provider_timeout',
    `The voice provider did not answer within ${timeoutMs} ms; nothing was changed in Switchboard`,
    undefined,
    undefined,
    false,
  );
}

export function providerStatusError(failure: StatusFailure, meanings: StatusMeanings): ProviderError {
  const { status, messages } = failure;
  const said = messages.length > 0 ? `: ${messages.join('; ')}` : '';
  if (meanings.invalid.includes(status)) {
    return new ProviderError(
      400,
      'provider_validation',
      `The voice provider rejected the assistant${said}`,
      messages.map(meanings.fieldOf),
    );
  }
  if (meanings.notFound.includes(status))
    return new ProviderError(404, 'provider_not_found', 'The voice provider does not have this assistant');
  if (status === 401 || status === 403) {
    return new ProviderError(
      500,
      'provider_key_rejected',
      `The voice provider refused the connection's API key (HTTP ${status}); an admin must update the connection`,
    );
  }
  if (status === 429) {
    return new ProviderError(
      500,
      'provider_rate_limited',
      'The voice provider is rate-limiting requests; try again later',
      undefined,
      failure.retryAfter ? { 'retry-after': failure.retryAfter } : undefined,
    );
  }
  // A 5xx may come after the provider did the work (a gateway in front of it gave up).
  return new ProviderError(
    500,
    'provider_error',
    `The voice provider failed (HTTP ${status})${said}`,
    undefined,
    undefined,
    status < 500,
  );
}

/** No answer at all; a refused connection certainly changed nothing. */
export function providerUnreachableError(error: unknown): ProviderError {
  const refused = codedCause(error)?.code === 'ECONNREFUSED';
  return new ProviderError(
    500,
    'provider_unreachable',
    `The voice provider could not be reached${refused ? ' (connection refused)' : ''}`,
    undefined,
    undefined,
    refused,
  );
}

/** A key check reached an address that answered, but not as the provider's API does. */
export function notTheProviderApi(label: string, exampleUrl: string, what: string): ProviderError {
  return new ProviderError(
    500,
    'provider_unreachable',
    `the address ${what}: is it ${label}'s API (for example ${exampleUrl})?`,
  );
}
