import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const PUBLIC_URL = 'https://switchboard.example.com';

describe.each(ENGINES)('Twilio voice on %s: a Gather speech loop answered by the agent', (engine) => {
  let server: LiveServer;
  let twilio: FakeTwilio;
  let api: ReturnType<typeof controlApi>;
  let connectionId: string;

  async function line(number: string, recordingEnabled: boolean) {
    const phone = await api('POST', '/v1/phone-configurations', { phoneNumber: number, provider: 'twilio', connectionId });
    const channel = await api('POST', '/v1/deployment-channels', {
      channelIdentifier: number,
      deploymentType: 'calls',
      recordingEnabled,
      configuration: { phoneConfigurationId: phone.body.data.id },
    });
    const agent = await api('POST', '/v1/agents', { name: 'Phone', introductionMessage: 'Thanks for calling Acme.' });
    await api('POST', '/v1/deployment-configurations', { deploymentChannelId: channel.body.data.id, agentId: agent.body.data.id, status: 'active' });
    return channel.body.data.id as string;
  }

  /** One webhook of a call, signed over the public URL (with its query) as Twilio signs it. */
  async function call(pathAndQuery: string, params: Record<string, string>) {
    const path = `/v1/public/channels/twilio/${connectionId}${pathAndQuery}`;
    const { headers, body } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, params);
    const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  }
  const callParams = (to: string, extra: Record<string, string> = {}) => ({
    CallSid: `CA${'ab'.repeat(16)}`,
    AccountSid: twilio.accountSid,
    From: '+14155550123',
    To: to,
    CallStatus: 'ringing',
    Direction: 'inbound',
    ...extra,
  });

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    server = await startLiveServer(engine, { publicUrl: PUBLIC_URL });
    api = controlApi(server.baseUrl, (await server.newWorkspace()).apiKey);
    const secret = await api('POST', '/v1/secrets', { name: 'auth-token', value: twilio.authToken });
    const connection = await api('POST', '/v1/connections', {
      provider: 'twilio',
      name: 'Voice',
      settings: { accountSid: twilio.accountSid },
      credentials: { authToken: secret.body.data.id },
      apiBaseUrl: twilio.url,
    });
    connectionId = connection.body.data.id;
  });
  afterAll(async () => {
    await server.close();
    await twilio.close();
  });

  it('greets, answers each turn with <Say> inside the next <Gather>, and hangs up on goodbye', async () => {
    await line('+14155550140', true);
    const start = await call('/voice', callParams('+14155550140'));
    expect(start.status).toBe(200);
    expect(start.type).toContain('text/xml');
    expect(start.text).toContain('<Start><Recording channels="dual"/></Start>');
    expect(start.text).toMatch(/<Gather input="speech" action="https:\/\/switchboard\.example\.com\/v1\/public\/channels\/twilio\/conn_\w+\/voice\/gather\?turn=1&amp;silence=0"/);
    expect(start.text).toContain('<Say>Thanks for calling Acme.</Say>');

    const turn = await call('/voice/gather?turn=1&silence=0', callParams('+14155550140', { CallStatus: 'in-progress', SpeechResult: 'Are you open <late> & on Sundays?', Confidence: '0.93' }));
    expect(turn.text).toContain('<Say>Are you open &lt;late&gt; &amp; on Sundays?</Say>');
    expect(turn.text).toContain('turn=2');
    expect(turn.text).not.toContain('<Recording');

    const bye = await call('/voice/gather?turn=2&silence=0', callParams('+14155550140', { CallStatus: 'in-progress', SpeechResult: 'ok goodbye' }));
    expect(bye.text).toContain('<Hangup/>');

    const messages = await server.db.selectFrom('messages').select(['role', 'text']).orderBy('created_at').execute();
    const transcript = messages.filter((m) => m.text?.includes('Sundays') || m.text?.includes('goodbye'));
    expect(transcript.map((m) => m.role)).toEqual(['contact', 'agent', 'contact', 'agent']);
    const conversations = await server.db.selectFrom('conversations').select('status').execute();
    expect(conversations.some((c) => c.status === 'closed')).toBe(true);
    expect(twilio.requests).toHaveLength(0);
  });

  it('hangs up after repeated silence, and keeps no words when recording is off', async () => {
    const channelId = await line('+14155550141', false);
    // Another call: its own CallSid (a turn of a call is answered once).
    const sid = { CallSid: `CA${'cd'.repeat(16)}` };
    const start = await call('/voice', callParams('+14155550141', sid));
    expect(start.text).not.toContain('<Recording');
    const spoken = await call('/voice/gather?turn=1&silence=0', callParams('+14155550141', { ...sid, CallStatus: 'in-progress', SpeechResult: 'my card number is 4242' }));
    expect(spoken.text).toContain('my card number is 4242');
    const conversation = await server.db.selectFrom('conversations').select('id').where('channel_id', '=', channelId).executeTakeFirstOrThrow();
    const stored = await server.db.selectFrom('messages').select('text').where('conversation_id', '=', conversation.id).execute();
    expect(stored).toHaveLength(2);
    expect(stored.every((m) => m.text === null)).toBe(true);

    const quiet = await call('/voice/gather?turn=2&silence=1', callParams('+14155550141', { ...sid, CallStatus: 'in-progress' }));
    expect(quiet.text).toContain('Are you still there?');
    expect(quiet.text).toContain('silence=2');
    const gone = await call('/voice/gather?turn=2&silence=2', callParams('+14155550141', { ...sid, CallStatus: 'in-progress' }));
    expect(gone.text).toContain('<Hangup/>');
  });

  it('refuses an unsigned voice webhook', async () => {
    const response = await fetch(`${server.baseUrl}/v1/public/channels/twilio/${connectionId}/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(callParams('+14155550140')).toString(),
    });
    expect(response.status).toBe(401);
  });
});
