/**
 * The built-in metrics through the whole check path (runMetricCheck, or the analysis checker, with the prometheus
 * provider) against a real HTTP server on 127.0.0.1 that plays Prometheus: it answers each query with the answer
 * recorded for it (testdata/) and keeps the queries it received.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withDefaults } from '../../api/defaults.ts';
import type { Canary, CanaryMetric, CanarySpec } from '../../api/types.ts';
import type { Cache } from '../../controller/caches.ts';
import { newWorld, snapshotOf } from '../../engine/testing/world.ts';
import { createAnalysisChecker } from '../analysis.ts';
import { builtinQuery, traefikCanaryService, type BuiltinQueryVars } from './builtin.ts';
import { runMetricCheck, type MetricCheckCanary } from './evaluate.ts';
import { createProvider } from './provider.ts';

interface Recorded {
  query: string;
  answer: unknown;
}
interface Answers {
  answers: Record<string, Recorded>;
  series?: { data: { result: { metric: Record<string, string> }[] } };
}

function load(file: string): Answers {
  return JSON.parse(readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8')) as Answers;
}

const traefik = load('traefik-answers.json');
const nginx = load('ingress-nginx-answers.json');

/** Today's ingress-nginx queries, written out: a Canary without ingressController must keep them byte for byte. */
const NGINX_SUCCESS_RATE =
  'sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!="",status!~"5.*"}[1m])) / ' +
  'sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="podinfo",canary!=""}[1m])) * 100';
const NGINX_DURATION =
  'sum(rate(nginx_ingress_controller_response_duration_seconds_sum{namespace="test",ingress="podinfo",canary!=""}[1m])) / ' +
  'sum(rate(nginx_ingress_controller_response_duration_seconds_count{namespace="test",ingress="podinfo",canary!=""}[1m])) * 1000';

const PODINFO_SERVICE = 'service=~"test-podinfo-podinfo-(80|http)-canary@kubernetesingressnginx"';
const WEB_SERVICE = 'service=~"test-web-front-(80|http)-canary@kubernetesingressnginx"';

