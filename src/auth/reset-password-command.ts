// `npm run reset-password -- EMAIL`: prints a one-time link that sets the account's password (for
// an operator on the server, e.g. when the first owner's password is lost or no email is set up).
// While the server runs on embedded PGlite, which allows one process per data folder, the link is
// issued by the server through its operator route (DATA_DIR/operator.json); otherwise this opens
// the database itself. Links start with PUBLIC_URL, or http://localhost:<port>.
import { existsSync } from 'node:fs';
import { exitWith, loadConfigOrExit } from '../config/load-or-exit.ts';
import { openDatabase } from '../db/database.ts';
import { passwordResetLink } from '../http/links.ts';
import { type OperatorFile, readOperatorFile } from '../http/operator.ts';
import { codedCause } from '../shared/error-cause.ts';
import { issuePasswordReset } from './password-reset.ts';

interface Issued {
  email: string;
  link: string;
  expiresAt: string;
}

function print(issued: Issued): void {
  console.log(`One-time link to set the password of ${issued.email} (until ${issued.expiresAt}):`);
  console.log(issued.link);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server's answer; undefined when no server is there any more (a stale file). */
async function askServer(operator: OperatorFile, email: string): Promise<Issued | undefined> {
  let res: Response;
  try {
    res = await fetch(`${operator.url}/operator/password-reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    // Only a server that is gone leaves the database to this process.
    if (codedCause(error)?.code === 'ECONNREFUSED' && !isAlive(operator.pid)) return undefined;
    exitWith(
      `The server (pid ${operator.pid}) does not answer at ${operator.url}; try again once it has started or stopped`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as Partial<Issued> & { message?: string };
  if (res.status === 200) return body as Issued;
  exitWith(body.message ?? `The server refused (HTTP ${res.status})`);
}

const email = process.argv[2]?.trim();
if (!email || process.argv.length > 3) exitWith('Usage: npm run reset-password -- EMAIL');

const config = loadConfigOrExit();

const operator = config.databaseUrl ? undefined : await readOperatorFile(config.dataDir);
const fromServer = operator ? await askServer(operator, email) : undefined;
if (fromServer) {
  print(fromServer);
} else {
  if (!config.databaseUrl && !existsSync(config.dataDir)) {
    exitWith(
      `There is no database in ${config.dataDir} (DATA_DIR); set DATA_DIR or DATABASE_URL to the server's`,
    );
  }
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
  );
  let issued: Awaited<ReturnType<typeof issuePasswordReset>>;
  try {
    await database.migrate();
    issued = await issuePasswordReset(database.db, email, config.passwordResetTtlMinutes);
  } finally {
    await database.close();
  }
  if (!issued) exitWith(`No user has the email ${email}`);
  print({
    email: issued.user.email,
    link: passwordResetLink(config.publicUrl ?? `http://localhost:${config.port}`, issued.token),
    expiresAt: issued.expiresAt.toISOString(),
  });
}
