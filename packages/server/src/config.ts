import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { parseEgressAllow } from './egress/policy.js';
import { parseStorageConfig, type StorageConfig } from './files/storage-config.js';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** SWITCHBOARD_API_KEY (at least 32 characters): becomes the admin key on first start instead of a generated one. */
  adminApiKey: string | undefined;
  logLevel: string;
  /** RUNTIME_RATE_LIMIT_PER_IP / _PER_TOKEN: widget runtime requests per minute. */
  runtimeRateLimits: { perIp: number; perToken: number };
  /** SMTP_PORT: where email channels receive mail over SMTP; off when unset. SMTP_HOST: its interface. */
  smtp: { port: number; host: string } | undefined;
  /**
   * DELIVERY_MAX_ATTEMPTS / DELIVERY_RETRY_BASE_MS / DELIVERY_LEASE_MS: the outbox's retry policy.
   * MAX_REPLY_SEGMENTS: messages an SMS or WhatsApp reply may be split into.
   */
  delivery: { maxAttempts: number; baseDelayMs: number; leaseMs: number; maxReplySegments: number };
  /**
   * SWITCHBOARD_SECRET_KEY: the master key secrets are sealed under (base64 or hex of 32 bytes),
   * checked by `loadMasterKey`; when absent, a key generated into `<dataDir>/secret.key` (mode 0600).
   */
  secretKey: string | undefined;
  /** SWITCHBOARD_EGRESS_ALLOW: hosts and CIDR ranges operator-configured calls may reach although not public. */
  egressAllow: string[];
  /** SWITCHBOARD_EGRESS_ONLY_ALLOWED: connect only to SWITCHBOARD_EGRESS_ALLOW's entries, public addresses included. */
  egressOnlyAllowed: boolean;
  /** SHUTDOWN_TIMEOUT_MS: how long `switchboard start` takes at most to shut down on SIGTERM or SIGINT before it exits anyway. */
  shutdownTimeoutMs: number;
  /** TRUST_PROXY: how many proxy hops, or which proxy addresses/CIDR ranges, may set X-Forwarded-For; none when unset. */
  trustProxy: number | string[] | undefined;
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** REDIS_PREFIX: namespaces every Redis key and pub/sub channel, so installations can share one Redis. */
  redisPrefix: string;
  /** Attachment storage: `<dataDir>/attachments`, or the S3-compatible bucket S3_BUCKET names (files/storage-config.ts). */
  storage: StorageConfig;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a whole number of at least 1, got "${text}"`);
  return Number(text);
}

function positiveIntOrZero(env: NodeJS.ProcessEnv, name: string): number {
  const text = nonEmpty(env[name]) ?? '';
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Error(`${name} must be a port number from 0 to 65535, got "${text}"`);
  return Number(text);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = nonEmpty(env[name])?.toLowerCase();
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new Error(`${name} must be true or false, got "${env[name]!.trim().slice(0, 40)}"`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export const MIN_PROVIDED_KEY_LENGTH = 32;

/** Why a SWITCHBOARD_API_KEY is refused (it is too short); undefined when it is acceptable. Never echoes the key. */
export function providedKeyProblem(key: string): string | undefined {
  if (key.length >= MIN_PROVIDED_KEY_LENGTH) return undefined;
  return (
    `SWITCHBOARD_API_KEY must be at least ${MIN_PROVIDED_KEY_LENGTH} characters, got ${key.length}: ` +
    'use a long random value, e.g. `openssl rand -hex 32`'
  );
}

function adminApiKey(env: NodeJS.ProcessEnv): string | undefined {
  const key = nonEmpty(env.SWITCHBOARD_API_KEY);
  const problem = key === undefined ? undefined : providedKeyProblem(key);
  if (problem) throw new Error(problem);
  return key;
}

/**
 * TRUST_PROXY: a hop count (`1` behind one load balancer) or addresses and CIDR ranges of the
 * proxies, comma separated. `true` is refused: trusting every hop lets any client choose its address.
 */
export function parseTrustProxy(value: string | undefined): number | string[] | undefined {
  const text = nonEmpty(value);
  if (text === undefined || text === '0' || text === 'false') return undefined;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text.split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    const bare = entry.split('/')[0]!;
    if (!ipaddr.isValid(bare) || (entry.includes('/') && !isValidCidr(entry))) {
      throw new Error(`TRUST_PROXY must be a hop count or proxy addresses / CIDR ranges (e.g. 1, or 10.0.0.0/8), got "${entry}"`);
    }
  }
  return entries;
}

function isValidCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

function redisPrefix(value: string | undefined): string {
  if (value === undefined) return 'switchboard:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(value)) throw new Error(`REDIS_PREFIX must be 1–64 letters, digits or : _ . -, got "${value.slice(0, 80)}"`);
  return value;
}

/** Reads configuration from the environment; every variable has a default for the embedded mode. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const portText = nonEmpty(env.PORT) ?? '8787';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`PORT must be a whole number from 0 to 65535, got "${portText}"`);
  const host = nonEmpty(env.HOST) ?? '0.0.0.0';
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const publicUrl = (nonEmpty(env.PUBLIC_URL) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute URL, got "${publicUrl}"`);
  }
  return {
    port,
    host,
    publicUrl,
    dataDir: resolve(nonEmpty(env.SWITCHBOARD_DATA_DIR) ?? './data'),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    redisUrl: nonEmpty(env.REDIS_URL),
    adminApiKey: adminApiKey(env),
    logLevel,
    smtp:
      nonEmpty(env.SMTP_PORT) === undefined
        ? undefined
        : { port: positiveIntOrZero(env, 'SMTP_PORT'), host: nonEmpty(env.SMTP_HOST) ?? '0.0.0.0' },
    delivery: {
      maxAttempts: positiveInt(env, 'DELIVERY_MAX_ATTEMPTS', 8),
      baseDelayMs: positiveInt(env, 'DELIVERY_RETRY_BASE_MS', 1000),
      leaseMs: positiveInt(env, 'DELIVERY_LEASE_MS', 4_000),
      maxReplySegments: positiveInt(env, 'MAX_REPLY_SEGMENTS', 10),
    },
    runtimeRateLimits: {
      perIp: positiveInt(env, 'RUNTIME_RATE_LIMIT_PER_IP', 600),
      perToken: positiveInt(env, 'RUNTIME_RATE_LIMIT_PER_TOKEN', 6000),
    },
    secretKey: nonEmpty(env.SWITCHBOARD_SECRET_KEY),
    egressAllow: parseEgressAllow(env.SWITCHBOARD_EGRESS_ALLOW),
    egressOnlyAllowed: flag(env, 'SWITCHBOARD_EGRESS_ONLY_ALLOWED'),
    shutdownTimeoutMs: positiveInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    metricsToken: nonEmpty(env.METRICS_TOKEN),
    redisPrefix: redisPrefix(env.REDIS_PREFIX),
    storage: parseStorageConfig(env),
  };
}
