import { buildApp, teamRoutes, workflowRoutes, type Engine } from '@switchboard/server';
import { apiKeyAuthenticator } from '../../packages/server/src/http/auth.js';
import { registerRoute } from '../../packages/server/src/http/route.js';
import { createWorkspace, type TestApp } from './app.js';
import { createTestDatabase } from './engines.js';
import { fakesEgress } from './egress.js';

const TABLES = [
  'workspaces',
  'api_keys',
  'deployment_channels',
  'agents',
  'deployment_configurations',
  'connections',
  'teams',
  'team_members',
  'channel_teams',
  'workflows',
] as const;

/**
 * `createTestApp` with the team and workflow routes registered, whether or not `buildApp`
 * registers them yet (it registers them once app.ts lists them; then this adds nothing).
 * `snapshot` also counts the team and workflow tables.
 */
export async function createRoutingTestApp(engine: Engine): Promise<TestApp> {
  const database = await createTestDatabase(engine);
  const db = database.db;
  const app = buildApp({ db, egress: fakesEgress });
  if (!app.server.hasRoute({ method: 'POST', url: '/v1/teams' })) {
    const authenticate = apiKeyAuthenticator(db, app.secretBox);
    for (const route of [...teamRoutes(db), ...workflowRoutes(db)]) {
      registerRoute(app.server, route, (request) => authenticate(request.headers, request.method));
    }
  }
  await app.server.ready();
  const workspace = await createWorkspace(db, undefined, app.secretBox);
  return {
    engine,
    app,
    database,
    db,
    ...workspace,
    async request(method, url, body, headers) {
      const response = await app.server.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${workspace.apiKey}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.statusCode, body: parsed as any, headers: response.headers };
    },
    newWorkspace: (name) => createWorkspace(db, name, app.secretBox),
    async snapshot() {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        counts[table] = Number(row.n);
      }
      const attached = await db
        .selectFrom('deployment_channels')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workflow_id', 'is not', null)
        .executeTakeFirstOrThrow();
      counts['deployment_channels.workflow_id'] = Number(attached.n);
      return counts;
    },
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}
