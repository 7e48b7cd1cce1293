import type { Kysely } from 'kysely';
import { DeploymentStatus } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { findConnection } from '../store/repositories/connections.js';
import { inboundEventsRepository, type StoredInboundEvent } from '../store/repositories/inbound-events.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { InboundEvent } from './adapter.js';
import { answersByNumber } from './quick-replies.js';
import { DEFAULT_LEASE_MS, createClaimLoop, persist } from '../outbox/claim-loop.js';
import { isDatabaseFault } from '../store/faults.js';
import type { InboundMediaStore } from '../attachments/inbound-media.js';
import type { ProviderRegistry } from './registry.js';

const MAX_PROCESSING_ATTEMPTS = 5;
const PROCESSING_CONCURRENCY = 4;

export interface InboxOptions {
  db: Kysely<DB>;
  conversations: ConversationService;
  logger: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** How long a claim holds unless renewed; it is renewed every `renewMs` (a third of it) while the event is processed. */
  leaseMs?: number;
  renewMs?: number;
  pollMs?: number;
  /** Fetches and stores the files an event carries (attachments/inbound-media.ts); files are left out without it. */
  media?: InboundMediaStore;
  /** The providers whose adapters say how their channels show quick replies. */
  registry: ProviderRegistry;
}

class Unroutable extends Error {}

/**
 * Processes recorded webhook events after they were acknowledged: finds the channel and
 * its deployment, files the message into the contact's conversation and runs the agent.
 * An event is marked processed in the same transaction that stores the agent's reply and
 * its outbox row, so a crash anywhere before that leaves it pending, to be processed again
 * (idempotently: the contact message is keyed by the provider's event id).
 */
export function createInbox(options: InboxOptions) {
  const { db, conversations, logger } = options;
  const events = inboundEventsRepository(db);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  async function route(stored: StoredInboundEvent, event: InboundEvent) {
    const connection = await findConnection(db, stored.connectionId);
    if (!connection) throw new Unroutable(`Connection ${stored.connectionId} no longer exists`);
    const repos = workspaceRepositories(db, stored.workspaceId);
    const candidates = await repos.channels.forConnection(connection.id, event.channelIdentifier);
    // Twilio numbers reach their sms/calls channels through the phone configuration.
    const phone = await repos.phones.forConnection(connection.id, event.channelIdentifier);
    if (phone?.smsChannelId) {
      const sms = await repos.channels.get(phone.smsChannelId);
      if (sms) candidates.push(sms);
    }
    const wanted = typeof event.replyContext?.channelType === 'string' ? event.replyContext.channelType : undefined;
    const channel =
      candidates.find((c) => c.deploymentType === wanted) ?? (wanted === undefined ? candidates.find((c) => c.deploymentType !== 'calls') : undefined);
    if (!channel) {
      throw new Unroutable(`No ${wanted ?? ''} deployment channel with identifier ${event.channelIdentifier} uses connection ${connection.id}`.replace('  ', ' '));
    }
    const deployment = await repos.deployments.findByChannel(channel.id);
    if (!deployment || deployment.status !== DeploymentStatus.ACTIVE) {
      throw new Unroutable(`Channel ${channel.id} has no active deployment, so nobody answers it`);
    }
    return { channel, agentId: deployment.agentId, numberedChoices: answersByNumber(options.registry.get(connection.provider)?.adapter, channel.deploymentType) };
  }

  async function processOne(stored: StoredInboundEvent): Promise<void> {
    const event = stored.event as InboundEvent;
    try {
      const { channel, agentId, numberedChoices } = await route(stored, event);
      let finished = false;
      const finish = async (trx: Kysely<DB>) => {
        await inboundEventsRepository(trx).markProcessed(stored.id);
        finished = true;
      };
      await conversations.handleProviderMessage(
        {
          workspaceId: stored.workspaceId,
          channel,
          agentId,
          providerEventId: stored.providerEventId,
          contact: event.contact,
          text: event.text,
          replyContext: event.replyContext,
          numberedChoices,
          media: event.media?.length && options.media ? (conversation) => options.media!(stored.connectionId, conversation, event.media!) : undefined,
        },
        { alongsideReply: (trx) => finish(trx), onDeferred: () => finish(db) },
      );
      if (!finished) throw new Error('the agent turn did not complete');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The database, not the event: rethrown, and the event is given back without spending an attempt.
      if (isDatabaseFault(error)) throw error;
      const giveUp = error instanceof Unroutable || stored.attempts >= MAX_PROCESSING_ATTEMPTS;
      await persist(() => events.markFailed(stored.id, message, giveUp));
      logger.warn({ inboundEventId: stored.id, providerEventId: stored.providerEventId, err: message, giveUp }, 'inbound event not processed');
    }
  }

  // A few at a time: processing shares the event loop with the webhooks being acknowledged, and
  // acknowledging comes first. A burst leaves a backlog here, not slow acknowledgements.
  const loop = createClaimLoop<StoredInboundEvent>({
    name: 'inbound event',
    claim: (limit) => events.claim(limit, leaseMs),
    run: processOne,
    renew: async (claimed) => {
      const until = Date.now() + leaseMs;
      const held: StoredInboundEvent[] = [];
      for (const event of claimed) if (await events.renew(event.id, event.leaseUntil, until)) held.push({ ...event, leaseUntil: until });
      return held;
    },
    release: async (claimed) => (await Promise.all(claimed.map((event) => events.release(event.id, event.leaseUntil)))).filter(Boolean).length,
    concurrency: PROCESSING_CONCURRENCY,
    batchSize: PROCESSING_CONCURRENCY,
    leaseMs,
    ...(options.renewMs !== undefined && { renewMs: options.renewMs }),
    pollMs: options.pollMs ?? 1000,
    logger,
    yieldBetweenClaims: true,
  });

  return {
    kick: loop.kick,
    start: loop.start,
    /** Resolves once nothing is being processed (tests). */
    idle: loop.idle,
    /** Events claimed by this node and not finished yet. */
    inFlight: loop.inFlight,
    /**
     * Stops claiming, waits for the events being processed until `deadline` (epoch ms; without one,
     * until they end), then gives back what is still unfinished so another node takes it at once.
     */
    stop: loop.stop,
  };
}
export type Inbox = ReturnType<typeof createInbox>;
