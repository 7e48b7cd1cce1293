import { z } from 'zod';
import type { ChannelAdapter, HttpReply, ProviderDefinition } from '../adapter.js';
import { parseLine } from './parse.js';
import { sendLine } from './send.js';
import { fetchLineMedia } from './media.js';
import { verifyLine } from './verify.js';

export { lineSignature } from './verify.js';
export { lineRetryKey, REPLY_TOKEN_WINDOW_MS } from './send.js';

/** Non-secret settings of a LINE connection. Nothing is required: the channel secret and token are credentials. */
export const lineSettingsSchema = z.strictObject({
  /**
   * The bot's user id (Basic settings → Your user ID, `U` + 32 hex digits): the `destination` of
   * its webhooks, and so the identifier of its LINE channel. Informational.
   */
  botUserId: z.string().regex(/^U[0-9a-f]{32}$/, 'must be the bot user id: U followed by 32 hex digits').optional(),
});

/** LINE wants a 2xx within 2 seconds; the body is ignored. */
const OK: HttpReply = { status: 200, body: '' };

export const lineAdapter: ChannelAdapter = {
  provider: 'line',
  defaultApiBaseUrl: 'https://api.line.me',
  verify: verifyLine,
  parse: (raw) => parseLine(raw),
  acknowledge: () => OK,
  send: sendLine,
  fetchMedia: fetchLineMedia,
  // quickReply items.
  numberedChoices: () => false,
};

export const lineProvider: ProviderDefinition = {
  adapter: lineAdapter,
  settings: lineSettingsSchema,
  credentials: [
    { name: 'channelSecret', required: true, description: 'The Channel secret (LINE Developers Console → your Messaging API channel → Basic settings); signs every webhook' },
    {
      name: 'channelAccessToken',
      required: true,
      description: 'A long-lived Channel access token (Messaging API tab → Channel access token → Issue); authorizes replies and pushes',
    },
  ],
  inboundSecret: 'token',
  channelTypes: ['line'],
  setup:
    "In the LINE Developers Console open your provider's Messaging API channel. From Basic settings copy the Channel secret into the connection's `channelSecret` credential, and note Your user ID (`U…`): it is the identifier of the LINE channel to create (and the optional `botUserId` setting). On the Messaging API tab issue a Channel access token (long-lived) and store it as the `channelAccessToken` credential. Under Webhook settings set Webhook URL = `{inboundUrl}`, turn Use webhook on, click Verify (it must answer Success), and turn on Webhook redelivery so events sent while Switchboard is unreachable arrive later. LINE signs webhooks with the channel secret, so the inbound secret `{inboundSecret}` is not entered anywhere. In the LINE Official Account Manager (Response settings) turn off auto-reply and greeting messages so only the agent answers.",
};
