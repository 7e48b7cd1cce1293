import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { emailSchema, idSchema, nameSchema, paginationQuerySchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspacesRepository } from '../store/repositories/workspaces.js';
import { MEMBER_ROLES, memberView, type MemberRecord } from '../store/repositories/members.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../members/passwords.js';
import type { MembersService, NewSession } from '../members/members-service.js';
import { item, page } from '../http/envelope.js';
import { ApiError, unauthorized } from '../http/errors.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { SESSION_COOKIE, sessionCookieOptions, sessionOf } from '../http/session-auth.js';

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : `must be ${what}`);
const roleSchema = z.enum(MEMBER_ROLES, { error: required(`one of ${MEMBER_ROLES.join(', ')}`) });
const passwordSchema = z
  .string({ error: required('a string') })
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
/** Invitation tokens are 43 base64url characters; anything else is simply not found. */
const tokenSchema = z.string().max(512, 'must be at most 512 characters');

const member = z.object({
  id: z.string().describe('mem_…'),
  email: z.string().describe("Lower-case; '' for the first owner until it accepts its invitation"),
  name: z.string(),
  role: z.enum(MEMBER_ROLES),
  status: z.enum(['invited', 'active']).describe("'invited' until a password is set"),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  lastSignInAt: z.number().int().nullable(),
});
const invitation = z.object({ url: z.string().describe('Shown once; only a hash of its token is stored'), expiresAt: z.number().int() });
const session = z.object({
  member,
  workspace: z.object({ id: z.string(), name: z.string() }),
  csrfToken: z.string().describe('Send it as X-CSRF-Token with every write made with the session cookie'),
  expiresAt: z.number().int().describe('Epoch ms; moves 12 hours ahead as the session is used'),
});

const schemas = {
  member: { name: 'Member', schema: member },
  invitedMember: { name: 'InvitedMember', schema: z.object({ member, invitation }) },
  invitation: { name: 'MemberInvitation', schema: invitation },
  invitationInfo: {
    name: 'InvitationInfo',
    schema: z.object({ email: z.string(), name: z.string(), role: z.enum(MEMBER_ROLES), workspaceName: z.string(), expiresAt: z.number().int() }),
  },
  session: { name: 'Session', schema: session },
};

const OWNER_ERRORS = { 403: 'A session whose role is not owner' };

export interface MemberRoutesOptions {
  db: Kysely<DB>;
  members: MembersService;
  publicUrl: string;
}

