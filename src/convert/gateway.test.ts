import { describe, expect, it } from 'vitest';
import { validateCanary } from '../api/validate.ts';
import { convertCanary, fixture } from './testing.ts';

const tutorial = () => fixture('gatewayapi-canary.yaml')[0];

describe('Flagger Gateway API Canary', () => {
  it("converts the tutorial's Canary into a valid gatewayapi:v1 Canary with its Gateway and hosts", () => {
    const { out, warnings } = convertCanary(tutorial());
    expect(out.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(out.spec.provider).toBe('gatewayapi:v1');
    expect(out.spec.service).toEqual({
      port: 9898,
      targetPort: 9898,
      hosts: ['www.example.com'],
      gatewayRefs: [{ name: 'gateway', namespace: 'istio-ingress' }],
    });
    expect(out.spec).not.toHaveProperty('ingressRef');
    expect(warnings.map((w) => w.field)).not.toContain('spec.ingressRef');
    expect(validateCanary(out)).toEqual([]);
  });

  it('keeps A/B matches on several headers and query parameters, and the timeout', () => {
    const doc = tutorial() as { spec: Record<string, Record<string, unknown>> };
    doc.spec.service.timeout = '15s';
    doc.spec.analysis = {
      interval: '1m',
      iterations: 10,
      match: [
        {
          headers: { 'x-canary': { exact: 'insider' }, 'x-team': { exact: 'a' } },
          queryParams: { beta: { exact: 'on' } },
          uri: { prefix: '/api' },
        },
        { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
      ],
    };
    const { out, warnings } = convertCanary(doc);
    expect(out.spec.service.timeout).toBe('15s');
    expect(out.spec.analysis.match).toEqual([
      {
        headers: { 'x-canary': { exact: 'insider' }, 'x-team': { exact: 'a' } },
        queryParams: { beta: { exact: 'on' } },
      },
      { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
    ]);
    expect(warnings.map((w) => w.field)).toEqual(['spec.analysis.match[0].uri']);
    expect(validateCanary(out)).toEqual([]);
  });

  it('names gatewayapi:v1beta1 as v1, and fails without gatewayRefs', () => {
    const doc = tutorial() as { spec: Record<string, unknown> & { service: Record<string, unknown> } };
    doc.spec.provider = 'gatewayapi:v1beta1';
    const { out, warnings } = convertCanary(doc);
    expect(out.spec.provider).toBe('gatewayapi:v1');
    expect(warnings.map((w) => w.field)).toContain('spec.provider');
    delete doc.spec.service.gatewayRefs;
    expect(() => convertCanary(doc)).toThrow(/gatewayRefs/);
  });
});
