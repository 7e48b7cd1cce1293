import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BootstrapResult } from './bootstrap.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictFile } from '../secrets/private-files.js';

/** Where a non-interactive first start leaves the generated admin key and the owner's invitation link. */
export const FIRST_START_FILE = 'first-start-credentials.txt';

/** The generated admin key and the owner's invitation link, as a person reads them; undefined when there are none. */
export function firstStartText(bootstrap: BootstrapResult): string | undefined {
  if (!bootstrap.generatedAdminKey) return undefined;
  return (
    [
      '',
      `Created workspace "${bootstrap.workspace.name}" (${bootstrap.workspace.id}) and its admin API key:`,
      '',
      `    ${bootstrap.generatedAdminKey}`,
      '',
      'It is shown only this once and stored only as a keyed hash. Keep it somewhere safe.',
      '',
      ...(bootstrap.ownerInvitation ? [`Create the workspace owner (link valid 7 days, shown once): ${bootstrap.ownerInvitation.url}`, ''] : []),
    ].join('\n') + '\n'
  );
}

function fileText(bootstrap: BootstrapResult, adminKey: string): string {
  const { workspace, ownerInvitation } = bootstrap;
  return [
    `Switchboard first start, ${new Date().toISOString()}: workspace "${workspace.name}" (${workspace.id})`,
    '',
    'Admin API key (also the instance administrator). The server keeps only a keyed hash of it, so this is the only copy:',
    `    ${adminKey}`,
    '',
    ...(ownerInvitation ? [`Link that creates the workspace owner (usable once, until ${new Date(ownerInvitation.expiresAt).toISOString()}):`, `    ${ownerInvitation.url}`, ''] : []),
    'Store them somewhere safe, then delete this file.',
    '',
  ].join('\n');
}

export interface FirstStartHandover {
  /** True when a person reads the output on a terminal (pretty lines to a TTY): the secrets are shown there. */
  interactive: boolean;
  dataDir: string;
  /** Writes to the terminal. */
  write(text: string): void;
  /** Records that the secrets were written to the file (its path only), or that they could not be. */
  logger: Pick<Logger, 'info' | 'error'>;
}

/**
 * Hands the one-time secrets of a first start to the operator without putting them in a log that
 * may be shipped and kept: shown on the terminal when interactive; otherwise written to
 * `<dataDir>/first-start-credentials.txt` (mode 0600) and only that path logged.
 */
export function handOverFirstStartSecrets(bootstrap: BootstrapResult, handover: FirstStartHandover): void {
  const adminKey = bootstrap.generatedAdminKey;
  if (!adminKey) return;
  if (handover.interactive) {
    handover.write(firstStartText(bootstrap) ?? '');
    return;
  }
  const path = join(handover.dataDir, FIRST_START_FILE);
  const fields = { workspaceId: bootstrap.workspace.id, path };
  try {
    ensurePrivateDir(handover.dataDir);
    // A file left by an earlier first start (its database since replaced) goes: `wx` then creates it 0600.
    rmSync(path, { force: true });
    writeFileSync(path, fileText(bootstrap, adminKey), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    restrictFile(path);
    handover.logger.info(fields, 'first start: the admin API key and the owner invitation link are in a file only this user can read; delete it once they are stored');
  } catch (error) {
    handover.logger.error(
      { ...fields, error: error instanceof Error ? error.message : String(error) },
      'first start: could not write the admin API key; create one with "switchboard keys create --instance-admin" and invite the owner with "switchboard members invite --email <email> --role owner"',
    );
  }
}
