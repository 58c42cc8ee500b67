// SQL for password reset links. Tokens never reach this file, only their hashes.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { passwordResets } from '../db/schema.ts';

export type PasswordResetRow = typeof passwordResets.$inferSelect;

export class PasswordResetRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new link for the user; the ones issued before it stop working. */
  async replace(
    userId: string,
    tokenHash: string,
    ttlMinutes: number,
    db: Database,
  ): Promise<PasswordResetRow> {
    await db
      .update(passwordResets)
      .set({ usedAt: sql`now()` })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
    const [row] = await db
      .insert(passwordResets)
      .values({ userId, tokenHash, expiresAt: sql`now() + make_interval(mins => ${ttlMinutes})` })
      .returning();
    if (!row) throw new Error('insert returned no password reset');
    return row;
  }

  async find(tokenHash: string): Promise<PasswordResetRow | undefined> {
    const [row] = await this.db
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.tokenHash, tokenHash))
      .limit(1);
    return row;
  }

  /** Uses the link once: false when it was already used or has expired (by the database's clock). */
  async use(tokenHash: string, db: Database): Promise<boolean> {
    const rows = await db
      .update(passwordResets)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(passwordResets.tokenHash, tokenHash),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, sql`now()`),
        ),
      )
      .returning({ tokenHash: passwordResets.tokenHash });
    return rows.length > 0;
  }
}
