/**
 * What the widget runtime tests share: an app on one engine with a workspace (rate limits high
 * enough not to get in the way), a JSON client for the control-plane API and one for the public
 * runtime as a widget on ORIGIN calls it, and a row count. Call inside a describe: it registers
 * the suite's beforeAll and afterAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type App, type Engine } from '@switchboard/server';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';

export const ORIGIN = 'http://localhost:5500';

export interface Answer {
  status: number;
  body: any;
  text: string;
}

export interface RuntimeApp {
  readonly app: App;
  readonly database: TestDatabase;
  /** Any request, with `headers` as given (JSON body when there is one). */
  call(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Answer>;
  /** The control-plane API with the workspace's key. */
  api(method: string, url: string, body?: unknown): Promise<Answer>;
  /** The public runtime at `/v1/public/runtime<path>` with a deployment token from ORIGIN, and the visitor's token if given. */
  runtime(token: string, method: string, path: string, body?: unknown, visitorToken?: string): Promise<Answer>;
  count(table: 'conversations' | 'contacts' | 'contact_events' | 'web_deployments'): Promise<number>;
}

export function useRuntimeApp(engine: Engine): RuntimeApp {
  let database: TestDatabase;
  let app: App;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    app = buildApp({ db: database.db, egress: fakesEgress, runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    await app.server.ready();
    key = (await createWorkspace(database.db, undefined, app.secretBox)).apiKey;
  });
  afterAll(async () => {
    await app?.server.close();
    await database?.destroy();
  });

  const call = async (method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Answer> => {
    const response = await app.server.inject({
      method: method as 'GET',
      url,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: JSON.parse(response.body || 'null') as any, text: response.body };
  };

  return {
    get app() {
      return app;
    },
    get database() {
      return database;
    },
    call,
    api: (method, url, body) => call(method, url, { authorization: `Bearer ${key}` }, body),
    runtime: (token, method, path, body, visitorToken) =>
      call(method, `/v1/public/runtime${path}`, { authorization: `Bearer ${token}`, origin: ORIGIN, ...(visitorToken && { 'x-visitor-token': visitorToken }) }, body),
    count: async (table) => Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  };
}
