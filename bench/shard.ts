// The sharding run: two Kanaria replicas with --sharding, each with its own ServiceAccount, split N
// Canaries; every image is bumped, replica A is killed with SIGKILL when about half the weight steps are
// done, and the run follows the release until every Canary finished. The audit log then tells whether a
// Canary was ever owned by both replicas at once and how soon B continued A's Canaries.
import { join } from 'node:path';
import { freePort } from '../src/devcluster/ports.ts';
import { addToCanaryNamespaces } from './background.ts';
import { SA_NAMESPACE, type Account, type BenchCluster } from './cluster.ts';
import { chartNodeOptions } from './heap.ts';
import {
  percentile,
  phaseAt,
  procStats,
  record,
  waitUntil,
  weightChangeTimes,
  type Recorder,
} from './measure.ts';
import { kanariaCommand, kanariaRuntime, startProcess, type Proc } from './process.ts';
import { sampleCpu, type Burst } from './cpu-sampler.ts';
import { ownership, readWrites, resumeDelays, type UserCounts } from './shard-audit.ts';
import { CANARY_API, bumpImages, createWorkload, type Analysis } from './workload.ts';

export type Resume = ReturnType<typeof resumeDelays>;

export interface ReplicaFigures {
  /** Canaries it reconciled (`kanaria_shard_canaries`) once all were Initialized. */
  share: number;
  coldStartCpuS: number;
  /** From just before the bump to its kill (A) or to the last Canary finished (B). */
  releaseCpuS: number;
  peakRssMiB: number;
  endRssMiB: number;
  api: UserCounts;
}

export interface ShardResult {
  n: number;
  /** How Kanaria ran: compiled (dist/) or from the TypeScript sources, and its Node options. */
  runtime?: string;
  namespaces: number;
  background: boolean;
  intervalMs: number;
  steps: number;
  leaseDurationMs: number;
  /** Start of both replicas → every Canary Initialized. */
  coldStartMs: number;
  replicas: { a: ReplicaFigures; b: ReplicaFigures };
  /** Weight steps made (all Canaries) when A was killed, of N × steps. */
  stepsAtKill: number;
  /** The minute before the kill with the most weight steps, and each process's cores in it. */
  burst?: Burst;
  /** A's share by its metrics just before the kill. */
  aShareAtKill: number;
  /** Kill → B's `kanaria_shard_canaries` reached N. */
  takeoverMs?: number;
  /** A's Canaries still under way at the kill: kill → B's first write to each. */
  resume: Resume;
  /** B's own Canaries under way at the kill: kill → B's next write to each (how busy B was: the baseline). */
  survivorOwn?: Resume;
  ownedTwice: number;
  ownedTwiceExamples: string[];
  handedOverBeforeKill: number;
  minHandoverGapMs?: number;
  /** First bump → last Canary finished. */
  allSucceededMs: number;
  releaseMs: { p50: number; max: number };
  failed: number;
  unfinished: number;
}

export interface ShardOptions {
  cluster: BenchCluster;
  namespaces: string[];
  n: number;
  analysis: Analysis;
  leaseDurationMs: number;
  background: boolean;
  hookUrl: string;
  abort: AbortSignal;
  releaseTimeoutMs?: number;
  log: (l: string) => void;
}

interface Replica {
  name: 'a' | 'b';
  account: Account;
  proc: Proc;
  metricsUrl: string;
}

