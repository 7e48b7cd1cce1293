import type { Command } from 'commander';
import type { WebDeployment } from '@switchboard/sdk';
import { action, commandGroup, resolveContext } from './context.js';
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

  listCommand<WebDeployment, { agent: string }>(deployments, {
    description: "List an agent's web deployments (tokens are never shown)",
    options: (command) => command.requiredOption('--agent <id>', 'the agent'),
    table: TABLE,
    empty: ({ agent }) => `Agent ${agent} has no web deployments yet. Create one with "switchboard deployments create --agent ${agent} --origin https://example.com".`,
    fetch: ({ client }, page, options) => client.deployments.list(options.agent, page),
  });
}
