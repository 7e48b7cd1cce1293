import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { localStorage } from '../../packages/server/src/files/local-storage.js';

const ORIGIN = 'http://localhost:5500';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe.each(ENGINES)('attachments on %s', (engine) => {
  let server: LiveServer;
  let key: string;
  const root = mkdtempSync(join(tmpdir(), 'switchboard-attachments-test-'));
  const stored = () => readdirSync(root, { recursive: true }).filter((name) => !String(name).startsWith('.incoming') && !String(name).endsWith('.type') && /att_/.test(String(name)));

  const api = async (method: string, path: string, body?: unknown, apiKey = key) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function deploy(apiKey = key, recordingEnabled = true) {
    const agent = await api('POST', '/v1/agents', { name: 'Files' }, apiKey);
    const deployed = await api(
      'POST',
      `/v1/agents/${agent.body.data.id}/deployments`,
      { allowedOrigins: [ORIGIN], channel: { channelIdentifier: `https://files-${Math.random().toString(36).slice(2)}.example.com`, recordingEnabled } },
      apiKey,
    );
    expect(deployed.status).toBe(201);
    const token = deployed.body.data.token as string;
    const session = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<any>);
    return { agentId: agent.body.data.id as string, deploymentId: deployed.body.data.id as string, token, sessionId: session.data.sessionId as string, visitorToken: session.data.visitorToken as string };
  }

  const upload = async (
    chat: { token: string; sessionId: string; visitorToken: string },
    body: BodyInit | null,
    options: { name?: string; type?: string | null; clientMessageId?: string; headers?: Record<string, string>; duplex?: boolean } = {},
  ) => {
    const query = new URLSearchParams({ ...(options.name !== undefined ? { name: options.name } : { name: 'photo.png' }), clientMessageId: options.clientMessageId ?? `c-${Math.random().toString(36).slice(2)}` });
    const response = await fetch(`${server.baseUrl}/v1/public/runtime/sessions/${chat.sessionId}/attachments?${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${chat.token}`,
        origin: ORIGIN,
        'x-visitor-token': chat.visitorToken,
        ...(options.type !== null && { 'content-type': options.type ?? 'image/png' }),
        ...options.headers,
      },
      body,
      ...(options.duplex && { duplex: 'half' }),
    } as RequestInit);
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const local = (url: string) => {
    const parsed = new URL(url);
    return `${server.baseUrl}${parsed.pathname}${parsed.search}`;
  };

  beforeAll(async () => {
    server = await startLiveServer(engine, { storage: localStorage(root), runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    key = (await server.newWorkspace()).apiKey;
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a visitor sends an image: stored with its hash, carried by their message, listed in history, downloadable through a signed URL', async () => {
    const chat = await deploy();
    const sent = await upload(chat, PNG, { name: 'photo.png', clientMessageId: 'img-1' });
    expect(sent.status).toBe(202);
    const message = sent.body.data.message;
    expect(message).toMatchObject({ role: 'contact', text: 'photo.png', clientMessageId: 'img-1' });
    expect(message.attachments).toHaveLength(1);
    const attachment = message.attachments[0];
    expect(attachment).toMatchObject({ name: 'photo.png', contentType: 'image/png', size: PNG.length });
    expect(attachment.id).toMatch(/^att_/);
    expect(attachment.url).toMatch(/\/v1\/public\/attachments\/att_[0-9A-Za-z]+\?expires=\d+&signature=[\w-]{43}$/);
    expect(attachment.urlExpiresAt).toBeGreaterThan(Date.now());

    const row = await server.db.selectFrom('attachments').selectAll().where('id', '=', attachment.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ message_id: message.id, conversation_id: chat.sessionId, sha256: createHash('sha256').update(PNG).digest('hex') });
    expect(Number(row.size)).toBe(PNG.length);

    const history = await fetch(`${server.baseUrl}/v1/public/runtime/sessions/${chat.sessionId}/messages`, {
      headers: { authorization: `Bearer ${chat.token}`, origin: ORIGIN, 'x-visitor-token': chat.visitorToken },
    }).then((r) => r.json() as Promise<any>);
    const listed = history.data.find((m: any) => m.id === message.id);
    expect(listed.attachments[0]).toMatchObject({ id: attachment.id, name: 'photo.png', url: expect.stringContaining(attachment.id) });

    const download = await fetch(local(listed.attachments[0].url));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(download.headers.get('content-disposition')).toMatch(/^inline; filename="photo.png"/);

    // The operator's transcript lists it too.
    const transcript = await api('GET', `/v1/conversations/${chat.sessionId}/messages`);
    expect(transcript.body.data.data.find((m: any) => m.id === message.id).attachments[0].url).toContain(attachment.id);
  });

  it('a PDF is served as a download, never inline', async () => {
    const chat = await deploy();
    const sent = await upload(chat, Buffer.from('%PDF-1.4\n%test\n'), { name: 'invoice "march".pdf', type: 'application/pdf' });
    expect(sent.status).toBe(202);
    const download = await fetch(local(sent.body.data.message.attachments[0].url));
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="invoice _march_.pdf"; filename*=UTF-8''invoice%20_march_.pdf`);
  });

  it('a 20 MB upload is refused with 413 and the limit before it is read, and nothing is kept', async () => {
    const chat = await deploy();
    const before = stored().length;
    const refused = await upload(chat, Buffer.alloc(20 * 1024 * 1024, 1), { name: 'huge.png' });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ success: false, code: 'PAYLOAD_TOO_LARGE', meta: { reason: 'FILE_TOO_LARGE', maxBytes: 10 * 1024 * 1024 } });
    expect(refused.body.message).toBe('The file is 20971520 bytes (20 MiB), more than the limit of 10485760 bytes (10 MiB) for attachments here');
    expect(refused.headers.get('connection')).toBe('close');
    expect(stored().length).toBe(before);
    const count = await server.db.selectFrom('messages').select(({ fn }) => fn.countAll<number>().as('n')).where('conversation_id', '=', chat.sessionId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('a body without a length that grows past the limit is cut off with 413', async () => {
    const chat = await deploy();
    const settings = await api('PUT', `/v1/agents/${chat.agentId}/deployments/${chat.deploymentId}/attachment-settings`, { maxBytes: 100_000 });
    expect(settings.status).toBe(200);
    const before = stored().length;
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 2);
    const stream = new ReadableStream({
      pull(controller) {
        if (sent >= 5 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const refused = await upload(chat, stream as never, { name: 'stream.png', duplex: true });
    expect(refused.status).toBe(413);
    expect(refused.body.message).toBe('The file is larger than the limit of 100000 bytes (97.7 KiB) for attachments here');
    expect(stored().length).toBe(before);
  });

  it('refuses a type the deployment does not allow (415 naming the rule), no name (400 naming the field), and a disabled deployment (403)', async () => {
    const chat = await deploy();
    const html = await upload(chat, Buffer.from('<script>alert(1)</script>'), { name: 'x.html', type: 'text/html' });
    expect(html.status).toBe(415);
    expect(html.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', meta: { reason: 'TYPE_NOT_ALLOWED' } });
    expect(html.body.message).toBe('Files of type text/html are not accepted here; allowed: image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain');
    expect(html.body.error.details).toEqual([{ field: 'Content-Type', message: expect.stringContaining('must be one of image/png') }]);
    const untyped = await upload(chat, Buffer.from('x'), { type: null });
    expect(untyped.status).toBe(415);
    const unnamed = await upload(chat, PNG, { name: '' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.details[0].field).toBe('name');
    const badId = await upload(chat, PNG, { clientMessageId: 'no spaces allowed' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].field).toBe('clientMessageId');

    // image/* allows every image type; the rest stays refused.
    await api('PUT', `/v1/agents/${chat.agentId}/deployments/${chat.deploymentId}/attachment-settings`, { allowedTypes: ['image/*'] });
    expect((await upload(chat, PNG, { type: 'image/avif', name: 'a.avif' })).status).toBe(202);
    expect((await upload(chat, Buffer.from('%PDF'), { type: 'application/pdf', name: 'a.pdf' })).status).toBe(415);

    await api('PUT', `/v1/agents/${chat.agentId}/deployments/${chat.deploymentId}/attachment-settings`, { enabled: false });
    const disabled = await upload(chat, PNG);
    expect(disabled.status).toBe(403);
    expect(disabled.body.meta.reason).toBe('ATTACHMENTS_DISABLED');
    const config = await fetch(`${server.baseUrl}/v1/public/runtime/config`, { headers: { authorization: `Bearer ${chat.token}`, origin: ORIGIN } }).then((r) => r.json() as Promise<any>);
    // PUT replaces the rules: what it leaves out is back to its default.
    expect(config.data.attachments).toEqual({ enabled: false, maxBytes: 10 * 1024 * 1024, allowedTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] });
  });

  it('a channel that does not record messages keeps no files: the widget is not offered them and uploads are refused', async () => {
    const chat = await deploy(key, false);
    const config = await fetch(`${server.baseUrl}/v1/public/runtime/config`, { headers: { authorization: `Bearer ${chat.token}`, origin: ORIGIN } }).then((r) => r.json() as Promise<any>);
    expect(config.data.attachments.enabled).toBe(false);
    const before = stored().length;
    const refused = await upload(chat, PNG);
    expect(refused.status).toBe(403);
    expect(refused.body.meta.reason).toBe('ATTACHMENTS_NOT_RECORDED');
    const fromApi = await fetch(`${server.baseUrl}/v1/conversations/${chat.sessionId}/attachments?name=a.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF'),
    });
    expect(fromApi.status).toBe(409);
    expect(stored().length).toBe(before);
  });

  it('the upload rules: defaults, validation naming the field, nothing changed by bad input', async () => {
    const chat = await deploy();
    const url = `/v1/agents/${chat.agentId}/deployments/${chat.deploymentId}/attachment-settings`;
    const defaults = await api('GET', url);
    expect(defaults.body.data).toEqual({ enabled: true, maxBytes: 10485760, allowedTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] });
    const tooBig = await api('PUT', url, { maxBytes: 30 * 1024 * 1024 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.details[0]).toMatchObject({ field: 'maxBytes', message: 'must be at most 26214400 bytes (25 MiB)' });
    const badType = await api('PUT', url, { allowedTypes: ['images'] });
    expect(badType.status).toBe(400);
    expect(badType.body.error.details[0].field).toBe('allowedTypes.0');
    expect((await api('GET', url)).body.data).toEqual(defaults.body.data);
  });

  it('a retried upload (same clientMessageId) makes one message and keeps one file', async () => {
    const chat = await deploy();
    const first = await upload(chat, PNG, { clientMessageId: 'same-1' });
    const second = await upload(chat, PNG, { clientMessageId: 'same-1' });
    expect(first.body.data.duplicate).toBe(false);
    expect(second.status).toBe(202);
    expect(second.body.data).toMatchObject({ duplicate: true, message: { id: first.body.data.message.id } });
    expect(second.body.data.message.attachments[0].id).toBe(first.body.data.message.attachments[0].id);
    const rows = await server.db.selectFrom('attachments').select('id').where('conversation_id', '=', chat.sessionId).execute();
    expect(rows).toHaveLength(1);
  });

  it('signed URLs: an expired one, a tampered signature or another id are refused with 403 before any lookup', async () => {
    const chat = await deploy();
    const sent = await upload(chat, PNG);
    const { id } = sent.body.data.message.attachments[0];
    const old = server.app.attachments.signer.sign(id, Date.now() - 60 * 60_000);
    const expired = await fetch(local(old.url));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as any).meta.reason).toBe('URL_EXPIRED');

    const fresh = new URL(server.app.attachments.signer.sign(id).url);
    const signature = fresh.searchParams.get('signature')!;
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    for (const tampered of [
      `${fresh.pathname}?expires=${fresh.searchParams.get('expires')}&signature=${flipped}`,
      `${fresh.pathname}?expires=${Number(fresh.searchParams.get('expires')) + 60}&signature=${signature}`,
      `${fresh.pathname.replace(id, 'att_0000000000000000')}${fresh.search}`,
      `${fresh.pathname}`,
    ]) {
      const response = await fetch(`${server.baseUrl}${tampered}`);
      expect(response.status, tampered).toBe(403);
      expect(((await response.json()) as any).meta.reason).toBe('SIGNATURE_INVALID');
    }
    expect((await fetch(`${server.baseUrl}${fresh.pathname}${fresh.search}`)).status).toBe(200);
  });

  it('agents and people send files back through the API; other workspaces see none of it', async () => {
    const chat = await deploy();
    const sent = await fetch(`${server.baseUrl}/v1/conversations/${chat.sessionId}/attachments?name=receipt.pdf&role=agent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.4 receipt'),
    });
    expect(sent.status).toBe(201);
    const message = ((await sent.json()) as any).data;
    expect(message).toMatchObject({ role: 'agent', text: 'receipt.pdf', attachments: [{ name: 'receipt.pdf', contentType: 'application/pdf', size: 16 }] });
    const history = await fetch(`${server.baseUrl}/v1/public/runtime/sessions/${chat.sessionId}/messages`, {
      headers: { authorization: `Bearer ${chat.token}`, origin: ORIGIN, 'x-visitor-token': chat.visitorToken },
    }).then((r) => r.json() as Promise<any>);
    const listed = history.data.find((m: any) => m.id === message.id);
    expect(Buffer.from(await (await fetch(local(listed.attachments[0].url))).arrayBuffer()).toString()).toBe('%PDF-1.4 receipt');

    // A person may reply with a file only in a handed-off conversation, as with text.
    const human = await fetch(`${server.baseUrl}/v1/conversations/${chat.sessionId}/attachments?name=a.png&role=human&memberId=mem_x`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(human.status).toBe(409);

    const other = await server.newWorkspace('Other');
    const before = stored().length;
    const foreign = await fetch(`${server.baseUrl}/v1/conversations/${chat.sessionId}/attachments?name=x.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(foreign.status).toBe(404);
    expect(stored().length).toBe(before);
    const foreignSettings = await api('GET', `/v1/agents/${chat.agentId}/deployments/${chat.deploymentId}/attachment-settings`, undefined, other.apiKey);
    expect(foreignSettings.status).toBe(404);
    const foreignTranscript = await api('GET', `/v1/conversations/${chat.sessionId}/messages`, undefined, other.apiKey);
    expect(foreignTranscript.status).toBe(404);
  });
});
