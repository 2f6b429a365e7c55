import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePatchValue } from './record.ts';

/** RFC 7386 as the API server applies a merge patch. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

describe('status merge patches', () => {
  it('remove a nested key that is gone (a finished migration started again, a split without p-value)', () => {
    const before = {
      migration: { from: 'nginx', to: 'gatewayapi:v1', finishedAt: 't1', finishedBy: 'idle' },
    };
    const after = { migration: { from: 'gatewayapi:v1', to: 'nginx', startedAt: 't2' } };
    const patch = mergePatchValue(before, after);
    expect(patch).toEqual({
      migration: { from: 'gatewayapi:v1', to: 'nginx', startedAt: 't2', finishedAt: null, finishedBy: null },
    });
    expect(applyMergePatch(before, patch)).toEqual(after);
  });

  it('turn any status into any other when applied', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.array(fc.string(), { maxLength: 2 }),
        tie('object'),
      ),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 3 }),
    }));
    fc.assert(
      fc.property(json.object, json.object, (before, after) => {
        expect(applyMergePatch(before, mergePatchValue(before, after))).toEqual(after);
      }),
      { numRuns: 2_000 },
    );
  });
});
