import type { Kysely, Selectable } from 'kysely';
import type { PaginatedResult } from '@switchboard/core';
import type { DB, MembersTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';

export const MEMBER_ROLES = ['owner', 'admin', 'agent'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** What the API shows of a member: never a hash. */
export interface Member {
  id: string;
  email: string;
  name: string;
  role: MemberRole;
  status: 'invited' | 'active';
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
}

export interface MemberRecord extends Member {
  workspaceId: string;
  passwordHash: string | null;
  passwordChangedAt: number | null;
}

const num = (value: number | null) => (value === null ? null : Number(value));

export function toMemberRecord(row: Selectable<MembersTable>): MemberRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    name: row.name,
    role: row.role as MemberRole,
    status: row.password_hash === null ? 'invited' : 'active',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastSignInAt: num(row.last_sign_in_at),
    passwordHash: row.password_hash,
    passwordChangedAt: num(row.password_changed_at),
  };
}

export function memberView(record: MemberRecord): Member {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    role: record.role,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastSignInAt: record.lastSignInAt,
  };
}

/** A session and, from the same query, its member. */
export interface SessionForAuth {
  idHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  member: MemberRecord;
  workspaceStatus: string;
}

export function membersRepository(db: Kysely<DB>) {
  return {
    async insert(input: { workspaceId: string; email: string; name: string; role: MemberRole }): Promise<MemberRecord> {
      const now = monotonicNow();
      const row = {
        id: newId('member'),
        workspace_id: input.workspaceId,
        email: input.email,
        name: input.name,
        role: input.role,
        password_hash: null,
        created_at: now,
        updated_at: now,
        last_sign_in_at: null,
        password_changed_at: null,
      };
      await db.insertInto('members').values(row).execute();
      return toMemberRecord(row);
    },
    async get(workspaceId: string, id: string): Promise<MemberRecord | undefined> {
      const row = await db.selectFrom('members').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toMemberRecord(row);
    },
    async findById(id: string): Promise<MemberRecord | undefined> {
      const row = await db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMemberRecord(row);
    },
    async findByEmail(workspaceId: string, email: string): Promise<MemberRecord | undefined> {
      const row = await db.selectFrom('members').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
      return row && toMemberRecord(row);
    },
    /** Every member with this email across workspaces, newest first. */
    async findAllByEmail(email: string): Promise<MemberRecord[]> {
      const rows = await db.selectFrom('members').selectAll().where('email', '=', email).orderBy('created_at', 'desc').execute();
      return rows.map(toMemberRecord);
    },
    list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<Member>> {
      return paginate(
        db.selectFrom('members').where('workspace_id', '=', workspaceId),
        page,
        pageSize,
        (q) => q.selectAll(),
        (row) => memberView(toMemberRecord(row)),
      );
    },
    async all(workspaceId: string): Promise<MemberRecord[]> {
      const rows = await db.selectFrom('members').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toMemberRecord);
    },
    async countOwners(workspaceId: string): Promise<number> {
      const row = await db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('role', '=', 'owner')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async update(id: string, changes: Partial<Pick<Selectable<MembersTable>, 'name' | 'role' | 'email' | 'password_hash' | 'password_changed_at' | 'last_sign_in_at'>>) {
      await db.updateTable('members').set({ ...changes, updated_at: monotonicNow() }).where('id', '=', id).execute();
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('member_invitations').where('member_id', '=', id).execute();
      await db.deleteFrom('member_sessions').where('member_id', '=', id).execute();
      await db.deleteFrom('members').where('id', '=', id).execute();
    },

    // Invitations: a new one voids the member's earlier ones.
    async replaceInvitation(memberId: string, tokenHash: string, expiresAt: number): Promise<void> {
      const now = monotonicNow();
      await db.deleteFrom('member_invitations').where('member_id', '=', memberId).execute();
      await db.insertInto('member_invitations').values({ token_hash: tokenHash, member_id: memberId, expires_at: expiresAt, used_at: null, created_at: now }).execute();
    },
    async findInvitation(tokenHash: string) {
      const row = await db.selectFrom('member_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && { memberId: row.member_id, expiresAt: Number(row.expires_at), usedAt: num(row.used_at) };
    },
    /** Marks the invitation used; false when another request used it first. */
    async useInvitation(tokenHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('member_invitations')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    // Sessions.
    async insertSession(input: { idHash: string; memberId: string; workspaceId: string; now: number; expiresAt: number }): Promise<void> {
      await db
        .insertInto('member_sessions')
        .values({
          id_hash: input.idHash,
          member_id: input.memberId,
          workspace_id: input.workspaceId,
          created_at: input.now,
          last_seen_at: input.now,
          expires_at: input.expiresAt,
          ended_at: null,
        })
        .execute();
    },
    async findSession(idHash: string): Promise<SessionForAuth | undefined> {
      const row = await db
        .selectFrom('member_sessions as s')
        .innerJoin('members as m', 'm.id', 's.member_id')
        .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
        .selectAll('m')
        .select('w.status as workspace_status')
        .select(['s.id_hash', 's.created_at as session_created_at', 's.last_seen_at', 's.expires_at', 's.ended_at'])
        .where('s.id_hash', '=', idHash)
        .where('s.ended_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        idHash: row.id_hash,
        createdAt: Number(row.session_created_at),
        lastSeenAt: Number(row.last_seen_at),
        expiresAt: Number(row.expires_at),
        member: toMemberRecord(row),
        workspaceStatus: row.workspace_status,
      };
    },
    async touchSession(idHash: string, now: number, expiresAt: number): Promise<void> {
      await db.updateTable('member_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
    },
    async endSession(idHash: string, now: number): Promise<void> {
      await db.updateTable('member_sessions').set({ ended_at: now }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
    },
    async endSessionsOf(memberId: string, now: number, except?: string): Promise<void> {
      let query = db.updateTable('member_sessions').set({ ended_at: now }).where('member_id', '=', memberId).where('ended_at', 'is', null);
      if (except) query = query.where('id_hash', '<>', except);
      await query.execute();
    },
  };
}
export type MembersRepository = ReturnType<typeof membersRepository>;
