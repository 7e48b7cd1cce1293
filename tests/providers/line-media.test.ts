/**
 * An image sent to a LINE bot, end to end on both engines: the inbox fetches it from the content
 * endpoint (`GET /v2/bot/message/{id}/content` with the channel access token) at the connection's
 * API base URL (a local fake), stores it, and the transcript lists it on the contact's message
 * with a signed URL serving the same bytes. An image LINE cannot give is left out; the message is kept.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startFakeLine, type FakeLine } from '../fakes/line.js';
import { contactMessages, settled, startProviderHarness, type ProviderHarness } from './harness.js';
import { LINE_USER as USER, deployLineEcho, postLineEvents } from './connections.js';

const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(1024, 3), Buffer.from('ffd9', 'hex')]);

const imageEvent = (webhookEventId: string, messageId: string) => ({
  type: 'message',
  message: { type: 'image', id: messageId, quoteToken: `q-${messageId}`, contentProvider: { type: 'line' } },
  webhookEventId,
  deliveryContext: { isRedelivery: false },
  timestamp: Date.now(),
  source: { type: 'user', userId: USER },
  mode: 'active',
});

describe.each(ENGINES)('LINE images end to end on %s', (engine) => {
  let h: ProviderHarness;
  let line: FakeLine;
  let connectionId: string;

  const post = (events: unknown[]) => postLineEvents(h, connectionId, events);

  beforeAll(async () => {
    line = await startFakeLine();
    h = await startProviderHarness(engine);
    connectionId = await deployLineEcho(h.api, line);
  });
  afterAll(async () => {
    await h?.close();
    await line?.close();
  });

  it('fetches the image from the content endpoint and shows it in the transcript', async () => {
    line.addContent('325708001', JPEG);
    expect((await post([imageEvent('01HIMG0000000000000000001', '325708001')])).status).toBe(200);
    await settled(h.server, 10_000);
    const [message] = await contactMessages(h.server, '01HIMG0000000000000000001');
    expect(message!.text).toBe('image-325708001.jpg');
    const asked = line.requests.filter((r) => r.path === '/v2/bot/message/325708001/content');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.headers.authorization).toBe(`Bearer ${line.accessToken}`);

    const transcript = await h.api('GET', `/v1/conversations/${message!.conversation_id}/messages`);
    const listed = transcript.body.data.data.find((m: any) => m.id === message!.id);
    expect(listed.attachments).toEqual([expect.objectContaining({ name: 'image-325708001.jpg', contentType: 'image/jpeg', size: JPEG.length })]);
    const url = new URL(listed.attachments[0].url);
    // Its own connection, closed after, so no keep-alive connection holds the server's close.
    const client = new Agent();
    const download = await undiciFetch(`${h.server.baseUrl}${url.pathname}${url.search}`, { dispatcher: client });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(JPEG);
    await client.close();
  });

  it('keeps the message when LINE cannot give the image', async () => {
    expect((await post([imageEvent('01HIMG0000000000000000002', '325708002')])).status).toBe(200);
    await settled(h.server, 10_000);
    const [message] = await contactMessages(h.server, '01HIMG0000000000000000002');
    expect(message!.text).toBe('image-325708002.jpg');
    expect(await h.server.db.selectFrom('attachments').select('id').where('message_id', '=', message!.id).execute()).toEqual([]);
  });
});
