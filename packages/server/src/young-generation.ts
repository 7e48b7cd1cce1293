/** Below this many MiB per semi-space, PostgreSQL's throughput suffers (docs/operations.md, "Node's young generation"). */
const POSTGRES_MIN_SEMI_SPACE_MIB = 8;

/** Node's flags in the order it applies them: `NODE_OPTIONS` first, then the command line's, which win. */
export function nodeFlags(): string[] {
  return [...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean), ...process.execArgv];
}

/** The `--max-semi-space-size` Node was started with (the last one given wins, as in V8), or undefined. */
export function maxSemiSpaceMiB(execArgv: readonly string[]): number | undefined {
  let size: number | undefined;
  for (const argument of execArgv) {
    const match = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(argument);
    if (match) size = Number(match[1]);
  }
  return size;
}

/**
 * The warning a PostgreSQL node started with small semi-spaces (`--max-semi-space-size` below 8,
 * e.g. to save idle memory on a small host) should log, or undefined when there is nothing to say.
 */
export function postgresYoungGenerationWarning(execArgv: readonly string[]): string | undefined {
  const size = maxSemiSpaceMiB(execArgv);
  if (size === undefined || size >= POSTGRES_MIN_SEMI_SPACE_MIB) return undefined;
  return (
    `DATABASE_URL is PostgreSQL but Node runs with --max-semi-space-size=${size}, which makes each API request take about a third more CPU: ` +
    'start it with node --max-semi-space-size=16 …/cli.mjs start, as the container image does (docs/operations.md, "Node\'s young generation")'
  );
}
