import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ErrorCode, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { monotonicNow } from '../store/clock.js';
import { isUniqueViolation } from '../store/database.js';
import { workspacesRepository } from '../store/repositories/workspaces.js';
import { memberView, membersRepository, type Member, type MemberRecord, type MemberRole } from '../store/repositories/members.js';
import { ApiError, conflict, invalidField, notFound, unauthorized } from '../http/errors.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { FailureCounter } from './throttle.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** A session's expiry moves forward at most this often, so most requests do not write. */
export const SESSION_TOUCH_MS = 60_000;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_FAILURES_PER_ACCOUNT = 5;
export const SIGN_IN_FAILURES_PER_ADDRESS = 20;

const WRONG_CREDENTIALS = 'Email or password is incorrect';

/** A random 32-byte token (base64url) and the SHA-256 that is stored instead. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedInvitation {
  url: string;
  expiresAt: number;
}

export const invitationUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/console/invite/${token}`;

/** Replaces the member's invitations with a new one and answers its link (the only place the token appears). */
export async function issueInvitation(db: Kysely<DB>, publicUrl: string, memberId: string): Promise<IssuedInvitation> {
  const { token, hash } = newToken();
  const expiresAt = Date.now() + INVITATION_TTL_MS;
  await membersRepository(db).replaceInvitation(memberId, hash, expiresAt);
  return { url: invitationUrl(publicUrl, token), expiresAt };
}

/**
 * The owner a new installation starts with: a pending member with no email yet and its
 * invitation. Accepting the link sets both the email and the password.
 */
export async function inviteFirstOwner(db: Kysely<DB>, publicUrl: string, workspaceId: string): Promise<IssuedInvitation> {
  const member = await membersRepository(db).insert({ workspaceId, email: '', name: 'Owner', role: 'owner' });
  return issueInvitation(db, publicUrl, member.id);
}

export interface NewSession {
  /** The cookie's value: shown to the browser only. */
  token: string;
  expiresAt: number;
  member: MemberRecord;
}

export interface ActiveSession {
  idHash: string;
  expiresAt: number;
  member: MemberRecord;
  workspaceStatus: string;
}

export interface MembersServiceOptions {
  publicUrl: string;
  throttle: { perAccount: FailureCounter; perAddress: FailureCounter };
}

