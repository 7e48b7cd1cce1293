import type { ChannelAdapter, HttpReply, ProviderDefinition } from '../adapter.js';
import { parseMetaWebhook } from './parse.js';
import { sendMetaMessage } from './send.js';
import { fetchWhatsAppMedia } from './media.js';
import { metaSettingsSchema } from './settings.js';
import { metaHandshake, verifyMetaSignature } from './verify.js';

export { listPages, type MetaPage } from './pages.js';
export { metaSettingsSchema, normaliseGraphVersion, DEFAULT_GRAPH_VERSION, type MetaSettings } from './settings.js';
export { metaSignature, metaHandshake, verifyMetaSignature } from './verify.js';
export { parseMetaWebhook, whatsappChannelIdentifier } from './parse.js';
export { sendMetaMessage, metaChannelTypeOf, whatsappPhoneNumberId, type MetaChannelType } from './send.js';
export { appSecretProof } from './graph.js';

export const META_DEFAULT_API_BASE_URL = 'https://graph.facebook.com';

/** Meta wants a 200 quickly; the body is conventional. */
const EVENT_RECEIVED: HttpReply = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'EVENT_RECEIVED' };

export const metaAdapter: ChannelAdapter = {
  provider: 'meta',
  defaultApiBaseUrl: META_DEFAULT_API_BASE_URL,
  handshake: metaHandshake,
  verify: verifyMetaSignature,
  parse: (raw) => parseMetaWebhook(raw),
  acknowledge: () => ({ ...EVENT_RECEIVED, headers: { ...EVENT_RECEIVED.headers } }),
  send: (message, connection, fetchImpl) => sendMetaMessage(message, connection, fetchImpl),
  fetchMedia: fetchWhatsAppMedia,
  // WhatsApp buttons and lists, Messenger and Instagram quick_replies.
  numberedChoices: () => false,
};

export const metaProvider: ProviderDefinition = {
  adapter: metaAdapter,
  settings: metaSettingsSchema,
  credentials: [
    {
      name: 'appSecret',
      required: true,
      description: 'App secret (Meta app dashboard → App settings → Basic): checks X-Hub-Signature-256 on every webhook and signs appsecret_proof.',
    },
    {
      name: 'accessToken',
      required: true,
      description:
        'Access token that sends replies: a system-user token with whatsapp_business_messaging for WhatsApp, or a page access token with pages_messaging (and instagram_manage_messages for Instagram).',
    },
  ],
  inboundSecret: 'token',
  channelTypes: ['whatsapp', 'facebook', 'instagram'],
  setup:
    'In the Meta app dashboard, open the Webhooks settings of each product you use (WhatsApp → Configuration for WhatsApp; Messenger and Instagram → Webhooks for pages and Instagram accounts), paste `{inboundUrl}` as the **Callback URL** and `{inboundSecret}` as the **Verify token**, press **Verify and save**, then subscribe to the `messages` field and subscribe each page to the app. Store the app secret (App settings → Basic) as the `appSecret` credential and a system-user or page access token as `accessToken`; for WhatsApp put the phone number id (WhatsApp → API Setup) in the channel configuration or the connection\'s `phoneNumberId` setting. The Graph API accepts no idempotency key: Switchboard delivers each reply once through its outbox claim, and only a send whose answer is lost in transit can be repeated.',
};

export default metaProvider;
