import type { Command } from 'commander';
import type { PaginatedResult, PaginationParams } from '@switchboard/sdk';
import { action, paging, resolveContext, withPaging, type ApiContext, type PagingOptions } from './context.js';
import { print, printJson, printPage, printTable } from './output.js';

export const JSON_HELP = "print the API's data as JSON";

/** How a resource prints as a table: one header, one row per item. */
export interface Table<T> {
  header: string[];
  row: (item: T) => string[];
}

interface ListSpec<T, O> {
  description: string;
  table: Table<T>;
  /** What to print when there is nothing to list. */
  empty: (options: O) => string;
  fetch: (context: ApiContext, page: PaginationParams, options: O) => Promise<PaginatedResult<T>>;
  /** Adds the command's own options (filters), between the paging options and --json. */
  options?: (command: Command) => Command;
}

/** `<group> list`: a page as a table, or the API's page as JSON. */
export function listCommand<T, O extends object = object>(group: Command, spec: ListSpec<T, O>): Command {
  const command = withPaging(group.command('list').description(spec.description));
  return (spec.options?.(command) ?? command).option('--json', JSON_HELP).action(
    action(async (options: O & PagingOptions & { json?: boolean }) => {
      const page = await spec.fetch(resolveContext(), paging(options), options);
      if (options.json) return printJson(page);
      printPage(page, spec.table.header, spec.table.row, spec.empty(options));
    }),
  );
}

interface GetSpec<T> {
  description: string;
  /** The argument's help, e.g. 'the agent id'. */
  argument: string;
  table: Table<T>;
  fetch: (context: ApiContext, id: string) => Promise<T>;
  /** Lines printed after the table row, e.g. fields too long for a column. */
  details?: (item: T) => string[];
}

/** `<group> get <id>`: one item as a one-row table (then its details), or as JSON. */
export function getCommand<T>(group: Command, spec: GetSpec<T>): Command {
  return group
    .command('get')
    .description(spec.description)
    .argument('<id>', spec.argument)
    .option('--json', JSON_HELP)
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const item = await spec.fetch(resolveContext(), id);
        if (options.json) return printJson(item);
        printTable(spec.table.header, [spec.table.row(item)]);
        const details = spec.details?.(item) ?? [];
        if (details.length > 0) print('');
        for (const line of details) print(line);
      }),
    );
}

/** `<group> delete <id>`: deletes and says so. */
export function deleteCommand(group: Command, spec: { noun: string; argument: string; remove: (context: ApiContext, id: string) => Promise<unknown> }): Command {
  return group
    .command('delete')
    .description(`Delete a ${spec.noun}`)
    .argument('<id>', spec.argument)
    .action(
      action(async (id: string) => {
        await spec.remove(resolveContext(), id);
        print(`Deleted ${spec.noun} ${id}`);
      }),
    );
}

/** Prints an item as JSON with --json, else the lines `describe` gives. */
export function printItem<T>(item: T, options: { json?: boolean }, describe: (item: T) => string[]): void {
  if (options.json) return printJson(item);
  for (const line of describe(item)) print(line);
}
