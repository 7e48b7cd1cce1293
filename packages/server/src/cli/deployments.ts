import type { Command } from 'commander';
import type { WebDeployment } from '@switchboard/sdk';
import { action, commandGroup, resolveContext, UsageError } from './context.js';
import { cell, iso, print, printJson } from './output.js';
import { JSON_HELP, listCommand, type Table } from './resource.js';

const TABLE: Table<WebDeployment> = {
  header: ['ID', 'NAME', 'CHANNEL', 'TOKEN', 'ORIGINS', 'LAST USED', 'STATUS'],
  row: (d) => [
    d.id,
    cell(d.name),
    d.deploymentChannelId,
    `${d.tokenPrefix}…`,
    d.allowedOrigins.join(','),
    iso(d.lastUsedAt),
    d.revokedAt === null ? 'active' : `revoked ${iso(d.revokedAt)}`,
  ],
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerDeploymentCommands(program: Command): void {
  const deployments = commandGroup(program, 'deployments', "Web deployments: an agent as an embeddable widget, with its cdp_ token and allowed origins");

  deployments
    .command('create')
    .description('Deploy an agent as a web widget; its token and embed snippet are printed once')
    .requiredOption('--agent <id>', 'the agent to deploy')
    .requiredOption('--origin <origin...>', 'a browser origin allowed to use the widget, exactly scheme://host[:port] (repeatable)', collect)
    .option('--name <name>', 'a name for the deployment')
    .option('--channel <id>', 'an existing web channel to deploy on (default: one created from the first origin)')
    .option('--json', `${JSON_HELP} (it holds the token)`)
    .action(
      action(async (options: { agent: string; origin: string[]; name?: string; channel?: string; json?: boolean }) => {
        const deployment = await resolveContext().client.deployments.create(options.agent, {
          allowedOrigins: options.origin,
          ...(options.name !== undefined && { name: options.name }),
          ...(options.channel !== undefined && { deploymentChannelId: options.channel }),
        });
        if (options.json) return printJson(deployment);
        print(`Created web deployment ${deployment.id} of agent ${deployment.agentId} on channel ${deployment.deploymentChannelId}.`);
        print(`Allowed origins: ${deployment.allowedOrigins.join(', ')}`);
        print('');
        print('Its token, shown only this once (later reads show only its prefix; "rotate" issues a new one):');
        print('');
        print(`    ${deployment.token}`);
        print('');
        print('Embed snippet (it carries the token):');
        print('');
        print(deployment.embedSnippet);
      }),
    );

  deployments
    .command('identity-secret <id>')
    .description("Show whether a web deployment verifies identify's userHash; --issue prints a new secret once (replacing the old), --remove stops verifying")
    .requiredOption('--agent <id>', 'the agent the deployment belongs to')
    .option('--issue', 'issue a new identity secret (rotates: hashes made with the old one are refused at once)')
    .option('--remove', 'remove the identity secret: identify then links no user id')
    .option('--json', `${JSON_HELP} (with --issue it holds the secret)`)
    .action(
      action(async (id: string, options: { agent: string; issue?: boolean; remove?: boolean; json?: boolean }) => {
        const { client } = resolveContext();
        if (options.issue && options.remove) throw new UsageError('give --issue or --remove, not both');
        if (options.issue) {
          const issued = await client.deployments.issueIdentitySecret(options.agent, id);
          if (options.json) return printJson(issued);
          print(`Issued an identity secret for web deployment ${id} (fingerprint ${issued.fingerprint}).`);
          print('Shown only this once; keep it on your server. The page gives identify a userHash: hex HMAC-SHA256 of the user id under it.');
          print('');
          print(`    ${issued.identitySecret}`);
          return;
        }
        const status = options.remove ? await client.deployments.removeIdentitySecret(options.agent, id) : await client.deployments.identitySecret(options.agent, id);
        if (options.json) return printJson(status);
        print(
          status.enabled
            ? `Web deployment ${id} verifies identities: secret issued ${iso(status.createdAt)}, fingerprint ${status.fingerprint}.`
            : `Web deployment ${id} has no identity secret: identify stores name, email and attributes but links no user id.`,
        );
      }),
    );

  listCommand<WebDeployment, { agent: string }>(deployments, {
    description: "List an agent's web deployments (tokens are never shown)",
    options: (command) => command.requiredOption('--agent <id>', 'the agent'),
    table: TABLE,
    empty: ({ agent }) => `Agent ${agent} has no web deployments yet. Create one with "switchboard deployments create --agent ${agent} --origin https://example.com".`,
    fetch: ({ client }, page, options) => client.deployments.list(options.agent, page),
  });
}
