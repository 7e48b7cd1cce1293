import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** The top-level commands, as `switchboard --help` lists them. */
async function topLevelCommands(): Promise<string[]> {
  const help = (await runCli(['--help'], {})).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

describe('switchboard completion', () => {
  let bashScript: string;
  let commands: string[];

  beforeAll(async () => {
    const result = await runCli(['completion', 'bash'], {});
    expect(result.code, result.stderr).toBe(0);
    bashScript = join(mkdtempSync(join(tmpdir(), 'switchboard-completion-')), 'switchboard.bash');
    writeFileSync(bashScript, result.stdout);
    commands = await topLevelCommands();
    expect(commands).toEqual(expect.arrayContaining(['start', 'channels', 'webhooks', 'doctor', 'completion', 'phone-numbers']));
  });

  /** What bash offers after the typed words, the last one being completed. */
  const complete = (...words: string[]) =>
    execFileSync(
      'bash',
      [
        '-c',
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); fn=$(complete -p switchboard | sed -E "s/.*-F ([^ ]+).*/\\1/"); "$fn"; printf "%s\\n" "${COMPREPLY[@]}"',
        'complete',
        bashScript,
        'switchboard',
        ...words,
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);

  it('bash completes commands, subcommands and options from the command tree', () => {
    expect(complete('cha')).toEqual(['channels']);
    expect(complete('channels', 'l')).toEqual(['list']);
    expect(complete('webhooks', 'l')).toEqual(['list', 'listen']);
    expect(complete('')).toEqual(expect.arrayContaining(commands));
    expect(complete('channels', 'list', '--page-')).toEqual(['--page-size']);
    // An option's value is not taken for a command.
    expect(complete('channels', 'list', '--type', 'web', '--se')).toEqual(['--search']);
    expect(complete('secrets', 'create', '--value')).toEqual(['--value-stdin']);
    expect(complete('channels', 'get', 'chan_1', '--j')).toEqual(['--json']);
    // A word that is not a subcommand where one is expected leads nowhere.
    expect(complete('nonsense', 'l')).toEqual([]);
    expect(complete('channels', 'lists', '--j')).toEqual([]);
  });

  it('zsh and fish scripts name every top-level command', async () => {
    const zsh = await runCli(['completion', 'zsh'], {});
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef switchboard');
    const fish = await runCli(['completion', 'fish'], {});
    expect(fish.code).toBe(0);
    for (const command of commands) {
      expect(zsh.stdout).toMatch(new RegExp(`\\('' ?\\) commands=\\(.*'${command}:`));
      expect(fish.stdout).toContain(`complete -c switchboard -n '__switchboard_at \\'\\'' -a '${command}'`);
    }
    expect(zsh.stdout).toContain("('channels list') commands=(); options=(");
    expect(fish.stdout).toContain(`complete -c switchboard -n '__switchboard_at \\'webhooks listen\\'' -l 'forward-to'`);

    const unknown = await runCli(['completion', 'powershell'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the shell must be one of bash, zsh, fish');
  });
});
