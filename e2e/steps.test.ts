/**
 * (h) A release written as `analysis.steps`: header route `x-canary: insider` → 1 % (analysed for 8 s)
 * → pause until approved → 10 % → pause 10 s → 50 % → promotion, with 30 % of the user requests carrying
 * the header. Between one step and the next (as the Canary's status and the canary Ingress showed them;
 * the first window also waits until the data plane routes by the header, on Traefik as its API shows),
 * the pods' own counters (on Traefik) must show every request with the header on the canary and none on
 * the primary, and the canary's share of the other requests within the binomial tolerance of the step's
 * weight (at least 300 of them per weight step: 120 requests/s, 70 % without the header, steps of 5 s or
 * more). The release holds at the open pause for more than two intervals, at weight 1 with the checks
 * still running, until `kanaria promote`; the timed pause lasts its 10 s.
 *
 * A second release fails its rollout webhook (a receiver in this process that starts answering 500) while
 * its 10 % step is in force: with threshold 1 it rolls back from that step, the canary Ingress loses its
 * header route and goes to weight 0, and afterwards no request, with or without the header, reaches the
 * canary (those with the header reach the primary).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStep } from '../src/api/steps.ts';
import type { Canary, HttpMatch } from '../src/api/types.ts';
import { readCanary } from '../src/kube/canaries.ts';
import type { Kube } from '../src/kube/client.ts';
import { kubeconfigPath } from '../test/integration/helpers.ts';
import { startReceiver, type Receiver } from '../test/integration/notify/receiver.ts';
import type { CountsRecorder } from './counts-recorder.ts';
import {
  e2eEnvironment,
  type AppCounts,
  type AppOptions,
  type AppUnderTest,
  type E2EEnvironment,
  type OperatorUnderTest,
} from './harness.ts';
import {
  countsBetween,
  createCanary,
  eventNotes,
  expectNoSplitAlarm,
  recordCounts,
  report,
  waitFor,
  waitForPhase,
  watchRoutes,
  WALKTHROUGH_METRICS,
  type RouteSample,
} from './scenario.ts';
import { binomialShare, MIN_REQUESTS_PER_STEP, Z, type StepShare } from './step-shares.ts';

const bin = resolve(fileURLToPath(import.meta.url), '../../bin/kanaria.js');

const HEADER = 'x-canary';
const INSIDER = 'insider';
const INSIDERS: HttpMatch[] = [{ headers: { [HEADER]: { exact: INSIDER } } }];
/** 30 % of the user requests carry the header. */
const APP: AppOptions = { traffic: [{ share: 0.3, headers: { [HEADER]: INSIDER } }], abHeader: HEADER };
const WEB = 'nginx.ingress.kubernetes.io';
/** After a route (or step) is seen, the data plane has applied it; before the next is seen, it has not. */
const SETTLE_MS = 500;
const GUARD_MS = 50;
const IN_FLIGHT_MS = 200;

const INTERVAL_MS = 5000;
const PAUSE_MS = 10_000;
const STEPS: ReleaseStep[] = [
  { setHeaderRoute: { match: INSIDERS } },
  { setWeight: 1, interval: '8s' },
  { pause: {} },
  { setWeight: 10 },
  { pause: { duration: '10s' } },
  { setWeight: 50 },
];
/** The canary weight each step leaves in force (the header route stays beside it throughout). */
const STEP_WEIGHTS = [0, 1, 1, 10, 10, 50];
const STEP_NAMES = [
  `header route ${HEADER}=${INSIDER}`,
  'setWeight 1 (interval 8s)',
  'pause until approved',
  'setWeight 10',
  'pause 10s',
  'setWeight 50',
];

interface StatusSample {
  at: number;
  phase?: string;
  step?: number;
  weight?: number;
  stepStartTime?: string;
  lastStepTime?: string;
}

/** Polls the Canary's status every 50 ms and keeps each distinct state with the time it was seen. */
function watchStatus(kube: Kube, namespace: string, name = 'podinfo') {
  const samples: StatusSample[] = [];
  const key = (s: StatusSample) =>
    [s.phase, s.step, s.weight, s.stepStartTime, s.lastStepTime].map((v) => v ?? '').join('/');
  let stopped = false;
  const sampleOnce = async () => {
    const c: Canary | undefined = await readCanary(kube, namespace, name).catch(() => undefined);
    if (!c?.status) return;
    const st = c.status;
    const sample: StatusSample = {
      at: Date.now(),
      phase: st.phase,
      step: st.currentStep,
      weight: st.canaryWeight,
      stepStartTime: st.stepStartTime,
      lastStepTime: st.lastStepTime,
    };
    const last = samples.at(-1);
    if (!last || key(last) !== key(sample)) samples.push(sample);
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await sleep(50);
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
      await sampleOnce();
    },
  };
}

