import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKeys } from '../../src/secrets/master-keys.ts';
import { keyIdOf, SecretBox, SecretsKeyError } from '../../src/secrets/secret-box.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const API_KEY = 'sk-live-0123456789abcdef';
const CONTEXT = 'connection-1';

/** Every way `fn` can fail must be a SecretsKeyError with a one-line message. */
function secretsKeyErrorOf(fn: () => unknown): SecretsKeyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretsKeyError);
    const message = (error as SecretsKeyError).message;
    expect(message).not.toContain('\n');
    return error as SecretsKeyError;
  }
  throw new Error('expected a SecretsKeyError, but nothing was thrown');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `sealed` with the lowest bit of one character of field `index` flipped (0 is the version). */
function flipBit(sealed: string, index: number, position: 'first' | 'last'): string {
  const fields = sealed.split('.');
  const field = fields[index] as string;
  const at = position === 'first' ? 0 : field.length - 1;
  const flipped = BASE64URL[BASE64URL.indexOf(field.charAt(at)) ^ 1] ?? '';
  fields[index] = field.slice(0, at) + flipped + field.slice(at + 1);
  return fields.join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox({ current: newKey });

  it('opens what it sealed', () => {
    expect(box.open(box.seal(API_KEY, CONTEXT), CONTEXT)).toBe(API_KEY);
  });

  it('seals the same plaintext differently each time', () => {
    expect(box.seal(API_KEY, CONTEXT)).not.toBe(box.seal(API_KEY, CONTEXT));
  });

  it('shows neither the plaintext nor its base64 in the sealed value', () => {
    const sealed = box.seal(API_KEY, CONTEXT);
    for (const leak of [
      API_KEY,
      Buffer.from(API_KEY).toString('base64'),
      Buffer.from(API_KEY).toString('base64url'),
    ]) {
      expect(sealed).not.toContain(leak);
    }
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}(\.[A-Za-z0-9_-]+){4}$/);
  });

  it('names its master key by a fingerprint that does not reveal it', () => {
    const sealed = box.seal(API_KEY, CONTEXT);
    expect(box.keyIdOfSealed(sealed)).toBe(keyIdOf(newKey));
    expect(box.currentKeyId).toBe(keyIdOf(newKey));
    expect(keyIdOf(newKey)).not.toBe(keyIdOf(oldKey));
    expect(newKey.toString('hex')).not.toContain(keyIdOf(newKey));
  });

  it('does not open under another context (a value moved to another row)', () => {
    const sealed = box.seal(API_KEY, CONTEXT);
    secretsKeyErrorOf(() => box.open(sealed, 'connection-2'));
  });

  it.each([
    ['the key id', 1, 'which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS'],
    ['the wrap IV', 2, 'does not open'],
    ['the wrapped data key', 3, 'does not open'],
    ['the IV', 4, 'does not open'],
    ['the ciphertext', 5, 'does not open'],
  ])('does not open when %s is altered', (_, index, reason) => {
    const sealed = box.seal(API_KEY, CONTEXT);
    // The first character carries only real bits, so this changes the bytes, not just their spelling.
    const altered = flipBit(sealed, index, 'first');
    expect(secretsKeyErrorOf(() => box.open(altered, CONTEXT)).message).toContain(reason);
  });

  it.each([
    ['an unknown version', (s: string) => s.replace(/^v1\./, 'v2.')],
    ['a missing field', (s: string) => s.split('.').slice(0, 5).join('.')],
    ['an extra field', (s: string) => `${s}.AAAA`],
    ['a character outside base64url', (s: string) => `${s.slice(0, -1)}+`],
    // 40 bytes of ciphertext and tag are 54 characters, the last carrying 4 unused bits.
    ['unused bits set in base64url', (s: string) => flipBit(s, 5, 'last')],
    ['an empty string', () => ''],
  ])('refuses %s as malformed', (_, mangle) => {
    const sealed = mangle(box.seal(API_KEY, CONTEXT));
    expect(secretsKeyErrorOf(() => box.open(sealed, CONTEXT)).message).toBe('stored secret is malformed');
  });

  it('rotates: a value sealed under the previous key opens, rewraps to the new key, then needs only it', () => {
    const sealedOld = new SecretBox({ current: oldKey }).seal(API_KEY, CONTEXT);
    const rotating = new SecretBox({ current: newKey, previous: oldKey });
    expect(rotating.canOpen(sealedOld)).toBe(true);
    expect(rotating.open(sealedOld, CONTEXT)).toBe(API_KEY);

    const rewrapped = rotating.rewrap(sealedOld, CONTEXT);
    expect(rotating.keyIdOfSealed(rewrapped)).toBe(keyIdOf(newKey));
    // Only the wrapping changes; the data ciphertext is kept as it was.
    expect(rewrapped.split('.').slice(4)).toEqual(sealedOld.split('.').slice(4));
    expect(rotating.rewrap(rewrapped, CONTEXT)).toBe(rewrapped);

    const afterRotation = new SecretBox({ current: newKey });
    expect(afterRotation.canOpen(sealedOld)).toBe(false);
    expect(afterRotation.open(rewrapped, CONTEXT)).toBe(API_KEY);
  });

  it('says in one line which master key it lacks', () => {
    const sealedOld = new SecretBox({ current: oldKey }).seal(API_KEY, CONTEXT);
    const error = secretsKeyErrorOf(() => box.open(sealedOld, CONTEXT));
    expect(error.name).toBe('SecretsKeyError');
    expect(error.message).toBe(
      `stored secret was sealed under master key ${keyIdOf(oldKey)}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`,
    );
    secretsKeyErrorOf(() => box.rewrap(sealedOld, CONTEXT));
  });

  it.each([
    ['a short current key', { current: randomBytes(16) }],
    ['a long current key', { current: randomBytes(33) }],
    ['a short previous key', { current: newKey, previous: randomBytes(31) }],
  ])('refuses %s', (_, keys) => {
    secretsKeyErrorOf(() => new SecretBox(keys));
  });

  it('round-trips any unicode plaintext under any context', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (plaintext, context) => {
        expect(box.open(box.seal(plaintext, context), context)).toBe(plaintext);
      }),
    );
  });
});

