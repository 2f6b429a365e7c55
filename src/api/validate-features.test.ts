import { describe, expect, it } from 'vitest';
import type { AlertProvider, CanaryAnalysis, MetricTemplate } from './types.ts';
import { validateAlertProvider, validateCanary, validateMetricTemplate } from './validate.ts';
import { canary, fields, issueAt } from './testing.ts';

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
