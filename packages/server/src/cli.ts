#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { API_KEY_SCOPES, emailSchema, workspaceRequestSchema, type ApiKeyScope, type WorkspaceStatus } from '@switchboard/core';
import { loadConfig, type Config } from './config.js';
import { openDatabase } from './store/database.js';
import { apiKeysRepository, workspacesRepository, type ApiKeyRecord } from './store/repositories/index.js';
import { bootstrapWorkspace, type BootstrapResult } from './workspaces/bootstrap.js';
import { firstStartText } from './workspaces/first-start-secrets.js';
import { issueApiKey } from './workspaces/api-keys.js';
import { workspacesService } from './workspaces/workspaces-service.js';
import { SecretBox, loadMasterKey } from './secrets/secret-box.js';
import { VERSION } from './version.js';
import { registerDataCommands } from './data-commands.js';
import { membersService } from './members/members-service.js';
import { memoryFailureCounter } from './members/throttle.js';
import { memberView, membersRepository } from './store/repositories/members.js';
import { printTable } from './cli/output.js';
import { registerStartCommand } from './cli/start.js';
import { registerLoginCommands } from './cli/login.js';
import { registerChannelCommands } from './cli/channels.js';
import { registerAgentCommands } from './cli/agents.js';
import { registerDeploymentCommands } from './cli/deployments.js';
import { registerConversationCommands } from './cli/conversations.js';
import { registerDeliveryCommands } from './cli/deliveries.js';
import { registerPhoneNumberCommands } from './cli/phone-numbers.js';
import { registerConnectionCommands } from './cli/connections.js';
import { registerSecretCommands } from './cli/secrets.js';
import { registerWebhookCommands } from './cli/webhooks.js';
import { registerDoctorCommand } from './cli/doctor.js';
import { registerCompletionCommand } from './cli/completion.js';

function announceGeneratedKey(bootstrap: BootstrapResult): void {
  const text = firstStartText(bootstrap);
  if (text !== undefined) process.stdout.write(text);
}

