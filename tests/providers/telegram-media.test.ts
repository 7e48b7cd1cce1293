/**
 * A photo sent to a Telegram bot, end to end on both engines: the update is acknowledged, the
 * inbox fetches the largest size through the Bot API (getFile, then the file download) from the
 * connection's API base URL (a local fake), stores it like any attachment, and the contact's
 * message in the transcript carries it with a signed URL that serves the same bytes. A file the
 * Bot API cannot give is left out, and the message is kept.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startFakeTelegram, telegramUpdateRequest, type FakeTelegram } from '../fakes/telegram.js';
import { contactMessages, deployEcho, inboundPath, settled, startProviderHarness, type ProviderHarness } from './harness.js';
import { createTelegramConnection, TELEGRAM_BOT_TOKEN } from './connections.js';

const BOT_USERNAME = 'switchboard_media_bot';
const USER_ID = 223456789;
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(2048, 7), Buffer.from('ffd9', 'hex')]);

const photo = (updateId: number, fileId: string, caption?: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId % 1000,
    from: { id: USER_ID, is_bot: false, first_name: 'Ada' },
    chat: { id: USER_ID, first_name: 'Ada', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    photo: [
      { file_id: `${fileId}-thumb`, file_unique_id: `${fileId}t`, width: 90, height: 90 },
      { file_id: fileId, file_unique_id: `${fileId}u`, width: 800, height: 800 },
    ],
    ...(caption && { caption }),
  },
});

describe.each(ENGINES)('Telegram photos end to end on %s', (engine) => {
  let h: ProviderHarness;
  let telegram: FakeTelegram;
  let connectionId: string;
  let secretToken: string;

  const post = (update: unknown) => {
    const { body, headers } = telegramUpdateRequest(update, secretToken);
    return fetch(`${h.server.baseUrl}${inboundPath('telegram', connectionId)}`, { method: 'POST', headers, body });
  };

  beforeAll(async () => {
    telegram = await startFakeTelegram({ botToken: TELEGRAM_BOT_TOKEN, botUsername: BOT_USERNAME });
    h = await startProviderHarness(engine);
    const connection = await createTelegramConnection(h.api, telegram.url, BOT_USERNAME);
    connectionId = connection.id;
    secretToken = connection.inboundSecret;
    await deployEcho(h.api, { deploymentType: 'telegram', channelIdentifier: BOT_USERNAME, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await telegram?.close();
  });

  it('stores the photo and shows it in the transcript', async () => {
    telegram.addFile('AgACphoto1', JPEG);
    expect((await post(photo(872000001, 'AgACphoto1', 'my broken parcel'))).status).toBe(200);
    await settled(h.server, 10_000);
    const [message] = await contactMessages(h.server, '872000001');
    expect(message!.text).toBe('my broken parcel');
    const fetched = telegram.requests.filter((r) => r.apiMethod === 'getFile' || r.path.startsWith('/file/'));
    expect(fetched.map((r) => r.apiMethod ?? 'download')).toEqual(['getFile', 'download']);
    expect(fetched[0]!.params.file_id).toBe('AgACphoto1'); // the largest size, not the thumbnail

    const transcript = await h.api('GET', `/v1/conversations/${message!.conversation_id}/messages`);
    const listed = transcript.body.data.data.find((m: any) => m.id === message!.id);
    expect(listed.attachments).toEqual([
      expect.objectContaining({ name: 'photo-AgACphoto1u.jpg', contentType: 'image/jpeg', size: JPEG.length, url: expect.stringContaining('/v1/public/attachments/att_') }),
    ]);
    const url = new URL(listed.attachments[0].url);
    // Its own connection, closed after, so no keep-alive connection holds the server's close.
    const client = new Agent();
    const download = await undiciFetch(`${h.server.baseUrl}${url.pathname}${url.search}`, { dispatcher: client });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(JPEG);
    expect(download.headers.get('content-disposition')).toMatch(/^inline/);
    await client.close();
  });

  it('keeps the message when the Bot API cannot give the file', async () => {
    expect((await post(photo(872000002, 'AgACmissing'))).status).toBe(200);
    await settled(h.server, 10_000);
    const [message] = await contactMessages(h.server, '872000002');
    expect(message!.text).toBe('photo-AgACmissingu.jpg');
    const rows = await h.server.db.selectFrom('attachments').select('id').where('message_id', '=', message!.id).execute();
    expect(rows).toEqual([]);
  });
});
