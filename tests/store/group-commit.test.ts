import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../packages/server/src/store/group-commit.js';

describe('group commit', () => {
  it('splits batches by rows, never an item, and writes an item larger than the limit alone', async () => {
    const batches: number[][] = [];
    const submit = groupCommit<number[], number>({
      maxRows: 10,
      rowsOf: (item) => item.length,
      async write(items) {
        batches.push(items.map((item) => item.length));
        return items.map((item) => item.length);
      },
    });
    const sizes = [4, 4, 4, 12, 3, 7, 1];
    const answers = await Promise.all(sizes.map((size) => submit(Array.from({ length: size }, () => 0))));
    expect(answers).toEqual(sizes);
    expect(batches).toEqual([[4, 4], [4], [12], [3, 7], [1]]);
  });

  it('writes the items of a failed batch one by one only when the error allows it', async () => {
    const run = async (retryable: boolean) => {
      const writes: string[][] = [];
      const submit = groupCommit<string, string>({
        maxRows: 100,
        retryOneByOne: () => retryable,
        async write(items) {
          writes.push([...items]);
          if (items.includes('bad')) throw new Error(`cannot store ${items.join(',')}`);
          return items.map((item) => item.toUpperCase());
        },
      });
      const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => submit(item)));
      return { writes, outcomes: outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)) };
    };
    expect(await run(true)).toEqual({
      writes: [['a', 'bad', 'c'], ['a'], ['bad'], ['c']],
      outcomes: ['A', 'cannot store bad', 'C'],
    });
    expect(await run(false)).toEqual({
      writes: [['a', 'bad', 'c']],
      outcomes: ['cannot store a,bad,c', 'cannot store a,bad,c', 'cannot store a,bad,c'],
    });
  });
});
