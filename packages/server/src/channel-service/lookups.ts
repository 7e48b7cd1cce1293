/**
 * What the channel service asks providers before it creates a channel: the provider is the
 * judge of an id or a token, so a channel is never stored for a number, page or bot the
 * given credentials cannot reach. Failures become 4xx naming the field at fault (see
 * `upstreamFailure`), or 502 when the provider could not be asked.
 */
import { ErrorCode } from '@switchboard/core';
import { DeliveryError, type ConnectionContext } from '../channels/adapter.js';
import { authQuery, graphFetch, GRAPH_TIMEOUT_MS } from '../channels/meta/graph.js';
import { graphRoot } from '../channels/meta/settings.js';
import { listPages, type MetaPage } from '../channels/meta/pages.js';
import { whatsappChannelIdentifier } from '../channels/meta/parse.js';
import { ChannelServiceError, UPSTREAM_UNAVAILABLE, upstreamFailure } from './errors.js';
import { shortReason } from '../egress/short-reason.js';

/** Graph's OAuth error code: the token is invalid, expired or lacks a permission. */
const GRAPH_OAUTH_ERROR = 190;

interface GraphErrorBody {
  error?: { message?: unknown; code?: unknown; error_subcode?: unknown };
}

/**
 * `GET {apiBaseUrl}/vNN.N/{node}?fields=…` with the connection's access token (Bearer, plus
 * `appsecret_proof` when an app secret is known). A refusal is reported against `field`,
 * or against `tokenField` when Graph says the token itself is bad (code 190).
 */
async function graphNode(
  connection: ConnectionContext,
  node: string,
  fields: string,
  fetchImpl: typeof fetch,
  what: string,
  field: string,
  tokenField: string,
): Promise<Record<string, unknown>> {
  const token = connection.secrets.accessToken;
  if (!token) throw new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, `${what}: no access token`, [{ field: tokenField, message: 'Required' }]);
  const query = authQuery(connection, token, false);
  query.set('fields', fields);
  let response: Response;
  try {
    response = await graphFetch(
      fetchImpl,
      `${graphRoot(connection)}/${encodeURIComponent(node)}?${query.toString()}`,
      { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      what,
    );
  } catch (error) {
    throw upstreamFailure(error, field, what);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const graph = (body as GraphErrorBody | undefined)?.error;
    const code = typeof graph?.code === 'number' ? graph.code : undefined;
    const message = `${typeof graph?.message === 'string' ? graph.message : shortReason(text) || 'error'}${code !== undefined ? ` (code ${code})` : ''}`;
    const status = response.status;
    const blame = code === GRAPH_OAUTH_ERROR || status === 401 ? tokenField : field;
    throw upstreamFailure(new DeliveryError(`Graph API answered ${status}: ${message}`, { retryable: status >= 500, status }), blame, what);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ChannelServiceError(502, UPSTREAM_UNAVAILABLE, `${what}: Graph API answered something other than a JSON object`);
  }
  return body as Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const idOf = (value: unknown): string | undefined => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : text(value));

export interface WhatsAppNumber {
  /** E.164, e.g. `+12025550147`: the WhatsApp channel's identifier (inbound webhooks name it so). */
  identifier: string;
  displayPhoneNumber: string;
  verifiedName: string | undefined;
}

/**
 * The number behind a WhatsApp phone number id: `GET /vNN.N/{phone_number_id}?fields=display_phone_number,verified_name`.
 * Inbound WhatsApp webhooks carry `metadata.display_phone_number`, and channels are found by
 * its E.164 form, so that is what the channel is identified by.
 */
