import { pino, type Logger } from 'pino';
import type { LogFormat } from './log-format.js';

export { LOG_FORMATS, resolveLogFormat, type LogFormat } from './log-format.js';

/** JSON records, one a line, on standard output. */
export function createJsonLogger(level = 'info'): Logger {
  return pino({ level }, pino.destination({ dest: 1, sync: true }));
}

/**
 * A logger writing one record a line to standard output: a JSON object, or a human-readable line
 * (with any fields indented below it) through pino-pretty. Both write synchronously, so records
 * keep their order with anything else written to standard output and none is lost on exit.
 * pino-pretty (and its formatting dependencies) is loaded only for pretty output.
 */
export async function createLogger(format: LogFormat, level = 'info'): Promise<Logger> {
  if (format === 'json') return createJsonLogger(level);
  const { build: prettyStream } = await import('pino-pretty');
  return pino({ level }, prettyStream({ destination: 1, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
}
