import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { CheckResult } from '../doctor/checks.js';

const line = (check: CheckResult) => `${check.status.padEnd(4)}  ${check.name.padEnd(12)}  ${check.reason}\n`;

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check what "switchboard start" depends on: configuration, database and migrations, master key, Redis, PUBLIC_URL, each connection. Exits 1 when a check fails')
    .option('-d, --data-dir <dir>', 'the data directory (SWITCHBOARD_DATA_DIR; default ./data)')
    .action(async (options: { dataDir?: string }) => {
      const env = { ...process.env, ...(options.dataDir !== undefined && { SWITCHBOARD_DATA_DIR: options.dataDir }) };
      let failed = false;
      const report = (check: CheckResult) => {
        if (check.status === 'fail') failed = true;
        process.stdout.write(line(check));
      };
      let config: ReturnType<typeof loadConfig> | undefined;
      try {
        config = loadConfig(env);
        report({ status: 'ok', name: 'config', reason: 'the environment is valid' });
      } catch (error) {
        report({ status: 'fail', name: 'config', reason: error instanceof Error ? error.message : String(error) });
      }
      if (config) await (await import('../doctor/checks.js')).runChecks(config, env, report);
      process.stdout.write(failed ? '\nSome checks failed.\n' : '\nNo check failed.\n');
      process.exitCode = failed ? 1 : 0;
    });
}
