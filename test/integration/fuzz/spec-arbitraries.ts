import fc from 'fast-check';

/** Values of every JSON shape, with the edge cases specs get wrong most (empty, huge, negative, wrong type). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '0s', '1ms', '30s', '999999h', '1d', '-1s', 'soon', '1.5h', '25h', '10m', 'NaN'),
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, -1, 1e12, 2 ** 31, 0.5, 101),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 120 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

function set(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
}

const CANARY_PATHS = [
  'provider',
  'targetRef',
  'targetRef.name',
  'targetRef.kind',
  'ingressRef.name',
  'autoscalerRef',
  'autoscalerRef.name',
  'service',
  'service.port',
  'service.targetPort',
  'service.portDiscovery',
  'progressDeadlineSeconds',
  'skipAnalysis',
  'suspend',
  'revertOnDeletion',
  'metricsServer',
  'analysis',
  'analysis.interval',
  'analysis.threshold',
  'analysis.maxWeight',
  'analysis.stepWeight',
  'analysis.stepWeights',
  'analysis.stepWeightPromotion',
  'analysis.iterations',
  'analysis.primaryReadyThreshold',
  'analysis.canaryReadyThreshold',
  'analysis.match',
  'analysis.windows',
  'analysis.metrics',
  'analysis.webhooks',
  'analysis.alerts',
].map((p) => p.split('.'));

const ELEMENT_PATHS: Record<string, string[][]> = {
  'analysis.metrics': [
    'name',
    'interval',
    'thresholdRange',
    'thresholdRange.min',
    'templateRef',
    'query',
  ].map((p) => p.split('.')),
  'analysis.webhooks': ['name', 'type', 'url', 'timeout', 'retries', 'metadata'].map((p) => p.split('.')),
  'analysis.match': ['headers', 'headers.x-canary', 'headers.x-canary.exact', 'cookie', 'sourceLabels'].map(
    (p) => p.split('.'),
  ),
  'analysis.windows': ['schedule', 'duration', 'timeZone', 'kind'].map((p) => p.split('.')),
};

export function validCanarySpec(name: string): Record<string, unknown> {
  return {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name },
    service: { port: 80, targetPort: 9898 },
    analysis: {
      interval: '10s',
      threshold: 2,
      maxWeight: 50,
      stepWeight: 10,
      metrics: [{ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } }],
      webhooks: [{ name: 'load', type: 'rollout', url: 'http://127.0.0.1:9/', timeout: '5s' }],
      windows: [{ schedule: '0 9 * * 1-5', duration: '8h', timeZone: 'Europe/Berlin', kind: 'allow' }],
    },
  };
}

type Mutation = { path: string[]; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ path: fc.constantFrom(...CANARY_PATHS), value: fc.oneof(anyValue, fc.constant(undefined)) }),
  fc
    .record({
      list: fc.constantFrom(...Object.keys(ELEMENT_PATHS)),
      index: fc.constantFrom(0, 1),
      value: fc.oneof(anyValue, fc.constant(undefined)),
    })
    .chain(({ list, index, value }) =>
      fc.constantFrom(...ELEMENT_PATHS[list]).map((inner) => ({
        path: [...list.split('.'), String(index), ...inner],
        value,
      })),
    ),
);

/** A Canary spec: a valid one with one to three fields replaced by values of any shape, or removed. */
export function canarySpecArb(name: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const spec = validCanarySpec(name);
    for (const m of mutations) {
      const [list, ...rest] = m.path;
      // Array elements: "analysis.metrics.0.name" addresses the first element.
      const index = m.path.findIndex((p) => /^\d+$/.test(p));
      if (index > 0) {
        const arrayPath = m.path.slice(0, index);
        const holder = arrayPath.slice(0, -1).reduce<Record<string, unknown>>((node, key) => {
          if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
          return node[key] as Record<string, unknown>;
        }, spec);
        const key = arrayPath.at(-1)!;
        if (!Array.isArray(holder[key])) holder[key] = [];
        const items = holder[key] as Record<string, unknown>[];
        const i = Number(m.path[index]);
        while (items.length <= i) items.push({});
        if (typeof items[i] !== 'object' || items[i] === null) items[i] = {};
        set(items[i], m.path.slice(index + 1), m.value);
      } else set(spec, [list, ...rest], m.value);
    }
    return spec;
  });
}

export function metricTemplateSpecArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      path: fc.constantFrom(
        ['provider'],
        ['provider', 'type'],
        ['provider', 'address'],
        ['provider', 'secretRef'],
        ['query'],
        ['provider', 'insecureSkipVerify'],
      ),
      value: fc.oneof(anyValue, fc.constantFrom('datadog', 'graphite', 'prometheus', 'ftp://x', 'http://')),
    })
    .map(({ path, value }) => {
      const spec: Record<string, unknown> = {
        provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' },
        query: 'sum(rate(x[{{ interval }}]))',
      };
      set(spec, path, value);
      return spec;
    });
}

export function alertProviderSpecArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      path: fc.constantFrom(['type'], ['address'], ['channel'], ['secretRef'], ['proxy'], ['username']),
      value: fc.oneof(
        anyValue,
        fc.constantFrom('slack', 'msteams', 'gopher', 'http://', 'https://hooks.example/x'),
      ),
    })
    .map(({ path, value }) => {
      const spec: Record<string, unknown> = {
        type: 'slack',
        address: 'https://hooks.slack.example/services/x',
      };
      set(spec, path, value);
      return spec;
    });
}
