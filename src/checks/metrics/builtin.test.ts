import { describe, expect, it } from 'vitest';
import {
  BUILTIN_METRICS,
  builtinQuery,
  isBuiltinMetric,
  traefikCanaryService,
  traefikNormalize,
} from './builtin.ts';

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

  it('reads ingress-nginx series when ingressController is ingress-nginx, as without it', () => {
    for (const name of BUILTIN_METRICS) {
      expect(
        builtinQuery(name, { ...vars, ingressController: 'ingress-nginx', service: 'x', port: 80 }),
      ).toBe(builtinQuery(name, vars));
    }
  });

  it('knows exactly the two built-in names', () => {
    expect(BUILTIN_METRICS).toEqual(['request-success-rate', 'request-duration']);
    expect(isBuiltinMetric('request-duration')).toBe(true);
    expect(isBuiltinMetric('request-durations')).toBe(false);
  });
});

describe('builtinQuery on traefik (kubernetesIngressNGINX provider)', () => {
  const traefik = {
    ...vars,
    ingressController: 'traefik' as const,
    service: 'podinfo',
    port: 80,
    portName: 'http',
  };
  const service = 'service=~"nginx-podinfo-podinfo-(80|http)-canary@kubernetesingressnginx"';

  it('request-success-rate is the percentage of non-5xx requests of the canary service', () => {
    expect(builtinQuery('request-success-rate', traefik)).toBe(
      `sum(rate(traefik_service_requests_total{${service},code!~"5.."}[1m])) / ` +
        `sum(rate(traefik_service_requests_total{${service}}[1m])) * 100`,
    );
  });

  it('request-duration is the mean duration of the canary service in milliseconds', () => {
    expect(builtinQuery('request-duration', { ...traefik, interval: '30s' })).toBe(
      `sum(rate(traefik_service_request_duration_seconds_sum{${service}}[30s])) / ` +
        `sum(rate(traefik_service_request_duration_seconds_count{${service}}[30s])) * 1000`,
    );
  });

  it('returns undefined for other names', () => {
    expect(builtinQuery('error-rate', traefik)).toBeUndefined();
  });

  it('names the canary service after the original Ingress and the apex Service, with its port number or name', () => {
    expect(traefikCanaryService({ ...traefik, namespace: 'shop', ingress: 'web', service: 'front' })).toBe(
      'shop-web-front-(80|http)-canary@kubernetesingressnginx',
    );
    expect(traefikCanaryService({ ...traefik, portName: undefined })).toBe(
      'nginx-podinfo-podinfo-80-canary@kubernetesingressnginx',
    );
    expect(traefikCanaryService({ ...traefik, port: undefined })).toBe(
      'nginx-podinfo-podinfo-http-canary@kubernetesingressnginx',
    );
  });

  it("normalises names as Traefik does: runs of other characters than letters and digits become one '-'", () => {
    expect(traefikNormalize('test-app.example.com-podinfo-80')).toBe('test-app-example-com-podinfo-80');
    expect(traefikNormalize('..a--b__c..')).toBe('a-b-c');
    expect(traefikCanaryService({ ...traefik, ingress: 'app.example.com', portName: 'http.web' })).toBe(
      'nginx-app-example-com-podinfo-(80|http-web)-canary@kubernetesingressnginx',
    );
  });

  it('cannot name the series without the apex Service or a port', () => {
    expect(() => builtinQuery('request-duration', { ...traefik, service: undefined })).toThrow(
      /apex Service name/,
    );
    expect(() =>
      builtinQuery('request-duration', { ...traefik, port: undefined, portName: undefined }),
    ).toThrow(/spec\.service\.port/);
  });
});
