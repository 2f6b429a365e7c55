import { describe, expect, it } from 'vitest';
import { BusySpell, workersBusy } from './busy-spell.ts';

describe('BusySpell', () => {
  it('stays busy for quietMs after it was last seen busy, then ends', () => {
    let now = 0;
    let busyNow = true;
    const spell = new BusySpell(
      () => busyNow,
      2_000,
      () => now,
    );
    expect(spell.busy).toBe(true);
    busyNow = false;
    now = 1_999;
    expect(spell.busy).toBe(true);
    now = 2_000;
    expect(spell.busy).toBe(false);
  });

  it('a busy moment noted between two questions extends the spell', () => {
    let now = 0;
    let busyNow = false;
    const spell = new BusySpell(
      () => busyNow,
      2_000,
      () => now,
    );
    expect(spell.busy).toBe(false);
    now = 500;
    busyNow = true;
    spell.note();
    busyNow = false;
    now = 2_400;
    expect(spell.busy).toBe(true);
    now = 2_500;
    expect(spell.busy).toBe(false);
  });
});

describe('workersBusy', () => {
  it('is busy with a Canary waiting, or with a quarter of the workers running', () => {
    let waiting = 0;
    let running = 0;
    const busy = workersBusy(
      () => waiting,
      () => running,
      16,
    );
    running = 3;
    expect(busy()).toBe(false);
    running = 4;
    expect(busy()).toBe(true);
    running = 0;
    waiting = 1;
    expect(busy()).toBe(true);
  });

  it('never counts a single worker running as busy', () => {
    const busy = workersBusy(
      () => 0,
      () => 1,
      1,
    );
    expect(busy()).toBe(false);
  });
});
