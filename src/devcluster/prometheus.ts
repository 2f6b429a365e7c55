/**
 * Runs the real Prometheus server (built from its Go module into the binary cache, see findPrometheus)
 * on 127.0.0.1 for tests and the demo:
 * one scrape job `nginx` over static targets, a throw-away TSDB, lifecycle API on for reloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkPortFree, freePort } from './ports.ts';
import { findBinary } from './binaries.ts';

export interface PrometheusOptions {
  /** `host:port` of each /metrics endpoint to scrape. */
  scrapeTargets: string[];
  /** Scrape and rule evaluation interval; default `1s`. */
  scrapeInterval?: string;
  /** Port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** Directory for the config and the TSDB; default a fresh temp dir. A given dir is kept at stop(). */
  dir?: string;
  /** Path of the binary; default `prometheus` on PATH, then /usr/bin/prometheus. */
  binary?: string;
  /** Extra command-line flags, e.g. `--storage.tsdb.retention.time=1h`. */
  extraArgs?: string[];
  log?: (line: string) => void;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:39123`. */
  url: string;
  port: number;
  dir: string;
  /** Rewrites the scrape targets and asks the server to reload its configuration. */
  reload(targets: string[]): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export class PrometheusError extends Error {
  readonly code: 'ENOTFOUND' | 'EPORTINUSE' | 'EEXITED' | 'ETIMEOUT' | 'ERELOAD';
  constructor(code: PrometheusError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrometheusError';
    this.code = code;
  }
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const TARGET = /^[A-Za-z0-9.\-[\]:]+:\d+$/;

/** The prometheus.yml for one `nginx` job over static targets. Pure. */
export function renderPrometheusConfig(targets: string[], scrapeInterval = '1s'): string {
  if (!DURATION.test(scrapeInterval)) throw new Error(`invalid scrape interval "${scrapeInterval}"`);
  for (const t of targets)
    if (!TARGET.test(t)) throw new Error(`invalid scrape target "${t}" (want host:port)`);
  const list = targets.map((t) => `          - ${JSON.stringify(t)}\n`).join('');
  return (
    'global:\n' +
    `  scrape_interval: ${scrapeInterval}\n` +
    `  evaluation_interval: ${scrapeInterval}\n` +
    'scrape_configs:\n' +
    '  - job_name: nginx\n' +
    `    scrape_interval: ${scrapeInterval}\n` +
    `    scrape_timeout: ${scrapeInterval}\n` +
    '    static_configs:\n' +
    (targets.length ? `      - targets:\n${list}` : '      - targets: []\n')
  );
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The prometheus binary: $KUBEBUILDER_ASSETS, the build cache (`hack/build-binaries.sh prometheus`
 * builds it from its Go module), then $PATH; undefined when none has it.
 */
export async function findPrometheus(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return findBinary('prometheus', env);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exited(child)) child.kill('SIGKILL');
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

/** Starts Prometheus and resolves once `/-/ready` answers 200. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const interval = options.scrapeInterval ?? '1s';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const binary = options.binary ?? (await findPrometheus(env));
  if (!binary || !(await executable(binary))) {
    throw new PrometheusError(
      'ENOTFOUND',
      'prometheus not found: build it into the cache with `bash hack/build-binaries.sh prometheus` (about 7 minutes the first time)',
    );
  }
  if (options.port) {
    // Checked up front: another server answering /-/ready there would pass for this one.
    try {
      await checkPortFree(options.port);
    } catch (err) {
      throw new PrometheusError('EPORTINUSE', `port ${options.port} on 127.0.0.1 is already in use`, {
        cause: err,
      });
    }
  }
  const ownDir = !options.dir;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kanaria-prometheus-')));
  await mkdir(join(dir, 'data'), { recursive: true });
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, renderPrometheusConfig(options.scrapeTargets, interval));

  const port = options.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log(line);
    }
  };
  const child = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  // Never leave a server behind when the test process exits without calling stop().
  const killOnExit = () => {
    if (!exited(child)) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError || exited(child)) {
        throw new PrometheusError(
          'EEXITED',
          `prometheus (${binary}) exited during start-up` +
            (spawnError ? `: ${spawnError.message}` : ` with ${child.exitCode ?? child.signalCode}`) +
            `; last lines of its output:\n${tail.join('\n') || '(none)'}`,
          { cause: spawnError },
        );
      }
      const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ready) break;
      if (Date.now() > deadline) {
        throw new PrometheusError(
          'ETIMEOUT',
          `prometheus not ready on ${url} after ${timeoutMs / 1000}s; last lines of its output:\n` +
            (tail.join('\n') || '(none)'),
        );
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    port,
    dir,
    stop,
    async reload(targets: string[]) {
      await writeFile(configPath, renderPrometheusConfig(targets, interval));
      const res = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (!res.ok) {
        throw new PrometheusError(
          'ERELOAD',
          `prometheus reload failed (${res.status}): ${(await res.text()).slice(0, 300)}`,
        );
      }
    },
  };
}
