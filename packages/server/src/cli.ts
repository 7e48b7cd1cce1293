#!/usr/bin/env node
/**
 * The `switchboard` command. Registering the commands loads only commander and the command
 * modules: each command loads what it needs when it runs (the API commands the SDK, `start` the
 * server, the database commands the storage layer), so `--help` and the API commands stay quick.
 */
import { Command } from 'commander';
import { VERSION } from './version.js';
import { registerStartCommand } from './cli/start.js';
import { registerKeyCommands } from './cli/keys.js';
import { registerWorkspaceCommands } from './cli/workspaces.js';
import { registerMemberCommands } from './cli/members.js';
import { registerDataCommands } from './cli/data.js';
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

const program = new Command('switchboard').description('Switchboard: put AI agents on real channels').version(VERSION);

registerStartCommand(program);
registerKeyCommands(program);
registerWorkspaceCommands(program);
registerMemberCommands(program);
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
