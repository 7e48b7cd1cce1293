import { createInterface } from 'node:readline';
import { UsageError } from './context.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing what is typed. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    process.stderr.write(question);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new UsageError('cancelled'));
    });
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/**
 * A secret value, never from the command line (it would stay in shell history and process
 * lists): standard input with `fromStdin`, else a hidden prompt when standard input is a terminal.
 */
export async function readSecretInput(options: { fromStdin: boolean; flag: string; prompt: string }): Promise<string> {
  if (options.fromStdin) return readStdin();
  if (process.stdin.isTTY) return promptHidden(options.prompt);
  throw new UsageError(`standard input is not a terminal: pipe the value in with ${options.flag}`);
}
