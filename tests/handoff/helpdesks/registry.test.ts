import { HELPDESK_PROVIDERS } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionContext } from '../../../packages/server/src/channels/adapter.js';
import type { HelpdeskConnector } from '../../../packages/server/src/handoff/helpdesks/connector.js';
import { helpdeskConnectors } from '../../../packages/server/src/handoff/helpdesks/index.js';
import { startFakeGenesys, type FakeGenesys } from '../../fakes/genesys.js';
import { startFakeHelpdeskWebhook, type FakeHelpdeskWebhook } from '../../fakes/helpdesk-webhook.js';
import { startFakeServiceNow, type FakeServiceNow } from '../../fakes/servicenow.js';
import { postCallback, startFakeZendesk, type CallbackRequest, type FakeZendesk } from '../../fakes/zendesk.js';
import { connectionContext, rawFromCapture, startCapture } from './support.js';

describe('helpdesk registry', () => {
  it('holds one connector per helpdesk provider, keyed by its name', () => {
    expect([...helpdeskConnectors.keys()].sort()).toEqual([...HELPDESK_PROVIDERS].sort());
    for (const [name, connector] of helpdeskConnectors) expect(connector.provider).toBe(name);
  });

  it('every connector documents its setup with both placeholders and lists its credentials', () => {
    for (const connector of helpdeskConnectors.values()) {
      expect(connector.setup).toContain('{inboundUrl}');
      expect(connector.setup).toContain('{inboundSecret}');
      expect(connector.credentials.length).toBeGreaterThan(0);
      for (const credential of connector.credentials) expect(credential.description.length).toBeGreaterThan(20);
      expect(typeof connector.settings.safeParse).toBe('function');
    }
    expect(helpdeskConnectors.get('zendesk')!.defaultApiBaseUrl).toBe('https://{subdomain}.zendesk.com');
    expect(helpdeskConnectors.get('servicenow')!.defaultApiBaseUrl).toBe('https://{instance}.service-now.com');
    expect(helpdeskConnectors.get('genesys')!.defaultApiBaseUrl).toBe('https://api.{region}');
    expect(helpdeskConnectors.get('webhook')!.defaultApiBaseUrl).toBe('');
  });
});

describe('signed callbacks survive the wire', () => {
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let zendesk: FakeZendesk;
  let servicenow: FakeServiceNow;
  let genesys: FakeGenesys;
  let helpdesk: FakeHelpdeskWebhook;

  beforeAll(async () => {
    capture = await startCapture();
    zendesk = await startFakeZendesk({ email: 'a@b.example', apiToken: 't' });
    servicenow = await startFakeServiceNow({ username: 'u', password: 'p' });
    genesys = await startFakeGenesys({ clientId: 'c', clientSecret: 's', integrationId: '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d' });
    helpdesk = await startFakeHelpdeskWebhook({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
  });
  afterAll(async () => {
    await Promise.all([capture.close(), zendesk.close(), servicenow.close(), genesys.close(), helpdesk.close()]);
  });

  async function roundTrip(connector: HelpdeskConnector, connection: ConnectionContext, request: CallbackRequest) {
    capture.received.length = 0;
    const response = await postCallback(capture.url, request);
    expect(response.status).toBe(200);
    const raw = rawFromCapture(capture.received[0]!);
    connector.verify(raw, connection);
    return connector.parse(raw, connection);
  }

  it('a reply from each fake, POSTed over HTTP, verifies over the received bytes and parses to a message', async () => {
    // Non-ASCII text: signatures must hold over the raw UTF-8 bytes.
    const text = 'Grüße, Ada — we are on it ✓';

    zendesk.tickets.set(4242, { id: 4242, requesterId: 1, tags: [], status: 'open', comments: [] });
    const zd = connectionContext({ id: 'conn_a', provider: 'zendesk', inboundSecret: 'zdSecret123', settings: { mode: 'ticket' } });
    expect(await roundTrip(helpdeskConnectors.get('zendesk')!, zd, zendesk.agentReply({ ticketId: 4242, text, secret: 'zdSecret123' }))).toMatchObject([{ kind: 'message', text, ref: { ticketId: '4242' } }]);

    const snId = 'b'.repeat(32);
    servicenow.incidents.set(snId, { sysId: snId, number: 'INC0010099', fields: { state: '2' }, journal: [] });
    const sn = connectionContext({ id: 'conn_b', provider: 'servicenow', inboundSecret: 'snSecret123', settings: { mode: 'incident', instance: 'acme', username: 'u' } });
    expect(await roundTrip(helpdeskConnectors.get('servicenow')!, sn, servicenow.agentComment({ sysId: snId, text, secret: 'snSecret123' }))).toMatchObject([
      { kind: 'accepted' },
      { kind: 'message', text, ref: { sysId: snId } },
    ]);

    const gc = connectionContext({ id: 'conn_c', provider: 'genesys', inboundSecret: 'gcSecret123', settings: { integrationId: '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d' } });
    expect(await roundTrip(helpdeskConnectors.get('genesys')!, gc, genesys.agentReply({ toId: 'conv_9', text, secret: 'gcSecret123' }))).toMatchObject([{ kind: 'message', text, ref: { userId: 'conv_9' } }]);

    const secret = 'whsec_dGhpcyBpcyB0aGUgaW5ib3VuZCBzZWNyZXQgMzIh';
    const wh = connectionContext({ id: 'conn_d', provider: 'webhook', inboundSecret: secret, settings: { url: helpdesk.url } });
    expect(await roundTrip(helpdeskConnectors.get('webhook')!, wh, helpdesk.agentMessage({ conversationId: 'conv_9', text, secret }))).toMatchObject([
      { kind: 'message', text, ref: { conversationId: 'conv_9' } },
    ]);
  });
});
