import { describe, expect, it } from 'vitest';
import type { Canary } from '../api/types.ts';
import { convertDocuments, formatFinding } from './convert.ts';
import { conversionError, convertCanary, fixture, flaggerCanary } from './testing.ts';

describe("Flagger's NGINX tutorial Canary", () => {
  const [ingress, canary] = fixture('nginx-canary.yaml');

  it('converts every field and warns about nothing', () => {
    const { documents, warnings } = convertDocuments([ingress, canary]);
    expect(warnings).toEqual([]);
    expect(documents[0]).toBe(ingress);
    const out = documents[1] as Canary;
    expect(out.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(out.kind).toBe('Canary');
    expect(out.metadata).toEqual({ name: 'podinfo', namespace: 'test' });
    expect(out.spec.provider).toBe('nginx');
    expect(out.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' });
    expect(out.spec.ingressRef).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      name: 'podinfo',
    });
    expect(out.spec.autoscalerRef).toEqual({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      name: 'podinfo',
    });
    expect(out.spec.progressDeadlineSeconds).toBe(60);
    expect(out.spec.service).toEqual({ port: 80, targetPort: 9898 });
    const { metrics, webhooks, ...schedule } = out.spec.analysis;
    expect(schedule).toEqual({ interval: '10s', threshold: 10, maxWeight: 50, stepWeight: 5 });
    expect(metrics).toEqual([{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }]);
    expect(webhooks).toEqual([
      {
        name: 'acceptance-test',
        type: 'pre-rollout',
        url: 'http://flagger-loadtester.test/',
        timeout: '30s',
        metadata: { type: 'bash', cmd: "curl -sd 'test' http://podinfo-canary/token | grep token" },
      },
      {
        name: 'load-test',
        url: 'http://flagger-loadtester.test/',
        timeout: '5s',
        metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://app.example.com/' },
      },
    ]);
    expect(Object.keys(out.spec)).toEqual(Object.keys(canary.spec as object));
  });

  it('does not modify its input', () => {
    const before = structuredClone(canary);
    convertDocuments([canary]);
    expect(canary).toEqual(before);
  });
});

