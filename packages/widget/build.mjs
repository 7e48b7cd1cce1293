// Builds the embed loader and the chat widget to two static IIFE files and checks their size budgets.
//
//   node packages/widget/build.mjs      → dist/loader.js, dist/widget.js, dist/sizes.json
//
// Exits 1 when a gzip budget from budgets.json is exceeded (the files are still written, so the
// overweight build can be inspected). Files are written atomically (temp file + rename), so a
// server or a test reading dist/ while another build runs never sees a half-written file.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

const entries = [
  { name: 'loader.js', entry: 'src/loader.ts' },
  { name: 'widget.js', entry: 'src/widget/index.ts' },
];

mkdirSync(dist, { recursive: true });
const sizes = {};
for (const { name, entry } of entries) {
  const result = await build({ ...common, entryPoints: [join(here, entry)], outfile: join(dist, name) });
  const file = result.outputFiles.find((output) => output.path.endsWith(name));
  if (!file) throw new Error(`esbuild produced no ${name}`);
  const bytes = Buffer.from(file.contents);
  const target = join(dist, name);
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
  budgets: { loaderGzipBytes: budgets.loaderGzipBytes, widgetGzipBytes: budgets.widgetGzipBytes },
};
const sizesFile = join(dist, 'sizes.json');
writeFileSync(`${sizesFile}.${process.pid}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
renameSync(`${sizesFile}.${process.pid}.tmp`, sizesFile);

console.log(`loader.js ${kb(loaderGzip)} gzip (budget ${kb(budgets.loaderGzipBytes)}), ${kb(sizes['loader.js'].bytes)} minified`);
console.log(`widget.js ${kb(widgetGzip)} gzip, ${kb(sizes['widget.js'].bytes)} minified`);
console.log(`whole widget (loader.js + widget.js) ${kb(totalGzip)} gzip (budget ${kb(budgets.widgetGzipBytes)})`);

const failures = [];
if (loaderGzip > budgets.loaderGzipBytes) failures.push(`loader.js is ${loaderGzip} bytes gzip, over its budget of ${budgets.loaderGzipBytes}`);
if (totalGzip > budgets.widgetGzipBytes) failures.push(`the whole widget is ${totalGzip} bytes gzip, over its budget of ${budgets.widgetGzipBytes}`);
if (failures.length > 0) {
  for (const failure of failures) console.error(`size budget exceeded: ${failure}`);
  process.exit(1);
}
