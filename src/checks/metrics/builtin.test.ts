import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, builtinQuery, isBuiltinMetric } from './builtin.ts';

const vars = { namespace: 'nginx', ingress: 'podinfo', interval: '1m' };

describe('builtinQuery', () => {
  it('request-success-rate is the percentage of non-5xx canary requests', () => {
    expect(builtinQuery('request-success-rate', vars)).toBe(
      'sum(rate(nginx_ingress_controller_requests{namespace="nginx",ingress="podinfo",canary!="",status!~"5.*"}[1m])) / ' +
        'sum(rate(nginx_ingress_controller_requests{namespace="nginx",ingress="podinfo",canary!=""}[1m])) * 100',
    );
  });

  it('request-duration is the mean canary response time in milliseconds', () => {
    expect(builtinQuery('request-duration', { ...vars, interval: '30s' })).toBe(
      'sum(rate(nginx_ingress_controller_response_duration_seconds_sum{namespace="nginx",ingress="podinfo",canary!=""}[30s])) / ' +
        'sum(rate(nginx_ingress_controller_response_duration_seconds_count{namespace="nginx",ingress="podinfo",canary!=""}[30s])) * 1000',
    );
  });

  it('returns undefined for other names', () => {
    expect(builtinQuery('error-rate', vars)).toBeUndefined();
    expect(builtinQuery('', vars)).toBeUndefined();
  });

  it('escapes label values', () => {
    expect(builtinQuery('request-duration', { ...vars, ingress: 'a"b\\c' })).toContain(
      'ingress="a\\"b\\\\c"',
    );
  });

  it('knows exactly the two built-in names', () => {
    expect(BUILTIN_METRICS).toEqual(['request-success-rate', 'request-duration']);
    expect(isBuiltinMetric('request-duration')).toBe(true);
    expect(isBuiltinMetric('request-durations')).toBe(false);
  });
});
