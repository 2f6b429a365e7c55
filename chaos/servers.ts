/**
 * The two judges of a revision, real HTTP servers on 127.0.0.1 the operator calls:
 *  - a rollout webhook receiver that answers 500 when the canary in the caller's namespace runs a tag
 *    the plan made webhook-bad, else 200;
 *  - a Prometheus-API test server (Prometheus's `/api/v1/query` JSON, not Prometheus itself) behind a
 *    MetricTemplate of type prometheus: its query names the namespace, and it answers an error rate of
 *    50 when the canary there runs a tag the plan made metric-bad, else 0 (the metric's max is 5).
 * "The canary runs" is the target Deployment's image as the suite's own watcher last saw it.
 */
import { json, startFakeServer, text, type FakeServer } from '../test/integration/metrics/fake-server.ts';

export const BAD_ERROR_RATE = 50;
export const ERROR_RATE_MAX = 5;

/** How many answers each server gave, by verdict. */
export interface JudgeTally {
  webhook: { pass: number; fail: number; unknown: number };
  metric: { pass: number; fail: number; unknown: number; online: number };
}

export interface Judges {
  webhookUrl: string;
  prometheusUrl: string;
  tally: JudgeTally;
  close(): Promise<void>;
}

export interface JudgeInput {
  /** The image tag the canary in `ns` runs now. */
  currentTag(ns: string): string | undefined;
  webhookBad: ReadonlySet<string>;
  metricBad: ReadonlySet<string>;
}

/** The PromQL the MetricTemplate asks; the server reads the namespace back out of it. */
export const ERROR_RATE_QUERY =
  'chaos_canary_error_rate{namespace="{{ namespace }}",deployment="{{ target }}"}';

function vector(value: number) {
  return {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] },
  };
}

export async function startJudges(input: JudgeInput): Promise<Judges> {
  const tally: JudgeTally = {
    webhook: { pass: 0, fail: 0, unknown: 0 },
    metric: { pass: 0, fail: 0, unknown: 0, online: 0 },
  };
  const servers: FakeServer[] = [];
  try {
    servers.push(
      await startFakeServer((req, res) => {
        let ns = '';
        try {
          ns = String((JSON.parse(req.body) as { namespace?: unknown }).namespace ?? '');
        } catch {
          /* no body */
        }
        const tag = input.currentTag(ns);
        if (tag === undefined) tally.webhook.unknown++;
        if (tag !== undefined && input.webhookBad.has(tag)) {
          tally.webhook.fail++;
          return text(res, 500, `chaos: revision ${tag} is bad`);
        }
        tally.webhook.pass++;
        text(res, 200, 'ok');
      }),
    );
    servers.push(
      await startFakeServer((req, res) => {
        if (req.url.pathname !== '/api/v1/query') return text(res, 404, 'not found');
        const query = req.url.searchParams.get('query') ?? new URLSearchParams(req.body).get('query') ?? '';
        if (query.trim() === 'vector(1)') {
          tally.metric.online++;
          return json(res, 200, vector(1));
        }
        const ns = /namespace="([^"]*)"/.exec(query)?.[1] ?? '';
        const tag = input.currentTag(ns);
        if (tag === undefined) tally.metric.unknown++;
        const bad = tag !== undefined && input.metricBad.has(tag);
        if (bad) tally.metric.fail++;
        else tally.metric.pass++;
        json(res, 200, vector(bad ? BAD_ERROR_RATE : 0));
      }),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const [webhook, prometheus] = servers;
  return {
    webhookUrl: `${webhook.url}/rollout`,
    prometheusUrl: prometheus.url,
    tally,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