describe('built-in metrics answered by Prometheus', () => {
  let server: Server;
  let address = '';
  /** The answer served for each query; replaced per test. */
  let served = new Map<string, unknown>();
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const query = url.searchParams.get('query') ?? '';
      received.push(query);
      const answer = url.pathname === '/api/v1/query' ? served.get(query) : undefined;
      res.writeHead(answer ? 200 : 400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          answer ?? { status: 'error', errorType: 'bad_data', error: `no recorded answer for ${query}` },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    received.length = 0;
    served = new Map();
  });

  function serve(...recorded: Recorded[]): void {
    for (const r of recorded) served.set(r.query, r.answer);
  }

  const podinfo: MetricCheckCanary = {
    name: 'podinfo',
    namespace: 'test',
    target: 'podinfo',
    ingress: 'podinfo',
  };
  const podinfoOnTraefik: MetricCheckCanary = { ...podinfo, ingressController: 'traefik', port: 80 };

  function check(metric: CanaryMetric, canary: MetricCheckCanary) {
    return runMetricCheck({
      metric,
      canary,
      provider: createProvider({ type: 'prometheus', address }, { now: Date.now }),
    });
  }

  describe('ingress-nginx (no ingressController)', () => {
    it('keeps the queries of a Canary without the field byte for byte', () => {
      const vars = { namespace: 'test', ingress: 'podinfo', interval: '1m' };
      expect(builtinQuery('request-success-rate', vars)).toBe(NGINX_SUCCESS_RATE);
      expect(builtinQuery('request-duration', vars)).toBe(NGINX_DURATION);
      expect(nginx.answers['podinfo request-success-rate'].query).toBe(NGINX_SUCCESS_RATE);
      expect(nginx.answers['podinfo request-duration'].query).toBe(NGINX_DURATION);
    });

    it('request-success-rate asks for the Ingress canary series and passes at 99.69%', async () => {
      serve(nginx.answers['podinfo request-success-rate']);
      const result = await check(
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        podinfo,
      );
      expect(received).toEqual([NGINX_SUCCESS_RATE]);
      expect(result).toEqual({
        kind: 'metric',
        name: 'request-success-rate',
        ok: true,
        value: 99.6875,
        message: 'metric request-success-rate 99.69% passed',
        query: NGINX_SUCCESS_RATE,
      });
    });

    it('request-duration fails at 1312.50ms over a 1000ms maximum', async () => {
      serve(nginx.answers['podinfo request-duration']);
      const result = await check(
        { name: 'request-duration', interval: '1m', thresholdRange: { max: 1000 } },
        podinfo,
      );
      expect(received).toEqual([NGINX_DURATION]);
      expect(result).toMatchObject({
        ok: false,
        value: 1312.5,
        message: 'request duration 1312.50ms > 1000ms',
      });
    });

    it('ingressController ingress-nginx asks the same', async () => {
      serve(nginx.answers['podinfo request-success-rate']);
      await check(
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        { ...podinfo, ingressController: 'ingress-nginx', port: 80, portName: 'http' },
      );
      expect(received).toEqual([NGINX_SUCCESS_RATE]);
    });
  });

  describe('traefik (kubernetesIngressNGINX provider)', () => {
    it('asks the queries the answers were recorded for', () => {
      const vars: BuiltinQueryVars = {
        namespace: 'test',
        ingress: 'podinfo',
        interval: '1m',
        ingressController: 'traefik',
        service: 'podinfo',
        port: 80,
        portName: 'http',
      };
      expect(builtinQuery('request-success-rate', vars)).toBe(
        traefik.answers['podinfo request-success-rate'].query,
      );
      expect(builtinQuery('request-duration', vars)).toBe(traefik.answers['podinfo request-duration'].query);
      const web = { ...vars, ingress: 'web', service: 'front' };
      expect(builtinQuery('request-success-rate', web)).toBe(
        traefik.answers['web request-success-rate'].query,
      );
      expect(builtinQuery('request-duration', web)).toBe(traefik.answers['web request-duration'].query);
    });

    it('request-success-rate counts the non-5xx requests of the canary service: 86.56% fails a 99% minimum', async () => {
      serve(traefik.answers['podinfo request-success-rate']);
      const result = await check(
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        podinfoOnTraefik,
      );
      expect(received).toHaveLength(1);
      const [query] = received;
      expect(query).toBe(
        `sum(rate(traefik_service_requests_total{${PODINFO_SERVICE},code!~"5.."}[1m])) / ` +
          `sum(rate(traefik_service_requests_total{${PODINFO_SERVICE}}[1m])) * 100`,
      );
      expect(query).not.toContain('nginx_ingress_controller');
      expect(result).toMatchObject({
        ok: false,
        value: 86.56227773291126,
        message: 'success rate 86.56% < 99%',
      });
    });

    it('request-duration is the mean of the canary service in milliseconds: 39.41ms passes a 500ms maximum', async () => {
      serve(traefik.answers['podinfo request-duration']);
      const result = await check(
        { name: 'request-duration', interval: '1m', thresholdRange: { max: 500 } },
        podinfoOnTraefik,
      );
      expect(received).toEqual([
        `sum(rate(traefik_service_request_duration_seconds_sum{${PODINFO_SERVICE}}[1m])) / ` +
          `sum(rate(traefik_service_request_duration_seconds_count{${PODINFO_SERVICE}}[1m])) * 1000`,
      ]);
      expect(result).toMatchObject({
        ok: true,
        value: 39.40834571605929,
        message: 'metric request-duration 39.41ms passed',
      });
    });

    it('an Ingress whose backend names the port (http) is read too', async () => {
      serve(traefik.answers['web request-success-rate'], traefik.answers['web request-duration']);
      const front: MetricCheckCanary = {
        name: 'front',
        namespace: 'test',
        target: 'front',
        ingress: 'web',
        ingressController: 'traefik',
        port: 80,
        portName: 'http',
      };
      const rate = await check(
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        front,
      );
      const duration = await check(
        { name: 'request-duration', interval: '1m', thresholdRange: { max: 100 } },
        front,
      );
      expect(received.every((q) => q.includes(WEB_SERVICE))).toBe(true);
      expect(rate).toMatchObject({
        ok: true,
        value: 100,
        message: 'metric request-success-rate 100.00% passed',
      });
      expect(duration).toMatchObject({
        ok: false,
        value: 124.21815850497737,
        message: 'request duration 124.22ms > 100ms',
      });
    });

    it('a canary without requests in the window is "not receiving traffic", named a traefik metric', async () => {
      serve(traefik.answers['idle podinfo request-success-rate']);
      const result = await check(
        { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
        podinfoOnTraefik,
      );
      expect(result).toMatchObject({
        ok: false,
        code: 'ENOVALUES',
        message:
          'no values found for traefik metric request-success-rate probably podinfo.test is not receiving traffic',
      });
    });

    it('the selector matches the canary service of the right Ingress only, never a primary or the canary Ingress', () => {
      const services = [...new Set(traefik.series!.data.result.map((s) => s.metric.service))].sort();
      expect(services).toEqual([
        'test-podinfo-podinfo-80-canary@kubernetesingressnginx',
        'test-podinfo-podinfo-80@kubernetesingressnginx',
        'test-web-front-http-canary@kubernetesingressnginx',
        'test-web-front-http@kubernetesingressnginx',
      ]);
      // PromQL anchors =~ at both ends; these regexes use only what RE2 and JavaScript read alike.
      const selects = (vars: BuiltinQueryVars) => {
        const re = new RegExp(`^(?:${traefikCanaryService(vars)})$`);
        return services.filter((s) => re.test(s));
      };
      const base = { namespace: 'test', interval: '1m', port: 80, portName: 'http' };
      expect(selects({ ...base, ingress: 'podinfo', service: 'podinfo' })).toEqual([
        'test-podinfo-podinfo-80-canary@kubernetesingressnginx',
      ]);
      expect(selects({ ...base, ingress: 'web', service: 'front' })).toEqual([
        'test-web-front-http-canary@kubernetesingressnginx',
      ]);
      // The canary Ingress's own name is not in the label: such a query finds nothing.
      expect(selects({ ...base, ingress: 'podinfo-canary', service: 'podinfo' })).toEqual([]);
      const wrong = traefik.answers['podinfo-canary request-success-rate'];
      expect(wrong.query).toContain('test-podinfo-canary-podinfo-');
      expect(wrong.answer).toMatchObject({ data: { result: [] } });
    });

    it('the analysis checker reads spec.ingressController, the apex Service and its port from the Canary', async () => {
      serve(traefik.answers['podinfo request-success-rate'], traefik.answers['podinfo request-duration']);
      const empty = { get: () => undefined, list: () => [] } as Cache<never>;
      const checker = createAnalysisChecker({
        metricTemplates: empty,
        secrets: empty,
        defaultPrometheus: address,
        clock: Date.now,
      });
      const spec: CanarySpec = {
        ingressController: 'traefik',
        targetRef: { name: 'podinfo' },
        ingressRef: { name: 'podinfo' },
        service: { port: 80, targetPort: 9898 },
        analysis: {
          interval: '30s',
          metrics: [
            { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
            { name: 'request-duration', interval: '1m', thresholdRange: { max: 500 } },
          ],
        },
      };
      const snapshot = snapshotOf(newWorld(withDefaults(spec)));
      const results = await checker({} as Canary, snapshot);
      expect(received.sort()).toEqual(
        [
          traefik.answers['podinfo request-success-rate'].query,
          traefik.answers['podinfo request-duration'].query,
        ].sort(),
      );
      expect(results).toEqual([
        {
          kind: 'metric',
          name: 'request-success-rate',
          ok: false,
          value: 86.56227773291126,
          message: 'success rate 86.56% < 99%',
          record: {
            kind: 'threshold',
            metric: 'request-success-rate',
            unit: '%',
            value: 86.56227773291126,
            min: 99,
            verdict: 'Low',
            reason: 'success rate 86.56% < 99%',
          },
        },
        {
          kind: 'metric',
          name: 'request-duration',
          ok: true,
          value: 39.40834571605929,
          message: 'metric request-duration 39.41ms passed',
          record: {
            kind: 'threshold',
            metric: 'request-duration',
            unit: 'ms',
            value: 39.40834571605929,
            max: 500,
            verdict: 'Pass',
            reason: 'metric request-duration 39.41ms passed',
          },
        },
      ]);
    });
  });
});