const routeText = (s: Pick<RouteSample, 'weight' | 'header' | 'headerValue' | 'cookie'>) =>
  `weight ${s.weight}${s.header ? ` + ${s.header}=${s.headerValue}` : ''}${s.cookie ? ` + cookie ${s.cookie}` : ''}`;

/** Consecutive distinct routes of the canary Ingress. */
const routeTexts = (samples: readonly RouteSample[]) =>
  samples.map(routeText).filter((r, i, all) => i === 0 || all[i - 1] !== r);

/** User requests in a window, by whether they carried the header and where they went. */
interface StepCounts {
  headerCanary: number;
  /** Undefined where the environment does not count the primary's header requests. */
  headerPrimary?: number;
  plain: StepShare;
}

function splitCounts(d: AppCounts, weight: number): StepCounts {
  const headerPrimary = d.primaryMatched;
  const plainPrimary = d.primary - (headerPrimary ?? 0);
  return {
    headerCanary: d.canary - d.canaryUnmatched,
    headerPrimary,
    plain: binomialShare(weight, plainPrimary + d.canaryUnmatched, d.canaryUnmatched),
  };
}

interface StepWindow {
  index: number;
  /** When the Canary's status first showed the step (Progressing, currentStep = index). */
  seenAt?: number;
  /** How long the step was in force by the status's stepStartTime (the last step: until Promoting was seen). */
  lastedMs?: number;
  /** The window counted, after the step and its route were seen and before either changed. */
  from?: number;
  to?: number;
  counts?: StepCounts;
}

/**
 * Each step's window: from SETTLE_MS after both the status showed the step and the canary Ingress showed
 * its route (the weight of STEP_WEIGHTS with the header route), and the data plane had the header route
 * (`headerInProxyAt`), to GUARD_MS before either changed.
 */
function stepWindows(
  statuses: readonly StatusSample[],
  routes: readonly RouteSample[],
  recorder: CountsRecorder,
  headerInProxyAt = 0,
): StepWindow[] {
  const starts = STEPS.map(
    (_, i) => statuses.find((s) => s.phase === 'Progressing' && s.step === i)?.stepStartTime,
  );
  const promoting = statuses.find((s) => s.phase === 'Promoting');
  return STEPS.map((_, index): StepWindow => {
    const first = statuses.find((s) => s.phase === 'Progressing' && s.step === index);
    if (!first) return { index };
    const next = statuses.find((s) => s.at > first.at && (s.phase !== 'Progressing' || s.step !== index));
    const statusEnd = next?.at ?? Date.now();
    const expected = { weight: STEP_WEIGHTS[index], header: HEADER, headerValue: INSIDER };
    const route = routes.findLast((r) => r.at <= statusEnd && routeText(r) === routeText(expected));
    // By the status's own times; the last step (whose end the status does not record) as observed.
    const lasted =
      index + 1 < STEPS.length
        ? Date.parse(starts[index + 1] ?? '') - Date.parse(starts[index] ?? '')
        : (promoting?.at ?? NaN) - first.at;
    const lastedMs = Number.isFinite(lasted) ? lasted : undefined;
    if (!route) return { index, seenAt: first.at, lastedMs };
    const routeEnd = routes.find((r) => r.at > route.at)?.at ?? Date.now();
    // The header route's first step also waits for the data plane to route by it, where that is known.
    const from = Math.max(first.at, route.at, headerInProxyAt) + SETTLE_MS;
    const to = Math.min(statusEnd, routeEnd) - GUARD_MS;
    const a = recorder.after(from);
    const b = recorder.before(to);
    const counts =
      a && b && b.to > a.from ? splitCounts(countsBetween(a, b), STEP_WEIGHTS[index]) : undefined;
    return { index, seenAt: first.at, lastedMs, from, to, counts };
  });
}

