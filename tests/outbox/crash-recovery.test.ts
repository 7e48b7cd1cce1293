import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { startCli, type StartedCli } from '../helpers/cli.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { postSmsBurst, setUpTwilioSms } from '../helpers/twilio-sms.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const BURST = 60;

/**
 * The server is killed with SIGKILL while a burst of replies is being delivered, then
 * started again on the same database: every reply reaches the provider exactly once.
 * Rows claimed by the dead process are taken over when their lease runs out; a request
 * the dead process had already sent is repeated with the same idempotency token, which
 * the provider (like Twilio) honours.
 */
describe.each(ENGINES)('exactly-once delivery across a crash on %s', (engine) => {
  let database: TestDatabase | undefined;
  let twilio: FakeTwilio | undefined;
  const servers: StartedCli[] = [];

  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await twilio?.close();
    await database?.destroy().catch(() => undefined);
  });

  it('delivers every message once after SIGKILL mid-burst and a restart', async () => {
    database = await createTestDatabase(engine);
    await database.close();
    twilio = await startFakeTwilio({ delayMs: 250 });
    const adminKey = `crash-test-${randomBytes(12).toString('hex')}`;
    const env = {
      DATABASE_URL: database.url,
      SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-crash-')),
      SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_API_KEY: adminKey,
      PUBLIC_URL,
      DELIVERY_LEASE_MS: '1500',
      DELIVERY_RETRY_BASE_MS: '50',
    };

    const first = await startCli(env);
    servers.push(first);
    const api = controlApi(first.baseUrl, adminKey);
    const { path, deployed } = await setUpTwilioSms(api, twilio);
    expect(deployed.status).toBe(201);

    const acks = await postSmsBurst(first.baseUrl, PUBLIC_URL, path, twilio, BURST, 'burst message', 1000);
    expect(acks.every((status) => status === 200)).toBe(true);

    // Mid-burst: some replies have reached the provider, more are in flight.
    await waitUntil(() => twilio!.requests.length >= 10 && twilio!.messages.length < BURST, 20_000, 'deliveries in flight');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const deliveredBeforeCrash = twilio.messages.length;
    expect(deliveredBeforeCrash).toBeLessThan(BURST);

    const second = await startCli(env);
    servers.push(second);
    await waitUntil(() => twilio!.messages.length >= BURST, 40_000, 'every reply at the provider');
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const bodies = twilio.messages.map((m) => m.body).sort();
    const expected = Array.from({ length: BURST }, (_, i) => `burst message ${i}`).sort();
    expect(bodies).toEqual(expected);
    // The provider saw repeats only as idempotency-token replays, never as new messages.
    expect(new Set(twilio.messages.map((m) => m.idempotencyToken)).size).toBe(BURST);

    const after = controlApi(second.baseUrl, adminKey);
    const sent = await after('GET', '/v1/deliveries?status=sent&pageSize=1000');
    expect(sent.body.data.meta.totalCount).toBe(BURST);
    const unsent = ['pending', 'sending', 'dead'].map(async (status) => (await after('GET', `/v1/deliveries?status=${status}`)).body.data.meta.totalCount);
    expect(await Promise.all(unsent)).toEqual([0, 0, 0]);
    second.child.kill('SIGTERM');
  }, 90_000);
});
