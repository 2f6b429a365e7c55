/**
 * (a) The reference walkthrough: podinfo behind ingress-nginx, 10% more traffic every step up to 50%
 * while success rate ≥ 99% and latency ≤ 1000ms, then promotion; Slack gets Block Kit messages for the
 * initialisation, the new revision and the promotion; `kanaria report` draws the finished release, and
 * headless Chromium renders it to artifacts/e2e/walkthrough-report.png. At every weight the canary's share of the user
 * requests (on Traefik: as the pods' own processes counted them) is within the binomial tolerance of
 * that weight, over at least 300 requests per step: 120 requests/s and a 4 s interval leave about 3.3 s
 * of each step once the new weight has settled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { startReceiver, type Receiver } from '../test/integration/notify/receiver.ts';
import { e2eEnvironment, type AppUnderTest, type E2EEnvironment, type OperatorUnderTest } from './harness.ts';
import {
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  prometheusCanaryRequests,
  recordCounts,
  report,
  waitFor,
  waitForPhase,
  watchRoutes,
  WALKTHROUGH_METRICS,
} from './scenario.ts';
import { renderReportArtifact } from './report-artifact.ts';
import { createSlackProvider, slackTexts } from './slack.ts';
import { formatStep, MIN_REQUESTS_PER_STEP, stepShares, Z } from './step-shares.ts';

const RPS = 120;

describe('reference walkthrough', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;
  let slack: Receiver | undefined;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('walkthrough');
    app = await env.deployApp(ns.name, { rps: RPS });
    operator = await env.startOperator(ns.name);
    if (env.localReceiversReachable) slack = await startReceiver();
  });
  afterAll(async () => {
    await operator?.stop();
    await slack?.close();
    await ns?.cleanup();
    await env?.stop();
  });

  it('initialises, shifts 10→50% in steps of 10 while the metrics pass, promotes and tells Slack', async () => {
    const { kube } = env;
    const namespace = ns.name;
    const alerts = slack
      ? [await createSlackProvider(kube, namespace, `${slack.origin}/services/T0/B0/walkthrough`)]
      : [];
    await createCanary(env, namespace, {
      interval: '4s',
      threshold: 5,
      stepWeight: 10,
      maxWeight: 50,
      metrics: WALKTHROUGH_METRICS,
      alerts,
    });
    const init = await waitForPhase(kube, namespace, 'Initialized');
    expect(init.status?.canaryWeight).toBe(0);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.status?.readyReplicas).toBe(2);

    const routes = watchRoutes(kube, namespace);
    const recorder = await recordCounts(app);
    const started = Date.now();
    await app.release('6.0.1');
    const done = await waitForPhase(kube, namespace, 'Succeeded', 150_000);
    const seconds = (Date.now() - started) / 1000;
    await routes.stop();
    await recorder.stop();
    const before = recorder.snapshots[0].counts;
    const counts = recorder.snapshots.at(-1)!.counts;
    const steps = stepShares(routes.samples, recorder);
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);
    const inPrometheus = await prometheusCanaryRequests(env, namespace);

    report('walkthrough', [
      `release 6.0.0 → 6.0.1 on ${env.kind}: ${done.status?.phase} after ${seconds.toFixed(1)}s`,
      `weights seen: ${routes.weights().join(' → ')}`,
      `requests: primary ${counts.primary - before.primary}, canary ${counts.canary - before.canary}; Prometheus counted ${inPrometheus} canary requests`,
      `canary share per step (two-sided z=${Z}, false alarm ≈ 1e-5 per step; at least ${MIN_REQUESTS_PER_STEP} requests):`,
      ...steps.map((s) => `  ${formatStep(s)}`),
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    expect(routes.weights()).toEqual([0, 10, 20, 30, 40, 50, 0]);
    expect(steps.map((s) => s.weight)).toEqual([10, 20, 30, 40, 50]);
    for (const step of steps) {
      expect(step.requests, formatStep(step)).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_STEP);
      expect(step.withinTolerance, formatStep(step)).toBe(true);
    }
    expect(counts.canary).toBeGreaterThan(before.canary);
    expect(inPrometheus).toBeGreaterThan(0);
    const promoted = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(promoted.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
    const text = notes.join('\n');
    for (const step of [10, 20, 30, 40, 50])
      expect(text).toContain(`Advance podinfo.${namespace} canary weight ${step}`);
    expect(text).toContain(`New revision detected! Scaling up podinfo.${namespace}`);
    expect(text).toContain(`Copying podinfo.${namespace} template spec to podinfo-primary.${namespace}`);
    expect(text).toContain(`Promotion completed! Scaling down podinfo.${namespace}`);
    // Weights only ever went up during the analysis: the order of the Advance events says the same.
    const advances = notes.filter((n) => n.includes('canary weight')).map((n) => Number(n.split(' ').at(-1)));
    expect(advances).toEqual([10, 20, 30, 40, 50]);

    // The release report of the finished release, rendered by headless Chromium (kept in artifacts/e2e/).
    const rendered = await renderReportArtifact(namespace, 'podinfo', 'walkthrough');
    report('walkthrough/report', [
      `${rendered.htmlPath} → ${rendered.pngPath}: ${rendered.width}×${rendered.height}, ${rendered.distinctBytes} distinct byte values`,
      `panels: weight, ${rendered.panels.join(', ')}`,
    ]);
    expect(rendered.html).toContain('<section class="panel weight">');
    expect(rendered.html).toMatch(/Succeeded/);
    expect(rendered.panels).toEqual(['request-success-rate', 'request-duration']);
    expect((rendered.html.match(/<tr><td class="num">/g) ?? []).length).toBe(5);
    expect([rendered.width, rendered.height]).toEqual([1200, 1600]);
    expect(rendered.distinctBytes).toBeGreaterThan(50);

    if (slack) {
      const receiver = slack;
      await waitFor('the promotion message on Slack', async () =>
        slackTexts(receiver).some((t) => t.includes('Promotion completed')),
      );
      const texts = slackTexts(receiver);
      report(
        'walkthrough/slack',
        texts.map((t) => t.split('\n')[0]),
      );
      expect(texts.some((t) => t.includes(`Initialization done! podinfo.${namespace}`))).toBe(true);
      expect(
        texts.some((t) => t.includes(`New revision detected! Starting the release of podinfo.${namespace}`)),
      ).toBe(true);
      expect(texts.some((t) => t.includes(`Promotion completed! podinfo.${namespace}`))).toBe(true);
      for (const r of receiver.requests) {
        const body = r.body as { blocks?: { type: string }[]; text?: string };
        expect(body.blocks?.[0]?.type).toBe('header');
        expect(body.blocks?.some((b) => b.type === 'section')).toBe(true);
        expect(typeof body.text).toBe('string');
      }
    }
  });
});
