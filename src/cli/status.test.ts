import { describe, expect, it } from 'vitest';
import type { Canary, CanaryStatus } from '../api/types.ts';
import type { V1Deployment } from '../kube/types.ts';
import { templateHash } from '../resources/workload.ts';
import { EXIT_FAILED, EXIT_SUCCEEDED, outcomeOf, progressLine } from './status.ts';

const target = (tag: string): V1Deployment => ({
  metadata: { name: 'podinfo' },
  spec: {
    selector: { matchLabels: { app: 'podinfo' } },
    template: { spec: { containers: [{ name: 'app', image: `podinfo:${tag}` }] } },
  },
});

function canary(status: CanaryStatus, generation = 1): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', generation },
    spec: { targetRef: { name: 'podinfo' }, service: { port: 80 }, analysis: { interval: '1m' } },
    status: { observedGeneration: 1, ...status },
  };
}

describe('outcomeOf', () => {
  const applied = templateHash(target('6.0.1'));

  it('ends on Succeeded and Initialized with 0, on Failed with 1', () => {
    expect(
      outcomeOf(canary({ phase: 'Succeeded', lastAppliedSpec: applied }), target('6.0.1')),
    ).toMatchObject({
      code: EXIT_SUCCEEDED,
    });
    expect(
      outcomeOf(canary({ phase: 'Initialized', lastAppliedSpec: applied }), target('6.0.1')),
    ).toMatchObject({
      code: EXIT_SUCCEEDED,
    });
    expect(
      outcomeOf(
        canary({ phase: 'Failed', lastAppliedSpec: applied, message: 'webhook load-test failed' }),
        target('6.0.1'),
      ),
    ).toEqual({ code: EXIT_FAILED, message: 'podinfo.test: release failed: webhook load-test failed' });
  });

  it('keeps waiting while a release runs', () => {
    for (const phase of ['Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising'] as const)
      expect(outcomeOf(canary({ phase, lastAppliedSpec: applied }), target('6.0.1'))).toBeUndefined();
  });

  it('keeps waiting when the target changed and the controller has not started the release yet', () => {
    expect(
      outcomeOf(canary({ phase: 'Succeeded', lastAppliedSpec: applied }), target('6.0.2')),
    ).toBeUndefined();
  });

  it('keeps waiting until the controller has seen the latest spec', () => {
    expect(
      outcomeOf(canary({ phase: 'Succeeded', lastAppliedSpec: applied }, 2), target('6.0.1')),
    ).toBeUndefined();
  });

  it('fails when the canary is gone', () => {
    expect(outcomeOf(undefined, undefined)).toMatchObject({ code: EXIT_FAILED });
  });
});

describe('progressLine', () => {
  it('shows the phase, the weight while progressing, and the message', () => {
    const at = new Date('2025-03-01T12:00:05Z');
    expect(
      progressLine(canary({ phase: 'Progressing', canaryWeight: 20, message: 'canary weight 20' }), at),
    ).toBe('12:00:05 Progressing weight=20: canary weight 20');
    expect(progressLine(canary({ phase: 'Waiting', message: 'waiting for approval' }), at)).toBe(
      '12:00:05 Waiting: waiting for approval',
    );
  });
});
