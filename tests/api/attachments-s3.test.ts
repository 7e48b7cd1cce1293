/**
 * The same attachment routes over the S3-compatible backend (a local fake speaking the S3 protocol
 * and checking SigV4), on both engines: a visitor's upload lands in the bucket under its key and
 * prefix, the signed URL serves it back through the server, and a refused upload puts nothing there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { fakesEgress } from '../helpers/egress.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { startS3Fake, type S3Fake } from '../fakes/s3.js';
import { createStorage, parseStorageConfig } from '../../packages/server/src/files/storage-config.js';

const ORIGIN = 'http://localhost:5500';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe.each(ENGINES)('attachments in S3 on %s', (engine) => {
  let s3: S3Fake;
  let server: LiveServer;
  let key: string;
  const spool = mkdtempSync(join(tmpdir(), 'switchboard-s3-app-'));

  beforeAll(async () => {
    s3 = await startS3Fake();
    const storage = await createStorage(
      parseStorageConfig({ S3_BUCKET: s3.bucket, S3_REGION: s3.region, S3_ENDPOINT: s3.url, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_PREFIX: 'sb/' }),
      spool,
      fakesEgress,
    );
    server = await startLiveServer(engine, { storage });
    key = (await server.newWorkspace()).apiKey;
  });
  afterAll(async () => {
    await server?.close();
    await s3?.close();
    rmSync(spool, { recursive: true, force: true });
  });

  it('stores uploads in the bucket and serves them back through the signed URL', async () => {
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const agent = await api('POST', '/v1/agents', { name: 'Files' });
    const deployed = await api('POST', `/v1/agents/${agent.data.id}/deployments`, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: 'https://s3-files.example.com' } });
    const token = deployed.data.token as string;
    const session = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<any>);
    const upload = (body: Buffer, type: string) =>
      fetch(`${server.baseUrl}/v1/public/runtime/sessions/${session.data.sessionId}/attachments?name=photo.png&clientMessageId=c-${Math.random().toString(36).slice(2)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'x-visitor-token': session.data.visitorToken, 'content-type': type },
        body: new Uint8Array(body),
      });

    const sent = await upload(PNG, 'image/png');
    expect(sent.status).toBe(202);
    const attachment = ((await sent.json()) as any).data.message.attachments[0];
    const workspaceId = (await server.db.selectFrom('attachments').select('workspace_id').where('id', '=', attachment.id).executeTakeFirstOrThrow()).workspace_id;
    expect(s3.objects.get(`sb/${workspaceId}/${attachment.id}`)).toEqual({ body: PNG, contentType: 'image/png' });
    expect(s3.requests.every((r) => r.verified)).toBe(true);

    const url = new URL(attachment.url);
    // Its own connection, closed after, so no keep-alive connection holds the server's close.
    const client = new Agent();
    const download = await undiciFetch(`${server.baseUrl}${url.pathname}${url.search}`, { dispatcher: client });
    expect(download.status).toBe(200);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
    await client.close();

    const objects = s3.objects.size;
    expect((await upload(Buffer.alloc(11 * 1024 * 1024, 1), 'image/png')).status).toBe(413);
    expect(s3.objects.size).toBe(objects);
  });
});
