/**
 * `switchboard doctor`: what the server would find on start, checked without changing anything
 * (no migration applied, no key file written). Each check gives ok, warn or fail and a reason.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { VERSION } from '../version.js';
import { isPostgresUrl, openDatabase, sqliteFile, type Database } from '../store/database.js';
import type { DB } from '../store/schema.js';
import { readiness } from '../health/readiness.js';
import { MASTER_KEY_ENV, MASTER_KEY_FILE, SecretBox, loadMasterKey } from '../secrets/secret-box.js';
import { webhookSecretContext } from '../webhooks/subscriptions.js';
import { secretsService } from '../connections/secrets-service.js';
import { connectionsService } from '../connections/connections-service.js';
import { toConnectionRecord } from '../store/repositories/connections.js';
import { builtInProviders } from '../channels/registry.js';
import { helpdeskConnectors } from '../handoff/helpdesks/index.js';
import { egressPolicy } from '../egress/policy.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  name: string;
  reason: string;
}

const CHECK_TIMEOUT_MS = 5_000;

const result = (status: CheckStatus, name: string, reason: string): CheckResult => ({ status, name, reason });
const messageOf = (error: unknown) =>
  error instanceof Error && error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error instanceof Error ? error.message : String(error);

/** The master key as the server would load it, without generating one: the box, or why there is none. */
function masterKey(config: Config): { box?: SecretBox; check: CheckResult } {
  const warnings: string[] = [];
  const logger = { warn: (_obj: object, msg?: string) => void warnings.push(msg ?? '') };
  const path = join(config.dataDir, MASTER_KEY_FILE);
  if (config.secretKey === undefined && !existsSync(path)) {
    return { check: result('warn', 'master key', `${MASTER_KEY_ENV} is unset and there is no ${path} yet: "switchboard start" generates one`) };
  }
  try {
    const key = loadMasterKey(config, { logger });
    const where = key.source === 'env' ? MASTER_KEY_ENV : key.path!;
    return { box: new SecretBox(key.key), check: result(warnings.length > 0 ? 'warn' : 'ok', 'master key', [`a 32-byte key from ${where}`, ...warnings].join('; ')) };
  } catch (error) {
    return { check: result('fail', 'master key', messageOf(error)) };
  }
}

/** Opens every sealed value that has no connection of its own to tell (secrets, webhook signing secrets). */
async function sealedValuesCheck(db: Kysely<DB>, key: { box?: SecretBox; check: CheckResult }): Promise<CheckResult> {
  const secrets = await db.selectFrom('secrets').select(['id', 'sealed']).execute();
  const webhooks = await db.selectFrom('webhook_subscriptions').select(['id', 'secret_sealed']).execute();
  const sealed = [...secrets.map((s) => ({ id: s.id, value: s.sealed, context: `secret:${s.id}` })), ...webhooks.map((w) => ({ id: w.id, value: w.secret_sealed, context: webhookSecretContext(w.id) }))];
  if (key.check.status === 'fail') return key.check;
  if (!key.box) {
    return sealed.length > 0
      ? result('fail', 'master key', `there is no key, but the database holds ${sealed.length} sealed values: restore ${join('<data dir>', MASTER_KEY_FILE)} or set ${MASTER_KEY_ENV}`)
      : key.check;
  }
  const unopened = sealed.filter(({ value, context }) => {
    try {
      key.box!.decrypt(value, context);
      return false;
    } catch {
      return true;
    }
  });
  if (unopened.length > 0) {
    return result(
      'fail',
      'master key',
      `${unopened.length} of ${sealed.length} sealed values do not open under this key (${unopened.slice(0, 3).map((s) => s.id).join(', ')}${unopened.length > 3 ? ', …' : ''}): is ${MASTER_KEY_ENV} the key the data was written with?`,
    );
  }
  return result(key.check.status, 'master key', `${key.check.reason}; opens all ${sealed.length} sealed secrets`);
}

