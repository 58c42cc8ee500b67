// Environment → typed, frozen configuration. Every bad setting is reported on a line of its own
// naming the variable, so a misconfigured start says exactly what to fix.
import { decodeMasterKey } from '../secrets/secret-box.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly nodeEnv: string;
  /** A real PostgreSQL server; absent means embedded PGlite under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Absent means the bundled Vapi emulator runs in-process. */
  readonly vapiApiKey: string | undefined;
  readonly vapiBaseUrl: string;
  readonly providerTimeoutMs: number;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly adminOrg: string;
  readonly cookieSecure: boolean;
  readonly sessionTtlHours: number;
  readonly allowedOrigins: readonly string[];
  readonly updateWaitMs: number;
  /** 0 turns the reconciler off. */
  readonly syncIntervalMs: number;
  readonly syncMaxCallsPerSecond: number;
  readonly loginRateLimit: {
    readonly perAddress: number;
    readonly perEmail: number;
    readonly windowMs: number;
  };
  /** Master key that wraps the data keys of stored secrets; absent means DATA_DIR/secrets.key (never in production). */
  readonly secretsKey: Buffer | undefined;
  /** The master key before the last rotation, still read until `npm run rotate-secrets` has run. */
  readonly secretsKeyPrevious: Buffer | undefined;
  /** Whether every new organization gets a "Sandbox" connection. */
  readonly sandbox: boolean;
  /** Fastify's `trustProxy`: off, a hop count, or the proxies' addresses/CIDRs. */
  readonly trustProxy: boolean | number | string[];
  /** Outgoing mail (invitations, password resets); both set or neither. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string | undefined;
  readonly invitationTtlHours: number;
  readonly passwordResetTtlMinutes: number;
  /** Where people reach the dashboard, for links made outside a request (the reset-password command). */
  readonly publicUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const nodeEnv = read.string('NODE_ENV', 'development');
  const databaseUrl = read.optional('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const vapiBaseUrl = read.string('VAPI_BASE_URL', 'https://api.vapi.ai');
  if (!isHttpUrl(vapiBaseUrl)) problems.push(`VAPI_BASE_URL must be an http(s) URL, got "${vapiBaseUrl}"`);
  const adminEmail = read.optional('ADMIN_EMAIL');
  const adminPassword = read.optional('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminEmail !== undefined && !adminEmail.includes('@'))
    problems.push('ADMIN_EMAIL must be an email address');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    problems.push('ADMIN_PASSWORD must be at least 8 characters');
  }
  const logLevel = read.string('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const allowedOrigins = (read.optional('ALLOWED_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    if (!isHttpUrl(origin)) problems.push(`ALLOWED_ORIGINS must list http(s) origins, got "${origin}"`);
  }

  const secretsKey = read.masterKey('SECRETS_KEY');
  if (nodeEnv === 'production' && read.optional('SECRETS_KEY') === undefined) {
    problems.push('SECRETS_KEY must be set when NODE_ENV=production (32 random bytes in base64)');
  }

  const smtpUrl = read.optional('SMTP_URL');
  const mailFrom = read.optional('MAIL_FROM');
  if ((smtpUrl === undefined) !== (mailFrom === undefined))
    problems.push('SMTP_URL and MAIL_FROM must be set together');
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl))
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  if (mailFrom !== undefined && !mailFrom.includes('@')) problems.push('MAIL_FROM must be an email address');
  const publicUrl = read.optional('PUBLIC_URL')?.replace(/\/+$/, '');
  if (publicUrl !== undefined && !isHttpUrl(publicUrl))
    problems.push(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);

  const config: Config = {
    port: read.integer('PORT', 3000, 0, 65535),
    host: read.string('HOST', '0.0.0.0'),
    logLevel,
    nodeEnv,
    databaseUrl,
    dataDir: read.string('DATA_DIR', './.data'),
    vapiApiKey: read.optional('VAPI_API_KEY'),
    vapiBaseUrl,
    providerTimeoutMs: read.integer('PROVIDER_TIMEOUT_MS', 10_000, 100, 120_000),
    adminEmail,
    adminPassword,
    adminOrg: read.string('ADMIN_ORG', 'Default'),
    cookieSecure: read.boolean('COOKIE_SECURE', nodeEnv === 'production'),
    sessionTtlHours: read.integer('SESSION_TTL_HOURS', 168, 1, 24 * 365),
    allowedOrigins,
    updateWaitMs: read.integer('UPDATE_WAIT_MS', 15_000, 0, 120_000),
    syncIntervalMs: read.integer('SYNC_INTERVAL_SECONDS', 300, 0, 86_400) * 1000,
    syncMaxCallsPerSecond: read.integer('SYNC_MAX_CALLS_PER_SECOND', 5, 1, 1000),
    loginRateLimit: {
      perAddress: read.integer('LOGIN_RATE_LIMIT_PER_ADDRESS', 30, 1, 1_000_000),
      perEmail: read.integer('LOGIN_RATE_LIMIT_PER_EMAIL', 10, 1, 1_000_000),
      windowMs: read.integer('LOGIN_RATE_LIMIT_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
    },
    secretsKey,
    secretsKeyPrevious: read.masterKey('SECRETS_KEY_PREVIOUS'),
    sandbox: read.boolean('SANDBOX', true),
    trustProxy: parseTrustProxy(read.optional('TRUST_PROXY'), problems),
    smtpUrl,
    mailFrom,
    invitationTtlHours: read.integer('INVITATION_TTL_HOURS', 168, 1, 24 * 90),
    passwordResetTtlMinutes: read.integer('PASSWORD_RESET_TTL_MINUTES', 60, 5, 24 * 60),
    publicUrl,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** `true`/`false`, a hop count, or comma-separated proxy addresses and CIDRs, as Fastify takes them. */
function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined) return false;
  const lower = raw.toLowerCase();
  if (['true', 'on', 'yes'].includes(lower)) return true;
  if (['false', 'off', 'no', '0'].includes(lower)) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (
    entries.length === 0 ||
    entries.some((entry) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/.test(entry))
  ) {
    problems.push(`TRUST_PROXY must be true, false, a hop count, or proxy addresses/CIDRs, got "${raw}"`);
    return false;
  }
  return entries;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  /** A 32-byte key in base64; the problem line never echoes the value, which is a secret. */
  masterKey(name: string): Buffer | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const key = decodeMasterKey(raw);
    if (key === undefined) {
      this.problems.push(`${name} must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
    }
    return key;
  }
}
