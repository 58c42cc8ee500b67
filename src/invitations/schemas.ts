// The shapes of the invitation routes, one TypeBox schema each, as the OpenAPI document shows them.
import { Type } from 'typebox';
import { nullable } from '../http/schemas.ts';
import { OrgMembershipSchema, RoleSchema } from '../orgs/schemas.ts';

const Person = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.String(),
});

export const InvitationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String({ description: 'The invited address, lower-cased.' }),
    role: RoleSchema,
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time', description: 'The link stops working then.' }),
    invitedBy: nullable(Person),
  },
  { description: 'A pending invitation. Its link is never shown again: only a hash of its token is kept.' },
);

export const CreatedInvitationSchema = Type.Object(
  {
    ...InvitationSchema.properties,
    acceptUrl: Type.Optional(
      Type.String({
        format: 'uri',
        description:
          'Only when this server sends no email (no `SMTP_URL`): the link to pass on to the invitee yourself. Whoever holds this link can accept it, so send it only to the invited address. It works once. With email set up, the link goes to the address and is never shown here.',
      }),
    ),
  },
  { description: 'The invitation just made.' },
);

export const CreateInvitationBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    role: RoleSchema,
  },
  {
    additionalProperties: false,
    description:
      'Who to invite, with which role (at most your own; only owners invite owners). A new invitation to the same email replaces the pending one.',
  },
);

export const InvitationPreviewSchema = Type.Object(
  {
    organization: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
    role: RoleSchema,
    inviter: nullable(Type.Object({ name: Type.String(), email: Type.String() })),
    expiresAt: Type.String({ format: 'date-time' }),
    email: Type.String({ description: 'The invited address: only its owner can accept.' }),
  },
  { description: 'What the invitation offers, to whoever holds its link.' },
);

export const AcceptInvitationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Your name.' })),
    password: Type.Optional(
      Type.String({ minLength: 8, maxLength: 1024, description: 'The password of the new account.' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Empty (or no body) when you are signed in as the invited email. When that email has no account yet, `name` and `password` create it.',
  },
);

export const AcceptedInvitationSchema = Type.Object(
  {
    user: Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), name: Type.String() }),
    membership: OrgMembershipSchema,
  },
  { description: 'Who joined, and the membership they now have.' },
);

export const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
export const InvitationParams = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  invitationId: Type.String({ format: 'uuid' }),
});
export const TokenParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token from the invitation link.' }),
});
