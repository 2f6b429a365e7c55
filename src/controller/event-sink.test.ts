import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventInput } from '../kube/event-body.ts';
import { EventSink } from './event-sink.ts';

function event(name: string, note: string): EventInput {
  return {
    namespace: 'ns',
    regarding: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name },
    type: 'Normal',
    reason: 'Synced',
    action: 'Reconcile',
    note,
    now: new Date(0),
  };
}

/** A send whose calls stay pending until the test answers them. */
function heldSend() {
  const calls: { note: string; answer: (err?: Error) => void }[] = [];
  const send = (e: EventInput) =>
    new Promise<void>((resolve, reject) =>
      calls.push({ note: e.note, answer: (err) => (err ? reject(err) : resolve()) }),
    );
  return { calls, send };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('EventSink', () => {
  it('writes at most inFlight Events at once, one Canary’s Events in the order given', async () => {
    const { calls, send } = heldSend();
    const sink = new EventSink({ send, inFlight: 2, capacity: 100 });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/a', event('a', 'a2'));
    sink.add('ns/b', event('b', 'b1'));
    sink.add('ns/c', event('c', 'c1'));
    await settle();
    // a2 waits for a1 (same Canary); b1 takes the second slot.
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1']);
    calls[0]!.answer();
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1', 'a2']);
    calls[1]!.answer();
    calls[2]!.answer();
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1', 'a2', 'c1']);
    calls[3]!.answer();
    await sink.idle();
    expect(sink.size).toBe(0);
  });

  it('drops the oldest waiting Event when full, and counts it', async () => {
    const { calls, send } = heldSend();
    const dropped: string[] = [];
    const sink = new EventSink({ send, inFlight: 1, capacity: 2, onDropped: (e) => dropped.push(e.note) });
    for (const note of ['1', '2', '3', '4']) sink.add(`ns/${note}`, event(note, note));
    await settle();
    // 1 is being written; 2 and 3 waited, 4 came with the buffer full: 2 went.
    expect(dropped).toEqual(['2']);
    calls[0]!.answer();
    await settle();
    calls[1]!.answer();
    await settle();
    calls[2]!.answer();
    await sink.idle();
    expect(calls.map((c) => c.note)).toEqual(['1', '3', '4']);
  });

  it('reports a failed write and goes on with the next', async () => {
    const { calls, send } = heldSend();
    const failed: string[] = [];
    const sink = new EventSink({ send, inFlight: 1, capacity: 10, onFailed: (e) => failed.push(e.note) });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/a', event('a', 'a2'));
    await settle();
    calls[0]!.answer(new Error('503'));
    await settle();
    calls[1]!.answer();
    await sink.idle();
    expect(failed).toEqual(['a1']);
    expect(calls.map((c) => c.note)).toEqual(['a1', 'a2']);
  });

  it('stop drops what waits, lets the write in flight finish and refuses later Events', async () => {
    const { calls, send } = heldSend();
    const dropped: string[] = [];
    const sink = new EventSink({ send, inFlight: 1, capacity: 10, onDropped: (e) => dropped.push(e.note) });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/b', event('b', 'b1'));
    sink.add('ns/c', event('c', 'c1'));
    await settle();
    expect(sink.stop()).toBe(2);
    sink.add('ns/d', event('d', 'd1'));
    expect(dropped).toEqual(['b1', 'c1', 'd1']);
    const idle = sink.idle();
    calls[0]!.answer();
    await idle;
    expect(calls.map((c) => c.note)).toEqual(['a1']);
  });

  it('flush writes one Canary’s waiting Events now, after its write in flight, past the limit', async () => {
    const { calls, send } = heldSend();
    const sink = new EventSink({ send, inFlight: 1, capacity: 10 });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/b', event('b', 'b1'));
    sink.add('ns/a', event('a', 'a2'));
    sink.add('ns/a', event('a', 'a3'));
    await settle();
    let flushed = false;
    const flush = sink.flush('ns/a').then(() => (flushed = true));
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['a1']); // a2 waits for a1
    calls[0]!.answer();
    await settle();
    // a2 goes at once although b1 was queued first and the one slot is taken by b1.
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1', 'a2']);
    calls[2]!.answer();
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(flushed).toBe(false);
    calls[3]!.answer();
    await flush;
    calls[1]!.answer();
    await sink.idle();
    expect(sink.size).toBe(0);
  });

  it('holds Events while holdWhile says so and writes them once it stops, in order', async () => {
    const { calls, send } = heldSend();
    let backlog = true;
    const sink = new EventSink({
      send,
      inFlight: 2,
      capacity: 10,
      holdWhile: () => backlog,
      holdRecheckMs: 5,
    });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/b', event('b', 'b1'));
    sink.add('ns/a', event('a', 'a2'));
    await sleep(30);
    expect(calls).toEqual([]);
    expect(sink.size).toBe(3);
    backlog = false;
    await sleep(30);
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1']);
    for (const c of calls) c.answer();
    await settle();
    calls[2]!.answer();
    await sink.idle();
    expect(calls.map((c) => c.note)).toEqual(['a1', 'b1', 'a2']);
  });

  it('writes an Event held holdMaxMs although the backlog stays, the younger ones still held', async () => {
    const { calls, send } = heldSend();
    let now = 1_000;
    const sink = new EventSink({
      send,
      inFlight: 2,
      capacity: 10,
      holdWhile: () => true,
      holdMaxMs: 60_000,
      holdRecheckMs: 5,
      clock: () => now,
    });
    sink.add('ns/a', event('a', 'old'));
    now += 30_000;
    sink.add('ns/b', event('b', 'young'));
    now += 30_000;
    await sleep(30);
    expect(calls.map((c) => c.note)).toEqual(['old']);
    calls[0]!.answer();
    await sleep(30);
    expect(calls.map((c) => c.note)).toEqual(['old']);
    now += 30_000;
    await sleep(30);
    expect(calls.map((c) => c.note)).toEqual(['old', 'young']);
    calls[1]!.answer();
    await sink.idle();
  });

  it('writes the oldest held Events once the buffer is over half full, and drops none', async () => {
    const { calls, send } = heldSend();
    const dropped: string[] = [];
    const sink = new EventSink({
      send,
      inFlight: 4,
      capacity: 4,
      holdWhile: () => true,
      holdRecheckMs: 5,
      onDropped: (e) => dropped.push(e.note),
    });
    for (const note of ['1', '2']) sink.add(`ns/${note}`, event(note, note));
    await sleep(30);
    expect(calls).toEqual([]);
    sink.add('ns/3', event('3', '3'));
    await settle();
    // Three held in a buffer of four: the oldest goes, two stay held.
    expect(calls.map((c) => c.note)).toEqual(['1']);
    for (const note of ['4', '5', '6']) sink.add(`ns/${note}`, event(note, note));
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['1', '2', '3', '4']);
    expect(dropped).toEqual([]);
    expect(sink.stop()).toBe(2);
    for (const c of calls) c.answer();
    await sink.idle();
  });

  it('flush writes a Canary’s held Events at once, and stop drops the rest and ends the rechecks', async () => {
    const { calls, send } = heldSend();
    const dropped: string[] = [];
    let checks = 0;
    const sink = new EventSink({
      send,
      inFlight: 1,
      capacity: 10,
      holdWhile: () => (checks++, true),
      holdRecheckMs: 5,
      onDropped: (e) => dropped.push(e.note),
    });
    sink.add('ns/a', event('a', 'a1'));
    sink.add('ns/b', event('b', 'b1'));
    const flush = sink.flush('ns/a');
    await settle();
    expect(calls.map((c) => c.note)).toEqual(['a1']);
    calls[0]!.answer();
    await flush;
    expect(sink.stop()).toBe(1);
    expect(dropped).toEqual(['b1']);
    const checksAtStop = checks;
    await sleep(30);
    expect(checks).toBe(checksAtStop);
    await sink.idle();
  });

  it('refuses a sink that could never write', () => {
    expect(() => new EventSink({ send: async () => undefined, inFlight: 0, capacity: 1 })).toThrow(
      /inFlight and capacity must be at least 1/,
    );
  });
});
