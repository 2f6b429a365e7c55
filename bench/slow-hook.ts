// node bench/slow-hook.ts [--n 50] [--interval 2s] [--hang-timeout 10m] [--baseline true]
//                         [--name bench-slow-hook] [--base-port 19540] [--nodes 8] [--timeout-min 20]
//
// Does one tenant's hanging webhook delay the other tenants' steps? N Canaries step every
// `interval` (10% steps up to 50%) while one more Canary's rollout webhook never answers (its
// timeout is `hang-timeout`, so it hangs for the whole release). Prints the step lag p50/p99/max of
// the N; with `--baseline true` (default) the same release first runs without the hanging Canary,
// so the two are compared within one run. Kanaria only; each run starts its own controller
// process on the benchmark's own local control plane. Not a test: it prints figures and writes
// them to <workDir>/slow-hook.json.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, stopCluster, type BenchCluster } from './cluster.ts';
import { percentile, phaseAt, procStats, record, stepDelays, waitUntil } from './measure.ts';
import { kanariaCommand, killAll, startProcess } from './process.ts';
import { CANARY_API, appName, bumpImages, createWorkload, type Analysis } from './workload.ts';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '50' },
    interval: { type: 'string', default: '2s' },
    'hang-timeout': { type: 'string', default: '10m' },
    baseline: { type: 'string', default: 'true' },
    name: { type: 'string', default: 'bench-slow-hook' },
    'base-port': { type: 'string', default: '19540' },
    nodes: { type: 'string', default: '8' },
    'timeout-min': { type: 'string', default: '20' },
  },
});
const N = Number(flags.n);
const analysis: Analysis = { interval: flags.interval, stepWeight: 10, maxWeight: 50 };
const STEPS = analysis.maxWeight / analysis.stepWeight;
const INTERVAL_MS = Number(flags.interval.replace(/s$/, '')) * 1000;
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

/**
 * The webhook of every Canary: answers 200 at once, except for the Canary named `hung`, whose
 * calls are read and held open until the server closes.
 */
