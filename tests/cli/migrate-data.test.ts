import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '@switchboard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFirstStartCredentials, runCli, startCli, type StartedCli } from '../helpers/cli.js';
import { controlApi } from '../helpers/control.js';
import { POSTGRES_ADMIN_URL, availableServices } from '../helpers/services.js';
import { adminQuery } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const KEY_PATTERN = /sbk_[A-Za-z0-9]{40}/g;
const PUBLIC_URL = 'https://switchboard.example.com';
const ORIGIN = 'http://localhost:5500';
const PHONE = '+14155550100';

type Api = ReturnType<typeof controlApi>;

// The tests start servers and run the built CLI several times each: on a loaded machine, that takes a while.

// ── PostgreSQL databases made for a test and dropped after it ─────────────────────────────

interface ScratchDatabase {
  url: string;
  query<T extends pg.QueryResultRow = any>(sql: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A new PostgreSQL database with nothing in it (not even the schema). */
async function emptyPostgres(): Promise<ScratchDatabase> {
  const name = `switchboard_migrate_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async query(sql, values) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      for (let i = 0; i < 40; i++) {
        const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await client.connect();
        const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        await client.end();
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

// ── An installation with real data, built through the API ─────────────────────────────────

interface Seeded {
  adminKey: string;
  readKey: string;
  otherKey: string;
  otherWorkspaceId: string;
  connectionId: string;
  authTokenSecretId: string;
  echoAgentId: string;
  webhookAgentId: string;
  openAiAgentId: string;
  webDeploymentId: string;
  deploymentToken: string;
  sessionId: string;
  visitorToken: string;
  smsConversationId: string;
  channelIds: string[];
  contactIds: string[];
  phoneId: string;
  deploymentIds: string[];
  teamId: string;
  workflowId: string;
  webhookId: string;
}

async function ok(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const response = await api(method, path, body);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body.data;
}

function postSms(baseUrl: string, twilio: FakeTwilio, connectionId: string, params: Record<string, string>) {
  const path = `/v1/public/channels/twilio/${connectionId}`;
  const { headers, body } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, params);
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body });
}

function runtimeHeaders(token: string, visitorToken?: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json', ...(visitorToken && { 'x-visitor-token': visitorToken }) };
}

async function seed(baseUrl: string, adminKey: string, twilio: FakeTwilio): Promise<Seeded> {
  const api = controlApi(baseUrl, adminKey);

  const other = await ok(api, 'POST', '/v1/workspaces', { name: 'Second workspace' });
  const readKey = (await ok(api, 'POST', '/v1/workspaces/ws_default/keys', { name: 'reporting', scope: 'read' })).key as string;
  const otherApi = controlApi(baseUrl, other.apiKey.key);

  const authToken = await ok(api, 'POST', '/v1/secrets', { name: 'twilio-auth-token', value: twilio.authToken });
  await ok(api, 'POST', '/v1/secrets', { name: 'spare', value: 'a-spare-secret-value-0123456789' });
  const connection = await ok(api, 'POST', '/v1/connections', {
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: twilio.accountSid },
    credentials: { authToken: authToken.id },
    apiBaseUrl: twilio.url,
  });
  const phone = await ok(api, 'POST', '/v1/phone-configurations', { phoneNumber: PHONE, provider: 'twilio', friendlyName: 'Support line', connectionId: connection.id });
  const sms = await ok(api, 'POST', '/v1/deployment-channels', { channelIdentifier: PHONE, deploymentType: 'sms', configuration: { phoneConfigurationId: phone.id } });
  const calls = await ok(api, 'POST', '/v1/deployment-channels', { channelIdentifier: PHONE, deploymentType: 'calls', configuration: { phoneConfigurationId: phone.id } });
  const web = await ok(api, 'POST', '/v1/deployment-channels', {
    channelIdentifier: 'https://example.com',
    deploymentType: 'web',
    channelName: 'Website chat',
    configuration: { widgetConfiguration: { customTheme: { primaryColor: '#007bff' } } },
  });
  const mobile = await ok(api, 'POST', '/v1/deployment-channels', {
    channelIdentifier: 'com.example.app',
    deploymentType: 'mobile-app',
    configuration: { platform: 'ios' },
  });

  const echo = await ok(api, 'POST', '/v1/agents', { name: 'Concierge', instructions: 'Be brief.', introductionMessage: 'Hi! How can I help?' });
  const webhookAgent = await ok(api, 'POST', '/v1/agents', { name: 'Bot', backend: { type: 'webhook', url: 'https://bot.example.com/hook' } });
  expect(webhookAgent.signingSecret).toMatch(/^whsec_/);
  const openAi = await ok(api, 'POST', '/v1/agents', {
    name: 'Writer',
    backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-test-0123456789abcdefghijklmnop' },
  });

  const smsDeployment = await ok(api, 'POST', '/v1/deployment-configurations', { deploymentChannelId: sms.id, agentId: echo.id, status: 'active' });
  const callsDeployment = await ok(api, 'POST', '/v1/deployment-configurations', { deploymentChannelId: calls.id, agentId: webhookAgent.id, deploymentName: 'Phone bot' });
  const webDeployment = await ok(api, 'POST', `/v1/agents/${echo.id}/deployments`, {
    name: 'Website',
    allowedOrigins: [ORIGIN],
    theme: { primaryColor: '#0b5fff', headerTitle: 'Ask us' },
  });

  const team = await ok(api, 'POST', '/v1/teams', { name: 'Support' });
  await ok(api, 'POST', `/v1/teams/${team.id}/members`, { name: 'Ana', email: 'ana@example.com', role: 'supervisor' });
  await ok(api, 'PUT', `/v1/deployment-channels/${web.id}/teams`, { teamIds: [team.id] });
  const workflow = await ok(api, 'POST', '/v1/workflows', {
    name: 'Office hours',
    rules: [{ when: { businessHours: { timeZone: 'America/New_York', days: ['mon', 'tue'], start: '09:00', end: '17:00' } }, then: { teamId: team.id } }],
    fallback: { agentId: openAi.id },
  });
  await ok(api, 'PUT', `/v1/deployment-channels/${mobile.id}/workflow`, { workflowId: workflow.id });
  const webhook = await ok(api, 'POST', '/v1/webhooks', { url: 'https://crm.example.com/switchboard', events: ['handoff.requested'] });

  // The second workspace: one channel kept, and a web channel made and deleted (its counter stays, at 0).
  await ok(otherApi, 'POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.other', deploymentType: 'mobile-app', configuration: { platform: 'android' } });
  const gone = await ok(otherApi, 'POST', '/v1/deployment-channels', { channelIdentifier: 'https://gone.example.com', deploymentType: 'web' });
  await ok(otherApi, 'DELETE', `/v1/deployment-channels/${gone.id}`);

  // A widget conversation with the echo agent.
  const session = (await (
    await fetch(`${baseUrl}/v1/public/runtime/sessions`, { method: 'POST', headers: runtimeHeaders(webDeployment.token), body: '{}' })
  ).json()) as any;
  const { sessionId, visitorToken } = session.data;
  for (const [i, text] of ['Hello there', 'What are your hours?'].entries()) {
    const sent = await fetch(`${baseUrl}/v1/public/runtime/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: runtimeHeaders(webDeployment.token, visitorToken),
      body: JSON.stringify({ text, clientMessageId: `c-${i}` }),
    });
    expect(sent.status).toBe(202);
    await waitUntil(async () => (await api('GET', `/v1/conversations/${sessionId}/messages?pageSize=100`)).body.data.data.length >= 2 * (i + 1) || undefined, 5000, 'the echo');
  }

  // An SMS through the Twilio connection: an inbound event, a contact, a conversation and a delivered reply.
  expect((await postSms(baseUrl, twilio, connection.id, inboundSmsParams({ MessageSid: 'SMmigrate000000000000000000000001', Body: 'Before the move' }))).status).toBe(200);
  await waitUntil(() => twilio.messages.find((m) => m.body === 'Before the move'), 8000, 'the SMS reply at the fake Twilio');
  await waitUntil(async () => (await api('GET', '/v1/deliveries?status=sent')).body.data.data.length === 1 || undefined, 8000, 'the delivery marked sent');
  const conversations = (await api('GET', '/v1/conversations?pageSize=100')).body.data.data as any[];
  const smsConversation = conversations.find((c) => c.channelId === sms.id);
  expect(smsConversation).toBeDefined();

  return {
    adminKey,
    readKey,
    otherKey: other.apiKey.key,
    otherWorkspaceId: other.id,
    connectionId: connection.id,
    authTokenSecretId: authToken.id,
    echoAgentId: echo.id,
    webhookAgentId: webhookAgent.id,
    openAiAgentId: openAi.id,
    webDeploymentId: webDeployment.id,
    deploymentToken: webDeployment.token,
    sessionId,
    visitorToken,
    smsConversationId: smsConversation.id,
    channelIds: [sms.id, calls.id, web.id, mobile.id, webDeployment.deploymentChannelId].filter(Boolean),
    contactIds: conversations.map((c) => c.contactId),
    phoneId: phone.id,
    deploymentIds: [smsDeployment.id, callsDeployment.id],
    teamId: team.id,
    workflowId: workflow.id,
    webhookId: webhook.id,
  };
}

