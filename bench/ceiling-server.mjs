// The stack's own ceiling for each of bench/api.mjs's scenarios: the least a Fastify server must
// do to answer them as Switchboard does — hash the presented key as the server stores it
// (HMAC-SHA256 under the master key), one prepared statement for the key and its workspace, the
// scenario's own prepared statements, the same envelope — and nothing else (no logging, no
// validation layer, no query builder). Switchboard's figure divided by this one is the gap to
// what the stack itself allows.
//
//   GET /v1/deployment-channels/{id}                               get
//   GET /v1/deployment-channels/by-identifier/{identifier}?type=…  getByIdentifier
//   GET /v1/deployment-channels?page=…&pageSize=…                  list (the total from the
//       workspace's counters and the page by OFFSET; on PostgreSQL one statement, as Switchboard)
//
//   DATABASE_URL=sqlite:/path.db | postgres://…   SWITCHBOARD_DATA_DIR=…   PORT   HOST
import Fastify from 'fastify';
import { loadMasterKey, SecretBox } from '../packages/server/dist/secrets/secret-box.js';

const databaseUrl = process.env.DATABASE_URL ?? '';
const box = new SecretBox(loadMasterKey({ dataDir: process.env.SWITCHBOARD_DATA_DIR }, { logger: { warn: () => undefined } }).key);

const COLUMNS = 'id, deployment_type, channel_identifier, channel_name, recording_enabled, configuration, created_at, updated_at';
const TOTAL = 'select sum(count) as total from channel_counts where workspace_id = $1';
const PAGE = `select ${COLUMNS} from deployment_channels where workspace_id = $1 order by created_at, id limit $2 offset $3`;
const SQL = {
  key: 'select k.workspace_id, w.status from api_keys k join workspaces w on w.id = k.workspace_id where k.key_hash = $1',
  channel: `select ${COLUMNS} from deployment_channels where workspace_id = $1 and id = $2`,
  byIdentifier: `select ${COLUMNS} from deployment_channels where workspace_id = $1 and channel_identifier = $2 and deployment_type = $3`,
  total: TOTAL,
  page: PAGE,
  // The total's one row joined to the page's rows: one round trip.
  list: `select t.total, c.* from (${TOTAL}) t left join (${PAGE}) c on true order by c.created_at, c.id`,
};

/** One function per statement: (…values) → rows, by prepared statements of the engine's own driver. */
async function openStatements() {
  if (databaseUrl.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    const prepared = (text) => db.prepare(text.replace(/\$\d/g, '?'));
    const key = prepared(SQL.key);
    const channel = prepared(SQL.channel);
    const byIdentifier = prepared(SQL.byIdentifier);
    const total = prepared(SQL.total);
    const page = prepared(SQL.page);
    return {
      key: async (hash) => key.get(hash),
      channel: async (workspaceId, id) => channel.get(workspaceId, id),
      byIdentifier: async (workspaceId, identifier, type) => byIdentifier.get(workspaceId, identifier, type),
      list: async (workspaceId, limit, offset) => ({ total: total.get(workspaceId).total ?? 0, rows: page.all(workspaceId, limit, offset) }),
    };
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const rows = async (name, values) => (await pool.query({ name: `ceiling_${name}`, text: SQL[name], values })).rows;
  return {
    key: async (hash) => (await rows('key', [hash]))[0],
    channel: async (workspaceId, id) => (await rows('channel', [workspaceId, id]))[0],
    byIdentifier: async (workspaceId, identifier, type) => (await rows('byIdentifier', [workspaceId, identifier, type]))[0],
    list: async (workspaceId, limit, offset) => {
      const found = await rows('list', [workspaceId, limit, offset]);
      return { total: Number(found[0]?.total ?? 0), rows: found[0]?.id === null ? [] : found };
    },
  };
}

const statements = await openStatements();
const app = Fastify({ logger: false });
const fail = (reply, status, code, message) => reply.code(status).send({ success: false, status, code, message });
const envelope = (data) => ({ success: true, data, metadata: { timestamp: Date.now(), version: 'v1' } });
const channelOf = (row) => ({
  id: row.id,
  deploymentType: row.deployment_type,
  channelIdentifier: row.channel_identifier,
  channelName: row.channel_name,
  recordingEnabled: row.recording_enabled === 1,
  configuration: JSON.parse(row.configuration),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** The workspace of the presented key, or undefined once the reply is sent. */
async function workspaceOf(request, reply) {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return void fail(reply, 401, 'UNAUTHORIZED', 'missing API key');
  const key = await statements.key(box.credentialHash(header.slice(7)));
  if (!key || key.status !== 'active') return void fail(reply, 401, 'UNAUTHORIZED', 'invalid API key');
  return key.workspace_id;
}

app.get('/health', async () => ({ status: 'ok' }));
app.get('/v1/deployment-channels/by-identifier/:identifier', async (request, reply) => {
  const workspaceId = await workspaceOf(request, reply);
  if (workspaceId === undefined) return reply;
  const row = await statements.byIdentifier(workspaceId, request.params.identifier, request.query.type ?? 'web');
  return row ? envelope(channelOf(row)) : fail(reply, 404, 'NOT_FOUND', 'no such channel');
});
app.get('/v1/deployment-channels/:id', async (request, reply) => {
  const workspaceId = await workspaceOf(request, reply);
  if (workspaceId === undefined) return reply;
  const row = await statements.channel(workspaceId, request.params.id);
  return row ? envelope(channelOf(row)) : fail(reply, 404, 'NOT_FOUND', 'no such channel');
});
app.get('/v1/deployment-channels', async (request, reply) => {
  const workspaceId = await workspaceOf(request, reply);
  if (workspaceId === undefined) return reply;
  const page = Number(request.query.page ?? 1);
  const pageSize = Number(request.query.pageSize ?? 20);
  const { total, rows } = await statements.list(workspaceId, pageSize, (page - 1) * pageSize);
  const totalPages = Math.ceil(total / pageSize);
  const meta = { page, pageSize, totalCount: total, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 };
  return envelope({ data: rows.map(channelOf), meta });
});

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
process.stdout.write(`ceiling listening on http://${host}:${port}\n`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void app.close().then(() => process.exit(0)));
