/**
 * The SDK works from another project: `npm pack` makes tarballs of @switchboard/core and
 * @switchboard/sdk, a fresh folder outside the repository installs them, and the README's
 * TypeScript example, with only its base URL set to a running server, runs there against the real
 * server. Tests reach no registry: core's own dependencies are packed from this repository's
 * node_modules beside them and everything is installed with --offline.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The first ```ts block after the README's "### From TypeScript" heading. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### From TypeScript'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README: no TypeScript example under "From TypeScript"');
  return match[1]!;
}

describe('the packed SDK in a project of its own', () => {
  let server: LiveServer;
  let apiKey: string;
  let project: string;

  beforeAll(async () => {
    server = await startLiveServer('sqlite');
    apiKey = (await server.newWorkspace('Packed')).apiKey;
    const packs = mkdtempSync(join(tmpdir(), 'switchboard-packs-'));
    for (const name of ['core', 'sdk']) npm(['pack', '--silent', '--pack-destination', packs], join(ROOT, 'packages', name));
    const core = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dependency of Object.keys(core.dependencies)) npm(['pack', '--silent', '--pack-destination', packs], join(ROOT, 'node_modules', dependency));
    project = mkdtempSync(join(tmpdir(), 'switchboard-consumer-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tarballs = readdirSync(packs).map((file) => join(packs, file));
    npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], project);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('packs only the built files with their types', () => {
    const sdk = JSON.parse(readFileSync(join(project, 'node_modules/@switchboard/sdk/package.json'), 'utf8'));
    expect(sdk.exports['.'].types).toBe('./dist/index.d.ts');
    const files = readdirSync(join(project, 'node_modules/@switchboard/sdk'));
    expect(files.sort()).toEqual(['dist', 'package.json']);
    expect(readdirSync(join(project, 'node_modules/@switchboard/sdk/dist'))).toContain('index.d.ts');
  });

  it("runs the README's example against a running server", async () => {
    const example = readmeExample().replace("baseUrl: 'http://localhost:8787'", `baseUrl: '${server.baseUrl}'`);
    expect(example).toContain(server.baseUrl);
    writeFileSync(join(project, 'example.mjs'), transformSync(example, { loader: 'ts', format: 'esm' }).code);
    // Not execFileSync: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, SWITCHBOARD_API_KEY: apiKey } });
    expect(stdout.trim().split('\n')).toEqual(['1', 'Invalid website URL format']);
  });
});
