// One measured run: N apps created, the controller started (cold start until every Canary is
// Initialized), every image bumped at once, and the release followed until every Canary Succeeded.
import { join } from 'node:path';
import { addToCanaryNamespaces } from './background.ts';
import type { BenchCluster, ControllerName } from './cluster.ts';
import { FLAGGER_MIN_INTERVAL_MS, flaggerArgs } from './flagger.ts';
import {
  percentile,
  phaseAt,
  procStats,
  record,
  stepDelays,
  waitUntil,
  weightChangeTimes,
} from './measure.ts';
import { sampleCpu, type Burst } from './cpu-sampler.ts';
import { chartNodeOptions, heapSnapshot } from './heap.ts';
import { controllerView, type ControllerView } from './controller-view.ts';
import { kanariaCommand, kanariaRuntime, startProcess } from './process.ts';
import { CANARY_API, bumpImages, createWorkload, type Analysis } from './workload.ts';
import { auditFigures } from './release-audit.ts';
import type { StepParts } from './step-parts.ts';

export interface RunResult {
  controller: ControllerName;
  n: number;
  /** Whether the background objects (bench/background.ts) were in the cluster; absent in older records: no. */
  background?: boolean;
  /** Namespaces the N canaries were spread over; absent in older records: 1. */
  namespaces?: number;
  intervalMs: number;
  steps: number;
  coldStartMs: number;
  coldStartCpuS: number;
  releaseCpuS: number;
  peakRssMiB: number;
  /** RSS when the release ended (steadier than the peak, which start-up LISTs may set). */
  endRssMiB?: number;
  /** From the first image bump to the last Succeeded. */
  allSucceededMs: number;
  /** Per canary: bump → Succeeded, divided by steps × interval. */
  normalizedLatency: { p50: number; max: number };
  releaseMs: { p50: number; max: number };
  firstStepMs: { p50: number; p99: number };
  stepLagMs: { p50: number; p99: number; max: number; samples: number; missing: number };
  failed: number;
  /** Canaries that had not finished when the release time limit was reached (0 when all did). */
  unfinished: number;
  /** Weight steps the API and CPU figures are divided by: N × steps, or the steps made when cut short. */
  canarySteps?: number;
  apiPerCanaryStep: Record<string, number>;
  apiTotalPerCanaryStep: number;
  apiTop: Record<string, number>;
  /**
   * Requests per canary per weight step while the release runs (between each canary's first and last weight
   * step: start-up and promotion left out), with the largest kinds; absent in older records.
   */
  apiPerWeightStep?: number;
  apiPerWeightStepTop?: Record<string, number>;
  /** The minute with the most weight steps, with each process's cores in it; absent in older records. */
  burst?: Burst;
  /** Kanaria's own step delay and queue wait histograms (absent for Flagger and in older records). */
  controllerView?: ControllerView;
  /** The step lag from the API server's timestamps of Kanaria's writes, split into parts (bench/step-parts.ts). */
  stepParts?: StepParts;
  /** Controller flags beyond the defaults (`--kanaria-args`); such runs are experiments, kept apart. */
  extraArgs?: string[];
}

export interface RunOptions {
  cluster: BenchCluster;
  controller: ControllerName;
  /** The canaries' namespaces; with more than one the controller watches all namespaces. */
  namespaces: string[];
  n: number;
  analysis: Analysis;
  /** The cluster-wide background exists; add its per-run share to the canaries' namespaces. */
  background: boolean;
  /** Delete the Canaries at the end (when a later run watches all namespaces). */
  deleteCanaries: boolean;
  hookUrl: string;
  flaggerBin: string;
  cpuProfDir?: string;
  /** Flags added to Kanaria's command line (experiments such as `--workers 64`). */
  kanariaArgs?: string[];
  /** Write a heap snapshot of Kanaria here at the end of the release (SIGUSR2). */
  heapDir?: string;
  abort: AbortSignal;
  /** Stop following the release after this long and report what finished (default: scaled with N). */
  releaseTimeoutMs?: number;
  log: (l: string) => void;
}

