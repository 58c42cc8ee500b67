// The `auth-token` session cookie, set the one way every sign-in sets it.
import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.ts';
import { SESSION_COOKIE } from '../http/authenticate.ts';

export type SessionCookieConfig = Pick<Config, 'cookieSecure' | 'sessionTtlHours'>;

export function setSessionCookie(reply: FastifyReply, token: string, config: SessionCookieConfig): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.cookieSecure,
    maxAge: config.sessionTtlHours * 3600,
  });
}
