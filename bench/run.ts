// npm run bench -- [--only latency,api,scale] [--n 100,500,1000] [--controllers kanaria,flagger]
//                  [--interval 5s] [--name bench] [--base-port 19440] [--nodes 8] [--timeout-min 90] [--cpu-prof]
//                  [--only soak --minutes 30]  (N Canaries releasing continuously; RSS over time)
//                  [--apiserver-profiling]  (kube-apiserver serves /debug/pprof, e.g. for
//                                            `go tool pprof` of a minute of the wave)
//                  [--heap-snapshot]  (a heap snapshot of Kanaria at the end of each release; bench/heap.ts sums it)
//                  [--release-timeout-min M]  (stop following a release after M minutes; report what finished)
//                  [--background on|off|both]  (unrelated objects in the cluster, bench/background.ts; default on;
//                                               both: each scale run without, then with them)
//                  [--namespaces K]  (spread each run's canaries over K namespaces; K > 1: controllers watch all)
//                  [--kanaria-args='--workers 64']  (extra controller flags, with '=': an experiment, saved to
//                                                    bench/experiments.json instead of results.json)
//                  [--only shard --lease-duration 15s]  (two Kanaria replicas with --sharding, one killed mid-release;
//                                                        bench/shard.ts)
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackground } from './background.ts';
import { CONTROLLERS, startCluster, stopCluster, type BenchCluster, type ControllerName } from './cluster.ts';
import { ensureFlagger } from './flagger.ts';
import { killAll } from './process.ts';
import { runRelease, type RunResult } from './release.ts';
import { backgroundDiffs, machine, renderResults, scaleKey, shardSummary, type Results } from './report.ts';
import { runSharding } from './shard.ts';
import { runSoak } from './soak.ts';
import { soakSummary } from './soak-report.ts';
import { startHook } from './workload.ts';

const HERE = resolve(fileURLToPath(import.meta.url), '..');
const RESULTS_JSON = join(HERE, 'results.json');
const EXPERIMENTS_JSON = join(HERE, 'experiments.json');

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string', default: 'latency,api,scale' },
    n: { type: 'string', default: '100,500,1000' },
    controllers: { type: 'string', default: CONTROLLERS.join(',') },
    interval: { type: 'string', default: '5s' },
    name: { type: 'string', default: 'bench' },
    'base-port': { type: 'string', default: '19440' },
    nodes: { type: 'string', default: '8' },
    'timeout-min': { type: 'string', default: '90' },
    'cpu-prof': { type: 'boolean', default: false },
    'apiserver-profiling': { type: 'boolean', default: false },
    'heap-snapshot': { type: 'boolean', default: false },
    'release-timeout-min': { type: 'string' },
    background: { type: 'string', default: 'on' },
    namespaces: { type: 'string', default: '1' },
    'lease-duration': { type: 'string', default: '15s' },
    minutes: { type: 'string', default: '30' },
    'kanaria-args': { type: 'string', default: '' },
  },
});
const only = new Set(flags.only.split(','));
const ns = flags.n
  .split(',')
  .map(Number)
  .filter((x) => x > 0);
const controllers = flags.controllers.split(',') as ControllerName[];
const VARIANTS: Record<string, boolean[]> = { off: [false], on: [true], both: [false, true] };
const variants = VARIANTS[flags.background];
const k = Number(flags.namespaces);
const leaseDurationMs = Number(flags['lease-duration'].replace(/s$/, '')) * 1000;
if (!variants || !Number.isInteger(k) || k < 1 || !(leaseDurationMs > 0)) {
  process.stderr.write(
    '--background takes on, off or both; --namespaces a whole number ≥ 1; --lease-duration seconds (15s)\n',
  );
  process.exit(2);
}
const kanariaArgs = flags['kanaria-args'].split(/\s+/).filter(Boolean);
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

const abort = new AbortController();
let cluster: BenchCluster | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    abort.abort();
    killAll();
    await stopCluster(flags.name).catch((err) => log(`stopping the control plane failed: ${String(err)}`));
  })());
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    log(`${sig}: stopping the controllers and the control plane`);
    void cleanup().then(() => process.exit(130));
  });
const overall = setTimeout(
  () => {
    log(`time limit of ${flags['timeout-min']} min reached`);
    void cleanup().then(() => process.exit(124));
  },
  Number(flags['timeout-min']) * 60_000,
);

/** A JSON file of the benchmark, or `empty` while there is none yet. */
async function readJson<T>(path: string, empty: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return empty;
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}

/** A run with extra controller flags, by key and flags, beside (never instead of) the default runs. */
async function saveExperiment(key: string, r: RunResult) {
  const experiments = await readJson<Record<string, RunResult & { date?: string }>>(EXPERIMENTS_JSON, {});
  experiments[`${key} ${r.controller} ${r.extraArgs!.join(' ')}`] = { ...r, date: new Date().toISOString() };
  await writeJson(EXPERIMENTS_JSON, experiments);
}

