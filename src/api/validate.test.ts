import { describe, expect, it } from 'vitest';
import type { Canary } from './types.ts';
import { validateCanary } from './validate.ts';
import { canary, fields, issueAt, withSpec } from './testing.ts';

describe('validateCanary: valid specs', () => {
  it('accepts a full canary with metrics, webhooks, alerts and windows', () => {
    const c = canary({
      stepWeights: [5, 10, 25, 50],
      stepWeightPromotion: 50,
      primaryReadyThreshold: 100,
      canaryReadyThreshold: 0,
      metrics: [
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        { name: 'request-duration', threshold: 500 },
        { name: 'errors', templateRef: { name: 'errors', namespace: 'flagger' }, thresholdRange: { max: 1 } },
        { name: 'custom', query: 'sum(up)', thresholdRange: { min: 1, max: 1 } },
      ],
      webhooks: [
        { name: 'gate', type: 'confirm-rollout', url: 'http://gate/' },
        { name: 'load', url: 'http://load/', timeout: '1m30s', retries: 2, metadata: { cmd: 'hey' } },
      ],
      alerts: [{ name: 'on-call', severity: '', providerRef: { name: 'slack' } }],
      windows: [
        { schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'Europe/Berlin', kind: 'allow' },
        { schedule: '@daily', duration: '30m' },
      ],
    });
    expect(validateCanary(c)).toEqual([]);
  });

  it('accepts A/B testing on one header and one cookie with iterations', () => {
    const c = canary({
      iterations: 10,
      match: [
        { headers: { 'x-canary': { regex: '^(insider|beta)$' } } },
        { headers: { cookie: { exact: 'canary' } } },
      ],
    });
    expect(validateCanary(c)).toEqual([]);
  });

  it('accepts both ingress controllers', () => {
    expect(validateCanary(canary({}, { ingressController: 'traefik' }))).toEqual([]);
    expect(validateCanary(canary({}, { ingressController: 'ingress-nginx' }))).toEqual([]);
  });

  it('accepts a named target port and the smallest interval', () => {
    expect(
      validateCanary(canary({ interval: '1s' }, { service: { port: 8080, targetPort: 'http' } })),
    ).toEqual([]);
  });
});