async function shareOf(r: Replica): Promise<number | undefined> {
  try {
    const text = await (await fetch(r.metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^kanaria_shard_canaries (\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Weight steps made since each Canary's bump (distinct canary weights > 0 its Ingress had). */
function stepsMade(rec: Recorder, bumped: Map<string, number>): number {
  let sum = 0;
  for (const [x, t0] of bumped)
    sum += new Set((rec.weights.get(x) ?? []).filter(([t, w]) => t >= t0 && w > 0).map(([, w]) => w)).size;
  return sum;
}

export async function runSharding(o: ShardOptions): Promise<ShardResult> {
  const { cluster, namespaces, n, analysis, log } = o;
  const tag = `[shard n=${n}]`;
  const watched = namespaces.length === 1 ? namespaces[0] : undefined;
  const steps = Math.round(analysis.maxWeight / analysis.stepWeight);
  const intervalMs = Number(analysis.interval.replace(/s$/, '')) * 1000;
  log(`${tag} creating ${n} apps in ${watched ?? `${namespaces.length} namespaces (${namespaces[0]}…)`}`);
  const placement = await createWorkload(cluster.kube, 'kanaria', namespaces, n, analysis, o.hookUrl);
  const names = [...placement.keys()];
  if (o.background) {
    const ms = await addToCanaryNamespaces(cluster.kube, namespaces);
    log(`${tag} background share added to the canaries' namespaces in ${(ms / 1000).toFixed(1)}s`);
  }
  const { group, version } = CANARY_API.kanaria;
  const rec = record(cluster.kube, namespaces, group, version);
  const replicas: Replica[] = [];
  // As the chart runs it: the chart's nodeOptions; compiled when run.ts has built dist/.
  const nodeOptions = await chartNodeOptions();
  const runtime = `${kanariaRuntime()}, ${nodeOptions.join(' ') || 'no Node options'}`;
  const startedAt = Date.now();
  for (const [name, account] of [
    ['a', 'kanaria'],
    ['b', 'kanaria-b'],
  ] as const) {
    const port = await freePort();
    const [cmd, args] = kanariaCommand(cluster.kubeconfigs[account], watched, [
      '--sharding',
      '--leader-election-namespace',
      SA_NAMESPACE,
      '--lease-duration',
      `${o.leaseDurationMs / 1000}s`,
      '--listen-address',
      `127.0.0.1:${port}`,
      '--no-gate',
    ]);
    const proc = startProcess(
      cmd,
      [...nodeOptions, ...args],
      join(cluster.workDir, `shard-${name}-${namespaces[0]}.log`),
    );
    replicas.push({ name, account, proc, metricsUrl: `http://127.0.0.1:${port}/metrics` });
  }
  const [a, b] = replicas;
  const cpu = sampleCpu({ a: a.proc.pid, b: b.proc.pid, ...cluster.state.pids, harness: process.pid });
  let killedAt: number | undefined;
  try {
    const alive = () => {
      for (const r of replicas)
        if (r.proc.exited() && !(r === a && killedAt))
          throw new Error(`replica ${r.name} exited; see ${cluster.workDir}/shard-${r.name}-*.log`);
    };
    const scaleMs = 120_000 + n * 600;
    const initializedAt = await waitUntil(
      'all Initialized',
      () => (alive(), names.every((x) => rec.phaseOf(x) === 'Initialized')),
      scaleMs,
      o.abort,
    );
    const coldStartMs = initializedAt - startedAt;
    const cold = await Promise.all(replicas.map((r) => procStats(r.proc.pid)));
    // The split settles within a few retry periods of the later replica's start.
    const shares = { a: 0, b: 0 };
    const deadline = Date.now() + 3 * o.leaseDurationMs + 30_000;
    while (Date.now() < deadline) {
      alive();
      [shares.a, shares.b] = (await Promise.all(replicas.map(shareOf))).map((s) => s ?? 0);
      if (shares.a > 0 && shares.b > 0 && shares.a + shares.b === n) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    log(
      `${tag} cold start ${(coldStartMs / 1000).toFixed(1)}s; shares A ${shares.a}, B ${shares.b}; bumping images`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const before = await Promise.all(replicas.map((r) => procStats(r.proc.pid)));
    const bumped = await bumpImages(cluster.kube, placement, '6.0.1');
    const firstBump = Math.min(...bumped.values());
    const finished = (x: string) =>
      phaseAt(rec, x, 'Succeeded', bumped.get(x)!) ?? phaseAt(rec, x, 'Failed', bumped.get(x)!);
    const limit = o.releaseTimeoutMs ?? scaleMs + steps * intervalMs * 4;

    // A dies when about half the weight steps are done, or half the release time limit has passed.
    const half = Math.ceil((n * steps) / 2);
    await waitUntil(
      'half the steps',
      () => (alive(), stepsMade(rec, bumped) >= half),
      limit / 2,
      o.abort,
    ).catch((err: Error) => {
      if (o.abort.aborted || a.proc.exited() || b.proc.exited()) throw err;
      log(`${tag} ${err.message}; killing A now`);
    });
    const stepsAtKill = stepsMade(rec, bumped);
    // Both replicas working: the busiest minute before the kill.
    const burst = cpu.busiest(weightChangeTimes(rec), firstBump);
    if (burst) log(`${tag} busiest minute before the kill: ${JSON.stringify(burst)}`);
    const aShareAtKill = (await shareOf(a)) ?? 0;
    const aEnd = await procStats(a.proc.pid);
    killedAt = Date.now();
    await a.proc.stop('SIGKILL');
    log(`${tag} killed A (share ${aShareAtKill}) at ${stepsAtKill} of ${n * steps} steps`);
    const underWay = new Set(names.filter((x) => (finished(x) ?? Infinity) > killedAt!));
    // Kill → B's share is every Canary, polled while the release runs.
    const takeover: { ms?: number; stop?: boolean } = {};
    const watchTakeover = (async () => {
      while (!takeover.stop && !b.proc.exited()) {
        if ((await shareOf(b)) === n) return void (takeover.ms = Date.now() - killedAt!);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let timedOut = false;
    await waitUntil(
      'all Succeeded',
      () => (alive(), names.every((x) => finished(x) !== undefined)),
      Math.max(0, limit - (Date.now() - firstBump)),
      o.abort,
    ).catch((err: Error) => {
      if (o.abort.aborted || b.proc.exited()) throw err;
      timedOut = true;
      log(`${tag} ${err.message}; reporting what finished`);
    });
    const bEnd = await procStats(b.proc.pid);
    takeover.stop = true;
    await watchTakeover;
    const done = names.filter((x) => finished(x) !== undefined);
    const lastDone = timedOut ? Date.now() : Math.max(...done.map((x) => finished(x)!));
    const releaseMs = done.map((x) => finished(x)! - bumped.get(x)!);

    await new Promise((r) => setTimeout(r, 1500)); // the audit log is written as requests complete
    const [userA, userB] = [cluster.usernames[a.account], cluster.usernames[b.account]];
    const audit = await readWrites(cluster.auditLog, [userA, userB], namespaces, startedAt);
    const owned = ownership(audit.writes, userA, userB, killedAt);
    const resume = resumeDelays(owned, userA, (x) => underWay.has(x), killedAt);
    const survivorOwn = resumeDelays(owned, userB, (x) => underWay.has(x), killedAt);
    const figures = (i: number, end: typeof aEnd, share: number, user: string): ReplicaFigures => ({
      share,
      coldStartCpuS: cold[i].cpuSeconds,
      releaseCpuS: end.cpuSeconds - before[i].cpuSeconds,
      peakRssMiB: end.hwmMiB,
      endRssMiB: end.rssMiB,
      api: audit.counts[user],
    });
    return {
      n,
      runtime,
      namespaces: namespaces.length,
      background: o.background,
      intervalMs,
      steps,
      leaseDurationMs: o.leaseDurationMs,
      coldStartMs,
      replicas: { a: figures(0, aEnd, shares.a, userA), b: figures(1, bEnd, shares.b, userB) },
      stepsAtKill,
      burst,
      aShareAtKill,
      takeoverMs: takeover.ms,
      resume,
      survivorOwn,
      ownedTwice: owned.ownedTwice.length,
      ownedTwiceExamples: owned.ownedTwice.slice(0, 10),
      handedOverBeforeKill: owned.handedOverBeforeKill,
      minHandoverGapMs: owned.minHandoverGapMs,
      allSucceededMs: lastDone - firstBump,
      releaseMs: { p50: percentile(releaseMs, 50), max: Math.max(...releaseMs) },
      failed: names.filter((x) => phaseAt(rec, x, 'Failed', bumped.get(x)!) !== undefined).length,
      unfinished: n - done.length,
    };
  } finally {
    cpu.stop();
    await Promise.all(replicas.map((r) => r.proc.stop()));
    rec.stop();
    if (namespaces.length > 1)
      await deleteCanaries(o).catch((err: unknown) => log(`${tag} deleting failed: ${String(err)}`));
  }
}

/** A later run watching all namespaces must not find these Canaries (orphaned objects stay). */
async function deleteCanaries(o: ShardOptions) {
  const { custom } = o.cluster.kube;
  const { group, version } = CANARY_API.kanaria;
  const base = { group, version, plural: 'canaries' };
  for (const namespace of o.namespaces)
    await custom.deleteCollectionNamespacedCustomObject({ ...base, namespace, propagationPolicy: 'Orphan' });
  const deadline = Date.now() + 600_000;
  for (const namespace of o.namespaces)
    while (Date.now() < deadline) {
      const l = (await custom.listNamespacedCustomObject({ ...base, namespace })) as { items: unknown[] };
      if (!l.items.length) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
}
