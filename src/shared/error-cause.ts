// Libraries wrap the error that says what happened (Drizzle wraps the driver's, fetch wraps the
// socket's); the code and fields we act on are on the innermost error that has a code.

export interface CodedError {
  code: string;
  /** PostgreSQL's column, for constraint errors. */
  column?: string;
}

/** The first error in `error`'s cause chain that carries a string `code`. */
export function codedCause(error: unknown): CodedError | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (typeof (cause as { code?: unknown }).code === 'string') return cause as CodedError;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