/** The reads compared between an installation and its copy: GETs of every resource and every list, per key. */
function readPaths(s: Seeded): { key: string; path: string }[] {
  const admin = [
    '/v1/workspaces',
    `/v1/workspaces/${s.otherWorkspaceId}`,
    '/v1/workspaces/ws_default/keys',
    '/v1/deployment-channels?pageSize=100',
    '/v1/deployment-channels?page=2&pageSize=2',
    '/v1/deployment-channels/by-type/web',
    '/v1/deployment-channels/by-type/sms',
    '/v1/deployment-channels/by-type/mobile-app',
    `/v1/deployment-channels/by-identifier/${encodeURIComponent('https://example.com')}?type=web`,
    ...s.channelIds.map((id) => `/v1/deployment-channels/${id}`),
    ...s.channelIds.map((id) => `/v1/deployment-channels/${id}/teams`),
    `/v1/deployment-channels/${s.channelIds[3]}/workflow`,
    '/v1/phone-configurations',
    `/v1/phone-configurations/${s.phoneId}`,
    `/v1/phone-configurations/by-phone-number/${encodeURIComponent(PHONE)}`,
    '/v1/agents',
    `/v1/agents/${s.echoAgentId}`,
    `/v1/agents/${s.webhookAgentId}`,
    `/v1/agents/${s.openAiAgentId}`,
    '/v1/deployment-configurations',
    ...s.deploymentIds.map((id) => `/v1/deployment-configurations/${id}`),
    `/v1/deployment-configurations/by-agent/${s.echoAgentId}`,
    `/v1/agents/${s.echoAgentId}/deployments`,
    `/v1/agents/${s.echoAgentId}/deployments/${s.webDeploymentId}`,
    `/v1/agents/${s.echoAgentId}/deployments/${s.webDeploymentId}/embed-snippet`,
    '/v1/conversations?pageSize=100',
    `/v1/conversations/${s.sessionId}`,
    `/v1/conversations/${s.sessionId}/messages?pageSize=100`,
    `/v1/conversations/${s.smsConversationId}`,
    `/v1/conversations/${s.smsConversationId}/messages?pageSize=100`,
    ...s.contactIds.map((id) => `/v1/contacts/${id}`),
    '/v1/secrets',
    `/v1/secrets/${s.authTokenSecretId}`,
    '/v1/connections',
    `/v1/connections/${s.connectionId}`,
    '/v1/deliveries',
    '/v1/teams',
    `/v1/teams/${s.teamId}`,
    `/v1/teams/${s.teamId}/observers`,
    '/v1/workflows',
    `/v1/workflows/${s.workflowId}`,
    '/v1/webhooks',
    `/v1/webhooks/${s.webhookId}`,
  ].map((path) => ({ key: s.adminKey, path }));
  const reader = ['/v1/agents', '/v1/deployment-channels/by-type/calls'].map((path) => ({ key: s.readKey, path }));
  const other = ['/v1/deployment-channels', '/v1/deployment-channels/by-type/web', '/v1/deployment-channels/by-type/mobile-app'].map((path) => ({
    key: s.otherKey,
    path,
  }));
  return [...admin, ...reader, ...other];
}

