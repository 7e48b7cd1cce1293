import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressPolicy } from '@switchboard/server';
import { localStorage } from '../../packages/server/src/files/local-storage.js';
import { createStorage, parseStorageConfig } from '../../packages/server/src/files/storage-config.js';
import { FileTooLargeError, type FileStorage } from '../../packages/server/src/files/storage.js';
import { startS3Fake, type S3Fake } from '../fakes/s3.js';
import { fakesEgress } from '../helpers/egress.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream of `total` bytes in 64 KiB chunks, counting how many were pulled from it. */
function counted(total: number) {
  const state = { pulled: 0 };
  const chunk = Buffer.alloc(64 * 1024, 7);
  const stream = new Readable({
    read() {
      if (state.pulled >= total) return this.push(null);
      const next = chunk.subarray(0, Math.min(chunk.length, total - state.pulled));
      state.pulled += next.length;
      this.push(next);
    },
  });
  return { stream, state };
}

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function behavesAsStorage(name: string, make: () => Promise<{ storage: FileStorage }>) {
  describe(name, () => {
    let storage: FileStorage;
    beforeAll(async () => {
      storage = (await make()).storage;
    });

    it('puts, gets and deletes an object with its type, size and sha256', async () => {
      const stored = await storage.put('ws_1/att_one', Readable.from([png]), { contentType: 'image/png', maxBytes: 1024 });
      expect(stored).toEqual({ size: png.length, sha256: createHash('sha256').update(png).digest('hex') });
      const got = await storage.get('ws_1/att_one');
      expect(got?.contentType).toBe('image/png');
      expect(got?.size).toBe(png.length);
      expect(await readAll(got!.body)).toEqual(png);
      await storage.delete('ws_1/att_one');
      expect(await storage.get('ws_1/att_one')).toBeUndefined();
      await storage.delete('ws_1/att_one'); // deleting what is gone is fine
    });

    it('refuses a body past the limit as soon as it passes it, and keeps nothing', async () => {
      const { stream, state } = counted(20 * 1024 * 1024);
      await expect(storage.put('ws_1/att_big', stream, { contentType: 'application/pdf', maxBytes: 1024 * 1024 })).rejects.toBeInstanceOf(FileTooLargeError);
      expect(state.pulled).toBeLessThan(2 * 1024 * 1024);
      expect(await storage.get('ws_1/att_big')).toBeUndefined();
    });

    it('refuses keys that could leave their place', async () => {
      for (const key of ['../etc/passwd', 'ws_1/../../x', '/abs', 'a/b.c', '', 'a//b', 'ws 1/x']) {
        await expect(storage.put(key, Readable.from([png]), { contentType: 'image/png', maxBytes: 1024 })).rejects.toThrow(/Storage key/);
        await expect(storage.get(key)).rejects.toThrow(/Storage key/);
      }
    });
  });
}

describe('local disk storage', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  behavesAsStorage('local', async () => ({ storage: localStorage(root) }));

  it('writes files readable by the owner only and leaves no temporary file behind', async () => {
    const storage = localStorage(root);
    await storage.put('ws_2/att_mode', Readable.from([png]), { contentType: 'image/png', maxBytes: 1024 });
    expect(statSync(join(root, 'ws_2', 'att_mode')).mode & 0o777).toBe(0o600);
    await storage.put('ws_2/att_gone', counted(4096).stream, { contentType: 'image/png', maxBytes: 100 }).catch(() => undefined);
    expect(readdirSync(join(root, '.incoming'))).toEqual([]);
  });
});

describe('S3-compatible storage (local fake speaking the S3 protocol)', () => {
  let fake: S3Fake;
  const spool = mkdtempSync(join(tmpdir(), 'switchboard-s3-spool-'));
  beforeAll(async () => {
    fake = await startS3Fake();
  });
  afterAll(async () => {
    await fake.close();
    rmSync(spool, { recursive: true, force: true });
  });
  const s3 = () =>
    createStorage(
      parseStorageConfig({
        S3_BUCKET: fake.bucket,
        S3_REGION: fake.region,
        S3_ENDPOINT: fake.url,
        S3_ACCESS_KEY_ID: fake.accessKeyId,
        S3_SECRET_ACCESS_KEY: fake.secretAccessKey,
        S3_PREFIX: 'attachments/',
      }),
      spool,
      fakesEgress,
    );
  behavesAsStorage('s3', async () => ({ storage: await s3() }));

  it('sends SigV4-signed requests, path-style, under the prefix, with the content type', async () => {
    const storage = await s3();
    fake.requests.length = 0;
    await storage.put('ws_3/att_signed', Readable.from([png]), { contentType: 'image/png', maxBytes: 1024 });
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/${fake.bucket}/attachments/ws_3/att_signed`);
    expect(put.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0001\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(fake.requests.every((r) => r.verified)).toBe(true);
    expect(fake.objects.get('attachments/ws_3/att_signed')).toEqual({ body: png, contentType: 'image/png' });
  });

  it('a refused signature (wrong secret) fails the put', async () => {
    const storage = await createStorage(
      parseStorageConfig({ S3_BUCKET: fake.bucket, S3_REGION: fake.region, S3_ENDPOINT: fake.url, S3_ACCESS_KEY_ID: fake.accessKeyId, S3_SECRET_ACCESS_KEY: 'wrong' }),
      spool,
      fakesEgress,
    );
    await expect(storage.put('ws_3/att_x', Readable.from([png]), { contentType: 'image/png', maxBytes: 1024 })).rejects.toThrow(/signature/i);
    expect(fake.objects.has('ws_3/att_x')).toBe(false);
  });

  it('an endpoint the egress policy refuses is refused at start, naming SWITCHBOARD_EGRESS_ALLOW', async () => {
    const config = parseStorageConfig({ S3_BUCKET: 'b-1', S3_ENDPOINT: fake.url, S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' });
    await expect(createStorage(config, spool, egressPolicy())).rejects.toThrow(/S3_ENDPOINT is refused by the egress policy.*SWITCHBOARD_EGRESS_ALLOW/);
  });
});

describe('storage configuration', () => {
  it('is the local disk by default', () => {
    expect(parseStorageConfig({})).toEqual({ kind: 'local' });
  });

  it('reads S3 settings with defaults', () => {
    expect(parseStorageConfig({ S3_BUCKET: 'my-files' })).toEqual({
      kind: 's3',
      bucket: 'my-files',
      region: 'us-east-1',
      endpoint: undefined,
      credentials: undefined,
      forcePathStyle: false,
      prefix: '',
    });
    expect(parseStorageConfig({ S3_BUCKET: 'my-files', S3_ENDPOINT: 'http://minio:9000' })).toMatchObject({ forcePathStyle: true });
  });

  it.each([
    [{ S3_REGION: 'eu-west-1' }, /S3_REGION is set but S3_BUCKET is not/],
    [{ S3_BUCKET: 'Bad_Bucket' }, /S3_BUCKET must be a bucket name/],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'ftp://x' }, /S3_ENDPOINT must be an http\(s\) URL/],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'http://user:pw@x' }, /S3_ENDPOINT must be an http\(s\) URL without credentials/],
    [{ S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'a' }, /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/],
    [{ S3_BUCKET: 'ok-bucket', S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE must be true or false/],
    [{ S3_BUCKET: 'ok-bucket', S3_PREFIX: '../up' }, /S3_PREFIX must be/],
  ])('refuses %o', (env, message) => {
    expect(() => parseStorageConfig(env)).toThrow(message);
  });
});
