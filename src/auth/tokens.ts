// Session tokens, link tokens and API key secrets: 256 random bits from node:crypto; only their
// SHA-256 is stored.
import { hash, randomBytes } from 'node:crypto';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Runs on every request; the one-shot `hash` is several times faster than `createHash` for this. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Invitation and password-reset links: the same 256 random bits; each works once. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Organization API keys: `sb_` and 256 random bits, so a leaked one is easy to recognise. */
export const API_KEY_PREFIX = 'sb_';

export function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}
