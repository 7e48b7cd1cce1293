import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, loadMasterKey, SecretBox, SecretBoxError, startServer } from '@switchboard/server';
import { recordingLogger } from './fake-server.js';

describe('SecretBox', () => {
  const box = SecretBox.random();

  it('round-trips values, with a fresh IV each time, in the v1 format', () => {
    for (const plain of ['sk-test-1234567890abcdef', '', 'ünïcödé 🔑 secret', 'x'.repeat(10_000)]) {
      const sealed = box.encrypt(plain);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
      expect(box.decrypt(sealed)).toBe(plain);
    }
    const a = box.encrypt('same');
    const b = box.encrypt('same');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a).not.toContain('same');
  });

  it('binds an optional context as additional authenticated data', () => {
    const sealed = box.encrypt('sk-context', 'agent:agent_1:apiKey');
    expect(box.decrypt(sealed, 'agent:agent_1:apiKey')).toBe('sk-context');
    expect(() => box.decrypt(sealed, 'agent:agent_2:apiKey')).toThrow(SecretBoxError);
    expect(() => box.decrypt(sealed)).toThrow(SecretBoxError);
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const sealed = box.encrypt('sk-tamper-me-please');
    const [version, iv, tag, data] = sealed.split('.') as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString('base64url');
    };
    for (const forged of [
      [version, iv, tag, flip(data)],
      [version, iv, flip(tag), data],
      [version, flip(iv), tag, data],
    ]) {
      expect(() => box.decrypt(forged.join('.'))).toThrow(/tampered with, or sealed under another master key/);
    }
  });

  it('refuses a value sealed under another key', () => {
    const sealed = SecretBox.random().encrypt('sk-other-key');
    expect(() => box.decrypt(sealed)).toThrow(SecretBoxError);
    const sameKey = randomBytes(32);
    expect(new SecretBox(sameKey).decrypt(new SecretBox(sameKey).encrypt('shared'))).toBe('shared');
  });

  it('rejects malformed sealed values and keys of the wrong size', () => {
    for (const bad of ['', 'plain', 'v2.a.b.c', 'v1.a.b', 'v1.AAAA.AAAA.AAAA']) {
      expect(() => box.decrypt(bad), bad).toThrow(/malformed/);
    }
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32-byte key/);
  });

  it('masks values shorter than 16 characters entirely, longer ones with at most the first 3 and last 4 characters', () => {
    expect(SecretBox.mask('sk-abcdefghijklmnopqrstuvwxyz')).toBe('sk-…wxyz');
    const whsec = `whsec_${randomBytes(32).toString('base64')}`;
    expect(SecretBox.mask(whsec)).toBe(`whsec_…${whsec.slice(-4)}`);
    for (const short of ['', 'ab', 'abc', 'abcdef', '123456', 'a'.repeat(15)]) expect(SecretBox.mask(short), short).toBe('••••••');
    expect(SecretBox.mask('abcdefghijklmnop')).toBe('ab…nop');
    for (let length = 0; length <= 80; length++) {
      const value = 'q'.repeat(length);
      const shown = SecretBox.mask(value).replace('…', '').replace(/•/g, '').length;
      expect(shown, `length ${length}`).toBeLessThanOrEqual(length < 16 ? 0 : Math.min(7, Math.floor(length / 3)));
    }
  });

  it('fingerprints with 16 hex digits of an HMAC under a key derived from the master key', () => {
    const value = 'sk-fingerprint-me';
    expect(box.fingerprint(value)).toMatch(/^[0-9a-f]{16}$/);
    expect(box.fingerprint(value)).toBe(box.fingerprint(value));
    expect(box.fingerprint(value)).not.toBe(createHash('sha256').update(value).digest('hex').slice(0, 16));
    expect(box.fingerprint('other')).not.toBe(box.fingerprint(value));
    // Another master key, another fingerprint: without the key a fingerprint cannot be looked up.
    expect(SecretBox.random().fingerprint(value)).not.toBe(box.fingerprint(value));
    const key = randomBytes(32);
    expect(new SecretBox(key).fingerprint(value)).toBe(new SecretBox(key).fingerprint(value));
  });
});

