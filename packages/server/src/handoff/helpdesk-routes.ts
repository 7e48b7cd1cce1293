import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode, idSchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { findConnection } from '../store/repositories/connections.js';
import { inboundEventsRepository } from '../store/repositories/inbound-events.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { ApiError } from '../http/errors.js';
import { refuseInbound } from '../channels/inbound-refusal.js';
import { rawInboundOf, registerRawBodyRoutes, send } from '../channels/inbound-routes.js';
import { capInboundText } from '../channels/inbound-text.js';
import type { HelpdeskConnector } from './helpdesks/connector.js';
import type { HandoffService } from './handoff-service.js';
import { withoutNul } from '../http/nul-characters.js';

export const HELPDESK_PREFIX = '/v1/public/helpdesks';

/**
 * `POST /v1/public/helpdesks/{provider}/{connectionId}`: what a helpdesk sends back about a
 * handoff — an agent's reply, an acceptance, a resolution. Each is authenticated the
 * helpdesk's way, applied once (deduplicated on the helpdesk's event id), and the reply
 * goes to the contact through the channel they used.
 */
export function registerHelpdeskRoutes(
  server: FastifyInstance,
  deps: { db: Kysely<DB>; connections: ConnectionsService; helpdesks: ReadonlyMap<string, HelpdeskConnector>; handoff: HandoffService; publicUrl: string },
): void {
  const events = inboundEventsRepository(deps.db);

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const receivedAt = Date.now();
    const params = request.params as { provider: string; connectionId: string; '*'?: string };
    const connector = deps.helpdesks.get(params.provider);
    const id = idSchema.safeParse(params.connectionId);
    const record = connector && id.success ? await findConnection(deps.db, id.data) : undefined;
    if (!connector || !record || record.provider !== params.provider) {
      throw new ApiError(404, ErrorCode.NOT_FOUND, `No ${params.provider} helpdesk connection ${params.connectionId}`);
    }
    const raw = rawInboundOf(request, deps.publicUrl, params['*'], receivedAt);
    const context = await deps.connections.context(record);
    let parsed;
    try {
      connector.verify(raw, context);
      parsed = connector.parse(raw, context).map(withoutNul);
    } catch (error) {
      throw (await refuseInbound(deps.db, request.log, record, error, receivedAt)) ?? error;
    }
    for (const event of parsed) {
      const conversationId = await deps.handoff.findByHelpdeskRef(record.workspaceId, event.ref);
      if (!conversationId) {
        request.log.warn({ provider: params.provider, ref: event.ref }, 'helpdesk event for no known handoff');
        continue;
      }
      // Applied here and now: recorded as processed (for deduplication only), never handed to the channel inbox.
      const fresh = await events.record({ workspaceId: record.workspaceId, connectionId: record.id, providerEventId: event.eventId, event: { kind: event.kind }, receivedAt, processed: true });
      if (!fresh) continue;
      const external = { ...(event.author?.id && { id: event.author.id }), ...(event.author?.name && { name: event.author.name }) };
      try {
        if (event.kind === 'message' && event.text) await deps.handoff.humanReply(record.workspaceId, conversationId, { text: capInboundText(event.text), external });
        else if (event.kind === 'accepted') await deps.handoff.accept(record.workspaceId, conversationId, undefined, external);
        else if (event.kind === 'resolved') await deps.handoff.resolve(record.workspaceId, conversationId);
      } catch (error) {
        // Helpdesk events can arrive late or out of order (an acceptance after the resolution):
        // a state the conversation has already left is not the helpdesk's fault, so it gets its 2xx.
        if (!(error instanceof ApiError && error.status === 409)) {
          // Not applied: forget it, so the helpdesk's retry is applied instead of dropped as a duplicate.
          await deps.db.deleteFrom('inbound_events').where('connection_id', '=', record.id).where('provider_event_id', '=', event.eventId).execute();
          throw error;
        }
        request.log.warn({ conversationId, kind: event.kind, reason: error.message }, 'helpdesk event no longer applies');
      }
    }
    return send(reply, connector.acknowledge(raw));
  }

  registerRawBodyRoutes(server, HELPDESK_PREFIX, handle);
}