describe('validateCanary: schema rules', () => {
  it.each([
    ['targetRef', undefined, 'spec.targetRef', 'is required'],
    ['service', undefined, 'spec.service', 'is required'],
    ['analysis', undefined, 'spec.analysis', 'is required'],
    ['analysis.interval', undefined, 'spec.analysis.interval', 'is required'],
    ['targetRef.kind', 'StatefulSet', 'spec.targetRef.kind', 'use one of "Deployment"'],
    ['targetRef.apiVersion', 'apps/v1beta1', 'spec.targetRef.apiVersion', 'use one of "apps/v1"'],
    ['provider', 'istio', 'spec.provider', 'use one of "nginx"'],
    ['ingressController', 'nginx', 'spec.ingressController', 'use one of "ingress-nginx", "traefik"'],
    ['analysis.interval', '1', 'spec.analysis.interval', 'not a duration longer than zero'],
    ['analysis.interval', '0s', 'spec.analysis.interval', 'e.g. 30s, 1m or 1m30s'],
    ['analysis.interval', '1d', 'spec.analysis.interval', 'not a duration longer than zero'],
    ['analysis.stepWeight', 0, 'spec.analysis.stepWeight', 'set a value from 1 to 100'],
    ['analysis.stepWeight', 101, 'spec.analysis.stepWeight', 'set a value from 1 to 100'],
    ['analysis.stepWeight', 2.5, 'spec.analysis.stepWeight', 'a whole number'],
    ['analysis.maxWeight', 0, 'spec.analysis.maxWeight', 'from 1 to 100'],
    ['analysis.stepWeights', [10, 120], 'spec.analysis.stepWeights[1]', 'from 1 to 100'],
    ['analysis.stepWeights', [], 'spec.analysis.stepWeights', 'add at least 1'],
    ['analysis.threshold', 0, 'spec.analysis.threshold', 'of at least 1'],
    ['analysis.iterations', -1, 'spec.analysis.iterations', 'of at least 0'],
    ['analysis.primaryReadyThreshold', 101, 'spec.analysis.primaryReadyThreshold', 'from 0 to 100'],
    ['analysis.canaryReadyThreshold', -1, 'spec.analysis.canaryReadyThreshold', 'from 0 to 100'],
    ['progressDeadlineSeconds', 0, 'spec.progressDeadlineSeconds', 'of at least 1'],
    ['service.port', undefined, 'spec.service.port', 'is required'],
    ['service.port', 70000, 'spec.service.port', 'from 1 to 65535'],
    ['service.port', '80', 'spec.service.port', 'a whole number (without quotes)'],
    ['service.targetPort', true, 'spec.service.targetPort', 'use a port number or a port name'],
    ['suspend', 'yes', 'spec.suspend', 'true or false'],
    ['analysis.webhooks', [{ name: 'x' }], 'spec.analysis.webhooks[0].url', 'is required'],
    [
      'analysis.webhooks',
      [{ name: 'x', url: 'http://x/', type: 'pre' }],
      'spec.analysis.webhooks[0].type',
      'confirm-rollout',
    ],
    [
      'analysis.webhooks',
      [{ name: 'x', url: 'http://x/', timeout: '10' }],
      'spec.analysis.webhooks[0].timeout',
      'duration',
    ],
    [
      'analysis.webhooks',
      [{ name: 'x', url: 'http://x/', retries: -1 }],
      'spec.analysis.webhooks[0].retries',
      'from 0 to 10',
    ],
    [
      'analysis.webhooks',
      [{ name: 'x', url: 'http://x/', retries: 11 }],
      'spec.analysis.webhooks[0].retries',
      'from 0 to 10',
    ],
    [
      'analysis.webhooks',
      [{ name: 'x', url: 'http://x/', timeout: '999999h' }],
      'spec.analysis.webhooks[0].timeout',
      'set a duration from 1ms to 10m',
    ],
    ['analysis.interval', '1ms', 'spec.analysis.interval', 'set a duration from 1s to 24h'],
    ['analysis.interval', '999999h', 'spec.analysis.interval', 'set a duration from 1s to 24h'],
    ['analysis.interval', '25h', 'spec.analysis.interval', 'set a duration from 1s to 24h'],
    ['analysis.metrics', [{ interval: '1m' }], 'spec.analysis.metrics[0].name', 'is required'],
    [
      'analysis.metrics',
      [{ name: 'request-duration', interval: 'soon' }],
      'spec.analysis.metrics[0].interval',
      'duration',
    ],
    [
      'analysis.metrics',
      [{ name: 'request-duration', thresholdRange: { max: '5' } }],
      'spec.analysis.metrics[0].thresholdRange.max',
      'a number',
    ],
    [
      'analysis.alerts',
      [{ name: 'a', severity: 'critical', providerRef: { name: 's' } }],
      'spec.analysis.alerts[0].severity',
      '"info", "warn", "error"',
    ],
    ['analysis.alerts', [{ name: 'a' }], 'spec.analysis.alerts[0].providerRef', 'is required'],
    ['analysis.windows', [{ duration: '1h' }], 'spec.analysis.windows[0].schedule', 'is required'],
    ['analysis.windows', [{ schedule: '0 9 * * *' }], 'spec.analysis.windows[0].duration', 'is required'],
    [
      'analysis.windows',
      [{ schedule: '0 9 * * *', duration: '8 hours' }],
      'spec.analysis.windows[0].duration',
      'not a duration',
    ],
    [
      'analysis.windows',
      [{ schedule: '0 9 * * *', duration: '8h', kind: 'block' }],
      'spec.analysis.windows[0].kind',
      '"allow", "deny"',
    ],
    [
      'analysis.match',
      [{ headers: { 'x-canary': 'insider' } }],
      'spec.analysis.match[0].headers["x-canary"]',
      'must be an object',
    ],
    ['service.apex', { labels: { team: 1 } }, 'spec.service.apex.labels.team', 'must be a string'],
  ])('%s = %j is reported at %s', (path, value, field, message) => {
    expect(issueAt(withSpec(path, value), field)).toContain(message);
  });

  it('reports a missing spec', () => {
    const c = { ...canary(), spec: undefined } as unknown as Canary;
    expect(validateCanary(c)).toEqual([{ field: 'spec', message: 'is required: add a spec' }]);
  });
});

describe('validateCanary: traffic weights', () => {
  it('rejects stepWeights that do not increase strictly', () => {
    const c = canary({ stepWeight: undefined, stepWeights: [5, 10, 10, 8] });
    expect(fields(c)).toEqual(['spec.analysis.stepWeights[2]', 'spec.analysis.stepWeights[3]']);
    expect(issueAt(c, 'spec.analysis.stepWeights[2]')).toMatch(
      /is 10, not above the step before it \(10\).*increase strictly/,
    );
  });

  it('rejects stepWeights above maxWeight, saying how to fix it', () => {
    const c = canary({ stepWeight: undefined, maxWeight: 30, stepWeights: [10, 20, 40] });
    expect(fields(c)).toEqual(['spec.analysis.stepWeights[2]']);
    expect(issueAt(c, 'spec.analysis.stepWeights[2]')).toBe(
      'is 40, above maxWeight 30: raise maxWeight to at least 40 or remove the weights above 30',
    );
  });

  it('accepts stepWeights up to 100 when maxWeight is not set', () => {
    expect(
      validateCanary(canary({ stepWeight: undefined, maxWeight: undefined, stepWeights: [50, 100] })),
    ).toEqual([]);
  });

  it('rejects a stepWeight above maxWeight', () => {
    const c = canary({ stepWeight: 60, maxWeight: 50 });
    expect(fields(c)).toEqual(['spec.analysis.stepWeight']);
    expect(issueAt(c, 'spec.analysis.stepWeight')).toMatch(
      /is 60, above maxWeight 50.*lower stepWeight or raise maxWeight/,
    );
  });

  it('accepts a stepWeight equal to maxWeight', () => {
    expect(validateCanary(canary({ stepWeight: 50, maxWeight: 50 }))).toEqual([]);
  });
});
