import { describe, expect, it } from 'vitest';
import { MetricQueryError } from './errors.ts';
import { evaluateMetric, runMetricCheck, type MetricCheckInput } from './evaluate.ts';
import type { MetricProvider } from './provider.ts';

const ctx = { target: 'podinfo', namespace: 'test' };

describe('evaluateMetric', () => {
  it('passes a value inside the range', () => {
    expect(evaluateMetric('request-success-rate', 99.5, { min: 99 }, ctx)).toEqual({ ok: true, value: 99.5 });
    expect(evaluateMetric('request-duration', 500, { max: 500 }, ctx)).toEqual({ ok: true, value: 500 });
    expect(evaluateMetric('custom', 3, { min: 1, max: 5 }, ctx)).toEqual({ ok: true, value: 3 });
  });

  it('passes any value without a threshold', () => {
    expect(evaluateMetric('custom', -1e9, undefined, ctx)).toEqual({ ok: true, value: -1e9 });
  });

  it('reports a low success rate as Flagger does', () => {
    expect(evaluateMetric('request-success-rate', 20.4799, { min: 99 }, ctx)).toEqual({
      ok: false,
      value: 20.4799,
      message: 'success rate 20.48% < 99%',
    });
    expect(evaluateMetric('request-success-rate', 100, { max: 99.5 }, ctx)).toMatchObject({
      message: 'success rate 100.00% > 99.5%',
    });
  });

  it('reports a slow request duration in milliseconds', () => {
    expect(evaluateMetric('request-duration', 1200, { max: 1000 }, ctx)).toEqual({
      ok: false,
      value: 1200,
      message: 'request duration 1200ms > 1000ms',
    });
    expect(evaluateMetric('request-duration', 12.345, { min: 20 }, ctx)).toMatchObject({
      message: 'request duration 12.35ms < 20ms',
    });
  });

  it('reports other metrics generically with two decimals', () => {
    expect(evaluateMetric('error-rate', 7.456, { max: 5 }, ctx)).toMatchObject({
      ok: false,
      message: 'metric error-rate 7.46 > 5',
    });
    expect(evaluateMetric('apdex', 0.5, { min: 0.9 }, ctx)).toMatchObject({
      message: 'metric apdex 0.50 < 0.9',
    });
  });

  it('checks min before max', () => {
    expect(evaluateMetric('x', 0, { min: 1, max: -1 }, ctx)).toMatchObject({ message: 'metric x 0.00 < 1' });
  });

  it('uses the deprecated threshold only without a range', () => {
    const legacy = { ...ctx, threshold: 99 };
    expect(evaluateMetric('request-success-rate', 98, undefined, legacy)).toMatchObject({
      message: 'success rate 98.00% < 99%',
    });
    expect(evaluateMetric('request-duration', 120, undefined, legacy)).toMatchObject({
      message: 'request duration 120ms > 99ms',
    });
    expect(evaluateMetric('custom', 100, undefined, legacy)).toMatchObject({
      message: 'metric custom 100.00 > 99',
    });
    expect(evaluateMetric('custom', 100, { max: 200 }, legacy)).toEqual({ ok: true, value: 100 });
  });

  it('explains missing values as missing traffic', () => {
    const err = new MetricQueryError('ENOVALUES', 'no values found');
    expect(evaluateMetric('request-success-rate', err, { min: 99 }, ctx)).toEqual({
      ok: false,
      code: 'ENOVALUES',
      message:
        'no values found for nginx metric request-success-rate probably podinfo.test is not receiving traffic',
    });
    expect(evaluateMetric('error-rate', NaN, { max: 1 }, ctx)).toMatchObject({
      code: 'ENOVALUES',
      message: 'no values found for metric error-rate probably podinfo.test is not receiving traffic',
    });
  });

  it('reports other errors as a failed query with the reason', () => {
    const err = new MetricQueryError('ETIMEOUT', 'prometheus did not answer within 5000ms');
    expect(evaluateMetric('request-duration', err, { max: 500 }, ctx)).toEqual({
      ok: false,
      code: 'ETIMEOUT',
      message: 'metric request-duration query failed: prometheus did not answer within 5000ms',
    });
    expect(evaluateMetric('x', new Error('boom'), undefined, ctx)).toEqual({
      ok: false,
      message: 'metric x query failed: boom',
    });
  });
});

