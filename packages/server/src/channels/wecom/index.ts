import type { ChannelAdapter, HttpReply, ProviderDefinition } from '../adapter.js';
import { parseWeCom } from './parse.js';
import { sendWeCom } from './send.js';
import { wecomSettingsSchema } from './settings.js';
import { verifyWeCom, wecomHandshake } from './verify.js';

export { wecomSettingsSchema, type WeComSettings } from './settings.js';
export { wecomTokens } from './send.js';
/** Passive replies work the same way for WeCom (encrypt them with `encryptedReply`, receiverId = corpId). */
export { passiveTextReply, encryptedReply } from '../wechat/reply.js';

/** WeCom takes an empty 200 when no passive reply follows. */
const EMPTY_OK: HttpReply = { status: 200, body: '' };

export const wecomAdapter: ChannelAdapter = {
  provider: 'wecom',
  defaultApiBaseUrl: 'https://qyapi.weixin.qq.com',
  handshake: wecomHandshake,
  verify: verifyWeCom,
  parse: parseWeCom,
  acknowledge: () => EMPTY_OK,
  send: sendWeCom,
};

export const wecomProvider: ProviderDefinition = {
  adapter: wecomAdapter,
  settings: wecomSettingsSchema,
  credentials: [
    { name: 'corpSecret', required: true, description: "The app's Secret (App Management → your self-built app → Secret); used to fetch access tokens for replies" },
    {
      name: 'token',
      required: false,
      description: "The Token set under the app's Receive Messages → API settings (up to 32 letters or digits). Leave unset to use the connection's inbound secret as the Token",
    },
    { name: 'encodingAESKey', required: true, description: 'The EncodingAESKey (43 characters) set under the same Receive Messages → API settings' },
  ],
  inboundSecret: 'token',
  channelTypes: ['wecom'],
  setup:
    "In the WeCom admin console (work.weixin.qq.com) copy the CorpID from My Company → Company Info into the connection's `corpId` setting. Open App Management → your self-built app: copy its AgentId into the `agentId` setting and its Secret into the `corpSecret` credential, and add this server's outbound IP addresses as trusted IPs (企业可信IP). Under Receive Messages (接收消息) → Set API Receive (设置API接收): URL = `{inboundUrl}`, Token = `{inboundSecret}` (if WeCom refuses it, click Random and store the generated Token as the `token` credential), click Random for the EncodingAESKey and store it as the `encodingAESKey` credential before you save (WeCom checks the URL on save). Create a WeCom channel whose identifier is the CorpID.",
};
