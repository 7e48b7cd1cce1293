import { InvalidArgumentError, type Command } from 'commander';
import type { WorkspaceStatus } from '@switchboard/core';
import { iso, printTable } from './output.js';

const store = () => import('./local-store.js');

function setWorkspaceStatus(status: WorkspaceStatus) {
  return async (id: string) => {
    const { loadConfig, withDatabase, workspacesRepository } = await store();
    await withDatabase(loadConfig(), async (database) => {
      const repository = workspacesRepository(database.db);
      const workspace = await repository.get(id);
      if (!workspace) throw new InvalidArgumentError(`No workspace with id ${id}`);
      if (workspace.status === status) {
        process.stdout.write(`Workspace ${id} is already ${status}\n`);
        return;
      }
      await repository.update(id, { status });
      process.stdout.write(
        status === 'suspended'
          ? `Suspended workspace ${id} "${workspace.name}": its API keys and widget tokens now answer 403\n`
          : `Resumed workspace ${id} "${workspace.name}": its API keys and widget tokens work again\n`,
      );
    });
  };
}

/** `switchboard workspaces create|list|suspend|resume`, on the database directly. */
export function registerWorkspaceCommands(program: Command): void {
  const workspaces = program.command('workspaces').description('Manage workspaces (tenants): create, list, suspend, resume');

  workspaces
    .command('create')
    .description('Create a workspace and its first admin API key; the key is printed once')
    .argument('<name>', 'the workspace name')
    .action(async (name: string) => {
      const { workspaceRequestSchema } = await import('@switchboard/core');
      const parsed = workspaceRequestSchema.safeParse({ name });
      if (!parsed.success) throw new InvalidArgumentError(`The workspace name ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
      const { loadConfig, secretBoxOf, withDatabase, announceGeneratedKey, bootstrapWorkspace, workspacesService } = await store();
      const config = loadConfig();
      const box = secretBoxOf(config);
      await withDatabase(config, async (database) => {
        // The first workspace is always the bootstrap one, whose admin key administers the instance.
        announceGeneratedKey(await bootstrapWorkspace(database.db, box, config.adminApiKey, config.publicUrl));
        const created = await workspacesService(database.db, box).create(parsed.data.name);
        process.stdout.write(
          `Created workspace "${created.name}" (${created.id}) and its admin API key ${created.apiKey.id}:\n\n    ${created.apiKey.key}\n\n` +
            'It is shown only this once and stored only as a keyed hash.\n',
        );
      });
    });

  workspaces
    .command('list')
    .description('List workspaces')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { loadConfig, withDatabase, workspacesRepository } = await store();
      await withDatabase(loadConfig(), async (database) => {
        const records = await workspacesRepository(database.db).list();
        if (options.json) {
          process.stdout.write(JSON.stringify(records, null, 2) + '\n');
          return;
        }
        if (records.length === 0) {
          process.stdout.write('No workspaces yet. Start the server once, or run "switchboard workspaces create <name>".\n');
          return;
        }
        printTable(['ID', 'NAME', 'STATUS', 'CREATED'], records.map((w) => [w.id, w.name, w.status, iso(w.createdAt)]));
      });
    });

  workspaces
    .command('suspend')
    .description("Suspend a workspace: its API keys and widget tokens answer 403 on every node from the next request")
    .argument('<id>', 'the workspace id (ws_…)')
    .action(setWorkspaceStatus('suspended'));

  workspaces
    .command('resume')
    .description('Resume a suspended workspace')
    .argument('<id>', 'the workspace id (ws_…)')
    .action(setWorkspaceStatus('active'));
}
