import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './store/database.js';
import { bootstrapWorkspace, type BootstrapResult } from './workspaces/bootstrap.js';

export interface RunningServer {
  server: FastifyInstance;
  database: Database;
  bootstrap: BootstrapResult;
  /** The address the server listens on, e.g. http://127.0.0.1:8787. */
  url: string;
  close(): Promise<void>;
}

/** Opens storage (migrating it), makes sure a workspace exists, and starts listening. */
export async function startServer(config: Config): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const bootstrap = await bootstrapWorkspace(database.db, config.adminApiKey);
    const { server } = buildApp({
      db: database.db,
      publicUrl: config.publicUrl,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    });
    const address = await server.listen({ port: config.port, host: config.host });
    const url = address.replace('[::]', 'localhost').replace('0.0.0.0', 'localhost');
    return {
      server,
      database,
      bootstrap,
      url,
      async close() {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
