// Envelope encryption for secrets at rest (provider API keys). Each value gets a data key of its own,
// wrapped by a master key; the sealed string names that master key, so rotating SECRETS_KEY only
// re-wraps data keys and never re-encrypts the values themselves.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A master key problem the operator must fix; its message is one line, safe to print as is. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

export interface MasterKeys {
  current: Buffer;
  previous?: Buffer | undefined;
}

export const MASTER_KEY_BYTES = 32;

// AES-256-GCM: 32-byte keys, 12-byte IVs (the size GCM is built for), full 16-byte tags.
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 'v1';
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/** A short, stable name for a master key; a hash prefix, so it reveals nothing of the key. */
export function keyIdOf(masterKey: Buffer): string {
  return createHash('sha256')
    .update('switchboard secrets master key id\0')
    .update(masterKey)
    .digest('hex')
    .slice(0, 16);
}

/** The key in `text` (base64 or base64url of exactly 32 bytes), or undefined when it is not one. */
export function decodeMasterKey(text: string): Buffer | undefined {
  // Buffer.from skips characters it does not know, so the shape is checked before decoding.
  if (!/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

interface SealedParts {
  keyId: string;
  wrapIv: Buffer;
  wrappedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
}

export class SecretBox {
  readonly currentKeyId: string;
  private readonly currentKey: Buffer;
  private readonly keysById = new Map<string, Buffer>();

  constructor(keys: MasterKeys) {
    this.currentKey = this.addKey('SECRETS_KEY', keys.current);
    this.currentKeyId = keyIdOf(this.currentKey);
    if (keys.previous !== undefined) this.addKey('SECRETS_KEY_PREVIOUS', keys.previous);
  }

  /**
   * Encrypts `plaintext` under a fresh data key and wraps that key with the current master key.
   * `context` (e.g. the connection id) is authenticated too, so a value copied to another row does not open.
   */
  seal(plaintext: string, context: string): string {
    const dataKey = randomBytes(MASTER_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const ciphertext = encrypt(dataKey, iv, Buffer.from(plaintext, 'utf8'), dataAad(context));
    return format({ ...this.wrap(dataKey, context), iv, ciphertext });
  }

  /** The plaintext; throws SecretsKeyError when the master key is missing or the value does not authenticate. */
  open(sealed: string, context: string): string {
    const parts = parse(sealed);
    const dataKey = this.unwrap(parts, context);
    return decrypt(dataKey, parts.iv, parts.ciphertext, dataAad(context)).toString('utf8');
  }

  /** The same value with its data key wrapped by the current master key; the data ciphertext is kept. */
  rewrap(sealed: string, context: string): string {
    const parts = parse(sealed);
    if (parts.keyId === this.currentKeyId) return sealed;
    const dataKey = this.unwrap(parts, context);
    return format({ ...parts, ...this.wrap(dataKey, context) });
  }

  keyIdOfSealed(sealed: string): string {
    return parse(sealed).keyId;
  }

  /** True when this box holds the master key that `sealed` names. */
  canOpen(sealed: string): boolean {
    return this.keysById.has(parse(sealed).keyId);
  }

  private addKey(variable: string, key: Buffer): Buffer {
    if (key.length !== MASTER_KEY_BYTES) {
      throw new SecretsKeyError(`${variable} must be ${MASTER_KEY_BYTES} bytes, got ${key.length}`);
    }
    // A copy, so a caller reusing its buffer cannot change the key under us.
    const copy = Buffer.from(key);
    this.keysById.set(keyIdOf(copy), copy);
    return copy;
  }

  private wrap(dataKey: Buffer, context: string): Pick<SealedParts, 'keyId' | 'wrapIv' | 'wrappedKey'> {
    const wrapIv = randomBytes(IV_BYTES);
    const wrappedKey = encrypt(this.currentKey, wrapIv, dataKey, wrapAad(context));
    return { keyId: this.currentKeyId, wrapIv, wrappedKey };
  }

  private unwrap(parts: SealedParts, context: string): Buffer {
    const masterKey = this.keysById.get(parts.keyId);
    if (masterKey === undefined) {
      throw new SecretsKeyError(
        `stored secret was sealed under master key ${parts.keyId}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`,
      );
    }
    return decrypt(masterKey, parts.wrapIv, parts.wrappedKey, wrapAad(context));
  }
}

// Distinct labels keep a wrapped key and a data ciphertext from standing in for each other.
const wrapAad = (context: string) => Buffer.from(`wrap\0${context}`, 'utf8');
const dataAad = (context: string) => Buffer.from(`data\0${context}`, 'utf8');

/** Ciphertext with its tag appended. */
function encrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SecretsKeyError('stored secret does not open: it was altered or belongs to another record');
  }
}

function format(parts: SealedParts): string {
  const { keyId, wrapIv, wrappedKey, iv, ciphertext } = parts;
  return [
    FORMAT_VERSION,
    keyId,
    ...[wrapIv, wrappedKey, iv, ciphertext].map((b) => b.toString('base64url')),
  ].join('.');
}

function parse(sealed: string): SealedParts {
  const [version, keyId, ...encoded] = sealed.split('.');
  const bytes = encoded.map(decodeBase64url);
  const [wrapIv, wrappedKey, iv, ciphertext] = bytes;
  if (
    version !== FORMAT_VERSION ||
    keyId === undefined ||
    !KEY_ID_PATTERN.test(keyId) ||
    bytes.length !== 4 ||
    wrapIv?.length !== IV_BYTES ||
    wrappedKey?.length !== MASTER_KEY_BYTES + TAG_BYTES ||
    iv?.length !== IV_BYTES ||
    ciphertext === undefined ||
    ciphertext.length < TAG_BYTES
  ) {
    throw new SecretsKeyError('stored secret is malformed');
  }
  return { keyId, wrapIv, wrappedKey, iv, ciphertext };
}

/** Strict: Buffer.from alone would skip unknown characters and ignore spare trailing bits. */
function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