describe('loadMasterKeys', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'switchboard-secrets-')), 'data');
  });
  afterEach(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  const unset = { secretsKey: undefined, secretsKeyPrevious: undefined };

  it('uses SECRETS_KEY and SECRETS_KEY_PREVIOUS when set, creating no file', async () => {
    const loaded = await loadMasterKeys({
      ...unset,
      secretsKey: newKey,
      secretsKeyPrevious: oldKey,
      dataDir,
    });
    expect(loaded).toEqual({ keys: { current: newKey, previous: oldKey } });
    await expect(stat(dataDir)).rejects.toThrow();
  });

  it('creates DATA_DIR/secrets.key once, readable by the owner only, and reuses it', async () => {
    const first = await loadMasterKeys({ ...unset, dataDir });
    const file = join(dataDir, 'secrets.key');
    expect(first.generatedFile).toBe(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await readFile(file, 'utf8'), 'base64')).toEqual(first.keys.current);

    const second = await loadMasterKeys({ ...unset, dataDir });
    expect(second.generatedFile).toBeUndefined();
    expect(second.keys.current).toEqual(first.keys.current);
  });

  it('refuses a key file that does not hold a key, naming the file', async () => {
    await loadMasterKeys({ ...unset, dataDir });
    const file = join(dataDir, 'secrets.key');
    await writeFile(file, 'not a key\n');
    const failure = loadMasterKeys({ ...unset, dataDir });
    await expect(failure).rejects.toBeInstanceOf(SecretsKeyError);
    await expect(failure).rejects.toThrow(file);
  });
});