async function startHooks(hung: string) {
  const held = new Set<ServerResponse>();
  let ok = 0;
  let hanging = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      let name = '';
      try {
        name = String((JSON.parse(raw) as { name?: unknown }).name ?? '');
      } catch {
        // not a webhook payload
      }
      if (name === hung) {
        hanging++;
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      ok++;
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    counts: () => ({ ok, hanging, heldNow: held.size }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Outcome {
  variant: 'baseline' | 'one hanging webhook';
  n: number;
  intervalMs: number;
  steps: number;
  stepLagMs: { p50: number; p99: number; max: number; samples: number; missing: number };
  firstStepMs: { p50: number; p99: number };
  releaseMs: { p50: number; max: number };
  unfinished: number;
  hungCanary?: { phase?: string; weights: number[]; hookCallsHeld: number };
  controllerRssMiB: number;
  controllerCpuS: number;
}

async function runOnce(cluster: BenchCluster, hang: boolean, abort: AbortSignal): Promise<Outcome> {
  const namespace = hang ? 'slow-hook-hang' : 'slow-hook-base';
  const { group, version } = CANARY_API.kanaria;
  const total = hang ? N + 1 : N;
  // The last app is the one whose webhook hangs; the first N are measured.
  const hung = appName(N);
  const hooks = await startHooks(hang ? hung : '');
  try {
    log(`[${namespace}] creating ${total} apps`);
    const placement = await createWorkload(cluster.kube, 'kanaria', [namespace], total, analysis, hooks.url);
    const names = [...placement.keys()];
    if (hang) {
      await cluster.kube.custom.patchNamespacedCustomObject({
        group,
        version,
        plural: 'canaries',
        namespace,
        name: hung,
        body: [
          { op: 'replace', path: '/spec/analysis/webhooks/0/timeout', value: flags['hang-timeout'] },
          { op: 'replace', path: '/spec/analysis/webhooks/0/name', value: 'hangs' },
        ],
      });
    }
    const measured = names.slice(0, N);
    const rec = record(cluster.kube, [namespace], group, version);
    const [cmd, args] = kanariaCommand(cluster.kubeconfigs.kanaria, namespace);
    const logPath = join(cluster.workDir, `kanaria-${namespace}.log`);
    const proc = startProcess(cmd, args, logPath);
    try {
      const alive = () => {
        if (proc.exited()) throw new Error(`the controller exited; see ${logPath}`);
      };
      await waitUntil(
        `all ${total} Initialized`,
        () => (alive(), names.every((x) => rec.phaseOf(x) === 'Initialized')),
        120_000 + total * 600,
        abort,
      );
      await new Promise((r) => setTimeout(r, 2000));
      const before = await procStats(proc.pid);
      log(`[${namespace}] bumping ${total} images`);
      const bumped = await bumpImages(cluster.kube, placement, '6.0.1');
      const finished = (x: string) =>
        phaseAt(rec, x, 'Succeeded', bumped.get(x)!) ?? phaseAt(rec, x, 'Failed', bumped.get(x)!);
      await waitUntil(
        `the ${N} measured Canaries finished`,
        () => (alive(), measured.every((x) => finished(x) !== undefined)),
        120_000 + N * 600 + STEPS * INTERVAL_MS * 10,
        abort,
      ).catch((err: Error) => {
        if (abort.aborted || proc.exited()) throw err;
        log(`[${namespace}] ${err.message}; reporting what finished`);
      });
      const after = await procStats(proc.pid);
      const lags: number[] = [];
      const firsts: number[] = [];
      let missing = 0;
      for (const x of measured) {
        const d = stepDelays(
          rec.weights.get(x) ?? [],
          bumped.get(x)!,
          analysis.stepWeight,
          STEPS,
          INTERVAL_MS,
        );
        if (d.first !== undefined) firsts.push(d.first);
        lags.push(...d.later);
        missing += d.missing;
      }
      const releases = measured
        .filter((x) => finished(x) !== undefined)
        .map((x) => finished(x)! - bumped.get(x)!);
      return {
        variant: hang ? 'one hanging webhook' : 'baseline',
        n: N,
        intervalMs: INTERVAL_MS,
        steps: STEPS,
        stepLagMs: {
          p50: percentile(lags, 50),
          p99: percentile(lags, 99),
          max: lags.length ? Math.max(...lags) : NaN,
          samples: lags.length,
          missing,
        },
        firstStepMs: { p50: percentile(firsts, 50), p99: percentile(firsts, 99) },
        releaseMs: { p50: percentile(releases, 50), max: releases.length ? Math.max(...releases) : NaN },
        unfinished: measured.length - releases.length,
        ...(hang
          ? {
              hungCanary: {
                phase: rec.phaseOf(hung),
                weights: (rec.weights.get(hung) ?? []).map(([, w]) => w),
                hookCallsHeld: hooks.counts().hanging,
              },
            }
          : {}),
        controllerRssMiB: after.hwmMiB,
        controllerCpuS: after.cpuSeconds - before.cpuSeconds,
      };
    } finally {
      await proc.stop();
      rec.stop();
    }
  } finally {
    await hooks.close();
  }
}

function line(o: Outcome): string {
  const l = o.stepLagMs;
  return (
    `${o.variant.padEnd(20)} N=${o.n} interval ${o.intervalMs / 1000}s × ${o.steps} steps: ` +
    `step lag p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.samples} steps, ${l.missing} not seen); ` +
    `first step p50 ${o.firstStepMs.p50} ms; release p50 ${(o.releaseMs.p50 / 1000).toFixed(1)} s; ` +
    `${o.unfinished} unfinished; controller peak RSS ${o.controllerRssMiB.toFixed(0)} MiB, CPU ${o.controllerCpuS.toFixed(1)} s` +
    (o.hungCanary
      ? `; hanging Canary: phase ${o.hungCanary.phase}, weights [${o.hungCanary.weights.join(', ')}], ${o.hungCanary.hookCallsHeld} calls held`
      : '')
  );
}

const abort = new AbortController();
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    abort.abort();
    killAll();
    await stopCluster(flags.name).catch((err) => log(`stopping the control plane failed: ${String(err)}`));
  })());
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().then(() => process.exit(130));
  });
const overall = setTimeout(
  () => {
    log(`time limit of ${flags['timeout-min']} min reached`);
    void cleanup().then(() => process.exit(124));
  },
  Number(flags['timeout-min']) * 60_000,
);

try {
  log(`starting the local control plane "${flags.name}" on 127.0.0.1:${flags['base-port']}+`);
  const cluster = await startCluster({
    name: flags.name,
    basePort: Number(flags['base-port']),
    nodes: Number(flags.nodes),
    log,
  });
  const outcomes: Outcome[] = [];
  if (flags.baseline === 'true') {
    outcomes.push(await runOnce(cluster, false, abort.signal));
    log(line(outcomes.at(-1)!));
  }
  outcomes.push(await runOnce(cluster, true, abort.signal));
  log(line(outcomes.at(-1)!));
  await writeFile(join(cluster.workDir, 'slow-hook.json'), JSON.stringify(outcomes, null, 2) + '\n');
  process.stdout.write(outcomes.map(line).join('\n') + '\n');
  log(`figures: ${join(cluster.workDir, 'slow-hook.json')}`);
} catch (err) {
  log(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanup();
}
