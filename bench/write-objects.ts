// The objects the write benchmarks write: app i's own Ingress, its canary Ingress as the operator builds
// it, and its Canary.
import { randomBytes } from 'node:crypto';
import type { V1Ingress } from '@kubernetes/client-node';
import { buildCanaryIngress } from '../src/router/nginx.ts';

export const PREFIX = 'nginx.ingress.kubernetes.io';
export const HASH_ANNOTATION = 'kanaria.dev/applied-hash';

export const appName = (i: number) => `app-${String(i).padStart(4, '0')}`;

/** The app's own Ingress, which the canary Ingress copies. */
export function sourceIngress(namespace: string, i: number): V1Ingress {
  const name = appName(i);
  const backend = { service: { name, port: { number: 80 } } };
  return {
    metadata: { name, namespace },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
    },
  };
}

/** The canary Ingress the operator writes for app `i` at `weight`, built by its nginx router. */
export function canaryIngress(namespace: string, i: number, weight: number, uid: string): V1Ingress {
  const name = appName(i);
  const ingress = buildCanaryIngress({
    source: sourceIngress(namespace, i),
    apexService: name,
    canaryService: `${name}-canary`,
    owner: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name, uid },
    prefix: PREFIX,
    routes: { weight, match: false },
  });
  ingress.metadata!.annotations![HASH_ANNOTATION] = randomBytes(8).toString('hex');
  return ingress;
}

/** App `i`'s Canary, of the CRD of `group` (a copy's group for the CRD variants), named with `suffix`. */
export function canaryObject(namespace: string, i: number, group = 'kanaria.dev', suffix = '') {
  const name = appName(i);
  return {
    apiVersion: `${group}/v1beta1`,
    kind: 'Canary',
    metadata: { name: `${name}${suffix}`, namespace },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 80 },
      analysis: { interval: '10s', threshold: 2, maxWeight: 50, stepWeight: 10 },
    },
  };
}
