import { describe, expect, it } from 'vitest';
import type { V1Ingress } from '../kube/types.ts';
import { routeView } from './ingress.ts';

const P = 'nginx.ingress.kubernetes.io';

function ingress(
  name: string,
  service: string,
  annotations?: Record<string, string>,
  host?: string,
): V1Ingress {
  return {
    metadata: { name, namespace: 'test', annotations },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service, port: { number: 9898 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

describe('routeView', () => {
  it('is undefined without a main Ingress routing to a Service', () => {
    expect(routeView(undefined, undefined)).toBeUndefined();
    expect(routeView({ metadata: { name: 'x' }, spec: {} }, undefined)).toBeUndefined();
  });

  it('labels the location with the main Ingress, its Service, path and host', () => {
    expect(routeView(ingress('podinfo', 'podinfo', undefined, 'app.example.com'), undefined)).toEqual({
      location: {
        namespace: 'test',
        ingress: 'podinfo',
        service: 'podinfo',
        path: '/',
        host: 'app.example.com',
      },
    });
  });

  it('reads the canary rules and names the canary upstream <namespace>-<service>-<port>', () => {
    const view = routeView(
      ingress('podinfo', 'podinfo'),
      ingress('podinfo-canary', 'podinfo-canary', { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '30' }),
    );
    expect(view?.location).toMatchObject({ ingress: 'podinfo', service: 'podinfo', host: '_' });
    expect(view?.rules?.weight).toBe(30);
    expect(view?.canaryUpstream).toBe('test-podinfo-canary-9898');
  });

  it('uses a named port and a default backend', () => {
    const canary: V1Ingress = {
      metadata: { name: 'podinfo-canary', namespace: 'test', annotations: { [`${P}/canary`]: 'true' } },
      spec: { defaultBackend: { service: { name: 'podinfo-canary', port: { name: 'http' } } } },
    };
    expect(routeView(ingress('podinfo', 'podinfo'), canary)?.canaryUpstream).toBe('test-podinfo-canary-http');
  });

  it('ignores an Ingress that is not marked as a canary', () => {
    const view = routeView(
      ingress('podinfo', 'podinfo'),
      ingress('podinfo-canary', 'podinfo-canary', { [`${P}/canary-weight`]: '30' }),
    );
    expect(view?.rules).toBeUndefined();
    expect(view?.canaryUpstream).toBeUndefined();
  });
});
