import { pino, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The format asked for (`--log-format` or LOG_FORMAT), checked; when none is asked for, pretty
 * lines for a terminal and JSON records otherwise (a pipe, a file, a container's log driver).
 */
export function resolveLogFormat(requested: string | undefined, stdoutIsTerminal: boolean): LogFormat {
  const value = requested?.trim();
  if (value === undefined || value === '') return stdoutIsTerminal ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new Error(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got "${value.slice(0, 40)}"`);
  return value as LogFormat;
}

/**
 * A logger writing one record a line to standard output: a JSON object, or a human-readable line
 * (with any fields indented below it) through pino-pretty. Both write synchronously, so records
 * keep their order with anything else written to standard output and none is lost on exit.
 */
export function createLogger(format: LogFormat, level = 'info'): Logger {
  if (format === 'json') return pino({ level }, pino.destination({ dest: 1, sync: true }));
  return pino({ level }, prettyStream({ destination: 1, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
}
