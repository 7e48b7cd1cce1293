import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_BATCH_SIZE } from '../store/migrate-data-defaults.js';

/** The work, with the storage layer and pg, is loaded only when one of these commands runs. */
const work = () => import('../data-commands.js');

function parseBatchSize(value: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
}

/** `switchboard migrate-data` (SQLite → PostgreSQL) and `switchboard backup` (SQLite). */
export function registerDataCommands(program: Command): void {
  program
    .command('migrate-data')
    .description('Copy the embedded SQLite data into an empty PostgreSQL database, then check it table by table')
    .requiredOption('--to <url>', 'the empty PostgreSQL database: postgres://user:pass@host:5432/db')
    .option('--from <url>', 'the SQLite file: sqlite:/path/file.db (default: DATABASE_URL, else $SWITCHBOARD_DATA_DIR/switchboard.db)')
    .option('--batch-size <rows>', 'rows per INSERT', parseBatchSize, DEFAULT_BATCH_SIZE)
    .action(async (options: { to: string; from?: string; batchSize: number }) => (await work()).runMigrateData(options));

  program
    .command('backup')
    .description('Copy the embedded SQLite database to a file (mode 0600) while the server keeps running')
    .argument('<file>', 'where to write the backup')
    .option('--force', 'replace the file if it exists')
    .action(async (destination: string, options: { force?: boolean }) => (await work()).runBackup(destination, options));
}