function tooManyFailures(retryAfterSeconds: number): ApiError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new ApiError(429, ErrorCode.RATE_LIMITED, `Too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, null, {
    retryAfterSeconds,
  });
}

export function membersService(db: Kysely<DB>, options: MembersServiceOptions) {
  const members = membersRepository(db);
  const newInvitation = (memberId: string) => issueInvitation(db, options.publicUrl, memberId);

  async function startSession(member: MemberRecord): Promise<NewSession> {
    const { token, hash } = newToken();
    const now = monotonicNow();
    const expiresAt = now + SESSION_TTL_MS;
    await members.insertSession({ idHash: hash, memberId: member.id, workspaceId: member.workspaceId, now, expiresAt });
    return { token, expiresAt, member };
  }

  async function requireMember(workspaceId: string, id: string): Promise<MemberRecord> {
    const member = await members.get(workspaceId, id);
    if (!member) throw notFound(`Member ${id} not found`);
    return member;
  }

  /** The invitation behind a token, refused with 404 when unknown, used or expired (the message says which). */
  async function openInvitation(token: string) {
    const invitation = await members.findInvitation(hashToken(token));
    const member = invitation && (await members.findById(invitation.memberId));
    if (!invitation || !member) throw notFound('Invitation not found: ask for a new link');
    if (invitation.usedAt !== null || member.status === 'active') throw notFound('This invitation was already used: sign in instead', { reason: 'used' });
    if (invitation.expiresAt <= Date.now()) {
      throw notFound(`This invitation expired on ${new Date(invitation.expiresAt).toISOString()}: ask for a new link`, { reason: 'expired' });
    }
    return { invitation, member };
  }

  return {
    async invite(workspaceId: string, input: { email: string; name?: string | undefined; role: MemberRole }) {
      const email = input.email.trim().toLowerCase();
      if (await members.findByEmail(workspaceId, email)) throw conflict(`${email} is already a member of this workspace`, { field: 'email' });
      let member: MemberRecord;
      try {
        member = await members.insert({ workspaceId, email, name: input.name?.trim() || email.split('@')[0]!, role: input.role });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${email} is already a member of this workspace`, { field: 'email' });
        throw error;
      }
      return { member: memberView(member), invitation: await newInvitation(member.id) };
    },
    async reissue(workspaceId: string, id: string): Promise<IssuedInvitation> {
      const member = await requireMember(workspaceId, id);
      if (member.status === 'active') throw conflict(`Member ${id} has already accepted an invitation; it signs in with its password`);
      return newInvitation(member.id);
    },
    list: (workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<Member>> => members.list(workspaceId, page, pageSize),
    all: (workspaceId: string) => members.all(workspaceId),
    async get(workspaceId: string, id: string): Promise<Member> {
      return memberView(await requireMember(workspaceId, id));
    },
    async update(workspaceId: string, id: string, changes: { name?: string | undefined; role?: MemberRole | undefined }): Promise<Member> {
      const member = await requireMember(workspaceId, id);
      if (changes.role && changes.role !== 'owner' && member.role === 'owner' && (await members.countOwners(workspaceId)) <= 1) {
        throw conflict('The workspace needs at least one owner: make another member owner first', { field: 'role' });
      }
      await members.update(id, { ...(changes.name !== undefined && { name: changes.name }), ...(changes.role !== undefined && { role: changes.role }) });
      return memberView((await members.get(workspaceId, id))!);
    },
    /** Removes the member; its sessions end with it. */
    async remove(workspaceId: string, id: string): Promise<Member> {
      const member = await requireMember(workspaceId, id);
      if (member.role === 'owner' && (await members.countOwners(workspaceId)) <= 1) {
        throw conflict('The workspace needs at least one owner: make another member owner before removing this one');
      }
      await db.transaction().execute((trx) => membersRepository(trx).remove(id));
      await db.updateTable('team_members').set({ member_id: null }).where('member_id', '=', id).execute();
      return memberView(member);
    },

    async describeInvitation(token: string) {
      const { invitation, member } = await openInvitation(token);
      const workspace = await workspacesRepository(db).get(member.workspaceId);
      return { email: member.email, name: member.name, role: member.role, workspaceName: workspace?.name ?? '', expiresAt: invitation.expiresAt };
    },
    async acceptInvitation(token: string, input: { password: string; name?: string | undefined; email?: string | undefined }): Promise<NewSession> {
      const problem = passwordProblem(input.password);
      if (problem) throw invalidField('password', problem);
      const { member } = await openInvitation(token);
      const email = input.email?.trim().toLowerCase();
      if (member.email === '' && !email) throw invalidField('email', 'Required: this invitation creates the workspace owner, who signs in with this email');
      if (email && member.email !== '' && email !== member.email) throw invalidField('email', `must be ${member.email}, the address this invitation was sent to`);
      if (email && member.email === '' && (await members.findByEmail(member.workspaceId, email))) {
        throw conflict(`${email} is already a member of this workspace`, { field: 'email' });
      }
      const passwordHash = await hashPassword(input.password);
      if (!(await members.useInvitation(hashToken(token), Date.now()))) throw notFound('This invitation was already used: sign in instead', { reason: 'used' });
      const now = monotonicNow();
      await members.update(member.id, {
        password_hash: passwordHash,
        password_changed_at: now,
        last_sign_in_at: now,
        ...(input.name?.trim() && { name: input.name.trim() }),
        ...(member.email === '' && email && { email }),
      });
      return startSession((await members.findById(member.id))!);
    },

    async signIn(input: { email: string; password: string; workspaceId?: string | undefined }, address: string): Promise<NewSession> {
      const email = input.email.trim().toLowerCase();
      const blocked = Math.max(await options.throttle.perAccount.blockedFor(email), await options.throttle.perAddress.blockedFor(address));
      if (blocked > 0) throw tooManyFailures(blocked);
      const candidates = (await members.findAllByEmail(email)).filter(
        (member) => member.passwordHash !== null && (!input.workspaceId || member.workspaceId === input.workspaceId),
      );
      let match: MemberRecord | undefined;
      if (candidates.length === 0) await verifyPassword(input.password, null);
      for (const candidate of candidates) {
        if (await verifyPassword(input.password, candidate.passwordHash)) {
          match = candidate;
          break;
        }
      }
      if (!match) {
        await Promise.all([options.throttle.perAccount.fail(email), options.throttle.perAddress.fail(address)]);
        throw unauthorized(WRONG_CREDENTIALS);
      }
      await options.throttle.perAccount.clear(email);
      await members.update(match.id, { last_sign_in_at: Date.now() });
      return startSession((await members.findById(match.id))!);
    },

    /** The session behind a cookie value, or undefined when it is unknown, ended, expired or outdated by a password change. */
    async authenticate(token: string): Promise<ActiveSession | undefined> {
      const idHash = hashToken(token);
      const session = await members.findSession(idHash);
      const now = Date.now();
      if (!session || session.expiresAt <= now) return undefined;
      if (session.member.passwordChangedAt !== null && session.createdAt < session.member.passwordChangedAt) return undefined;
      let expiresAt = session.expiresAt;
      if (now - session.lastSeenAt > SESSION_TOUCH_MS) {
        expiresAt = now + SESSION_TTL_MS;
        await members.touchSession(idHash, now, expiresAt);
      }
      return { idHash, expiresAt, member: session.member, workspaceStatus: session.workspaceStatus };
    },
    signOut: (idHash: string) => members.endSession(idHash, Date.now()),
    async rename(member: MemberRecord, name: string): Promise<Member> {
      await members.update(member.id, { name });
      return memberView((await members.findById(member.id))!);
    },
    /** Sets a new password; every session of the member ends, and the caller gets a fresh one. */
    async changePassword(member: MemberRecord, input: { currentPassword: string; newPassword: string }): Promise<NewSession> {
      if (!(await verifyPassword(input.currentPassword, member.passwordHash))) throw invalidField('currentPassword', 'is not your current password');
      const problem = passwordProblem(input.newPassword);
      if (problem) throw invalidField('newPassword', problem);
      const passwordHash = await hashPassword(input.newPassword);
      const now = monotonicNow();
      await members.update(member.id, { password_hash: passwordHash, password_changed_at: now });
      await members.endSessionsOf(member.id, now);
      return startSession((await members.findById(member.id))!);
    },
  };
}
export type MembersService = ReturnType<typeof membersService>;
