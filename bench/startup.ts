// npm run bench:startup -- [--runs 10] [--idle-ms 2000] [--keep]
//                          [--variants strip,strip-cache,strip-cold,js,js-cache,js-cold]
//
// Start-up time and memory of the controller, run from its TypeScript sources (type stripping) against
// compiled JavaScript, each with and without Node's module compile cache (NODE_COMPILE_CACHE). A warm
// cache is filled by one uncounted run that flushes it once the controller has been ready and idle; a
// cold one is a new empty directory for every run, which is what a new pod gets. No cluster is needed: the
// controller gets a kubeconfig whose API server does not answer (127.0.0.1:1), so it loads its whole
// module graph, starts its caches (which keep retrying) and serves /healthz, which it does before any
// cache has listed. Per run: milliseconds from spawn until /healthz answers 200 and the CPU time the
// process used until then (/proc/<pid>/stat; the steadier figure on a busy machine), then VmRSS and
// VmHWM from /proc/<pid>/status after 2 s idle. The variants take turns in every round, so drift of the
// machine (other work on it) spreads over all of them alike.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../src/devcluster/ports.ts';
import { cpuSecondsOf, percentile, procStats } from './measure.ts';

const REPO = resolve(fileURLToPath(import.meta.url), '../..');

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'idle-ms': { type: 'string', default: '2000' },
    variants: { type: 'string', default: 'strip,strip-cache,strip-cold,js,js-cache,js-cold' },
    keep: { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs);
const idleMs = Number(flags['idle-ms']);
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

// Everything generated lives outside the repository (lint and the typecheck never see it); the compiled
// tree finds the repository's node_modules and charts through links next to it.
const WORK = mkdtempSync(join(tmpdir(), 'kanaria-startup-'));
const DIST = join(WORK, 'dist');
symlinkSync(join(REPO, 'node_modules'), join(WORK, 'node_modules'));
symlinkSync(join(REPO, 'charts'), join(WORK, 'charts'));
writeFileSync(join(WORK, 'package.json'), JSON.stringify({ type: 'module' }));
const KUBECONFIG = join(WORK, 'kubeconfig');
writeFileSync(
  KUBECONFIG,
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
    'users: [{name: none, user: {token: none}}]',
    'contexts: [{name: none, context: {cluster: none, user: none}}]',
    'current-context: none',
    '',
  ].join('\n'),
);

interface Variant {
  name: string;
  what: string;
  entry: string;
  cache?: 'warm' | 'cold';
}
const ALL: Variant[] = [
  { name: 'strip', what: 'type stripping (bin/kanaria.js, as today)', entry: join(REPO, 'bin/kanaria.js') },
  {
    name: 'strip-cache',
    what: 'type stripping + compile cache (warm)',
    entry: join(REPO, 'bin/kanaria.js'),
    cache: 'warm',
  },
  {
    name: 'strip-cold',
    what: 'type stripping + compile cache (cold: empty at every start)',
    entry: join(REPO, 'bin/kanaria.js'),
    cache: 'cold',
  },
  { name: 'js', what: 'compiled JS (tsc)', entry: join(DIST, 'main.js') },
  {
    name: 'js-cache',
    what: 'compiled JS + compile cache (warm)',
    entry: join(DIST, 'main.js'),
    cache: 'warm',
  },
  {
    name: 'js-cold',
    what: 'compiled JS + compile cache (cold: empty at every start)',
    entry: join(DIST, 'main.js'),
    cache: 'cold',
  },
];
const variants = flags.variants.split(',').map((n) => {
  const v = ALL.find((x) => x.name === n);
  if (!v) {
    process.stderr.write(`unknown variant ${n}; known: ${ALL.map((x) => x.name).join(', ')}\n`);
    process.exit(2);
  }
  return v;
});
if (!(runs > 0) || !(idleMs >= 0)) {
  process.stderr.write('--runs takes a whole number > 0, --idle-ms one ≥ 0\n');
  process.exit(2);
}

