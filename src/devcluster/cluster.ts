import { spawn } from 'node:child_process';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheRoot, ensureBinaries, COMPONENTS, type Component } from './binaries.ts';
import { createKube } from '../kube/client.ts';
import { installGatewayApiCrds } from './gateway-api.ts';
import { apiCall } from './http.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { podCidrProblem } from './pod-cidr.ts';
import { checkPortFree, isPortFree } from './ports.ts';
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  fakeNode,
  kwokArgs,
  nodesReady,
  schedulerArgs,
  type NodeLike,
} from './components.ts';

/** The ports a cluster uses, all on 127.0.0.1, as offsets from one base port. */
export function clusterPorts(base: number) {
  return {
    etcdClient: base,
    etcdPeer: base + 1,
    apiserver: base + 2,
    controllerManager: base + 3,
    scheduler: base + 4,
    kwok: base + 5,
  };
}
export type ClusterPorts = ReturnType<typeof clusterPorts>;

export interface ClusterOptions {
  /** Names the state directory; several clusters can run side by side on different base ports. */
  name?: string;
  basePort?: number;
  nodes?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Extra kube-apiserver flags, e.g. an audit policy for benchmarks. */
  apiserverArgs?: string[];
  startTimeoutMs?: number;
  /**
   * The fake nodes' `spec.podCIDR` (all of them get the same one; KWOK keeps one address pool per CIDR, so
   * pod IPs stay unique), e.g. 198.18.0.0/16 inside `hack/in-netns.sh`'s network namespace, where processes
   * can listen on pod IPs (see src/podrunner). Defaults to $KANARIA_POD_CIDR; when neither is set the nodes
   * have no podCIDR and KWOK takes pod IPs from its --cidr (10.244.0.0/16).
   */
  podCIDR?: string;
  /**
   * Where the Gateway API standard CRDs' YAML files are (installed on every cluster, see gateway-api.ts);
   * default the cache's, fetched with Go on first use.
   */
  gatewayApiCrdDir?: string;
}

export interface ClusterState {
  name: string;
  dir: string;
  kubeconfig: string;
  server: string;
  ports: ClusterPorts;
  pids: Partial<Record<Component, number>>;
  /** Only present when the fake nodes have a podCIDR. */
  podCIDR?: string;
}

export const DEFAULT_BASE_PORT = 16440;

export class ClusterError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'clusters', name);
}

