import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { type UserRow, users } from '../db/schema.ts';

/** Emails compare case-insensitively: they are stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserRepository {
  constructor(private readonly db: Database) {}

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(eq(users.email, normalizeEmail(email)))
      .limit(1);
    return row;
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  async create(
    input: { email: string; name: string; passwordHash: string },
    db: Database = this.db,
  ): Promise<UserRow> {
    const [row] = await db
      .insert(users)
      .values({ ...input, email: normalizeEmail(input.email) })
      .returning();
    if (!row) throw new Error('insert returned no user');
    return row;
  }

  async setPasswordHash(userId: string, passwordHash: string, db: Database = this.db): Promise<void> {
    await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  }

  async hasAnyUser(db: Database = this.db): Promise<boolean> {
    const rows = await db.select({ id: users.id }).from(users).limit(1);
    return rows.length > 0;
  }
}
