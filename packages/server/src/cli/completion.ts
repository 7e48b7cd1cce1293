/**
 * `switchboard completion bash|zsh|fish`: a completion script made from the commands and options
 * registered on the program, so it never falls behind them. Each script walks the words typed so
 * far to find the command path (e.g. `channels list`), then offers that command's subcommands
 * and options. Options and the arguments of a command without subcommands are stepped over; a
 * word that is not a subcommand where one is expected leads nowhere, and nothing is offered.
 */
import { Command, type Option } from 'commander';
import { UsageError, action } from './context.js';

interface Entry {
  name: string;
  description: string;
}

interface CommandNode {
  /** Space-separated names from the root; '' for the program itself. */
  path: string;
  commands: Entry[];
  /** Long and short flags, with their dashes. */
  options: Entry[];
}

const isHidden = (command: Command) => (command as unknown as { _hidden?: boolean })._hidden === true;
const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
};

function flagsOf(options: readonly Option[]): Entry[] {
  const entries = options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f).map((name) => ({ name, description: oneLine(o.description) })));
  return [...entries, { name: '--help', description: 'display help' }];
}

/** Every command of the program, depth first, with what may follow it. */
export function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const walk = (command: Command, path: string) => {
    const children = command.commands.filter((c) => !isHidden(c));
    nodes.push({
      path,
      commands: children.flatMap((c) => [c.name(), ...c.aliases()].map((name) => ({ name, description: oneLine(c.description()) }))),
      options: flagsOf(command.options),
    });
    for (const child of children) walk(child, path ? `${path} ${child.name()}` : child.name());
  };
  walk(program, '');
  return nodes;
}

/** A POSIX single-quoted word (bash and zsh). */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** A fish single-quoted word. */
const fq = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;

const paths = (nodes: CommandNode[], quote: (s: string) => string) =>
  nodes
    .filter((n) => n.path !== '')
    .map((n) => quote(n.path))
    .join('|');
/** Commands that take a subcommand: a word after them that is none of theirs leads nowhere ('-'). */
const groups = (nodes: CommandNode[], quote: (s: string) => string) =>
  nodes
    .filter((n) => n.commands.length > 0)
    .map((n) => quote(n.path))
    .join('|');

function bash(name: string, nodes: CommandNode[]): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}_completion`;
  const cases = nodes.map((n) => `    ${sq(n.path)}) words=${sq([...n.commands, ...n.options].map((e) => e.name).join(' '))} ;;`);
  return `# ${name} completion for bash. Load it with: source <(${name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word words="" i
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "$path\${path:+ }$word" in
      ${paths(nodes, sq)}) path="$path\${path:+ }$word" ;;
      *) case "$path" in ${groups(nodes, sq)}) path='-' ;; esac ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F ${fn} ${name}
`;
}

function zsh(name: string, nodes: CommandNode[]): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const described = (entries: Entry[]) => entries.map((e) => sq(`${e.name.replace(/:/g, '\\:')}:${e.description}`)).join(' ');
  const cases = nodes.map((n) => `    (${sq(n.path)}) commands=(${described(n.commands)}); options=(${described(n.options)}) ;;`);
  return `#compdef ${name}
# ${name} completion for zsh. Load it with: source <(${name} completion zsh), or save it as ${fn} in a directory of $fpath.
${fn}() {
  local cmdpath="" word i
  local -a commands options
  for (( i = 2; i < CURRENT; i++ )); do
    word="\${words[i]}"
    [[ "$word" == -* ]] && continue
    case "$cmdpath\${cmdpath:+ }$word" in
      (${paths(nodes, sq)}) cmdpath="$cmdpath\${cmdpath:+ }$word" ;;
      (*) case "$cmdpath" in (${groups(nodes, sq)}) cmdpath='-' ;; esac ;;
    esac
  done
  case "$cmdpath" in
${cases.join('\n')}
  esac
  if [[ "\${words[CURRENT]}" == -* || \${#commands} -eq 0 ]]; then
    _describe -t options 'option' options
  else
    _describe -t commands 'command' commands
  fi
}
if [[ "\${funcstack[1]}" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

function fish(name: string, nodes: CommandNode[]): string {
  const prefix = `__${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines: string[] = [];
  for (const node of nodes) {
    const at = `-n ${fq(`${prefix}_at ${fq(node.path)}`)}`;
    for (const c of node.commands) lines.push(`complete -c ${name} ${at} -a ${fq(c.name)} -d ${fq(c.description)}`);
    for (const o of node.options) {
      const flag = o.name.startsWith('--') ? `-l ${fq(o.name.slice(2))}` : `-s ${fq(o.name.slice(1))}`;
      lines.push(`complete -c ${name} ${at} ${flag} -d ${fq(o.description)}`);
    }
  }
  return `# ${name} completion for fish. Load it with: ${name} completion fish | source
function ${prefix}_path
    set -l path
    set -l typed (commandline -opc)
    set -e typed[1]
    for word in $typed
        string match -q -- '-*' $word; and continue
        if contains -- (string join ' ' $path $word) ${nodes.filter((n) => n.path !== '').map((n) => fq(n.path)).join(' ')}
            set path $path $word
        else if contains -- (string join ' ' $path) ${nodes.filter((n) => n.commands.length > 0).map((n) => fq(n.path)).join(' ')}
            echo '-'
            return
        end
    end
    string join ' ' $path
end
function ${prefix}_at
    set -l path (${prefix}_path)
    test "$path" = "$argv[1]"
end
complete -c ${name} -f
${lines.join('\n')}
`;
}

const SHELLS = { bash, zsh, fish } as const;

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: source <(switchboard completion bash), or zsh, or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action(
      action((shell: string) => {
        const make = SHELLS[shell as keyof typeof SHELLS];
        if (!make) throw new UsageError(`the shell must be one of ${Object.keys(SHELLS).join(', ')}, got '${shell}'`);
        process.stdout.write(make(program.name(), commandTree(program)));
      }),
    );
}
