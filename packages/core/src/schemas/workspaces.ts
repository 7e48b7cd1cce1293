import { z } from 'zod';
import { nameSchema } from './common.js';

/** A suspended workspace's API keys and widget tokens answer 403 until it is active again. */
export const WORKSPACE_STATUSES = ['active', 'suspended'] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

/** `admin`: every method. `read`: GET and HEAD only; any other method answers 403. */
export const API_KEY_SCOPES = ['admin', 'read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : `must be ${what}`);

export const workspaceRequestSchema = z.strictObject({ name: nameSchema });
export type WorkspaceRequest = z.input<typeof workspaceRequestSchema>;

/** Rename, suspend (`status: 'suspended'`) or resume (`status: 'active'`); fields left out stay. */
export const workspaceUpdateSchema = z.strictObject({
  name: nameSchema.optional(),
  status: z.enum(WORKSPACE_STATUSES, { error: required(`one of ${WORKSPACE_STATUSES.join(', ')}`) }).optional(),
});
export type WorkspaceUpdateRequest = z.input<typeof workspaceUpdateSchema>;
export type ParsedWorkspaceUpdate = z.output<typeof workspaceUpdateSchema>;

export const apiKeyRequestSchema = z.strictObject({
  name: nameSchema.default('api key'),
  scope: z.enum(API_KEY_SCOPES, { error: required(`one of ${API_KEY_SCOPES.join(', ')}`) }).default('admin'),
});
export type ApiKeyRequest = z.input<typeof apiKeyRequestSchema>;
export type ParsedApiKeyRequest = z.output<typeof apiKeyRequestSchema>;

export interface Workspace {
  id: string;
  name: string;
  status: WorkspaceStatus;
  createdAt: number;
  updatedAt: number;
}

/** An API key as listings show it: never the key, never its hash. */
export interface ApiKey {
  /** `key_…`: names the key in listings and to revoke it. */
  id: string;
  workspaceId: string;
  name: string;
  /** `sbk_` and the first 6 random characters of a generated key; empty for a key chosen through SWITCHBOARD_API_KEY. */
  prefix: string;
  scope: ApiKeyScope;
  /** May manage every workspace through /v1/workspaces. */
  instanceAdmin: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A key in the one answer that shows it. */
export interface IssuedApiKey extends ApiKey {
  /** The whole key: shown only here. */
  key: string;
}

/** A new workspace and its first admin key, shown once. */
export interface CreatedWorkspace extends Workspace {
  apiKey: IssuedApiKey;
}
