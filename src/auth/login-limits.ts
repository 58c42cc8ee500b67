// Failed sign-ins counted in the database, so the limits hold across servers and restarts: one
// budget per client address (IPv6 grouped by /64, as one host usually holds a whole /64) and one
// per email. Each key has its own row, so trying many other emails flushes nothing; a success
// clears its email's count. Windows run on the database's clock, one clock for every server.

import { isIPv6 } from 'node:net';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { loginFailures } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './user-repository.ts';

export interface LoginLimitOptions {
  perAddress: number;
  perEmail: number;
  windowMs: number;
}

/** One failure in this many also sweeps out rows whose window has ended. */
const SWEEP_EVERY = 100;

export class LoginLimits {
  private failuresSinceSweep = 0;

  constructor(
    private readonly db: Database,
    private readonly options: LoginLimitOptions,
  ) {}

  /** A 429 with Retry-After when either budget is spent. */
  async assertAllowed(address: string, email: string, what = 'sign-in attempts'): Promise<void> {
    const limits = this.limitsFor(address, email);
    const result = await this.db.execute(sql`
      select key, failures,
        ceil(extract(epoch from (window_started_at + make_interval(secs => ${this.windowSeconds}) - now()))) as remaining
      from ${loginFailures}
      where key in (${sql.join(
        limits.map(([key]) => sql`${key}`),
        sql`, `,
      )})
        and window_started_at > now() - make_interval(secs => ${this.windowSeconds})`);
    const rows = (result as unknown as { rows: Array<{ key: string; failures: number; remaining: string }> })
      .rows;
    for (const row of rows) {
      const max = limits.find(([key]) => key === row.key)?.[1] ?? Number.POSITIVE_INFINITY;
      if (row.failures < max) continue;
      const seconds = Math.max(1, Number(row.remaining));
      throw new AppError(429, 'rate_limited', `Too many ${what}; try again in ${seconds} s`, undefined, {
        'retry-after': String(seconds),
      });
    }
  }

  /** Counts a failure against both budgets, starting a new window where the last one ended. */
  async recordFailure(address: string, email: string): Promise<void> {
    const window = sql`make_interval(secs => ${this.windowSeconds})`;
    await this.db
      .insert(loginFailures)
      .values(
        this.limitsFor(address, email).map(([key]) => ({ key, windowStartedAt: sql`now()`, failures: 1 })),
      )
      .onConflictDoUpdate({
        target: loginFailures.key,
        set: {
          failures: sql`case when ${loginFailures.windowStartedAt} > now() - ${window} then ${loginFailures.failures} + 1 else 1 end`,
          windowStartedAt: sql`case when ${loginFailures.windowStartedAt} > now() - ${window} then ${loginFailures.windowStartedAt} else now() end`,
        },
      });
    if (++this.failuresSinceSweep >= SWEEP_EVERY) {
      this.failuresSinceSweep = 0;
      await this.db.delete(loginFailures).where(sql`${loginFailures.windowStartedAt} <= now() - ${window}`);
    }
  }

  /** A success: the email's count starts over (the address's does not, so guessing goes on counting). */
  async clearEmail(email: string): Promise<void> {
    await this.db.delete(loginFailures).where(inArray(loginFailures.key, [emailKey(email)]));
  }

  private get windowSeconds(): number {
    return this.options.windowMs / 1000;
  }

  private limitsFor(address: string, email: string): Array<[string, number]> {
    return [
      [addressKey(address), this.options.perAddress],
      [emailKey(email), this.options.perEmail],
    ];
  }
}

const emailKey = (email: string) => `email:${normalizeEmail(email)}`;

/** `address:<IPv4>`, or `address:<first four groups>::/64` for IPv6 (IPv4-mapped ones as IPv4). */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `address:${mapped[1]}`;
  if (!isIPv6(ip)) return `address:${ip}`;
  return `address:${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros, `::` expanded. */
function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('%')[0]?.split('::') ?? [''];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array(missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