async function withDatabase<T>(config: Config, work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** The box of the master key the server uses (same SWITCHBOARD_SECRET_KEY or key file): keys are stored by a hash under it. */
const secretBoxOf = (config: Config) => new SecretBox(loadMasterKey(config).key);

async function resolveWorkspaceId(config: Config, database: Awaited<ReturnType<typeof openDatabase>>, box: SecretBox, requested?: string) {
  const bootstrap = await bootstrapWorkspace(database.db, box, config.adminApiKey, config.publicUrl);
  announceGeneratedKey(bootstrap);
  if (!requested) return bootstrap.workspace.id;
  const workspace = await workspacesRepository(database.db).get(requested);
  if (!workspace) throw new InvalidArgumentError(`Workspace ${requested} does not exist`);
  return workspace.id;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** A chosen key (SWITCHBOARD_API_KEY) has no prefix: no part of it is stored. */
const shownKey = (record: Pick<ApiKeyRecord, 'prefix'>) => (record.prefix ? `${record.prefix}…` : '(chosen)');

function parseScope(value: string): ApiKeyScope {
  if (!(API_KEY_SCOPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${API_KEY_SCOPES.join(', ')}`);
  return value as ApiKeyScope;
}

const program = new Command('switchboard').description('Switchboard: put AI agents on real channels').version(VERSION);

registerStartCommand(program);

const keys = program.command('keys').description('Manage workspace API keys');

keys
  .command('create')
  .description('Create an API key; it is printed once')
  .option('-n, --name <name>', 'a label for the key', 'api key')
  .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
  .addOption(new Option('-s, --scope <scope>', 'admin: every method; read: GET only').argParser(parseScope).default('admin'))
  .option('--instance-admin', 'the key may also manage every workspace (/v1/workspaces)')
  .action(async (options: { name: string; workspace?: string; scope: ApiKeyScope; instanceAdmin?: boolean }) => {
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
      process.stdout.write(`Revoked API key ${id} (${shownKey(record)})\n`);
    });
  });

const workspaces = program.command('workspaces').description('Manage workspaces (tenants): create, list, suspend, resume');

workspaces
  .command('create')
  .description('Create a workspace and its first admin API key; the key is printed once')
  .argument('<name>', 'the workspace name')
  .action(async (name: string) => {
    const parsed = workspaceRequestSchema.safeParse({ name });
    if (!parsed.success) throw new InvalidArgumentError(`The workspace name ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
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
    const config = loadConfig();
    await withDatabase(config, async (database) => {
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

function setWorkspaceStatus(status: WorkspaceStatus) {
  return async (id: string) => {
    const config = loadConfig();
    await withDatabase(config, async (database) => {
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

const MEMBER_ROLE_NAMES = ['owner', 'admin', 'agent'] as const;
type MemberRoleName = (typeof MEMBER_ROLE_NAMES)[number];

function parseMemberRole(value: string): MemberRoleName {
  if (!(MEMBER_ROLE_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${MEMBER_ROLE_NAMES.join(', ')}`);
  return value as MemberRoleName;
}

/** The members service as the server builds it; the CLI never signs anyone in, so its throttle is local. */
const membersOf = (config: Config, db: Awaited<ReturnType<typeof openDatabase>>['db']) =>
  membersService(db, {
    publicUrl: config.publicUrl,
    throttle: { perAccount: memoryFailureCounter(1, 1), perAddress: memoryFailureCounter(1, 1) },
  });

const members = program.command('members').description('Manage the people who sign in to the console');

members
  .command('invite')
  .description('Invite a member; the invitation link is printed once')
  .requiredOption('-e, --email <email>', 'their email address')
  .addOption(new Option('-r, --role <role>', 'owner, admin or agent').argParser(parseMemberRole).makeOptionMandatory())
  .option('-n, --name <name>', 'their name (default: the part of the email before @)')
  .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
  .action(async (options: { email: string; role: MemberRoleName; name?: string; workspace?: string }) => {
    const email = emailSchema.safeParse(options.email);
    if (!email.success) throw new InvalidArgumentError(`--email ${email.error.issues[0]?.message ?? 'is not valid'}`);
    const config = loadConfig();
    const box = secretBoxOf(config);
    await withDatabase(config, async (database) => {
      const workspaceId = await resolveWorkspaceId(config, database, box, options.workspace);
      const { member, invitation } = await membersOf(config, database.db).invite(workspaceId, { email: email.data, role: options.role, name: options.name });
      process.stdout.write(
        `Invited ${member.email} (${member.id}) as ${member.role} to workspace ${workspaceId}. Their invitation link, valid until ${iso(invitation.expiresAt)}:\n\n` +
          `    ${invitation.url}\n\nIt is shown only this once and stored only as a hash.\n`,
      );
    });
  });

members
  .command('list')
  .description('List members (never their passwords)')
  .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
  .option('--json', 'print JSON')
  .action(async (options: { workspace?: string; json?: boolean }) => {
    const config = loadConfig();
    const box = secretBoxOf(config);
    await withDatabase(config, async (database) => {
      const workspaceId = await resolveWorkspaceId(config, database, box, options.workspace);
      const records = (await membersOf(config, database.db).all(workspaceId)).map(memberView);
      if (options.json) {
        process.stdout.write(JSON.stringify(records, null, 2) + '\n');
        return;
      }
      if (records.length === 0) {
        process.stdout.write('No members yet. Run "switchboard members invite --email <email> --role owner".\n');
        return;
      }
      printTable(
        ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'LAST SIGN-IN'],
        records.map((m) => [m.id, m.email || '(set on acceptance)', m.name, m.role, m.status, iso(m.createdAt), iso(m.lastSignInAt)]),
      );
    });
  });

members
  .command('remove')
  .description("Remove a member; its sessions end on every node at once")
  .argument('<id>', 'the member id (mem_…) as shown by "members list"')
  .action(async (id: string) => {
    const config = loadConfig();
    await withDatabase(config, async (database) => {
      const member = await membersRepository(database.db).findById(id);
      if (!member) throw new InvalidArgumentError(`No member with id ${id}`);
      await membersOf(config, database.db).remove(member.workspaceId, id);
      process.stdout.write(`Removed member ${id} (${member.email || member.name}) from workspace ${member.workspaceId}\n`);
    });
  });

registerDataCommands(program);
registerLoginCommands(program);
registerChannelCommands(program);
registerAgentCommands(program);
registerDeploymentCommands(program);
registerConversationCommands(program);
registerDeliveryCommands(program);
registerPhoneNumberCommands(program);
registerConnectionCommands(program);
registerSecretCommands(program);
registerWebhookCommands(program);
registerDoctorCommand(program);
registerCompletionCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
