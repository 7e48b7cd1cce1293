import { InvalidArgumentError, Option, type Command } from 'commander';
import { iso, printTable } from './output.js';

const store = () => import('./local-store.js');

const MEMBER_ROLE_NAMES = ['owner', 'admin', 'agent'] as const;
type MemberRoleName = (typeof MEMBER_ROLE_NAMES)[number];

function parseMemberRole(value: string): MemberRoleName {
  if (!(MEMBER_ROLE_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${MEMBER_ROLE_NAMES.join(', ')}`);
  return value as MemberRoleName;
}

/** `switchboard members invite|list|remove`, on the database directly. */
export function registerMemberCommands(program: Command): void {
  const members = program.command('members').description('Manage the people who sign in to the console');

  members
    .command('invite')
    .description('Invite a member; the invitation link is printed once')
    .requiredOption('-e, --email <email>', 'their email address')
    .addOption(new Option('-r, --role <role>', 'owner, admin or agent').argParser(parseMemberRole).makeOptionMandatory())
    .option('-n, --name <name>', 'their name (default: the part of the email before @)')
    .option('-w, --workspace <id>', 'workspace id (default: the first workspace)')
    .action(async (options: { email: string; role: MemberRoleName; name?: string; workspace?: string }) => {
      const { emailSchema } = await import('@switchboard/core');
      const email = emailSchema.safeParse(options.email);
      if (!email.success) throw new InvalidArgumentError(`--email ${email.error.issues[0]?.message ?? 'is not valid'}`);
      const { loadConfig, secretBoxOf, withDatabase, resolveWorkspaceId, membersOf } = await store();
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
      const { loadConfig, secretBoxOf, withDatabase, resolveWorkspaceId, membersOf, memberView } = await store();
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
      const { loadConfig, withDatabase, membersRepository, membersOf } = await store();
      const config = loadConfig();
      await withDatabase(config, async (database) => {
        const member = await membersRepository(database.db).findById(id);
        if (!member) throw new InvalidArgumentError(`No member with id ${id}`);
        await membersOf(config, database.db).remove(member.workspaceId, id);
        process.stdout.write(`Removed member ${id} (${member.email || member.name}) from workspace ${member.workspaceId}\n`);
      });
    });
}
