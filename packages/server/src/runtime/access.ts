/**
 * Whether a widget request (or an open widget stream) may go on: the token names a live
 * deployment of an active workspace, the deployment is not paused, and the page's origin is one
 * of the deployment's. Requests are checked with it as they arrive, and open streams again
 * every half second (stream-guard.ts), so a change made on any node ends them too.
 */
import { ErrorCode, type AttachmentSettings } from '@switchboard/core';
import { ApiError } from '../http/errors.js';
import type { WebDeploymentRecord } from '../store/repositories/web-deployments.js';

export interface ResolvedToken {
  deployment: WebDeploymentRecord;
  tokenRevoked: boolean;
  workspaceSuspended: boolean;
  deploymentPaused: boolean;
  /** The deployment's upload rules, cached with the rest (a change to them is announced like one to the deployment). */
  attachmentSettings: AttachmentSettings;
}

/** `meta.reason` lets a client tell refusals apart without reading the message. */
export const forbidden = (message: string, reason: string) => new ApiError(403, ErrorCode.FORBIDDEN, message, null, { reason });
export const unauthorized = (message: string, reason: string) => new ApiError(401, ErrorCode.UNAUTHORIZED, message, null, { reason });

export function accessRefusal(resolved: ResolvedToken | undefined, origin: string | undefined): ApiError | undefined {
  if (!resolved) return unauthorized('Deployment token is not valid', 'TOKEN_INVALID');
  if (resolved.tokenRevoked) return unauthorized('Deployment token was revoked', 'TOKEN_REVOKED');
  const { deployment } = resolved;
  if (resolved.workspaceSuspended) return forbidden(`Workspace ${deployment.workspaceId} is suspended`, 'WORKSPACE_SUSPENDED');
  if (resolved.deploymentPaused) return forbidden('This deployment is paused', 'DEPLOYMENT_PAUSED');
  if (!origin) return forbidden('Origin header is required: this deployment accepts requests only from its allowed origins', 'ORIGIN_MISSING');
  if (!deployment.allowedOrigins.includes(origin)) return forbidden(`Origin ${origin} is not allowed for this deployment`, 'ORIGIN_NOT_ALLOWED');
  return undefined;
}
