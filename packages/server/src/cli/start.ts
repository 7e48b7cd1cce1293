import { Option, type Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import type { RunningServer } from '../server.js';
import { VERSION } from '../version.js';
import { listeningUrls } from '../listen-addresses.js';
import { LOG_FORMATS, resolveLogFormat } from '../logging/log-format.js';
import { handOverFirstStartSecrets } from '../workspaces/first-start-secrets.js';
import type { Logger } from 'pino';

interface StartOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  logFormat?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The record that says where the server is: every address it listens on, the console and the API reference. */
function announceListening(announcer: Logger, config: Config, running: RunningServer): void {
  announcer.info(
    {
      version: VERSION,
      database: { engine: running.database.engine, location: running.database.location },
      host: config.host,
      urls: listeningUrls(config.host, running.port),
      console: `${config.publicUrl}/console`,
      apiReference: `${config.publicUrl}/docs`,
      ...(running.smtpPort !== undefined && { smtpPort: running.smtpPort }),
    },
    'listening',
  );
}

/**
 * Shutdown: stop listening, end widget streams with a reconnect hint, finish or give back work in
 * progress, close Redis and the database, and exit 0; past SHUTDOWN_TIMEOUT_MS, exit 1 regardless.
 * A second signal exits at once.
 */
function stopOnSignals(announcer: Logger, config: Config, running: RunningServer): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      announcer.warn({ signal }, `${signal} received again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    announcer.info({ signal, timeoutMs: config.shutdownTimeoutMs }, `${signal} received, shutting down`);
    setTimeout(() => {
      announcer.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish within SHUTDOWN_TIMEOUT_MS; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await running.close();
    } catch (error) {
      announcer.error({ error: messageOf(error) }, 'shutdown failed');
      process.exit(1);
    }
    announcer.info('shut down');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Serve the API and the console (SQLite under ./data unless DATABASE_URL is set); every setting is also an environment variable, see the README')
    .option('-p, --port <port>', 'port to listen on (PORT; default 8787)')
    .option('-H, --host <address>', 'interface to listen on (HOST; default 0.0.0.0, every interface)')
    .option('-d, --data-dir <dir>', 'where the SQLite file and the generated master key live (SWITCHBOARD_DATA_DIR; default ./data)')
    .addOption(new Option('--log-format <format>', 'pretty lines or JSON records (LOG_FORMAT; default pretty on a terminal, JSON otherwise)').choices(LOG_FORMATS))
    .action(async (options: StartOptions) => {
      const terminal = process.stdout.isTTY === true;
      const format = resolveLogFormat(options.logFormat ?? process.env.LOG_FORMAT, terminal);
      // The server is loaded only by this command, not by the others nor by --help.
      const [{ createLogger }, { startServer }] = await Promise.all([import('../logging/logger.js'), import('../server.js')]);
      const logger = await createLogger(format);
      let config: Config;
      let running: RunningServer;
      try {
        // Flags win over the environment and go through the same checks.
        config = loadConfig({
          ...process.env,
          ...(options.port !== undefined && { PORT: options.port }),
          ...(options.host !== undefined && { HOST: options.host }),
          ...(options.dataDir !== undefined && { SWITCHBOARD_DATA_DIR: options.dataDir }),
        });
        logger.level = config.logLevel;
        running = await startServer(config, { logger });
      } catch (error) {
        logger.fatal(messageOf(error));
        process.exit(1);
      }
      // What says where the server is and how it stops is written whatever LOG_LEVEL says. (Made
      // after the level is set: pino passes a parent's level changes on to its children.)
      const announcer = logger.child({}, { level: 'info' });
      handOverFirstStartSecrets(running.bootstrap, {
        interactive: format === 'pretty' && terminal,
        dataDir: config.dataDir,
        write: (text) => process.stdout.write(text),
        logger: announcer,
      });
      announceListening(announcer, config, running);
      stopOnSignals(announcer, config, running);
    });
}
