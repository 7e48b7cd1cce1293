import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, CONSOLE_DIR, CONSOLE_DIST, buildConsole } from './harness.js';

const budgets = JSON.parse(readFileSync(join(CONSOLE_DIR, 'budgets.json'), 'utf8')) as { firstLoadGzipBytes: number; pageGzipBytes: number };

interface Sizes {
  firstLoad: { files: string[]; bytes: number; gzipBytes: number };
  pages: Record<string, { file: string; files: string[]; bytes: number; gzipBytes: number }>;
  budgets: typeof budgets;
}

const gzipOf = (file: string) => gzipSync(readFileSync(join(CONSOLE_DIST, 'assets', file)), { level: 9 }).length;

describe('console size budgets', () => {
  it('builds, lists the first load and every page in sizes.json, and stays within budgets.json', () => {
    const printed = buildConsole();
    expect(printed).toMatch(/first load \d+\.\d\d KB gzip \(budget 60\.00 KB\)/);
    const sizes = JSON.parse(readFileSync(join(CONSOLE_DIST, 'sizes.json'), 'utf8')) as Sizes;
    expect(sizes.budgets).toEqual({ firstLoadGzipBytes: budgets.firstLoadGzipBytes, pageGzipBytes: budgets.pageGzipBytes });

    // The first load is what index.html names (entry script, CSS, preloaded chunks), measured again here.
    const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    const named = [...html.matchAll(/\/console\/assets\/([\w.-]+)/g)].map((match) => match[1]!);
    expect(new Set(named)).toEqual(new Set(sizes.firstLoad.files));
    expect(named.some((file) => file.endsWith('.css'))).toBe(true);
    const firstLoad = named.reduce((total, file) => total + gzipOf(file), 0);
    expect(sizes.firstLoad.gzipBytes).toBe(firstLoad);
    expect(firstLoad).toBeLessThanOrEqual(budgets.firstLoadGzipBytes);

    for (const page of ['SignInPage', 'InvitePage', 'ProfilePage', 'OverviewPage', 'ChannelsPage', 'AgentsPage', 'DeployPage', 'ConnectionsPage', 'DeliveriesPage', 'WebhooksPage', 'TeamsPage', 'WorkflowsPage', 'ApiKeysPage', 'MembersPage', 'InboxPage']) {
      const size = sizes.pages[page];
      expect(size, page).toBeDefined();
      expect(size!.files[0]).toBe(size!.file);
      expect(size!.files.some((file) => sizes.firstLoad.files.includes(file))).toBe(false);
      expect(size!.gzipBytes).toBe(size!.files.reduce((total, file) => total + gzipOf(file), 0));
      expect(size!.gzipBytes, page).toBeLessThanOrEqual(budgets.pageGzipBytes);
    }
  });

  it('the build fails (exit 1) when a budget is exceeded', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const copy = mkdtempSync(join(ARTIFACTS, 'budget-check-'));
    execFileSync('cp', ['-r', join(CONSOLE_DIR, 'src'), join(CONSOLE_DIR, 'build.mjs'), join(CONSOLE_DIR, 'package.json'), copy]);
    writeFileSync(join(copy, 'budgets.json'), JSON.stringify({ firstLoadGzipBytes: 1000, pageGzipBytes: 100 }));
    const result = spawnSync(process.execPath, [join(copy, 'build.mjs')], { encoding: 'utf8' });
    rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/size budget exceeded: the first load is \d+ bytes gzip, over its budget of 1000/);
    expect(result.stderr).toMatch(/size budget exceeded: page OverviewPage adds \d+ bytes gzip, over its budget of 100/);
  });
});
