/**
 * Replies through the Official Account customer-service API:
 * `POST {apiBaseUrl}/cgi-bin/message/custom/send?access_token=…`
 * `{"touser": openid, "msgtype": "text", "text": {"content": …}}`, with an access token from
 * `GET {apiBaseUrl}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` cached until it
 * expires. Errors come as HTTP 200 with `errcode` ≠ 0: busy (-1) and rate limits retry, an
 * invalid or expired token (40001, 40014, 42001) is refreshed once and the send tried again,
 * anything else (45015 outside the 48-hour window, 40003 unknown OpenID…) does not retry.
 * The API takes no idempotency key: a send whose answer is lost may be delivered twice on retry.
 */
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { AccessTokenCache, callWeixin, errcodeError, TOKEN_ERRCODES, tokenFrom, type WeixinAnswer } from './api.js';
import { readWeChatSettings } from './settings.js';
import { textWithChoices } from '../quick-replies.js';

/** Access tokens of Official Accounts, per API base, appId and secret. */
export const wechatTokens = new AccessTokenCache();

function base(connection: ConnectionContext): string {
  return connection.apiBaseUrl.replace(/\/+$/, '');
}

export async function wechatAccessToken(connection: ConnectionContext, appId: string, appSecret: string, fetchImpl: typeof fetch): Promise<string> {
  const key = AccessTokenCache.key(base(connection), appId, appSecret);
  return wechatTokens.get(key, async () => {
    const url = `${base(connection)}/cgi-bin/token?${new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret })}`;
    return tokenFrom(await callWeixin(fetchImpl, url, { method: 'GET' }, 'WeChat /cgi-bin/token'), 'WeChat /cgi-bin/token');
  });
}

/** Sends with a fresh-enough token; refreshes the token once when WeChat says it is invalid or expired. */
export async function sendWithToken(
  getToken: () => Promise<string>,
  invalidate: (token: string) => void,
  call: (token: string) => Promise<WeixinAnswer>,
  label: string,
): Promise<WeixinAnswer> {
  for (let attempt = 0; ; attempt++) {
    const token = await getToken();
    const answer = await call(token);
    const code = Number(answer.errcode ?? 0);
    if (code === 0) return answer;
    if (TOKEN_ERRCODES.has(code)) invalidate(token);
    if (TOKEN_ERRCODES.has(code) && attempt === 0) continue;
    throw errcodeError(label, answer);
  }
}

export async function sendWeChat(message: OutboundMessage, connection: ConnectionContext, fetchImpl: typeof fetch = fetch): Promise<DeliveryReceipt> {
  const settings = readWeChatSettings(connection);
  if (typeof settings === 'string') throw new DeliveryError(settings, { retryable: false });
  const appSecret = connection.secrets.appSecret;
  if (!appSecret) throw new DeliveryError('WeChat send: the connection has no appSecret credential', { retryable: false });
  if (!message.to.externalId) throw new DeliveryError('WeChat send: the recipient has no OpenID', { retryable: false });
  if (message.text.trim() === '') throw new DeliveryError('WeChat send: the message is empty', { retryable: false });
  const label = 'WeChat /cgi-bin/message/custom/send';
  const key = AccessTokenCache.key(base(connection), settings.appId, appSecret);
  const body = JSON.stringify({ touser: message.to.externalId, msgtype: 'text', text: { content: textWithChoices(message) } });
  const answer = await sendWithToken(
    () => wechatAccessToken(connection, settings.appId, appSecret, fetchImpl),
    (token) => wechatTokens.invalidate(key, token),
    (token) =>
      callWeixin(
        fetchImpl,
        `${base(connection)}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`,
        { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body },
        label,
      ),
    label,
  );
  const id = answer.msgid ?? answer.msg_id;
  return typeof id === 'string' || typeof id === 'number' ? { providerMessageId: String(id) } : {};
}
