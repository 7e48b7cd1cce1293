import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode, idSchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { replayGuardsRepository } from '../store/repositories/replay-guards.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { INBOUND_PREFIX } from '../connections/connections-service.js';
import { ApiError } from '../http/errors.js';
import { withoutNul } from '../http/nul-characters.js';
import { errorBody } from '../http/envelope.js';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, isDatabaseFault } from '../store/faults.js';
import { InboundAuthError, type HttpReply, type RawInbound } from './adapter.js';
import { refuseInbound } from './inbound-refusal.js';
import { createInboundRecorder } from './inbound-recorder.js';
import type { ProviderRegistry } from './registry.js';

/** Webhook bodies can be larger than API bodies (email with attachments). */
const INBOUND_BODY_LIMIT = 10 * 1024 * 1024;

export interface InboundRoutesOptions {
  db: Kysely<DB>;
  registry: ProviderRegistry;
  connections: ConnectionsService;
  publicUrl: string;
  /** Called once events are recorded, so processing starts right away. */
  onRecorded: () => void;
  /** Synchronous handlers by provider and subpath prefix (voice: TwiML must answer in the same request). */
  synchronous?: (provider: string, subpath: string) => ((raw: RawInbound, connectionId: string) => Promise<HttpReply>) | undefined;
}

/** The request as adapters see it: raw body bytes, lower-case headers, the public URL the sender called. */
export function rawInboundOf(request: FastifyRequest, publicUrl: string, rest: string | undefined, receivedAt: number): RawInbound {
  return {
    method: request.method as 'GET' | 'POST',
    publicUrl: `${publicUrl}${request.url}`,
    subpath: rest ? `/${rest}` : '',
    query: Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    receivedAt,
  };
}

/**
 * `GET|POST {prefix}/{provider}/{connectionId}[/subpath]` in a scope of its own whose body
 * parser keeps every content type as raw bytes (signatures are over bytes, never re-serialized JSON).
 */
export function registerRawBodyRoutes(server: FastifyInstance, prefix: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  server.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INBOUND_BODY_LIMIT }, (_request, body, done) => done(null, body));
      scope.setErrorHandler((error, request, reply) => {
        const apiError =
          error instanceof ApiError
            ? error
            : (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `Webhook body exceeds ${INBOUND_BODY_LIMIT} bytes`)
              : isDatabaseFault(error)
                ? databaseUnavailable()
                : new ApiError(500, ErrorCode.INTERNAL, 'Internal server error');
        // The provider sends the webhook again later; nothing was acknowledged.
        if (apiError.code === ErrorCode.DATABASE_UNAVAILABLE) reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        else if (apiError.status >= 500) request.log.error({ err: error }, 'inbound webhook failed');
        return reply.code(apiError.status).send(errorBody(apiError));
      });
      for (const url of ['/:provider/:connectionId', '/:provider/:connectionId/*']) {
        scope.route({ method: ['GET', 'POST'], url, handler, bodyLimit: INBOUND_BODY_LIMIT });
      }
    },
    { prefix },
  );
}

export function send(reply: FastifyReply, answer: HttpReply) {
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .send(answer.body ?? '');
}

/**
 * `GET|POST /v1/public/channels/{provider}/{connectionId}[/subpath]`: every provider's
 * webhooks. The body is kept as raw bytes for signature checks. A request is verified,
 * its events are recorded (duplicates dropped on the provider's event id), and only then
 * acknowledged; processing happens after the answer has gone.
 */
export function registerInboundRoutes(server: FastifyInstance, options: InboundRoutesOptions): void {
  const { db, registry, connections, publicUrl } = options;
  const recorder = createInboundRecorder(db);
  const replayGuards = replayGuardsRepository(db);

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const receivedAt = Date.now();
    const params = request.params as { provider: string; connectionId: string; '*'?: string };
    const definition = registry.get(params.provider);
    const id = idSchema.safeParse(params.connectionId);
    const opened = definition && id.success ? await connections.opened(id.data) : undefined;
    if (!definition || !opened || opened.record.provider !== params.provider) {
      throw new ApiError(404, ErrorCode.NOT_FOUND, `No ${params.provider} connection ${params.connectionId}`);
    }
    const { record, context } = opened;
    const raw = rawInboundOf(request, publicUrl, params['*'], receivedAt);
    const { adapter } = definition;
    try {
      if (raw.method === 'GET') {
        const answer = adapter.handshake?.(raw, context);
        if (!answer) throw new ApiError(405, ErrorCode.VALIDATION_ERROR, `${params.provider} webhooks are POSTed; GET is only for verification handshakes`);
        return send(reply, answer);
      }
      const synchronous = options.synchronous?.(params.provider, raw.subpath);
      if (synchronous) return send(reply, await synchronous(raw, record.id));

      adapter.verify(raw, context);
      const once = adapter.replayKey?.(raw, context);
      if (once && !(await replayGuards.claim(once, receivedAt))) {
        throw new InboundAuthError(401, `The ${once.scope} token was already used: a replayed request`);
      }
      const parsed = adapter.parse(raw, context).map(withoutNul);
      await recorder.record(parsed.map((event) => ({ workspaceId: record.workspaceId, connectionId: record.id, providerEventId: event.providerEventId, event, receivedAt })));
      const answer = adapter.acknowledge(parsed, raw, context);
      if (parsed.length > 0) setImmediate(options.onRecorded);
      return send(reply, answer);
    } catch (error) {
      throw (await refuseInbound(db, request.log, record, error, receivedAt)) ?? error;
    }
  }

  registerRawBodyRoutes(server, INBOUND_PREFIX, handle);
}
