import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { APIError, ConfigurationError, NetworkError, SwitchboardClient, ValidationError, type FieldIssue } from '@switchboard/sdk';

export const DEFAULT_URL = 'http://localhost:8787';

/** Exit codes of the commands that call the API. */
export const EXIT = { ok: 0, api: 1, usage: 2, unreachable: 3 } as const;

/** A mistake in how a command was called or configured: exit code 2. */
export class UsageError extends Error {}

export interface StoredConfig {
  url: string;
  apiKey: string;
}

/** `$XDG_CONFIG_HOME/switchboard/config.json`, else `~/.config/switchboard/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(base, 'switchboard', 'config.json');
}

export function readStoredConfig(path = configPath()): Partial<StoredConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof parsed.url === 'string' && { url: parsed.url }),
      ...(typeof parsed.apiKey === 'string' && { apiKey: parsed.apiKey }),
    };
  } catch {
    throw new UsageError(`${path} is not valid JSON: run "switchboard login" again`);
  }
}

/** Writes the file readable by its owner only (0600) in a directory only they can enter (0700). */
export function writeStoredConfig(config: StoredConfig, path = configPath()): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the file; false when there was none. */
export function removeStoredConfig(path = configPath()): boolean {
  try {
    readFileSync(path);
  } catch {
    return false;
  }
  rmSync(path, { force: true });
  return true;
}

export interface ApiContext {
  client: SwitchboardClient;
  /** The server root as configured. */
  baseUrl: string;
  apiKey: string;
}

const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** The URL and key from SWITCHBOARD_URL / SWITCHBOARD_API_KEY, else from the config file. */
export function resolveContext(env: NodeJS.ProcessEnv = process.env): ApiContext {
  const envUrl = nonEmpty(env.SWITCHBOARD_URL);
  const envKey = nonEmpty(env.SWITCHBOARD_API_KEY);
  const stored = envUrl && envKey ? {} : readStoredConfig(configPath(env));
  const baseUrl = envUrl ?? nonEmpty(stored.url) ?? DEFAULT_URL;
  const apiKey = envKey ?? nonEmpty(stored.apiKey);
  if (!apiKey) {
    throw new UsageError(
      `no API key: run "switchboard login --url ${baseUrl}" (it asks for the key, or reads it with --api-key-stdin), or set SWITCHBOARD_API_KEY`,
    );
  }
  return { client: new SwitchboardClient({ apiKey, baseUrl }), baseUrl, apiKey };
}

/** The API root (`…/v1`) of a server root. */
export function apiRoot(baseUrl: string): string {
  const root = baseUrl.replace(/\/+$/, '');
  return root.endsWith('/v1') ? root : `${root}/v1`;
}

function printIssues(issues: unknown): void {
  if (!Array.isArray(issues)) return;
  for (const issue of issues as Partial<FieldIssue>[]) {
    if (typeof issue?.message !== 'string') continue;
    process.stderr.write(`  ${issue.field ? `${issue.field}: ` : ''}${issue.message}\n`);
  }
}

/** Prints an error and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigurationError || error instanceof InvalidArgumentError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ValidationError) {
    process.stderr.write(`error: VALIDATION_ERROR: ${error.message}\n`);
    printIssues(error.issues);
    return EXIT.usage;
  }
  if (error instanceof NetworkError) {
    process.stderr.write(`error: cannot reach the server: ${error.message}\n`);
    return EXIT.unreachable;
  }
  if (error instanceof APIError) {
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    printIssues(error.details);
    return EXIT.api;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.api;
}

/** Wraps a command's action so that errors print as `error: …` and set the exit code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/** A command group whose usage errors (unknown option, missing argument) exit with code 2. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : EXIT.usage);
    });
}

export function positiveInt(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

/** A flag's value that must be a JSON object, e.g. `--configuration '{"connectionId":"conn_…"}'`. */
export function parseJsonObject(value: string, flag: string, example: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} must be a JSON object, e.g. '${example}'`);
}

/** Adds --page and --page-size. */
export function withPaging(command: Command): Command {
  return command.option('--page <n>', 'page number, from 1', positiveInt).option('--page-size <n>', 'items per page (default 20)', positiveInt);
}

export interface PagingOptions {
  page?: number;
  pageSize?: number;
}

export const paging = (options: PagingOptions) => ({
  ...(options.page !== undefined && { page: options.page }),
  ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
});

/** GET on the API with the client's envelope rules, for queries the SDK has no parameter for. */
export async function getData<T>(context: ApiContext, path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
  const url = `${apiRoot(context.baseUrl)}${path}${params.size > 0 ? `?${params}` : ''}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${context.apiKey}` }, signal: AbortSignal.timeout(30_000) });
    text = await response.text();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new NetworkError(`GET ${url} failed: ${cause}`, { cause: error });
  }
  return envelopeData<T>(response, text);
}

/** The `data` of a JSON envelope, or the APIError it carries. */
export function envelopeData<T>(response: Response, text: string): T {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (response.ok && body?.success === true) return body.data as T;
  const nested = (typeof body?.error === 'object' && body.error !== null ? body.error : {}) as Record<string, unknown>;
  throw new APIError({
    statusCode: response.status,
    code: typeof nested.code === 'string' ? nested.code : `HTTP_${response.status}`,
    message: typeof nested.message === 'string' ? nested.message : `HTTP ${response.status} ${response.statusText}`.trim(),
    details: nested.details,
  });
}
