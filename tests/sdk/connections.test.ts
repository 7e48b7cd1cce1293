/**
 * `client.secrets`, `client.connections` and `client.deliveries`, run against a real Switchboard
 * on both engines. Deliveries are driven end to end: a signed Twilio webhook comes in, the echo
 * agent answers, and the reply goes out through a fake Twilio that fails on demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIError,
  ConflictError,
  NotFoundError,
  PROVIDERS,
  SwitchboardClient,
  ValidationError,
  type Connection,
  type Delivery,
  type Secret,
} from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const PHONE_NUMBER = '+14155550100';

describe.each(ENGINES)('SDK secrets, connections and deliveries on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;
  let twilio: FakeTwilio;

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    server = await startLiveServer(engine, {
      publicUrl: PUBLIC_URL,
      delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, maxAttempts: 2 },
    });
    const { apiKey } = await server.newWorkspace();
    client = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server?.close();
    await twilio?.close();
  });

  const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

  /** A secret holding the fake Twilio's auth token, and a Twilio connection using it. */
  async function twilioConnection(): Promise<{ secret: Secret; connection: Connection }> {
    const secret = await client.secrets.create({ name: unique('twilio-auth-token'), value: twilio.authToken });
    const connection = await client.connections.create({
      provider: 'twilio',
      name: 'Twilio',
      settings: { accountSid: twilio.accountSid },
      credentials: { authToken: secret.id },
      apiBaseUrl: twilio.url,
    });
    return { secret, connection };
  }

  describe('client.secrets', () => {
    it('stores a secret whose value no read ever returns', async () => {
      const value = `sk-live-${'s3cr3t'.repeat(6)}-wxyz`;
      const name = unique('openai-key');
      const created = await client.secrets.create({ name, value });
      expect(created).toMatchObject({ name });
      expect(created.id).toMatch(/^sec_/);
      expect(created.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof created.mask).toBe('string');
      expect(typeof created.createdAt).toBe('number');
      expect(typeof created.updatedAt).toBe('number');
      expect(Object.keys(created).sort()).toEqual(['createdAt', 'fingerprint', 'id', 'mask', 'name', 'updatedAt']);

      const fetched = await client.secrets.get(created.id);
      expect(fetched).toEqual(created);

      const listed = await client.secrets.list({ pageSize: 1000 });
      expect(listed.meta).toMatchObject({ page: 1, pageSize: 1000 });
      expect(listed.data.find((s) => s.id === created.id)).toEqual(created);

      for (const result of [created, fetched, listed]) expect(JSON.stringify(result)).not.toContain(value);
    });

    it('paginates the list', async () => {
      const { apiKey } = await server.newWorkspace();
      const own = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl });
      for (const name of ['a', 'b', 'c']) await own.secrets.create({ name, value: `value-${name}` });
      const page = await own.secrets.list({ page: 2, pageSize: 2 });
      expect(page.meta).toMatchObject({ page: 2, pageSize: 2, totalCount: 3, totalPages: 2 });
      expect(page.data).toHaveLength(1);
    });

    it('replaces the value: the fingerprint changes, the name stays, the value is never shown', async () => {
      const first = 'first-value-0123456789';
      const second = 'second-value-9876543210';
      const created = await client.secrets.create({ name: unique('rotating'), value: first });
      const updated = await client.secrets.update(created.id, { value: second });
      expect(updated).toMatchObject({ id: created.id, name: created.name });
      expect(updated.fingerprint).not.toBe(created.fingerprint);
      expect(updated.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
      const fetched = await client.secrets.get(created.id);
      expect(fetched.fingerprint).toBe(updated.fingerprint);
      for (const result of [updated, fetched]) {
        expect(JSON.stringify(result)).not.toContain(first);
        expect(JSON.stringify(result)).not.toContain(second);
      }
      // The same value again gives the same fingerprint.
      const back = await client.secrets.update(created.id, { value: first });
      expect(back.fingerprint).toBe(created.fingerprint);
    });

    it('deletes a secret', async () => {
      const created = await client.secrets.create({ name: unique('doomed'), value: 'short-lived-value' });
      expect(await client.secrets.delete(created.id)).toBe(true);
      await expect(client.secrets.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.secrets.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.secrets.update(created.id, { value: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses a second secret with the same name with ConflictError', async () => {
      const name = unique('dup');
      await client.secrets.create({ name, value: 'one' });
      const error = await client.secrets.create({ name, value: 'two' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).statusCode).toBe(409);
      expect((error as ConflictError).message).toContain(name);
    });

    it('validates requests before sending', async () => {
      await expect(client.secrets.create({ name: 'has spaces', value: 'v' })).rejects.toBeInstanceOf(ValidationError);
      const empty = await client.secrets.create({ name: 'ok-name', value: '' }).catch((e: unknown) => e);
      expect(empty).toBeInstanceOf(ValidationError);
      expect((empty as ValidationError).issues.map((i) => i.field)).toEqual(['value']);
      await expect(client.secrets.update('', { value: 'v' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.secrets.update('sec_1', { id: 'sec_2', value: 'v' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.secrets.get('')).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('client.connections', () => {
    it('creates a Twilio connection with its inbound URL and masked credentials', async () => {
      const { secret, connection } = await twilioConnection();
      expect(connection).toMatchObject({
        provider: 'twilio',
        name: 'Twilio',
        settings: { accountSid: twilio.accountSid },
        apiBaseUrl: twilio.url,
        credentials: { authToken: { secretId: secret.id, mask: secret.mask, fingerprint: secret.fingerprint } },
      });
      expect(connection.id).toMatch(/^conn_/);
      expect(connection.inboundUrl).toBe(`${PUBLIC_URL}/v1/public/channels/twilio/${connection.id}`);
      expect(connection.inboundSecret).toEqual(expect.any(String));
      expect(connection.inboundSecret.length).toBeGreaterThan(0);
      expect(connection.setup).toContain('Auth Token');
      expect(JSON.stringify(connection)).not.toContain(twilio.authToken);

      expect(await client.connections.get(connection.id)).toEqual(connection);
      const listed = await client.connections.list({ pageSize: 1000 });
      expect(listed.data.find((c) => c.id === connection.id)).toEqual(connection);
      expect(JSON.stringify(listed)).not.toContain(twilio.authToken);
    });

    it('answers 400 naming credentials.authToken when a Twilio connection has none', async () => {
      const error = await client.connections
        .create({ provider: 'twilio', name: 'No token', settings: { accountSid: twilio.accountSid } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIError);
      expect(error).not.toBeInstanceOf(NotFoundError);
      const apiError = error as APIError;
      expect(apiError.statusCode).toBe(400);
      expect(apiError.code).toBe('VALIDATION_ERROR');
      expect(apiError.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'credentials.authToken' })]));
    });

    it('throws NotFoundError when a credential names an unknown secret', async () => {
      const error = await client.connections
        .create({
          provider: 'twilio',
          name: 'Ghost',
          settings: { accountSid: twilio.accountSid },
          credentials: { authToken: 'sec_doesnotexist' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).meta).toMatchObject({ field: 'credentials.authToken', secretId: 'sec_doesnotexist' });
    });

    it('refuses to delete a secret a connection uses with ConflictError', async () => {
      const { secret, connection } = await twilioConnection();
      await expect(client.secrets.delete(secret.id)).rejects.toBeInstanceOf(ConflictError);
      expect(await client.secrets.get(secret.id)).toEqual(secret);

      expect(await client.connections.delete(connection.id)).toBe(true);
      await expect(client.connections.get(connection.id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await client.secrets.delete(secret.id)).toBe(true);
    });

    it('updates a connection and restores the default API base URL with null', async () => {
      const { connection } = await twilioConnection();
      const other = await client.secrets.create({ name: unique('other-token'), value: 'another-auth-token-value' });
      const updated = await client.connections.update(connection.id, { name: 'Twilio EU', credentials: { authToken: other.id } });
      expect(updated).toMatchObject({
        id: connection.id,
        name: 'Twilio EU',
        settings: connection.settings,
        apiBaseUrl: twilio.url,
        inboundUrl: connection.inboundUrl,
        inboundSecret: connection.inboundSecret,
        credentials: { authToken: { secretId: other.id, fingerprint: other.fingerprint } },
      });
      const reset = await client.connections.update(connection.id, { apiBaseUrl: null });
      expect(reset.apiBaseUrl).not.toBe(twilio.url);
      expect(reset.apiBaseUrl).toMatch(/^https:\/\//);
      await expect(client.connections.update(connection.id, { credentials: { authToken: 'sec_missing' } })).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.connections.update('conn_missing', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('rotates the inbound secret', async () => {
      const { connection } = await twilioConnection();
      const rotated = await client.connections.rotateInboundSecret(connection.id);
      expect(rotated.id).toBe(connection.id);
      expect(rotated.inboundSecret).not.toBe(connection.inboundSecret);
      expect(rotated.inboundUrl).toBe(connection.inboundUrl);
      expect((await client.connections.get(connection.id)).inboundSecret).toBe(rotated.inboundSecret);
      await expect(client.connections.rotateInboundSecret('conn_missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('validates requests before sending', async () => {
      expect(PROVIDERS).toContain('twilio');
      const unknown = await client.connections
        .create({ provider: 'carrier-pigeon' as 'twilio', name: 'Coo' })
        .catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(ValidationError);
      expect((unknown as ValidationError).issues.map((i) => i.field)).toEqual(['provider']);
      await expect(client.connections.create({ provider: 'twilio', name: 'X', apiBaseUrl: 'ftp://example.com' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(client.connections.update('conn_1', { id: 'conn_2' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.connections.rotateInboundSecret('')).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('client.deliveries', () => {
    let connection: Connection;

    beforeAll(async () => {
      ({ connection } = await twilioConnection());
      const phone = await client.phoneConfigurations.create({ phoneNumber: PHONE_NUMBER, provider: 'twilio', connectionId: connection.id });
      const channel = await client.deploymentChannels.create({
        channelIdentifier: PHONE_NUMBER,
        deploymentType: 'sms',
        configuration: { phoneConfigurationId: phone.id },
      });
      const agent = await client.agents.create({ name: 'Echo' });
      await client.deploymentConfigurations.create({ deploymentChannelId: channel.id, agentId: agent.id, status: 'active' });
    });

    /** An inbound SMS, signed as Twilio signs it; the echo agent's reply becomes a delivery. */
    async function receiveSms(messageSid: string, body: string): Promise<void> {
      const path = `/v1/public/channels/twilio/${connection.id}`;
      const { headers, body: form } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, inboundSmsParams({ MessageSid: messageSid, Body: body }));
      const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: form });
      expect(response.status).toBe(200);
    }

    it('lists a sent delivery and refuses to retry it with ConflictError', async () => {
      await receiveSms('SMsdk0000000000000000000000000001', 'Are you open?');
      const sent = await waitUntil(() => twilio.messages.find((m) => m.body === 'Are you open?'), 5000, 'the reply at the fake Twilio');
      const delivery = await waitUntil(
        async () => (await client.deliveries.list({ status: 'sent', pageSize: 100 })).data.find((d) => d.messageId === sent.idempotencyToken),
        5000,
        'the sent delivery',
      );
      expect(delivery).toMatchObject({ connectionId: connection.id, status: 'sent', attempts: 1, providerMessageId: sent.sid, lastError: null });
      expect(delivery.id).toMatch(/^dlv_/);
      expect(await client.deliveries.get(delivery.id)).toEqual(delivery);
      expect((await client.deliveries.list()).data.map((d) => d.id)).toContain(delivery.id);
      expect((await client.deliveries.list({ status: 'dead' })).data.map((d) => d.id)).not.toContain(delivery.id);

      const error = await client.deliveries.retry(delivery.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).message).toMatch(/sent/);
    });

    it('dead-letters a permanent failure, then retries it on request until the provider has it', async () => {
      twilio.failNext(400, { code: 21211, message: "The 'To' number is not a valid phone number." });
      await receiveSms('SMsdk0000000000000000000000000002', 'Bad number');
      const dead = await waitUntil(
        async () => (await client.deliveries.list({ status: 'dead' })).data[0],
        5000,
        'a dead letter',
      );
      expect(dead).toMatchObject({ status: 'dead', connectionId: connection.id, sentAt: null });
      expect(dead.lastError).toContain('400');
      expect(twilio.messages.some((m) => m.body === 'Bad number')).toBe(false);

      const revived = await client.deliveries.retry(dead.id);
      expect(revived.id).toBe(dead.id);
      // The dispatcher is kicked at once, so the row may already be on its way.
      expect(['pending', 'sending', 'sent']).toContain(revived.status);
      const sent = await waitUntil(() => twilio.messages.find((m) => m.body === 'Bad number'), 5000, 'the revived delivery');
      expect(sent.idempotencyToken).toBe(dead.messageId);
      const done: Delivery = await waitUntil(async () => {
        const current = await client.deliveries.get(dead.id);
        return current.status === 'sent' && current;
      });
      expect(done.providerMessageId).toBe(sent.sid);
      expect((await client.deliveries.list({ status: 'dead' })).data.map((d) => d.id)).not.toContain(dead.id);
    });

    it('throws NotFoundError for an unknown delivery and validates the filters', async () => {
      await expect(client.deliveries.get('dlv_missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.deliveries.retry('dlv_missing')).rejects.toBeInstanceOf(NotFoundError);
      const bad = await client.deliveries.list({ status: 'lost' as 'dead' }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect((bad as ValidationError).issues.map((i) => i.field)).toEqual(['status']);
      const badIds = await client.deliveries.list({ subscriptionId: 'not an id', connectionId: '' }).catch((e: unknown) => e);
      expect((badIds as ValidationError).issues.map((i) => i.field)).toEqual(['subscriptionId', 'connectionId', 'connectionId']);
      const both = await client.deliveries.list({ subscriptionId: 'whk_1', connectionId: 'conn_1' }).catch((e: unknown) => e);
      expect((both as ValidationError).issues).toEqual([{ field: 'connectionId', message: expect.stringContaining('cannot be combined with subscriptionId') }]);
      await expect(client.deliveries.list({ pageSize: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.deliveries.retry('')).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
