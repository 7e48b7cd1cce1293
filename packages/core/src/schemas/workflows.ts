import { z } from 'zod';
import { idSchema, nameSchema } from './common.js';
import { compileScriptedRule } from './agent.js';
import { PatternError, type TextPattern } from '../linear-regex.js';

/** Days of the week as business hours name them, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_WORKFLOW_RULES = 100;

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : `must be ${what}`);

/** True when `Intl` knows the time zone (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The time zone as `Intl` spells it (`america/new_york` → `America/New_York`); the input when unknown. */
export function canonicalTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return timeZone;
  }
}

/** `HH:MM` on a 24-hour clock, as minutes since midnight. */
export function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * Keywords match as whole words or phrases, case-insensitively: `refund` matches "Refund please!"
 * but not "refunded". Regular expressions (RE2 syntax, linear-time matching, no backreferences or
 * lookaround) are searched anywhere in the message, case-insensitively; anchor them with `^…$`
 * to match the whole message. Throws a PatternError for a pattern that cannot be used.
 */
export function compileWorkflowKeyword(keyword: string): TextPattern {
  return compileScriptedRule({ match: 'keyword', pattern: keyword });
}
export function compileWorkflowRegex(pattern: string): TextPattern {
  return compileScriptedRule({ match: 'regex', pattern });
}

