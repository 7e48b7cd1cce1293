import { join } from 'node:path';
import type { EgressPolicy } from '../egress/policy.js';
import { localStorage } from './local-storage.js';
import type { S3Settings } from './s3-storage.js';
import type { FileStorage } from './storage.js';

/** Where attachments are kept: `<dataDir>/attachments` unless S3_BUCKET names a bucket. */
export type StorageConfig = { kind: 'local' } | ({ kind: 's3' } & S3Settings);

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * S3_BUCKET, S3_REGION (default us-east-1), S3_ENDPOINT, S3_ACCESS_KEY_ID + S3_SECRET_ACCESS_KEY
 * (both or neither), S3_FORCE_PATH_STYLE (default true with an endpoint), S3_PREFIX. Throws
 * naming the variable and the rule it breaks.
 */
export function parseStorageConfig(env: NodeJS.ProcessEnv): StorageConfig {
  const bucket = nonEmpty(env.S3_BUCKET);
  const others = ['S3_REGION', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PREFIX'].filter((name) => nonEmpty(env[name]));
  if (bucket === undefined) {
    if (others.length > 0) throw new Error(`${others[0]} is set but S3_BUCKET is not: name the bucket, or unset the S3_ variables to keep attachments on the local disk`);
    return { kind: 'local' };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`S3_BUCKET must be a bucket name of 3-63 lowercase letters, digits, '.' or '-', got "${bucket.slice(0, 80)}"`);
  }
  const region = nonEmpty(env.S3_REGION) ?? 'us-east-1';
  if (!/^[a-z0-9-]{2,32}$/.test(region)) throw new Error(`S3_REGION must be a region name such as us-east-1, got "${region.slice(0, 80)}"`);
  const endpoint = nonEmpty(env.S3_ENDPOINT);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) {
      throw new Error(`S3_ENDPOINT must be an http(s) URL without credentials in it, got "${endpoint.slice(0, 80)}"`);
    }
  }
  const accessKeyId = nonEmpty(env.S3_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.S3_SECRET_ACCESS_KEY);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS default credential chain');
  }
  const pathStyle = nonEmpty(env.S3_FORCE_PATH_STYLE)?.toLowerCase();
  if (pathStyle !== undefined && !['true', 'false', '1', '0'].includes(pathStyle)) {
    throw new Error(`S3_FORCE_PATH_STYLE must be true or false, got "${pathStyle.slice(0, 20)}"`);
  }
  const prefix = nonEmpty(env.S3_PREFIX) ?? '';
  if (prefix !== '' && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/$/.test(prefix)) {
    throw new Error(`S3_PREFIX must be '/'-separated segments of letters, digits, '_', '.' or '-' ending in '/', got "${prefix.slice(0, 80)}"`);
  }
  return {
    kind: 's3',
    bucket,
    region,
    endpoint,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === 'true' || pathStyle === '1',
    prefix,
  };
}

/**
 * The storage the configuration names; temporary upload files go under the data directory either
 * way. The AWS SDK is loaded only when a bucket is configured.
 */
export async function createStorage(config: StorageConfig, dataDir: string, egress: EgressPolicy): Promise<FileStorage> {
  const root = join(dataDir, 'attachments');
  if (config.kind === 'local') return localStorage(root);
  const { kind: _kind, ...settings } = config;
  // Host names are checked again on every connection; a literal address is never looked up, so it is judged here.
  const refusal = settings.endpoint === undefined ? undefined : egress.refusalForTarget(settings.endpoint);
  if (refusal) throw new Error(`S3_ENDPOINT is refused by the egress policy (${refusal}): add its host to SWITCHBOARD_EGRESS_ALLOW`);
  const { s3Storage } = await import('./s3-storage.js');
  return s3Storage(settings, { egress, spoolDir: join(root, '.incoming') });
}
