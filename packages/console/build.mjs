// Builds the operator console: one ESM entry, a lazily-loaded chunk per page, one CSS file.
//
//   node packages/console/build.mjs   → dist/index.html, dist/preview.html, dist/assets/*, dist/sizes.json
//
// Exits 1 when a gzip budget from budgets.json is exceeded (the files are still written, so the
// overweight build can be inspected). Every file is written atomically (temp file + rename) and
// the hashed assets before index.html, so a server reading dist/ during a build never serves a
// page naming a file that is not there yet.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const assets = join(dist, 'assets');
const budgets = JSON.parse(readFileSync(join(here, 'budgets.json'), 'utf8'));
const BASE = '/console/assets/';

function writeAtomic(target, contents) {
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, target);
}

// Every page is an entry point too, so its lazily-loaded chunk is named after it (OverviewPage-HASH.js).
const pageSources = readdirSync(join(here, 'src/pages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => readdirSync(join(here, 'src/pages', entry.name)).filter((file) => /Page\.tsx$/.test(file)).map((file) => `src/pages/${entry.name}/${file}`));

const result = await build({
  entryPoints: ['src/main.tsx', 'src/preview/preview.ts', ...pageSources],
  bundle: true,
  format: 'esm',
  splitting: true,
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  outdir: assets,
  publicPath: BASE,
  metafile: true,
  absWorkingDir: here,
  write: false,
  logLevel: 'warning',
});

const files = new Map(); // output path relative to assets/ → bytes
for (const file of result.outputFiles) files.set(relative(assets, file.path), Buffer.from(file.contents));
const gzip = (name) => gzipSync(files.get(name), { level: 9 }).length;

const outputName = (path) => relative(assets, join(here, path));
const normalised = new Map();
for (const [path, meta] of Object.entries(result.metafile.outputs)) normalised.set(outputName(path), meta);

/** A chunk and every chunk it imports statically, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const imported of normalised.get(name)?.imports ?? []) {
    if (imported.kind === 'import-statement') closure(outputName(imported.path), seen);
  }
  return seen;
}

const entryFor = (source) => [...normalised.entries()].find(([, meta]) => meta.entryPoint === source)?.[0];
const mainJs = entryFor('src/main.tsx');
const previewJs = entryFor('src/preview/preview.ts');
if (!mainJs || !previewJs) throw new Error('esbuild produced no main or preview entry');
const mainCss = normalised.get(mainJs).cssBundle ? outputName(normalised.get(mainJs).cssBundle) : undefined;

const firstLoad = [...closure(mainJs)];
if (mainCss) firstLoad.push(mainCss);
const firstLoadSet = new Set(firstLoad);

// Lazily-loaded pages: the targets of the entry graph's dynamic imports.
const pages = {};
for (const name of closure(mainJs)) {
  for (const imported of normalised.get(name)?.imports ?? []) {
    if (imported.kind !== 'dynamic-import') continue;
    const chunk = outputName(imported.path);
    const added = [...closure(chunk)].filter((file) => !firstLoadSet.has(file));
    const source = normalised.get(chunk)?.entryPoint;
    const page = source ? basename(source).replace(/\.tsx?$/, '') : chunk;
    pages[page] = { file: chunk, files: added, bytes: added.reduce((n, f) => n + files.get(f).length, 0), gzipBytes: added.reduce((n, f) => n + gzip(f), 0) };
  }
}

for (const [name, bytes] of files) writeAtomic(join(assets, name), bytes);

const template = readFileSync(join(here, 'src/index.html'), 'utf8');
const preloads = firstLoad.filter((f) => f !== mainJs && f.endsWith('.js')).map((f) => `<link rel="modulepreload" href="${BASE}${f}">`).join('\n    ');
const html = template
  .replace('<!--styles-->', `${mainCss ? `<link rel="stylesheet" href="${BASE}${mainCss}">` : ''}${preloads ? `\n    ${preloads}` : ''}`)
  .replace('<!--scripts-->', `<script type="module" src="${BASE}${mainJs}"></script>`);
const previewHtml = readFileSync(join(here, 'src/preview/preview.html'), 'utf8').replace('<!--scripts-->', `<script type="module" src="${BASE}${previewJs}"></script>`);
writeAtomic(join(dist, 'preview.html'), previewHtml);
writeAtomic(join(dist, 'index.html'), html);

// Drop assets of earlier builds (older than this build's, never the ones just written).
const keep = new Set(files.keys());
for (const name of readdirSync(assets)) if (!keep.has(name) && !name.endsWith('.tmp')) rmSync(join(assets, name), { force: true });

const firstLoadGzip = firstLoad.reduce((n, f) => n + gzip(f), 0);
const report = {
  firstLoad: { files: firstLoad, bytes: firstLoad.reduce((n, f) => n + files.get(f).length, 0), gzipBytes: firstLoadGzip },
  pages,
  budgets: { firstLoadGzipBytes: budgets.firstLoadGzipBytes, pageGzipBytes: budgets.pageGzipBytes },
};
writeAtomic(join(dist, 'sizes.json'), `${JSON.stringify(report, null, 2)}\n`);

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log(`first load ${kb(firstLoadGzip)} gzip (budget ${kb(budgets.firstLoadGzipBytes)}), ${firstLoad.length} files`);
for (const [page, size] of Object.entries(pages)) console.log(`page ${page} ${kb(size.gzipBytes)} gzip (budget ${kb(budgets.pageGzipBytes)})`);

const failures = [];
if (firstLoadGzip > budgets.firstLoadGzipBytes) failures.push(`the first load is ${firstLoadGzip} bytes gzip, over its budget of ${budgets.firstLoadGzipBytes}`);
for (const [page, size] of Object.entries(pages)) {
  if (size.gzipBytes > budgets.pageGzipBytes) failures.push(`page ${page} adds ${size.gzipBytes} bytes gzip, over its budget of ${budgets.pageGzipBytes}`);
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
