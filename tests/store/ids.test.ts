import { afterEach, describe, expect, it, vi } from 'vitest';
import { ID_PATTERN, ID_PREFIX } from '@switchboard/core';
import { newId } from '../../packages/server/src/store/ids.js';

describe('generated ids', () => {
  afterEach(() => vi.restoreAllMocks());

  it('are the prefix and 16 base62 characters, for every kind', () => {
    for (const [kind, prefix] of Object.entries(ID_PREFIX)) {
      const id = newId(kind as keyof typeof ID_PREFIX);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{16}$`));
      expect(id).toMatch(ID_PATTERN);
    }
  });

  it('of messages, events and deliveries sort in the order they were made, millisecond by millisecond', () => {
    let now = Date.UTC(2026, 0, 1);
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    for (const kind of ['message', 'inboundEvent', 'delivery', 'webhookEvent'] as const) {
      const made: string[] = [];
      for (let n = 0; n < 500; n++) {
        now += 1 + (n % 61) * 997; // steps of 1 ms to a minute, across the carries of the low digits
        made.push(newId(kind));
      }
      expect([...made].sort()).toEqual(made);
    }
  });

  it('made in the same millisecond differ', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1));
    const ids = Array.from({ length: 50_000 }, () => newId('message'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('of other kinds do not start with the time', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1));
    const starts = new Set(Array.from({ length: 50 }, () => newId('attachment').slice(4, 12)));
    expect(starts.size).toBe(50);
  });
});
