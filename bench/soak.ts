/**
 * The memory soak: N Canaries releasing continuously for M minutes under one Kanaria process (run as the
 * chart runs it, with its nodeOptions). Whenever a Canary has Succeeded its image is bumped again, so the
 * operator never rests; the process's RSS is sampled every 15 s. The figure that matters is the RSS at
 * the end against the RSS after the first 5 minutes (a leak grows it; a bounded heap does not).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addToCanaryNamespaces } from './background.ts';
import type { BenchCluster } from './cluster.ts';
import { chartNodeOptions } from './heap.ts';
import { procStats, record, waitUntil } from './measure.ts';
import { kanariaCommand, startProcess } from './process.ts';
import { CANARY_API, IMAGE, createWorkload, pool, type Analysis } from './workload.ts';

export interface SoakOptions {
  cluster: BenchCluster;
  namespaces: string[];
  n: number;
  minutes: number;
  analysis: Analysis;
  background: boolean;
  hookUrl: string;
  abort: AbortSignal;
  log: (l: string) => void;
}

export interface SoakResult {
  n: number;
  namespaces: number;
  background: boolean;
  minutes: number;
  intervalMs: number;
  /** Releases that reached Succeeded during the soak. */
  releases: number;
  failed: number;
  /** [minutes since the soak began, RSS MiB]. */
  rss: [number, number][];
  /** RSS at the reference point: after 5 minutes (or the first sample of a shorter soak). */
  rssAfter5MinMiB: number;
  referenceMinute: number;
  rssEndMiB: number;
  /** rssEnd / rssAfter5Min − 1. */
  growth: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

const SAMPLE_MS = 15_000;

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const { cluster, namespaces, n, log } = o;
  const { group, version } = CANARY_API.kanaria;
  log(`[soak n=${n}] creating ${n} apps in ${namespaces.length} namespace(s)`);
  const placement = await createWorkload(cluster.kube, 'kanaria', namespaces, n, o.analysis, o.hookUrl);
  if (o.background) await addToCanaryNamespaces(cluster.kube, namespaces);
  const names = [...placement.keys()];
  const rec = record(cluster.kube, namespaces, group, version);
  const watched = namespaces.length === 1 ? namespaces[0] : undefined;
  const [cmd, args] = kanariaCommand(cluster.kubeconfigs.kanaria, watched);
  const proc = startProcess(cmd, [...(await chartNodeOptions()), ...args], join(cluster.workDir, 'soak.log'));
  try {
    await waitUntil(
      `soak: all ${n} Initialized`,
      () => names.every((x) => rec.phaseOf(x) === 'Initialized'),
      120_000 + n * 600,
      o.abort,
    );
    const started = Date.now();
    const end = started + o.minutes * 60_000;
    const version = new Map(names.map((x) => [x, 0]));
    const bumpedAt = new Map<string, number>();
    let releases = 0;
    let failed = 0;
    const rss: [number, number][] = [];
    let nextSample = started;
    const bump = async (x: string) => {
      const v = (version.get(x)! + 1) % 1000;
      version.set(x, v);
      bumpedAt.set(x, Date.now());
      await cluster.kube.apps.patchNamespacedDeployment({
        name: x,
        namespace: placement.get(x)!,
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${IMAGE}:6.1.${v}` }],
      });
    };
    await pool(names, 16, bump);
    while (Date.now() < end && !o.abort.aborted) {
      if (proc.exited()) throw new Error('soak: Kanaria exited; see soak.log');
      // Canaries whose release ended since their last bump start the next one.
      const done = names.filter((x) => {
        const phases = rec.phases.get(x) ?? [];
        const last = phases.at(-1);
        return last && last[0] > bumpedAt.get(x)! && (last[1] === 'Succeeded' || last[1] === 'Failed');
      });
      for (const x of done) {
        const last = rec.phases.get(x)!.at(-1)!;
        if (last[1] === 'Succeeded') releases++;
        else failed++;
      }
      await pool(done, 16, bump);
      if (Date.now() >= nextSample) {
        const stats = await procStats(proc.pid);
        rss.push([(Date.now() - started) / 60_000, stats.rssMiB]);
        log(
          `[soak n=${n}] ${rss.at(-1)![0].toFixed(1)} min: RSS ${stats.rssMiB.toFixed(0)} MiB, ${releases} releases`,
        );
        nextSample += SAMPLE_MS;
      }
      await sleep(1000);
    }
    const stats = await procStats(proc.pid);
    rss.push([(Date.now() - started) / 60_000, stats.rssMiB]);
    const [referenceMinute, at5] = rss.find(([m]) => m >= 5) ?? rss[0];
    return {
      n,
      namespaces: namespaces.length,
      background: o.background,
      minutes: o.minutes,
      intervalMs: Number(o.analysis.interval.replace(/s$/, '')) * 1000,
      releases,
      failed,
      rss,
      rssAfter5MinMiB: at5,
      referenceMinute,
      rssEndMiB: stats.rssMiB,
      growth: stats.rssMiB / at5 - 1,
      peakRssMiB: stats.hwmMiB,
      cpuSeconds: stats.cpuSeconds,
    };
  } finally {
    rec.stop();
    await proc.stop();
  }
}
