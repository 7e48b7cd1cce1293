/**
 * One adapter per provider, all the same shape: verify what came in, parse it into
 * normalized events, say what the provider must get back now, and send replies out
 * through the provider's own API. Adapters do no storage; the inbound pipeline and
 * the outbox call them.
 */
import type { EgressPolicy } from '../egress/policy.js';
import { shortReason } from '../egress/short-reason.js';

/** A webhook request exactly as it arrived. Signatures are checked over `body`, never re-serialized JSON. */
export interface RawInbound {
  method: 'GET' | 'POST';
  /**
   * The public URL the provider called: PUBLIC_URL + path + query string, as the provider
   * saw it (Twilio signs it). Behind a proxy this is not the URL the server saw.
   */
  publicUrl: string;
  /** Path below the connection's inbound URL, e.g. '' or '/voice' or '/voice/gather'. */
  subpath: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** Receive time, epoch ms (replay windows compare against it). */
  receivedAt: number;
}

/** What an adapter needs of a connection, with its secrets opened. */
export interface ConnectionContext {
  id: string;
  workspaceId: string;
  provider: string;
  /** Non-secret settings (account SID, phone number id, page id, SMTP host, …). */
  settings: Record<string, unknown>;
  /** Opened credential values by field name (auth token, app secret, access token, …). */
  secrets: Record<string, string>;
  /** The secret the provider signs or presents inbound (verify token, webhook secret, URL token…). */
  inboundSecret: string;
  /** The provider's API base URL: the real one unless overridden per connection (tests point it at a fake). */
  apiBaseUrl: string;
  /** Which addresses sends may reach (fetch-based sends get it through their fetch; SMTP reads it here). Strict when absent. */
  egress?: EgressPolicy;
}

/** A normalized inbound message. */
export interface InboundEvent {
  /** The provider's own id for this event: the dedupe key (MessageSid, wamid, webhookEventId, MsgId, webhook-id…). */
  providerEventId: string;
  /** Which of the connection's channels it is for: the channelIdentifier of a deployment channel (To number, phone_number_id, page id, address…). */
  channelIdentifier: string;
  contact: { externalId: string; displayName?: string };
  text: string;
  /** Provider facts needed to reply in context (LINE replyToken, email Message-Id and subject, Twilio To/From…). Stored as JSON. */
  replyContext?: Record<string, unknown>;
  /** Files the message carries, fetched from the provider once the webhook is acknowledged (attachments/inbound-media.ts). */
  media?: InboundMedia[];
}

/** A provider's reference to a file (Telegram file_id, …), with the name and type it is stored under unless the download says better. */
export interface InboundMedia {
  ref: string;
  name: string;
  contentType: string;
}

/** A value a request may carry only once (Mailgun's token): refused a second time until it expires. */
export interface ReplayKey {
  /** Who uses it ('mailgun', …): keys of different scopes never collide. */
  scope: string;
  /** Unique within the scope; include the connection id. */
  key: string;
  /** Epoch ms after which the key may be forgotten: by then the request it came with is refused as stale anyway. */
  expiresAt: number;
}

/** The provider's answer to a webhook, sent before any processing. */
export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A reply to deliver. */
export interface OutboundMessage {
  /** Stable across retries: providers that accept an idempotency key get it (Twilio I-Twilio-Idempotency-Token, LINE X-Line-Retry-Key, webhook-id, Message-Id). */
  idempotencyKey: string;
  /** The channel's identifier (our number, page id, address…). */
  channelIdentifier: string;
  /** The deployment channel type (`sms`, `whatsapp`, `facebook`…): providers that carry several tell them apart by it. */
  channelType?: string;
  /** The channel's per-type configuration. */
  channelConfiguration: Record<string, unknown>;
  to: { externalId: string; displayName?: string };
  text: string;
  /** The replyContext of the inbound event being answered, if any. */
  replyContext?: Record<string, unknown>;
  /** When the inbound event arrived (LINE reply tokens expire). */
  inboundReceivedAt?: number;
  /** Providers that split long text into several messages send at most this many (MAX_REPLY_SEGMENTS), the last cut with an ellipsis. */
  maxSegments?: number;
  /** Suggested replies (valid labels, see quickRepliesSchema): native buttons where the provider has them, else numbered under the text. */
  quickReplies?: string[];
}

