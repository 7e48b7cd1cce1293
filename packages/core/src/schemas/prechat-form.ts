import { z } from 'zod';

/**
 * A web deployment's pre-chat form: what the widget asks a visitor before the chat starts. The
 * answers are stored on the visitor's contact: `name` as its display name, every other field
 * (`email` included) as a contact attribute under the field's key.
 */
export const PRECHAT_FIELD_TYPES = ['text', 'email', 'tel', 'select'] as const;
export type PreChatFieldType = (typeof PRECHAT_FIELD_TYPES)[number];

export const PRECHAT_MAX_FIELDS = 10;
export const PRECHAT_MAX_OPTIONS = 20;
/** The longest answer accepted for a text or tel field (an email address: 254). */
export const PRECHAT_MAX_VALUE = 500;
const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;

const label = (max: number) => z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const preChatFieldSchema = z
  .strictObject({
    /** Where the answer is stored: `name` (the contact's display name), `email`, or a custom attribute name. */
    key: z.string({ error: 'must be a string' }).regex(FIELD_KEY, 'must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 40 characters)'),
    label: label(100),
    type: z.enum(PRECHAT_FIELD_TYPES, { error: `must be one of ${PRECHAT_FIELD_TYPES.join(', ')}` }).default('text'),
    required: z.boolean({ error: 'must be true or false' }).default(false),
    /** The choices of a `select` field, in order. */
    options: z.array(label(100)).min(1, 'must list at least one option').max(PRECHAT_MAX_OPTIONS, `must list at most ${PRECHAT_MAX_OPTIONS} options`).optional(),
  })
  .superRefine((field, ctx) => {
    if (field.type === 'select' && !field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'is required for a select field' });
    if (field.type !== 'select' && field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'is only for select fields' });
    if (field.options && new Set(field.options).size !== field.options.length) ctx.addIssue({ code: 'custom', path: ['options'], message: 'must not repeat an option' });
    if (field.key === 'email' && field.type !== 'email') ctx.addIssue({ code: 'custom', path: ['type'], message: 'must be "email" for the email field' });
    if (field.key === 'name' && field.type !== 'text') ctx.addIssue({ code: 'custom', path: ['type'], message: 'must be "text" for the name field' });
  });
export type PreChatField = z.output<typeof preChatFieldSchema>;

export const preChatFormSchema = z
  .strictObject({
    /** True: the widget asks before the visitor can write. False: the form is kept but not shown. */
    showBeforeFirstMessage: z.boolean({ error: 'must be true or false' }).default(true),
    /** The form's heading; the widget's own ("Before we start") when absent. */
    title: label(100).optional(),
    /** The submit button's text; the widget's own ("Start chat") when absent. */
    submitLabel: label(40).optional(),
    fields: z.array(preChatFieldSchema).min(1, 'must list at least one field').max(PRECHAT_MAX_FIELDS, `must list at most ${PRECHAT_MAX_FIELDS} fields`),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.fields.forEach((field, index) => {
      if (seen.has(field.key)) ctx.addIssue({ code: 'custom', path: ['fields', index, 'key'], message: `must be unique: "${field.key}" is used by another field` });
      seen.add(field.key);
    });
  });
export type PreChatForm = z.output<typeof preChatFormSchema>;
export type PreChatFormRequest = z.input<typeof preChatFormSchema>;

/** A visitor's answers, keyed by field key; checked against the deployment's form by `preChatAnswerIssues`. */
export const preChatSubmissionSchema = z.strictObject({
  values: z
    .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of answers by field key' })
    .refine((values) => Object.keys(values).length <= PRECHAT_MAX_FIELDS, `must hold at most ${PRECHAT_MAX_FIELDS} answers (a form has at most ${PRECHAT_MAX_FIELDS} fields)`),
  /** The visitor token the widget holds, if any: the answers go to that visitor's contact. */
  visitorToken: z.string().max(100).optional(),
  locale: z.string().max(35).optional(),
});
export type PreChatSubmission = z.output<typeof preChatSubmissionSchema>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL = /^\+?[0-9][0-9 ().-]{2,29}$/;

/** The problems of a visitor's answers against a form (`field` like `values.email`), and the trimmed answers to store. */
export function checkPreChatAnswers(form: PreChatForm, values: Record<string, string>): { issues: { field: string; message: string }[]; answers: Record<string, string> } {
  const issues: { field: string; message: string }[] = [];
  const answers: Record<string, string> = {};
  const keys = new Set(form.fields.map((field) => field.key));
  for (const key of Object.keys(values)) {
    if (!keys.has(key)) issues.push({ field: `values.${key}`, message: `is not a field of this form (its fields: ${[...keys].join(', ')})` });
  }
  for (const field of form.fields) {
    const value = (values[field.key] ?? '').trim();
    const where = `values.${field.key}`;
    if (value === '') {
      if (field.required) issues.push({ field: where, message: 'is required' });
      continue;
    }
    const max = field.type === 'email' ? 254 : PRECHAT_MAX_VALUE;
    if (value.length > max) issues.push({ field: where, message: `must be at most ${max} characters` });
    else if (field.type === 'email' && !EMAIL.test(value)) issues.push({ field: where, message: 'must be an email address, like name@example.com' });
    else if (field.type === 'tel' && !TEL.test(value)) issues.push({ field: where, message: 'must be a phone number: digits, spaces, ( ) . - and an optional leading +' });
    else if (field.type === 'select' && !field.options!.includes(value)) issues.push({ field: where, message: `must be one of: ${field.options!.join(', ')}` });
    else answers[field.key] = value;
  }
  return { issues, answers };
}
