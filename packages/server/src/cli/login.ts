import type { Command } from 'commander';
import { SwitchboardClient } from '@switchboard/sdk';
import { UsageError, action, commandGroup, configPath, removeStoredConfig, writeStoredConfig } from './context.js';
import { print } from './output.js';
import { readSecretInput } from './input.js';

export function registerLoginCommands(program: Command): void {
  commandGroup(program, 'login', 'Store the server URL and an API key for the commands that call the API')
    .requiredOption('--url <base>', 'the server root, e.g. https://switchboard.example.com')
    .option('--api-key-stdin', 'read the API key from standard input instead of asking for it')
    .option('--no-verify', 'store the key without checking it against the server')
    .action(
      action(async (options: { url: string; apiKeyStdin?: boolean; verify: boolean }) => {
        const input = await readSecretInput({ fromStdin: options.apiKeyStdin === true, flag: '--api-key-stdin', prompt: 'API key: ' });
        const apiKey = input.trim();
        if (apiKey === '') throw new UsageError('no API key given');
        if (/\s/.test(apiKey)) throw new UsageError('the API key must be a single line without spaces');
        const url = options.url.trim().replace(/\/+$/, '');
        const client = new SwitchboardClient({ apiKey, baseUrl: url });
        if (options.verify) await client.agents.list({ pageSize: 1 });
        const path = configPath();
        writeStoredConfig({ url, apiKey }, path);
        print(`Logged in to ${url}${options.verify ? ' (the key works)' : ''}. Saved to ${path}`);
      }),
    );

  commandGroup(program, 'logout', 'Remove the stored server URL and API key')
    .action(
      action(() => {
        const path = configPath();
        print(removeStoredConfig(path) ? `Logged out: removed ${path}` : `Not logged in (no ${path})`);
      }),
    );
}
