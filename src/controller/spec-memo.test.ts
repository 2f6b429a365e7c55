import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/types.ts';
import { SpecMemo } from './spec-memo.ts';

function canary(generation: number, stepWeight: unknown, uid = 'u1'): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop', uid, generation },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight },
    },
  } as Canary;
}

describe('SpecMemo', () => {
  it('validates and defaults once per generation, again after a spec change or a re-created Canary', () => {
    const memo = new SpecMemo();
    const first = memo.of(canary(1, 10));
    expect(first.issues).toEqual([]);
    expect(memo.of(canary(1, 10))).toBe(first);
    const changed = memo.of(canary(2, 'ten'));
    expect(changed.issues.map((i) => i.field)).toContain('spec.analysis.stepWeight');
    expect(memo.of(canary(2, 10, 'u2'))).not.toBe(changed);
  });

  it('hands out a frozen spec, so no reconcile can change what the next one reads', () => {
    const { spec } = new SpecMemo().of(canary(1, 10));
    expect(() => {
      (spec.analysis as { stepWeight?: number }).stepWeight = 20;
    }).toThrow(TypeError);
  });
});
