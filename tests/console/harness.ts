import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSOLE_DIR = join(ROOT, 'packages', 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

let built: string | null = null;

/** Builds the console (and the widget it previews) once per test process; returns what the console build printed. */
export function buildConsole(): string {
  if (built === null) {
    execFileSync(process.execPath, [join(ROOT, 'packages', 'widget', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    built = execFileSync(process.execPath, [join(CONSOLE_DIR, 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  }
  return built;
}
