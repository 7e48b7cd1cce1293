import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import Fastify, { LogController } from 'fastify';
import { pino } from 'pino';
import { requestLogger } from '../../packages/server/src/logging/request-logger.js';

/** A pino logger writing into an array of parsed records, counting the children made of it. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: 'info', timestamp: false }, stream);
  const made = { children: 0 };
  const child = logger.child;
  logger.child = function (this: typeof logger, bindings, options) {
    made.children++;
    return child.call(this, bindings, options);
  } as typeof logger.child;
  return { logger, lines, made };
}

async function serve(factory: boolean) {
  const { logger, lines, made } = capture();
  const server = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    ...(factory && { childLoggerFactory: requestLogger }),
  });
  server.get('/quiet', async () => ({ ok: true }));
  server.get('/noisy', async (request) => {
    request.log.warn({ reason: 'bad signature' }, 'inbound webhook rejected');
    request.log.child({ step: 'verify' }).info('nested');
    return { ok: true };
  });
  await server.ready();
  return { server, lines, made };
}

describe('request loggers made on first use', () => {
  it('write the same records, request id included, as a child made for every request', async () => {
    const records = [];
    for (const factory of [false, true]) {
      const { server, lines } = await serve(factory);
      await server.inject('/quiet');
      await server.inject('/noisy');
      await server.close();
      records.push(lines.map(({ pid: _pid, hostname: _hostname, ...rest }) => rest));
    }
    expect(records[1]).toEqual(records[0]);
    expect(records[1]).toEqual([
      { level: 40, reqId: 'req-2', reason: 'bad signature', msg: 'inbound webhook rejected' },
      { level: 30, reqId: 'req-2', step: 'verify', msg: 'nested' },
    ]);
  });

  it('make no pino child for a request that does not log', async () => {
    const { server, made } = await serve(true);
    const before = made.children;
    for (let i = 0; i < 5; i++) await server.inject('/quiet');
    expect(made.children - before).toBe(0);
    await server.inject('/noisy');
    // The request's own child, and the one it makes itself.
    expect(made.children - before).toBe(2);
    await server.close();
  });
});