function compile(): void {
  const tsconfig = join(WORK, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        rewriteRelativeImportExtensions: true,
        rootDir: join(REPO, 'src'),
        outDir: DIST,
        typeRoots: [join(REPO, 'node_modules/@types')],
      },
      include: [join(REPO, 'src')],
      exclude: [join(REPO, 'src/**/*.test.ts')],
    }),
  );
  const t = performance.now();
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], {
    stdio: 'inherit',
  });
  log(`tsc emitted ${DIST} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

// Loaded (--import) only into the uncounted run that fills a warm cache: Node writes the cache when the
// process exits normally, and the controller ends by SIGTERM, before whose handler it may not get.
const FLUSH = join(WORK, 'flush.mjs');
writeFileSync(
  FLUSH,
  [
    "import { flushCompileCache } from 'node:module';",
    "process.on('SIGUSR2', () => { flushCompileCache(); process.stderr.write('compile cache flushed\\n'); });",
    '',
  ].join('\n'),
);
let colds = 0;

interface Sample {
  readyMs: number;
  cpuMs: number;
  rss: number;
  hwm: number;
}

const warmDir = (v: Variant) => join(WORK, `cache-${v.name}`);

async function runOnce(v: Variant, idle: number, fill = false): Promise<Sample> {
  const port = await freePort();
  const gatePort = await freePort();
  const env = { ...process.env };
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_OPTIONS;
  const cacheDir =
    v.cache === 'warm' ? warmDir(v) : v.cache === 'cold' ? join(WORK, `cold-${colds++}`) : undefined;
  if (cacheDir) env.NODE_COMPILE_CACHE = cacheDir;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(fill ? ['--import', FLUSH] : []),
      v.entry,
      'controller',
      '--kubeconfig',
      KUBECONFIG,
      '--log-level',
      'error',
      '--listen-address',
      `127.0.0.1:${port}`,
      '--gate-listen-address',
      `127.0.0.1:${gatePort}`,
    ],
    { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let done = false;
  void exited.then(() => (done = true));
  try {
    let readyMs = NaN;
    let cpu = NaN;
    while (!done && performance.now() - t0 < 60_000) {
      if (await healthy(port)) {
        readyMs = performance.now() - t0;
        cpu = Math.round((await cpuSecondsOf(child.pid!)) * 1000);
        break;
      }
      await sleep(5);
    }
    if (Number.isNaN(readyMs)) throw new Error(`${v.name}: /healthz never answered\n${stderr}`);
    await sleep(idle);
    if (done) throw new Error(`${v.name}: exited while idle\n${stderr}`);
    const { rssMiB, hwmMiB } = await procStats(child.pid!);
    const sample = { readyMs, cpuMs: cpu, rss: rssMiB, hwm: hwmMiB };
    if (fill) {
      child.kill('SIGUSR2');
      for (let i = 0; i < 1000 && !stderr.includes('compile cache flushed'); i++) await sleep(10);
    }
    return sample;
  } finally {
    if (!done) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    if (cacheDir && v.cache === 'cold') rmSync(cacheDir, { recursive: true, force: true });
  }
}

let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  if (flags.keep) log(`kept ${WORK}`);
  else rmSync(WORK, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  if (variants.some((v) => v.entry.startsWith(DIST))) compile();
  // One run of each variant first, not counted: it fills the warm compile caches and the page cache.
  for (const v of variants) {
    await runOnce(v, idleMs, v.cache === 'warm');
    if (v.cache === 'warm') log(`${v.name}: compile cache holds ${countFiles(warmDir(v))} entries`);
  }
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    // Rotate the order every round so that no variant always runs right after the same one.
    for (let j = 0; j < variants.length; j++) {
      const v = variants[(i + j) % variants.length];
      const s = await runOnce(v, idleMs);
      samples.get(v.name)!.push(s);
      log(
        `round ${i + 1}/${runs} ${v.name}: ready ${s.readyMs.toFixed(0)} ms (CPU ${s.cpuMs} ms), RSS ${s.rss.toFixed(1)} MiB (peak ${s.hwm.toFixed(1)})`,
      );
    }
  }
  const base = samples.get(variants[0].name)!;
  const median = (xs: Sample[], key: keyof Sample) =>
    percentile(
      xs.map((x) => x[key]),
      50,
    );
  const vs = (xs: Sample[], key: keyof Sample) =>
    `${((median(xs, key) / median(base, key) - 1) * 100).toFixed(0)} %`;
  const range = (xs: Sample[], key: keyof Sample, digits: number) => {
    const ys = xs.map((x) => x[key]);
    return `${Math.min(...ys).toFixed(digits)}–${Math.max(...ys).toFixed(digits)}`;
  };
  const rows = variants.map((v) => {
    const s = samples.get(v.name)!;
    return [
      v.name,
      v.what,
      median(s, 'readyMs').toFixed(0),
      percentile(
        s.map((x) => x.readyMs),
        90,
      ).toFixed(0),
      range(s, 'readyMs', 0),
      median(s, 'cpuMs').toFixed(0),
      range(s, 'cpuMs', 0),
      median(s, 'rss').toFixed(1),
      range(s, 'rss', 1),
      median(s, 'hwm').toFixed(1),
      v === variants[0] ? '' : `${vs(s, 'readyMs')} / ${vs(s, 'cpuMs')} / ${vs(s, 'rss')}`,
    ];
  });
  const head = [
    'variant',
    'what',
    'start-up p50 ms',
    'p90 ms',
    'min–max ms',
    'CPU until ready p50 ms',
    'CPU min–max',
    'RSS p50 MiB',
    'RSS min–max',
    'peak RSS p50 MiB',
    `p50 against ${variants[0].name} (start-up / CPU / RSS)`,
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  process.stdout.write(
    [
      `Node ${process.version}, ${runs} runs per variant, RSS after ${idleMs} ms idle past /healthz`,
      '',
      line(head),
      line(head.map(() => '---')),
      ...rows.map(line),
      '',
    ].join('\n'),
  );
} finally {
  cleanup();
}

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).length;
  } catch {
    return 0;
  }
}