const START_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const businessHoursSchema = z
  .strictObject({
    timeZone: z
      .string({ error: required('a string') })
      .min(1, { message: 'Required', abort: true })
      .max(100, { message: 'must be at most 100 characters', abort: true })
      .refine(isValidTimeZone, { message: 'must be an IANA time zone such as America/New_York or Europe/Paris', abort: true })
      .overwrite(canonicalTimeZone),
    days: z
      .array(z.enum(WEEKDAYS, { error: required(`one of ${WEEKDAYS.join(', ')}`) }), { error: required('a list of days') })
      .min(1, 'must name at least one day')
      .transform((days) => WEEKDAYS.filter((day) => days.includes(day))),
    start: z.string({ error: required('a time') }).regex(START_TIME, 'must be a time HH:MM from 00:00 to 23:59'),
    end: z.string({ error: required('a time') }).regex(END_TIME, 'must be a time HH:MM from 00:00 to 24:00'),
    inside: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .superRefine((hours, ctx) => {
    if (START_TIME.test(hours.start) && END_TIME.test(hours.end) && minutesOfDay(hours.start) === minutesOfDay(hours.end)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must differ from start (use 00:00 to 24:00 for the whole day)', input: hours.end });
    }
  })
  .describe(
    'Local opening hours in `timeZone` on the listed `days`, from `start` (included) to `end` (excluded). A span whose end ' +
      'is earlier than its start crosses midnight: `fri` 22:00–06:00 covers Friday 22:00 to Saturday 06:00. `inside: true` ' +
      '(the default) matches while open; `inside: false` matches while closed.',
  );

const keywordsSchema = z
  .array(
    z
      .string({ error: required('a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters'),
    { error: required('a list of keywords') },
  )
  .min(1, 'must have at least one keyword')
  .max(100, 'must have at most 100 keywords')
  .describe('Matches when the message contains any of them as a whole word or phrase, case-insensitively');

const regexSchema = z
  .string({ error: required('a string') })
  .min(1, { message: 'must not be empty', abort: true })
  .max(500, { message: 'must be at most 500 characters', abort: true })
  .superRefine((pattern, ctx) => {
    try {
      compileWorkflowRegex(pattern);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message, input: pattern });
    }
  })
  .describe(
    'A regular expression in RE2 syntax searched anywhere in the message, case-insensitively. It matches in linear time: ' +
      'backreferences and lookaround are refused.',
  );

const languagesSchema = z
  .array(
    z
      .string({ error: required('a string') })
      .regex(/^[A-Za-z]{2,3}$/, 'must be a BCP-47 primary language subtag such as en or fr')
      .overwrite((tag) => tag.toLowerCase()),
    { error: required('a list of language subtags') },
  )
  .min(1, 'must have at least one language')
  .max(50, 'must have at most 50 languages')
  .describe("Matches when the primary subtag of the contact's `language` attribute (`fr` of `fr-CA`) is one of these");

const attributeSchema = z
  .strictObject({
    name: z
      .string({ error: required('a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters'),
    equals: z.string({ error: required('a string') }).max(1_000, 'must be at most 1000 characters'),
  })
  .describe('Matches when the contact attribute `name` is exactly `equals`');

/** Conditions of one rule: every condition present must hold; an empty `when` always matches. */
export const workflowConditionsSchema = z.strictObject({
  businessHours: businessHoursSchema.optional(),
  keywords: keywordsSchema.optional(),
  regex: regexSchema.optional(),
  languages: languagesSchema.optional(),
  attribute: attributeSchema.optional(),
});

export type WorkflowTarget = { agentId: string } | { teamId: string };

/** Where a rule (or the fallback) sends the conversation: exactly one of an agent or a team. */
export const workflowTargetSchema = z
  .strictObject(
    { agentId: idSchema.optional(), teamId: idSchema.optional() },
    { error: (issue) => (issue.code === 'invalid_type' ? required('an object with agentId or teamId')(issue) : undefined) },
  )
  .superRefine((target, ctx) => {
    const named = [target.agentId, target.teamId].filter((id) => id !== undefined).length;
    if (named === 0) ctx.addIssue({ code: 'custom', message: 'must name an agentId or a teamId', input: target });
    if (named === 2) ctx.addIssue({ code: 'custom', message: 'must name either agentId or teamId, not both', input: target });
  })
  .meta({ description: 'Exactly one of `agentId` (an agent answers) or `teamId` (the team takes over)', minProperties: 1, maxProperties: 1 })
  .transform((target): WorkflowTarget => (target.agentId !== undefined ? { agentId: target.agentId } : { teamId: target.teamId! }));

export const workflowRuleSchema = z.strictObject({
  name: z
    .string({ error: required('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
  when: workflowConditionsSchema.prefault({}),
  then: workflowTargetSchema,
});

const rulesSchema = z
  .array(workflowRuleSchema, { error: required('a list of rules') })
  .max(MAX_WORKFLOW_RULES, `must have at most ${MAX_WORKFLOW_RULES} rules`)
  .describe('Tried in order; the first rule whose conditions all hold chooses. None matching: the fallback');

export const workflowRequestSchema = z.strictObject({
  name: nameSchema,
  rules: rulesSchema.default([]),
  fallback: workflowTargetSchema,
});
export type WorkflowRequest = z.input<typeof workflowRequestSchema>;
export type ParsedWorkflowRequest = z.output<typeof workflowRequestSchema>;

/** `rules`, when sent, replaces every rule. */
export const workflowUpdateSchema = z.strictObject({
  id: z.string().optional(),
  name: nameSchema.optional(),
  rules: rulesSchema.optional(),
  fallback: workflowTargetSchema.optional(),
});
export type WorkflowUpdateRequest = z.input<typeof workflowUpdateSchema>;
export type ParsedWorkflowUpdate = z.output<typeof workflowUpdateSchema>;

export const channelWorkflowRequestSchema = z.strictObject({ workflowId: idSchema });
export type ChannelWorkflowRequest = z.input<typeof channelWorkflowRequestSchema>;

export type BusinessHours = z.output<typeof businessHoursSchema>;
export type WorkflowConditions = z.output<typeof workflowConditionsSchema>;
export type WorkflowRule = z.output<typeof workflowRuleSchema>;
export type WorkflowRuleInput = z.input<typeof workflowRuleSchema>;

/** What a channel routes by: ordered rules and the fallback. */
export interface WorkflowDefinition {
  rules: WorkflowRule[];
  fallback: WorkflowTarget;
}

export interface Workflow extends WorkflowDefinition {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}
