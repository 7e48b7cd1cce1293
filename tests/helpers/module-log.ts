/**
 * Records every module a child node process loads, for the tests that check what the CLI and the
 * server load: an ESM loader hook appends each URL to the file named by LOADED_LOG, and with
 * `requireCache` the CommonJS modules in require's cache are appended when the process exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Writes the hook into `dir`; returns the module to pass to `node --import`. */
export function writeModuleRecorder(dir: string, options: { requireCache?: boolean } = {}): string {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  const register = join(dir, 'register.mjs');
  const lines = [`import { register, createRequire } from 'node:module';`, `register(${JSON.stringify(pathToFileURL(hooks).href)});`];
  if (options.requireCache) {
    lines.push(
      `import { appendFileSync } from 'node:fs';`,
      `import { pathToFileURL } from 'node:url';`,
      `const cache = createRequire(import.meta.url).cache;`,
      `process.on('exit', () => appendFileSync(process.env.LOADED_LOG, Object.keys(cache).map((file) => pathToFileURL(file).href + '\\n').join('')));`,
    );
  }
  writeFileSync(register, lines.join('\n') + '\n');
  return register;
}

/** The URLs in `log`; each loaded file of a bundle (a `.mjs` CLI) followed by the modules its meta.json says it holds. */
export function loadedModules(cli: string, log: string): string[] {
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  if (!cli.endsWith('.mjs')) return urls;
  const bundleDir = dirname(cli);
  const meta = JSON.parse(readFileSync(join(bundleDir, 'meta.json'), 'utf8')) as Record<string, string[]>;
  const root = join(bundleDir, '..', '..', '..', '..');
  return urls.flatMap((url) => {
    if (!url.startsWith('file:')) return [url];
    const inputs = meta[relative(bundleDir, fileURLToPath(url))] ?? [];
    return [url, ...inputs.map((input) => pathToFileURL(join(root, input)).href)];
  });
}