function fixed(answer: number | Error, seen: string[] = []): MetricProvider {
  return {
    runQuery: async (q) => {
      seen.push(q);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    isOnline: async () => {},
  };
}

const canary = { name: 'podinfo', namespace: 'test', target: 'podinfo' };

describe('runMetricCheck', () => {
  it('runs the built-in query against the ingress and evaluates it', async () => {
    const seen: string[] = [];
    const result = await runMetricCheck({
      metric: { name: 'request-success-rate', interval: '2m', thresholdRange: { min: 99 } },
      canary: { ...canary, ingress: 'web' },
      provider: fixed(99.9, seen),
    });
    expect(result).toMatchObject({
      kind: 'metric',
      name: 'request-success-rate',
      ok: true,
      value: 99.9,
      message: 'metric request-success-rate 99.90% passed',
    });
    expect(seen[0]).toContain('ingress="web",canary!=""');
    expect(seen[0]).toContain('[2m]');
    expect(result.query).toBe(seen[0]);
  });

  it('renders an inline query with the defaults (service and ingress fall back to the target)', async () => {
    const seen: string[] = [];
    await runMetricCheck({
      metric: {
        name: 'q',
        query: '{{ service }} {{ ingress }} {{ interval }} {{ variables.v }}',
        templateVariables: { v: 'x' },
      },
      canary,
      provider: fixed(1, seen),
      defaultInterval: '30s',
    });
    expect(seen).toEqual(['podinfo podinfo 30s x']);
  });

  it('prefers the template query and hands the interval to a provider factory', async () => {
    const seen: string[] = [];
    let gotInterval = '';
    const result = await runMetricCheck({
      metric: { name: 'tpl', templateRef: { name: 't' }, interval: '5m', thresholdRange: { max: 1 } },
      canary,
      templateQuery: 'rate(x{ns="{{ namespace }}"}[{{ interval }}])',
      provider: (interval) => {
        gotInterval = interval;
        return fixed(2, seen);
      },
    });
    expect(gotInterval).toBe('5m');
    expect(seen).toEqual(['rate(x{ns="test"}[5m])']);
    expect(result).toMatchObject({ ok: false, value: 2, message: 'metric tpl 2.00 > 1' });
  });

  it('turns every failure into a result', async () => {
    const base: Omit<MetricCheckInput, 'metric'> = { canary, provider: fixed(1) };
    const unknown = await runMetricCheck({ ...base, metric: { name: 'unknown' } });
    expect(unknown.ok).toBe(false);
    expect(unknown.message).toMatch(/^metric unknown query failed: .*not a built-in metric/);
    await expect(
      runMetricCheck({ ...base, metric: { name: 'm', templateRef: { name: 'gone', namespace: 'ops' } } }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'metric m query failed: metric template ops/gone was not found',
    });
    const badTemplate = await runMetricCheck({ ...base, metric: { name: 'm', query: '{{ nope }}' } });
    expect(badTemplate.ok).toBe(false);
    expect(badTemplate.message).toContain('unknown variable "nope"');
    await expect(
      runMetricCheck({
        ...base,
        metric: { name: 'request-duration' },
        provider: () => {
          throw new Error('datadog credentials do not contain datadog_api_key');
        },
      }),
    ).resolves.toMatchObject({
      ok: false,
      message: 'metric request-duration query failed: datadog credentials do not contain datadog_api_key',
    });
    await expect(
      runMetricCheck({
        ...base,
        metric: { name: 'request-duration' },
        provider: fixed(new MetricQueryError('ENOVALUES', 'x')),
      }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ENOVALUES',
      message:
        'no values found for nginx metric request-duration probably podinfo.test is not receiving traffic',
    });
    const rejectsWithString: MetricProvider = {
      runQuery: () => Promise.reject('bare string'),
      isOnline: async () => {},
    };
    await expect(
      runMetricCheck({ ...base, metric: { name: 'request-duration' }, provider: rejectsWithString }),
    ).resolves.toMatchObject({ ok: false, message: 'metric request-duration query failed: bare string' });
  });
});
