import { z } from 'zod';
import { AgentBackendType } from '../enums.js';
import { PATTERNS, isWebUrl } from '../validation.js';
import { nameSchema } from './common.js';
import { quickRepliesSchema } from './quick-replies.js';
import { PatternError, compileKeyword, compileLinearRegex, type TextPattern } from '../linear-regex.js';

export const AGENT_BACKEND_TYPES = Object.values(AgentBackendType) as [AgentBackendType, ...AgentBackendType[]];

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : `must be ${what}`);

/** An absolute http(s) URL with a host, at most 2048 characters. */
function httpUrlSchema(example: string) {
  const message = `must be an absolute http(s) URL, e.g. ${example}`;
  return z
    .string({ error: required('a string') })
    .max(2048, { message: 'must be at most 2048 characters', abort: true })
    .regex(PATTERNS.webUrl, { message, abort: true })
    .refine(isWebUrl, message);
}

function timeoutSchema(min: number, max: number, fallback: number) {
  const range = `must be a whole number of milliseconds from ${min} to ${max}`;
  return z.number({ error: required('a number') }).int(range).min(min, range).max(max, range).default(fallback);
}

// ── echo ────────────────────────────────────────────────────────────────────

/** Repeats the contact's message. */
export const echoBackendSchema = z.strictObject({ type: z.literal(AgentBackendType.ECHO) });

// ── scripted ────────────────────────────────────────────────────────────────

export const SCRIPTED_MATCH_KINDS = ['keyword', 'regex'] as const;
export type ScriptedMatchKind = (typeof SCRIPTED_MATCH_KINDS)[number];
export const MAX_SCRIPTED_RULES = 200;

/**
 * The pattern a scripted rule matches with, case-insensitive unless `caseSensitive` is true. Both
 * kinds run on an RE2 engine (see `compileLinearRegex`): matching time is linear in the message.
 *
 * - `keyword`: a **whole-word** match. The keyword (trimmed; inner runs of whitespace match
 *   any whitespace) must not be preceded or followed by a letter, digit or underscore, so
 *   `hi` matches "Hi there!" but not "this". Keywords may contain punctuation (`c++`, `opening hours?`).
 * - `regex`: the pattern in RE2 syntax, searched anywhere in the text (anchor it with `^…$` to
 *   match the whole message). Backreferences and lookaround are not available.
 *
 * Throws a PatternError, whose message says why, when the pattern cannot be used.
 */
export function compileScriptedRule(rule: { match: ScriptedMatchKind; pattern: string; caseSensitive?: boolean | undefined }): TextPattern {
  const options = { caseSensitive: rule.caseSensitive };
  return rule.match === 'regex' ? compileLinearRegex(rule.pattern, options) : compileKeyword(rule.pattern, options);
}

export const scriptedRuleSchema = z
  .strictObject({
    match: z.enum(SCRIPTED_MATCH_KINDS, { error: required('one of keyword, regex') }),
    pattern: z
      .string({ error: required('a string') })
      .min(1, 'must not be empty')
      .max(500, 'must be at most 500 characters'),
    reply: z
      .string({ error: required('a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(10_000, 'must be at most 10000 characters'),
    caseSensitive: z.boolean({ error: 'must be true or false' }).default(false),
    quickReplies: quickRepliesSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.match === 'keyword' && rule.pattern.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'must not be blank', input: rule.pattern });
      return;
    }
    try {
      compileScriptedRule(rule);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: error.message, input: rule.pattern });
    }
  })
  .describe(
    'One rule: `keyword` matches the pattern as a whole word or phrase, case-insensitively unless `caseSensitive`; ' +
      '`regex` searches a regular expression in RE2 syntax (case-insensitive unless `caseSensitive`), which matches in ' +
      'linear time: backreferences and lookaround are refused.',
  );

