// bench/RESULTS.md: ratios (Kanaria / Flagger) first, then the absolute figures they come from.
import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { KUBE_VERSION } from '../src/devcluster/binaries.ts';
import type { RunResult } from './release.ts';

const run = promisify(execFile);

export interface Machine {
  date: string;
  nproc: number;
  memoryGiB: number;
  node: string;
  go: string;
  kubernetes: string;
  kwok: string;
  flagger?: string;
}

export interface Results {
  machine?: Machine;
  runs: Record<string, Partial<Record<'kanaria' | 'flagger', RunResult>>>;
}

export async function machine(flagger?: string): Promise<Machine> {
  const go = await run('go', ['version']).then(
    (r) => r.stdout.trim().replace(/^go version /, ''),
    () => 'not installed',
  );
  return {
    date: new Date().toISOString().slice(0, 10),
    nproc: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    go,
    kubernetes: KUBE_VERSION,
    kwok: '0.7.0',
    flagger,
  };
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const ratio = (k: number | undefined, fl: number | undefined) =>
  k === undefined || fl === undefined || !fl ? '–' : (k / fl).toFixed(2);
const s = (ms: number) => f(ms / 1000, 1);

function verbs(r: RunResult | undefined): string {
  if (!r) return '–';
  return Object.entries(r.apiPerCanaryStep)
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
}

export function renderResults(res: Results): string {
  const out: string[] = ['# Kanaria benchmarks', ''];
  const m = res.machine;
  const lat = res.runs.latency;
  const scaleKeys = Object.keys(res.runs)
    .filter((k) => k.startsWith('scale-'))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));

  out.push('## Ratios (Kanaria / Flagger, same control plane, same run, one controller at a time; < 1 means Kanaria is lower)', '');
  out.push('| Measure | Kanaria / Flagger | Kanaria | Flagger | Target (Kanaria) |', '|---|---|---|---|---|');
  if (lat) {
    const k = lat.kanaria;
    const fl = lat.flagger;
    out.push(
      `| Release latency ÷ (steps × interval), 1 canary, 10 steps | ${ratio(k?.normalizedLatency.p50, fl?.normalizedLatency.p50)} | ${f(k?.normalizedLatency.p50, 3)} | ${f(fl?.normalizedLatency.p50, 3)} | ≤ 1.05 |`,
      `| API requests per canary per step, 1 canary | ${ratio(k?.apiTotalPerCanaryStep, fl?.apiTotalPerCanaryStep)} | ${f(k?.apiTotalPerCanaryStep)} | ${f(fl?.apiTotalPerCanaryStep)} | ≤ 3 |`,
    );
  }
  for (const key of scaleKeys) {
    const k = res.runs[key].kanaria;
    const fl = res.runs[key].flagger;
    const n = key.slice(6);
    out.push(
      `| N=${n}: step lag p50 (ms) | ${ratio(k?.stepLagMs.p50, fl?.stepLagMs.p50)} | ${f(k?.stepLagMs.p50, 0)} | ${f(fl?.stepLagMs.p50, 0)} | |`,
      `| N=${n}: step lag p99 (ms) | ${ratio(k?.stepLagMs.p99, fl?.stepLagMs.p99)} | ${f(k?.stepLagMs.p99, 0)} | ${f(fl?.stepLagMs.p99, 0)} | ${n === '1000' ? '≤ 500' : ''} |`,
      `| N=${n}: controller CPU s during the release | ${ratio(k?.releaseCpuS, fl?.releaseCpuS)} | ${f(k?.releaseCpuS, 1)} | ${f(fl?.releaseCpuS, 1)} | |`,
      `| N=${n}: controller CPU ms per canary step | ${ratio(k && k.releaseCpuS / (k.n * k.steps), fl && fl.releaseCpuS / (fl.n * fl.steps))} | ${f(k && (1000 * k.releaseCpuS) / (k.n * k.steps), 1)} | ${f(fl && (1000 * fl.releaseCpuS) / (fl.n * fl.steps), 1)} | |`,
      `| N=${n}: peak RSS (MiB) | ${ratio(k?.peakRssMiB, fl?.peakRssMiB)} | ${f(k?.peakRssMiB, 0)} | ${f(fl?.peakRssMiB, 0)} | ${n === '1000' ? '≤ 300' : ''} |`,
      `| N=${n}: release ÷ (steps × interval), p50 | ${ratio(k?.normalizedLatency.p50, fl?.normalizedLatency.p50)} | ${f(k?.normalizedLatency.p50, 3)} | ${f(fl?.normalizedLatency.p50, 3)} | |`,
      `| N=${n}: time until all Succeeded (s) | ${ratio(k?.allSucceededMs, fl?.allSucceededMs)} | ${k ? s(k.allSucceededMs) : '–'} | ${fl ? s(fl.allSucceededMs) : '–'} | |`,
      `| N=${n}: cold start until all Initialized (s) | ${ratio(k?.coldStartMs, fl?.coldStartMs)} | ${k ? s(k.coldStartMs) : '–'} | ${fl ? s(fl.coldStartMs) : '–'} | |`,
      `| N=${n}: API requests per canary per step | ${ratio(k?.apiTotalPerCanaryStep, fl?.apiTotalPerCanaryStep)} | ${f(k?.apiTotalPerCanaryStep)} | ${f(fl?.apiTotalPerCanaryStep)} | ≤ 3 |`,
    );
  }

  out.push('', '## Absolute figures', '');
  out.push(
    '| Run | Controller | Interval used | Release p50 / max (s) | First step p50 / p99 (s) | Step lag p50 / p99 / max (ms) | Failed | Cold start (s), CPU (s) | Release CPU (s) | Peak RSS (MiB) | API per canary per step, by verb |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const key of ['latency', ...scaleKeys]) {
    for (const c of ['kanaria', 'flagger'] as const) {
      const r = res.runs[key]?.[c];
      if (!r) continue;
      out.push(
        `| ${key === 'latency' ? 'latency (N=1)' : `N=${r.n}`} | ${c} | ${r.intervalMs / 1000}s × ${r.steps} | ${s(r.releaseMs.p50)} / ${s(r.releaseMs.max)} | ${s(r.firstStepMs.p50)} / ${s(r.firstStepMs.p99)} | ${f(r.stepLagMs.p50, 0)} / ${f(r.stepLagMs.p99, 0)} / ${f(r.stepLagMs.max, 0)} (${r.stepLagMs.samples} steps${r.stepLagMs.missing ? `, ${r.stepLagMs.missing} not seen` : ''}) | ${r.failed} | ${s(r.coldStartMs)}, ${f(r.coldStartCpuS, 1)} | ${f(r.releaseCpuS, 1)} | ${f(r.peakRssMiB, 0)} | ${r.apiTotalPerCanaryStep}: ${verbs(r)} |`,
      );
    }
  }
  out.push('', '### Requests per canary per step by verb and resource (largest first)', '');
  for (const key of ['latency', ...scaleKeys]) {
    for (const c of ['kanaria', 'flagger'] as const) {
      const r = res.runs[key]?.[c];
      if (!r) continue;
      out.push(`- ${key} / ${c}: ${Object.entries(r.apiTop).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }

  out.push('', '## How it is measured', '');
  out.push(
    '- One local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK fake nodes) started by the harness; each controller runs as its own process, one at a time, watching only its own namespace, with the same workloads: per canary a Deployment (1 replica), an Ingress and a Canary (`provider: nginx`, webhook-only analysis: one `rollout` webhook on a local HTTP server on 127.0.0.1 that always answers 200, no metrics).',
    '- Kanaria: `node bin/kanaria.js controller --kubeconfig <sa kubeconfig> --log-level warn --namespace <ns>`. Flagger: `flagger -kubeconfig <sa kubeconfig> -mesh-provider nginx -metrics-server http://127.0.0.1:1 -log-level info -namespace <ns>` with `flagger.app/v1beta1` Canaries (identical spec) and the CRDs from the module\'s `artifacts/flagger/crd.yaml`. Flagger needs nothing else here: no load tester (the webhook is the local server) and no metrics server (no metrics in the analysis).',
    '- **Flagger never runs an analysis more often than every 10 s** (`GetAnalysisInterval` raises smaller intervals to 10 s). Its figures are normalised by, and its step lag measured against, the 10 s it actually uses; Kanaria uses the interval in the spec (1 s for latency, the scale interval otherwise). CPU seconds over a release therefore cover a longer release for Flagger; CPU per canary step is the comparable figure.',
    '- Release latency: from the image bump (time the PATCH was sent) to the watch delivering `Succeeded`, divided by steps × interval.',
    '- API requests: kube-apiserver runs with an audit policy that logs (Metadata level) only the requests of the `bench-system` ServiceAccounts, one per controller, each controller using its own ServiceAccount token. Requests received between the first image bump and the last `Succeeded` are counted by verb (a watch counts once when it starts) and divided by canaries × weight steps; promotion and finalisation requests are included in that budget.',
    '- Step lag: the harness watches the canary Ingresses and timestamps each `canary-weight` change. For step k ≥ 2 the lag is (time weight reached k × stepWeight) − (time it reached (k−1) × stepWeight) − interval; p50/p99 over all canaries and steps. The first step also includes change detection and the canary Deployment becoming ready (pods go through kube-controller-manager, which runs with its default 20 requests/s client limit), so it is reported apart as "first step".',
    '- CPU: utime + stime from `/proc/<pid>/stat` (over the release: from just before the bump to the last `Succeeded`; cold start: from process start to all `Initialized`). Peak RSS: `VmHWM` from `/proc/<pid>/status` at the end of the release.',
    '- Cold start: N apps and Canaries exist before the controller starts; time from process start until every Canary reports `Initialized` (primary Deployments created and ready, which also runs through kube-controller-manager).',
  );
  if (m) {
    out.push('', '## Machine and versions', '');
    out.push(
      `- ${m.nproc} CPUs (nproc), ${m.memoryGiB} GiB memory; Node ${m.node}; ${m.go}; measured ${m.date}`,
      `- Kubernetes ${m.kubernetes} (etcd, kube-apiserver, kube-controller-manager, kube-scheduler built from their modules), KWOK ${m.kwok}, Flagger ${m.flagger ?? '(not run)'} (built from \`github.com/fluxcd/flagger@v${m.flagger ?? '?'}\` by \`hack/build-binaries.sh flagger\`)`,
    );
  }
  out.push(
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'hack/build-binaries.sh && hack/build-binaries.sh flagger   # once; npm run bench also builds on first use',
    'npm run bench                                              # everything: latency, api, scale for N=100,500,1000',
    'npm run bench -- --only latency,api                        # one part',
    'npm run bench -- --only scale --n 100,500 --interval 5s    # chosen N',
    'npm run bench -- --only scale --n 100 --controllers kanaria --cpu-prof   # with a CPU profile of Kanaria',
    '```',
    '',
    'Each run merges its figures into `bench/results.json` and rewrites this file from it. The control plane',
    '(name `bench`, ports 19440–19445 on 127.0.0.1; `--name`/`--base-port` to change) is stopped at the end, on',
    'Ctrl-C and at `--timeout-min`.',
    '',
  );
  return out.join('\n');
}
