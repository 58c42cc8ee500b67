/** A failure the command explains in words and ends with exit code 1; no stack trace is shown. */
export class CliError extends Error {}
