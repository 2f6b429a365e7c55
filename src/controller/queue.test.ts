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

  it('says how long a key waited from being queued to being handed out', async () => {
    let now = 1_000;
    const queue = new WorkQueue(() => now);
    queue.add('a');
    now += 250;
    queue.add('b');
    now += 500;
    const first = (await queue.get())!;
    expect([first, queue.takeWaitMs(first)]).toEqual(['a', 750]);
    const second = (await queue.get())!;
    expect([second, queue.takeWaitMs(second)]).toEqual(['b', 500]);
    // A key a waiting worker takes at once waited nothing; a key asked twice is counted once.
    const taken = queue.get();
    queue.add('c');
    expect(queue.takeWaitMs((await taken)!)).toBe(0);
    expect(queue.takeWaitMs('c')).toBe(0);
  });
});

describe('WorkQueue.addSoon', () => {
  it('makes the adds of one window one item, added when the window ends', async () => {
    const queue = new WorkQueue(Date.now, 30);
    queue.addSoon('ns/a');
    queue.addSoon('ns/a');
    queue.addSoon('ns/b');
    queue.addSoon('ns/a');
    expect(queue.depth).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(queue.depth).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    queue.shutdown();
  });

  it('runs a key once more when its window ends while it is being worked on', async () => {
    const queue = new WorkQueue(Date.now, 20);
    queue.add('ns/a');
    expect(await queue.get()).toBe('ns/a');
    queue.addSoon('ns/a');
    await new Promise((r) => setTimeout(r, 40));
    expect(queue.depth).toBe(0);
    queue.done('ns/a');
    expect(queue.depth).toBe(1);
    queue.shutdown();
  });

  it('adds at once without a window, and nothing after shutdown', async () => {
    const queue = new WorkQueue(Date.now);
    queue.addSoon('ns/a');
    expect(queue.depth).toBe(1);
    const closing = new WorkQueue(Date.now, 10);
    closing.addSoon('ns/a');
    closing.shutdown();
    await new Promise((r) => setTimeout(r, 30));
    expect(closing.depth).toBe(0);
    queue.shutdown();
  });

  it('an earlier delayed add still moves the armed timer forward', async () => {
    const queue = new WorkQueue(Date.now);
    queue.addAfter('ns/late', 200);
    queue.addAfter('ns/early', 10);
    await new Promise((r) => setTimeout(r, 40));
    expect(queue.depth).toBe(1);
    expect(await queue.get()).toBe('ns/early');
    queue.shutdown();
  });

  it('says why a key ran: the first reason since its last run, timer for a delayed add', async () => {
    const queue = new WorkQueue(Date.now, 10);
    queue.addSoon('ns/a', 'Deployment');
    queue.add('ns/a', 'checks');
    queue.addAfter('ns/b', 5);
    queue.addAfter('ns/c', 5, 'retry');
    await new Promise((r) => setTimeout(r, 40));
    const ran: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = (await queue.get())!;
      ran.push(`${key} ${queue.takeReason(key)}`);
      queue.done(key);
    }
    expect(ran.sort()).toEqual(['ns/a Deployment', 'ns/b timer', 'ns/c retry']);
    queue.add('ns/a');
    expect(queue.takeReason((await queue.get())!)).toBe('other');
    queue.shutdown();
  });
});
