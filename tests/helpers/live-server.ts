import type { Kysely } from 'kysely';
import { buildApp, type App, type AppOptions, type DB, type Engine } from '@switchboard/server';
import { createTestDatabase, type TestDatabase } from './engines.js';
import { createWorkspace, type TestWorkspace } from './app.js';
import { fakesEgress } from './egress.js';

export interface LiveServer {
  baseUrl: string;
  database: TestDatabase;
  db: Kysely<DB>;
  app: App;
  newWorkspace(name?: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

/** A real Switchboard listening on 127.0.0.1 and a free port, over a fresh database. */
export async function startLiveServer(engine: Engine, options: Partial<AppOptions> = {}): Promise<LiveServer> {
  const database = await createTestDatabase(engine);
  const app = buildApp({ db: database.db, egress: fakesEgress, ...options });
  const address = await app.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl: address,
    database,
    db: database.db,
    app,
    newWorkspace: (name) => createWorkspace(database.db, name, app.secretBox),
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}
