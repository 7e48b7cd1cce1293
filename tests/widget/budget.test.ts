import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, ROOT, buildWidget } from './harness.js';

const widgetDir = join(ROOT, 'packages', 'widget');
const budgets = JSON.parse(readFileSync(join(widgetDir, 'budgets.json'), 'utf8')) as {
  loaderGzipBytes: number;
  widgetGzipBytes: number;
  chunkGzipBytes: Record<string, number>;
};
const chunkSources = () => readdirSync(join(widgetDir, 'src', 'chunks')).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3)).sort();

describe('widget size budgets', () => {
  it('builds both files, prints their gzip sizes, and stays within budgets.json', () => {
    const printed = buildWidget();
    expect(printed).toMatch(/loader\.js \d+\.\d\d KB gzip \(budget 2\.00 KB\)/);
    expect(printed).toMatch(/whole widget \(loader\.js \+ widget\.js\) \d+\.\d\d KB gzip \(budget 15\.00 KB\)/);

    const loader = readFileSync(join(widgetDir, 'dist', 'loader.js'));
    const widget = readFileSync(join(widgetDir, 'dist', 'widget.js'));
    const loaderGzip = gzipSync(loader, { level: 9 }).length;
    const totalGzip = loaderGzip + gzipSync(widget, { level: 9 }).length;
    expect(loaderGzip).toBeLessThanOrEqual(budgets.loaderGzipBytes);
    expect(totalGzip).toBeLessThanOrEqual(budgets.widgetGzipBytes);

    const sizes = JSON.parse(readFileSync(join(widgetDir, 'dist', 'sizes.json'), 'utf8'));
    expect(sizes['loader.js'].gzipBytes).toBe(loaderGzip);
    expect(sizes.total.gzipBytes).toBe(totalGzip);
    expect(sizes.budgets).toEqual({ loaderGzipBytes: budgets.loaderGzipBytes, widgetGzipBytes: budgets.widgetGzipBytes, chunkGzipBytes: budgets.chunkGzipBytes });
  });

  it('builds every src/chunks/<name>.ts to dist/chunks/<name>.js, each within its own cap', () => {
    const printed = buildWidget();
    const sizes = JSON.parse(readFileSync(join(widgetDir, 'dist', 'sizes.json'), 'utf8'));
    const names = existsSync(join(widgetDir, 'src', 'chunks')) ? chunkSources() : [];
    expect(Object.keys(sizes.chunks).sort()).toEqual(names);
    for (const name of names) {
      const gzipBytes = gzipSync(readFileSync(join(widgetDir, 'dist', 'chunks', `${name}.js`)), { level: 9 }).length;
      expect(sizes.chunks[name].gzipBytes).toBe(gzipBytes);
      expect(typeof budgets.chunkGzipBytes[name], `${name} needs a cap in budgets.json`).toBe('number');
      expect(gzipBytes).toBeLessThanOrEqual(budgets.chunkGzipBytes[name]!);
      expect(printed).toContain(`chunks/${name}.js `);
    }
  });

  it('the build fails when a chunk is over its cap or has none', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const copy = mkdtempSync(join(ARTIFACTS, 'chunk-budget-'));
    execFileSync('cp', ['-r', join(widgetDir, 'src'), join(widgetDir, 'build.mjs'), join(widgetDir, 'package.json'), copy]);
    mkdirSync(join(copy, 'src', 'chunks'), { recursive: true });
    writeFileSync(join(copy, 'src', 'chunks', 'big.ts'), `(window as unknown as Record<string, unknown>).big = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `entry ${i * 7919}`))};\n`);
    writeFileSync(join(copy, 'src', 'chunks', 'uncapped.ts'), `(window as unknown as Record<string, unknown>).uncapped = 1;\n`);
    writeFileSync(join(copy, 'budgets.json'), JSON.stringify({ ...budgets, chunkGzipBytes: { ...budgets.chunkGzipBytes, big: 300 } }));
    const result = spawnSync(process.execPath, [join(copy, 'build.mjs')], { encoding: 'utf8' });
    const built = existsSync(join(copy, 'dist', 'chunks', 'big.js'));
    rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(built).toBe(true); // written anyway, to be inspected
    expect(result.stderr).toMatch(/size budget exceeded: chunks\/big\.js is \d+ bytes gzip, over its budget of 300/);
    expect(result.stderr).toMatch(/size budget exceeded: chunks\/uncapped\.js has no budget: add "uncapped" to chunkGzipBytes in budgets\.json/);
    expect(result.stderr).not.toMatch(/whole widget/);
  });

  it('the build fails (exit 1) when a budget is exceeded', () => {
    // Build a copy of the package against a budgets.json of a few bytes.
    // (Under the repository, so the copy resolves esbuild from its node_modules.)
    mkdirSync(ARTIFACTS, { recursive: true });
    const copy = mkdtempSync(join(ARTIFACTS, 'budget-check-'));
    execFileSync('cp', ['-r', join(widgetDir, 'src'), join(widgetDir, 'build.mjs'), join(widgetDir, 'package.json'), copy]);
    writeFileSync(join(copy, 'budgets.json'), JSON.stringify({ loaderGzipBytes: 100, widgetGzipBytes: 200 }));
    const result = spawnSync(process.execPath, [join(copy, 'build.mjs')], { encoding: 'utf8' });
    rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/size budget exceeded: loader\.js is \d+ bytes gzip, over its budget of 100/);
    expect(result.stderr).toMatch(/size budget exceeded: the whole widget is \d+ bytes gzip, over its budget of 200/);
  });
});
