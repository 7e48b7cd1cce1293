import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageWriter } from '../../packages/server/src/conversations/message-writer.js';
import { conversationsRepository, type ConversationRecord } from '../../packages/server/src/store/repositories/conversations.js';
import type { EventBus } from '../../packages/server/src/bus/event-bus.js';
import type { QueuedReply } from '../../packages/server/src/outbox/enqueue-reply.js';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * On SQLite the message writer's transactions are shared by the writes submitted together
 * (store/shared-transactions.ts): when one of them fails, the others run again alone. A reply
 * queued for the outbox by the attempt that was rolled back must give its slot back, and only
 * what committed is handed over to be sent.
 */
describe.each(ENGINES)('message writer attempts on %s', (engine) => {
  let t: TestApp;
  let conversation: ConversationRecord;
  beforeAll(async () => {
    t = await createTestApp(engine);
    const agent = await t.request('POST', '/v1/agents', { name: 'Echo', backend: { type: 'echo' } });
    const deployment = await t.request('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: ['http://localhost:5500'] });
    expect(deployment.status).toBe(201);
    const channelId = deployment.body.data.deploymentChannelId ?? deployment.body.data.channelId;
    const repo = conversationsRepository(t.db, t.workspaceId);
    const contactId = await repo.createContact(channelId, null, { id: 'visitor-1' });
    conversation = await repo.createConversation({ channelId, agentId: agent.body.data.id, contactId, webDeploymentId: null });
  });
  afterAll(async () => {
    await t.close();
  });

  it('settles a rolled-back attempt’s reply as not committed, and stores and hands over the reply once', async () => {
    const enqueued: string[] = [];
    const settled: { messages: string[]; committed: boolean }[] = [];
    const writer = messageWriter({
      db: t.db,
      bus: { publish() {} } as unknown as EventBus,
      outbox: {
        async enqueue(_trx, _conversation, reply) {
          enqueued.push(reply.id);
          return { delivery: { id: `delivery-${enqueued.length}`, messageId: reply.id }, claimed: true } as unknown as QueuedReply;
        },
        settle(queued, committed) {
          settled.push({ messages: queued.map(({ delivery }) => delivery.messageId), committed });
        },
        kick() {},
      },
    });
    const facts = { recordingEnabled: true };
    const outcomes = await Promise.allSettled([
      writer.append(conversation, facts, { id: 'msg_reply', role: 'agent', text: 'hello' }),
      writer.append(conversation, facts, { role: 'contact', text: 'first', clientMessageId: 'same' }),
      // The unique (conversation, clientMessageId) key refuses one of these two (on PostgreSQL, whichever comes second).
      writer.append(conversation, facts, { role: 'contact', text: 'second', clientMessageId: 'same' }),
    ]);
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes.slice(1).map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const kept = outcomes[1].status === 'fulfilled' ? 'first' : 'second';
    if (engine === 'sqlite') expect(kept).toBe('first');

    const stored = await conversationsRepository(t.db, t.workspaceId).listMessages(conversation.id, 1, 50);
    expect(stored.data.map((message) => message.text).sort()).toEqual([kept, 'hello'].sort());
    if (engine === 'sqlite') {
      // The three shared a transaction that rolled back: the reply was queued twice, its first slot given back.
      expect(enqueued).toEqual(['msg_reply', 'msg_reply']);
      expect(settled).toEqual([
        { messages: ['msg_reply'], committed: false },
        { messages: ['msg_reply'], committed: true },
      ]);
    } else {
      expect(enqueued).toEqual(['msg_reply']);
      expect(settled).toEqual([{ messages: ['msg_reply'], committed: true }]);
    }
  });
});
