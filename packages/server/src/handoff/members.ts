/**
 * The people who can own a conversation: team members (`tm_…`, answering for a team) and the
 * workspace's members who sign in to the console (`mem_…`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { notFound } from '../http/errors.js';

export interface Person {
  id: string;
  name: string;
  /** The team of a team member; null for a workspace member. */
  teamId: string | null;
}

const isWorkspaceMember = (id: string) => id.startsWith('mem_');

/** The person, when they exist in the workspace (a team member must answer, not only observe). */
export async function findPerson(db: Kysely<DB>, workspaceId: string, id: string): Promise<Person | undefined> {
  if (isWorkspaceMember(id)) {
    const member = await db.selectFrom('members').select('name').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return member && { id, name: member.name, teamId: null };
  }
  const member = await db
    .selectFrom('team_members')
    .select(['name', 'team_id'])
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', 'member')
    .executeTakeFirst();
  return member && { id, name: member.name, teamId: member.team_id };
}

export async function requirePerson(db: Kysely<DB>, workspaceId: string, id: string): Promise<Person> {
  const person = await findPerson(db, workspaceId, id);
  if (!person) throw notFound(isWorkspaceMember(id) ? 'Member not found' : 'Team member not found', { field: 'memberId', memberId: id });
  return person;
}

/** How a conversation's owner is named in messages: "Ada (tm_…)", or the id alone when unknown (a helpdesk agent). */
export async function describePerson(db: Kysely<DB>, workspaceId: string, id: string): Promise<string> {
  const person = await findPerson(db, workspaceId, id).catch(() => undefined);
  return person ? `${person.name} (${id})` : id;
}
