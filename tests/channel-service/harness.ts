/**
 * A live Switchboard with the channel service registered, for the channel-service tests and the
 * messaging channels guide. `registerChannelService` is a no-op on a server that already has it,
 * so this keeps working once buildApp registers the plugin itself.
 *
 * Provider lookups go to the providers' default API base URLs; `fakeBaseUrls` points them (and
 * the outbox's sends) at local fakes by replacing those defaults in the provider registry.
 */
import type { Kysely } from 'kysely';
import { buildApp, workspaceRepositories, type App, type AppOptions, type DB, type Engine } from '@switchboard/server';
import { registerChannelService } from '../../packages/server/src/channel-service/index.js';
import { builtInProviders, type ProviderRegistry } from '../../packages/server/src/channels/registry.js';
import type { ProviderDefinition } from '../../packages/server/src/channels/adapter.js';
import { secretsService } from '../../packages/server/src/connections/secrets-service.js';
import { connectionsRepository } from '../../packages/server/src/store/repositories/connections.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace, type TestWorkspace } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { startFakeGraph } from '../fakes/graph.js';
import { startFakeLine } from '../fakes/line.js';

export interface ChannelServiceServer {
  baseUrl: string;
  database: TestDatabase;
  db: Kysely<DB>;
  app: App;
  registry: ProviderRegistry;
  newWorkspace(name?: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

/** The built-in providers, with the default API base URL of some replaced (tests point them at fakes). */
export function providersWithBaseUrls(baseUrls: Record<string, string>): ProviderRegistry {
  const registry = new Map<string, ProviderDefinition>(builtInProviders);
  for (const [provider, url] of Object.entries(baseUrls)) {
    const definition = registry.get(provider);
    if (!definition) throw new Error(`no provider ${provider}`);
    registry.set(provider, { ...definition, adapter: { ...definition.adapter, defaultApiBaseUrl: url } });
  }
  return registry;
}

export async function startChannelServiceServer(
  engine: Engine,
  options: Partial<AppOptions> & { fakeBaseUrls?: Record<string, string> } = {},
): Promise<ChannelServiceServer> {
  const { fakeBaseUrls, ...appOptions } = options;
  const registry = appOptions.providers ?? providersWithBaseUrls(fakeBaseUrls ?? {});
  const database = await createTestDatabase(engine);
  const app = buildApp({ db: database.db, egress: fakesEgress, ...appOptions, providers: registry });
  registerChannelService(app.server, {
    db: database.db,
    secretBox: app.secretBox,
    connections: app.connections,
    registry,
    ...(appOptions.fetch && { fetch: appOptions.fetch }),
  });
  const baseUrl = await app.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl,
    database,
    db: database.db,
    app,
    registry,
    newWorkspace: (name) => createWorkspace(database.db, name, app.secretBox),
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}

/** Plain JSON requests to the channel service: `{ status, body, text }`, authenticated by `x-api-key` unless headers say otherwise. */
export function channelApi(baseUrl: string, apiKey?: string) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any; text: string; contentType: string | null }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(apiKey !== undefined && { 'x-api-key': apiKey }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as any, text, contentType: response.headers.get('content-type') };
  };
}

/**
 * A Meta connection with a fixed id (a "credential" the guide's examples name), inserted through
 * the repository like the deployment channels guide seeds `channel_123`, its access token stored
 * as an encrypted workspace secret.
 */
export async function seedMetaCredential(
  server: ChannelServiceServer,
  workspaceId: string,
  options: { id: string; name?: string; accessToken: string; appSecret?: string; settings?: Record<string, unknown> },
): Promise<void> {
  const secrets = secretsService(server.db, server.app.secretBox);
  const accessToken = await secrets.create(workspaceId, `seed.${options.id}.accessToken.${Date.now()}`, options.accessToken);
  const credentials: Record<string, string> = { accessToken: accessToken.id };
  if (options.appSecret) {
    credentials.appSecret = (await secrets.create(workspaceId, `seed.${options.id}.appSecret.${Date.now()}`, options.appSecret)).id;
  }
  await connectionsRepository(server.db, workspaceId).insert({
    id: options.id,
    provider: 'meta',
    name: options.name ?? 'Meta app',
    settings: { graphVersion: 'v21.0', ...options.settings },
    credentials,
    apiBaseUrl: null,
    // The sealing context connections use for their inbound secret (connections-service.ts).
    inboundSecretSealed: server.app.secretBox.encrypt(`verify-${options.id}`, `connection:${options.id}:inbound`),
  });
}

/** Removes every row a fixed-id fixture left in an earlier example (ids are global, workspaces are not). */
export async function removeFixtures(server: ChannelServiceServer, ids: { connections?: string[]; channels?: string[] }): Promise<void> {
  for (const id of ids.channels ?? []) {
    const deployments = await server.db.selectFrom('deployment_configurations').select('id').where('deployment_channel_id', '=', id).execute();
    for (const d of deployments) await server.db.deleteFrom('deployment_configurations').where('id', '=', d.id).execute();
    await server.db.deleteFrom('deployment_channels').where('id', '=', id).execute();
  }
  for (const id of ids.connections ?? []) {
    const channels = await server.db.selectFrom('deployment_channels').select('id').where('connection_id', '=', id).execute();
    for (const c of channels) {
      await server.db.deleteFrom('deployment_configurations').where('deployment_channel_id', '=', c.id).execute();
      await server.db.deleteFrom('deployment_channels').where('id', '=', c.id).execute();
    }
    await server.db.deleteFrom('connections').where('id', '=', id).execute();
  }
}

/** An agent and an active deployment of `channelId`: what makes a channel read `is_active: true`. */
export async function activate(server: ChannelServiceServer, workspaceId: string, channelId: string, status: 'active' | 'paused' | 'pending' = 'active') {
  const repos = workspaceRepositories(server.db, workspaceId);
  const agent = await repos.agents.insert({
    name: 'Echo',
    instructions: '',
    introductionMessage: null,
    backend: { type: 'echo' },
  } as never);
  return repos.deployments.insert({ deploymentChannelId: channelId, agentId: agent.id, status: status as never });
}

export interface MetaAndLineSetup {
  accessToken: string;
  additionalAccessTokens?: string[];
  phoneNumberId: string;
  displayPhoneNumber: string;
  pages: NonNullable<Parameters<typeof startFakeGraph>[0]['pages']>;
  lineToken: string;
  bot: { userId: string; displayName: string };
}

/** A channel-service server whose Meta and LINE lookups answer from local fakes holding one WhatsApp number, some pages and a LINE bot. */
export async function startWithMetaAndLine(engine: Engine, setup: MetaAndLineSetup) {
  const graph = await startFakeGraph({
    accessToken: setup.accessToken,
    ...(setup.additionalAccessTokens && { additionalAccessTokens: setup.additionalAccessTokens }),
    phoneNumbers: { [setup.phoneNumberId]: { displayPhoneNumber: setup.displayPhoneNumber, verifiedName: 'Acme' } },
    pages: setup.pages,
  });
  const line = await startFakeLine({ accessToken: setup.lineToken, botInfo: setup.bot });
  const server = await startChannelServiceServer(engine, { fakeBaseUrls: { meta: graph.url, line: line.url } });
  return {
    graph,
    line,
    server,
    async close() {
      await server.close();
      await graph.close();
      await line.close();
    },
  };
}
