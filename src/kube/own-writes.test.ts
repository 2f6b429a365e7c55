import { describe, expect, it } from 'vitest';
import { OwnWrites, resourceOfKind } from './own-writes.ts';

const at = (resourceVersion: string, name = 'podinfo-canary') => ({
  metadata: { namespace: 'shop', name, resourceVersion },
});

/** A write answered with `version` once `answer()` is called. */
function pendingWrite(own: OwnWrites, resource: string, name: string) {
  let answer!: (version: string | Error) => void;
  const done = own.track(
    resource,
    'shop',
    name,
    () =>
      new Promise<{ v: string }>((resolve, reject) => {
        answer = (v) => (v instanceof Error ? reject(v) : resolve({ v }));
      }),
    (out) => out.v,
  );
  return { answer, done };
}

const write = (own: OwnWrites, resource: string, name: string, version: string) =>
  own.track(
    resource,
    'shop',
    name,
    () => Promise.resolve(version),
    (v) => v,
  );

function verdictOf(own: OwnWrites, resource: string, obj: ReturnType<typeof at>): boolean[] {
  const verdicts: boolean[] = [];
  own.classify(resource, obj, (echo) => verdicts.push(echo));
  return verdicts;
}

describe('OwnWrites', () => {
  it('tells the echo of our own write from anyone else’s change', async () => {
    const own = new OwnWrites();
    await write(own, 'ingresses', 'podinfo-canary', '120');
    expect(verdictOf(own, 'ingresses', at('119'))).toEqual([false]); // older: ours is still due
    expect(verdictOf(own, 'ingresses', at('120'))).toEqual([true]);
    expect(verdictOf(own, 'ingresses', at('120'))).toEqual([false]); // consumed
    expect(own.size).toBe(0);
  });

  it('a newer version than our write is someone else’s and ends the entry', async () => {
    const own = new OwnWrites();
    await write(own, 'canaries', 'podinfo', '7');
    expect(verdictOf(own, 'canaries', at('9', 'podinfo'))).toEqual([false]);
    expect(verdictOf(own, 'canaries', at('7', 'podinfo'))).toEqual([false]);
    expect(own.size).toBe(0);
  });

  it('keeps several writes of one object and tells objects and kinds apart', async () => {
    const own = new OwnWrites();
    await write(own, 'canaries', 'podinfo', '10');
    await write(own, 'canaries', 'podinfo', '12');
    expect(verdictOf(own, 'ingresses', at('10', 'podinfo'))).toEqual([false]);
    expect(verdictOf(own, 'canaries', at('10', 'other'))).toEqual([false]);
    expect(verdictOf(own, 'canaries', at('10', 'podinfo'))).toEqual([true]);
    expect(verdictOf(own, 'canaries', at('12', 'podinfo'))).toEqual([true]);
    expect(own.size).toBe(0);
  });

  it('an event that comes before its write’s answer waits for it', async () => {
    const own = new OwnWrites();
    const ours = pendingWrite(own, 'ingresses', 'podinfo-canary');
    const early = verdictOf(own, 'ingresses', at('130'));
    expect(early).toEqual([]);
    ours.answer('130');
    await ours.done;
    expect(early).toEqual([true]);

    const other = pendingWrite(own, 'ingresses', 'podinfo-canary');
    const someoneElse = verdictOf(own, 'ingresses', at('131'));
    other.answer('132');
    await other.done;
    expect(someoneElse).toEqual([false]);

    const failing = pendingWrite(own, 'ingresses', 'podinfo-canary');
    const meanwhile = verdictOf(own, 'ingresses', at('140'));
    failing.answer(new Error('conflict'));
    await expect(failing.done).rejects.toThrow('conflict');
    expect(meanwhile).toEqual([false]);
    // Version 140 was seen after our 132: that echo can no longer come.
    expect(verdictOf(own, 'ingresses', at('132'))).toEqual([false]);
    expect(own.size).toBe(0);
  });

  it('names resources as the API server does', () => {
    expect(['Ingress', 'Deployment', 'HTTPRoute', 'HorizontalPodAutoscaler'].map(resourceOfKind)).toEqual([
      'ingresses',
      'deployments',
      'httproutes',
      'horizontalpodautoscalers',
    ]);
  });
});
