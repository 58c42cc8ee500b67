// One error type for everything a caller can be told. The HTTP layer maps it to the
// `{message, code, details}` envelope in one place (src/http/error-handler.ts).

export interface FieldProblem {
  /** Dotted path of the field, e.g. `model.temperature`; empty for the body as a whole. */
  readonly field: string;
  readonly message: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: readonly FieldProblem[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function validationError(problems: readonly FieldProblem[]): AppError {
  const summary = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
  return new AppError(400, 'validation_failed', `Invalid request: ${summary}`, problems);
}

export const unauthorized = (message = 'Sign in first: no valid session') =>
  new AppError(401, 'unauthorized', message);

export const forbidden = (message: string) => new AppError(403, 'forbidden', message);

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);

export const conflict = (code: string, message: string, headers?: Record<string, string>) =>
  new AppError(409, code, message, undefined, headers);

export const preconditionFailed = () =>
  new AppError(
    412,
    'precondition_failed',
    'The assistant changed since you read it (If-Match does not match its ETag); reload and try again',
  );

/** The voice provider refused or failed; `code` says which way. */
export class ProviderError extends AppError {
  constructor(
    statusCode: number,
    code: ProviderErrorCode,
    message: string,
    details?: readonly FieldProblem[],
    headers?: Record<string, string>,
    /** False when the provider may have applied the request before failing (a timeout). */
    readonly definitelyNotApplied = true,
  ) {
    super(statusCode, code, message, details, headers);
    this.name = 'ProviderError';
  }
}

export type ProviderErrorCode =
  | 'provider_validation'
  | 'provider_not_found'
  | 'provider_error'
  | 'provider_timeout'
  | 'provider_unreachable'
  | 'provider_rate_limited'
  | 'provider_key_rejected';