async function main() {
  const comparing = ['latency', 'api', 'scale'].some((part) => only.has(part));
  const flagger = comparing && controllers.includes('flagger') ? await ensureFlagger(log) : undefined;
  const results = await readJson<Results>(RESULTS_JSON, { runs: {} });
  results.machine = await machine(flagger?.version ?? results.machine?.flagger);
  const persist = async () => {
    await writeJson(RESULTS_JSON, results);
    await writeFile(join(HERE, 'RESULTS.md'), renderResults(results));
  };
  const save = async (key: string, r: RunResult) => {
    if (r.extraArgs) return saveExperiment(key, r);
    (results.runs[key] ??= {})[r.controller] = r;
    await persist();
  };
  log(`starting the local control plane "${flags.name}" on 127.0.0.1:${flags['base-port']}+`);
  cluster = await startCluster({
    name: flags.name,
    basePort: Number(flags['base-port']),
    nodes: Number(flags.nodes),
    flaggerCrd: flagger?.crd,
    apiserverProfiling: flags['apiserver-profiling'],
    log,
  });
  // Kanaria runs as in production: compiled (bin/kanaria.js picks dist/ while it is current).
  log('building Kanaria (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: resolve(HERE, '..'), stdio: 'inherit' });
  const hook = await startHook();
  const cpuProfDir = flags['cpu-prof'] ? join(cluster.workDir, 'cpu-prof') : undefined;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const heapDir = flags['heap-snapshot'] ? join(cluster.workDir, 'heap') : undefined;
  if (heapDir) await mkdir(heapDir, { recursive: true });
  const releaseTimeoutMs = flags['release-timeout-min']
    ? Number(flags['release-timeout-min']) * 60_000
    : undefined;
  const common = {
    cluster,
    releaseTimeoutMs,
    hookUrl: hook.url,
    flaggerBin: flagger?.bin ?? '',
    kanariaArgs,
    cpuProfDir,
    heapDir,
    abort: abort.signal,
    deleteCanaries: k > 1,
    log,
  };
  // Namespaces of one run: `<controller>-n<N>[-bg]`, or K of them suffixed `-k<K>-<i>`.
  const namespacesOf = (base: string) =>
    k === 1 ? [base] : Array.from({ length: k }, (_, i) => `${base}-k${k}-${String(i).padStart(2, '0')}`);
  try {
    // Runs without the background come first: once created it stays.
    for (const background of variants) {
      const tag = background ? '-bg' : '';
      if (background)
        results.background = {
          ...(await createBackground(cluster.kube, log)),
          date: new Date().toISOString(),
        };
      if ((only.has('latency') || only.has('api')) && background === variants.at(-1)) {
        for (const c of controllers) {
          const r = await runRelease({
            ...common,
            controller: c,
            namespaces: namespacesOf(`${c}-latency${tag}`),
            n: 1,
            background,
            analysis: { interval: '1s', stepWeight: 10, maxWeight: 100 },
          });
          await save('latency', r);
          log(
            `[${c}] latency ${r.normalizedLatency.p50.toFixed(3)} × steps×interval, ${r.apiTotalPerCanaryStep} requests/step`,
          );
        }
      }
      if (only.has('shard') && background === variants.at(-1))
        for (const n of ns) {
          const r = await runSharding({
            ...common,
            namespaces: namespacesOf(`shard-n${n}${tag}`),
            n,
            background,
            leaseDurationMs,
            analysis: { interval: flags.interval, stepWeight: 20, maxWeight: 100 },
          });
          (results.sharding ??= {})[scaleKey(n, k, background).replace(/^scale/, 'shard')] = r;
          await persist();
          log(shardSummary(r));
        }
      if (only.has('soak') && background === variants.at(-1))
        for (const n of ns) {
          const r = await runSoak({
            cluster,
            namespaces: namespacesOf(`soak-n${n}${tag}`),
            n,
            minutes: Number(flags.minutes),
            background,
            hookUrl: hook.url,
            abort: abort.signal,
            log,
            analysis: { interval: flags.interval, stepWeight: 20, maxWeight: 100 },
          });
          (results.soak ??= {})[scaleKey(n, k, background).replace(/^scale/, 'soak')] = r;
          await persist();
          log(soakSummary(r));
        }
      if (!only.has('scale')) continue;
      for (const n of ns) {
        for (const c of controllers) {
          const r = await runRelease({
            ...common,
            controller: c,
            namespaces: namespacesOf(`${c}-n${n}${tag}`),
            n,
            background,
            analysis: { interval: flags.interval, stepWeight: 20, maxWeight: 100 },
          });
          await save(scaleKey(n, k, background), r);
          log(
            `[${c} n=${n} namespaces=${k} background=${background ? 'yes' : 'no'}] ${r.unfinished ? `${r.unfinished} unfinished after` : 'all Succeeded in'} ${(r.allSucceededMs / 1000).toFixed(1)}s, step lag p99 ` +
              `${r.stepLagMs.p99}ms, RSS ${r.peakRssMiB.toFixed(0)} MiB, cold start ${(r.coldStartMs / 1000).toFixed(1)}s, release CPU ${r.releaseCpuS.toFixed(1)}s`,
          );
        }
      }
    }
    const thisRun = backgroundDiffs(results).filter(
      (d) =>
        variants.length === 2 && ns.includes(d.n) && d.namespaces === k && controllers.includes(d.controller),
    );
    for (const d of thisRun)
      log(
        `[${d.controller} n=${d.n} namespaces=${d.namespaces}] peak RSS ${d.without.toFixed(0)} MiB without background, ` +
          `${d.with.toFixed(0)} MiB with: ${Math.round(d.diff) > 0 ? '+' : ''}${Math.round(d.diff) || 0} MiB`,
      );
  } finally {
    await hook.close();
  }
  process.stdout.write(renderResults(results));
  if (cpuProfDir) log(`CPU profiles of the Kanaria runs: ${cpuProfDir}`);
}

try {
  await main();
} catch (err) {
  log(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanup();
}
