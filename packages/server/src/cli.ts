#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from './config.js';
import { startServer } from './server.js';
import { openDatabase } from './store/database.js';
import { apiKeysRepository, workspacesRepository } from './store/repositories/index.js';
import { bootstrapWorkspace, type BootstrapResult } from './workspaces/bootstrap.js';
import { issueApiKey } from './workspaces/api-keys.js';
import { VERSION } from './version.js';

function announceGeneratedKey(bootstrap: BootstrapResult): void {
  if (!bootstrap.generatedAdminKey) return;
  process.stdout.write(
    [
      '',
      `Created workspace "${bootstrap.workspace.name}" (${bootstrap.workspace.id}) and its admin API key:`,
      '',
      `    ${bootstrap.generatedAdminKey}`,
      '',
      'It is shown only this once and stored only as a hash. Keep it somewhere safe.',
      '',
    ].join('\n') + '\n',
  );
}

async function withDatabase<T>(config: Config, work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function resolveWorkspaceId(config: Config, database: Awaited<ReturnType<typeof openDatabase>>, requested?: string) {
  const bootstrap = await bootstrapWorkspace(database.db, config.adminApiKey);
  announceGeneratedKey(bootstrap);
  if (!requested) return bootstrap.workspace.id;
  const workspace = await workspacesRepository(database.db).get(requested);
  if (!workspace) throw new InvalidArgumentError(`Workspace ${requested} does not exist`);
  return workspace.id;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

const program = new Command('switchboard').description('Switchboard: put AI agents on real channels').version(VERSION);

program
  .command('start')
  .description('Serve the API (SQLite under ./data unless DATABASE_URL is set)')
  .action(async () => {
    const config = loadConfig();
    const running = await startServer(config);
    announceGeneratedKey(running.bootstrap);
    process.stdout.write(`Switchboard ${VERSION} listening on ${running.url} (${running.database.engine}: ${running.database.location})\n`);
    process.stdout.write(`API reference: ${running.url}/docs\n`);
    if (running.smtpPort !== undefined) process.stdout.write(`Receiving email for email channels over SMTP on port ${running.smtpPort}\n`);
    const stop = async (signal: string) => {
      process.stdout.write(`${signal} received, closing\n`);
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

const keys = program.command('keys').description('Manage workspace API keys');

keys
  .command('create')
  .description('Create an API key; it is printed once')
  .option('-n, --name <name>', 'a label for the key', 'api key')
  .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
  .action(async (options: { name: string; workspace?: string }) => {
    const config = loadConfig();
    await withDatabase(config, async (database) => {
      const workspaceId = await resolveWorkspaceId(config, database, options.workspace);
      const { key, record } = await issueApiKey(database.db, workspaceId, options.name);
      process.stdout.write(`Created API key ${record.id} "${record.name}" for workspace ${workspaceId}:\n\n    ${key}\n\nIt is shown only this once.\n`);
    });
  });

keys
  .command('list')
  .description('List API keys (prefixes only; keys themselves are never stored)')
  .option('-w, --workspace <id>', 'only this workspace')
  .option('--json', 'print JSON')
  .action(async (options: { workspace?: string; json?: boolean }) => {
    const config = loadConfig();
    await withDatabase(config, async (database) => {
      const records = await apiKeysRepository(database.db).list(options.workspace);
      if (options.json) {
        process.stdout.write(JSON.stringify(records, null, 2) + '\n');
        return;
      }
      if (records.length === 0) {
        process.stdout.write('No API keys yet. Start the server once, or run "switchboard keys create".\n');
        return;
      }
      const rows = records.map((r) => [r.id, `${r.prefix}…`, r.name, r.workspaceId, iso(r.createdAt), iso(r.lastUsedAt), r.revokedAt ? `revoked ${iso(r.revokedAt)}` : 'active']);
      const header = ['ID', 'PREFIX', 'NAME', 'WORKSPACE', 'CREATED', 'LAST USED', 'STATUS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      for (const row of [header, ...rows]) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
    });
  });

keys
  .command('revoke')
  .description('Revoke an API key by id; it stops working on the next request')
  .argument('<id>', 'the key id (key_…) as shown by "keys list"')
  .action(async (id: string) => {
    const config = loadConfig();
    await withDatabase(config, async (database) => {
      const repository = apiKeysRepository(database.db);
      const record = await repository.get(id);
      if (!record) throw new InvalidArgumentError(`No API key with id ${id}`);
      if (record.revokedAt !== null) {
        process.stdout.write(`API key ${id} was already revoked on ${iso(record.revokedAt)}\n`);
        return;
      }
      await repository.revoke(id);
      process.stdout.write(`Revoked API key ${id} (${record.prefix}…)\n`);
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