describe("Flagger's Istio tutorial Canary", () => {
  const [canary] = fixture('istio-canary.yaml');

  it('keeps what applies to NGINX and removes the Istio routing with a warning for each field', () => {
    const { out, warnings } = convertCanary(canary);
    expect(out.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(out.metadata).toEqual({ name: 'podinfo', namespace: 'test' });
    expect(out).not.toHaveProperty('status');
    expect(out.spec).not.toHaveProperty('provider');
    expect(out.spec.service).toEqual({ port: 9898, targetPort: 9898 });
    expect(out.spec.analysis.metrics).toEqual([
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
    ]);
    expect(out.spec.analysis.webhooks?.map((h: { name: string }) => h.name)).toEqual([
      'acceptance-test',
      'load-test',
    ]);
    expect(warnings.map((w) => [w.document, w.field])).toEqual([
      ['Canary/podinfo', 'spec.provider'],
      ['Canary/podinfo', 'spec.service.gateways'],
      ['Canary/podinfo', 'spec.service.hosts'],
      ['Canary/podinfo', 'spec.service.trafficPolicy'],
      ['Canary/podinfo', 'spec.service.retries'],
      ['Canary/podinfo', 'spec.ingressRef'],
    ]);
    const message = (field: string) => warnings.find((w) => w.field === field)?.message;
    expect(message('spec.provider')).toBe(
      'istio is not supported: Kanaria routes traffic through ingress-nginx only, its default; removed',
    );
    expect(message('spec.service.gateways')).toBe(
      'Istio gateways have no equivalent on ingress-nginx; removed',
    );
    expect(message('spec.service.hosts')).toMatch(/hosts come from the Ingress in spec.ingressRef; removed$/);
    expect(message('spec.service.trafficPolicy')).toMatch(
      /^Istio destination rule traffic policies .*removed$/,
    );
    expect(message('spec.service.retries')).toMatch(
      /^Istio retry policies have no equivalent on ingress-nginx/,
    );
    expect(message('spec.ingressRef')).toMatch(/^not set: without an Ingress Kanaria cannot shift traffic/);
    expect(formatFinding(warnings[1])).toBe(
      'Canary/podinfo: spec.service.gateways: Istio gateways have no equivalent on ingress-nginx; removed',
    );
  });
});

describe('metadata and status', () => {
  it('drops server-set metadata, status and kubectl last-applied silently and keeps the rest', () => {
    const doc = {
      ...flaggerCanary(
        {},
        {
          uid: 'u',
          resourceVersion: '1',
          generation: 2,
          creationTimestamp: '2024-01-01T00:00:00Z',
          managedFields: [{ manager: 'kubectl' }],
          labels: { team: 'web' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', owner: 'web' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'y' }],
        },
      ),
      status: { phase: 'Succeeded' },
    };
    const { out, warnings } = convertCanary(doc);
    expect(warnings).toEqual([]);
    expect(out).not.toHaveProperty('status');
    expect(out.metadata).toEqual({
      name: 'app',
      namespace: 'test',
      labels: { team: 'web' },
      annotations: { owner: 'web' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'y' }],
    });
  });

  it("removes Flagger's finalizer, which would block deletion, with a warning", () => {
    const { out, warnings } = convertCanary(
      flaggerCanary({}, { finalizers: ['finalizer.flagger.app', 'example.com/keep'] }),
    );
    expect(out.metadata.finalizers).toEqual(['example.com/keep']);
    expect(warnings).toEqual([
      {
        document: 'Canary/app',
        field: 'metadata.finalizers[0]',
        message:
          'finalizer.flagger.app belongs to Flagger and would block deletion of the Kanaria object; removed',
      },
    ]);
  });
});

describe('documents that cannot work', () => {
  it('rejects a DaemonSet target, naming the document and field', () => {
    const err = conversionError(() =>
      convertDocuments([
        flaggerCanary({ targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' } }),
      ]),
    );
    expect(err.code).toBe('ERR_KANARIA_CONVERSION');
    expect(err.issues).toEqual([
      {
        document: 'Canary/app',
        field: 'spec.targetRef.kind',
        message: 'DaemonSet targets are not supported: Kanaria releases Deployments only',
      },
    ]);
    expect(err.message).toBe(
      'cannot convert Canary/app: spec.targetRef.kind: DaemonSet targets are not supported: Kanaria releases Deployments only',
    );
  });

  it('rejects a Service target and a missing targetRef, service port or analysis', () => {
    expect(
      conversionError(() =>
        convertDocuments([flaggerCanary({ targetRef: { kind: 'Service', name: 'app' } })]),
      ).issues[0].field,
    ).toBe('spec.targetRef.kind');
    const { targetRef: _t, service: _s, analysis: _a, ...rest } = flaggerCanary().spec;
    const err = conversionError(() => convertDocuments([{ ...flaggerCanary(), spec: rest }]));
    expect(err.issues.map((i) => i.field)).toEqual(['spec.targetRef', 'spec.service', 'spec.analysis']);
    expect(err.issues[0].message).toBe('missing: name the Deployment to release (kind Deployment)');
  });

  it('rejects an unknown webhook type', () => {
    const analysis = { interval: '1m', webhooks: [{ name: 'x', type: 'pre-promotion', url: 'http://x/' }] };
    const err = conversionError(() => convertDocuments([flaggerCanary({ analysis })]));
    expect(err.issues.map((i) => i.field)).toEqual(['spec.analysis.webhooks[0].type']);
  });

  it('reports the problems of every document at once', () => {
    const a = flaggerCanary({ targetRef: { kind: 'DaemonSet', name: 'a' } });
    const b = { ...flaggerCanary({ targetRef: { kind: 'DaemonSet', name: 'b' } }), metadata: { name: 'b' } };
    const err = conversionError(() => convertDocuments([a, b]));
    expect(err.issues.map((i) => i.document)).toEqual(['Canary/app', 'Canary/b']);
    expect(err.message.split('\n')).toHaveLength(3);
  });
});

describe('documents that are not Flagger', () => {
  it('passes them through as the same objects', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', uid: 'u' } };
    const kanaria = { ...flaggerCanary(), apiVersion: 'kanaria.dev/v1beta1' };
    const { documents, warnings } = convertDocuments([deployment, kanaria]);
    expect(documents[0]).toBe(deployment);
    expect(documents[1]).toBe(kanaria);
    expect(warnings).toEqual([]);
  });

  it('converts the Flagger items of a List', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    const list = { apiVersion: 'v1', kind: 'List', items: [cm, flaggerCanary()], metadata: {} };
    const out = convertDocuments([list]).documents[0] as { items: { apiVersion: string }[] };
    expect(out.items[0]).toBe(cm);
    expect(out.items[1].apiVersion).toBe('kanaria.dev/v1beta1');
    const plain = { apiVersion: 'v1', kind: 'List', items: [cm] };
    expect(convertDocuments([plain]).documents[0]).toBe(plain);
  });
});
