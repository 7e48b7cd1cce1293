import type { PaginationMeta } from '@switchboard/core';

/** Prints rows under a header, each column as wide as its widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) process.stdout.write(row.map((cell, i) => (cell ?? '').padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
}

/** Prints a value as indented JSON, exactly as given. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}

export const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString());

/** A cell for a value that may be missing. */
export const cell = (value: string | number | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : String(value));

/** Cuts text to one line of at most `max` characters. */
export function oneLine(text: string | null | undefined, max = 60): string {
  if (text === null || text === undefined) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Prints a page as a table, or `empty` when it has no rows, then which page this is when there are more. */
export function printPage<T>(page: { data: T[]; meta: PaginationMeta }, header: string[], row: (item: T) => string[], empty: string): void {
  if (page.data.length === 0) {
    print(page.meta.page > 1 ? `No results on page ${page.meta.page} (${page.meta.totalCount} in all).` : empty);
    return;
  }
  printTable(header, page.data.map(row));
  const pages = Math.max(1, Math.ceil(page.meta.totalCount / page.meta.pageSize));
  if (pages > 1) print(`\nPage ${page.meta.page} of ${pages} (${page.meta.totalCount} in all); see --page and --page-size.`);
}
