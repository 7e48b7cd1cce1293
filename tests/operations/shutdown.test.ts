import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { startCli, type StartedCli } from '../helpers/cli.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { setUpTwilioSms } from '../helpers/twilio-sms.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const ORIGIN = 'https://shop.example.com';
const SHUTDOWN_TIMEOUT_MS = 6000;

/** A raw event stream: everything it carried, and whether the server ended it. */
async function openRawStream(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  const state = { text: '', ended: false };
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        state.text += value;
      }
      state.ended = true;
    } catch {
      // the connection broke instead of ending
    }
  })();
  return { state, done };
}

/**
 * `switchboard start` gets SIGTERM while two widget streams are open and a delivery is being sent
 * to a provider that does not answer: the streams end with a `shutdown` event carrying a reconnect
 * hint, the delivery is given back (unclaimed, due now) instead of being held for its lease, and
 * the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
describe.each(ENGINES)('graceful shutdown on SIGTERM on %s', (engine) => {
  let database: TestDatabase | undefined;
  let twilio: FakeTwilio | undefined;
  let server: StartedCli | undefined;

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await twilio?.close();
    await database?.destroy().catch(() => undefined);
  });

  it('ends widget streams with a shutdown event, gives back the delivery in flight and exits 0 in time', async () => {
    database = await createTestDatabase(engine);
    await database.close();
    // Answers nothing for 15 s: the reply being sent is still in flight when the signal comes.
    twilio = await startFakeTwilio({ delayMs: 15_000 });
    const adminKey = `shutdown-test-${randomBytes(12).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-shutdown-'));
    server = await startCli({
      DATABASE_URL: database.url,
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_API_KEY: adminKey,
      PUBLIC_URL,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      // A long lease: what is left claimed at exit would stay stuck this long.
      DELIVERY_LEASE_MS: '60000',
    });
    const api = controlApi(server.baseUrl, adminKey);

    // A widget with two open streams.
    const agent = await api('POST', '/v1/agents', { name: 'Echo' });
    const deployment = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [ORIGIN] });
    const runtime = { authorization: `Bearer ${deployment.body.data.token}`, origin: ORIGIN };
    const streams = [];
    for (let i = 0; i < 2; i++) {
      const session = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, { method: 'POST', headers: { ...runtime, 'content-type': 'application/json' }, body: '{}' });
      const { sessionId, visitorToken } = ((await session.json()) as any).data;
      streams.push(await openRawStream(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, { ...runtime, 'x-visitor-token': visitorToken }));
    }

    // An SMS channel whose reply is being sent when the signal comes.
    const { path } = await setUpTwilioSms(api, twilio, agent.body.data.id);
    const { headers, body } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, inboundSmsParams({ Body: 'are you there?' }));
    expect((await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body })).status).toBe(200);

    const observer = await openDatabase({ databaseUrl: database.url, dataDir });
    try {
      const delivery = () => observer.db.selectFrom('deliveries').selectAll().executeTakeFirst();
      await waitUntil(async () => (await delivery())?.status === 'sending', 10_000, 'the reply claimed and being sent');

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => server!.child.once('exit', (exitCode) => resolve(exitCode)));
      const took = Date.now() - signalledAt;
      expect(code, server.output()).toBe(0);
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(server.output()).toContain('SIGTERM received');

      // Each stream ended with the shutdown event and its reconnect hint.
      for (const stream of streams) {
        await stream.done;
        expect(stream.state.ended).toBe(true);
        expect(stream.state.text).toMatch(/retry: \d+\nevent: shutdown\ndata: \{"reconnect":true,"retryMs":\d+\}\n\n$/);
      }

      // The delivery is not held for its 60 s lease: it is unclaimed, due now, its attempt not spent.
      const row = await delivery();
      expect(row).toMatchObject({ status: 'pending', locked_by: null, locked_until: null, attempts: 0 });
      expect(Number(row!.next_attempt_at)).toBeLessThanOrEqual(Date.now());
      expect(twilio.messages).toHaveLength(0);
    } finally {
      await observer.close();
    }
  }, 60_000);
});