export function memberRoutes({ db, members, publicUrl }: MemberRoutesOptions): RouteDefinition[] {
  const cookieOptions = sessionCookieOptions(publicUrl);

  async function sessionView(reply: FastifyReply, record: MemberRecord, expiresAt: number) {
    const workspace = await workspacesRepository(db).get(record.workspaceId);
    return { member: memberView(record), workspace: { id: record.workspaceId, name: workspace?.name ?? '' }, csrfToken: reply.generateCsrf(), expiresAt };
  }
  async function signedIn(reply: FastifyReply, started: NewSession, status = 201) {
    reply.setCookie(SESSION_COOKIE, started.token, cookieOptions);
    return item(await sessionView(reply, started.member, started.expiresAt), status);
  }
  function currentSession(request: FastifyRequest) {
    const current = sessionOf(request);
    if (!current) throw unauthorized('This needs a signed-in session (the sb_session cookie), not an API key');
    return current;
  }

  return [
    defineRoute({
      method: 'POST',
      url: '/v1/members',
      tag: 'Members',
      summary: 'Invite a member',
      description: 'Creates the member and an invitation link valid 7 days, shown only in this answer. The member sets its password at the link.',
      access: 'owner',
      body: { name: 'MemberRequest', schema: z.strictObject({ email: emailSchema, name: nameSchema.optional(), role: roleSchema }) },
      response: { status: 201, description: 'The member and its invitation link', schema: schemas.invitedMember },
      errors: { ...OWNER_ERRORS, 409: 'The email is already a member of the workspace' },
      handler: async ({ body, principal }) => item(await members.invite(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/members',
      tag: 'Members',
      summary: 'List members',
      access: 'owner',
      query: paginationQuerySchema,
      response: { description: 'One page of members, oldest first', schema: schemas.member, list: true },
      errors: OWNER_ERRORS,
      handler: async ({ query, principal }) => page(await members.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/members/:id',
      tag: 'Members',
      summary: 'Get a member',
      access: 'owner',
      params: { id: idSchema },
      response: { description: 'The member', schema: schemas.member },
      errors: { ...OWNER_ERRORS, 404: 'Member not found' },
      handler: async ({ params, principal }) => item(await members.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/members/:id',
      tag: 'Members',
      summary: "Rename a member or change its role",
      access: 'owner',
      params: { id: idSchema },
      body: { name: 'MemberUpdateRequest', schema: z.strictObject({ name: nameSchema.optional(), role: roleSchema.optional() }) },
      response: { description: 'The updated member', schema: schemas.member },
      errors: { ...OWNER_ERRORS, 404: 'Member not found', 409: 'The change would leave the workspace without an owner' },
      handler: async ({ params, body, principal }) => item(await members.update(principal.workspaceId, params.id, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/members/:id',
      tag: 'Members',
      summary: 'Remove a member',
      description: "The member's sessions end at once, on every node.",
      access: 'owner',
      params: { id: idSchema },
      response: { description: 'The removed member', schema: schemas.member },
      errors: { ...OWNER_ERRORS, 404: 'Member not found', 409: 'It is the last owner' },
      handler: async ({ params, principal }) => item(await members.remove(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/members/:id/invitation',
      tag: 'Members',
      summary: 'Issue a new invitation link',
      description: 'Earlier links of the member stop working.',
      access: 'owner',
      params: { id: idSchema },
      response: { status: 201, description: 'The new link, shown once', schema: schemas.invitation },
      errors: { ...OWNER_ERRORS, 404: 'Member not found', 409: 'The member has already accepted an invitation' },
      handler: async ({ params, principal }) => item(await members.reissue(principal.workspaceId, params.id), 201),
    }),

    defineRoute({
      method: 'GET',
      url: '/v1/invitations/:token',
      tag: 'Sessions',
      summary: 'Read an invitation',
      description: 'Public: the token is the credential. Unknown, used and expired invitations all answer 404; `meta.reason` is `used` or `expired` for the latter two.',
      auth: 'none',
      params: { token: tokenSchema },
      response: { description: 'Who is invited, to which workspace', schema: schemas.invitationInfo },
      errors: { 404: 'Unknown, used or expired invitation' },
      handler: async ({ params }) => item(await members.describeInvitation(params.token)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/invitations/:token/accept',
      tag: 'Sessions',
      summary: 'Accept an invitation',
      description:
        'Sets the password and signs in: sets the `sb_session` cookie and answers like GET /v1/session. The owner invitation printed at first start has no email yet: `email` is then required.',
      auth: 'none',
      params: { token: tokenSchema },
      body: {
        name: 'InvitationAcceptRequest',
        schema: z.strictObject({ password: passwordSchema, name: nameSchema.optional(), email: emailSchema.optional() }),
      },
      response: { status: 201, description: 'The new session', schema: schemas.session },
      errors: { 404: 'Unknown, used or expired invitation', 409: 'The email is already a member of the workspace' },
      handler: async ({ params, body, reply }) => signedIn(reply, await members.acceptInvitation(params.token, body)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/sessions',
      tag: 'Sessions',
      summary: 'Sign in',
      description:
        'Sets the `sb_session` cookie (HttpOnly, SameSite=Lax). Without `workspaceId`, an email that is a member of several workspaces signs in to the most recently created membership the password matches. After 5 failures for an email or 20 from an address within 15 minutes, answers 429 with Retry-After.',
      auth: 'none',
      body: { name: 'SignInRequest', schema: z.strictObject({ email: emailSchema, password: z.string({ error: required('a string') }).max(PASSWORD_MAX_LENGTH), workspaceId: idSchema.optional() }) },
      response: { status: 201, description: 'The new session', schema: schemas.session },
      errors: { 401: 'Email or password is incorrect', 429: 'Too many failed sign-in attempts' },
      handler: async ({ body, request, reply }) => {
        try {
          return await signedIn(reply, await members.signIn(body, request.ip));
        } catch (error) {
          if (error instanceof ApiError && error.status === 429) reply.header('retry-after', String(error.meta.retryAfterSeconds));
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/session',
      tag: 'Sessions',
      summary: 'The current session',
      description: 'Also hands out the CSRF token writes made with the cookie must send as X-CSRF-Token.',
      access: 'agent',
      response: { description: 'The signed-in member, its workspace and a CSRF token', schema: schemas.session },
      handler: async ({ request, reply }) => {
        const current = currentSession(request);
        return item(await sessionView(reply, current.member, current.expiresAt));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/session',
      tag: 'Sessions',
      summary: 'Sign out',
      access: 'agent',
      response: { description: 'The session has ended and the cookie is cleared' },
      handler: async ({ request, reply }) => {
        await members.signOut(currentSession(request).idHash);
        reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return item(true);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/me',
      tag: 'Sessions',
      summary: 'The signed-in member',
      access: 'agent',
      response: { description: 'The member', schema: schemas.member },
      handler: async ({ request }) => item(memberView(currentSession(request).member)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/me',
      tag: 'Sessions',
      summary: 'Rename yourself',
      access: 'agent',
      body: { name: 'MeUpdateRequest', schema: z.strictObject({ name: nameSchema }) },
      response: { description: 'The member', schema: schemas.member },
      handler: async ({ body, request }) => item(await members.rename(currentSession(request).member, body.name)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/password',
      tag: 'Sessions',
      summary: 'Change your password',
      description: "Ends every session of the member; this one continues under a new cookie (the answer sets it).",
      access: 'agent',
      body: { name: 'PasswordChangeRequest', schema: z.strictObject({ currentPassword: z.string({ error: required('a string') }).max(PASSWORD_MAX_LENGTH), newPassword: passwordSchema }) },
      response: { description: 'The session, under its new cookie', schema: schemas.session },
      errors: { 400: 'currentPassword is wrong, or newPassword breaks a rule' },
      handler: async ({ body, request, reply }) => signedIn(reply, await members.changePassword(currentSession(request).member, body), 200),
    }),
  ];
}
