/**
 * The README's quick tour runs as written: its shell block, with only the key and the server's
 * address filled in, runs from top to bottom against a fresh `switchboard start`, every curl
 * failing the run on an HTTP error, and leaves what the tour says it leaves.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlApi } from '../helpers/control.js';
import { startCli, type StartedCli } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = join(ROOT, 'README.md');
const KEY = `sbk_tour${'t'.repeat(36)}`;

/**
 * Every ```sh block from "A quick tour" up to "Connect a provider", in order. The block that packs
 * the SDK for another project is run by tests/sdk/packed.test.ts instead.
 */
function tourScript(): string {
  const readme = readFileSync(README, 'utf8');
  const tour = readme.slice(readme.indexOf('## A quick tour'), readme.indexOf('## Connect a provider'));
  const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => !block.includes('npm pack'));
  if (blocks.length < 3) throw new Error(`README: expected the tour, CLI and website sh blocks, found ${blocks.length}`);
  return blocks.join('\n');
}

describe('the README quick tour', () => {
  let server: StartedCli;

  beforeAll(async () => {
    server = await startCli({ DATABASE_URL: '', SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-tour-')), SWITCHBOARD_API_KEY: KEY });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('runs from top to bottom, every request answered 2xx', async () => {
    const tour = tourScript();
    expect(tour).toContain('export KEY=sbk_…');
    expect(tour).toContain('http://localhost:8787');
    const script = [
      'set -euo pipefail',
      // Any HTTP error stops the run, with the body that explains it.
      'curl() { command curl --fail-with-body "$@"; }',
      tour.replace(/^export KEY=sbk_….*$/m, `export KEY=${KEY}`).replaceAll('http://localhost:8787', server.baseUrl),
    ].join('\n');
    const home = mkdtempSync(join(tmpdir(), 'switchboard-tour-home-'));
    const env = { ...process.env, XDG_CONFIG_HOME: home, SWITCHBOARD_URL: '', SWITCHBOARD_API_KEY: '' };
    const run = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8', cwd: ROOT, env }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in run ? `exit ${run.code}: ${run.stderr}\n${run.stdout.slice(-2000)}` : 'exit 0').toBe('exit 0');

    const api = controlApi(server.baseUrl, KEY);
    const channels = (await api('GET', '/v1/deployment-channels')).body.data.data;
    // The one-step setup's channel, and the one the web deployment made from its first origin.
    expect(channels.map((c: { channelIdentifier: string }) => c.channelIdentifier)).toEqual(['https://shop.example.com', 'https://www.example.com']);
    expect((await api('GET', '/v1/phone-configurations')).body.data.meta.totalCount).toBe(0);
    const deployments = (await api('GET', '/v1/deployment-configurations')).body.data.data;
    expect(deployments.map((d: { status: string }) => d.status)).toEqual(['active', 'active']);
    expect(run.stdout).toMatch(/^agent_\S+ +Concierge/m); // the CLI's agents list, as a table
    expect(run.stdout).toContain('cdp_'); // the web deployment's token, shown once
  });
});
