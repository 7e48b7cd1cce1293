import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { EgressPolicy } from '../egress/policy.js';
import { resolveAllowed } from '../egress/fetch.js';
import { checkKey, type FileStorage, type ObjectStream, type StoredObject } from './storage.js';
import { spool } from './spool.js';

export interface S3Settings {
  bucket: string;
  region: string;
  /** An S3-compatible service (MinIO, R2, …); AWS itself when absent. */
  endpoint?: string | undefined;
  /** Static credentials; the AWS default chain (environment, profile, instance role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Bucket in the path (`endpoint/bucket/key`) rather than the host name: what most S3-compatible services want. */
  forcePathStyle: boolean;
  /** Prepended to every key, so one bucket can hold other things too. */
  prefix: string;
}

/** A DNS lookup that refuses what the egress policy refuses, checked on every connection. */
function guardedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(policy, hostname).then(
      (address) => {
        const family = address.includes(':') ? 6 : 4;
        if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}

/**
 * Objects in an S3-compatible bucket through the official AWS SDK client. The body is spooled to
 * a temporary file first (`spoolDir`), so the size limit is enforced before anything is sent and
 * the upload has a known length. The bucket stays private: visitors get the bytes through this
 * server's signed URLs, never from the bucket.
 */
export function s3Storage(settings: S3Settings, options: { egress: EgressPolicy; spoolDir: string }): FileStorage {
  const lookup = guardedLookup(options.egress);
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint && { endpoint: settings.endpoint }),
    ...(settings.credentials && { credentials: settings.credentials }),
    forcePathStyle: settings.forcePathStyle,
    // Checksums only where the API requires them: S3-compatible services that do not speak the
    // newer aws-chunked trailing checksums still accept every request.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, lookup }),
      httpsAgent: new HttpsAgent({ keepAlive: true, lookup }),
      connectionTimeout: 10_000,
      requestTimeout: 60_000,
    }),
  });
  const keyOf = (key: string) => `${settings.prefix}${checkKey(key)}`;

  return {
    kind: 's3',
    async put(key: string, body: Readable, put: { contentType: string; maxBytes: number }): Promise<StoredObject> {
      const objectKey = keyOf(key);
      const spooled = await spool(body, options.spoolDir, put.maxBytes);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: settings.bucket,
            Key: objectKey,
            Body: createReadStream(spooled.path),
            ContentLength: spooled.size,
            ContentType: put.contentType,
          }),
        );
      } finally {
        await rm(spooled.path, { force: true });
      }
      return { size: spooled.size, sha256: spooled.sha256 };
    },
    async get(key: string): Promise<ObjectStream | undefined> {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: keyOf(key) }));
        return {
          body: answer.Body as Readable,
          size: answer.ContentLength ?? 0,
          contentType: answer.ContentType ?? 'application/octet-stream',
        };
      } catch (error) {
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return undefined;
        throw error;
      }
    },
    async delete(key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: keyOf(key) }));
    },
  };
}
