import { describe, expect, it } from 'vitest';
import { differences } from './compare.ts';

describe('differences between desired and live objects', () => {
  it('ignores fields the API server adds or defaults', () => {
    const desired = { spec: { selector: { app: 'a-primary' }, ports: [{ port: 80, targetPort: 9898 }] } };
    const live = {
      spec: {
        clusterIP: '10.0.0.1',
        selector: { app: 'a-primary' },
        ports: [{ port: 80, targetPort: 9898, protocol: 'TCP' }],
      },
    };
    expect(differences(desired, live)).toEqual([]);
  });

  it('names each field Kanaria sets that was edited', () => {
    const desired = {
      metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '20' } },
      spec: { selector: { app: 'a-primary' } },
    };
    const live = {
      metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '100' } },
      spec: { selector: { app: 'a' } },
    };
    expect(differences(desired, live)).toEqual([
      'metadata.annotations.nginx.ingress.kubernetes.io/canary-weight',
      'spec.selector.app',
    ]);
  });

  it('treats a list of another length or a missing object as different, empty ones as equal', () => {
    expect(differences({ a: [1, 2] }, { a: [1] })).toEqual(['a']);
    expect(differences({ a: { b: 1 } }, {})).toEqual(['a']);
    expect(differences({ a: {}, b: [], c: '' }, {})).toEqual([]);
    expect(differences({ a: [] }, { a: [1] })).toEqual(['a']);
  });
});
