import { describe, expect, it } from 'vitest';
import { ConversionError, convertDocuments } from './convert.ts';
import { conversionError, fixture } from './testing.ts';

function metricTemplate(spec: Record<string, unknown>) {
  return { apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'm' }, spec };
}

function alertProvider(spec: Record<string, unknown>) {
  return { apiVersion: 'flagger.app/v1beta1', kind: 'AlertProvider', metadata: { name: 'a' }, spec };
}

const issuesOf = (doc: unknown) => conversionError(() => convertDocuments([doc])).issues;

describe('MetricTemplate', () => {
  it("converts the tutorial's Prometheus template and a Datadog one with a secretRef, keeping the queries", () => {
    const input = fixture('metric-template.yaml');
    const { documents, warnings } = convertDocuments(input);
    expect(warnings).toEqual([]);
    const [latency, notFound] = documents as {
      apiVersion: string;
      metadata: object;
      spec: Record<string, unknown>;
    }[];
    expect(latency.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(latency.metadata).toEqual({ name: 'latency', namespace: 'test' });
    expect(latency.spec.provider).toEqual({
      type: 'prometheus',
      address: 'http://flagger-prometheus.ingress-nginx:9090',
    });
    expect(latency.spec.query).toBe((input[0].spec as { query: string }).query);
    expect(latency.spec.query).toContain('kubernetes_namespace="{{ namespace }}"');
    expect(notFound.spec.provider).toEqual({
      type: 'datadog',
      address: 'https://api.datadoghq.eu',
      secretRef: { name: 'datadog' },
    });
    expect(notFound.spec.query).toContain('env:{{ variables.env }}');
  });

  it('keeps the provider fields that apply to HTTP providers', () => {
    const spec = {
      provider: {
        type: 'prometheus',
        address: 'https://prom:9090',
        secretRef: { name: 'prom-auth' },
        insecureSkipVerify: true,
        headers: { 'X-Scope-OrgID': ['tenant-a'] },
      },
      query: 'sum(rate(x{namespace="{{ namespace }}",service="{{ service }}"}[{{ interval }}]))',
    };
    const { documents, warnings } = convertDocuments([metricTemplate(spec)]);
    expect(warnings).toEqual([]);
    expect((documents[0] as { spec: unknown }).spec).toEqual(spec);
  });

  it('removes the region and warns about template expressions Kanaria does not fill in', () => {
    const { documents, warnings } = convertDocuments([
      metricTemplate({
        provider: { type: 'influxdb', region: 'eu-west-1' },
        query: 'x {{ route }} {{ route }}',
      }),
    ]);
    expect((documents[0] as { spec: unknown }).spec).toEqual({
      provider: { type: 'influxdb' },
      query: 'x {{ route }} {{ route }}',
    });
    expect(warnings).toEqual([
      {
        document: 'MetricTemplate/m',
        field: 'spec.provider.region',
        message: 'the region applies to CloudWatch and Stackdriver only; removed',
      },
      {
        document: 'MetricTemplate/m',
        field: 'spec.query',
        message:
          '{{ route }} is not a variable Kanaria fills in (name, namespace, target, service, ingress, interval, variables.<key>); kept as written',
      },
    ]);
  });

  it.each(['cloudwatch', 'stackdriver', 'dynatrace', 'splunk', 'keptn', 'externalmetrics'])(
    'rejects the %s provider',
    (type) => {
      expect(issuesOf(metricTemplate({ provider: { type }, query: 'q' }))).toEqual([
        {
          document: 'MetricTemplate/m',
          field: 'spec.provider.type',
          message: `${type} metric provider is not supported; Kanaria supports prometheus, datadog, newrelic, graphite, influxdb`,
        },
      ]);
    },
  );

  it('rejects a template without a provider type or query', () => {
    expect(issuesOf(metricTemplate({ provider: {} })).map((i) => i.field)).toEqual([
      'spec.provider.type',
      'spec.query',
    ]);
  });
});

describe('AlertProvider', () => {
  it('converts a Slack provider whose address comes from a Secret, keeping every field', () => {
    const { documents, warnings } = convertDocuments(fixture('alert-provider.yaml'));
    expect(warnings).toEqual([]);
    expect(documents[0]).toEqual({
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'AlertProvider',
      metadata: { name: 'on-call', namespace: 'flagger' },
      spec: {
        type: 'slack',
        channel: 'on-call-alerts',
        username: 'flagger',
        address: 'https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK',
        proxy: 'http://my-http-proxy.com',
        secretRef: { name: 'on-call-url' },
      },
    });
  });

  it.each([
    ['slack', 'slack'],
    ['msteams', 'msteams'],
    ['discord', 'discord'],
    ['gchat', 'googlechat'],
  ])('maps type %s to %s', (from, to) => {
    const { documents } = convertDocuments([
      alertProvider({ type: from, address: 'https://hooks.example/x' }),
    ]);
    expect((documents[0] as { spec: { type: string } }).spec.type).toBe(to);
  });

  it('rejects a Rocket.Chat provider, naming the document and field', () => {
    const err = conversionError(() => convertDocuments(fixture('rocket-alert-provider.yaml')));
    expect(err).toBeInstanceOf(ConversionError);
    expect(err.issues).toEqual([
      {
        document: 'AlertProvider/rocket',
        field: 'spec.type',
        message:
          'rocket (Rocket.Chat) alert provider has no equivalent; Kanaria supports slack, msteams, discord, googlechat, webhook',
      },
    ]);
    expect(err.message).toMatch(/^cannot convert AlertProvider\/rocket: spec\.type: rocket/);
  });

  it('rejects a provider with neither address nor secretRef', () => {
    expect(issuesOf(alertProvider({ type: 'slack', channel: 'x' }))).toEqual([
      {
        document: 'AlertProvider/a',
        field: 'spec.address',
        message: 'missing: set spec.address or spec.secretRef (a Secret with an address key)',
      },
    ]);
  });
});
