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

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const KEY = `sbk_tour${'t'.repeat(36)}`;

/** The first ```sh block of the "A quick tour" section. */
function tourScript(): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('## A quick tour'));
  const block = /```sh\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 4)));
  if (!block) throw new Error('README: no sh block in "A quick tour"');
  return block[1]!;
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
    const run = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8' }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in run ? `exit ${run.code}: ${run.stderr}\n${run.stdout.slice(-2000)}` : 'exit 0').toBe('exit 0');

    const api = controlApi(server.baseUrl, KEY);
    const channels = (await api('GET', '/v1/deployment-channels')).body.data.data;
    expect(channels.map((c: { channelIdentifier: string }) => c.channelIdentifier)).toEqual(['https://shop.example.com']);
    expect((await api('GET', '/v1/phone-configurations')).body.data.meta.totalCount).toBe(0);
    const deployments = (await api('GET', '/v1/deployment-configurations')).body.data.data;
    expect(deployments.map((d: { status: string }) => d.status)).toEqual(['active']);
  });
});
