import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckStage } from './model.ts';
import { baseSpec, newWorld, revisionOf, runUntil, step, type Fault, type World } from './testing/world.ts';
import { failingChecks, type DataPlane } from './testing/checks.ts';
import { sequenceArb, type Sequence } from './testing/fault-ops.ts';
import { approveNow, StepsWatch, STEP_INVARIANTS, stepsAnalysis } from './testing/steps-faults.ts';

/**
 * Releases under faults: random sequences of pushes (some of bad builds, whose analysis fails),
 * config changes, pods that stop being ready, a data plane that starts or stops ignoring the canary
 * route (seen by the observed-split check, when the sequence has one) and reconciles that meet a fault (a refused status
 * write, a crash after k of n writes, stale caches). Some Canaries run a baseline (analysis.judge.baseline, Gateway
 * API) whose pods also stop being ready; some follow analysis.steps (a header route, weights, an open pause that
 * people approve at random moments, a timed pause). Each invariant is counted over all sequences.
 * KANARIA_FAULT_SEQUENCES sets how many (default 100,000).
 */
const SEQUENCES = Number(process.env.KANARIA_FAULT_SEQUENCES ?? 100_000);
const T0 = Date.parse('2026-06-01T00:00:00Z');
const TERMINAL = new Set(['Initialized', 'Succeeded', 'Failed']);

export const INVARIANTS = [
  'weight out of range',
  'traffic on a failed or unanalysed revision',
  'bad or failed revision reached the primary',
  'more than one promotion of a revision',
  'weight went down during Progressing',
  'promoted without a check at full traffic',
  'outcome not delivered',
  'release never ended',
  'baseline traffic outside a release or without pods',
  "baseline weight differs from the canary's",
  'weight above 0 before the baseline was ready',
  'baseline left running after the release',
  ...STEP_INVARIANTS,
] as const;
type Invariant = (typeof INVARIANTS)[number];

/** Route writes under a Progressing status of one release that lower a non-zero weight to a non-zero one. */
function weightDrops(w: World): boolean {
  for (let i = 1; i < w.routeWrites.length; i++) {
    const [a, b] = [w.routeWrites[i - 1], w.routeWrites[i]];
    if (a.phase === 'Progressing' && b.phase === 'Progressing' && a.release === b.release)
      if (b.weight < a.weight && b.weight !== 0) return true;
  }
  return false;
}

/** Sequences in which the observed-split check halted a release (the data plane ignored the canary). */
let splitHalts = 0;
/** Sequences in which the judge failed a check, and in which Inconclusive intervals ended a release. */
let judgeHalts = 0;
let inconclusiveEnds = 0;
/** Sequences of baseline Canaries, and those in which a release waited for its baseline's pods. */
let baselineSequences = 0;
let baselineWaits = 0;
/** Sequences of analysis.steps Canaries, and those in which a release waited at its open pause. */
let stepsSequences = 0;
let stepsHeld = 0;
const furthestSteps = [0, 0, 0, 0, 0, 0];

const ROUTED_PHASES = new Set(['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']);