describe('master key', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads SWITCHBOARD_SECRET_KEY as base64 (standard or URL-safe) or hex', () => {
    const key = randomBytes(32);
    const dataDir = tempDir();
    for (const text of [key.toString('base64'), key.toString('base64url'), key.toString('hex'), key.toString('hex').toUpperCase(), ` ${key.toString('base64')}\n`]) {
      const loaded = loadMasterKey({ secretKey: text, dataDir });
      expect(loaded.source).toBe('env');
      expect(loaded.key.equals(key), text).toBe(true);
    }
    expect(() => readFileSync(join(dataDir, 'secret.key'))).toThrow(); // no file written
    const config = loadConfig({ SWITCHBOARD_SECRET_KEY: key.toString('hex'), SWITCHBOARD_DATA_DIR: dataDir });
    expect(config.secretKey).toBe(key.toString('hex'));
    expect(loadMasterKey(config).key.equals(key)).toBe(true);
  });

  it('refuses any other value, naming the variable and the accepted forms, without echoing it', () => {
    const dataDir = tempDir();
    for (const bad of ['hunter2', randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), randomBytes(33).toString('base64'), 'z'.repeat(64)]) {
      let message = '';
      try {
        loadMasterKey({ secretKey: bad, dataDir });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/^SWITCHBOARD_SECRET_KEY must be 32 bytes written as base64 .* or as hex/);
      expect(message).not.toContain(bad);
    }
  });

  it('makes startServer fail before opening anything when the variable is bad', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ SWITCHBOARD_SECRET_KEY: 'not-a-key', SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    await expect(startServer(config)).rejects.toThrow(/SWITCHBOARD_SECRET_KEY must be/);
  });

  it('generates <dataDir>/secret.key with mode 0600 and reuses it', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const logger = recordingLogger();
    const first = loadMasterKey({ dataDir }, { logger });
    expect(first.source).toBe('generated');
    expect(first.path).toBe(join(dataDir, 'secret.key'));
    expect(first.key).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(first.path!).mode & 0o777).toBe(0o600);

    const second = loadMasterKey({ dataDir, secretKey: undefined }, { logger });
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(logger.entries).toEqual([]);

    // What one box sealed, a box from the reloaded key opens.
    expect(new SecretBox(second.key).decrypt(new SecretBox(first.key).encrypt('persisted'))).toBe('persisted');
  });

  it('makes a key file readable by others private again, and says so', () => {
    if (process.platform === 'win32') return;
    const dataDir = tempDir();
    const path = loadMasterKey({ dataDir }).path!;
    chmodSync(path, 0o644);
    const logger = recordingLogger();
    const again = loadMasterKey({ dataDir }, { logger });
    expect(again.source).toBe('file');
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]!.msg).toContain('now 0600');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that does not hold a key', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'secret.key'), 'garbage\n', { mode: 0o600 });
    expect(() => loadMasterKey({ dataDir })).toThrow(/secret\.key must hold the master key/);
  });

  it('tells PostgreSQL deployments to share the key through the variable', () => {
    const logger = recordingLogger();
    loadMasterKey({ dataDir: tempDir(), databaseUrl: 'postgres://db/switchboard' }, { logger });
    expect(logger.entries.map((e) => e.msg).join('\n')).toContain('SWITCHBOARD_SECRET_KEY is not set');
    const quiet = recordingLogger();
    loadMasterKey({ dataDir: tempDir(), databaseUrl: 'postgres://db/switchboard', secretKey: randomBytes(32).toString('hex') }, { logger: quiet });
    expect(quiet.entries).toEqual([]);
  });
});
