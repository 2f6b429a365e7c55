import { describe, expect, it } from 'vitest';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { stepLines, stepViews } from './steps-view.ts';

function canary(status: CanaryStatus): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { name: 'podinfo' },
      service: { port: 80 },
      analysis: {
        interval: '1m',
        steps: [
          { setHeaderRoute: { match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } },
          { setWeight: 1 },
          { pause: {} },
          { setWeight: 10, interval: '2m' },
          { pause: { duration: '10s' } },
          { setWeight: 50 },
        ],
      },
    },
    status,
  };
}

describe('kanaria get: analysis.steps', () => {
  it('lists every step, the one in force marked and those before it done', () => {
    expect(stepLines(stepViews(canary({ phase: 'Progressing', currentStep: 2 }))!)).toEqual([
      'Steps:',
      '  ✓ 1. header route x-canary=insider',
      '  ✓ 2. setWeight 1',
      '  ▶ 3. pause until approved',
      '    4. setWeight 10 (interval 2m)',
      '    5. pause 10s',
      '    6. setWeight 50',
    ]);
  });

  it('marks none before the first step and after a rollback, and all once promoted', () => {
    const marks = (status: CanaryStatus) => stepViews(canary(status))!.map((s) => s.state);
    expect(marks({ phase: 'Progressing' })).toEqual(Array(6).fill('next'));
    expect(marks({ phase: 'Failed', currentStep: 3 })).toEqual(Array(6).fill('next'));
    expect(marks({ phase: 'Succeeded', currentStep: 5 })).toEqual(Array(6).fill('done'));
  });
});