function table(windows: StepWindow[]): string[] {
  const widths = [4, 29, 7, 7, 11, 12, 17, 21, 7];
  const cols = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ');
  return [
    cols([
      'step',
      'action',
      'lasted',
      'window',
      'hdr→canary',
      'hdr→primary',
      'plain canary/all',
      'share',
      'ok',
    ]),
    ...windows.map((w) => {
      const c = w.counts;
      const share = c?.plain.requests ? ((100 * c.plain.canary) / c.plain.requests).toFixed(2) : '–';
      const ok = c
        ? c.plain.withinTolerance && (c.headerPrimary ?? 0) === 0 && c.headerCanary > 0
          ? 'ok'
          : 'OUT'
        : 'missing';
      return cols([
        String(w.index),
        STEP_NAMES[w.index],
        w.lastedMs === undefined ? '–' : `${(w.lastedMs / 1000).toFixed(2)}s`,
        w.from !== undefined && w.to !== undefined ? `${((w.to - w.from) / 1000).toFixed(2)}s` : '–',
        c ? String(c.headerCanary) : '–',
        c ? String(c.headerPrimary ?? 'n/a') : '–',
        c ? `${c.plain.canary}/${c.plain.requests}` : '–',
        c ? `${share}% (${c.plain.expected.toFixed(1)} ± ${c.plain.tolerance.toFixed(1)})` : '–',
        ok,
      ]);
    }),
  ];
}

