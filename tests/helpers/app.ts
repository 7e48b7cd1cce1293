import type { Kysely } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import {
  apiKeysRepository,
  buildApp,
  generateApiKey,
  issueApiKey,
  legacyApiKeyHash,
  shownPrefix,
  workspacesRepository,
  type App,
  type SecretBox,
  type DB,
  type Engine,
} from '@switchboard/server';
import { createTestDatabase, type TestDatabase } from './engines.js';
import { fakesEgress } from './egress.js';

export interface TestWorkspace {
  workspaceId: string;
  apiKey: string;
}

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
}

export interface TestApp extends TestWorkspace {
  engine: Engine;
  app: App;
  database: TestDatabase;
  db: Kysely<DB>;
  /** Sends a request through fastify's inject with the workspace's key unless `headers` override it. */
  request<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  /** A second workspace with its own key, to prove isolation. */
  newWorkspace(name?: string): Promise<TestWorkspace>;
  /** Counts rows of every table, to prove a rejected request changed nothing. */
  snapshot(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A workspace and an admin key for it. With `box` (the app's `secretBox`) the key is stored as
 * the server stores keys, by a keyed hash. Without it, the key is stored as keys were before
 * keyed hashing (a bare SHA-256): an app under any master key accepts it and upgrades the row on
 * first use, so only apps that share one master key may then share the key.
 */
export async function createWorkspace(db: Kysely<DB>, name = 'Test workspace', box?: SecretBox): Promise<TestWorkspace> {
  const workspace = await workspacesRepository(db).create(name);
  if (box) {
    const { key } = await issueApiKey(db, box, workspace.id, 'test');
    return { workspaceId: workspace.id, apiKey: key };
  }
  const key = generateApiKey();
  await apiKeysRepository(db).insert({ workspaceId: workspace.id, name: 'test', prefix: shownPrefix(key), keyHash: legacyApiKeyHash(key) });
  return { workspaceId: workspace.id, apiKey: key };
}

const TABLES = ['workspaces', 'api_keys', 'phone_configurations', 'deployment_channels', 'agents', 'deployment_configurations'] as const;

export async function createTestApp(engine: Engine): Promise<TestApp> {
  const database = await createTestDatabase(engine);
  const app = buildApp({ db: database.db, egress: fakesEgress });
  await app.server.ready();
  const workspace = await createWorkspace(database.db, undefined, app.secretBox);
  return {
    engine,
    app,
    database,
    db: database.db,
    ...workspace,
    async request(method, url, body, headers) {
      const response = await app.server.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${workspace.apiKey}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = response.body;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.statusCode, body: parsed as any, headers: response.headers };
    },
    newWorkspace: (name) => createWorkspace(database.db, name, app.secretBox),
    async snapshot() {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        counts[table] = Number(row.n);
      }
      return counts;
    },
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}

/**
 * A Twilio connection whose auth token is stored as a secret named `secretName`; nothing is sent
 * to Twilio (its API base URL is a closed loopback port). Resolves with the connection's id.
 */
export async function createTwilioConnection(t: TestApp, authToken: string, secretName: string): Promise<string> {
  const secret = await t.request('POST', '/v1/secrets', { name: secretName, value: authToken });
  const connection = await t.request('POST', '/v1/connections', {
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: `AC${'0'.repeat(32)}` },
    credentials: { authToken: secret.body.data.id },
    apiBaseUrl: 'http://127.0.0.1:9',
  });
  if (connection.status !== 201) throw new Error(`the Twilio connection was not created: ${JSON.stringify(connection.body)}`);
  return connection.body.data.id as string;
}
