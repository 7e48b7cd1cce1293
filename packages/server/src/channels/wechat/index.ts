import type { ChannelAdapter, HttpReply, ProviderDefinition } from '../adapter.js';
import { parseWeChat } from './parse.js';
import { sendWeChat } from './send.js';
import { wechatSettingsSchema } from './settings.js';
import { verifyWeChat, wechatHandshake } from './verify.js';

export { passiveTextReply, encryptedReply } from './reply.js';
export { wechatSettingsSchema, type WeChatSettings } from './settings.js';
export { wechatTokens } from './send.js';

/** WeChat expects `success` (or an empty body) when no passive reply follows. */
const SUCCESS: HttpReply = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' };

export const wechatAdapter: ChannelAdapter = {
  provider: 'wechat',
  defaultApiBaseUrl: 'https://api.weixin.qq.com',
  handshake: wechatHandshake,
  verify: verifyWeChat,
  parse: parseWeChat,
  acknowledge: () => SUCCESS,
  send: sendWeChat,
};

export const wechatProvider: ProviderDefinition = {
  adapter: wechatAdapter,
  settings: wechatSettingsSchema,
  credentials: [
    { name: 'appSecret', required: true, description: 'The AppSecret (开发者密码) from Settings and Development → Basic Configuration; used to fetch access tokens for replies' },
    {
      name: 'token',
      required: false,
      description:
        "The Token (令牌) entered in the server configuration (3–32 letters or digits). Leave unset to use the connection's inbound secret as the Token",
    },
    {
      name: 'encodingAESKey',
      required: false,
      description: 'The EncodingAESKey (消息加解密密钥, 43 characters) from the server configuration; required in safe (and compatible) mode',
    },
  ],
  inboundSecret: 'token',
  channelTypes: ['wechat'],
  setup:
    'In the WeChat Official Accounts Platform open Settings and Development → Basic Configuration (设置与开发 → 基本配置). Copy the AppID into the connection\'s `appId` setting and the AppSecret into its `appSecret` credential, and add this server\'s outbound IP addresses to the IP whitelist (replies use the access token API). Under Server Configuration (服务器配置) click Modify: URL = `{inboundUrl}`, Token = `{inboundSecret}` (WeChat accepts 3–32 letters and digits; if it refuses this value, type your own Token and store it as the connection\'s `token` credential), generate an EncodingAESKey and store it as the `encodingAESKey` credential before submitting, choose Safe mode (安全模式, recommended; set the connection\'s `mode` to `safe`) or Plain mode (明文模式, `mode` = `plain`: the body is not signed), then Submit (WeChat checks the URL) and Enable. Create a WeChat channel whose identifier is the account\'s original id (原始ID, `gh_…`, under Settings → Account Info).',
};
