/**
 * A local S3-compatible server, path-style (`/<bucket>/<key>`): PUT, GET, HEAD and DELETE of
 * objects, answering as S3 does (XML errors, ETag, Content-Type kept). Every request must carry a
 * SigV4 Authorization header for the fake's access key, which is recomputed here from the request
 * (canonical request, string to sign, derived key) and compared, so a badly signed request is
 * refused with SignatureDoesNotMatch the way S3 refuses it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveHttp, type LocalServer } from './http-fake.js';

export interface S3Fake extends LocalServer {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Every request, in order, with the Authorization header as received. */
  requests: { method: string; path: string; authorization: string | undefined; verified: boolean }[];
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function xmlError(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** The signature the request should carry, or a reason it cannot be checked. */
function expectedSignature(req: IncomingMessage, body: Buffer, secret: string, accessKeyId: string, region: string): { ok: true; signature: string; given: string } | { ok: false; reason: string } {
  const header = req.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  if (!match) return { ok: false, reason: 'Authorization is not an AWS4-HMAC-SHA256 header' };
  const [, keyId, date, signedRegion, signedHeaders, given] = match;
  if (keyId !== accessKeyId) return { ok: false, reason: 'unknown access key' };
  if (signedRegion !== region) return { ok: false, reason: `signed for region ${signedRegion}` };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date!)) return { ok: false, reason: 'x-amz-date does not match the credential date' };
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return { ok: false, reason: 'x-amz-content-sha256 does not match the body' };
  const url = new URL(req.url ?? '/', 'http://fake');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region), 's3'), 'aws4_request');
  return { ok: true, signature: hmac(key, toSign).toString('hex'), given: given! };
}

export async function startS3Fake(options: { bucket?: string; region?: string } = {}): Promise<S3Fake> {
  const fake = {
    bucket: options.bucket ?? 'switchboard-test',
    region: options.region ?? 'eu-west-1',
    accessKeyId: 'AKIAFAKEFAKEFAKE0001',
    secretAccessKey: 'fake-secret-access-key-for-local-tests',
    objects: new Map<string, { body: Buffer; contentType: string }>(),
    requests: [] as S3Fake['requests'],
  };
  const server = await serveHttp((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const check = expectedSignature(req, body, fake.secretAccessKey, fake.accessKeyId, fake.region);
    const verified = check.ok && timingSafeEqual(Buffer.from(check.signature), Buffer.from(check.given));
    fake.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, verified });
    if (!check.ok) return xmlError(res, 403, 'AccessDenied', check.reason);
    if (!verified) return xmlError(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    const prefix = `/${fake.bucket}/`;
    if (!path.startsWith(prefix)) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = decodeURIComponent(path.slice(prefix.length));
    const etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
    switch (req.method) {
      case 'PUT': {
        const length = Number(req.headers['content-length']);
        if (!Number.isInteger(length) || length !== body.length) return xmlError(res, 400, 'IncompleteBody', 'Content-Length does not match the body');
        fake.objects.set(key, { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream') });
        res.writeHead(200, { etag: etag(body) });
        return res.end();
      }
      case 'GET':
      case 'HEAD': {
        const object = fake.objects.get(key);
        if (!object) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': String(object.body.length), etag: etag(object.body) });
        return res.end(req.method === 'GET' ? object.body : undefined);
      }
      case 'DELETE':
        fake.objects.delete(key);
        res.writeHead(204);
        return res.end();
      default:
        return xmlError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  });
  return { ...fake, ...server };
}
