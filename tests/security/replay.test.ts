/**
 * Replayed webhooks that pass their signature check: a Mailgun token is single-use across
 * restarts, and a Twilio voice turn is answered once however often its request comes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentRunner, App } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { signedTwilioWebhook } from '../fakes/twilio.js';
import { countRows, createConnection, createSecret, deployEcho, inboundPath, PUBLIC_URL, refusal, settled, startProviderHarness, type ProviderHarness } from '../providers/harness.js';

const CHANNEL = 'support@acme.test';
const MAILGUN_SIGNING_KEY = 'key-replay0mailgun0signing0key0001';

/**
 * A new server process on the same database: the server's modules are imported afresh, so
 * nothing a previous instance kept in module memory survives. It sends nothing, so it needs
 * no egress allowance.
 */
async function restartedApp(server: LiveServer): Promise<{ app: App; baseUrl: string }> {
  const { secretBox } = server.app;
  await server.app.server.close();
  vi.resetModules();
  const fresh = await import('@switchboard/server');
  // The same master key, as a restarted node would load it.
  const app = fresh.buildApp({ db: server.db, publicUrl: PUBLIC_URL, secretBox });
  return { app, baseUrl: await app.server.listen({ port: 0, host: '127.0.0.1' }) };
}

describe.each(ENGINES)('Replay guards on %s', (engine) => {
  describe('Mailgun tokens', () => {
    let h: ProviderHarness;
    let relay: FakeSmtp;
    let connectionId: string;
    let restarted: { app: App; baseUrl: string } | undefined;

    function signed(key = MAILGUN_SIGNING_KEY) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(25).toString('hex');
      return { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') };
    }
    const mail = (from: string, subject: string, text: string, messageId: string) => ({
      recipient: CHANNEL,
      sender: from,
      from,
      subject,
      'body-plain': text,
      'stripped-text': text,
      'Message-Id': messageId,
      'message-headers': JSON.stringify([
        ['From', from],
        ['To', CHANNEL],
        ['Subject', subject],
        ['Message-Id', messageId],
      ]),
    });
    const post = (baseUrl: string, fields: Record<string, string>) =>
      fetch(`${baseUrl}${inboundPath('email', connectionId, '/mailgun')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    beforeAll(async () => {
      relay = await startFakeSmtp();
      h = await startProviderHarness(engine);
      const connection = await createConnection(h.api, {
        provider: 'email',
        name: 'Support mailbox',
        settings: { smtpHost: relay.host, smtpPort: relay.port, smtpSecure: false },
        credentials: { mailgunSigningKey: await createSecret(h.api, 'mailgun-signing-key', MAILGUN_SIGNING_KEY) },
      });
      connectionId = connection.id;
      await deployEcho(h.api, { deploymentType: 'email', channelIdentifier: CHANNEL, configuration: { connectionId } });
    });
    afterAll(async () => {
      await restarted?.app.server.close();
      await h?.close();
      await relay?.close();
    });

    it('refuses a captured timestamp/token/signature with another sender and body, also after a restart', async () => {
      const triple = signed();
      // A request that fails its signature check does not spend the token.
      const forged = await refusal(
        await post(h.server.baseUrl, { ...mail('Mallory <mallory@evil.example>', 'Hi', 'Forged', '<replay-forged@evil.example>'), ...triple, signature: signed('key-someone-else').signature }),
      );
      expect(forged.message).toMatch(/signature does not match/);
      const accepted = await post(h.server.baseUrl, { ...mail('Ada <ada@example.com>', 'Order 7', 'Where is order 7?', '<replay-1@example.com>'), ...triple });
      expect(accepted.status).toBe(200);
      await waitUntil(() => relay.messages.find((m) => m.header('in-reply-to') === '<replay-1@example.com>'), 5000, 'the reply to the genuine mail');
      await settled(h.server);

      const before = {
        events: await countRows(h.server, 'inbound_events'),
        messages: await countRows(h.server, 'messages'),
        deliveries: await countRows(h.server, 'deliveries'),
      };
      restarted = await restartedApp(h.server);
      const replayed = await post(restarted.baseUrl, {
        ...mail('Mallory <mallory@evil.example>', 'Urgent', 'Send me the account details', '<replay-evil@evil.example>'),
        ...triple,
      });
      const refused = await refusal(replayed);
      expect(refused.status).toBe(401);
      expect(refused.message).toMatch(/already used/);

      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await countRows(h.server, 'inbound_events')).toBe(before.events);
      expect(await countRows(h.server, 'messages')).toBe(before.messages);
      expect(await countRows(h.server, 'deliveries')).toBe(before.deliveries);
      expect(relay.messages.filter((m) => m.envelope.to.includes('mallory@evil.example'))).toHaveLength(0);
    });
  });

  describe('Twilio voice turns', () => {
    const authToken = randomBytes(16).toString('hex');
    const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
    let server: LiveServer;
    let connectionId: string;
    const asked: string[] = [];
    // A slow agent, so that concurrent copies of a turn overlap.
    const runner: AgentRunner = {
      async respond(_agentId, _workspaceId, input) {
        asked.push(input.text);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { kind: 'reply', text: `You said: ${input.text}`, fallback: false };
      },
    };

    async function gather(number: string, callSid: string, query: string, speech: string) {
      const path = `${inboundPath('twilio', connectionId, '/voice/gather')}?${query}`;
      const params = { CallSid: callSid, AccountSid: accountSid, From: '+14155550123', To: number, CallStatus: 'in-progress', SpeechResult: speech, Confidence: '0.9' };
      const { headers, body } = signedTwilioWebhook(authToken, `${PUBLIC_URL}${path}`, params);
      const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body });
      return { status: response.status, text: await response.text() };
    }
    async function line(number: string) {
      const api = controlApi(server.baseUrl, (await server.newWorkspace()).apiKey);
      const secret = await api('POST', '/v1/secrets', { name: 'auth-token', value: authToken });
      const connection = await api('POST', '/v1/connections', { provider: 'twilio', name: 'Voice', settings: { accountSid }, credentials: { authToken: secret.body.data.id } });
      connectionId = connection.body.data.id;
      const phone = await api('POST', '/v1/phone-configurations', { phoneNumber: number, provider: 'twilio', connectionId });
      const channel = await api('POST', '/v1/deployment-channels', { channelIdentifier: number, deploymentType: 'calls', configuration: { phoneConfigurationId: phone.body.data.id } });
      const agent = await api('POST', '/v1/agents', { name: 'Phone' });
      const deployment = await api('POST', '/v1/deployment-configurations', { deploymentChannelId: channel.body.data.id, agentId: agent.body.data.id, status: 'active' });
      expect(deployment.status).toBe(201);
    }

    beforeAll(async () => {
      server = await startLiveServer(engine, { publicUrl: PUBLIC_URL, runner });
      await line('+14155550160');
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers a replayed gather with the same TwiML, storing nothing and asking the agent once', async () => {
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const first = await gather('+14155550160', callSid, 'turn=1&silence=0', 'What are your opening hours?');
      expect(first.status).toBe(200);
      expect(first.text).toContain('<Say>You said: What are your opening hours?</Say>');
      expect(first.text).toContain('turn=2');
      const messages = await countRows(server, 'messages');

      const replayed = await gather('+14155550160', callSid, 'turn=1&silence=0', 'What are your opening hours?');
      expect(replayed).toEqual(first);
      // The same signed turn with other words (a proxy that rewrote it, say) changes nothing either.
      expect(await gather('+14155550160', callSid, 'turn=1&silence=0', 'Cancel everything')).toEqual(first);
      expect(await countRows(server, 'messages')).toBe(messages);
      expect(asked.filter((text) => text === 'What are your opening hours?')).toHaveLength(1);
      expect(asked).not.toContain('Cancel everything');
    });

    it('hangs up at once on a replay of a turn whose answer was forgotten, running nothing', async () => {
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      await gather('+14155550160', callSid, 'turn=1&silence=0', 'Is the shop open today?');
      // Two days later: the stored TwiML is gone, the claim on the turn is not.
      await server.db.updateTable('voice_turns').set({ twiml: null, created_at: Date.now() - 48 * 3600_000 }).where('call_sid', '=', callSid).execute();
      const messages = await countRows(server, 'messages');
      const started = Date.now();
      const replayed = await gather('+14155550160', callSid, 'turn=1&silence=0', 'Is the shop open today?');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(replayed.text).toContain('<Hangup/>');
      expect(replayed.text).not.toContain('You said');
      expect(asked.filter((text) => text === 'Is the shop open today?')).toHaveLength(1);
      expect(await countRows(server, 'messages')).toBe(messages);
    });

    it('runs the agent once when two copies of a turn arrive together', async () => {
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const before = await countRows(server, 'messages');
      const [a, b] = await Promise.all([
        gather('+14155550160', callSid, 'turn=1&silence=0', 'Do you deliver on Sundays?'),
        gather('+14155550160', callSid, 'turn=1&silence=0', 'Do you deliver on Sundays?'),
      ]);
      expect(a.status).toBe(200);
      expect(b).toEqual(a);
      expect(a.text).toContain('<Say>You said: Do you deliver on Sundays?</Say>');
      expect(asked.filter((text) => text === 'Do you deliver on Sundays?')).toHaveLength(1);
      expect(await countRows(server, 'messages')).toBe(before + 2);
    });
  });
});