export async function lookupWhatsAppNumber(connection: ConnectionContext, phoneNumberId: string, fetchImpl: typeof fetch): Promise<WhatsAppNumber> {
  const what = `Looking up WhatsApp phone number id ${phoneNumberId}`;
  const node = await graphNode(connection, phoneNumberId, 'display_phone_number,verified_name', fetchImpl, what, 'phone_number_id', 'access_token');
  const display = text(node.display_phone_number);
  const identifier = display ? whatsappChannelIdentifier(display) : undefined;
  if (!display || !identifier) {
    throw new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, `${what}: the Graph API gave no display_phone_number for it`, [
      { field: 'phone_number_id', message: 'is not a WhatsApp phone number id the access token can read' },
    ]);
  }
  return { identifier, displayPhoneNumber: display, verifiedName: text(node.verified_name) };
}

/** The Facebook pages the credential's token manages (`me/accounts`, every page of results). */
export async function facebookPages(connection: ConnectionContext, fetchImpl: typeof fetch, field = 'credential_id'): Promise<MetaPage[]> {
  if (!connection.secrets.accessToken) {
    throw new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, `Credential ${connection.id} has no access token to list Facebook pages with`, [
      { field, message: 'must be a Meta credential with an access token' },
    ]);
  }
  try {
    return await listPages(connection, fetchImpl);
  } catch (error) {
    throw upstreamFailure(error, field, `Listing the Facebook pages of credential ${connection.id}`);
  }
}

export interface InstagramAccount {
  id: string;
  username: string | undefined;
}

/** The Instagram professional account linked to a page: `GET /vNN.N/{page_id}?fields=instagram_business_account{id,username}`. */
export async function instagramAccountOfPage(connection: ConnectionContext, pageId: string, fetchImpl: typeof fetch): Promise<InstagramAccount> {
  const what = `Looking up the Instagram account of page ${pageId}`;
  const node = await graphNode(connection, pageId, 'name,instagram_business_account{id,username}', fetchImpl, what, 'page_id', 'credential_id');
  const linked = node.instagram_business_account as Record<string, unknown> | undefined;
  const id = idOf(linked?.id);
  if (!id) {
    throw new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, `${what}: the page has no linked Instagram professional account`, [
      { field: 'page_id', message: 'has no Instagram professional account linked to it' },
    ]);
  }
  return { id, username: text(linked?.username) };
}

/** Checks an Instagram account id against Graph: `GET /vNN.N/{ig_id}?fields=id,username`. */
export async function instagramAccount(connection: ConnectionContext, accountId: string, fetchImpl: typeof fetch): Promise<InstagramAccount> {
  const what = `Looking up Instagram account ${accountId}`;
  const node = await graphNode(connection, accountId, 'id,username', fetchImpl, what, 'instagram_account_id', 'credential_id');
  return { id: idOf(node.id) ?? accountId, username: text(node.username) };
}

export interface LineBot {
  userId: string;
  displayName: string | undefined;
}

/** The bot behind a channel access token: `GET {apiBaseUrl}/v2/bot/info` (its `userId` is the webhook `destination`). */
export async function lookupLineBot(apiBaseUrl: string, channelAccessToken: string, fetchImpl: typeof fetch): Promise<LineBot> {
  const what = 'Looking up the LINE bot (GET /v2/bot/info)';
  let response: Response;
  try {
    response = await fetchImpl(`${apiBaseUrl.replace(/\/+$/, '')}/v2/bot/info`, {
      headers: { authorization: `Bearer ${channelAccessToken}` },
      signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ChannelServiceError(502, UPSTREAM_UNAVAILABLE, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => undefined)) as { userId?: unknown; displayName?: unknown; message?: unknown } | undefined;
  if (!response.ok) {
    const message = `LINE answered ${response.status}: ${text(body?.message) ?? 'error'}`;
    throw upstreamFailure(new DeliveryError(message, { retryable: response.status >= 500, status: response.status }), 'channel_access_token', what);
  }
  const userId = text(body?.userId);
  if (!userId || !/^U[0-9a-f]{32}$/.test(userId)) {
    throw new ChannelServiceError(502, UPSTREAM_UNAVAILABLE, `${what}: LINE answered no bot user id; give bot_user_id instead`);
  }
  return { userId, displayName: text(body?.displayName) };
}
