import { describe, expect, it } from 'vitest';
import { openedConnections, OPENED_CONNECTION_TTL_MS, type OpenedConnection } from '../../packages/server/src/connections/opened-connections.js';

/** A connection store the cache reads from, counting its reads; `now` is moved by hand. */
function fixture() {
  const clock = { now: 1_000_000 };
  const rows = new Map<string, string>([['conn_a', 'token-1']]);
  const reads: string[] = [];
  let failNext = false;
  const open = async (id: string): Promise<OpenedConnection | undefined> => {
    reads.push(id);
    const token = rows.get(id);
    await Promise.resolve();
    if (failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    return token === undefined ? undefined : ({ record: { id }, context: { secrets: { authToken: token } } } as unknown as OpenedConnection);
  };
  const cache = openedConnections(open, { now: () => clock.now });
  const token = async (id: string) => (await cache.get(id))?.context.secrets.authToken;
  return { clock, rows, reads, cache, token, failOnce: () => (failNext = true) };
}

describe('opened connections kept for webhooks', () => {
  it('keeps a connection no longer than a second, so a change made through another node is seen within it', async () => {
    expect(OPENED_CONNECTION_TTL_MS).toBeLessThanOrEqual(1_000);
    const { clock, rows, reads, token } = fixture();
    expect(await token('conn_a')).toBe('token-1');
    rows.set('conn_a', 'token-2');
    clock.now += OPENED_CONNECTION_TTL_MS - 1;
    expect(await token('conn_a')).toBe('token-1');
    clock.now += 1;
    expect(await token('conn_a')).toBe('token-2');
    expect(reads).toEqual(['conn_a', 'conn_a']);
  });

  it('drops a connection at once when it is changed or deleted through this node, and every one when a secret changes', async () => {
    const { rows, reads, cache, token } = fixture();
    rows.set('conn_b', 'b-1');
    await token('conn_a');
    await token('conn_b');
    rows.set('conn_a', 'token-2');
    cache.forget('conn_a');
    expect(await token('conn_a')).toBe('token-2');
    expect(await token('conn_b')).toBe('b-1');
    rows.delete('conn_a');
    cache.forget('conn_a');
    expect(await cache.get('conn_a')).toBeUndefined();
    rows.set('conn_b', 'b-2');
    cache.clear();
    expect(await token('conn_b')).toBe('b-2');
    expect(reads).toEqual(['conn_a', 'conn_b', 'conn_a', 'conn_a', 'conn_b']);
  });

  it('shares one read among webhooks arriving together, and keeps neither a missing connection nor a failed read', async () => {
    const { rows, reads, cache, token, failOnce } = fixture();
    const together = await Promise.all([token('conn_a'), token('conn_a'), token('conn_a')]);
    expect(together).toEqual(['token-1', 'token-1', 'token-1']);
    expect(reads).toEqual(['conn_a']);

    expect(await cache.get('conn_new')).toBeUndefined();
    rows.set('conn_new', 'fresh');
    expect(await token('conn_new')).toBe('fresh');

    failOnce();
    await expect(cache.get('conn_other')).rejects.toThrow('database unavailable');
    rows.set('conn_other', 'other');
    expect(await token('conn_other')).toBe('other');
  });

  it('does not keep what a read in progress returns when the connection changed meanwhile', async () => {
    const { rows, cache, token } = fixture();
    const inProgress = cache.get('conn_a');
    rows.set('conn_a', 'token-2');
    cache.forget('conn_a');
    expect((await inProgress)?.context.secrets.authToken).toBe('token-1');
    expect(await token('conn_a')).toBe('token-2');
  });
});
