/**
 * GET /v1/events: the live event stream of a workspace, for operators' consoles.
 *
 *   id: 42
 *   event: message.created
 *   data: {"id":42,"type":"message.created","createdAt":1733400000000,"data":{"message":{…}}}
 *
 * Events come from the workspace's event log (workspace_events), so a client that reconnects with
 * `Last-Event-ID` (or `?lastEventId=`) receives exactly what it missed, in order; when that id is
 * no longer kept, it receives `reset` and should reload what it shows. The stream is re-authenticated
 * every half second with the credentials it was opened with, and ends with a `closed` event once
 * they no longer hold (a revoked key, an ended session).
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../store/schema.js';
import { ApiError } from '../http/errors.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Principal } from '../http/auth.js';
import type { EventHub } from '../events/event-hub.js';
import { workspaceEventsRepository, type WorkspaceEvent } from '../events/workspace-events.js';
import { createStreamGuard } from '../runtime/stream-guard.js';
import { shutdownEvent } from '../runtime/runtime-routes.js';

const HEARTBEAT_MS = 15_000;
const SEQ = /^\d{1,15}$/;

export interface EventRoutesOptions {
  db: Kysely<DB>;
  hub: EventHub;
  /** How often open streams re-authenticate (default 500 ms). */
  checkMs?: number;
  /** Told when a stream opens (true) and closes (false), for the metrics. */
  onStream?: (open: boolean) => void;
  onError?: (error: unknown) => void;
}

/** The frame of one event. */
export function eventFrame(event: WorkspaceEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data })}\n\n`;
}

/** Identifies the credentials a request presents, so streams opened with the same ones are checked once. */
function credentialKey(request: FastifyRequest): string {
  const h = request.headers;
  const parts = [h.authorization, h['x-api-key'], h['x-wiil-api-key'], h.cookie].map((v) => (Array.isArray(v) ? v.join(',') : (v ?? '')));
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function eventRoutes(options: EventRoutesOptions) {
  const events = workspaceEventsRepository(options.db);
  /** One way to re-authenticate per set of credentials in use, with how many streams use it. */
  const reauth = new Map<string, { check: () => Promise<Principal>; streams: number }>();
  const guard = createStreamGuard({
    check: async (key) => {
      const entry = reauth.get(key);
      try {
        await entry?.check();
        return () => undefined;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return () => error;
        throw error;
      }
    },
    ...(options.checkMs !== undefined && { intervalMs: options.checkMs }),
    ...(options.onError && { onError: options.onError }),
  });
  /** Open streams, each by the function that ends it (with a last chunk when given). */
  const streams = new Set<(last?: string) => void>();

  const routes: RouteDefinition[] = [
    defineRoute({
      method: 'GET',
      url: '/v1/events',
      tag: 'Events',
      access: 'agent',
      summary: 'Live events of the workspace (Server-Sent Events)',
      description:
        'A `text/event-stream` of the workspace\u2019s events: `conversation.created`, `conversation.updated` (handoff state, assignment, read), `message.created`, `handoff.requested`, `handoff.accepted`, `delivery.failed`, `delivery.retried`. Each frame has `id: <seq>`, `event: <type>` and `data: {"id", "type", "createdAt", "data"}`; a `: ping` comment every 15 s. Reconnect with `Last-Event-ID` (or `?lastEventId=`) to receive every later event still kept (at least an hour, up to a day); when it is older than that, the stream sends `reset` first: reload the lists. Without it the stream starts from now. It ends with `closed` once the credentials it was opened with no longer hold, and with `shutdown` (reconnect) when the server stops.',
      query: z.object({
        lastEventId: z.string().regex(SEQ, 'must be the id of the last event received: a non-negative integer').optional(),
      }),
      stream: true,
      response: { description: 'The event stream' },
      handler: async ({ query, principal, request, reply, reauthenticate }) => {
        const header = request.headers['last-event-id'];
        const lastEventId = typeof header === 'string' && SEQ.test(header.trim()) ? Number(header.trim()) : query.lastEventId !== undefined ? Number(query.lastEventId) : undefined;
        const { workspaceId } = principal;
        let reset = false;
        let cursor: number;
        if (lastEventId === undefined) cursor = await events.latest(workspaceId);
        else if (lastEventId === 0 || (await events.holds(workspaceId, lastEventId))) cursor = lastEventId;
        else {
          reset = true;
          cursor = await events.latest(workspaceId);
        }

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.write('retry: 2000\n\n');
        if (reset) raw.write(`event: reset\ndata: ${JSON.stringify({ reason: 'Events after the given Last-Event-ID are no longer kept: reload', lastEventId: cursor })}\n\n`);

        const key = credentialKey(request);
        const entry = reauth.get(key) ?? { check: reauthenticate, streams: 0 };
        entry.streams += 1;
        reauth.set(key, entry);
        const stream = {
          cursor,
          deliver(batch: WorkspaceEvent[]) {
            if (raw.writableEnded) return;
            for (const event of batch) raw.write(eventFrame(event));
            stream.cursor = batch[batch.length - 1]!.id;
          },
        };
        const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
        let detach: (() => void) | undefined;
        let closed = false;
        const unwatch = guard.watch({ tokenHash: key, origin: undefined, end: (last) => close(last) });
        const close = (last?: string) => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unwatch();
          detach?.();
          if (--entry.streams === 0 && reauth.get(key) === entry) reauth.delete(key);
          if (streams.delete(close)) options.onStream?.(false);
          if (!raw.writableEnded) raw.end(last);
        };
        streams.add(close);
        options.onStream?.(true);
        raw.on('close', () => close());
        if (raw.destroyed) return { data: null };
        const stop = await options.hub.attach(workspaceId, stream);
        if (closed) stop();
        else detach = stop;
        return { data: null };
      },
    }),
  ];

  return {
    routes,
    /** Ends every open stream with a `shutdown` event (the server is closing). */
    closeAll(): void {
      for (const close of [...streams]) close(shutdownEvent(1000 + Math.floor(Math.random() * 2000)));
      guard.stop();
    },
  };
}
