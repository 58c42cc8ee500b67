// The operator's door into a running server, for `npm run reset-password` (embedded PGlite allows
// one process per data folder, so the command cannot open the database while the server runs).
// The server writes DATA_DIR/operator.json (mode 0600: its loopback URL, a fresh random token, its pid)
// and removes it when it stops; the route answers only that token, from this machine, and is left
// out of the OpenAPI document.
import { hash, timingSafeEqual } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { PasswordResetService } from '../auth/password-reset.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { bearerToken } from './authenticate.ts';

export const OPERATOR_FILE = 'operator.json';

export interface OperatorFile {
  readonly url: string;
  readonly token: string;
  /** The server's process: while it lives, the database is the server's alone. */
  readonly pid: number;
}

export interface OperatorAccess {
  /** The token in operator.json. */
  readonly token: string;
  /** Where links issued here point (PUBLIC_URL, or this server on localhost). */
  readonly origin: () => string;
}

const sha256 = (value: string) => hash('sha256', value, 'buffer');

/** A connection from this machine, not relayed by a proxy on it. */
function fromThisMachine(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? '';
  const loopback = address === '::1' || /^(::ffff:)?127\./.test(address);
  return loopback && !request.headers['x-forwarded-for'] && !request.headers.forwarded;
}

export const operatorRoutes: FastifyPluginAsyncTypebox<
  OperatorAccess & { passwordResets: PasswordResetService }
> = async (app, { token, origin, passwordResets }) => {
  const expected = sha256(token);
  app.post(
    '/operator/password-reset',
    {
      schema: {
        hide: true,
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 320 }) },
          { additionalProperties: false },
        ),
      },
      preValidation: async (request) => {
        if (!fromThisMachine(request)) throw forbidden('The operator route answers only on this machine');
        const presented = bearerToken(request);
        if (!presented || !timingSafeEqual(sha256(presented), expected)) {
          throw unauthorized('Not the operator token of this server');
        }
      },
    },
    async (request) => {
      const issued = await passwordResets.issueLink(request.body.email, origin());
      request.log.info({ email: issued.email }, 'operator issued a password reset link');
      return { email: issued.email, link: issued.link, expiresAt: issued.expiresAt.toISOString() };
    },
  );
};

/** Written atomically, readable by this user only. */
export async function writeOperatorFile(dataDir: string, file: OperatorFile): Promise<void> {
  const path = join(dataDir, OPERATOR_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

export async function readOperatorFile(dataDir: string): Promise<OperatorFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, OPERATOR_FILE), 'utf8')) as Partial<OperatorFile>;
    return typeof parsed.url === 'string' &&
      typeof parsed.token === 'string' &&
      typeof parsed.pid === 'number'
      ? { url: parsed.url, token: parsed.token, pid: parsed.pid }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it is still this server's (another may have started on the folder since). */
export async function removeOperatorFile(dataDir: string, token: string): Promise<void> {
  if ((await readOperatorFile(dataDir))?.token === token)
    await rm(join(dataDir, OPERATOR_FILE), { force: true });
}

/** How a process on this machine reaches a server listening on `address`. */
export function loopbackUrl(address: { address: string; family: string; port: number }): string {
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '[::1]'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
  return `http://${host}:${address.port}`;
}
