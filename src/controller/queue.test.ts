import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue.ts';

async function drain(queue: WorkQueue, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('WorkQueue', () => {
  it('hands keys out in the order added, each once however often it was added', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
    expect(queue.depth).toBe(3);
    expect(await drain(queue, 3)).toEqual(['a', 'b', 'c']);
  });

  it('puts a key added first ahead of those waiting, moving it if it waits already', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'c']) queue.add(key);
    queue.addFirst('d');
    queue.addFirst('c');
    expect(queue.depth).toBe(4);
    expect(await drain(queue, 4)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('runs a key added while it is worked on once more afterwards, never twice at once', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const key = await queue.get();
    queue.addFirst('a');
    queue.add('b');
    expect(await queue.get()).toBe('b');
    queue.done('b');
    queue.done(key!);
    expect(await queue.get()).toBe('a');
  });
});
