// The one place an error becomes an HTTP answer: always `{message, code, details?, requestId}`,
// never a stack trace. Anything unexpected is logged and reported as a plain 500.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, validationError } from '../errors.ts';
import { ForbiddenKeyError } from '../shared/json-body.ts';
import { sizeWords } from './schemas.ts';
import { describeValidationErrors } from './validation.ts';

/** Fastify's own 4xx errors, in words a caller can act on. */
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'bad_request',
    'The Content-Length header does not match the body',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'The body is empty but Content-Type says JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'The body is not valid JSON'],
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const known = toAppError(error, request.body, request.routeOptions.bodyLimit);
    if (!known) {
      request.log.error({ err: error }, 'unexpected error');
      return reply.code(500).send({
        message: 'Something went wrong inside Switchboard; the request was not completed',
        code: 'internal',
        requestId: request.id,
      });
    }
    if (known.statusCode >= 500)
      request.log.warn({ code: known.code, message: known.message }, 'request failed');
    if (known.headers) reply.headers(known.headers);
    return reply.code(known.statusCode).send({
      message: known.message,
      code: known.code,
      ...(known.details ? { details: known.details } : {}),
      requestId: request.id,
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
      code: 'not_found',
      requestId: request.id,
    });
  });
}

function toAppError(
  error: FastifyError | AppError | Error,
  body: unknown,
  bodyLimit: number | undefined,
): AppError | undefined {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError(
      413,
      'body_too_large',
      bodyLimit
        ? `The body is larger than ${sizeWords(bodyLimit)}, the most this route accepts`
        : 'The body is too large',
    );
  if (fastifyError.validation) {
    const context = fastifyError.validationContext;
    const data = context === 'body' ? body : undefined;
    const problems = describeValidationErrors(fastifyError.validation as never, data).map((p) => ({
      ...p,
      field: context === 'body' || !context ? p.field || 'body' : p.field || context,
    }));
    return validationError(problems);
  }
  const mapped = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (mapped) return new AppError(...mapped);
  if (error instanceof ForbiddenKeyError) return new AppError(400, 'forbidden_key', error.message);
  if (error instanceof SyntaxError) return new AppError(400, 'invalid_json', 'The body is not valid JSON');
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new AppError(status, 'bad_request', error.message);
  return undefined;
}
