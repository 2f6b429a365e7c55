import { describe, expect, it } from 'vitest';
import type { AlertProvider, Canary, CanaryAnalysis, CanarySpec, MetricTemplate } from './types.ts';
import { validateAlertProvider, validateCanary, validateMetricTemplate } from './validate.ts';

function canary(analysis: Partial<CanaryAnalysis> = {}, spec: Partial<CanarySpec> = {}): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      ...spec,
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10, ...analysis },
    },
  };
}

/** A Canary with `value` set at `path` inside spec (the value may be of the wrong type on purpose). */
function withSpec(path: string, value: unknown, base = canary()): Canary {
  const c = structuredClone(base) as unknown as Record<string, unknown>;
  const keys = `spec.${path}`.split('.');
  let at = c;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return c as unknown as Canary;
}

function fields(c: Canary): string[] {
  return validateCanary(c).map((i) => i.field);
}

function issueAt(c: Canary, field: string): string {
  const issues = validateCanary(c);
  const found = issues.find((i) => i.field === field);
  expect(found, `no issue at ${field}; got ${JSON.stringify(issues)}`).toBeDefined();
  return found!.message;
}

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

describe('validateCanary: A/B match', () => {
  const ab = (match: unknown) => canary({ iterations: 10, match: match as CanaryAnalysis['match'] });

  it('rejects a second header, in one match or across matches, saying ingress-nginx routes on one header', () => {
    const one = ab([{ headers: { 'x-a': { exact: '1' }, 'x-b': { exact: '2' } } }]);
    expect(fields(one)).toEqual(['spec.analysis.match[0].headers["x-b"]']);
    expect(issueAt(one, 'spec.analysis.match[0].headers["x-b"]')).toMatch(
      /second header condition \(after spec\.analysis\.match\[0\]\.headers\["x-a"\]\).*only one header.*keep one header/,
    );
    const two = ab([{ headers: { 'x-a': { exact: '1' } } }, { headers: { 'x-b': { exact: '2' } } }]);
    expect(fields(two)).toEqual(['spec.analysis.match[1].headers["x-b"]']);
  });

  it('rejects a second cookie', () => {
    const c = ab([{ headers: { cookie: { exact: 'a' } } }, { headers: { Cookie: { exact: 'b' } } }]);
    expect(issueAt(c, 'spec.analysis.match[1].headers.Cookie')).toMatch(
      /second cookie condition.*one cookie only/,
    );
  });

  it('rejects a header with both exact and regex', () => {
    const c = ab([{ headers: { 'x-canary': { exact: 'a', regex: 'a.*' } } }]);
    expect(fields(c)).toEqual(['spec.analysis.match[0].headers["x-canary"]']);
    expect(issueAt(c, 'spec.analysis.match[0].headers["x-canary"]')).toMatch(
      /both exact and regex.*keep exact.*or regex/,
    );
  });

  it('rejects prefix and suffix, offering the equivalent regex', () => {
    const c = ab([{ headers: { 'x-canary': { prefix: 'v1.' } } }]);
    expect(issueAt(c, 'spec.analysis.match[0].headers["x-canary"].prefix')).toBe(
      'prefix matching is not supported by ingress-nginx: use regex: "^v1\\\\..*" instead',
    );
    const s = ab([{ headers: { 'x-canary': { suffix: '-beta' } } }]);
    expect(issueAt(s, 'spec.analysis.match[0].headers["x-canary"].suffix')).toContain(
      'use regex: ".*-beta$" instead',
    );
  });

  it('requires a cookie name in exact, without regex', () => {
    const c = ab([{ headers: { cookie: { regex: 'can.*' } } }]);
    expect(issueAt(c, 'spec.analysis.match[0].headers.cookie')).toMatch(
      /by cookie name only: set exact to the cookie name/,
    );
  });

  it('rejects a match entry without headers', () => {
    expect(issueAt(ab([{}]), 'spec.analysis.match[0]')).toMatch(/no header conditions: add headers/);
  });

  it('requires iterations > 0 with match', () => {
    for (const iterations of [undefined, 0]) {
      const c = canary({ iterations, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
      expect(fields(c)).toEqual(['spec.analysis.iterations']);
      expect(issueAt(c, 'spec.analysis.iterations')).toMatch(/more than 0 when match is set.*set iterations/);
    }
  });
});

describe('validateCanary: release windows', () => {
  const win = (w: Record<string, unknown>) =>
    canary({ windows: [{ schedule: '0 9 * * 1-5', duration: '8h', ...w } as never] });

  it('rejects a schedule cron-parser cannot read', () => {
    expect(issueAt(win({ schedule: '61 * * * *' }), 'spec.analysis.windows[0].schedule')).toMatch(
      /"61 \* \* \* \*" is not a valid cron expression \(.*\): use minute hour/,
    );
    expect(issueAt(win({ schedule: 'weekdays' }), 'spec.analysis.windows[0].schedule')).toContain(
      'has 1 fields: use 5',
    );
  });

  it('rejects a schedule with seconds (6 fields)', () => {
    expect(issueAt(win({ schedule: '0 0 9 * * 1-5' }), 'spec.analysis.windows[0].schedule')).toContain(
      'has 6 fields: use 5',
    );
  });

  it('rejects an unknown time zone', () => {
    const c = win({ timeZone: 'Mars/Olympus' });
    expect(fields(c)).toEqual(['spec.analysis.windows[0].timeZone']);
    expect(issueAt(c, 'spec.analysis.windows[0].timeZone')).toMatch(
      /not a known IANA time zone: use a name like UTC/,
    );
  });

  it('accepts IANA zones and UTC', () => {
    expect(validateCanary(win({ timeZone: 'America/New_York' }))).toEqual([]);
    expect(validateCanary(win({ timeZone: 'UTC' }))).toEqual([]);
  });
});

describe('validateCanary: webhooks and metrics', () => {
  it('rejects duplicate webhook names', () => {
    const c = canary({
      webhooks: [
        { name: 'load', url: 'http://a/' },
        { name: 'gate', url: 'http://b/' },
        { name: 'load', url: 'http://c/', type: 'post-rollout' },
      ],
    });
    expect(fields(c)).toEqual(['spec.analysis.webhooks[2].name']);
    expect(issueAt(c, 'spec.analysis.webhooks[2].name')).toBe(
      '"load" is also the name of webhooks[0]: webhook names must be unique; rename one',
    );
  });

  it('rejects a metric that is neither built in nor backed by a template or query', () => {
    const c = canary({ metrics: [{ name: 'error-rate', thresholdRange: { max: 1 } }] });
    expect(fields(c)).toEqual(['spec.analysis.metrics[0].name']);
    expect(issueAt(c, 'spec.analysis.metrics[0].name')).toMatch(
      /"error-rate" is not a built-in metric.*templateRef.*request-success-rate or request-duration/,
    );
  });

  it('rejects a threshold range with min above max', () => {
    const c = canary({ metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99, max: 90 } }] });
    expect(fields(c)).toEqual(['spec.analysis.metrics[0].thresholdRange']);
    expect(issueAt(c, 'spec.analysis.metrics[0].thresholdRange')).toMatch(
      /min 99 is above max 90.*swap them/,
    );
  });
});

