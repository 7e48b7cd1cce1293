import type { Kysely } from 'kysely';
import {
  HELPDESK_PROVIDERS,
  type PaginatedResult,
  type ParsedTeamMemberRequest,
  type ParsedTeamObserverRequest,
  type ParsedTeamRequest,
  type ParsedTeamUpdate,
  type Team,
  type TeamMember,
  type TeamMemberRole,
  type TeamObserver,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { teamsRepository, type TeamPersonKind, type TeamPersonRecord, type TeamRecord } from '../store/repositories/teams.js';
import { workflowsRepository } from '../store/repositories/workflows.js';
import { membersRepository } from '../store/repositories/members.js';
import { connectionsRepository } from '../store/repositories/connections.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { withRowLock, type RowLock } from '../store/repositories/row-locks.js';

export const TEAM_NOT_FOUND = 'Team not found';
export const TEAM_MEMBER_NOT_FOUND = 'Team member not found';
export const TEAM_OBSERVER_NOT_FOUND = 'Team observer not found';
const CHANNEL_NOT_FOUND = 'Deployment channel not found';

function toMember(record: TeamPersonRecord): TeamMember {
  return { id: record.id, name: record.name, email: record.email, role: (record.role ?? 'agent') as TeamMemberRole, memberId: record.memberId };
}

function toObserver(record: TeamPersonRecord): TeamObserver {
  return { id: record.id, name: record.name, email: record.email };
}

function toTeam(record: TeamRecord, people: TeamPersonRecord[]): Team {
  const mine = people.filter((person) => person.teamId === record.id);
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    helpdeskConnectionId: record.helpdeskConnectionId,
    members: mine.filter((person) => person.kind === 'member').map(toMember),
    observers: mine.filter((person) => person.kind === 'observer').map(toObserver),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Teams with their members and observers, read in one query for all of them. */
async function withPeople(db: Kysely<DB>, workspaceId: string, records: TeamRecord[]): Promise<Team[]> {
  const people = await teamsRepository(db, workspaceId).people(records.map((record) => record.id));
  return records.map((record) => toTeam(record, people));
}

/** A team's helpdesk must be a connection of the workspace whose provider takes handoffs. */
async function requireHelpdesk(db: Kysely<DB>, workspaceId: string, connectionId: string): Promise<void> {
  const connection = await connectionsRepository(db, workspaceId).get(connectionId);
  if (!connection) throw notFound('Connection not found', { field: 'helpdeskConnectionId', connectionId });
  if (!(HELPDESK_PROVIDERS as readonly string[]).includes(connection.provider)) {
    throw invalidField(
      'helpdeskConnectionId',
      `${connectionId} is a ${connection.provider} connection; a team's helpdesk must be a ${HELPDESK_PROVIDERS.join(', ')} connection`,
    );
  }
}

async function requireChannel(db: Kysely<DB>, workspaceId: string, channelId: string, lock?: RowLock): Promise<void> {
  const query = db.selectFrom('deployment_channels').select('id').where('workspace_id', '=', workspaceId).where('id', '=', channelId);
  const channel = await withRowLock(db, query, lock).executeTakeFirst();
  if (!channel) throw notFound(CHANNEL_NOT_FOUND, { id: channelId });
}

const PERSON_NOT_FOUND: Record<TeamPersonKind, string> = { member: TEAM_MEMBER_NOT_FOUND, observer: TEAM_OBSERVER_NOT_FOUND };

export function teamService(db: Kysely<DB>) {
  async function requireTeam(executor: Kysely<DB>, workspaceId: string, id: string, lock?: RowLock): Promise<TeamRecord> {
    const team = await teamsRepository(executor, workspaceId).get(id, lock);
    if (!team) throw notFound(TEAM_NOT_FOUND, { id });
    return team;
  }

  function addPerson(workspaceId: string, teamId: string, kind: TeamPersonKind, person: { name: string; email: string; role: string | null; memberId?: string }) {
    return db.transaction().execute(async (trx) => {
      const teams = teamsRepository(trx, workspaceId);
      await requireTeam(trx, workspaceId, teamId, 'share');
      const duplicate = () =>
        conflict(`${person.email} is already ${kind === 'member' ? 'a member' : 'an observer'} of team ${teamId}`, {
          field: 'email',
          email: person.email,
        });
      const existing = await teams.findPersonByEmail(teamId, kind, person.email);
      if (existing) throw duplicate();
      try {
        const added = await teams.addPerson(teamId, kind, person);
        await teams.touch(teamId);
        return added;
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate();
        throw error;
      }
    });
  }

  async function removePerson(workspaceId: string, teamId: string, kind: TeamPersonKind, personId: string): Promise<true> {
    return db.transaction().execute(async (trx) => {
      const teams = teamsRepository(trx, workspaceId);
      await requireTeam(trx, workspaceId, teamId);
      if (!(await teams.removePerson(teamId, kind, personId))) throw notFound(PERSON_NOT_FOUND[kind], { teamId, id: personId });
      await teams.touch(teamId);
      return true as const;
    });
  }

  return {
    async create(workspaceId: string, request: ParsedTeamRequest): Promise<Team> {
      return db.transaction().execute(async (trx) => {
        if (request.helpdeskConnectionId !== null) await requireHelpdesk(trx, workspaceId, request.helpdeskConnectionId);
        const record = await teamsRepository(trx, workspaceId).insert(request);
        return toTeam(record, []);
      });
    },
    async get(workspaceId: string, id: string): Promise<Team> {
      const record = await requireTeam(db, workspaceId, id);
      return (await withPeople(db, workspaceId, [record]))[0]!;
    },
    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<Team>> {
      const result = await teamsRepository(db, workspaceId).list(page, pageSize);
      return { data: await withPeople(db, workspaceId, result.data), meta: result.meta };
    },
    async update(workspaceId: string, id: string, patch: ParsedTeamUpdate): Promise<Team> {
      return db.transaction().execute(async (trx) => {
        await requireTeam(trx, workspaceId, id);
        const { id: _ignored, ...changes } = patch;
        if (changes.helpdeskConnectionId) await requireHelpdesk(trx, workspaceId, changes.helpdeskConnectionId);
        const updated = (await teamsRepository(trx, workspaceId).update(id, changes))!;
        return (await withPeople(trx, workspaceId, [updated]))[0]!;
      });
    },
    /** Refused while a channel may still be assigned to the team or a workflow still routes to it. */
    delete(workspaceId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const teams = teamsRepository(trx, workspaceId);
        await requireTeam(trx, workspaceId, id, 'update');
        const channelIds = await teams.channelsOf(id);
        const workflowIds = (await workflowsRepository(trx, workspaceId).referencing({ teamId: id })).map((workflow) => workflow.id);
        if (channelIds.length > 0 || workflowIds.length > 0) {
          const uses = [
            channelIds.length > 0 && `assignable to channel ${channelIds.join(', ')}`,
            workflowIds.length > 0 && `used by workflow ${workflowIds.join(', ')}`,
          ].filter(Boolean);
          throw conflict(`Team is ${uses.join(' and ')}; remove it from ${channelIds.length + workflowIds.length > 1 ? 'those' : 'it'} first`, {
            channelIds,
            workflowIds,
          });
        }
        return teams.delete(id);
      });
    },

    async addMember(
      workspaceId: string,
      teamId: string,
      request: Omit<ParsedTeamMemberRequest, 'name' | 'email'> & { name?: string | undefined; email?: string | undefined; memberId?: string | undefined },
    ): Promise<TeamMember> {
      if (request.memberId !== undefined) {
        const member = await membersRepository(db).get(workspaceId, request.memberId);
        if (!member) throw notFound(`Member ${request.memberId} not found`, { field: 'memberId', memberId: request.memberId });
        return toMember(await addPerson(workspaceId, teamId, 'member', { name: member.name, email: member.email, role: request.role, memberId: member.id }));
      }
      return toMember(await addPerson(workspaceId, teamId, 'member', { name: request.name!, email: request.email!, role: request.role }));
    },
    removeMember: (workspaceId: string, teamId: string, memberId: string) => removePerson(workspaceId, teamId, 'member', memberId),
    async addObserver(workspaceId: string, teamId: string, request: ParsedTeamObserverRequest): Promise<TeamObserver> {
      return toObserver(await addPerson(workspaceId, teamId, 'observer', { ...request, role: null }));
    },
    async listObservers(workspaceId: string, teamId: string, page: number, pageSize: number): Promise<PaginatedResult<TeamObserver>> {
      await requireTeam(db, workspaceId, teamId);
      const result = await teamsRepository(db, workspaceId).listPeople(teamId, 'observer', page, pageSize);
      return { data: result.data.map(toObserver), meta: result.meta };
    },
    removeObserver: (workspaceId: string, teamId: string, observerId: string) => removePerson(workspaceId, teamId, 'observer', observerId),

    /** The teams conversations of a channel may be assigned to. */
    async forChannel(workspaceId: string, channelId: string, page: number, pageSize: number): Promise<PaginatedResult<Team>> {
      await requireChannel(db, workspaceId, channelId);
      const result = await teamsRepository(db, workspaceId).forChannel(channelId, page, pageSize);
      return { data: await withPeople(db, workspaceId, result.data), meta: result.meta };
    },
    /** Replaces a channel's assignable teams; answers all of them, oldest team first. */
    replaceForChannel(workspaceId: string, channelId: string, teamIds: string[]): Promise<Team[]> {
      return db.transaction().execute(async (trx) => {
        await requireChannel(trx, workspaceId, channelId, 'update');
        const teams = teamsRepository(trx, workspaceId);
        const found = await teams.getMany(teamIds, 'share');
        const known = new Set(found.map((team) => team.id));
        const missing = teamIds.findIndex((teamId) => !known.has(teamId));
        if (missing >= 0) throw notFound(`teamIds.${missing}: Team ${teamIds[missing]} not found`, { field: `teamIds.${missing}`, teamId: teamIds[missing] });
        await teams.replaceForChannel(channelId, teamIds);
        found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
        return withPeople(trx, workspaceId, found);
      });
    },
  };
}
export type TeamService = ReturnType<typeof teamService>;