/** Every read's status and body, without the envelope's timestamp or a key's last use (the reads themselves move it). */
async function readAll(baseUrl: string, paths: { key: string; path: string }[]): Promise<Record<string, { status: number; body: any }>> {
  const answers: Record<string, { status: number; body: any }> = {};
  for (const { key, path } of paths) {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as any;
    delete body?.metadata?.timestamp;
    if (path.endsWith('/keys')) for (const record of body.data?.data ?? []) delete record.lastUsedAt;
    answers[`${key.slice(0, 8)} ${path}`] = { status: response.status, body };
  }
  return answers;
}

/** Row counts of every Switchboard table in a SQLite file. */
function sqliteCounts(file: string): Record<string, number> {
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (
      sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'`).all() as { name: string }[]
    ).map((row) => row.name);
    return Object.fromEntries(tables.map((t) => [t, (sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  } finally {
    sqlite.close();
  }
}

async function postgresCounts(database: ScratchDatabase, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await database.query(`SELECT count(*)::int AS n FROM "${table}"`))[0].n);
  return counts;
}

describe.runIf(availableServices().postgres)('switchboard migrate-data: SQLite → PostgreSQL', () => {
  let twilio: FakeTwilio;
  let dataDir: string;
  let sqliteEnv: Record<string, string>;
  let seeded: Seeded;
  let original: Record<string, { status: number; body: any }>;
  let target: ScratchDatabase;
  let migration: Awaited<ReturnType<typeof runCli>>;
  const scratch: ScratchDatabase[] = [];

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-migrate-'));
    // The master key is the data directory's secret.key, generated on the first start.
    sqliteEnv = { SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: '', SWITCHBOARD_SECRET_KEY: '', PUBLIC_URL };
    const server = await startCli(sqliteEnv);
    try {
      const { adminKey } = readFirstStartCredentials(dataDir);
      seeded = await seed(server.baseUrl, adminKey, twilio);
      original = await readAll(server.baseUrl, readPaths(seeded));
    } finally {
      await server.stop();
    }
    target = await emptyPostgres();
    scratch.push(target);
    // Two rows per INSERT: every table of more than two rows is copied in several batches.
    migration = await runCli(['migrate-data', '--to', target.url, '--batch-size', '2'], sqliteEnv);
  }, 120_000);

  afterAll(async () => {
    await twilio?.close();
    for (const database of scratch) await database.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies every table, shows progress per table and the counts, and says where the master key is', async () => {
    expect(migration.code, migration.stderr).toBe(0);
    const source = sqliteCounts(join(dataDir, 'switchboard.db'));
    const tables = Object.keys(source);
    expect(tables.length).toBeGreaterThanOrEqual(25);
    // Every table, found in the database itself, with its rows.
    for (const [table, rows] of Object.entries(source)) expect(migration.stderr).toContain(`${table}: ${rows} / ${rows} rows`);
    for (const table of ['workspaces', 'api_keys', 'deployment_channels', 'channel_counts', 'messages', 'conversation_events', 'secrets', 'connections', 'inbound_events', 'deliveries']) {
      expect(source[table], table).toBeGreaterThan(0);
    }
    expect(await postgresCounts(target, tables)).toEqual(source);
    for (const table of tables) expect(migration.stdout).toMatch(new RegExp(`^${table} +${source[table]} +${source[table]}  ok$`, 'm'));
    expect(migration.stdout).toContain(`Row counts match in all ${tables.length} tables`);
    expect(migration.stdout).toContain('channel_counts: every count matches a recount of deployment_channels.');
    expect(migration.stdout).toMatch(/conversation_events\.seq: the next value is \d+/);

    // Where the key is, never the key.
    const keyFile = join(dataDir, 'secret.key');
    expect(migration.stdout).toContain(`It is in ${keyFile}`);
    expect(migration.stdout).toContain('This master key opens the stored secrets.');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(migration.stdout + migration.stderr).not.toContain(key);
    expect(migration.stdout + migration.stderr).not.toContain(Buffer.from(key, 'base64').toString('hex'));

    // Sealed values are copied as they are.
    const sealed = await target.query<{ id: string; sealed: string }>('SELECT id, sealed FROM secrets ORDER BY id');
    const sqlite = new BetterSqlite3(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      expect(sealed).toEqual(sqlite.prepare('SELECT id, sealed FROM secrets ORDER BY id').all());
      // The counters, with the second workspace's web counter at 0, and the trigger on again.
      expect(await target.query('SELECT workspace_id, deployment_type, count::int AS count FROM channel_counts ORDER BY 1, 2')).toEqual(
        (sqlite.prepare('SELECT workspace_id, deployment_type, count FROM channel_counts ORDER BY 1, 2').all() as any[]).map((r) => ({ ...r, count: Number(r.count) })),
      );
      expect(await target.query(`SELECT count::int AS n FROM channel_counts WHERE workspace_id = $1 AND deployment_type = 'web'`, [seeded.otherWorkspaceId])).toEqual([{ n: 0 }]);
    } finally {
      sqlite.close();
    }
    const triggers = await target.query<{ tgname: string; tgenabled: string }>(`SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal`);
    expect(triggers.map((t) => t.tgname)).toContain('channel_counts_track');
    for (const trigger of triggers) expect(trigger.tgenabled, trigger.tgname).toBe('O');
  });

  it('serves the same answers from the copy, with the same keys, secrets and counters, and keeps working', async () => {
    expect(migration.code).toBe(0);
    const copy = await startCli({ SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: target.url, SWITCHBOARD_SECRET_KEY: '', PUBLIC_URL });
    try {
      // No new workspace or key: the copy has them.
      expect(copy.output()).not.toMatch(KEY_PATTERN);
      const answers = await readAll(copy.baseUrl, readPaths(seeded));
      for (const [read, answer] of Object.entries(original)) expect(answers[read], read).toEqual(answer);
      for (const answer of Object.values(answers)) expect(answer.status).toBe(200);

      const api = controlApi(copy.baseUrl, seeded.adminKey);
      // The connection shows the secret's mask and fingerprint; the agents their masked keys.
      const secret = (await api('GET', `/v1/secrets/${seeded.authTokenSecretId}`)).body.data;
      const connection = (await api('GET', `/v1/connections/${seeded.connectionId}`)).body.data;
      expect(connection.credentials.authToken).toMatchObject({ secretId: seeded.authTokenSecretId, mask: secret.mask, fingerprint: secret.fingerprint });
      expect(secret.mask).not.toContain(twilio.authToken);
      expect(secret.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      const openAi = (await api('GET', `/v1/agents/${seeded.openAiAgentId}`)).body.data;
      expect(openAi.backend.apiKey.mask).toMatch(/…/);
      expect(JSON.stringify(openAi)).not.toContain('sk-test-0123456789abcdefghijklmnop');
      expect((await api('GET', '/v1/deployment-channels')).body.data.meta.totalCount).toBe(5);

      // The original keys authenticate; the read key still only reads.
      for (const key of [seeded.adminKey, seeded.readKey, seeded.otherKey]) {
        expect((await fetch(`${copy.baseUrl}/v1/deployment-channels`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      }
      expect((await controlApi(copy.baseUrl, seeded.readKey)('POST', '/v1/agents', { name: 'Nope' })).status).toBe(403);
      expect((await fetch(`${copy.baseUrl}/v1/agents`, { headers: { authorization: 'Bearer sbk_unknown' } })).status).toBe(401);

      // Writes go on: the counter trigger counts a new channel, the event sequence continues, the
      // sealed auth token opens (the webhook's signature is checked with it) and the outbox sends.
      await ok(api, 'POST', '/v1/deployment-channels', { channelIdentifier: 'https://after.example.com', deploymentType: 'web' });
      expect((await api('GET', '/v1/deployment-channels/by-type/web')).body.data.meta.totalCount).toBe(3);
      const sent = await fetch(`${copy.baseUrl}/v1/public/runtime/sessions/${seeded.sessionId}/messages`, {
        method: 'POST',
        headers: runtimeHeaders(seeded.deploymentToken, seeded.visitorToken),
        body: JSON.stringify({ text: 'After the move', clientMessageId: 'c-after' }),
      });
      expect(sent.status).toBe(202);
      const messages = await waitUntil(async () => {
        const data = (await api('GET', `/v1/conversations/${seeded.sessionId}/messages?pageSize=100`)).body.data.data as any[];
        return data.length === 6 ? data : undefined;
      }, 5000, 'the echo on the copy');
      expect(messages.slice(-2).map((m) => [m.role, m.text])).toEqual([
        ['contact', 'After the move'],
        ['agent', 'After the move'],
      ]);
      const sms = await postSms(copy.baseUrl, twilio, seeded.connectionId, inboundSmsParams({ MessageSid: 'SMmigrate000000000000000000000002', Body: 'After the move' }));
      expect(sms.status).toBe(200);
      await waitUntil(() => twilio.messages.find((m) => m.body === 'After the move'), 8000, 'the SMS reply from the copy');
    } finally {
      await copy.stop();
    }
  }, 90_000);

  it('refuses a second run into the now non-empty target, and changes nothing', async () => {
    const tables = Object.keys(sqliteCounts(join(dataDir, 'switchboard.db')));
    const snapshot = async () => ({
      counts: await postgresCounts(target, [...tables, 'kysely_migration']),
      workspaces: await target.query('SELECT * FROM workspaces ORDER BY id'),
      migrations: await target.query('SELECT name FROM kysely_migration ORDER BY name'),
    });
    const before = await snapshot();
    const again = await runCli(['migrate-data', '--to', target.url], sqliteEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/The target database .* is not empty: .*workspaces.* already hold rows/);
    // Refused before any copying.
    expect(again.stderr).not.toMatch(/^workspaces: /m);
    expect(await snapshot()).toEqual(before);
  }, 90_000);

  it('refuses a database holding unrelated tables, without creating anything in it', async () => {
    const other = await emptyPostgres();
    scratch.push(other);
    await other.query('CREATE TABLE invoices (id integer PRIMARY KEY)');
    const refused = await runCli(['migrate-data', '--to', other.url], sqliteEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds tables that are not Switchboard's (public.invoices)");
    expect(await other.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([{ table_name: 'invoices' }]);
  }, 90_000);

  it('copies from the file --from names into a database whose schema exists but holds no rows', async () => {
    const migrated = await emptyPostgres();
    scratch.push(migrated);
    // A server's migrations ran there, and nothing else.
    const schemaOnly = await runCli(['migrate-data', '--to', migrated.url, '--from', 'sqlite:/nonexistent/switchboard.db'], sqliteEnv);
    expect(schemaOnly.code).toBe(1);
    expect(schemaOnly.stderr).toContain('There is no SQLite database at /nonexistent/switchboard.db');
    expect(existsSync('/nonexistent/switchboard.db')).toBe(false);
    await (await openDatabase({ databaseUrl: migrated.url, dataDir: tmpdir(), poolSize: 1 })).close();

    const key = readFileSync(join(dataDir, 'secret.key'), 'utf8').trim();
    const elsewhere = mkdtempSync(join(tmpdir(), 'switchboard-migrate-elsewhere-'));
    const copied = await runCli(['migrate-data', '--to', migrated.url, '--from', `sqlite:${join(dataDir, 'switchboard.db')}`], {
      ...sqliteEnv,
      // --from wins over the configuration.
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/elsewhere',
      SWITCHBOARD_SECRET_KEY: key,
      SWITCHBOARD_DATA_DIR: elsewhere,
    });
    rmSync(elsewhere, { recursive: true, force: true });
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('Row counts match in all');
    expect(copied.stdout).toContain('It is the SWITCHBOARD_SECRET_KEY this command ran with: set that same value on every node.');
    expect(copied.stdout).toContain('This master key opens the stored secrets.');
    expect(copied.stdout).not.toContain(key);
  }, 90_000);

  /** Copies the served database to `name`, edits the copy with `edit` and migrates it into a new empty database. */
  async function migrateEditedCopy<T>(name: string, edit: (copy: BetterSqlite3.Database) => T) {
    const file = join(dataDir, name);
    const source = new BetterSqlite3(join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      await source.backup(file);
    } finally {
      source.close();
    }
    const copy = new BetterSqlite3(file);
    let edited: T;
    try {
      edited = edit(copy);
    } finally {
      copy.close();
    }
    const into = await emptyPostgres();
    scratch.push(into);
    const copied = await runCli(['migrate-data', '--to', into.url, '--from', `sqlite:${file}`], sqliteEnv);
    return { into, copied, edited };
  }

  it('ends with correct channel counters even when the SQLite ones had drifted', async () => {
    const { into, copied } = await migrateEditedCopy('drifted.db', (copy) =>
      copy.exec(`UPDATE channel_counts SET count = count + 5 WHERE deployment_type = 'sms'; DELETE FROM channel_counts WHERE deployment_type = 'calls'`),
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('channel_counts: every count matches a recount of deployment_channels (2 corrected: the SQLite counts had drifted).');
    expect(copied.stdout).toMatch(/^channel_counts +\d+ +\d+ {2}ok \(1 counter added by the recount\)$/m);
    expect(await into.query(`SELECT deployment_type, count::int AS count FROM channel_counts WHERE workspace_id = 'ws_default' AND deployment_type IN ('sms', 'calls') ORDER BY 1`)).toEqual([
      { deployment_type: 'calls', count: 1 },
      { deployment_type: 'sms', count: 1 },
    ]);
  }, 90_000);

  it('copies text holding the NUL character, which PostgreSQL cannot store, with U+FFFD in its place, and says so', async () => {
    const { into, copied, edited: named } = await migrateEditedCopy(
      'with-nul.db',
      (copy) =>
        copy
          .prepare(`UPDATE deployment_channels SET channel_name = ? WHERE id = (SELECT id FROM deployment_channels ORDER BY rowid LIMIT 1) RETURNING id`)
          .get('Front\u0000desk') as { id: string },
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('deployment_channels: 1 value held the NUL character (U+0000), which PostgreSQL cannot store: copied with U+FFFD in its place.');
    expect(await into.query(`SELECT channel_name FROM deployment_channels WHERE id = '${named.id}'`)).toEqual([{ channel_name: 'Front\ufffddesk' }]);
  }, 90_000);

  it('refuses a --to that is not PostgreSQL, and DATABASE_URL=postgres without --from', async () => {
    const notPostgres = await runCli(['migrate-data', '--to', 'sqlite:/tmp/x.db'], sqliteEnv);
    expect(notPostgres.code).toBe(1);
    expect(notPostgres.stderr).toContain('--to must be a PostgreSQL URL');
    const noSource = await runCli(['migrate-data', '--to', target.url], { ...sqliteEnv, DATABASE_URL: target.url });
    expect(noSource.code).toBe(1);
    expect(noSource.stderr).toContain('DATABASE_URL names PostgreSQL');
  }, 90_000);
});

// ── backup ───────────────────────────────────────────────────────────────────────────────

describe('switchboard backup', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: StartedCli;
  let api: Api;
  let adminKey: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
    env = { SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: '', SWITCHBOARD_SECRET_KEY: '' };
    server = await startCli(env);
    adminKey = readFirstStartCredentials(dataDir).adminKey;
    api = controlApi(server.baseUrl, adminKey);
    await ok(api, 'POST', '/v1/secrets', { name: 'token', value: 'a-secret-token-value-0123456789' });
    await ok(api, 'POST', '/v1/agents', { name: 'Writer', backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'm', apiKey: 'sk-backup-0123456789abcdefghij' } });
    await ok(api, 'POST', '/v1/deployment-channels', { channelIdentifier: 'https://example.com', deploymentType: 'web' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies the database while the server runs and writes; a second server starts from the copy and answers the same', async () => {
    const file = join(dataDir, 'nightly.db');
    // Writes keep coming while the backup runs.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await ok(api, 'POST', '/v1/deployment-channels', { channelIdentifier: `com.example.app${written}`, deploymentType: 'mobile-app', configuration: { platform: 'ios' } });
        written++;
      }
    })();
    await waitUntil(() => written >= 5 || undefined, 10_000, 'writes before the backup');
    const atStart = written;
    const backup = await runCli(['backup', file], env);
    const atEnd = written;
    writing = false;
    await writer;
    expect(backup.code, backup.stderr).toBe(0);
    expect(atEnd).toBeGreaterThan(atStart);
    expect(backup.stdout).toContain(`Backed up ${join(dataDir, 'switchboard.db')} to ${file}`);
    expect(backup.stdout).toContain('integrity check ok');
    expect(backup.stdout).toContain(`DATABASE_URL=sqlite:${file}`);
    expect(backup.stdout).toContain(`The key is in ${join(dataDir, 'secret.key')}`);
    expect(backup.stdout).not.toContain(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}-wal`)).toBe(false);

    const copy = await startCli({ ...env, DATABASE_URL: `sqlite:${file}` });
    try {
      const copyApi = controlApi(copy.baseUrl, adminKey);
      // The seeded resources answer the same.
      const paths = ['/v1/secrets', '/v1/agents', '/v1/deployment-channels/by-type/web'];
      const strip = (body: any) => ({ ...body, metadata: undefined });
      for (const path of paths) expect(strip((await copyApi('GET', path)).body), path).toEqual(strip((await api('GET', path)).body));
      // A snapshot: the channels it has are the first ones written, each as the original has it, and its total counts them.
      const copied = (await copyApi('GET', '/v1/deployment-channels/by-type/mobile-app?pageSize=1000')).body.data;
      const live = (await api('GET', '/v1/deployment-channels/by-type/mobile-app?pageSize=1000')).body.data;
      expect(copied.meta.totalCount).toBe(copied.data.length);
      expect(copied.data.length).toBeGreaterThanOrEqual(atStart);
      expect(copied.data.length).toBeLessThanOrEqual(written);
      expect(copied.data).toEqual(live.data.slice(0, copied.data.length));
      // The secrets open under the same key on the copy: the agent's masked key is shown as on the original.
      const agentId = (await api('GET', '/v1/agents')).body.data.data[0].id;
      expect((await copyApi('GET', `/v1/agents/${agentId}`)).body.data.backend.apiKey).toEqual((await api('GET', `/v1/agents/${agentId}`)).body.data.backend.apiKey);
      // And the copy is a working database of its own.
      await ok(copyApi, 'POST', '/v1/deployment-channels', { channelIdentifier: 'https://restored.example.com', deploymentType: 'web' });
      expect((await copyApi('GET', '/v1/deployment-channels/by-type/web')).body.data.meta.totalCount).toBe(2);
      expect((await api('GET', '/v1/deployment-channels/by-type/web')).body.data.meta.totalCount).toBe(1);
    } finally {
      await copy.stop();
    }
  }, 90_000);

  it('refuses to replace a file without --force, and replaces it with --force', async () => {
    const file = join(dataDir, 'taken.db');
    writeFileSync(file, 'not a backup\n');
    const refused = await runCli(['backup', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file} already exists: choose another file, or add --force to replace it`);
    expect(readFileSync(file, 'utf8')).toBe('not a backup\n');

    // Under another master key: the backup is made, with a warning that the key does not open its secrets.
    const forced = await runCli(['backup', file, '--force'], { ...env, SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('base64') });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Warning: this master key does not open the stored secrets');
    expect(readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 90_000);

  it('refuses when the database is PostgreSQL, when there is no database, and leaves no partial file', async () => {
    const onPostgres = await runCli(['backup', join(dataDir, 'pg.db')], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/switchboard' });
    expect(onPostgres.code).toBe(1);
    expect(onPostgres.stderr).toContain('The configured database is PostgreSQL');
    expect(onPostgres.stderr).toContain('pg_dump');
    expect(existsSync(join(dataDir, 'pg.db'))).toBe(false);

    const emptyDir = mkdtempSync(join(tmpdir(), 'switchboard-backup-none-'));
    try {
      const none = await runCli(['backup', join(emptyDir, 'out.db')], { ...env, SWITCHBOARD_DATA_DIR: emptyDir });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`There is no SQLite database at ${join(emptyDir, 'switchboard.db')}`);
      // Neither a database nor a backup was created, nor anything left half-written.
      expect(existsSync(join(emptyDir, 'switchboard.db'))).toBe(false);
      expect(existsSync(join(emptyDir, 'out.db'))).toBe(false);
      expect(readdirSync(emptyDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }

    const noDir = await runCli(['backup', join(dataDir, 'missing', 'out.db')], env);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain(`The directory ${join(dataDir, 'missing')} does not exist`);
  }, 90_000);
});
