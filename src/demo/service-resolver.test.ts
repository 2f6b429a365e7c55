import { describe, expect, it } from 'vitest';
import { parseJob } from './loadtester-jobs.ts';
import { serviceOf } from './service-resolver.ts';

describe('service URLs', () => {
  it('names the Service and namespace of http://<service>.<namespace>[.svc[.cluster.local]]', () => {
    expect(serviceOf(new URL('http://podinfo-canary.test/token'))).toEqual({
      service: 'podinfo-canary',
      namespace: 'test',
    });
    expect(serviceOf(new URL('http://podinfo.test.svc.cluster.local:9898/'))).toEqual({
      service: 'podinfo',
      namespace: 'test',
    });
    expect(serviceOf(new URL('http://podinfo/'))).toBeUndefined();
    expect(serviceOf(new URL('http://127.0.0.1/'))).toBeUndefined();
    expect(serviceOf(new URL('http://app.example.com/'))).toBeUndefined();
    expect(serviceOf(new URL('https://podinfo.test/'))).toBeUndefined();
  });

  it('lets the load tester take a URL beyond loopback only when told to', () => {
    const metadata = { type: 'request', url: 'http://podinfo-canary.test/' };
    expect(() => parseJob(metadata)).toThrow(/not a loopback address/);
    expect(parseJob(metadata, (u) => serviceOf(u) !== undefined).url.hostname).toBe('podinfo-canary.test');
  });
});
