import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { startCli, type StartedCli } from '../helpers/cli.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { postSmsBurst, setUpTwilioSms } from '../helpers/twilio-sms.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const BURST = 30;
/** Each send takes longer than the default lease (4 s): only the heartbeat keeps it from being taken over. */
const SEND_MS = 6000;
const TAKEOVER_MS = 5000;

interface HeldRow {
  id: string;
  message_id: string;
  locked_by: string;
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Two nodes on one PostgreSQL with the default lease. Each send takes longer than the lease, so
 * the holder's heartbeat is all that keeps the other node off it. One node is killed with SIGKILL
 * while it holds sends: the survivor takes them over within 5 s, every reply arrives once, and the
 * provider sees a second request only for what the dead node held.
 */
describe.runIf(availableServices().postgres)('a dead node’s deliveries are taken over by the survivor', () => {
  let database: TestDatabase | undefined;
  let twilio: FakeTwilio | undefined;
  const servers: StartedCli[] = [];

  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await twilio?.close();
    await database?.destroy().catch(() => undefined);
  });

  it('renews leases while sends run, and hands a killed node’s sends to the survivor within 5 s', async () => {
    database = await createTestDatabase('postgres');
    await database.close();
    twilio = await startFakeTwilio({ delayMs: SEND_MS });
    const adminKey = `takeover-test-${randomBytes(12).toString('hex')}`;
    const env = {
      DATABASE_URL: database.url,
      SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-takeover-')),
      SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_API_KEY: adminKey,
      PUBLIC_URL,
      // DELIVERY_LEASE_MS is left at its default.
    };

    const doomed = await startCli(env);
    servers.push(doomed);
    const survivor = await startCli(env);
    servers.push(survivor);
    const api = controlApi(doomed.baseUrl, adminKey);
    const { path, deployed } = await setUpTwilioSms(api, twilio);
    expect(deployed.status).toBe(201);

    // The burst goes to the node that will die; both nodes process and dispatch it.
    const acks = await postSmsBurst(doomed.baseUrl, PUBLIC_URL, path, twilio, BURST, 'takeover message', 2000);
    expect(acks.every((status) => status === 200)).toBe(true);

    // Sends are in flight (the fake answers each after SEND_MS), and have been for longer than the lease.
    const sending = async () => (await query<{ n: number }>(database!.url, "SELECT count(*)::int AS n FROM deliveries WHERE status = 'sending'"))[0]!.n;
    await waitUntil(async () => (await sending()) >= 5, 20_000, 'sends in flight');
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(twilio.messages.length).toBe(0);

    const held = await query<HeldRow>(database.url, "SELECT id, message_id, locked_by FROM deliveries WHERE status = 'sending'");
    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));

    // (The fake creates a message even for a request whose sender died meanwhile, so wait for the survivor's records.)
    const sent = async () => (await query<{ n: number }>(database!.url, "SELECT count(*)::int AS n FROM deliveries WHERE status = 'sent'"))[0]!.n;
    await waitUntil(async () => (await sent()) >= BURST, 60_000, 'every reply sent and recorded');

    // Nothing lost, nothing twice at the provider.
    expect(twilio.messages.map((m) => m.body).sort()).toEqual(Array.from({ length: BURST }, (_, i) => `takeover message ${i}`).sort());
    expect(new Set(twilio.messages.map((m) => m.idempotencyToken)).size).toBe(BURST);

    // While both nodes lived, no send was taken over although each outlasted the lease: one request per reply.
    const tokenOf = (r: FakeTwilio['requests'][number]) => String(r.headers['i-twilio-idempotency-token']);
    const beforeKill = twilio.requests.filter((r) => r.receivedAt < killedAt).map(tokenOf);
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(new Set(beforeKill).size).toBe(beforeKill.length);

    // The rows the dead node held changed hands; each was sent again by the survivor within 5 s of the kill.
    const after = new Map(
      (await query<HeldRow & { status: string }>(database.url, 'SELECT id, message_id, locked_by, status FROM deliveries')).map((row) => [row.id, row]),
    );
    const takenOver = held.filter((row) => after.get(row.id)!.locked_by !== row.locked_by);
    expect(takenOver.length).toBeGreaterThan(0);
    expect(new Set(takenOver.map((row) => row.locked_by)).size).toBe(1);
    const deadNode = takenOver[0]!.locked_by;
    expect(held.filter((row) => row.locked_by === deadNode).map((row) => row.id).sort()).toEqual(takenOver.map((row) => row.id).sort());
    for (const row of takenOver) {
      const resent = twilio.requests.filter((r) => tokenOf(r) === row.message_id && r.receivedAt >= killedAt).map((r) => r.receivedAt);
      expect(resent.length, `delivery ${row.id} sent again`).toBeGreaterThan(0);
      expect(Math.min(...resent) - killedAt, `delivery ${row.id} taken over`).toBeLessThan(TAKEOVER_MS);
    }
    expect([...after.values()].every((row) => row.status === 'sent')).toBe(true);
    expect((await fetch(`${survivor.baseUrl}/health`)).status).toBe(200);
  }, 120_000);
});
