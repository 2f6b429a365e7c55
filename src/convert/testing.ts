/** Helpers for the converter's tests: fixtures and a minimal Flagger Canary. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Canary } from '../api/types.ts';
import { ConversionError, convertDocuments } from './convert.ts';

/** Text of a file in test/fixtures/flagger. */
export const fixtureText = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/flagger/${name}`, import.meta.url), 'utf8');

/** The documents of a file in test/fixtures/flagger, as plain objects. */
export const fixture = (name: string) =>
  parseAllDocuments(fixtureText(name)).map((d) => d.toJS() as Record<string, unknown>);

/** A minimal Flagger NGINX Canary; `spec` entries replace the defaults. */
export function flaggerCanary(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'app', namespace: 'test', ...metadata },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'app' },
      service: { port: 80 },
      analysis: { interval: '30s', threshold: 5, maxWeight: 50, stepWeight: 10 },
      ...spec,
    },
  };
}

/** Converts one Canary document. */
export function convertCanary(doc: unknown) {
  const { documents, warnings } = convertDocuments([doc]);
  return { out: documents[0] as Canary, warnings };
}

/** The ConversionError `fn` throws. */
export function conversionError(fn: () => unknown): ConversionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConversionError) return err;
    throw err;
  }
  throw new Error('expected a ConversionError');
}
