// npm run bench -- [--only latency,api,scale] [--n 100,500,1000] [--controllers kanaria,flagger]
//                  [--interval 5s] [--name bench] [--base-port 19440] [--nodes 8] [--timeout-min 90] [--cpu-prof]
//                  [--release-timeout-min M]  (stop following a release after M minutes; report what finished)
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONTROLLERS, startCluster, stopCluster, type BenchCluster, type ControllerName } from './cluster.ts';
import { ensureFlagger } from './flagger.ts';
import { killAll } from './process.ts';
import { runRelease, type RunResult } from './release.ts';
import { machine, renderResults, type Results } from './report.ts';
import { startHook } from './workload.ts';

const HERE = resolve(fileURLToPath(import.meta.url), '..');
const RESULTS_JSON = join(HERE, 'results.json');

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
    'release-timeout-min': { type: 'string' },
  },
});
const only = new Set(flags.only.split(','));
const ns = flags.n
  .split(',')
  .map(Number)
  .filter((x) => x > 0);
const controllers = flags.controllers.split(',') as ControllerName[];
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

async function loadResults(): Promise<Results> {
  try {
    return JSON.parse(await readFile(RESULTS_JSON, 'utf8')) as Results;
  } catch {
    return { runs: {} };
  }
}

async function main() {
  const flagger = controllers.includes('flagger') ? await ensureFlagger(log) : undefined;
  const results = await loadResults();
  results.machine = await machine(flagger?.version);
  const save = async (key: string, r: RunResult) => {
    (results.runs[key] ??= {})[r.controller] = r;
    await writeFile(RESULTS_JSON, JSON.stringify(results, null, 2) + '\n');
    await writeFile(join(HERE, 'RESULTS.md'), renderResults(results));
  };
  log(`starting the local control plane "${flags.name}" on 127.0.0.1:${flags['base-port']}+`);
  cluster = await startCluster({
    name: flags.name,
    basePort: Number(flags['base-port']),
    nodes: Number(flags.nodes),
    flaggerCrd: flagger?.crd,
    log,
  });
  const hook = await startHook();
  const cpuProfDir = flags['cpu-prof'] ? join(cluster.workDir, 'cpu-prof') : undefined;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const releaseTimeoutMs = flags['release-timeout-min']
    ? Number(flags['release-timeout-min']) * 60_000
    : undefined;
  const common = {
    cluster,
    releaseTimeoutMs,
    hookUrl: hook.url,
    flaggerBin: flagger?.bin ?? '',
    cpuProfDir,
    abort: abort.signal,
    log,
  };
  try {
    if (only.has('latency') || only.has('api')) {
      for (const c of controllers) {
        const r = await runRelease({
          ...common,
          controller: c,
          namespace: `${c}-latency`,
          n: 1,
          analysis: { interval: '1s', stepWeight: 10, maxWeight: 100 },
        });
        await save('latency', r);
        log(
          `[${c}] latency ${r.normalizedLatency.p50.toFixed(3)} × steps×interval, ${r.apiTotalPerCanaryStep} requests/step`,
        );
      }
    }
    if (only.has('scale')) {
      for (const n of ns) {
        for (const c of controllers) {
          const r = await runRelease({
            ...common,
            controller: c,
            namespace: `${c}-n${n}`,
            n,
            analysis: { interval: flags.interval, stepWeight: 20, maxWeight: 100 },
          });
          await save(`scale-${n}`, r);
          log(
            `[${c} n=${n}] ${r.unfinished ? `${r.unfinished} unfinished after` : 'all Succeeded in'} ${(r.allSucceededMs / 1000).toFixed(1)}s, step lag p99 ` +
              `${r.stepLagMs.p99}ms, RSS ${r.peakRssMiB.toFixed(0)} MiB, release CPU ${r.releaseCpuS.toFixed(1)}s`,
          );
        }
      }
    }
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
