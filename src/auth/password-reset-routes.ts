// Thin routes for password reset by email. The token arrives in a path; the log masks it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { linkOrigin, redirectBrowserToPage } from '../http/links.ts';
import { errorResponse, errors, jsonResponse, PUBLIC } from '../http/schemas.ts';
import type { PasswordResetService } from './password-reset.ts';

/**
 * Reset emails per client address and per email address in a window. Kept in this process's
 * memory (unlike sign-in's limits, which are in the database): a restart or another server starts
 * a fresh budget, which only lets a few more emails through.
 */
export const RESET_LIMITS = { perAddress: 20, perEmail: 5, windowMs: 3_600_000 };

const tags = ['Auth'];

const ResetRequestBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320, description: 'The account’s email.' }) },
  { additionalProperties: false },
);
const ResetRequested = Type.Object(
  { message: Type.String() },
  { description: 'The same answer whether or not the email has an account.' },
);
const ResetBody = Type.Object(
  { password: Type.String({ minLength: 8, maxLength: 1024, description: 'The new password.' }) },
  { additionalProperties: false },
);
const TokenParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token from the reset link.' }),
});

export const passwordResetRoutes: FastifyPluginAsyncTypebox<{
  passwordResets: PasswordResetService;
  config: Pick<Config, 'publicUrl'>;
}> = async (app, { passwordResets, config }) => {
  const emailOf = (r: FastifyRequest) =>
    String((r.body as { email?: unknown } | undefined)?.email ?? '')
      .trim()
      .toLowerCase();
  const budgets = [
    app.createRateLimit({
      max: RESET_LIMITS.perAddress,
      timeWindow: RESET_LIMITS.windowMs,
      keyGenerator: (r) => `reset-address:${r.ip}`,
    }),
    app.createRateLimit({
      max: RESET_LIMITS.perEmail,
      timeWindow: RESET_LIMITS.windowMs,
      keyGenerator: (r) => `reset-email:${emailOf(r)}`,
    }),
  ];
  const resetRateLimit = async (request: FastifyRequest) => {
    for (const budget of budgets) {
      const result = await budget(request);
      if (!result.isAllowed && result.isExceeded) {
        throw new AppError(
          429,
          'rate_limited',
          `Too many password reset requests; try again in ${result.ttlInSeconds} s`,
          undefined,
          { 'retry-after': String(result.ttlInSeconds) },
        );
      }
    }
  };

  app.post(
    '/auth/password-reset',
    {
      preValidation: resetRateLimit,
      schema: {
        tags,
        summary: 'Email me a link to reset my password',
        description:
          'When the email has an account, a one-time link (`/reset-password/<token>`, valid for `PASSWORD_RESET_TTL_MINUTES`) is emailed to it. The answer is the same either way. Needs email set up (`SMTP_URL`, `MAIL_FROM`); without it the operator issues links with `npm run reset-password -- EMAIL`. Links start with `PUBLIC_URL` when it is set, else with the address this request was sent to.',
        security: PUBLIC,
        body: ResetRequestBody,
        response: {
          202: jsonResponse('Accepted: if the email has an account, a link is on its way.', ResetRequested),
          ...errors(400),
          404: errorResponse(404, 'This server sends no email (`code: mail_not_configured`).'),
          ...errors(429),
        },
      },
    },
    async (request, reply) => {
      await passwordResets.requestByEmail(request.body.email, linkOrigin(config.publicUrl, request));
      return reply.code(202).send({
        message: 'If an account has this email, a link to reset its password is on its way',
      });
    },
  );

  app.post(
    '/auth/password-reset/:token',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset link',
        description: 'The link works once. Every session of the account ends; sign in with the new password.',
        security: PUBLIC,
        params: TokenParams,
        body: ResetBody,
        response: {
          204: Type.Null(),
          ...errors(400, 404),
          410: errorResponse(
            410,
            'The link was used, replaced by a newer one, or has expired (`code: password_reset_gone`).',
          ),
        },
      },
    },
    async (request, reply) => {
      await passwordResets.complete(request.params.token, request.body.password, request.id);
      return reply.code(204).send(null);
    },
  );

  // The emailed link is a page: the dashboard's, under the URL hash.
  app.get(
    '/reset-password/:token',
    { schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      if (redirectBrowserToPage(request, reply, `/reset-password/${request.params.token}`)) return reply;
      throw new AppError(
        404,
        'not_found',
        'Open this link in a browser; the API for it is POST /auth/password-reset/{token}',
      );
    },
  );
};
