// Organization API keys: created and revoked by admins, never more powerful than their creator,
// shown once and stored only as a hash.
import { type AuditLog, auditEvent, writeAudit } from '../audit/audit-log.ts';
import type { UserCaller } from '../auth/actor.ts';
import { API_KEY_PREFIX, hashToken, newApiKeySecret } from '../auth/tokens.ts';
import type { Caches } from '../db/caches.ts';
import { type Database, inTransaction } from '../db/database.ts';
import type { ApiKeyRow } from '../db/schema.ts';
import { forbidden, notFound } from '../errors.ts';
import { assertMayGrant, assertMayManage, type OrgService } from '../orgs/org-service.ts';
import { type Role, roleAtLeast } from '../orgs/roles.ts';
import { type ApiKeyContext, ApiKeyRepository } from './api-key-repository.ts';

/** How much of the secret is kept to tell keys apart: the prefix and 8 of its 43 random characters. */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export class ApiKeyService {
  constructor(
    private readonly db: Database,
    private readonly keys: ApiKeyRepository,
    private readonly orgs: OrgService,
    private readonly audit: AuditLog,
    private readonly caches: Caches,
  ) {}

  /** Creates a key; the secret is in this answer and nowhere else, ever. */
  async create(
    caller: UserCaller,
    orgId: string,
    input: { name: string; role: Role },
  ): Promise<{ key: ApiKeyRow; secret: string }> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const event = auditEvent(caller, orgId, 'api_key.created', { type: 'api_key', id: null }, { ...input });
    return this.audit.attempt(event, async () => {
      const secret = newApiKeySecret();
      const key = await inTransaction(this.db, async (tx) => {
        // Decided under the organization's lock: a demotion racing this grant cannot lose.
        assertMayGrant(await this.lockedCallerRole(caller, orgId, tx), input.role);
        const key = await this.keys.insert(
          {
            orgId,
            name: input.name,
            role: input.role,
            tokenHash: hashToken(secret),
            displayPrefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
            createdBy: caller.userId,
          },
          tx,
        );
        await writeAudit(tx, { ...event, targetId: key.id });
        return key;
      });
      return { key, secret };
    });
  }

  async list(caller: UserCaller, orgId: string): Promise<ApiKeyRow[]> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    return this.keys.list(orgId);
  }

  /** Revokes at once: the next request with the key gets 401. */
  async revoke(caller: UserCaller, orgId: string, keyId: string): Promise<void> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const event = auditEvent(caller, orgId, 'api_key.revoked', { type: 'api_key', id: keyId });
    await this.audit.attempt(event, () =>
      inTransaction(this.db, async (tx) => {
        const callerRole = await this.lockedCallerRole(caller, orgId, tx);
        const key = await this.keys.findActive(orgId, keyId, tx);
        if (!key) throw notFound('API key');
        assertMayManage(callerRole, key.role as Role);
        await this.keys.revoke(key.id, tx);
        await writeAudit(tx, { ...event, detail: { name: key.name, role: key.role } });
      }),
    );
    this.caches.authChanged();
  }

  /** The caller's role with the organization locked for `tx`; an admin at least, or a 403. */
  private async lockedCallerRole(caller: UserCaller, orgId: string, tx: Database): Promise<Role> {
    const role = await this.keys.lockedRoleOf(orgId, caller.userId, tx);
    if (!role || !roleAtLeast(role, 'admin')) {
      throw forbidden(`This needs the admin role in the organization; you are ${role ?? 'not a member'}`);
    }
    return role;
  }

  /** The organization and role a presented secret grants, recording its use; undefined if none. */
  async authenticate(secret: string): Promise<ApiKeyContext | undefined> {
    if (!secret.startsWith(API_KEY_PREFIX)) return undefined;
    const tokenHash = hashToken(secret);
    const key = await this.caches.apiKeys.getOrLoad(tokenHash, () => this.keys.resolve(tokenHash));
    // The stamp is announced like any change to a key, so cached copies are dropped with it.
    if (key && ApiKeyRepository.isStale(key.lastUsedAt)) await this.keys.touch(key.keyId);
    return key;
  }
}
