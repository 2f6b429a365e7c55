import { describe, expect, it } from 'vitest';
import type { V1Ingress } from '../kube/types.ts';
import { buildCanaryIngress } from '../router/nginx.ts';
import type { Routes } from '../router/router.ts';
import { annotationOnlyPatch } from './annotation-patch.ts';
import { hashOf } from './hash.ts';
import { APPLIED_HASH_ANNOTATION } from './meta.ts';

const P = 'nginx.ingress.kubernetes.io';
const WEIGHT = `${P}/canary-weight`;
const source: V1Ingress = {
  metadata: { name: 'app', namespace: 'shop', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
  spec: {
    rules: [
      {
        host: 'app.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
};
const HEADER = [{ headers: { 'x-canary': { exact: 'insider' } } }];

function desired(routes: Routes, from: V1Ingress = source): V1Ingress {
  return buildCanaryIngress({
    source: from,
    apexService: 'app',
    canaryService: 'app-canary',
    owner: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: 'app', uid: 'u-1' },
    prefix: P,
    routes,
    match: HEADER,
  });
}

/** The object as the API server holds it after Kanaria applied `applied`: its hash and server fields added. */
function liveAfterApply(applied: V1Ingress): V1Ingress {
  const live = structuredClone(applied);
  live.metadata!.annotations = { ...live.metadata!.annotations, [APPLIED_HASH_ANNOTATION]: hashOf(applied) };
  live.metadata!.resourceVersion = '42';
  live.metadata!.managedFields = [{ manager: 'kanaria', operation: 'Apply' }];
  live.status = { loadBalancer: {} };
  return live;
}

describe('annotationOnlyPatch', () => {
  it('patches the weight and the applied hash when the weight is all that changed since the last apply', () => {
    const live = liveAfterApply(desired({ weight: 10, match: false }));
    const next = desired({ weight: 20, match: false });
    expect(annotationOnlyPatch(next, live, WEIGHT, hashOf(next))).toEqual({
      [WEIGHT]: '20',
      [APPLIED_HASH_ANNOTATION]: hashOf(next),
    });
  });

  it('keeps a header route beside the weight: a weight change with the header kept is still a patch', () => {
    const live = liveAfterApply(desired({ weight: 10, match: true, rules: HEADER }));
    const next = desired({ weight: 30, match: true, rules: HEADER });
    expect(annotationOnlyPatch(next, live, WEIGHT, hashOf(next))?.[WEIGHT]).toBe('30');
  });

  it('needs the apply when an annotation is dropped or added with the weight (a merge patch would leave it)', () => {
    const withHeader = liveAfterApply(desired({ weight: 10, match: true, rules: HEADER }));
    const dropped = desired({ weight: 0, match: false });
    expect(annotationOnlyPatch(dropped, withHeader, WEIGHT, hashOf(dropped))).toBeUndefined();
    const plain = liveAfterApply(desired({ weight: 10, match: false }));
    const added = desired({ weight: 20, match: true, rules: HEADER });
    expect(annotationOnlyPatch(added, plain, WEIGHT, hashOf(added))).toBeUndefined();
  });

  it('needs the apply when the source Ingress changed (a new path) together with the weight', () => {
    const live = liveAfterApply(desired({ weight: 10, match: false }));
    const moved = structuredClone(source);
    moved.spec!.rules![0]!.http!.paths[0]!.path = '/v2';
    const next = desired({ weight: 20, match: false }, moved);
    expect(annotationOnlyPatch(next, live, WEIGHT, hashOf(next))).toBeUndefined();
  });

  it('needs the apply when the live object was edited by hand since (the apply undoes the edit)', () => {
    const live = liveAfterApply(desired({ weight: 10, match: false }));
    live.spec!.rules![0]!.host = 'edited.example.com';
    const next = desired({ weight: 20, match: false });
    expect(annotationOnlyPatch(next, live, WEIGHT, hashOf(next))).toBeUndefined();
  });

  it('needs the apply when the live object carries no applied hash, and sends nothing for an unchanged weight', () => {
    const live = liveAfterApply(desired({ weight: 10, match: false }));
    delete live.metadata!.annotations![APPLIED_HASH_ANNOTATION];
    const next = desired({ weight: 20, match: false });
    expect(annotationOnlyPatch(next, live, WEIGHT, hashOf(next))).toBeUndefined();
    const same = desired({ weight: 10, match: false });
    const current = liveAfterApply(same);
    expect(annotationOnlyPatch(same, current, WEIGHT, hashOf(same))).toBeUndefined();
  });
});
