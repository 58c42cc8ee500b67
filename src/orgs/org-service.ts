// Organizations and their members: who may do what, and the last-owner rule.

import type { ApiKeyRepository } from '../api-keys/api-key-repository.ts';
import { type AuditLog, auditEvent, writeAudit } from '../audit/audit-log.ts';
import type { Actor, UserCaller } from '../auth/actor.ts';
import type { ConnectionProvisioning } from '../connections/provisioning.ts';
import type { Caches } from '../db/caches.ts';
import { type Database, inTransaction } from '../db/database.ts';
import { type AppError, conflict, forbidden, notFound } from '../errors.ts';
import type { Member, OrgMembership, OrgRepository } from './org-repository.ts';
import { type Role, roleAtLeast } from './roles.ts';

export class OrgService {
  constructor(
    private readonly db: Database,
    private readonly orgs: OrgRepository,
    private readonly audit: AuditLog,
    private readonly provisioning: Pick<ConnectionProvisioning, 'provision'>,
    private readonly keys: Pick<ApiKeyRepository, 'revokeCreatedBy'>,
    /** Told when a role or membership changes, so this server's cached sessions and keys go at once. */
    private readonly caches: Pick<Caches, 'authChanged'>,
  ) {}

  listOrgs(caller: UserCaller): Promise<OrgMembership[]> {
    return this.orgs.membershipsOf(caller.userId);
  }

  /** The organization an actor acts in (a session's active one, an API key's own), for `GET /whoami`. */
  async membershipOf(actor: Actor): Promise<OrgMembership> {
    const org = await this.orgs.findById(actor.orgId);
    if (!org) throw notFound('Organization');
    return { orgId: org.id, orgName: org.name, role: actor.role };
  }

  async createOrg(caller: UserCaller, name: string): Promise<OrgMembership> {
    const org = await inTransaction(this.db, async (tx) => {
      const org = await this.orgs.createWithOwner(name, caller.userId, tx);
      await this.provisioning.provision(org.id, caller.userId, tx);
      await writeAudit(
        tx,
        auditEvent(caller, org.id, 'org.created', { type: 'organization', id: org.id }, { name }),
      );
      return org;
    });
    return { orgId: org.id, orgName: org.name, role: 'owner' };
  }

  /**
   * The caller's role in `orgId`; a non-member learns nothing, not even that it exists. Pass the
   * transaction that holds the organization's lock to decide on a role no concurrent change moves.
   */
  async requireRole(caller: UserCaller, orgId: string, minimum: Role, db?: Database): Promise<Role> {
    const role = await this.orgs.roleOf(caller.userId, orgId, db);
    if (!role) throw notFound('Organization');
    if (!roleAtLeast(role, minimum))
      throw forbidden(`This needs the ${minimum} role in the organization; you are ${role}`);
    return role;
  }

  async listMembers(caller: UserCaller, orgId: string): Promise<Member[]> {
    await this.requireRole(caller, orgId, 'admin');
    return this.orgs.members(orgId);
  }

  async changeRole(caller: UserCaller, orgId: string, userId: string, role: Role): Promise<Member> {
    const callerRole = await this.requireRole(caller, orgId, 'admin');
    const event = auditEvent(caller, orgId, 'member.role_changed', { type: 'user', id: userId }, { role });
    return this.audit.attempt(event, () =>
      this.orgs
        .withOrgLocked(orgId, async (tx) => {
          assertMayGrant(callerRole, role);
          const target = await this.findMember(orgId, userId, tx);
          assertMayManage(callerRole, target.role);
          if (target.role === 'owner' && role !== 'owner' && (await this.orgs.countOwners(orgId, tx)) <= 1) {
            throw lastOwner();
          }
          await this.orgs.setRole(orgId, userId, role, tx);
          await writeAudit(tx, { ...event, detail: { email: target.email, from: target.role, role } });
          return { ...target, role };
        })
        .finally(() => this.caches.authChanged()),
    );
  }

  async removeMember(caller: UserCaller, orgId: string, userId: string): Promise<void> {
    const callerRole = await this.requireRole(caller, orgId, 'admin');
    const event = auditEvent(caller, orgId, 'member.removed', { type: 'user', id: userId });
    await this.audit.attempt(event, () =>
      this.orgs
        .withOrgLocked(orgId, async (tx) => {
          const target = await this.findMember(orgId, userId, tx);
          assertMayManage(callerRole, target.role);
          if (target.role === 'owner' && (await this.orgs.countOwners(orgId, tx)) <= 1) throw lastOwner();
          await this.orgs.removeMember(orgId, userId, tx);
          // Keys outlive neither their creator's membership nor this transaction.
          const keys = await this.keys.revokeCreatedBy(orgId, userId, tx);
          await writeAudit(
            tx,
            { ...event, detail: { email: target.email, role: target.role } },
            ...keys.map((key) =>
              auditEvent(
                caller,
                orgId,
                'api_key.revoked',
                { type: 'api_key', id: key.id },
                { name: key.name, role: key.role, reason: 'creator_left' },
              ),
            ),
          );
        })
        .finally(() => this.caches.authChanged()),
    );
  }

  private async findMember(orgId: string, userId: string, tx: Database): Promise<Member> {
    const member = (await this.orgs.members(orgId, tx)).find((m) => m.userId === userId);
    if (!member) throw notFound('Member');
    return member;
  }
}

/** Nobody hands out more power than they hold. */
export function assertMayGrant(callerRole: Role, role: Role): void {
  if (!roleAtLeast(callerRole, role)) throw forbidden(`A ${callerRole} cannot grant the ${role} role`);
}

/** Admins manage viewers, editors and admins; only owners manage owners. */
export function assertMayManage(callerRole: Role, targetRole: Role): void {
  if (!roleAtLeast(callerRole, targetRole)) throw forbidden(`A ${callerRole} cannot change an ${targetRole}`);
}

function lastOwner(): AppError {
  return conflict('last_owner', 'The last owner of an organization cannot be removed or demoted');
}