describe('validateMetricTemplate', () => {
  const template = (spec: unknown): MetricTemplate =>
    ({
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: 'm' },
      spec,
    }) as MetricTemplate;

  it('accepts a prometheus template with or without an address', () => {
    expect(validateMetricTemplate(template({ provider: { type: 'prometheus' }, query: 'sum(up)' }))).toEqual(
      [],
    );
    const full = {
      provider: {
        type: 'prometheus',
        address: 'http://prometheus.monitoring:9090',
        secretRef: { name: 'prom-auth' },
        headers: { 'X-Scope-OrgID': ['tenant-1'] },
        insecureSkipVerify: true,
      },
      query: 'sum(rate(x[{{ interval }}]))',
    };
    expect(validateMetricTemplate(template(full))).toEqual([]);
  });

  it.each([
    [{ query: 'q' }, 'spec.provider', 'is required'],
    [{ provider: { type: 'prometheus' } }, 'spec.query', 'is required'],
    [{ provider: { type: 'prometheus' }, query: '' }, 'spec.query', 'is empty'],
    [
      { provider: { type: 'stackdriver' }, query: 'q' },
      'spec.provider.type',
      '"prometheus", "datadog", "newrelic", "graphite", "influxdb"',
    ],
    [
      { provider: { type: 'prometheus', address: 'prometheus:9090' }, query: 'q' },
      'spec.provider.address',
      'not an absolute http(s) URL',
    ],
    [{ provider: { type: 'graphite' }, query: 'q' }, 'spec.provider.address', 'is required for graphite'],
    [
      { provider: { type: 'datadog', headers: { a: 'b' } }, query: 'q' },
      'spec.provider.headers.a',
      'must be a list',
    ],
  ])('%j is reported at %s', (spec, field, message) => {
    const issue = validateMetricTemplate(template(spec)).find((i) => i.field === field);
    expect(issue?.message).toContain(message);
  });
});

describe('validateAlertProvider', () => {
  const provider = (spec: unknown): AlertProvider =>
    ({
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'AlertProvider',
      metadata: { name: 'a' },
      spec,
    }) as AlertProvider;

  it('accepts an address or a secretRef', () => {
    expect(
      validateAlertProvider(provider({ type: 'slack', address: 'https://hooks.slack.com/x', channel: 'c' })),
    ).toEqual([]);
    expect(
      validateAlertProvider(provider({ type: 'msteams', secretRef: { name: 'teams' }, cluster: 'prod' })),
    ).toEqual([]);
  });

  it('requires an address or a secretRef', () => {
    expect(validateAlertProvider(provider({ type: 'discord' }))).toEqual([
      { field: 'spec', message: 'needs address or secretRef: set one of them' },
    ]);
    expect(validateAlertProvider(provider({ type: 'discord', address: '' }))).toEqual([
      {
        field: 'spec.address',
        message:
          'is empty and there is no secretRef: set the webhook URL, or secretRef to a Secret with an address key',
      },
    ]);
  });

  it('requires the address and proxy to be URLs', () => {
    const issues = validateAlertProvider(
      provider({ type: 'webhook', address: 'hooks/x', proxy: 'proxy:3128' }),
    );
    expect(issues.map((i) => i.field)).toEqual(['spec.address', 'spec.proxy']);
    expect(issues[0].message).toMatch(/"hooks\/x" is not an absolute http\(s\) URL: write it like https:/);
  });

  it('rejects an unknown type', () => {
    const issues = validateAlertProvider(
      provider({ type: 'gchat', address: 'https://chat.googleapis.com/x' }),
    );
    expect(issues).toEqual([
      {
        field: 'spec.type',
        message:
          'is "gchat", which is not allowed: use one of "slack", "msteams", "discord", "googlechat", "webhook"',
      },
    ]);
  });
});
