/**
 * An image sent to a WhatsApp number, end to end on both engines: the webhook is acknowledged,
 * the inbox asks the Graph API for the media id's URL (with the token and appsecret_proof) and
 * downloads it with the bearer token, both from the connection's API base URL (a local fake),
 * stores it, and the transcript lists it on the contact's message with a signed URL serving the
 * same bytes.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { signedMetaWebhook, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { whatsappWebhook } from '../fakes/whatsapp-payloads.js';
import { contactMessages, deployEcho, inboundPath, settled, startProviderHarness, type ProviderHarness } from './harness.js';
import { createMetaConnection, META_ACCESS_TOKEN as ACCESS_TOKEN, META_APP_SECRET as APP_SECRET, PHONE_NUMBER_ID } from './connections.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const whatsappImage = (wamid: string, mediaId: string, caption?: string) =>
  whatsappWebhook({ id: wamid, type: 'image', image: { id: mediaId, mime_type: 'image/png', sha256: 'x', ...(caption && { caption }) } }, { phoneNumberId: PHONE_NUMBER_ID });

describe.each(ENGINES)('WhatsApp images end to end on %s', (engine) => {
  let h: ProviderHarness;
  let graph: FakeGraph;
  let connectionId: string;

  beforeAll(async () => {
    graph = await startFakeGraph({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, requireAppSecretProof: true, phoneNumberIds: [PHONE_NUMBER_ID] });
    h = await startProviderHarness(engine);
    const connection = await createMetaConnection(h.api, graph.url);
    connectionId = connection.id;
    await deployEcho(h.api, { deploymentType: 'whatsapp', channelIdentifier: '+12025550123', configuration: { connectionId, phoneNumberId: PHONE_NUMBER_ID } });
  });
  afterAll(async () => {
    await h?.close();
    await graph?.close();
  });

  it('fetches the image by its media id and shows it in the transcript', async () => {
    graph.addMedia('1003383421387256', PNG, 'image/png');
    const { body, headers } = signedMetaWebhook(APP_SECRET, whatsappImage('wamid.IMG1', '1003383421387256', 'the dent'));
    expect((await fetch(`${h.server.baseUrl}${inboundPath('meta', connectionId)}`, { method: 'POST', headers, body })).status).toBe(200);
    await settled(h.server, 10_000);
    const [message] = await contactMessages(h.server, 'wamid.IMG1');
    expect(message!.text).toBe('the dent');

    const asked = graph.requests.filter((r) => r.path.endsWith('/1003383421387256'));
    expect(asked).toHaveLength(2); // the media node (with appsecret_proof), then the download (bearer only)
    expect(asked[0]!.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    expect(asked.every((r) => r.auth === 'bearer')).toBe(true);

    const transcript = await h.api('GET', `/v1/conversations/${message!.conversation_id}/messages`);
    const listed = transcript.body.data.data.find((m: any) => m.id === message!.id);
    expect(listed.attachments).toEqual([expect.objectContaining({ name: 'image-1003383421387256.png', contentType: 'image/png', size: PNG.length })]);
    const url = new URL(listed.attachments[0].url);
    // Its own connection, closed after: the server may still be finishing the file stream when the
    // body has arrived, and a keep-alive connection not yet idle would hold the server's close.
    const client = new Agent();
    const download = await undiciFetch(`${h.server.baseUrl}${url.pathname}${url.search}`, { dispatcher: client });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
    await client.close();
  });
});
