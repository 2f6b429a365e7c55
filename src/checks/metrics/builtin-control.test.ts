import { describe, expect, it } from 'vitest';
import { builtinQuery, traefikBaselineService, traefikPrimaryService } from './builtin.ts';

// Series labels a real Traefik 3.7 exported (testdata/traefik-answers.json, traefik-gateway-answers.json).
const INGRESS_PRIMARY = 'test-podinfo-podinfo-80@kubernetesingressnginx';
const INGRESS_CANARY = 'test-podinfo-podinfo-80-canary@kubernetesingressnginx';

function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

describe('built-in metrics of the control (the primary) for compared metrics', () => {
  const nginx = { namespace: 'test', ingress: 'podinfo', interval: '30s' };

  it('ingress-nginx: the requests the original Ingress served itself (empty canary label)', () => {
    const canary = builtinQuery('request-duration', nginx)!;
    const control = builtinQuery('request-duration', { ...nginx, side: 'control' })!;
    expect(canary).toContain('canary!=""');
    expect(control).toContain('canary=""');
    expect(control).not.toContain('canary!=""');
    expect(control.replaceAll('canary=""', 'canary!=""')).toBe(canary);
  });

  it("traefik ingress provider: the original Ingress's backend, which the canary's pattern does not match", () => {
    const vars = {
      ...nginx,
      ingressController: 'traefik' as const,
      service: 'podinfo',
      port: 80,
      portName: 'http',
    };
    const primary = traefikPrimaryService(vars);
    expect(fullMatch(primary, INGRESS_PRIMARY)).toBe(true);
    expect(fullMatch(primary, INGRESS_CANARY)).toBe(false);
    expect(builtinQuery('request-success-rate', { ...vars, side: 'control' })).toContain(
      `service=~"${primary}"`,
    );
  });

  it("traefik gateway provider: the HTTPRoute's -primary backend", () => {
    const vars = {
      ...nginx,
      ingressController: 'traefik' as const,
      service: 'app',
      port: 80,
      routes: ['gateway' as const],
    };
    const primary = traefikPrimaryService(vars);
    const label =
      'httproute-test-app-gw-test-gateway-ep-web-0-47ad25ad191cae216053-svc-test-app-primary-0@kubernetesgateway';
    expect(fullMatch(primary, label)).toBe(true);
    expect(fullMatch(primary, label.replace('app-primary', 'app-canary'))).toBe(false);
  });
});

describe('built-in metrics of the baseline control (analysis.judge.baseline)', () => {
  it("traefik gateway provider: the HTTPRoute's -baseline backend, not the primary's nor the canary's", () => {
    const vars = {
      namespace: 'test',
      ingress: 'app',
      interval: '30s',
      ingressController: 'traefik' as const,
      service: 'app',
      port: 80,
      routes: ['gateway' as const],
    };
    const baseline = traefikBaselineService(vars);
    const label =
      'httproute-test-app-gw-test-gateway-ep-web-0-47ad25ad191cae216053-svc-test-app-baseline-1@kubernetesgateway';
    expect(fullMatch(baseline, label)).toBe(true);
    expect(fullMatch(baseline, label.replace('app-baseline', 'app-primary'))).toBe(false);
    expect(fullMatch(baseline, label.replace('app-baseline', 'app-canary'))).toBe(false);
    expect(builtinQuery('request-duration', { ...vars, side: 'control', control: 'baseline' })).toContain(
      `service=~"${baseline}"`,
    );
    expect(builtinQuery('request-duration', { ...vars, side: 'control' })).not.toContain('baseline');
  });
});