function runSequence({ spec: drawn, ops }: Sequence): Set<Invariant> {
  // A baseline needs a weighted canary of at most 50 % (validation refuses the others).
  const spec = drawn.baseline ? { ...drawn, strategy: 'canary', maxWeight: 50 } : drawn;
  const withBaseline = spec.baseline;
  const hooks = [
    { name: 'pre', type: 'pre-rollout' as const, url: 'http://127.0.0.1:1/' },
    { name: 'load', type: 'rollout' as const, url: 'http://127.0.0.1:1/' },
  ];
  const w = newWorld(
    baseSpec({
      threshold: spec.threshold,
      stepWeight: spec.stepWeight,
      maxWeight: spec.maxWeight,
      stepWeightPromotion: spec.stepWeightPromotion,
      webhooks: hooks,
      ...(spec.strategy === 'canary' ? {} : { iterations: 2 }),
      ...(spec.strategy === 'ab' ? { match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } : {}),
      ...(spec.judge
        ? {
            metrics: [{ name: 'latency', query: 'q', compare: { direction: 'increase' as const } }],
            judge: { inconclusiveLimit: 2 },
          }
        : {}),
      ...(withBaseline ? { judge: { inconclusiveLimit: 2, baseline: true } } : {}),
    }),
  );
  if (spec.strategy === 'steps')
    w.spec = { ...w.spec, analysis: stepsAnalysis(w.spec.analysis, spec.stepWeight, spec.maxWeight) };
  const stepsWatch = spec.strategy === 'steps' ? new StepsWatch(w) : undefined;
  if (withBaseline) w.spec = { ...w.spec, provider: 'gatewayapi:v1' };
  w.splitObservable = spec.observedSplit;
  const dataPlane: DataPlane = { ignoresCanary: false };
  const violations = new Set<Invariant>();
  const bad = new Set<string>();
  const failed = new Set<string>();
  const max = spec.strategy === 'bluegreen' ? 100 : spec.maxWeight;
  let now = T0;
  let version = 1;
  let crashes = 0;
  const releasesWithTraffic = new Set<string>();
  let sawBaselineWait = false;
  const observe = (
    before: { phase?: string; weight: number; recorded: number; revision?: string },
    clean: boolean,
  ) => {
    if (w.weight < 0 || w.weight > max) violations.add('weight out of range');
    const st = w.status;
    const analysed = `${st.lastAppliedSpec}/${JSON.stringify(st.trackedConfigs ?? {})}`;
    if (st.phase === 'Failed') failed.add(analysed);
    if (clean && (w.weight > 0 || w.match) && (revisionOf(w) !== analysed || failed.has(analysed)))
      violations.add('traffic on a failed or unanalysed revision');
    if (
      clean &&
      before.phase === 'Progressing' &&
      st.phase === 'Progressing' &&
      before.revision === analysed &&
      w.weight < before.weight &&
      w.weight !== 0
    )
      violations.add('weight went down during Progressing');
    // The decision that first gives a release weight is made with its baseline ready (also when the reconcile
    // then crashes: the next one writes the recorded weight even if the baseline's pods have gone meanwhile,
    // as it keeps the weight of a canary whose pods go).
    const recorded = st.canaryWeight ?? 0;
    if (withBaseline && before.recorded === 0 && recorded > 0 && st.releaseStartTime !== undefined) {
      if (
        !releasesWithTraffic.has(st.releaseStartTime) &&
        (w.baselineReplicas !== w.targetReplicas || !w.baselinePodsReady)
      )
        violations.add('weight above 0 before the baseline was ready');
      releasesWithTraffic.add(st.releaseStartTime);
    }
    // Like the canary's, checked after reconciles that ran to the end (a crash leaves the next one to repair).
    if (!withBaseline || !clean) return;
    if (w.baselineWeight > 0 && (!ROUTED_PHASES.has(st.phase ?? '') || w.baselineReplicas === 0))
      violations.add('baseline traffic outside a release or without pods');
    if (w.weight > 0 && !w.match && w.baselineWeight !== w.weight)
      violations.add("baseline weight differs from the canary's");
  };
  const tick = (ms: number, fault: Fault, stages: CheckStage[]) => {
    now += ms;
    const st = w.status;
    const before = {
      phase: st.phase,
      weight: w.weight,
      recorded: st.canaryWeight ?? 0,
      revision: `${st.lastAppliedSpec}/${JSON.stringify(st.trackedConfigs ?? {})}`,
    };
    const seen: { weight: number; match: boolean }[] = [];
    const stepBefore = stepsWatch?.before();
    step(w, now, failingChecks(w, bad, stages, seen, dataPlane), fault);
    if (stepsWatch && stepBefore)
      for (const v of stepsWatch.after(stepBefore, now, fault.kind === 'none')) violations.add(v);
    if (w.status.message?.startsWith('waiting for baseline deployment')) sawBaselineWait = true;
    if (st.phase === 'Progressing' && w.status.phase === 'Promoting') {
      const last = seen.at(-1);
      const full = spec.strategy === 'ab' ? last?.match === true : last?.weight === max;
      if (!full) violations.add('promoted without a check at full traffic');
    }
    if (fault.kind === 'crash') crashes++;
    observe(before, fault.kind === 'none');
  };
  if (stepsWatch) {
    // Steps sequences begin with a release under way, so that their ops meet its steps and pauses.
    now = runUntil(w, now, (x) => x.status.phase === 'Initialized' && x.targetReplicas === 0);
    w.targetHash = `v${++version}`;
  }
  for (const op of ops) {
    if (op.op === 'push') {
      w.targetHash = `v${++version}`;
      if (op.bad) bad.add(w.targetHash);
    } else if (op.op === 'config') w.configs = { 'configmap/app': `c${++version}` };
    else if (op.op === 'canaryPods') w.targetPodsReady = op.ready;
    else if (op.op === 'dataPlane') dataPlane.ignoresCanary = op.ignoresCanary;
    else if (op.op === 'quiet') dataPlane.quiet = op.on;
    else if (op.op === 'baselinePods') w.baselinePodsReady = op.ready;
    else if (op.op === 'approve') approveNow(w, now);
    else tick(op.ms, op.fault, op.failing);
  }
  // Settle: no more faults, pods ready, the data plane routes by the weight, checks pass for good builds.
  w.targetPodsReady = true;
  w.baselinePodsReady = true;
  dataPlane.ignoresCanary = false;
  dataPlane.quiet = false;
  // People approve the release's open pauses from now on (an approval without a record opens any pause).
  if (stepsWatch) w.requests = { ...w.requests, approve: revisionOf(w), decision: undefined };
  try {
    now = runUntil(
      w,
      now + 1,
      (x) => TERMINAL.has(x.status.phase ?? '') && x.targetReplicas === 0 && !x.status.pendingOutcome,
      failingChecks(w, bad, []),
      600,
    );
    tick(1000, { kind: 'none' }, []);
    if (w.weight !== 0 || w.match) violations.add('release never ended');
    if (w.baselineReplicas !== 0 || w.baselineWeight !== 0)
      violations.add('baseline left running after the release');
  } catch {
    violations.add('release never ended');
  }
  for (const revision of w.promotions.slice(1))
    if (bad.has(revision.split('/')[0]) || failed.has(revision))
      violations.add('bad or failed revision reached the primary');
  if (weightDrops(w)) violations.add('weight went down during Progressing');
  if (w.events.some((e) => e.message.includes('requests reached the canary'))) splitHalts++;
  if (w.events.some((e) => e.message.includes(' judge: '))) judgeHalts++;
  if (w.events.some((e) => e.message.includes('consecutive intervals'))) inconclusiveEnds++;
  if (withBaseline) baselineSequences++;
  if (sawBaselineWait) baselineWaits++;
  if (stepsWatch) {
    stepsSequences++;
    if (stepsWatch.heldAtOpenPause) stepsHeld++;
    furthestSteps[stepsWatch.furthest + 1]++;
  }
  if (new Set(w.promotions).size !== w.promotions.length)
    violations.add('more than one promotion of a revision');
  if (w.outcomes.length < w.outcomesRecorded || w.outcomes.length > w.outcomesRecorded + crashes)
    violations.add('outcome not delivered');
  return violations;
}

