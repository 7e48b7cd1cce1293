/**
 * An SMS number served by the fake Twilio through the control API, as the operator would set it
 * up, and bursts of signed inbound SMS to it. Shared by the crash, takeover and shutdown tests.
 */
import type { controlApi } from './control.js';
import { inboundSmsParams, signedTwilioWebhook, type FakeTwilio } from '../fakes/twilio.js';

type Api = ReturnType<typeof controlApi>;

export const SMS_NUMBER = '+14155550100';

/**
 * Secret, connection (its API base URL at the fake), phone configuration and sms channel, bound to
 * `agentId` (a new echo agent when absent) by an active deployment. Resolves with the inbound path.
 */
export async function setUpTwilioSms(api: Api, twilio: FakeTwilio, agentId?: string): Promise<{ connectionId: string; path: string; deployed: { status: number } }> {
  const secret = await api('POST', '/v1/secrets', { name: 'auth-token', value: twilio.authToken });
  const connection = await api('POST', '/v1/connections', {
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: twilio.accountSid },
    credentials: { authToken: secret.body.data.id },
    apiBaseUrl: twilio.url,
  });
  const connectionId = connection.body.data.id as string;
  const phone = await api('POST', '/v1/phone-configurations', { phoneNumber: SMS_NUMBER, provider: 'twilio', connectionId });
  const channel = await api('POST', '/v1/deployment-channels', {
    channelIdentifier: SMS_NUMBER,
    deploymentType: 'sms',
    configuration: { phoneConfigurationId: phone.body.data.id },
  });
  const agent = agentId ?? ((await api('POST', '/v1/agents', { name: 'Echo' })).body.data.id as string);
  const deployed = await api('POST', '/v1/deployment-configurations', { deploymentChannelId: channel.body.data.id, agentId: agent, status: 'active' });
  return { connectionId, path: `/v1/public/channels/twilio/${connectionId}`, deployed };
}

/** POSTs `count` signed inbound SMS (distinct MessageSid and sender, body `${label} ${i}`) to `baseUrl + path`; resolves with the statuses. */
export function postSmsBurst(baseUrl: string, publicUrl: string, path: string, twilio: FakeTwilio, count: number, label: string, fromBase: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const params = inboundSmsParams({ MessageSid: `SM${String(i).padStart(32, '0')}`, Body: `${label} ${i}`, From: `+1415555${String(fromBase + i)}` });
      const { headers, body } = signedTwilioWebhook(twilio.authToken, `${publicUrl}${path}`, params);
      return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body }).then((r) => r.status);
    }),
  );
}