async function connectionChecks(db: Kysely<DB>, config: Config, box: SecretBox | undefined): Promise<CheckResult[]> {
  const rows = await db.selectFrom('connections').selectAll().orderBy('created_at').execute();
  if (rows.length === 0) return [result('ok', 'connections', 'none yet')];
  if (!box) return [result('warn', 'connections', `${rows.length} not checked: there is no usable master key to open their secrets`)];
  const connections = connectionsService(db, {
    box,
    secrets: secretsService(db, box),
    registry: builtInProviders,
    helpdesks: helpdeskConnectors,
    publicUrl: config.publicUrl,
    egress: egressPolicy(config.egressAllow, { connectOnlyToAllowed: config.egressOnlyAllowed }),
  });
  const checks: CheckResult[] = [];
  for (const record of rows.map(toConnectionRecord)) {
    const about = `${record.id} ${record.provider} "${record.name}" (workspace ${record.workspaceId})`;
    const problems = await connections.problems(record);
    checks.push(
      problems.length === 0
        ? result('ok', 'connection', about)
        : result('fail', 'connection', `${about}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`),
    );
  }
  return checks;
}

async function databaseChecks(config: Config, key: { box?: SecretBox; check: CheckResult }): Promise<CheckResult[]> {
  const postgres = isPostgresUrl(config.databaseUrl);
  if (!postgres) {
    const file = sqliteFile(config);
    if (!existsSync(file)) return [result('warn', 'database', `no SQLite database at ${file} yet: "switchboard start" creates it`), key.check];
  }
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false, poolSize: 2 });
  } catch (error) {
    return [result('fail', 'database', messageOf(error)), key.check];
  }
  try {
    const ready = await readiness(database.db, undefined);
    const reached = ready.checks.database!;
    if (reached.status !== 'ok') return [result('fail', 'database', `${database.engine} at ${database.location}: ${reached.error}`), key.check];
    const migrations = ready.checks.migrations!;
    const checks = [
      result('ok', 'database', `${database.engine} at ${database.location}`),
      migrations.status === 'ok'
        ? result('ok', 'migrations', 'all applied')
        : result('warn', 'migrations', `${migrations.error ?? 'not current'} ("switchboard start" applies them)`),
    ];
    try {
      checks.push(await sealedValuesCheck(database.db, key), ...(await connectionChecks(database.db, config, key.box)));
    } catch (error) {
      checks.push(result('fail', 'stored data', `cannot be read: ${messageOf(error)}`));
    }
    return checks;
  } finally {
    await database.close();
  }
}

async function redisCheck(config: Config): Promise<CheckResult> {
  if (!config.redisUrl) {
    return isPostgresUrl(config.databaseUrl)
      ? result('warn', 'redis', 'REDIS_URL is unset: live widget streams and rate limits stay on each node, so several nodes need sticky sessions')
      : result('ok', 'redis', 'not configured (REDIS_URL unset; one node needs none)');
  }
  let where = 'REDIS_URL';
  try {
    const url = new URL(config.redisUrl);
    where = `${url.hostname}:${url.port || 6379}`;
  } catch {
    // ioredis reports the problem below
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: CHECK_TIMEOUT_MS, retryStrategy: () => null });
  // ioredis rejects with "Connection is closed"; the cause (ECONNREFUSED, a DNS failure) comes as an event.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
    return result('ok', 'redis', `${where} answers PING`);
  } catch (error) {
    return result('fail', 'redis', `${where}: ${messageOf(cause ?? error)}`);
  } finally {
    redis.disconnect();
  }
}

/** GET <PUBLIC_URL>/health from here: the address providers and browsers are given must lead back to a Switchboard. */
async function publicUrlCheck(config: Config, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  if (!env.PUBLIC_URL?.trim()) {
    return result('warn', 'public url', `PUBLIC_URL is unset: links and provider webhook URLs use ${config.publicUrl}, which only this machine can reach`);
  }
  const url = `${config.publicUrl}/health`;
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    const body = (await response.json().catch(() => undefined)) as { status?: unknown; version?: unknown } | undefined;
    if (response.status !== 200 || body?.status !== 'ok') return result('fail', 'public url', `GET ${url} answered HTTP ${response.status}, not a Switchboard health answer`);
    if (body.version !== VERSION) return result('warn', 'public url', `GET ${url} answers, from Switchboard ${String(body.version)} (this is ${VERSION})`);
    return result('ok', 'public url', `GET ${url} answers`);
  } catch (error) {
    return result('fail', 'public url', `GET ${url} failed: ${messageOf(error)}`);
  }
}

/** Runs every check, telling each result as it comes. */
export async function runChecks(config: Config, env: NodeJS.ProcessEnv, report: (check: CheckResult) => void): Promise<void> {
  const key = masterKey(config);
  for (const check of await databaseChecks(config, key)) report(check);
  report(await redisCheck(config));
  report(await publicUrlCheck(config, env));
}
