import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/** Files that hold data or keys: read and written by the server's own user only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Directories the server creates for its data. */
export const PRIVATE_DIR_MODE = 0o700;

const posix = process.platform !== 'win32';

/**
 * Creates `dir` (and missing parents) with mode 0700. A directory that already exists is left
 * as it is: it may be a shared one (`/tmp`, a home directory) named by configuration, and the
 * files the server keeps in it are made private one by one.
 */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask; the directory made for the data gets exactly 0700.
  if (posix && first !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Sets mode 0600 on `path` when it exists (a umask of 022 would have left it readable by all). */
export function restrictFile(path: string): void {
  if (posix && existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}

/** Creates `path` empty with mode 0600 when it does not exist yet, so it is never readable by others, even briefly. */
export function createPrivateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  restrictFile(path);
}
