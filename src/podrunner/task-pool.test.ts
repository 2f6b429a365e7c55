import { describe, expect, it } from 'vitest';
import { TaskPool } from './task-pool.ts';

function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('TaskPool', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const pool = new TaskPool(2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    gates.forEach((g, i) =>
      pool.add(async () => {
        started.push(i);
        await g.opened;
      }),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[1].open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await pool.idle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(pool.busy).toBe(false);
  });

  it('keeps going after a task fails, and idle() waits for tasks added while waiting', async () => {
    const pool = new TaskPool(1);
    const done: string[] = [];
    pool.add(async () => {
      pool.add(async () => {
        done.push('added later');
      });
      throw new Error('boom');
    });
    await pool.idle();
    expect(done).toEqual(['added later']);
  });

  it('refuses a limit below 1', () => {
    expect(() => new TaskPool(0)).toThrow('limit 0 is not at least 1');
  });
});
