import { api, type Page } from '../api.js';
import type { IssuedWebDeployment, WebDeployment } from '../types.js';

/** The web deployment the console itself chats through, for Try it and the theme preview. */
export const TRY_IT_NAME = 'Console try-it';
const KEY = 'switchboard:console:try-it:';

interface Stored {
  deploymentId: string;
  token: string;
}

function read(agentId: string): Stored | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY + agentId) ?? 'null') as Stored | null;
    return value && typeof value.token === 'string' && typeof value.deploymentId === 'string' ? value : null;
  } catch {
    return null;
  }
}

function remember(agentId: string, deployment: IssuedWebDeployment): Stored {
  const stored = { deploymentId: deployment.id, token: deployment.token };
  try {
    sessionStorage.setItem(KEY + agentId, JSON.stringify(stored));
  } catch {
    // kept for this call only
  }
  return stored;
}

/**
 * A token for the agent's console deployment (allowed origin: this console's origin). Tokens are
 * shown only when issued, so one kept from earlier in this tab is reused while its deployment is
 * live; otherwise the deployment's token is rotated, or the deployment is created.
 */
export async function tryItToken(agentId: string): Promise<Stored> {
  const deployments = await api.get<Page<WebDeployment>>(`agents/${agentId}/deployments`, { query: { pageSize: 100 } });
  const live = deployments.data.find((deployment) => deployment.name === TRY_IT_NAME && deployment.revokedAt === null && deployment.allowedOrigins.includes(location.origin));
  const stored = read(agentId);
  if (live && stored && stored.deploymentId === live.id && stored.token.startsWith(live.tokenPrefix.replace(/[.…]+$/, ''))) return stored;
  if (live) return remember(agentId, await api.post<IssuedWebDeployment>(`agents/${agentId}/deployments/${live.id}/rotate`));
  const created = await api.post<IssuedWebDeployment>(`agents/${agentId}/deployments`, {
    name: TRY_IT_NAME,
    allowedOrigins: [location.origin],
    channel: { channelIdentifier: `${location.origin}/console/try/${agentId}`, channelName: `${TRY_IT_NAME} (${agentId})` },
  });
  return remember(agentId, created);
}

/** The address of the framed preview page; the token travels in the fragment, never to the server. */
export function previewUrl(options: { agentId: string; token: string; theme?: Record<string, unknown> }): string {
  return `/console/preview.html#${encodeURIComponent(JSON.stringify({ ...options, open: true }))}`;
}
