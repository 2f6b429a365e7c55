import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderQuery } from '../checks/metrics/query.ts';
import type { MetricTemplate } from './types.ts';
import { validateMetricTemplate } from './validate.ts';

const root = new URL('../../', import.meta.url);
const DOC = 'docs/metric-templates-gateway-api.md';

/**
 * The series each example template reads, as docs/metric-templates-gateway-api.md lists them, and what its
 * query selects for the Canary podinfo in namespace test (the canary's upstream or cluster).
 */
interface Expected {
  series: string[];
  selects: string;
}

const NGF_CANARY = 'test_podinfo-canary_[0-9]+';
const EG_CANARY = 'service/test/podinfo-canary/[0-9]+(/.+)?';
const EG_AB_RULE = 'httproute/test/podinfo/rule/0';

const SERIES: Record<string, Record<string, Expected>> = {
  'examples/metric-templates/nginx-gateway-fabric.yaml': {
    'ngf-plus-request-success-rate': {
      series: ['nginx_http_upstream_peer_responses_total'],
      selects: NGF_CANARY,
    },
    'ngf-plus-request-duration': {
      series: [
        'nginx_http_upstream_peer_response_time_milliseconds',
        'nginx_http_upstream_peer_requests_total',
      ],
      selects: NGF_CANARY,
    },
    'ngf1-plus-request-success-rate': {
      series: ['nginx_gateway_fabric_upstream_server_responses'],
      selects: NGF_CANARY,
    },
    'ngf1-plus-request-duration': {
      series: [
        'nginx_gateway_fabric_upstream_server_response_time',
        'nginx_gateway_fabric_upstream_server_requests',
      ],
      selects: NGF_CANARY,
    },
  },
  'examples/metric-templates/envoy-gateway.yaml': {
    'envoy-gateway-request-success-rate': { series: ['envoy_cluster_upstream_rq'], selects: EG_CANARY },
    'envoy-gateway-request-duration': {
      series: ['envoy_cluster_upstream_rq_time_sum', 'envoy_cluster_upstream_rq_time_count'],
      selects: EG_CANARY,
    },
    'envoy-gateway-ab-request-success-rate': { series: ['envoy_cluster_upstream_rq'], selects: EG_AB_RULE },
    'envoy-gateway-ab-request-duration': {
      series: ['envoy_cluster_upstream_rq_time_sum', 'envoy_cluster_upstream_rq_time_count'],
      selects: EG_AB_RULE,
    },
  },
};

async function read(path: string): Promise<string> {
  return readFile(fileURLToPath(new URL(path, root)), 'utf8');
}

async function templates(path: string): Promise<MetricTemplate[]> {
  return parseAllDocuments(await read(path)).map((doc) => doc.toJS() as MetricTemplate);
}

describe.each(Object.entries(SERIES))('%s', (file, expected) => {
  it('holds exactly the documented MetricTemplates, each valid', async () => {
    const found = await templates(file);
    expect(found.map((t) => t.metadata.name).sort()).toEqual(Object.keys(expected).sort());
    for (const t of found) {
      expect(t.apiVersion, t.metadata.name).toBe('kanaria.dev/v1beta1');
      expect(t.kind, t.metadata.name).toBe('MetricTemplate');
      expect(t.metadata.namespace, t.metadata.name).toBeTruthy();
      expect(validateMetricTemplate(t), t.metadata.name).toEqual([]);
    }
  });

  it('each query reads the series the document names and renders with the Canary variables', async () => {
    const doc = await read(DOC);
    for (const t of await templates(file)) {
      const rendered = renderQuery(t.spec.query, {
        name: 'podinfo',
        namespace: 'test',
        target: 'podinfo',
        service: 'podinfo',
        ingress: 'podinfo',
        interval: '1m',
      });
      expect(rendered, t.metadata.name).not.toContain('{{');
      const { series: names, selects } = expected[t.metadata.name];
      expect(rendered, t.metadata.name).toContain(`"${selects}"`);
      for (const series of names) {
        expect(t.spec.query, `${t.metadata.name} reads ${series}`).toMatch(new RegExp(`\\b${series}\\{`));
        expect(doc, `${DOC} names ${series}`).toContain(`\`${series}`);
      }
    }
  });
});