const parseSeconds = (s: string) => Number(s.replace(/s$/, '')) * 1000;
/** Where the benchmark's Kanaria serves /metrics (its own step delay and queue wait are read there). */
const KANARIA_METRICS = '127.0.0.1:18090';

export async function runRelease(o: RunOptions): Promise<RunResult> {
  const { cluster, controller, namespaces, n, analysis, log } = o;
  const watched = namespaces.length === 1 ? namespaces[0] : undefined;
  const steps = Math.round(analysis.maxWeight / analysis.stepWeight);
  const specInterval = parseSeconds(analysis.interval);
  const intervalMs =
    controller === 'flagger' ? Math.max(specInterval, FLAGGER_MIN_INTERVAL_MS) : specInterval;
  const { group, version } = CANARY_API[controller];

  const where = watched ?? `${namespaces.length} namespaces (${namespaces[0]}…)`;
  log(`[${controller} n=${n}] creating ${n} apps in ${where}`);
  const placement = await createWorkload(cluster.kube, controller, namespaces, n, analysis, o.hookUrl);
  const names = [...placement.keys()];
  if (o.background) {
    const ms = await addToCanaryNamespaces(cluster.kube, namespaces);
    log(
      `[${controller} n=${n}] background share added to the canaries' namespaces in ${(ms / 1000).toFixed(1)}s`,
    );
  }
  const rec = record(cluster.kube, namespaces, group, version);
  const kubeconfig = cluster.kubeconfigs[controller];
  const logPath = join(cluster.workDir, `${controller}-${namespaces[0]}.log`);
  const [cmd, baseArgs] =
    controller === 'kanaria'
      ? kanariaCommand(kubeconfig, watched, ['--listen-address', KANARIA_METRICS, ...(o.kanariaArgs ?? [])])
      : [o.flaggerBin, flaggerArgs(kubeconfig, watched)];
  const nodeFlags =
    controller === 'kanaria'
      ? [
          ...(await chartNodeOptions()),
          ...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []),
          ...(o.heapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${o.heapDir}`] : []),
        ]
      : [];
  const args = [...nodeFlags, ...baseArgs];
  if (controller === 'kanaria' && kanariaRuntime() !== 'compiled (dist/)')
    log(
      `[${controller} n=${n}] WARNING: a source file changed after the build, so Kanaria runs the TypeScript sources (more memory and CPU than compiled); do not edit src/ during a run`,
    );
  const proc = startProcess(cmd, args, logPath);
  const cpu = sampleCpu({ [controller]: proc.pid, ...cluster.state.pids, harness: process.pid });
  try {
    const alive = () => {
      if (proc.exited()) throw new Error(`${controller} exited; see ${logPath}`);
    };
    const scaleMs = 120_000 + n * 600;
    const initializedAt = await waitUntil(
      `${controller}: all ${n} canaries Initialized`,
      () => (alive(), names.every((x) => rec.phaseOf(x) === 'Initialized')),
      scaleMs,
      o.abort,
    );
    const coldStartMs = initializedAt - proc.startedAt;
    const cold = await procStats(proc.pid);
    log(`[${controller} n=${n}] cold start ${(coldStartMs / 1000).toFixed(1)}s; bumping images`);
    await new Promise((r) => setTimeout(r, 2000));
    const before = await procStats(proc.pid);
    const bumped = await bumpImages(cluster.kube, placement, '6.0.1');
    const firstBump = Math.min(...bumped.values());
    const finished = (x: string) =>
      phaseAt(rec, x, 'Succeeded', bumped.get(x)!) ?? phaseAt(rec, x, 'Failed', bumped.get(x)!);
    const limit = o.releaseTimeoutMs ?? scaleMs + steps * intervalMs * 4;
    let timedOut = false;
    await waitUntil(
      `${controller}: all ${n} canaries Succeeded`,
      () => (alive(), names.every((x) => finished(x) !== undefined)),
      limit,
      o.abort,
    ).catch((err: Error) => {
      if (o.abort.aborted || proc.exited()) throw err;
      timedOut = true;
      log(`[${controller} n=${n}] ${err.message}; reporting what finished`);
    });
    const after = await procStats(proc.pid);
    const view =
      controller === 'kanaria' ? await controllerView(`http://${KANARIA_METRICS}/metrics`) : undefined;
    if (view) log(`[${controller} n=${n}] its own view: ${JSON.stringify(view)}`);
    const burst = cpu.busiest(weightChangeTimes(rec), firstBump);
    if (burst) {
      const fromProcS = Math.round((firstBump - proc.startedAt) / 1000 + burst.fromS);
      log(
        `[${controller} n=${n}] busiest minute (${fromProcS}s after the process started): ${JSON.stringify(burst)}`,
      );
    }
    if (controller === 'kanaria' && o.heapDir) await heapSnapshot(proc.pid, o.heapDir, log);
    const done = names.filter((x) => finished(x) !== undefined);
    const lastDone = timedOut ? Date.now() : Math.max(...done.map((x) => finished(x)!));
    const failed = names.filter((x) => phaseAt(rec, x, 'Failed', bumped.get(x)!) !== undefined).length;
    const releaseMs = done.map((x) => finished(x)! - bumped.get(x)!);
    const firsts: number[] = [];
    const lags: number[] = [];
    let missing = 0;
    for (const x of names) {
      const d = stepDelays(rec.weights.get(x) ?? [], bumped.get(x)!, analysis.stepWeight, steps, intervalMs);
      if (d.first !== undefined) firsts.push(d.first);
      lags.push(...d.later);
      missing += d.missing;
    }
    const audit = await auditFigures({
      cluster,
      controller,
      rec,
      names,
      bumped,
      firstBump,
      lastDone,
      steps,
      intervalMs,
      timedOut,
      log,
    });
    return {
      controller,
      n,
      background: o.background,
      namespaces: namespaces.length,
      intervalMs,
      steps,
      coldStartMs,
      coldStartCpuS: cold.cpuSeconds,
      releaseCpuS: after.cpuSeconds - before.cpuSeconds,
      peakRssMiB: after.hwmMiB,
      endRssMiB: after.rssMiB,
      allSucceededMs: lastDone - firstBump,
      normalizedLatency: {
        p50: percentile(releaseMs, 50) / (steps * intervalMs),
        max: Math.max(...releaseMs) / (steps * intervalMs),
      },
      releaseMs: { p50: percentile(releaseMs, 50), max: Math.max(...releaseMs) },
      firstStepMs: { p50: percentile(firsts, 50), p99: percentile(firsts, 99) },
      stepLagMs: {
        p50: percentile(lags, 50),
        p99: percentile(lags, 99),
        max: Math.max(...lags),
        samples: lags.length,
        missing,
      },
      failed,
      unfinished: n - done.length,
      ...audit,
      burst,
      ...(view ? { controllerView: view } : {}),
      ...(controller === 'kanaria' && o.kanariaArgs?.length ? { extraArgs: o.kanariaArgs } : {}),
    };
  } finally {
    cpu.stop();
    await proc.stop();
    rec.stop();
    // A later controller watching all namespaces must not find this run's Canaries.
    if (o.deleteCanaries)
      await deleteCanaries(o).catch((err: unknown) =>
        log(`[${controller} n=${n}] deleting the Canaries failed: ${String(err)}`),
      );
  }
}

/**
 * Deletes the run's Canaries (neither controller adds a finalizer to these) and waits until they
 * are gone. Orphan propagation: their primaries and Services stay, so kube-controller-manager's
 * garbage collector only drops owner references instead of deleting pods during the next run.
 */
async function deleteCanaries(o: RunOptions) {
  const { group, version } = CANARY_API[o.controller];
  const { custom } = o.cluster.kube;
  for (const namespace of o.namespaces)
    await custom.deleteCollectionNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'canaries',
      propagationPolicy: 'Orphan',
    });
  const left = async () => {
    let n = 0;
    for (const namespace of o.namespaces) {
      const l = (await custom.listNamespacedCustomObject({
        group,
        version,
        namespace,
        plural: 'canaries',
      })) as {
        items: unknown[];
      };
      n += l.items.length;
    }
    return n;
  };
  const deadline = Date.now() + 600_000;
  while ((await left()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
}
