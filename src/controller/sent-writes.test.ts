import { describe, expect, it } from 'vitest';
import { SentWrites } from './sent-writes.ts';

const at = (resourceVersion: string) => ({ metadata: { name: 'app-canary', resourceVersion } });

describe('SentWrites', () => {
  it('skips the same write while the cache still shows an older version, and not once it caught up', () => {
    const sent = new SentWrites();
    sent.note('Ingress/ns/app-canary', 'h1', '120');
    expect(sent.sentAlready('Ingress/ns/app-canary', 'h1', at('100'))).toBe(true);
    // A different intent is written although ours is not seen yet.
    expect(sent.sentAlready('Ingress/ns/app-canary', 'h2', at('100'))).toBe(false);
    expect(sent.sentAlready('Ingress/ns/app-canary', 'h1', at('120'))).toBe(false);
    // The entry ended with the cache's newer version: nothing is skipped any more.
    expect(sent.sentAlready('Ingress/ns/app-canary', 'h1', at('100'))).toBe(false);
  });

  it('ends the entry on a version it cannot read, and keeps no entry for an unreadable answer', () => {
    const sent = new SentWrites();
    sent.note('Deployment/ns/app/scale', 'replicas=0', '50');
    expect(sent.sentAlready('Deployment/ns/app/scale', 'replicas=0', at('not-a-number'))).toBe(false);
    expect(sent.sentAlready('Deployment/ns/app/scale', 'replicas=0', at('10'))).toBe(false);
    sent.note('Deployment/ns/app/scale', 'replicas=0', undefined);
    expect(sent.sentAlready('Deployment/ns/app/scale', 'replicas=0', at('10'))).toBe(false);
  });
});
