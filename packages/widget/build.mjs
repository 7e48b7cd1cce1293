// Builds the embed loader, the chat widget and its lazily loaded chunks to static IIFE files and
// checks their size budgets.
//
//   node packages/widget/build.mjs      → dist/loader.js, dist/widget.js, dist/chunks/<name>.js, dist/sizes.json
//
// Every src/chunks/<name>.ts becomes dist/chunks/<name>.js: a part of the widget that is loaded only
// on first use (src/widget/chunks.ts), so it does not count against the always-loaded budget but has
// its own cap in budgets.json (`chunkGzipBytes.<name>`; a chunk without one fails the build).
// Exits 1 when a gzip budget from budgets.json is exceeded (the files are still written, so the
// overweight build can be inspected). Files are written atomically (temp file + rename), so a
// server or a test reading dist/ while another build runs never sees a half-written file.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const budgets = JSON.parse(readFileSync(join(here, 'budgets.json'), 'utf8'));

const common = {
  bundle: true,
  format: 'iife',
  target: 'es2019',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
};

/** Chunk names are what the server accepts in /embed/v1/chunks/<name>.js: kept to this pattern. */
const CHUNK_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const chunkDir = join(here, 'src', 'chunks');
const chunkNames = existsSync(chunkDir)
  ? readdirSync(chunkDir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => file.slice(0, -3))
      .sort()
  : [];
for (const chunk of chunkNames) {
  if (!CHUNK_NAME.test(chunk)) throw new Error(`src/chunks/${chunk}.ts: a chunk's name must match ${CHUNK_NAME}`);
}

const entries = [
  { name: 'loader.js', entry: 'src/loader.ts' },
  { name: 'widget.js', entry: 'src/widget/index.ts' },
  ...chunkNames.map((chunk) => ({ name: `chunks/${chunk}.js`, entry: `src/chunks/${chunk}.ts` })),
];

mkdirSync(join(dist, 'chunks'), { recursive: true });
const sizes = {};
for (const { name, entry } of entries) {
  const target = join(dist, name);
  const result = await build({ ...common, entryPoints: [join(here, entry)], outfile: target });
  const file = result.outputFiles.find((output) => output.path === target);
  if (!file) throw new Error(`esbuild produced no ${name}`);
  const bytes = Buffer.from(file.contents);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, target);
  sizes[name] = { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const loaderGzip = sizes['loader.js'].gzipBytes;
const widgetGzip = sizes['widget.js'].gzipBytes;
const totalGzip = loaderGzip + widgetGzip;
const report = {
  'loader.js': sizes['loader.js'],
  'widget.js': sizes['widget.js'],
  total: { bytes: sizes['loader.js'].bytes + sizes['widget.js'].bytes, gzipBytes: totalGzip },
  chunks: Object.fromEntries(chunkNames.map((chunk) => [chunk, sizes[`chunks/${chunk}.js`]])),
  budgets: { loaderGzipBytes: budgets.loaderGzipBytes, widgetGzipBytes: budgets.widgetGzipBytes, chunkGzipBytes: budgets.chunkGzipBytes ?? {} },
};
const sizesFile = join(dist, 'sizes.json');
writeFileSync(`${sizesFile}.${process.pid}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
renameSync(`${sizesFile}.${process.pid}.tmp`, sizesFile);

console.log(`loader.js ${kb(loaderGzip)} gzip (budget ${kb(budgets.loaderGzipBytes)}), ${kb(sizes['loader.js'].bytes)} minified`);
console.log(`widget.js ${kb(widgetGzip)} gzip, ${kb(sizes['widget.js'].bytes)} minified`);
console.log(`whole widget (loader.js + widget.js) ${kb(totalGzip)} gzip (budget ${kb(budgets.widgetGzipBytes)})`);
const chunkCaps = budgets.chunkGzipBytes ?? {};
for (const chunk of chunkNames) {
  const cap = chunkCaps[chunk];
  console.log(`chunks/${chunk}.js ${kb(sizes[`chunks/${chunk}.js`].gzipBytes)} gzip (budget ${cap === undefined ? 'none' : kb(cap)}), loaded on first use`);
}

const failures = [];
if (loaderGzip > budgets.loaderGzipBytes) failures.push(`loader.js is ${loaderGzip} bytes gzip, over its budget of ${budgets.loaderGzipBytes}`);
if (totalGzip > budgets.widgetGzipBytes) failures.push(`the whole widget is ${totalGzip} bytes gzip, over its budget of ${budgets.widgetGzipBytes}`);
for (const chunk of chunkNames) {
  const gzipBytes = sizes[`chunks/${chunk}.js`].gzipBytes;
  const cap = chunkCaps[chunk];
  if (typeof cap !== 'number') failures.push(`chunks/${chunk}.js has no budget: add "${chunk}" to chunkGzipBytes in budgets.json`);
  else if (gzipBytes > cap) failures.push(`chunks/${chunk}.js is ${gzipBytes} bytes gzip, over its budget of ${cap}`);
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
