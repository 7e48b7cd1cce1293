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
