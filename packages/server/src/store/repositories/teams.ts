import type { Kysely, Selectable } from 'kysely';
import type { PaginatedResult } from '@switchboard/core';
import type { DB, TeamMembersTable, TeamsTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { withRowLock, type RowLock } from './row-locks.js';

export interface TeamRecord {
  id: string;
  name: string;
  description: string | null;
  helpdeskConnectionId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Members answer a team's conversations; observers only watch. Both live in `team_members`. */
export type TeamPersonKind = 'member' | 'observer';

export interface TeamPersonRecord {
  id: string;
  teamId: string;
  kind: TeamPersonKind;
  name: string;
  /** Lower-case. */
  email: string;
  /** Members only: agent, supervisor or admin. */
  role: string | null;
  /** The workspace member (mem_…) this team member is, when linked. */
  memberId: string | null;
  createdAt: number;
}

function toTeamRecord(row: Selectable<TeamsTable>): TeamRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    helpdeskConnectionId: row.helpdesk_connection_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toPersonRecord(row: Selectable<TeamMembersTable>): TeamPersonRecord {
  return {
    id: row.id,
    teamId: row.team_id,
    kind: row.kind as TeamPersonKind,
    name: row.name,
    email: row.email,
    role: row.role,
    memberId: row.member_id ?? null,
    createdAt: Number(row.created_at),
  };
}

export interface NewTeam {
  id?: string;
  name: string;
  description: string | null;
  helpdeskConnectionId: string | null;
}

export function teamsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('teams').where('workspace_id', '=', workspaceId);
  const people = () => db.selectFrom('team_members').where('workspace_id', '=', workspaceId);
  /** Channels of this workspace, so an assignment left behind by a deleted channel never counts. */
  const channelTeams = () =>
    db
      .selectFrom('channel_teams')
      .innerJoin('deployment_channels', 'deployment_channels.id', 'channel_teams.channel_id')
      .where('deployment_channels.workspace_id', '=', workspaceId);

  return {
    async insert(team: NewTeam): Promise<TeamRecord> {
      const now = monotonicNow();
      const row: Selectable<TeamsTable> = {
        id: team.id ?? newId('team'),
        workspace_id: workspaceId,
        name: team.name,
        description: team.description,
        helpdesk_connection_id: team.helpdeskConnectionId,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('teams').values(row).execute();
      return toTeamRecord(row);
    },
    async get(id: string, lock?: RowLock): Promise<TeamRecord | undefined> {
      const row = await withRowLock(db, scoped().selectAll().where('id', '=', id), lock).executeTakeFirst();
      return row && toTeamRecord(row);
    },
    /** The teams of these ids that exist in the workspace (in no particular order). */
    async getMany(ids: readonly string[], lock?: RowLock): Promise<TeamRecord[]> {
      if (ids.length === 0) return [];
      const rows = await withRowLock(db, scoped().selectAll().where('id', 'in', [...ids]), lock).execute();
      return rows.map(toTeamRecord);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<TeamRecord>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toTeamRecord);
    },
    /** Teams using a helpdesk connection. */
    async usingConnection(connectionId: string): Promise<TeamRecord[]> {
      const rows = await scoped().selectAll().where('helpdesk_connection_id', '=', connectionId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toTeamRecord);
    },
    async update(id: string, changes: Partial<Omit<NewTeam, 'id'>>): Promise<TeamRecord | undefined> {
      await db
        .updateTable('teams')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.description !== undefined && { description: changes.description }),
          ...(changes.helpdeskConnectionId !== undefined && { helpdesk_connection_id: changes.helpdeskConnectionId }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    /** Bumps `updatedAt` (a member or observer came or went). */
    async touch(id: string): Promise<void> {
      await db.updateTable('teams').set({ updated_at: monotonicNow() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    /** Deletes the team with its members, observers and any channel assignments. */
    async delete(id: string): Promise<boolean> {
      if (!(await this.get(id))) return false;
      await db.deleteFrom('team_members').where('workspace_id', '=', workspaceId).where('team_id', '=', id).execute();
      await db.deleteFrom('channel_teams').where('team_id', '=', id).execute();
      return deleteInWorkspace(db, 'teams', workspaceId, id);
    },

    // ── members and observers ────────────────────────────────────────────────

    /** Members or observers of these teams, oldest first. */
    async people(teamIds: readonly string[], kind?: TeamPersonKind): Promise<TeamPersonRecord[]> {
      if (teamIds.length === 0) return [];
      let query = people().selectAll().where('team_id', 'in', [...teamIds]);
      if (kind) query = query.where('kind', '=', kind);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toPersonRecord);
    },
    listPeople(teamId: string, kind: TeamPersonKind, page: number, pageSize: number): Promise<PaginatedResult<TeamPersonRecord>> {
      const query = people().where('team_id', '=', teamId).where('kind', '=', kind);
      return paginate(query, page, pageSize, (q) => q.selectAll(), toPersonRecord);
    },
    async findPersonByEmail(teamId: string, kind: TeamPersonKind, email: string): Promise<TeamPersonRecord | undefined> {
      const row = await people().selectAll().where('team_id', '=', teamId).where('kind', '=', kind).where('email', '=', email).executeTakeFirst();
      return row && toPersonRecord(row);
    },
    async addPerson(teamId: string, kind: TeamPersonKind, person: { name: string; email: string; role: string | null; memberId?: string | null }): Promise<TeamPersonRecord> {
      const row: Selectable<TeamMembersTable> = {
        id: newId('teamMember'),
        workspace_id: workspaceId,
        team_id: teamId,
        kind,
        name: person.name,
        email: person.email,
        role: kind === 'member' ? person.role : null,
        created_at: monotonicNow(),
        member_id: person.memberId ?? null,
      };
      await db.insertInto('team_members').values(row).execute();
      return toPersonRecord(row);
    },
    async removePerson(teamId: string, kind: TeamPersonKind, personId: string): Promise<boolean> {
      const result = await db
        .deleteFrom('team_members')
        .where('workspace_id', '=', workspaceId)
        .where('team_id', '=', teamId)
        .where('kind', '=', kind)
        .where('id', '=', personId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    // ── channel assignments ──────────────────────────────────────────────────

    /** Ids of the workspace's channels a team is assignable to, oldest channel first. */
    async channelsOf(teamId: string): Promise<string[]> {
      const rows = await channelTeams()
        .select('deployment_channels.id')
        .where('channel_teams.team_id', '=', teamId)
        .orderBy('deployment_channels.created_at')
        .orderBy('deployment_channels.id')
        .execute();
      return rows.map((row) => row.id);
    },
    /** The teams assignable to a channel (the caller checks the channel is the workspace's). */
    forChannel(channelId: string, page: number, pageSize: number): Promise<PaginatedResult<TeamRecord>> {
      const query = scoped().where('id', 'in', db.selectFrom('channel_teams').select('team_id').where('channel_id', '=', channelId));
      return paginate(query, page, pageSize, (q) => q.selectAll(), toTeamRecord);
    },
    /** Replaces the teams assignable to a channel. */
    async replaceForChannel(channelId: string, teamIds: readonly string[]): Promise<void> {
      await db.deleteFrom('channel_teams').where('channel_id', '=', channelId).execute();
      if (teamIds.length > 0) {
        await db
          .insertInto('channel_teams')
          .values(teamIds.map((teamId) => ({ channel_id: channelId, team_id: teamId })))
          .execute();
      }
    },
    /** Forgets a deleted channel's assignments. */
    async forgetChannel(channelId: string): Promise<void> {
      await db.deleteFrom('channel_teams').where('channel_id', '=', channelId).execute();
    },
  };
}
export type TeamsRepository = ReturnType<typeof teamsRepository>;
