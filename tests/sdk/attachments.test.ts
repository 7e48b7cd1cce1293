/**
 * Attachments through the TypeScript SDK, against a real Switchboard on both engines: a
 * deployment's upload rules read and replaced (checked before sending), and a file sent into a
 * conversation as the agent's message, its signed URL serving the bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, SwitchboardClient, ValidationError } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';

describe.each(ENGINES)('SDK attachments on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;

  beforeAll(async () => {
    server = await startLiveServer(engine);
    client = new SwitchboardClient({ apiKey: (await server.newWorkspace()).apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads and replaces upload rules, refusing bad ones before sending', async () => {
    const agent = await client.agents.create({ name: 'Files' });
    const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: 'https://sdk-files.example.com' } });
    expect(await client.deployments.attachmentSettings(agent.id, deployment.id)).toMatchObject({ enabled: true, maxBytes: 10 * 1024 * 1024 });
    const set = await client.deployments.setAttachmentSettings(agent.id, deployment.id, { maxBytes: 2_000_000, allowedTypes: ['image/*'] });
    expect(set).toEqual({ enabled: true, maxBytes: 2_000_000, allowedTypes: ['image/*'] });
    expect(await client.deployments.attachmentSettings(agent.id, deployment.id)).toEqual(set);
    const refused = await client.deployments.setAttachmentSettings(agent.id, deployment.id, { maxBytes: 0 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues[0]!.field).toBe('maxBytes');
  });

  it('sends a file as the agent; the message carries it with a working signed URL', async () => {
    const agent = await client.agents.create({ name: 'Files 2' });
    const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: 'https://sdk-files-2.example.com' } });
    const session = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<any>);
    const conversationId = session.data.sessionId as string;
    const bytes = new TextEncoder().encode('%PDF-1.4 invoice');
    const message = await client.conversations.sendAttachment(conversationId, { name: 'invoice.pdf', contentType: 'application/pdf', data: bytes });
    expect(message).toMatchObject({ role: 'agent', text: 'invoice.pdf', attachments: [{ name: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length }] });
    const url = new URL(message.attachments![0]!.url!);
    const download = await fetch(`${server.baseUrl}${url.pathname}${url.search}`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);

    const listed = await client.conversations.messages(conversationId);
    expect(listed.data.find((m) => m.id === message.id)?.attachments?.[0]?.name).toBe('invoice.pdf');

    await expect(client.conversations.sendAttachment(conversationId, { name: '', contentType: 'application/pdf', data: bytes })).rejects.toBeInstanceOf(ValidationError);
    const wrongType = await client.conversations.sendAttachment(conversationId, { name: 'x.html', contentType: 'text/html', data: bytes }).catch((error: unknown) => error);
    expect(wrongType).toBeInstanceOf(APIError);
    expect((wrongType as APIError).statusCode).toBe(415);
  });
});
