import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './store/database.js';
import { bootstrapWorkspace, type BootstrapResult } from './workspaces/bootstrap.js';
import { SecretBox, loadMasterKey } from './secrets/secret-box.js';
import { refreshSecretViews } from './secrets/stored-views.js';
import type { RedisBus } from './bus/redis-bus.js';
import type { EventBus } from './bus/event-bus.js';
import type { Redis } from 'ioredis';
import { egressPolicy } from './egress/policy.js';
import { createStorage } from './files/storage-config.js';
import type { Logger } from 'pino';
import { createJsonLogger } from './logging/logger.js';
import { nodeFlags, postgresYoungGenerationWarning } from './young-generation.js';

export interface RunningServer {
  server: FastifyInstance;
  database: Database;
  bootstrap: BootstrapResult;
  /** The address the server listens on, e.g. http://127.0.0.1:8787. */
  url: string;
  /** The port it listens on (the one chosen when PORT is 0). */
  port: number;
  /** The SMTP listener's port, when SMTP_PORT is set. */
  smtpPort?: number;
  close(): Promise<void>;
}

/**
 * Of the whole shutdown time, how long work in progress may take to finish: the rest (a quarter,
 * at most 2 s) is kept for giving back what is unfinished and closing Redis and the database.
 */
export const shutdownGrace = (timeoutMs: number) => timeoutMs - Math.min(2_000, Math.floor(timeoutMs / 4));

export interface StartOptions {
  /** Where every record goes; by default JSON records on standard output at LOG_LEVEL. */
  logger?: Logger;
}

/** Opens storage (migrating it), makes sure a workspace exists, and starts listening. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  // First: a bad SWITCHBOARD_SECRET_KEY stops the start before anything is opened.
  const secretBox = new SecretBox(loadMasterKey(config, { logger }).key);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let bus: RedisBus | undefined;
  try {
    const bootstrap = await bootstrapWorkspace(database.db, secretBox, config.adminApiKey, config.publicUrl);
    await refreshSecretViews(database.db, secretBox);
    // Features that are not configured are not loaded: ioredis only with REDIS_URL, the SMTP
    // listener (smtp-server, mailparser) only with SMTP_PORT.
    if (config.redisUrl) {
      const { createRedisBus } = await import('./bus/redis-bus.js');
      bus = await createRedisBus(config.redisUrl, {
        prefix: config.redisPrefix,
        onError: (error) => logger.error({ error: error.message }, 'Redis connection error'),
      });
    }
    const egress = egressPolicy(config.egressAllow, { connectOnlyToAllowed: config.egressOnlyAllowed });
    const storage = await createStorage(config.storage, config.dataDir, egress);
    const app = buildApp({
      db: database.db,
      storage,
      ...(bus && { bus, redis: bus.redis, redisPrefix: config.redisPrefix }),
      publicUrl: config.publicUrl,
      secretBox,
      runtimeRateLimits: config.runtimeRateLimits,
      egress,
      ...(config.trustProxy !== undefined && { trustProxy: config.trustProxy }),
      ...(config.metricsToken && { metricsToken: config.metricsToken }),
      ...(database.poolStats && { poolStats: database.poolStats }),
      statementsExecuted: database.statementsExecuted,
      delivery: config.delivery,
      inbox: { leaseMs: config.delivery.leaseMs },
      shutdownGraceMs: shutdownGrace(config.shutdownTimeoutMs),
      loggerInstance: logger,
    });
    const { server } = app;
    if (database.engine === 'postgres' && !config.redisUrl) {
      server.log.warn(
        'DATABASE_URL is PostgreSQL but REDIS_URL is unset: live widget streams and rate limits stay on each node, so several nodes need sticky sessions (or set REDIS_URL)',
      );
    }
    const youngGeneration = database.engine === 'postgres' ? postgresYoungGenerationWarning(nodeFlags()) : undefined;
    if (youngGeneration) server.log.warn(youngGeneration);
    const address = await server.listen({ port: config.port, host: config.host });
    const smtpSettings = config.smtp;
    const smtp = smtpSettings
      ? await import('./channels/email-intake.js').then(({ startEmailIntake }) =>
          startEmailIntake({ db: database.db, ...smtpSettings, onRecorded: () => app.inbox.kick(), logger: server.log }),
        )
      : undefined;
    const url = address.replace('[::]', 'localhost').replace('0.0.0.0', 'localhost');
    return {
      server,
      database,
      bootstrap,
      url,
      port: (server.server.address() as AddressInfo).port,
      ...(smtp && { smtpPort: smtp.port }),
      async close() {
        await smtp?.close();
        await server.close();
        await bus?.close();
        await database.close();
      },
    };
  } catch (error) {
    await bus?.close();
    await database.close();
    throw error;
  }
}