describe('analysis.steps: header → 1 % → pause {} → 10 % → pause 10 s → 50 % → promotion', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('steps');
    app = await env.deployApp(ns.name, { rps: 120, ...APP });
    operator = await env.startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.cleanup();
    await env?.stop();
  });

  it('routes the header to the canary and the rest by each step’s weight, waits for approval, pauses 10 s, promotes', async () => {
    const { kube } = env;
    const namespace = ns.name;
    await createCanary(env, namespace, {
      interval: `${INTERVAL_MS / 1000}s`,
      threshold: 5,
      stepWeight: undefined,
      maxWeight: undefined,
      metrics: WALKTHROUGH_METRICS,
      steps: STEPS,
    });
    await waitForPhase(kube, namespace, 'Initialized');
    const routes = watchRoutes(kube, namespace);
    const statuses = watchStatus(kube, namespace);
    const recorder = await recordCounts(app);
    const started = Date.now();
    await app.release('6.0.1');
    // Polled from now on: when the data plane has the header route (Traefik's API), where that is known.
    const headerInProxy = app.headerRoutedAt?.(HEADER, true, 90_000);

    // The open pause: more than two intervals at step 2 with weight 1, the checks running meanwhile.
    const paused = await waitFor(
      'the open pause (step 2)',
      async () => statuses.samples.find((s) => s.phase === 'Progressing' && s.step === 2),
      90_000,
      50,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; events:\n  ${(await eventNotes(kube, namespace)).join('\n  ')}`);
    });
    await sleep(2.5 * INTERVAL_MS);
    const holdEnd = Date.now();
    const during = statuses.samples.filter((s) => s.at >= paused.at && s.at <= holdEnd);
    const routesDuring = routes.samples.filter((r) => r.at > paused.at && r.at <= holdEnd);
    const routeAtPause = routes.samples.findLast((r) => r.at <= holdEnd);
    const checksDuringPause = new Set(
      during.map((s) => s.lastStepTime).filter((t) => t !== undefined && t !== paused.lastStepTime),
    ).size;

    const promote = await promisify(execFile)(
      process.execPath,
      [bin, 'promote', 'podinfo', '--kubeconfig', env.kubeconfig, '-n', namespace],
      { timeout: 30_000 },
    );
    const approvedAt = Date.now();
    const done = await waitForPhase(kube, namespace, 'Succeeded', 150_000);
    const seconds = (Date.now() - started) / 1000;
    await routes.stop();
    await statuses.stop();
    await recorder.stop();
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);

    const headerInProxyAt = await headerInProxy;
    const windows = stepWindows(statuses.samples, routes.samples, recorder, headerInProxyAt);
    // The header route's whole span, from its first step to the promotion (the header route stays until
    // Finalising): no request with the header on the primary.
    const headerSeen = routes.samples.find((r) => r.header === HEADER);
    const promotingAt = statuses.samples.find((s) => s.phase === 'Promoting')?.at;
    const spanStart = headerSeen && recorder.after(Math.max(headerSeen.at, headerInProxyAt ?? 0) + SETTLE_MS);
    const spanEnd = promotingAt !== undefined ? recorder.before(promotingAt - GUARD_MS) : undefined;
    const span = spanStart && spanEnd ? countsBetween(spanStart, spanEnd) : undefined;
    const nextAfterApproval = statuses.samples.find((s) => s.phase === 'Progressing' && s.step === 3);

    report('steps', [
      `release 6.0.0 → 6.0.1 on ${env.kind}: ${done.status?.phase} after ${seconds.toFixed(1)}s; interval ${INTERVAL_MS / 1000}s, ${STEPS.length} steps`,
      `routes seen: ${routeTexts(routes.samples).join(' → ')}`,
      `header route in the data plane ${headerSeen && headerInProxyAt ? `${((headerInProxyAt - headerSeen.at) / 1000).toFixed(2)}s after the canary Ingress showed it` : '(not known here)'}`,
      `open pause: held ${((holdEnd - paused.at) / 1000).toFixed(1)}s at step 2 (${checksDuringPause} checks meanwhile, route ${routeAtPause ? routeText(routeAtPause) : '–'}) until:`,
      `  $ kanaria promote podinfo -n ${namespace}`,
      `  ${promote.stdout.trim()}`,
      `  step 3 seen ${nextAfterApproval ? `${((nextAfterApproval.at - holdEnd) / 1000).toFixed(1)}s` : '–'} after the command began (it returned after ${((approvedAt - holdEnd) / 1000).toFixed(1)}s)`,
      `header route to promotion: canary ${span ? span.canary - span.canaryUnmatched : '–'} requests with the header, primary ${span?.primaryMatched ?? 'n/a'}`,
      `per step (${env.kind === 'traefik' ? "the pods' own counters" : 'as counted where they arrived'}; plain = without the header; two-sided z=${Z}; weight steps at least ${MIN_REQUESTS_PER_STEP} plain requests):`,
      ...table(windows).map((l) => `  ${l}`),
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    // Routes: the header route first, kept beside every weight, both removed after the promotion.
    expect(routeTexts(routes.samples)).toEqual([
      'weight 0',
      `weight 0 + ${HEADER}=${INSIDER}`,
      `weight 1 + ${HEADER}=${INSIDER}`,
      `weight 10 + ${HEADER}=${INSIDER}`,
      `weight 50 + ${HEADER}=${INSIDER}`,
      'weight 0',
    ]);
    // Every step in order, each with its requests where they belong.
    for (const w of windows) {
      const what = `step ${w.index} (${STEP_NAMES[w.index]})`;
      expect(w.seenAt, `${what} seen`).toBeDefined();
      expect(w.counts, `${what}: counts`).toBeDefined();
      const c = w.counts!;
      expect(c.headerCanary, `${what}: header requests on the canary`).toBeGreaterThan(0);
      if (c.headerPrimary !== undefined) expect(c.headerPrimary, `${what}: header on the primary`).toBe(0);
      expect(c.plain.withinTolerance, `${what}: ${c.plain.canary}/${c.plain.requests}`).toBe(true);
      if (STEP_WEIGHTS[w.index] > 0) expect(c.plain.requests).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_STEP);
    }
    expect(span, 'the header route until the promotion').toBeDefined();
    expect(span!.canary - span!.canaryUnmatched).toBeGreaterThan(0);
    if (span!.primaryMatched !== undefined) expect(span!.primaryMatched).toBe(0);

    // The open pause held for more than two intervals, at weight 1, the checks running, the route unchanged.
    expect(holdEnd - paused.at).toBeGreaterThan(2 * INTERVAL_MS);
    for (const s of during) expect([s.phase, s.step, s.weight]).toEqual(['Progressing', 2, 1]);
    expect(routesDuring).toEqual([]);
    expect(routeAtPause && routeText(routeAtPause)).toBe(`weight 1 + ${HEADER}=${INSIDER}`);
    expect(checksDuringPause).toBeGreaterThanOrEqual(2);
    expect(promote.stdout).toMatch(/approved/);
    // …and moved on at the next look after the approval.
    expect(nextAfterApproval).toBeDefined();
    expect(nextAfterApproval!.at).toBeGreaterThan(holdEnd);
    expect(nextAfterApproval!.at - approvedAt).toBeLessThan(INTERVAL_MS + 3000);

    // Step durations by the status's stepStartTime: the 1 % step its own 8 s interval, the pause its 10 s.
    expect(windows[1].lastedMs).toBeGreaterThanOrEqual(8000);
    expect(windows[4].lastedMs).toBeGreaterThanOrEqual(PAUSE_MS);
    expect(windows[4].lastedMs).toBeLessThan(PAUSE_MS + INTERVAL_MS);

    const text = notes.join('\n');
    const id = `podinfo.${namespace}`;
    STEP_NAMES.forEach((what, i) =>
      expect(text).toContain(`Advance ${id} to step ${i + 1}/${STEPS.length}: ${what}`),
    );
    expect(text).toMatch(new RegExp(`Pause at step 3/6 of ${id.replace('.', '\\.')} approved.*: continuing`));
    expect(text).toContain(`Promotion completed! Scaling down ${id}`);
    expect(text).not.toContain('Rolling back');
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.1');
  });
});

describe('analysis.steps: a failed check rolls back from the step in force', () => {
  let env: E2EEnvironment;
  let ns: { name: string; cleanup: () => Promise<void> };
  let app: AppUnderTest;
  let operator: OperatorUnderTest;
  let hook: Receiver | undefined;
  let failing = false;

  beforeAll(async () => {
    env = await e2eEnvironment(kubeconfigPath());
    ns = await env.namespace('steps-rollback');
    app = await env.deployApp(ns.name, { rps: 80, ...APP });
    operator = await env.startOperator(ns.name);
    if (env.localReceiversReachable)
      hook = await startReceiver(() =>
        failing ? { status: 500, body: 'failing on purpose' } : { status: 200, body: 'ok' },
      );
  });
  afterAll(async () => {
    await operator?.stop();
    await hook?.close();
    await ns?.cleanup();
    await env?.stop();
  });

  it('rolls back at the 10 % step when its rollout webhook fails: header route removed, weight 0, no request on the canary', async () => {
    // The webhook that breaks on cue is a receiver in this process, which the operator must reach.
    if (!hook) throw new Error(`the ${env.kind} environment's operator cannot reach a webhook receiver here`);
    const { kube } = env;
    const namespace = ns.name;
    const steps: ReleaseStep[] = [
      { setHeaderRoute: { match: INSIDERS } },
      // Long enough to see the step's traffic and break the webhook before its check.
      { setWeight: 10, interval: '6s' },
      { pause: { duration: '30s' } },
      { setWeight: 50 },
    ];
    await createCanary(env, namespace, {
      interval: '3s',
      threshold: 1,
      stepWeight: undefined,
      maxWeight: undefined,
      metrics: [],
      webhooks: [{ name: 'release-check', type: 'rollout', url: `${hook!.origin}/check`, timeout: '5s' }],
      steps,
    });
    await waitForPhase(kube, namespace, 'Initialized');
    const routes = watchRoutes(kube, namespace);
    const recorder = await recordCounts(app);
    const started = Date.now();
    await app.release('6.0.1');
    const atTen = await waitFor(
      'weight 10 beside the header route',
      async () => routes.samples.find((s) => s.weight === 10 && s.header === HEADER),
      90_000,
      50,
    );
    // Polled from now on, so it tells when the data plane routes by weight 0 again.
    const routedBack = app.routedAt(0, 60_000);
    await sleep(SETTLE_MS + 1500);
    const brokenAt = Date.now();
    failing = true;
    const failed = await waitForPhase(kube, namespace, 'Failed', 60_000);
    const dataPlaneAt = await routedBack;
    const headerGoneAt = (await app.headerRoutedAt?.(HEADER, false, 30_000)) ?? dataPlaneAt;
    const ingressAt = routes.samples.find((s) => s.at > atTen.at && s.weight === 0)?.at ?? Date.now();
    await sleep(Math.max(0, Math.max(ingressAt, dataPlaneAt, headerGoneAt) - Date.now()) + IN_FLIGHT_MS);
    const atRollback = await app.counts();
    const quietFrom = Date.now();
    await sleep(3000);
    const afterRollback = await app.counts();
    await routes.stop();
    await recorder.stop();
    const ingress = await kube.networking.readNamespacedIngress({ name: 'podinfo-canary', namespace });
    const annotations = ingress.metadata?.annotations ?? {};
    const notes = await eventNotes(kube, namespace);
    expectNoSplitAlarm(notes);
    const atStep = countsBetween(recorder.after(atTen.at + SETTLE_MS)!, recorder.before(brokenAt)!);
    const after = countsBetween(
      { from: quietFrom, to: quietFrom, counts: atRollback },
      { from: quietFrom + 3000, to: quietFrom + 3000, counts: afterRollback },
    );
    // Failed user requests (no answer from any version) around the rollback, by time from the data plane's switch.
    const failures = (app.failures?.('ingress') ?? []).filter((f) => f.at >= brokenAt);
    const failuresText = failures.map((f) => `${f.status} at +${((f.at - brokenAt) / 1000).toFixed(2)}s`);
    const failedAt = failed.status?.lastTransitionTime;
    const hookCalls = hook!.requests.length;

    report('steps/rollback', [
      `release 6.0.0 → 6.0.1 on ${env.kind}, rollout webhook answering 500 from +${((brokenAt - started) / 1000).toFixed(1)}s: ${failed.status?.phase} after ${((Date.now() - started) / 1000).toFixed(1)}s (status currentStep ${failed.status?.currentStep}, ${hookCalls} webhook calls)`,
      `routes seen: ${routeTexts(routes.samples).join(' → ')}`,
      `canary Ingress after the rollback: canary-weight ${annotations[`${WEB}/canary-weight`]}, canary-by-header ${annotations[`${WEB}/canary-by-header`] ?? '(none)'}, canary-by-header-value ${annotations[`${WEB}/canary-by-header-value`] ?? '(none)'}`,
      `at the 10 % step before the webhook broke: canary ${atStep.canary - atStep.canaryUnmatched} with the header, ${atStep.canaryUnmatched} without; primary ${atStep.primary} (${atStep.primaryMatched ?? 'n/a'} with the header)`,
      `after the webhook broke: Ingress at weight 0 +${((ingressAt - brokenAt) / 1000).toFixed(2)}s, data plane at weight 0 +${((dataPlaneAt - brokenAt) / 1000).toFixed(2)}s, header route gone from it +${((headerGoneAt - brokenAt) / 1000).toFixed(2)}s (Failed at ${failedAt ?? '–'})`,
      `in the 3s from +${((quietFrom - brokenAt) / 1000).toFixed(2)}s: canary ${after.canary} (${after.canaryUnmatched} without the header); primary ${after.primary} (${after.primaryMatched ?? 'n/a'} with the header)`,
      `failed user requests since the webhook broke: ${failuresText.join(', ') || 'none'}`,
      'events:',
      ...notes.map((n) => `  ${n}`),
    ]);

    const text = notes.join('\n');
    const id = `podinfo.${namespace}`;
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.canaryWeight).toBe(0);
    // Rolled back from the 10 % step: it was entered, its check failed, nothing after it was.
    const entered = text.indexOf(`Advance ${id} to step 2/4: setWeight 10 (interval 6s)`);
    const halted = text.indexOf(`Halt advancement ${id}`);
    expect(entered).toBeGreaterThanOrEqual(0);
    expect(halted).toBeGreaterThan(entered);
    expect(text).toMatch(/Halt advancement .*release-check/);
    expect(text).not.toContain(`to step 3/4`);
    expect(text).toContain(`Rolling back ${id} failed checks threshold reached 1`);
    expect(routeTexts(routes.samples)).toEqual([
      'weight 0',
      `weight 0 + ${HEADER}=${INSIDER}`,
      `weight 10 + ${HEADER}=${INSIDER}`,
      'weight 0',
    ]);
    expect(annotations[`${WEB}/canary-weight`]).toBe('0');
    expect(annotations[`${WEB}/canary-by-header`]).toBeUndefined();
    expect(annotations[`${WEB}/canary-by-header-value`]).toBeUndefined();
    // The step had both kinds of requests on the canary; after the rollback none of either.
    expect(atStep.canary - atStep.canaryUnmatched).toBeGreaterThan(0);
    expect(atStep.canaryUnmatched).toBeGreaterThan(0);
    expect(after.canary).toBe(0);
    expect(after.canaryUnmatched).toBe(0);
    expect(after.primary).toBeGreaterThan(0);
    // The requests with the header are served by the primary now.
    if (after.primaryMatched !== undefined) expect(after.primaryMatched).toBeGreaterThan(0);
    const primary = await kube.apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.0.0');
  });
});
