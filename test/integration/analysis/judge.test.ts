import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryAnalysis, CanaryMetric } from '../../../src/api/types.ts';
import { seededRandom, TestBackend } from '../../../src/dataplane/backend.ts';
import { SimulatedNginx } from '../../../src/dataplane/dataplane.ts';
import { startPrometheus, type PrometheusServer } from '../../../src/devcluster/prometheus.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  createPodinfo,
  notesOnceSeen,
  getCanary,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { runCli } from '../cli/support.ts';

/**
 * The canary-versus-control judge against a real Prometheus: the simulated ingress-nginx data plane
 * (src/dataplane, a simulation) sends generated requests to two real HTTP backends and exports
 * ingress-nginx's series, which Prometheus scrapes every second.
 */
const compared: CanaryMetric = {
  name: 'request-duration',
  interval: '2s',
  compare: { direction: 'increase', allowedIncrease: 1.1 },
};

/** The fixed limit a user would set: the canary's mean latency, from the same series, at most 500 ms. */
function latencyLimit(namespace: string, ingress: string): CanaryMetric {
  const series = (name: string) =>
    `sum(rate(nginx_ingress_controller_response_duration_seconds_${name}{namespace="${namespace}",ingress="${ingress}",canary!=""}[3s]))`;
  return {
    name: 'latency-limit',
    query: `${series('sum')} / ${series('count')} * 1000`,
    unit: 'ms',
    thresholdRange: { max: 500 },
  };
}

function judgedAnalysis(namespace: string, name: string, extra: Partial<CanaryAnalysis> = {}) {
  return {
    interval: '4s',
    threshold: 2,
    stepWeight: 10,
    maxWeight: 30,
    metrics: [compared, latencyLimit(namespace, name)],
    judge: { lookback: '8s', sampleStep: '1s', inconclusiveLimit: 2 },
    ...extra,
  };
}

async function app(
  kube: Kube,
  namespace: string,
  name: string,
  latency: { primary: number; canary: number },
  rps: number,
) {
  const primary = await TestBackend.start({ name: `${name}-primary`, latencyMs: latency.primary });
  const canary = await TestBackend.start({ name: `${name}-canary`, latencyMs: latency.canary });
  const sim = new SimulatedNginx({
    kube,
    namespace,
    ingress: name,
    primary,
    canary,
    rps,
    random: seededRandom(7),
    maxDurationMs: 240_000,
  });
  await sim.start();
  return {
    sim,
    stop: async () => {
      await sim.stop();
      await primary.close();
      await canary.close();
    },
  };
}

