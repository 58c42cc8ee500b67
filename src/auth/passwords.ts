// Passwords are hashed with argon2id (OWASP's first choice) via @node-rs/argon2.
import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's default algorithm is argon2id; these are OWASP's minimum costs for it. */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verified against when the email is unknown, so both failures take the same time. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword('switchboard-decoy-password');
  return decoyHash;
}
