// The stack's own ceiling for bench/api.mjs's `get`: the least a Fastify server must do to answer
// GET /v1/deployment-channels/{id} as Switchboard does — hash the presented key as the server stores
// it (HMAC-SHA256 under the master key), one prepared statement for the key and its workspace, one
// for the channel, the same envelope — and nothing else (no logging, no validation layer, no query
// builder). Switchboard's figure divided by this one is the gap to what the stack itself allows.
//
//   DATABASE_URL=sqlite:/path.db | postgres://…   SWITCHBOARD_DATA_DIR=…   PORT   HOST
import Fastify from 'fastify';
import { loadMasterKey, SecretBox } from '../packages/server/dist/secrets/secret-box.js';

const databaseUrl = process.env.DATABASE_URL ?? '';
const box = new SecretBox(loadMasterKey({ dataDir: process.env.SWITCHBOARD_DATA_DIR }, { logger: { warn: () => undefined } }).key);

const KEY_SQL = 'select k.workspace_id, w.status from api_keys k join workspaces w on w.id = k.workspace_id where k.key_hash = $1';
const CHANNEL_SQL = 'select * from deployment_channels where workspace_id = $1 and id = $2';

/** `{ key(hash), channel(workspaceId, id) }` → rows, by prepared statements of the engine's own driver. */
async function openStatements() {
  if (databaseUrl.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    const key = db.prepare(KEY_SQL.replace(/\$\d/g, '?'));
    const channel = db.prepare(CHANNEL_SQL.replace(/\$\d/g, '?'));
    return { key: async (hash) => key.get(hash), channel: async (workspaceId, id) => channel.get(workspaceId, id) };
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const first = async (name, text, values) => (await pool.query({ name, text, values })).rows[0];
  return { key: (hash) => first('ceiling_key', KEY_SQL, [hash]), channel: (workspaceId, id) => first('ceiling_channel', CHANNEL_SQL, [workspaceId, id]) };
}

const statements = await openStatements();
const app = Fastify({ logger: false });
const fail = (reply, status, code, message) => reply.code(status).send({ success: false, status, code, message });

app.get('/health', async () => ({ status: 'ok' }));
app.get('/v1/deployment-channels/:id', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return fail(reply, 401, 'UNAUTHORIZED', 'missing API key');
  const key = await statements.key(box.credentialHash(header.slice(7)));
  if (!key || key.status !== 'active') return fail(reply, 401, 'UNAUTHORIZED', 'invalid API key');
  const row = await statements.channel(key.workspace_id, request.params.id);
  if (!row) return fail(reply, 404, 'NOT_FOUND', 'no such channel');
  return {
    success: true,
    data: {
      id: row.id,
      deploymentType: row.deployment_type,
      channelIdentifier: row.channel_identifier,
      channelName: row.channel_name,
      recordingEnabled: row.recording_enabled === 1,
      configuration: JSON.parse(row.configuration),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    },
    metadata: { timestamp: Date.now(), version: 'v1' },
  };
});

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
process.stdout.write(`ceiling listening on http://${host}:${port}\n`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void app.close().then(() => process.exit(0)));
