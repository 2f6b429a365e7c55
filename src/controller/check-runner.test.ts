import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../engine/model.ts';
import { CheckRunner } from './check-runner.ts';

const OK: CheckResult[] = [{ kind: 'webhook', name: 'hook', ok: true, message: 'ok' }];

/** A check stage that answers `OK` after `ms`, counting its runs. */
function stage(ms: number) {
  const counter = { runs: 0 };
  const run = async (): Promise<CheckResult[]> => {
    counter.runs++;
    await sleep(ms);
    return OK;
  };
  return { counter, run };
}

function runner(inlineWaitMs: number, maxInlineWaits = 4) {
  const woken: string[] = [];
  const checks = new CheckRunner({ wake: (key) => woken.push(key), inlineWaitMs, maxInlineWaits });
  return { checks, woken };
}

describe('CheckRunner', () => {
  it('hands results that come within the inline wait to the reconcile that started them, with no wake', async () => {
    const { checks, woken } = runner(200);
    const quick = stage(5);
    expect(await checks.results('ns/a', 'v1', 'analysis', quick.run)).toEqual(OK);
    await sleep(30);
    expect(woken).toEqual([]);
    expect(quick.counter.runs).toBe(1);
  });

  it('gives the worker back when the checks are slower, and wakes the Canary once they are in', async () => {
    const { checks, woken } = runner(20);
    const slow = stage(80);
    expect(await checks.results('ns/a', 'v1', 'analysis', slow.run)).toBeUndefined();
    expect(woken).toEqual([]);
    await sleep(120);
    expect(woken).toEqual(['ns/a']);
    // The woken reconcile finds them without running the stage again.
    expect(await checks.results('ns/a', 'v1', 'analysis', slow.run)).toEqual(OK);
    expect(slow.counter.runs).toBe(1);
  });

  it('lets a later reconcile wait for a stage already running, without a second run or a wake', async () => {
    const { checks, woken } = runner(40);
    const slow = stage(60);
    expect(await checks.results('ns/a', 'v1', 'analysis', slow.run)).toBeUndefined();
    expect(await checks.results('ns/a', 'v1', 'analysis', slow.run)).toEqual(OK);
    await sleep(30);
    expect(woken).toEqual([]);
    expect(slow.counter.runs).toBe(1);
  });

  it('never holds more workers than maxInlineWaits for checks', async () => {
    const { checks, woken } = runner(100, 1);
    const slow = stage(300);
    const started = performance.now();
    const first = checks.results('ns/a', 'v1', 'analysis', slow.run);
    // The one inline wait is taken: the second Canary's reconcile returns at once.
    expect(await checks.results('ns/b', 'v1', 'analysis', slow.run)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(50);
    expect(await first).toBeUndefined();
    await sleep(350);
    expect(woken.sort()).toEqual(['ns/a', 'ns/b']);
  });

  it('with no inline wait, always returns at once and wakes the Canary', async () => {
    const { checks, woken } = runner(0);
    const quick = stage(1);
    expect(await checks.results('ns/a', 'v1', 'analysis', quick.run)).toBeUndefined();
    await sleep(30);
    expect(woken).toEqual(['ns/a']);
  });

  it('drops results for a version the Canary has left, and stopped checks wake nobody', async () => {
    const { checks, woken } = runner(10);
    const slow = stage(50);
    expect(await checks.results('ns/a', 'v1', 'analysis', slow.run)).toBeUndefined();
    // The Canary changed while the first run was out: its results are about the old version.
    expect(await checks.results('ns/a', 'v2', 'analysis', slow.run)).toBeUndefined();
    await sleep(100);
    expect(woken).toEqual(['ns/a']); // the v2 run only
    expect(slow.counter.runs).toBe(2);

    const stopped = async (): Promise<CheckResult[]> => {
      await sleep(5);
      throw new Error('aborted');
    };
    expect(await checks.results('ns/b', 'v1', 'analysis', stopped)).toBeUndefined();
    await sleep(30);
    expect(woken).toEqual(['ns/a']);
  });
});
