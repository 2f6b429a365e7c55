// CPU of every process of a run, sampled every 2 s from /proc, so the busiest stepping window can be
// split by process: the controller, kube-apiserver, etcd, kube-controller-manager, the scheduler, KWOK
// and the harness itself (which watches every Canary and Ingress) share the same 2 cores.
import { cpuSecondsOf } from './measure.ts';

const EVERY_MS = 2000;

interface Sample {
  at: number;
  cpu: Record<string, number>;
}

export interface Burst {
  /** Start of the window, seconds after the first image bump. */
  fromS: number;
  seconds: number;
  /** Weight changes per second in the window, over all canaries. */
  stepsPerS: number;
  /** Cores used per process in the window (CPU seconds ÷ wall seconds). */
  cores: Record<string, number>;
}

export function sampleCpu(pids: Record<string, number | undefined>) {
  const samples: Sample[] = [];
  const take = async () => {
    const cpu: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === undefined) continue;
      // A process that has exited is left out of this sample.
      const s = await cpuSecondsOf(pid).catch(() => undefined);
      if (s !== undefined) cpu[name] = s;
    }
    samples.push({ at: Date.now(), cpu });
  };
  void take();
  const timer = setInterval(() => void take(), EVERY_MS);
  return {
    stop: () => clearInterval(timer),
    /** The window of `windowMs` with the most weight changes, and each process's cores in it. */
    busiest(changeTimes: number[], since: number, windowMs = 60_000): Burst | undefined {
      const times = changeTimes.filter((t) => t >= since).sort((a, b) => a - b);
      if (times.length === 0 || samples.length < 2) return undefined;
      let best = 0;
      let bestStart = times[0];
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[j] < times[i] - windowMs) j++;
        if (i - j + 1 > best) [best, bestStart] = [i - j + 1, times[i] - windowMs];
      }
      const first = samples.findLast((x) => x.at <= bestStart) ?? samples[0];
      const last = samples.find((x) => x.at >= bestStart + windowMs) ?? samples.at(-1)!;
      const seconds = (last.at - first.at) / 1000;
      if (seconds <= 0) return undefined;
      const cores = Object.fromEntries(
        Object.keys(last.cpu).map((k) => [k, +((last.cpu[k] - (first.cpu[k] ?? 0)) / seconds).toFixed(2)]),
      );
      return {
        fromS: +((bestStart - since) / 1000).toFixed(1),
        seconds: +seconds.toFixed(1),
        stepsPerS: +(best / (windowMs / 1000)).toFixed(1),
        cores,
      };
    },
  };
}
