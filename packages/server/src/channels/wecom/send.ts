/**
 * Replies through the WeCom app message API:
 * `POST {apiBaseUrl}/cgi-bin/message/send?access_token=…`
 * `{"touser", "msgtype": "text", "agentid", "text": {"content"}}`, with a token from
 * `GET {apiBaseUrl}/cgi-bin/gettoken?corpid=…&corpsecret=…` cached until it expires. Errors as in
 * `../wechat/api.ts`; a recipient WeCom lists in `invaliduser` fails for good. The agent id is the
 * channel's `agentId` configuration when set, else the connection's. No idempotency key exists.
 */
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { AccessTokenCache, callWeixin, tokenFrom } from '../wechat/api.js';
import { sendWithToken } from '../wechat/send.js';
import { readWeComSettings } from './settings.js';
import { textWithChoices } from '../quick-replies.js';

/** Access tokens of WeCom apps, per API base, corpId and app secret. */
export const wecomTokens = new AccessTokenCache();

function base(connection: ConnectionContext): string {
  return connection.apiBaseUrl.replace(/\/+$/, '');
}

export async function sendWeCom(message: OutboundMessage, connection: ConnectionContext, fetchImpl: typeof fetch = fetch): Promise<DeliveryReceipt> {
  const settings = readWeComSettings(connection);
  if (typeof settings === 'string') throw new DeliveryError(settings, { retryable: false });
  const corpSecret = connection.secrets.corpSecret;
  if (!corpSecret) throw new DeliveryError('WeCom send: the connection has no corpSecret credential', { retryable: false });
  if (!message.to.externalId) throw new DeliveryError('WeCom send: the recipient has no UserID', { retryable: false });
  if (message.text.trim() === '') throw new DeliveryError('WeCom send: the message is empty', { retryable: false });
  const configured = message.channelConfiguration.agentId;
  const agentId = typeof configured === 'string' || typeof configured === 'number' ? String(configured) : settings.agentId;
  if (!/^\d{1,20}$/.test(agentId)) throw new DeliveryError(`WeCom send: agentId ${JSON.stringify(agentId)} is not numeric`, { retryable: false });

  const key = AccessTokenCache.key(base(connection), settings.corpId, corpSecret);
  const label = 'WeCom /cgi-bin/message/send';
  const body = JSON.stringify({ touser: message.to.externalId, msgtype: 'text', agentid: Number(agentId), text: { content: textWithChoices(message) } });
  const answer = await sendWithToken(
    () =>
      wecomTokens.get(key, async () => {
        const url = `${base(connection)}/cgi-bin/gettoken?${new URLSearchParams({ corpid: settings.corpId, corpsecret: corpSecret })}`;
        return tokenFrom(await callWeixin(fetchImpl, url, { method: 'GET' }, 'WeCom /cgi-bin/gettoken'), 'WeCom /cgi-bin/gettoken');
      }),
    (token) => wecomTokens.invalidate(key, token),
    (token) =>
      callWeixin(
        fetchImpl,
        `${base(connection)}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`,
        { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body },
        label,
      ),
    label,
  );
  const invalid = typeof answer.invaliduser === 'string' ? answer.invaliduser.split('|').filter(Boolean) : [];
  if (invalid.length > 0) {
    throw new DeliveryError(`${label}: WeCom refused the recipient (invaliduser ${invalid.join('|')}: not a member visible to the app)`, {
      retryable: false,
    });
  }
  const id = answer.msgid;
  return typeof id === 'string' || typeof id === 'number' ? { providerMessageId: String(id) } : {};
}
