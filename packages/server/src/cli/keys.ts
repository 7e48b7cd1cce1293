import { InvalidArgumentError, Option, type Command } from 'commander';
import { API_KEY_SCOPES, type ApiKeyScope } from '@switchboard/core';
import type { ApiKeyRecord } from '../store/repositories/index.js';
import { iso, printTable } from './output.js';

const store = () => import('./local-store.js');

/** A chosen key (SWITCHBOARD_API_KEY) has no prefix: no part of it is stored. */
const shownKey = (record: Pick<ApiKeyRecord, 'prefix'>) => (record.prefix ? `${record.prefix}…` : '(chosen)');

function parseScope(value: string): ApiKeyScope {
  if (!(API_KEY_SCOPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${API_KEY_SCOPES.join(', ')}`);
  return value as ApiKeyScope;
}

/** `switchboard keys create|list|revoke`, on the database directly (they work before any key exists). */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Manage workspace API keys');

  keys
    .command('create')
    .description('Create an API key; it is printed once')
    .option('-n, --name <name>', 'a label for the key', 'api key')
    .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
    .addOption(new Option('-s, --scope <scope>', 'admin: every method; read: GET only').argParser(parseScope).default('admin'))
    .option('--instance-admin', 'the key may also manage every workspace (/v1/workspaces)')
    .action(async (options: { name: string; workspace?: string; scope: ApiKeyScope; instanceAdmin?: boolean }) => {
      const { loadConfig, secretBoxOf, withDatabase, resolveWorkspaceId, issueApiKey } = await store();
      const config = loadConfig();
      const box = secretBoxOf(config);
      await withDatabase(config, async (database) => {
        const workspaceId = await resolveWorkspaceId(config, database, box, options.workspace);
        const { key, record } = await issueApiKey(database.db, box, workspaceId, options.name, {
          scope: options.scope,
          instanceAdmin: options.instanceAdmin === true,
        });
        const kind = `${record.scope} scope${record.instanceAdmin ? ', instance administrator' : ''}`;
        process.stdout.write(
          `Created API key ${record.id} "${record.name}" (${kind}) for workspace ${workspaceId}:\n\n    ${key}\n\n` +
            'It is shown only this once and stored only as a keyed hash.\n',
        );
      });
    });

  keys
    .command('list')
    .description('List API keys (ids and prefixes only; keys themselves are never stored)')
    .option('-w, --workspace <id>', 'only this workspace')
    .option('--json', 'print JSON')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const { loadConfig, withDatabase, apiKeysRepository } = await store();
      await withDatabase(loadConfig(), async (database) => {
        const records = await apiKeysRepository(database.db).list(options.workspace);
        if (options.json) {
          process.stdout.write(JSON.stringify(records, null, 2) + '\n');
          return;
        }
        if (records.length === 0) {
          process.stdout.write('No API keys yet. Start the server once, or run "switchboard keys create".\n');
          return;
        }
        printTable(
          ['ID', 'PREFIX', 'NAME', 'WORKSPACE', 'SCOPE', 'CREATED', 'LAST USED', 'STATUS'],
          records.map((r) => [
            r.id,
            shownKey(r),
            r.name,
            r.workspaceId,
            r.instanceAdmin ? `${r.scope}, instance admin` : r.scope,
            iso(r.createdAt),
            iso(r.lastUsedAt),
            r.revokedAt ? `revoked ${iso(r.revokedAt)}` : 'active',
          ]),
        );
        process.stdout.write('\nLAST USED is recorded at most once a minute per server process, so it can lag by up to a minute.\n');
      });
    });

  keys
    .command('revoke')
    .description('Revoke an API key by id; it stops working on the next request')
    .argument('<id>', 'the key id (key_…) as shown by "keys list"')
    .action(async (id: string) => {
      const { loadConfig, withDatabase, apiKeysRepository } = await store();
      await withDatabase(loadConfig(), async (database) => {
        const repository = apiKeysRepository(database.db);
        const record = await repository.get(id);
        if (!record) throw new InvalidArgumentError(`No API key with id ${id}`);
        if (record.revokedAt !== null) {
          process.stdout.write(`API key ${id} was already revoked on ${iso(record.revokedAt)}\n`);
          return;
        }
        await repository.revoke(id);
        process.stdout.write(`Revoked API key ${id} (${shownKey(record)})\n`);
      });
    });
}
