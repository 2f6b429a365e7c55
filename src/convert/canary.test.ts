import { describe, expect, it } from 'vitest';
import { convertCanary, flaggerCanary } from './testing.ts';

describe('Canary fields', () => {
  it('renames canaryAnalysis to analysis in place', () => {
    const { analysis, ...rest } = flaggerCanary().spec;
    const { out, warnings } = convertCanary({
      ...flaggerCanary(),
      spec: { ...rest, canaryAnalysis: analysis },
    });
    expect(warnings).toEqual([]);
    expect(out.spec.analysis).toEqual(analysis);
    expect(out.spec).not.toHaveProperty('canaryAnalysis');
  });

  it('drops canaryAnalysis when analysis is also set, as Flagger ignores it', () => {
    const { out, warnings } = convertCanary(
      flaggerCanary({ canaryAnalysis: { interval: '1m', threshold: 1 } }),
    );
    expect(out.spec.analysis.interval).toBe('30s');
    expect(out.spec).not.toHaveProperty('canaryAnalysis');
    expect(warnings).toEqual([
      {
        document: 'Canary/app',
        field: 'spec.canaryAnalysis',
        message: 'Flagger ignores it because spec.analysis is set; removed',
      },
    ]);
  });

  it('keeps every field Kanaria shares with Flagger', () => {
    const spec = {
      provider: 'nginx',
      metricsServer: 'http://prometheus.monitoring:9090',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'app' },
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'app' },
      service: {
        name: 'web',
        port: 80,
        portName: 'http',
        targetPort: 'http',
        portDiscovery: true,
        appProtocol: 'http',
        apex: { labels: { a: '1' }, annotations: { b: '2' } },
        primary: { labels: { c: '3' } },
        canary: { annotations: { d: '4' } },
      },
      analysis: {
        interval: '1m',
        threshold: 3,
        stepWeights: [1, 10, 50],
        stepWeightPromotion: 25,
        iterations: 5,
        primaryReadyThreshold: 100,
        canaryReadyThreshold: 50,
        match: [
          { headers: { 'x-canary': { exact: 'insider' } } },
          { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
        ],
        metrics: [
          {
            name: 'error-rate',
            templateRef: { name: 'error-rate', namespace: 'shared' },
            templateVariables: { x: 'y' },
            thresholdRange: { max: 1 },
            interval: '1m',
          },
          { name: 'legacy', query: 'sum(up)', threshold: 2 },
        ],
        webhooks: [
          { name: 'gate', type: 'confirm-promotion', url: 'http://gate/', retries: 3, muteAlert: true },
        ],
        alerts: [
          { name: 'on-call', severity: 'error', providerRef: { name: 'on-call', namespace: 'flagger' } },
        ],
      },
      progressDeadlineSeconds: 120,
      skipAnalysis: false,
      suspend: true,
      revertOnDeletion: true,
    };
    const { out, warnings } = convertCanary(flaggerCanary(spec));
    expect(warnings).toEqual([]);
    expect(out.spec).toEqual(spec);
  });

  it('points templateRef and providerRef apiVersions at Kanaria', () => {
    const analysis = {
      interval: '1m',
      metrics: [
        {
          name: 'latency',
          templateRef: { apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', name: 'latency' },
        },
      ],
      alerts: [{ name: 'a', providerRef: { apiVersion: 'flagger.app/v1beta1', name: 'slack' } }],
    };
    const { out } = convertCanary(flaggerCanary({ analysis }));
    expect(out.spec.analysis.metrics?.[0].templateRef).toEqual({
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'MetricTemplate',
      name: 'latency',
    });
    expect(out.spec.analysis.alerts?.[0].providerRef).toEqual({
      apiVersion: 'kanaria.dev/v1beta1',
      name: 'slack',
    });
  });

  it('removes mirroring, session affinity, webhook disableTLS and non-header matches with warnings', () => {
    const analysis = {
      interval: '1m',
      threshold: 5,
      iterations: 10,
      mirror: true,
      mirrorWeight: 100,
      sessionAffinity: { cookieName: 'flagger-cookie', maxAge: 21600 },
      match: [
        { headers: { 'x-canary': { exact: 'insider' } }, queryParams: { canary: { exact: 'true' } } },
        { sourceLabels: { app: 'tester' } },
      ],
      webhooks: [{ name: 'load', url: 'https://tester/', disableTLS: true, type: '' }],
    };
    const { out, warnings } = convertCanary(flaggerCanary({ analysis }));
    expect(out.spec.analysis).toEqual({
      interval: '1m',
      threshold: 5,
      iterations: 10,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
      webhooks: [{ name: 'load', url: 'https://tester/' }],
    });
    expect(warnings.map((w) => w.field)).toEqual([
      'spec.analysis.mirror',
      'spec.analysis.mirrorWeight',
      'spec.analysis.sessionAffinity',
      'spec.analysis.match[0].queryParams',
      'spec.analysis.match[1].sourceLabels',
      'spec.analysis.webhooks[0].disableTLS',
    ]);
    expect(warnings[0].message).toMatch(/^traffic mirroring has no equivalent in Kanaria/);
    expect(warnings[3].message).toBe(
      'ingress-nginx canary routing matches on headers and cookies only; removed',
    );
    expect(warnings[5].message).toBe('TLS verification cannot be turned off per webhook in Kanaria; removed');
  });

  it('removes the whole match list, with a warning, when no header condition is left', () => {
    const analysis = {
      interval: '1m',
      iterations: 10,
      match: [{ queryParams: { canary: { exact: 'true' } } }],
    };
    const { out, warnings } = convertCanary(flaggerCanary({ analysis }));
    expect(out.spec.analysis).toEqual({ interval: '1m', iterations: 10 });
    expect(warnings.map((w) => w.field)).toEqual([
      'spec.analysis.match[0].queryParams',
      'spec.analysis.match',
    ]);
  });

  it('drops false and empty values of fields without an equivalent silently', () => {
    const { out, warnings } = convertCanary(
      flaggerCanary({
        service: { port: 80, gateways: [], headless: false },
        analysis: { interval: '1m', mirror: false },
      }),
    );
    expect(warnings).toEqual([]);
    expect(out.spec.service).toEqual({ port: 80 });
    expect(out.spec.analysis).toEqual({ interval: '1m' });
  });

  it('removes provider-specific references and cross-namespace target fields', () => {
    const { out, warnings } = convertCanary(
      flaggerCanary({
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', namespace: 'other' },
        upstreamRef: { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', name: 'app' },
        routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'app' },
        autoscalerRef: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          name: 'app',
          primaryScalerReplicas: { minReplicas: 2, maxReplicas: 5 },
        },
        service: {
          port: 80,
          gatewayRefs: [{ name: 'gw' }],
          meshName: 'global',
          backends: ['x'],
          timeout: '5s',
        },
      }),
    );
    expect(out.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' });
    expect(out.spec.autoscalerRef).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'app',
    });
    expect(out.spec.service).toEqual({ port: 80 });
    expect(out.spec).not.toHaveProperty('upstreamRef');
    expect(out.spec).not.toHaveProperty('routeRef');
    expect(warnings.map((w) => [w.field, w.message])).toEqual([
      [
        'spec.targetRef.namespace',
        'cross-namespace references are not supported: the object is looked up in the Canary namespace; removed',
      ],
      [
        'spec.service.gatewayRefs',
        'Gateway API parent references have no equivalent on ingress-nginx; removed',
      ],
      ['spec.service.meshName', 'App Mesh meshes have no equivalent on ingress-nginx; removed'],
      ['spec.service.backends', 'App Mesh backends have no equivalent on ingress-nginx; removed'],
      [
        'spec.service.timeout',
        'route timeouts have no equivalent on ingress-nginx; configure proxy timeouts with annotations on the Ingress; removed',
      ],
      ['spec.upstreamRef', 'Gloo upstreams have no equivalent on ingress-nginx; removed'],
      ['spec.routeRef', 'APISIX routes have no equivalent on ingress-nginx; removed'],
      [
        'spec.autoscalerRef.primaryScalerReplicas',
        "has no equivalent: Kanaria's primary HPA copies minReplicas and maxReplicas from the target's HPA; removed",
      ],
    ]);
  });

  it('removes a KEDA ScaledObject autoscalerRef with a warning', () => {
    const { out, warnings } = convertCanary(
      flaggerCanary({ autoscalerRef: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'app' } }),
    );
    expect(out.spec).not.toHaveProperty('autoscalerRef');
    expect(warnings).toEqual([
      {
        document: 'Canary/app',
        field: 'spec.autoscalerRef',
        message:
          'ScaledObject autoscalers are not supported (only HorizontalPodAutoscaler), so the primary Deployment will not be autoscaled; removed',
      },
    ]);
  });

  it('warns about unknown fields and metrics that cannot be evaluated, naming each', () => {
    const analysis = { interval: '1m', metrics: [{ name: 'apdex', thresholdRange: { min: 0.9 } }] };
    const { out, warnings } = convertCanary(flaggerCanary({ analysis, futureField: 1 }));
    expect(out.spec).not.toHaveProperty('futureField');
    expect(out.spec.analysis.metrics).toEqual([{ name: 'apdex', thresholdRange: { min: 0.9 } }]);
    expect(warnings.map((w) => [w.field, w.message])).toEqual([
      [
        'spec.analysis.metrics[0].name',
        'apdex is not a built-in metric (request-success-rate, request-duration) and has no templateRef or query, so it cannot be evaluated; kept',
      ],
      ['spec.futureField', 'has no equivalent in Kanaria; removed'],
    ]);
  });

  it("writes out Flagger's default interval when analysis has none", () => {
    const { out, warnings } = convertCanary(flaggerCanary({ analysis: { threshold: 2, stepWeight: 10 } }));
    expect(out.spec.analysis).toEqual({ threshold: 2, stepWeight: 10, interval: '1m' });
    expect(warnings.map((w) => w.field)).toEqual(['spec.analysis.interval']);
  });
});
