import type { Command } from 'commander';
import type { Agent } from '@switchboard/sdk';
import { action, commandGroup, paging, resolveContext, withPaging, type PagingOptions } from './context.js';
import { iso, oneLine, print, printJson, printPage, printTable } from './output.js';

const HEADER = ['ID', 'NAME', 'BACKEND', 'CREATED'];
const row = (a: Agent) => [a.id, a.name, a.backend.type, iso(a.createdAt)];

export function registerAgentCommands(program: Command): void {
  const agents = commandGroup(program, 'agents', 'Agents: what answers the conversations');

  withPaging(agents.command('list').description('List agents'))
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (options: PagingOptions & { json?: boolean }) => {
        const page = await resolveContext().client.agents.list(paging(options));
        if (options.json) return printJson(page);
        printPage(page, HEADER, row, 'No agents yet. Create one with "switchboard agents create --name <name>".');
      }),
    );

  agents
    .command('get')
    .description('Show one agent (secrets masked)')
    .argument('<id>', 'the agent id')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const agent = await resolveContext().client.agents.get(id);
        if (options.json) return printJson(agent);
        printTable(HEADER, [row(agent)]);
        print(`\nIntroduction: ${oneLine(agent.introductionMessage, 200)}`);
        print(`Instructions: ${agent.instructions === '' ? '-' : oneLine(agent.instructions, 200)}`);
      }),
    );

  agents
    .command('create')
    .description('Create an agent (the echo backend unless configured otherwise later)')
    .requiredOption('--name <name>', 'its name')
    .option('--instructions <text>', 'the system prompt of LLM backends')
    .option('--introduction <text>', 'the greeting a new conversation opens with')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (options: { name: string; instructions?: string; introduction?: string; json?: boolean }) => {
        const agent = await resolveContext().client.agents.create({
          name: options.name,
          ...(options.instructions !== undefined && { instructions: options.instructions }),
          ...(options.introduction !== undefined && { introductionMessage: options.introduction }),
        });
        if (options.json) return printJson(agent);
        print(`Created agent ${agent.id} "${agent.name}" (${agent.backend.type} backend)`);
      }),
    );
}
