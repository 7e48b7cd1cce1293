import type { Kysely } from 'kysely';
import type { App, DB } from '@switchboard/server';

/**
 * Queues a test event for a webhook subscription whose stored URL is `storedUrl`, an address the
 * egress policy refuses. The subscription is made with a host name (a literal internal address
 * would be refused when saved; `.invalid` never resolves, so nothing can leave loopback) and its row is then pointed inside, as a name that later
 * resolves inside would be. Resolves with the answer to the test send.
 */
export async function queueRefusedWebhookEvent(app: App, db: Kysely<DB>, apiKey: string, storedUrl: string) {
  const created = await app.server.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ url: 'https://hooks.switchboard.invalid/in', events: ['*'] }),
  });
  const id = created.json().data.id as string;
  await db.updateTable('webhook_subscriptions').set({ url: storedUrl }).where('id', '=', id).execute();
  return app.server.inject({ method: 'POST', url: `/v1/webhooks/${id}/test`, headers: { authorization: `Bearer ${apiKey}` } });
}
