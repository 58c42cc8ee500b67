// The organization shapes other slices show too (auth's memberships, API keys' and invitations'
// roles): one TypeBox schema each, imported from here rather than from a routes file.
import { Type } from 'typebox';
import { stringEnum } from '../http/schemas.ts';
import { ROLES } from './roles.ts';

export const RoleSchema = stringEnum(
  ROLES,
  'viewer < editor < admin < owner; each includes the one below it.',
);

export const OrgMembershipSchema = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  orgName: Type.String(),
  role: RoleSchema,
});
