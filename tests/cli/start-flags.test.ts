/**
 * `switchboard start` flags and banner on the embedded default: --port, --host and --data-dir win
 * over PORT, HOST and SWITCHBOARD_DATA_DIR and go through the same checks; the `listening` record
 * names every address it listens on, and the console and API reference.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listeningUrls } from '@switchboard/server';
import { freePort, jsonRecords, runCli, startCli } from '../helpers/cli.js';

const loopback = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' } as const;
const lan = { address: '10.1.2.3', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.1.2.3/24' } as const;
const lan6 = { address: 'fd00::3', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::3/64', scopeid: 0 } as const;
const linkLocal = { ...lan6, address: 'fe80::1', cidr: 'fe80::1/64' } as const;
const loopback6 = { ...lan6, address: '::1', internal: true, cidr: '::1/128' } as const;

describe('listening addresses', () => {
  const interfaces = { eth0: [lan, lan6, linkLocal], lo: [loopback, loopback6] };

  it('lists every IPv4 interface for 0.0.0.0, loopback first', () => {
    expect(listeningUrls('0.0.0.0', 8787, interfaces)).toEqual(['http://127.0.0.1:8787', 'http://10.1.2.3:8787']);
  });

  it('adds IPv6 addresses in brackets for ::, leaving out link-local ones', () => {
    expect(listeningUrls('::', 8787, interfaces)).toEqual(['http://127.0.0.1:8787', 'http://[::1]:8787', 'http://10.1.2.3:8787', 'http://[fd00::3]:8787']);
  });

  it('names only the address given otherwise', () => {
    expect(listeningUrls('127.0.0.1', 9000, interfaces)).toEqual(['http://127.0.0.1:9000']);
    expect(listeningUrls('::1', 9000, interfaces)).toEqual(['http://[::1]:9000']);
  });
});

describe('switchboard start flags', () => {
  it('listens where --port, --host and --data-dir say, over the environment, and says where', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-flags-'));
    const port = await freePort();
    const started = await startCli(
      { PORT: '1', HOST: '0.0.0.0', SWITCHBOARD_DATA_DIR: join(dataDir, 'not-this-one'), DATABASE_URL: '' },
      { flags: ['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], port },
    );
    try {
      expect(started.baseUrl).toBe(`http://127.0.0.1:${port}`);
      expect(existsSync(join(dataDir, 'switchboard.db'))).toBe(true);
      expect(existsSync(join(dataDir, 'not-this-one'))).toBe(false);
      const listening = jsonRecords(started.stdout()).find((record) => record.msg === 'listening');
      expect(listening).toMatchObject({
        urls: [`http://127.0.0.1:${port}`],
        database: { engine: 'sqlite', location: join(dataDir, 'switchboard.db') },
        console: expect.stringMatching(/^http:\/\/\S+\/console$/),
        apiReference: expect.stringMatching(/^http:\/\/\S+\/docs$/),
      });
    } finally {
      await started.stop();
    }
  });

  it('refuses a bad flag with the same message as the environment variable', async () => {
    const result = await runCli(['start', '--port', '99999'], { DATABASE_URL: '' });
    expect(result.code).not.toBe(0);
    expect(jsonRecords(result.stdout)).toEqual([expect.objectContaining({ level: 60, msg: 'PORT must be a whole number from 0 to 65535, got "99999"' })]);
  });

  it('lists its options in --help', async () => {
    const result = await runCli(['start', '--help'], {});
    expect(result.code).toBe(0);
    for (const flag of ['--port <port>', '--host <address>', '--data-dir <dir>', '--log-format <format>']) expect(result.stdout).toContain(flag);
  });
});