async function readState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function logTail(path: string, lines = 25): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK with fake nodes. */
export async function up(options: ClusterOptions = {}): Promise<ClusterState> {
  const env = options.env ?? process.env;
  const name = options.name ?? 'dev';
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const ports = clusterPorts(options.basePort ?? DEFAULT_BASE_PORT);
  const dir = clusterDir(name, env);
  const podCIDR = options.podCIDR ?? (env.KANARIA_POD_CIDR || undefined);
  const cidrProblem = podCIDR === undefined ? undefined : podCidrProblem(podCIDR);
  if (cidrProblem) throw new ClusterError('EPODCIDR', `pod CIDR ${cidrProblem}`);
  const existing = await readState(dir);
  if (existing && Object.values(existing.pids).some(alive)) {
    throw new ClusterError(
      'EALREADY',
      `cluster "${name}" is already running (state in ${dir}); run "kanaria dev cluster down" first`,
    );
  }
  for (const [component, port] of Object.entries(ports)) {
    try {
      await checkPortFree(port);
    } catch (err) {
      throw new ClusterError(
        'EPORTINUSE',
        `port ${port} on 127.0.0.1 (for ${component}) is already in use: stop what listens there, ` +
          `or pick another base port with KANARIA_CLUSTER_PORT (it uses ${ports.etcdClient}-${ports.kwok})`,
        { cause: err },
      );
    }
  }
  const bins = await ensureBinaries(COMPONENTS, env, (l) => log(l.trimEnd()));

  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  await mkdir(join(dir, 'pki'), { recursive: true });
  const token = randomBytes(24).toString('hex');
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfig = join(dir, 'kubeconfig');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'pki', 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  await writeFile(join(dir, 'pki', 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(dir, 'tokens.csv'), `${token},kanaria-admin,kanaria-admin,"system:masters"\n`);
  await writeFile(kubeconfig, renderKubeconfig(server, token, `kanaria-${name}`), { mode: 0o600 });

  const state: ClusterState = { name, dir, kubeconfig, server, ports, pids: {} };
  if (podCIDR) state.podCIDR = podCIDR;
  const saveState = () => writeFile(join(dir, 'state.json'), JSON.stringify(state, null, 2));
  const timeout = options.startTimeoutMs ?? 90_000;

  const start = async (component: Component, args: string[]) => {
    const logPath = join(dir, 'logs', `${component}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(bins[component], args, { detached: true, stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    child.unref();
    if (!child.pid)
      throw new ClusterError('ESTART', `${component} could not be started from ${bins[component]}`);
    state.pids[component] = child.pid;
    await saveState();
  };
  const failIfExited = async (component: Component) => {
    if (!alive(state.pids[component])) {
      const tail = await logTail(join(dir, 'logs', `${component}.log`));
      throw new ClusterError(
        'EEXITED',
        `${component} exited during start-up; last lines of its log:\n${tail}`,
      );
    }
  };
  const waitFor = async (what: string, components: Component[], ready: () => Promise<boolean>) => {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const c of components) await failIfExited(c);
      if (await ready().catch(() => false)) return;
      await sleep(250);
    }
    const tails = await Promise.all(
      components.map(async (c) => `--- ${c} ---\n${await logTail(join(dir, 'logs', `${c}.log`), 10)}`),
    );
    throw new ClusterError('ETIMEOUT', `${what} not ready after ${timeout / 1000}s:\n${tails.join('\n')}`);
  };

  try {
    await start('etcd', etcdArgs(dir, ports));
    await waitFor('etcd', ['etcd'], async () => !(await isPortFree(ports.etcdClient)));

    await start('kube-apiserver', apiserverArgs(dir, ports, options.apiserverArgs ?? []));
    await waitFor('kube-apiserver', ['etcd', 'kube-apiserver'], async () => {
      const res = await apiCall(server, token, 'GET', '/readyz');
      return res.status === 200;
    });

    await start('kube-controller-manager', controllerManagerArgs(dir, kubeconfig, ports));
    await start('kube-scheduler', schedulerArgs(kubeconfig, ports));
    await start('kwok', kwokArgs(kubeconfig, ports));
    for (let i = 0; i < (options.nodes ?? 3); i++) {
      const res = await apiCall(server, token, 'POST', '/api/v1/nodes', fakeNode(`kwok-node-${i}`, podCIDR));
      if (res.status !== 201 && res.status !== 409)
        throw new ClusterError(
          'ENODE',
          `creating fake node kwok-node-${i} failed: ${res.status} ${res.body}`,
        );
    }
    const all: Component[] = [...COMPONENTS];
    await waitFor('fake nodes', all, async () => {
      const res = await apiCall(server, token, 'GET', '/api/v1/nodes');
      return nodesReady((JSON.parse(res.body) as { items: NodeLike[] }).items);
    });
    // The default ServiceAccount appears once kube-controller-manager works; pods need it.
    await waitFor('kube-controller-manager', all, async () => {
      const res = await apiCall(server, token, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return res.status === 200;
    });
    await installGatewayApiCrds(createKube(kubeconfig), { dir: options.gatewayApiCrdDir, env, log });
    log(
      `local control plane "${name}" is up: ${server} (kubeconfig: ${kubeconfig})` +
        (podCIDR ? `; pod IPs from ${podCIDR}` : ''),
    );
    return state;
  } catch (err) {
    await stopPids(state.pids);
    throw err;
  }
}

async function stopPids(pids: Partial<Record<Component, number>>): Promise<void> {
  // Stop in reverse start order so clients go before the API server and etcd.
  const order = [...COMPONENTS].reverse();
  for (const component of order) {
    const pid = pids[component];
    if (!alive(pid)) continue;
    try {
      process.kill(-pid!, 'SIGTERM');
    } catch {
      try {
        process.kill(pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && order.some((c) => alive(pids[c]))) await sleep(100);
  for (const c of order) {
    if (alive(pids[c])) {
      try {
        process.kill(-pids[c]!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  while (order.some((c) => alive(pids[c]))) await sleep(50);
}

/** Stops a cluster started by `up` and removes its state; a cluster that is not running is not an error. */
export async function down(name = 'dev', env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const dir = clusterDir(name, env);
  const state = await readState(dir);
  if (!state) return false;
  await stopPids(state.pids);
  const deadline = Date.now() + 10_000;
  for (const port of Object.values(state.ports)) {
    while (!(await isPortFree(port)) && Date.now() < deadline) await sleep(100);
  }
  await rm(dir, { recursive: true, force: true });
  return true;
}

export interface ClusterStatus {
  running: boolean;
  state?: ClusterState;
  components: Record<string, boolean>;
  ready: boolean;
}

export async function status(name = 'dev', env: NodeJS.ProcessEnv = process.env): Promise<ClusterStatus> {
  const state = await readState(clusterDir(name, env));
  if (!state) return { running: false, components: {}, ready: false };
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, alive(state.pids[c])]));
  let ready = false;
  try {
    const token = (await readFile(join(state.dir, 'tokens.csv'), 'utf8')).split(',')[0];
    ready = (await apiCall(state.server, token, 'GET', '/readyz')).status === 200;
  } catch {
    // not answering: reported as not ready
  }
  return { running: Object.values(components).some(Boolean), state, components, ready };
}