/** Answers with the reply of the first rule (in order) that matches the message, else `fallback`. */
export const scriptedBackendSchema = z.strictObject({
  type: z.literal(AgentBackendType.SCRIPTED),
  rules: z
    .array(scriptedRuleSchema, { error: required('a list of rules') })
    .min(1, 'must have at least one rule')
    .max(MAX_SCRIPTED_RULES, `must have at most ${MAX_SCRIPTED_RULES} rules`),
  fallback: z
    .string({ error: required('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(10_000, 'must be at most 10000 characters'),
  /** Quick replies offered with the fallback reply. */
  fallbackQuickReplies: quickRepliesSchema.optional(),
});

// ── webhook ─────────────────────────────────────────────────────────────────

/** `whsec_` followed by padded standard base64. */
export const WEBHOOK_SECRET_PATTERN = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const WEBHOOK_SECRET_RULE = 'must be a Standard Webhooks secret: "whsec_" followed by the base64 of 24 to 64 random bytes';

/** Number of bytes a `whsec_…` secret decodes to (the secret must match WEBHOOK_SECRET_PATTERN). */
export function webhookSecretLength(secret: string): number {
  const body = secret.slice('whsec_'.length);
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return (body.length / 4) * 3 - padding;
}

export const webhookSecretSchema = z
  .string({ error: required('a string') })
  .regex(WEBHOOK_SECRET_PATTERN, { message: WEBHOOK_SECRET_RULE, abort: true })
  .refine((secret) => {
    const bytes = webhookSecretLength(secret);
    return bytes >= 24 && bytes <= 64;
  }, WEBHOOK_SECRET_RULE);

/**
 * POSTs each contact message to the operator's URL, signed with Standard Webhooks. The reply
 * is the response body (`{"reply": "…"}`), or posted later through the API after a 202/204.
 * `secret` is generated when absent and shown once, as `signingSecret`, in the response that created it.
 */
export const webhookBackendSchema = z.strictObject({
  type: z.literal(AgentBackendType.WEBHOOK),
  url: httpUrlSchema('https://example.com/hooks/switchboard'),
  secret: webhookSecretSchema.optional(),
  timeoutMs: timeoutSchema(1_000, 60_000, 15_000),
});

// ── openai-compatible ───────────────────────────────────────────────────────

/**
 * Chat completions (streamed) from any OpenAI-compatible server. `instructions` is the system
 * prompt. `apiKey` is optional (local servers may need none); `null` means no key.
 */
export const openAICompatibleBackendSchema = z.strictObject({
  type: z.literal(AgentBackendType.OPENAI_COMPATIBLE),
  baseUrl: httpUrlSchema('https://api.openai.com/v1').refine((url) => {
    try {
      const parsed = new URL(url);
      return parsed.search === '' && parsed.hash === '';
    } catch {
      return true; // reported by the URL rule
    }
  }, 'must not have a query string or fragment: `/chat/completions` is appended to it'),
  model: z
    .string({ error: required('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  apiKey: z
    .string({ error: required('a string or null') })
    .trim()
    .min(1, 'must not be empty (leave it out, or send null, when the server needs no key)')
    .max(4_096, 'must be at most 4096 characters')
    .nullable()
    .optional(),
  temperature: z.number({ error: required('a number') }).min(0, 'must be from 0 to 2').max(2, 'must be from 0 to 2').optional(),
  maxTokens: z
    .number({ error: required('a number') })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .optional(),
  timeoutMs: timeoutSchema(1_000, 300_000, 30_000),
});

export const agentBackendSchema = z.discriminatedUnion(
  'type',
  [echoBackendSchema, scriptedBackendSchema, webhookBackendSchema, openAICompatibleBackendSchema],
  {
    error: (issue) => (issue.input === undefined ? 'Required' : `backend.type must be one of ${AGENT_BACKEND_TYPES.join(', ')}`),
  },
);

/** What a client sends as `backend`. */
export type AgentBackendInput = z.input<typeof agentBackendSchema>;
export type EchoBackendInput = z.input<typeof echoBackendSchema>;
export type ScriptedBackendInput = z.input<typeof scriptedBackendSchema>;
export type ScriptedRuleInput = z.input<typeof scriptedRuleSchema>;
export type WebhookBackendInput = z.input<typeof webhookBackendSchema>;
export type OpenAICompatibleBackendInput = z.input<typeof openAICompatibleBackendSchema>;

/** `backend` after validation: defaults filled in, secrets still in plain text (server side only). */
export type ParsedAgentBackend = z.output<typeof agentBackendSchema>;
export type ParsedScriptedBackend = z.output<typeof scriptedBackendSchema>;
export type ParsedWebhookBackend = z.output<typeof webhookBackendSchema>;
export type ParsedOpenAICompatibleBackend = z.output<typeof openAICompatibleBackendSchema>;
export type ScriptedRule = z.output<typeof scriptedRuleSchema>;

// ── public view: what the API returns; never a secret ───────────────────────

export const secretViewSchema = z.object({
  mask: z.string().describe('At most the first 3 and last 4 characters, e.g. `sk-…wxyz`; `••••••` for a value shorter than 16 characters'),
  fingerprint: z.string().describe('16 hex digits of an HMAC-SHA256 of the secret under a key derived from the master key, to tell secrets apart'),
});

export const echoBackendViewSchema = z.object({ type: z.literal(AgentBackendType.ECHO) });

export const scriptedBackendViewSchema = z.object({
  type: z.literal(AgentBackendType.SCRIPTED),
  rules: z.array(
    z.object({
      match: z.enum(SCRIPTED_MATCH_KINDS),
      pattern: z.string(),
      reply: z.string(),
      caseSensitive: z.boolean(),
      quickReplies: z.array(z.string()).optional(),
    }),
  ),
  fallback: z.string(),
  fallbackQuickReplies: z.array(z.string()).optional(),
});

export const webhookBackendViewSchema = z.object({
  type: z.literal(AgentBackendType.WEBHOOK),
  url: z.string(),
  timeoutMs: z.number().int(),
  secret: secretViewSchema.describe('The signing secret, masked'),
});

export const openAICompatibleBackendViewSchema = z.object({
  type: z.literal(AgentBackendType.OPENAI_COMPATIBLE),
  baseUrl: z.string(),
  model: z.string(),
  temperature: z.number().optional(),
  maxTokens: z.number().int().optional(),
  timeoutMs: z.number().int(),
  apiKey: secretViewSchema.nullable().describe('The API key, masked; null when none is set'),
});

export const agentBackendViewSchema = z.discriminatedUnion('type', [
  echoBackendViewSchema,
  scriptedBackendViewSchema,
  webhookBackendViewSchema,
  openAICompatibleBackendViewSchema,
]);

export type SecretView = z.output<typeof secretViewSchema>;
export type EchoBackendView = z.output<typeof echoBackendViewSchema>;
export type ScriptedBackendView = z.output<typeof scriptedBackendViewSchema>;
export type WebhookBackendView = z.output<typeof webhookBackendViewSchema>;
export type OpenAICompatibleBackendView = z.output<typeof openAICompatibleBackendViewSchema>;
export type AgentBackendView = z.output<typeof agentBackendViewSchema>;
/** `Agent.backend` as the API returns it: the public view, secrets masked. */
export type AgentBackend = AgentBackendView;

// ── agent ───────────────────────────────────────────────────────────────────

const instructions = z.string().max(100_000, 'must be at most 100000 characters');
const introductionMessage = z.string().max(2_000, 'must be at most 2000 characters');

export const agentRequestSchema = z.strictObject({
  name: nameSchema,
  instructions: instructions.default(''),
  introductionMessage: introductionMessage.nullable().default(null),
  backend: agentBackendSchema.prefault({ type: AgentBackendType.ECHO }),
});
export type AgentRequest = z.input<typeof agentRequestSchema>;
export type ParsedAgentRequest = z.output<typeof agentRequestSchema>;

/**
 * `backend`, when sent, replaces the backend. When it keeps the same type and leaves out
 * `apiKey` (openai-compatible) or `secret` (webhook), the stored secret is kept, so the model
 * can change without re-sending the key; `apiKey: null` removes the key. A stored API key is
 * only kept while `baseUrl` stays on the same origin: moving to another host needs the key again.
 */
export const agentUpdateSchema = z.strictObject({
  id: z.string().optional(),
  name: nameSchema.optional(),
  instructions: instructions.optional(),
  introductionMessage: introductionMessage.nullable().optional(),
  backend: agentBackendSchema.optional(),
});
export type AgentUpdateRequest = z.input<typeof agentUpdateSchema>;
export type ParsedAgentUpdate = z.output<typeof agentUpdateSchema>;

export interface Agent {
  id: string;
  name: string;
  /** The system prompt of LLM backends. */
  instructions: string;
  /** The greeting a new conversation opens with; null for none. */
  introductionMessage: string | null;
  /** Who answers, as public view: secrets appear only as `{mask, fingerprint}`. */
  backend: AgentBackend;
  /**
   * The webhook signing secret (`whsec_…`), present only in the one response that generated it
   * (a create, or an update switching to a webhook backend without a `secret`). Never shown again.
   */
  signingSecret?: string;
  createdAt: number;
  updatedAt: number;
}
