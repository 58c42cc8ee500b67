// Session tokens and API key secrets: 256 random bits from node:crypto; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Organization API keys: `sb_` and 256 random bits, so a leaked one is easy to recognise. */
export const API_KEY_PREFIX = 'sb_';

export function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}
