import type { Command } from 'commander';
import type { Agent } from '@switchboard/sdk';
import { action, commandGroup, resolveContext } from './context.js';
import { iso, oneLine, print, printJson } from './output.js';
import { JSON_HELP, getCommand, listCommand, type Table } from './resource.js';

const TABLE: Table<Agent> = {
  header: ['ID', 'NAME', 'BACKEND', 'CREATED'],
  row: (a) => [a.id, a.name, a.backend.type, iso(a.createdAt)],
};

export function registerAgentCommands(program: Command): void {
  const agents = commandGroup(program, 'agents', 'Agents: what answers the conversations');

  listCommand(agents, {
    description: 'List agents',
    table: TABLE,
    empty: () => 'No agents yet. Create one with "switchboard agents create --name <name>".',
    fetch: ({ client }, page) => client.agents.list(page),
  });

  getCommand(agents, {
    description: 'Show one agent (secrets masked)',
    argument: 'the agent id',
    table: TABLE,
    fetch: ({ client }, id) => client.agents.get(id),
    details: (agent) => [
      `Introduction: ${oneLine(agent.introductionMessage, 200)}`,
      `Instructions: ${agent.instructions === '' ? '-' : oneLine(agent.instructions, 200)}`,
    ],
  });

  agents
    .command('create')
    .description('Create an agent (the echo backend unless configured otherwise later)')
    .requiredOption('--name <name>', 'its name')
    .option('--instructions <text>', 'the system prompt of LLM backends')
    .option('--introduction <text>', 'the greeting a new conversation opens with')
    .option('--json', JSON_HELP)
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