describe('releases under faults (partial plans, refused status writes, stale caches)', () => {
  it(`holds every invariant over ${SEQUENCES} random sequences`, () => {
    const counts = new Map<Invariant, number>(INVARIANTS.map((i) => [i, 0]));
    const examples = new Map<Invariant, unknown>();
    const seed = Number(process.env.KANARIA_FAULT_SEED ?? 20261201);
    const samples = fc.sample(sequenceArb, { numRuns: SEQUENCES, seed });
    for (const sample of samples) {
      for (const v of runSequence(sample)) {
        counts.set(v, (counts.get(v) ?? 0) + 1);
        if (!examples.has(v)) examples.set(v, sample);
      }
    }
    const table = INVARIANTS.map((i) => `  ${String(counts.get(i)).padStart(7)}  ${i}`).join('\n');
    console.log(
      `fault sequences: ${samples.length} (seed ${seed}; ${splitHalts} with a release halted by the observed split, ` +
        `${judgeHalts} with a check failed by the judge, ${inconclusiveEnds} with a release ended by Inconclusive intervals, ` +
        `${baselineSequences} of baseline Canaries, ${baselineWaits} with a release waiting for its baseline's pods, ` +
        `${stepsSequences} of analysis.steps Canaries, ${stepsHeld} with a release held at an open pause; ` +
        `furthest step reached, none/1/…/5: ${furthestSteps.join('/')})\n` +
        `violations by invariant:\n${table}`,
    );
    for (const [v, ex] of examples) console.log(`first sequence violating "${v}": ${JSON.stringify(ex)}`);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(0);
  }, 300_000);
});
