import { z } from 'zod';
import { idSchema, nameSchema } from './common.js';

/** Members answer conversations handed to their team; the role says what else they may do. */
export const TEAM_MEMBER_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type TeamMemberRole = (typeof TEAM_MEMBER_ROLES)[number];

/** Connection providers that can take a team's handoffs. */
export const HELPDESK_PROVIDERS = ['zendesk', 'servicenow', 'genesys', 'webhook'] as const;
export type HelpdeskProvider = (typeof HELPDESK_PROVIDERS)[number];

export const MAX_CHANNEL_TEAMS = 100;

/**
 * The shape of an address (WHATWG's `input type=email` rule, with a dotted domain), at most
 * 254 characters. Stored lower-case, so one person cannot be added twice under two spellings.
 */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : `must be ${what}`);

export const emailSchema = z
  .string({ error: required('a string') })
  .trim()
  .max(254, { message: 'must be at most 254 characters', abort: true })
  .regex(EMAIL_PATTERN, 'must be an email address, e.g. ana@example.com')
  .overwrite((address) => address.toLowerCase());

const description = z.string({ error: required('a string or null') }).max(2_000, 'must be at most 2000 characters');

export const teamRequestSchema = z.strictObject({
  name: nameSchema,
  description: description.nullable().default(null),
  /** A zendesk, servicenow, genesys or webhook connection of this workspace that takes the team's handoffs. */
  helpdeskConnectionId: idSchema.nullable().default(null),
});
export type TeamRequest = z.input<typeof teamRequestSchema>;
export type ParsedTeamRequest = z.output<typeof teamRequestSchema>;

export const teamUpdateSchema = z.strictObject({
  id: z.string().optional(),
  name: nameSchema.optional(),
  description: description.nullable().optional(),
  helpdeskConnectionId: idSchema.nullable().optional(),
});
export type TeamUpdateRequest = z.input<typeof teamUpdateSchema>;
export type ParsedTeamUpdate = z.output<typeof teamUpdateSchema>;

export const teamMemberRequestSchema = z.strictObject({
  name: nameSchema,
  email: emailSchema,
  role: z.enum(TEAM_MEMBER_ROLES, { error: required(`one of ${TEAM_MEMBER_ROLES.join(', ')}`) }).default('agent'),
});
export type TeamMemberRequest = z.input<typeof teamMemberRequestSchema>;
export type ParsedTeamMemberRequest = z.output<typeof teamMemberRequestSchema>;

export const teamObserverRequestSchema = z.strictObject({
  name: nameSchema,
  email: emailSchema,
});
export type TeamObserverRequest = z.input<typeof teamObserverRequestSchema>;
export type ParsedTeamObserverRequest = z.output<typeof teamObserverRequestSchema>;

/** Replaces the teams that may be assigned conversations of a channel; `[]` clears them. */
export const channelTeamsRequestSchema = z.strictObject({
  teamIds: z
    .array(idSchema, { error: required('a list of team ids') })
    .max(MAX_CHANNEL_TEAMS, `must have at most ${MAX_CHANNEL_TEAMS} teams`)
    .transform((ids) => [...new Set(ids)]),
});
export type ChannelTeamsRequest = z.input<typeof channelTeamsRequestSchema>;

export interface TeamMember {
  id: string;
  name: string;
  /** Lower-case. */
  email: string;
  role: TeamMemberRole;
  /** The workspace member (`mem_…`) this person signs in as, when linked; null for a name and email only. */
  memberId: string | null;
}

export interface TeamObserver {
  id: string;
  name: string;
  email: string;
}

export interface Team {
  id: string;
  name: string;
  description: string | null;
  helpdeskConnectionId: string | null;
  /** Oldest first. */
  members: TeamMember[];
  /** Oldest first. */
  observers: TeamObserver[];
  createdAt: number;
  updatedAt: number;
}
