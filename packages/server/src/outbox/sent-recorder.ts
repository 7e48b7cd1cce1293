import type { SentDelivery } from '../store/repositories/deliveries.js';
import { groupCommit } from '../store/group-commit.js';

/**
 * Group commit for sends that succeeded (store/group-commit.ts): sends whose provider answered in
 * the same turn of the event loop, or while the previous write was under way, are recorded by one
 * statement of at most 100 rows. Each caller learns whether its node still held the row. A write
 * that fails fails every send it held; they stay claimed and are sent again under the same
 * idempotency key once their lease runs out, as a single one would.
 *
 * The returned function resolves once the send is recorded: true, or false when this node no
 * longer held the row.
 */
export function createSentRecorder(write: (sent: SentDelivery[]) => Promise<ReadonlySet<string>>): (sent: SentDelivery) => Promise<boolean> {
  return groupCommit<SentDelivery, boolean>({
    maxRows: 100,
    async write(sent) {
      const held = await write([...sent]);
      return sent.map((delivery) => held.has(delivery.id));
    },
  });
}
