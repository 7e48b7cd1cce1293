import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type LogMethod = (...args: unknown[]) => void;

/**
 * The logger Fastify hands a request (`request.log`): the same pino child, bound to the request
 * id, but made only when the request first logs. Fastify asks for one per request, pino's
 * `child()` costs about a microsecond of serialising bindings, and almost no request logs
 * (request lines are off: app.ts), so most requests never need it. Lines that are written are
 * exactly those of the child made at once.
 */
class RequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: unknown[]): void {
    (this.#logger().fatal as LogMethod)(...args);
  }

  error(...args: unknown[]): void {
    (this.#logger().error as LogMethod)(...args);
  }

  warn(...args: unknown[]): void {
    (this.#logger().warn as LogMethod)(...args);
  }

  info(...args: unknown[]): void {
    (this.#logger().info as LogMethod)(...args);
  }

  debug(...args: unknown[]): void {
    (this.#logger().debug as LogMethod)(...args);
  }

  trace(...args: unknown[]): void {
    (this.#logger().trace as LogMethod)(...args);
  }

  silent(...args: unknown[]): void {
    (this.#logger().silent as LogMethod)(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: each request's logger, its pino child made on first use. */
export function requestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new RequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