describe('the judge compares the canary with the primary in real Prometheus series', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let prom: PrometheusServer;
  let controller: RunningController;
  let slack: HookServer;
  const apps: Awaited<ReturnType<typeof app>>[] = [];

  beforeAll(async () => {
    kube = testKube();
    slack = await new HookServer().start();
    ns = await freshNamespace(kube, 'judge');
    for (const name of ['slower', 'equal', 'quiet', 'marginal']) await createPodinfo(kube, ns.name, { name });
    apps.push(await app(kube, ns.name, 'slower', { primary: 100, canary: 130 }, 40));
    apps.push(await app(kube, ns.name, 'equal', { primary: 100, canary: 100 }, 40));
    apps.push(await app(kube, ns.name, 'quiet', { primary: 100, canary: 100 }, 1));
    apps.push(await app(kube, ns.name, 'marginal', { primary: 100, canary: 130 }, 40));
    prom = await startPrometheus({ scrapeTargets: apps.map((a) => a.sim.metricsTarget!) });
    // The first release's lookback must not reach back before Prometheus had scraped anything.
    await waitFor(
      'Prometheus has 10 s of every app',
      async () => {
        const query = 'count(count_over_time(nginx_ingress_controller_requests[10s]) >= 8)';
        const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        return Number(body.data?.result?.[0]?.value[1] ?? 0) >= 3;
      },
      60_000,
      500,
    );
    await kube.custom.createNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural: 'alertproviders',
      namespace: ns.name,
      body: {
        apiVersion: 'kanaria.dev/v1beta1',
        kind: 'AlertProvider',
        metadata: { name: 'slack' },
        spec: { type: 'slack', address: `${slack.url}/services/T000/B000/judge` },
      },
    });
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
      metricsServer: prom.url,
    });
  });
  afterAll(async () => {
    await controller?.stop();
    for (const a of apps) await a.stop();
    await prom?.stop();
    await slack?.stop();
    await ns?.cleanup();
  });

  async function release(name: string, analysis: Partial<CanaryAnalysis>, until: string[]) {
    const namespace = ns.name;
    await createCanary(kube, canaryManifest(namespace, analysis, name));
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, name)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1', name);
    return waitFor(
      `${name}: ${until.join(' or ')}`,
      async () => {
        const c = await getCanary(kube, namespace, name);
        return until.includes(c.status?.phase ?? '') ? c : undefined;
      },
      150_000,
      250,
    );
  }

  it('judges a canary 30 % slower than the primary High and rolls it back, though it stays under 500 ms', async () => {
    const failed = await release(
      'slower',
      {
        ...judgedAnalysis(ns.name, 'slower'),
        alerts: [{ name: 'team', severity: 'error', providerRef: { name: 'slack' } }],
      },
      ['Failed', 'Succeeded'],
    );
    expect(failed.status?.phase).toBe('Failed');
    const intervals = failed.status?.analysis?.intervals ?? [];
    // An interval may lack samples from before the canary had traffic (Inconclusive): it only waits.
    const judged = intervals.filter((i) => i.judgement?.decision !== 'inconclusive');
    expect(judged.map((i) => i.judgement?.decision)).toEqual(['fail', 'fail']);
    for (const interval of judged) {
      const control = interval.metrics.find((m) => m.kind === 'control')!;
      const limit = interval.metrics.find((m) => m.kind === 'threshold')!;
      expect(control).toMatchObject({ metric: 'request-duration', verdict: 'High' });
      expect(control.kind === 'control' && control.effectSize!).toBeGreaterThan(1.2);
      // The fixed limit passes: the canary is slow only next to its control.
      expect(limit).toMatchObject({ metric: 'latency-limit', verdict: 'Pass', max: 500 });
      expect(limit.kind === 'threshold' && limit.value!).toBeLessThan(200);
    }
    expect(intervals.every((i) => i.weight === 10)).toBe(true);
    expect(failed.status?.message).toMatch(
      /^judge: score 0 < marginal 50; not passed: request-duration High; request-duration: canary higher than control/,
    );
    const halts = (
      await notesOnceSeen(kube, ns.name, 'slower', (now) => now.some((n) => n.startsWith('Halt advancement')))
    ).filter((n) => n.startsWith('Halt advancement'));
    expect(halts.some((n) => /effect 1\.[2-4]\d× ≥ allowed 1\.10×/.test(n))).toBe(true);

    // The Slack-shaped receiver got the rollback with the metric, its value, the control's and the verdict.
    await waitFor('rollback alert', async () => slack.callsTo('/services/T000/B000/judge').length > 0);
    const body = JSON.stringify(slack.callsTo('/services/T000/B000/judge').at(-1)!.body);
    expect(body).toContain('rolled back');
    expect(body).toContain('*Metric*\\nrequest-duration');
    expect(body).toContain('*Verdict*\\nHigh');
    expect(body).toMatch(/\*Value\*\\n1[23]\d(\.\d+)?/);
    expect(body).toMatch(/\*Against\*\\ncontrol 10\d(\.\d+)? ms/);
  });

  it('passes a canary equal to its primary', async () => {
    const done = await release('equal', judgedAnalysis(ns.name, 'equal'), ['Failed', 'Succeeded']);
    expect(done.status?.phase).toBe('Succeeded');
    const decisions = done.status?.analysis?.intervals.map((i) => i.judgement?.decision) ?? [];
    // One pass per weight (10, 20, 30); an Inconclusive interval (too few samples yet) only waits.
    expect(decisions.filter((d) => d === 'pass')).toHaveLength(3);
    expect(decisions.filter((d) => d !== 'pass' && d !== 'inconclusive')).toEqual([]);
  });

  it('is Inconclusive on a canary with too few requests, then fails after the configured count with that reason', async () => {
    const failed = await release('quiet', judgedAnalysis(ns.name, 'quiet', { metrics: [compared] }), [
      'Failed',
      'Succeeded',
    ]);
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.failedChecks ?? 0).toBe(0);
    expect(failed.status?.message).toMatch(
      /^inconclusive for 2 consecutive intervals \(limit 2\): inconclusive: request-duration: too few values to judge \(canary [0-4], control \d+ values; at least 5 needed on each side\)/,
    );
    const decisions = failed.status?.analysis?.intervals.map((i) => i.judgement?.decision);
    expect(decisions).toEqual(['inconclusive', 'inconclusive']);
    const notes = await notesOnceSeen(kube, ns.name, 'quiet', (now) =>
      now.some((n) => n.includes('waiting for more data')),
    );
    expect(notes.some((n) => n.includes('waiting for more data'))).toBe(true);
  });

  it('holds a marginal score at WaitingPromotion until kanaria promote, then releases', async () => {
    const namespace = ns.name;
    // Two groups of equal weight: latency High, success rate Pass, so the score is 50 (marginal 50 ≤ 50 < 75).
    const analysis = judgedAnalysis(namespace, 'marginal', {
      metrics: [
        { ...compared, compare: { ...compared.compare, groups: ['latency'] } },
        {
          name: 'request-success-rate',
          interval: '2s',
          compare: { direction: 'decrease', groups: ['errors'] },
        },
      ],
    });
    const held = await release('marginal', analysis, ['WaitingPromotion', 'Failed', 'Succeeded']);
    expect(held.status?.phase).toBe('WaitingPromotion');
    expect(held.status?.analysis?.held?.reason).toMatch(/^score 50 < pass 75 but ≥ marginal 50/);
    // It stays held at its weight while the analysis goes on.
    const heldAt = held.status?.canaryWeight;
    const intervalsBefore = held.status?.analysis?.intervals.length ?? 0;
    await waitFor(
      'two more intervals',
      async () => {
        const c = await getCanary(kube, namespace, 'marginal');
        return (c.status?.analysis?.intervals.length ?? 0) >= intervalsBefore + 2;
      },
      60_000,
      250,
    );
    const still = await getCanary(kube, namespace, 'marginal');
    expect(still.status?.phase).toBe('WaitingPromotion');
    expect(still.status?.canaryWeight).toBe(heldAt);
    expect(still.status?.failedChecks ?? 0).toBe(0);
    const notes = await notesOnceSeen(kube, namespace, 'marginal', (now) =>
      now.some((n) => n.startsWith('Marginal score: waiting for a person to promote')),
    );
    expect(notes.some((n) => n.startsWith('Marginal score: waiting for a person to promote'))).toBe(true);

    const promoted = await runCli(['promote', 'marginal', '-n', namespace]);
    expect(promoted.code, promoted.stderr).toBe(0);
    const done = await waitFor(
      'Succeeded',
      async () => {
        const c = await getCanary(kube, namespace, 'marginal');
        return c.status?.phase === 'Succeeded' ? c : undefined;
      },
      90_000,
      250,
    );
    const weights = done.status?.analysis?.intervals.map((i) => i.weight) ?? [];
    expect(Math.max(...weights)).toBe(30);
  });

  it('kanaria report writes the release report of the rolled-back release', async () => {
    const out = `/tmp/kanaria-judge-report-${process.pid}.html`;
    const result = await runCli(['report', 'slower', '-n', ns.name, '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const html = await readFile(out, 'utf8');
    expect(html).toContain('slower');
    expect(html).toContain('request-duration');
    expect(html).toContain('latency-limit');
  });
});