export interface DeliveryReceipt {
  providerMessageId?: string;
}

/** Inbound authentication failed: answer this status and store nothing. */
export class InboundAuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'InboundAuthError';
  }
}

/** The webhook could not be understood (after it was authenticated). */
export class InboundFormatError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InboundFormatError';
  }
}

/** A send failed. `retryable` false sends it straight to the dead-letter list. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly options: { retryable: boolean; retryAfterMs?: number; status?: number } = { retryable: true },
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface ChannelAdapter {
  /** Provider name as used in connections and inbound URLs: 'twilio', 'meta', 'line', … */
  readonly provider: string;
  /** The provider's real API base URL (used unless a connection overrides it). */
  readonly defaultApiBaseUrl: string;
  /** GET verification handshakes (Meta hub.challenge, WeChat echostr). Undefined: not a handshake. Throws InboundAuthError when it fails. */
  handshake?(raw: RawInbound, connection: ConnectionContext): HttpReply | undefined;
  /** Throws InboundAuthError unless the request is authentic. Constant-time comparisons over raw bytes. */
  verify(raw: RawInbound, connection: ConnectionContext): void;
  /**
   * For providers whose signature does not cover the body: the single-use value of a verified
   * request. The pipeline claims it in the database, and a request whose key was claimed before
   * (on any node, before or after a restart) is refused as a replay.
   */
  replayKey?(raw: RawInbound, connection: ConnectionContext): ReplayKey | undefined;
  /** Normalized events (possibly none: delivery receipts, verify pings, echoes). Throws InboundFormatError on garbage. */
  parse(raw: RawInbound, connection: ConnectionContext): InboundEvent[];
  /** What the provider must get back right now (after the events are recorded). */
  acknowledge(events: InboundEvent[], raw: RawInbound, connection: ConnectionContext): HttpReply;
  /** Delivers one reply through the provider's API. Throws DeliveryError (retryable or not). */
  send(message: OutboundMessage, connection: ConnectionContext, fetchImpl?: typeof fetch): Promise<DeliveryReceipt>;
  /** The bytes of a file an inbound message carries (its `InboundMedia.ref`). Absent: the provider's messages carry none. */
  fetchMedia?(media: InboundMedia, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<Response>;
  /**
   * Whether replies on a channel type show quick replies as numbered text (quick-replies.ts), so
   * that a contact's bare "2" means the second label. Absent: always, as plain-text providers do.
   */
  numberedChoices?(channelType: string): boolean;
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Maps an HTTP failure of a provider API to a DeliveryError: 429 and 5xx retry (honouring Retry-After), other 4xx do not. */
export async function deliveryErrorFrom(response: Response, what: string): Promise<DeliveryError> {
  const reason = shortReason(await response.text().catch(() => ''));
  const retryable = response.status === 429 || response.status >= 500 || response.status === 408;
  const wait = retryAfterMs(response.headers.get('retry-after'));
  return new DeliveryError(`${what} answered ${response.status}${reason ? `: ${reason}` : ''}`, {
    retryable,
    status: response.status,
    ...(wait !== undefined && { retryAfterMs: wait }),
  });
}

/** A credential a connection of this provider takes: the value lives in a workspace secret. */
export interface CredentialField {
  name: string;
  required: boolean;
  description: string;
}

/** Everything Switchboard knows about one provider. Each provider module exports one. */
export interface ProviderDefinition {
  adapter: ChannelAdapter;
  /** Non-secret connection settings, validated on create/update (zod schema, strict). */
  settings: import('zod').ZodType<Record<string, unknown>>;
  credentials: CredentialField[];
  /** How to make the connection's inbound secret: a random token, or a Standard Webhooks `whsec_` secret. */
  inboundSecret: 'token' | 'whsec';
  /** Deployment channel types this provider serves (e.g. twilio: sms, calls, whatsapp). */
  channelTypes: string[];
  /** Operator instructions: what to paste where in the provider's console (Markdown, one paragraph). */
  setup: string;
}
