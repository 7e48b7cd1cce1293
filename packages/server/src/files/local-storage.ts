import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { checkKey, type FileStorage, type ObjectStream, type StoredObject } from './storage.js';
import { spool } from './spool.js';

/**
 * Files under `root` (`<dataDir>/attachments` by default): each object is its bytes plus a small
 * `.type` file with its content type. A write goes to a temporary file in the same directory and
 * is renamed into place, so a reader never sees half an object.
 */
export function localStorage(root: string): FileStorage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const path = resolve(base, ...checkKey(key).split('/'));
    if (!path.startsWith(base + sep)) throw new Error(`Storage key ${key} leaves the storage directory`);
    return path;
  };
  const spoolDir = join(base, '.incoming');

  return {
    kind: 'local',
    async put(key: string, body: Readable, options: { contentType: string; maxBytes: number }): Promise<StoredObject> {
      const path = pathOf(key);
      const spooled = await spool(body, spoolDir, options.maxBytes);
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        await writeFile(`${path}.type`, options.contentType, { mode: 0o600 });
        await rename(spooled.path, path);
      } catch (error) {
        await rm(spooled.path, { force: true });
        throw error;
      }
      return { size: spooled.size, sha256: spooled.sha256 };
    },
    async get(key: string): Promise<ObjectStream | undefined> {
      const path = pathOf(key);
      try {
        const [info, contentType] = await Promise.all([stat(path), readFile(`${path}.type`, 'utf8')]);
        return { body: createReadStream(path), size: info.size, contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      await Promise.all([rm(path, { force: true }), rm(`${path}.type`, { force: true })]);
    },
  };
}
