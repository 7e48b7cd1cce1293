// Bundles the built CLI (dist/cli.js, from `tsc -b`) and everything it imports into a few ESM
// files, so that a start reads and compiles tens of files instead of about 1,200 modules.
//
//   node packages/server/build-bundle.mjs   → dist/bundle/cli.mjs, dist/bundle/chunks/*.mjs, dist/bundle/meta.json
//
// Code splitting keeps every `await import()` a separate chunk: a feature the process does not use
// (PostgreSQL, SMTP, S3, pino-pretty, the OpenAPI document, ...) is still not loaded. Left outside
// the bundle: better-sqlite3 (a native addon; the checkpointer's worker also requires it by path),
// pg-native (an optional peer of pg that is not installed) and ioredis (loaded only with
// REDIS_URL; it reads its own package.json and names its own directory in error stacks).
// libphonenumber-js and re2js stay outside too: @switchboard/core require()s them on first use
// (packages/core/src/libraries-node.ts), from node_modules like the externals above.
// Files the server reads beside its code (the widget's and the console's dist) are found by
// walking up from the module's directory, which works from dist/bundle as from dist/.
//
// meta.json maps each output file to the modules it holds (paths from the repository root), so
// a test can tell which modules a process loaded from the chunk files it loaded.
// Files are written atomically (temp file + rename) and the entry last; chunks of earlier builds
// are removed only when they are an hour old, so a running server that loads a lazy chunk of its
// own build after a rebuild still finds it.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outdir = join(here, 'dist', 'bundle');
const STALE_MS = 60 * 60 * 1000;

// CommonJS dependencies call require() for Node's built-ins and name their own file: both need to
// exist in an ES module.
const banner = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  "const __dirname = __bundleFileURLToPath(new URL('.', import.meta.url));",
].join(' ');

/** True when Node reads this file as CommonJS: .cjs, or .js under a package.json without "type": "module". */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * A CommonJS package loaded by `await import()` becomes a chunk whose only export is `default`
 * (esbuild cannot list its exports), so `const { build } = await import('pino-pretty')` would get
 * undefined. Such an import is routed through a small ES module that names the package's exports,
 * read by requiring the package here, as Node's own import of it would offer them.
 */
const commonJsNamedExports = {
  name: 'commonjs-named-exports',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      // Dependencies' own dynamic imports are left alone: they were written for bundlers.
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.importer.includes('/node_modules/')) return undefined;
      const resolved = await builder.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir });
      if (resolved.errors.length > 0 || resolved.external || !isCommonJs(resolved.path)) return undefined;
      const names = Object.keys(createRequire(resolved.path)(resolved.path)).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
      return { path: args.path, namespace: 'commonjs-named-exports', pluginData: { resolveDir: args.resolveDir, names } };
    });
    builder.onLoad({ filter: /.*/, namespace: 'commonjs-named-exports' }, (args) => ({
      resolveDir: args.pluginData.resolveDir,
      contents: [
        `import required from ${JSON.stringify(args.path)};`,
        'export default required;',
        ...(args.pluginData.names.length > 0 ? [`export const { ${args.pluginData.names.join(', ')} } = required;`] : []),
      ].join('\n'),
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: join(here, 'dist', 'cli.js') },
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native', 'ioredis'],
  banner: { js: banner },
  // Less source to read and keep: V8 holds every loaded file's text (the bundle's several MiB).
  // Names are kept, so stack traces and function names read as in the source.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  plugins: [commonJsNamedExports],
  metafile: true,
  write: false,
  logLevel: 'warning',
});

/** Writes a file by rename, unless it already holds these bytes (a chunk's name is its hash). */
function writeAtomically(path, contents) {
  try {
    if (Buffer.compare(readFileSync(path), contents) === 0) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
}

const entry = join(outdir, 'cli.mjs');
const meta = {};
for (const [output, { inputs }] of Object.entries(result.metafile.outputs)) {
  meta[relative(outdir, join(root, output))] = Object.keys(inputs);
}
const written = new Set([join(outdir, 'meta.json')]);
for (const file of result.outputFiles) {
  written.add(file.path);
  if (file.path !== entry) writeAtomically(file.path, Buffer.from(file.contents));
}
writeAtomically(join(outdir, 'meta.json'), Buffer.from(`${JSON.stringify(meta, null, 1)}\n`));
writeAtomically(entry, Buffer.from(result.outputFiles.find((file) => file.path === entry).contents));

const chunkDir = join(outdir, 'chunks');
for (const name of readdirSync(chunkDir)) {
  const path = join(chunkDir, name);
  if (!written.has(path) && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
}
