/**
 * The pod runner: a SIMULATION of a kubelet's containers for the local control plane's KWOK nodes, whose
 * pods have no containers. It watches Pods and keeps one child process (pod-process.ts, answering like
 * podinfo) per Running pod with a pod IP, listening on that IP and the container's TCP ports, with the
 * container's env and the version of its image tag; it stops the process when the pod stops running
 * (deleted, being deleted, failed) and restarts it with a backoff when it exits by itself or cannot start.
 *
 * Pod IPs must be local addresses: run it inside `hack/in-netns.sh`'s network namespace with the cluster's
 * fake nodes on `podCIDR: 198.18.0.0/16` (src/devcluster, KANARIA_POD_CIDR). KWOK reports pods Ready at
 * once, so a Service may list a pod before its process has started: the runner opens the pod's listening
 * sockets the moment it sees the pod and hands them to the process (pod-sockets.ts), so connections made
 * meanwhile wait in the socket's backlog instead of being refused.
 */
import { join } from 'node:path';
import { cacheRoot } from '../devcluster/binaries.ts';
import { describeError, type Kube } from '../kube/client.ts';
import { watchCache, type WatchCache } from '../kube/informer.ts';
import type { Logger } from '../observability/logger.ts';
import { planProcesses, podKey, type ProcessState } from './plan.ts';
import { processInfo, type PodRunnerStatus, type Slot } from './slot.ts';
import { decide, type Pod, type PodTarget } from './pod-spec.ts';
import { apiEnvSources } from './env-sources.ts';
import { compileCacheBootstrap, terminate } from './launch.ts';
import type { HeldSockets } from './pod-sockets.ts';
import { SlotStarter } from './slot-start.ts';
import { TaskPool } from './task-pool.ts';
import {
  EndedProcesses,
  fetchCounters,
  mergeCounters,
  processCounters,
  type ProcessCounters,
} from './counters.ts';

export { POD_PROCESS_SCRIPT } from './launch.ts';
export const DEFAULT_MAX_PROCESSES = 200;

export interface PodRunnerOptions {
  kube: Kube;
  log: Logger;
  /** Only pods of this namespace; default all namespaces. */
  namespace?: string;
  /** At most this many processes; pods beyond it (the newest) wait. Default 200. */
  maxProcesses?: number;
  /** The Node.js binary that runs pod-process.ts; default this process's. */
  nodeBinary?: string;
  /**
   * Where the processes keep Node's compile cache (their type-stripped, compiled code), so that only the
   * first one pays for loading the TypeScript stripper: about 64 MB of memory per process instead of 86.
   * Default ~/.cache/kanaria/node-compile-cache (under KANARIA_CACHE_DIR when set).
   */
  compileCacheDir?: string;
  /** How long a process may take to listen. Default 15 s. */
  startTimeoutMs?: number;
  /** How long a process may take to exit after SIGTERM before it is killed. Default 3 s. */
  stopTimeoutMs?: number;
}

export type { ProcessState };
export type { PodProcessInfo, PodRunnerStatus } from './slot.ts';

const START_CONCURRENCY = 8;
const RECONCILE_RETRY_MS = 1_000;

export class PodRunner {
  readonly #options: PodRunnerOptions;
  readonly #log: Logger;
  readonly #max: number;
  readonly #starter: SlotStarter;
  readonly #slots = new Map<string, Slot>();
  readonly #ended = new EndedProcesses();
  /** Process starts and stops run here, beside the reconcile loop, which only opens sockets. */
  readonly #launches = new TaskPool(START_CONCURRENCY);
  readonly #stops = new TaskPool(Infinity);
  #waiting: PodRunnerStatus['waiting'] = [];
  #cache?: WatchCache<Pod>;
  #dirty = false;
  #loop?: Promise<void>;
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(options: PodRunnerOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#max = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    if (!Number.isInteger(this.#max) || this.#max < 1)
      throw new RangeError(`maxProcesses ${options.maxProcesses} is not a positive integer`);
    this.#starter = new SlotStarter({
      log: options.log,
      sources: apiEnvSources(options.kube),
      nodeBinary: options.nodeBinary ?? process.execPath,
      bootstrap: compileCacheBootstrap(options.compileCacheDir ?? join(cacheRoot(), 'node-compile-cache')),
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
      onEnded: (ended) => this.#ended.add(ended),
      onCrashed: () => this.#kick(),
    });
  }

  /** Starts watching Pods; resolves once the first LIST is in and the processes for it are started. */
  async start(): Promise<void> {
    const { kube, namespace } = this.#options;
    const path = namespace ? `/api/v1/namespaces/${namespace}/pods` : '/api/v1/pods';
    this.#cache = watchCache<Pod>(
      kube.kc,
      path,
      () => (namespace ? kube.core.listNamespacedPod({ namespace }) : kube.core.listPodForAllNamespaces()),
      () => this.#kick(),
      this.#log,
    );
    await this.#cache.synced;
    this.#kick();
    await this.settled();
  }

  /**
   * Resolves when no reconcile, process start or stop is running or due (processes waiting for a retry
   * do not count).
   */
  async settled(): Promise<void> {
    while (this.#loop || this.#launches.busy || this.#stops.busy) {
      await this.#loop;
      await this.#launches.idle();
      await this.#stops.idle();
    }
  }

  status(namespace?: string): PodRunnerStatus {
    const processes = [...this.#slots.values()]
      .filter((s) => namespace === undefined || s.target.namespace === namespace)
      .map(processInfo)
      .sort((a, b) => podKey(a).localeCompare(podKey(b)));
    const waiting = this.#waiting.filter((w) => namespace === undefined || w.namespace === namespace);
    return { maxProcesses: this.#max, processes, waiting };
  }

  /**
   * What each process of `namespace` (default all) served: running ones answer their `/counters`, ended
   * ones are listed with the final counters they sent when they were stopped with their pod.
   */
  async counters(namespace?: string): Promise<ProcessCounters[]> {
    const slots = [...this.#slots.values()].filter(
      (s) => namespace === undefined || s.target.namespace === namespace,
    );
    const live = await Promise.all(
      slots.map(async (slot): Promise<ProcessCounters | undefined> => {
        const { child, exited } = slot;
        if (!child?.pid || (slot.state !== 'running' && slot.state !== 'stopping')) return undefined;
        const counters = await fetchCounters(slot.target);
        if (counters) return processCounters(slot.target, child.pid, 'running', counters);
        // Stopping: once it has exited, its final counters are among the ended ones.
        if (slot.state === 'stopping') await exited;
        return undefined;
      }),
    );
    const running = live.filter((c): c is ProcessCounters => c !== undefined);
    return mergeCounters(running, this.#ended.list(namespace));
  }

  /** Stops watching and stops every process. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#cache?.stop();
    await this.settled();
    await Promise.all([...this.#slots.keys()].map((uid) => this.#stopSlot(uid)));
  }

  #kick(): void {
    if (this.#stopped) return;
    this.#dirty = true;
    if (this.#loop) return;
    this.#loop = (async () => {
      while (this.#dirty && !this.#stopped) {
        this.#dirty = false;
        try {
          await this.#reconcile();
        } catch (err) {
          this.#log.error({ err: describeError(err) }, 'pod runner: reconcile failed');
          this.#retryIn(RECONCILE_RETRY_MS);
        }
      }
    })().finally(() => {
      this.#loop = undefined;
      if (this.#dirty) this.#kick();
    });
  }

  #retryIn(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, ms);
  }

  async #reconcile(): Promise<void> {
    const pods = new Map<string, Pod>();
    const targets: PodTarget[] = [];
    for (const pod of this.#cache?.list() ?? []) {
      const decision = decide(pod);
      if (!('target' in decision)) continue;
      pods.set(decision.target.uid, pod);
      targets.push(decision.target);
    }
    const plan = planProcesses(targets, this.#slots, this.#max, Date.now());
    for (const uid of plan.stop) this.#beginStop(uid);

    for (const { target, reason } of plan.waiting)
      if (
        !this.#waiting.some(
          (w) => w.namespace === target.namespace && w.name === target.name && w.reason === reason,
        )
      )
        this.#log.warn({ pod: podKey(target), reason }, 'pod runner: pod waits for a process');
    this.#waiting = plan.waiting.map(({ target, reason }) => ({
      namespace: target.namespace,
      name: target.name,
      reason,
    }));

    const starts: Slot[] = plan.retry.flatMap((uid) => this.#slots.get(uid) ?? []);
    for (const target of plan.start) {
      const slot: Slot = { target, state: 'starting', restarts: 0, failures: 0 };
      this.#slots.set(target.uid, slot);
      starts.push(slot);
    }
    let nextRetry = plan.nextRetryAt ?? Infinity;
    // Sockets first, for every pod, before any process starts: KWOK reports a pod Ready at once, so its
    // connections may already come; they wait in the sockets' backlog for the process.
    for (const slot of starts) {
      const pod = pods.get(slot.target.uid);
      if (!pod || this.#stopped) continue;
      const held = await this.#starter.openSockets(slot);
      if (held) this.#launches.add(() => this.#launch(pod, slot, held));
      else nextRetry = Math.min(nextRetry, slot.retryAt ?? 0);
    }
    if (nextRetry < Infinity) this.#retryIn(Math.max(0, nextRetry - Date.now()));
  }

  /** Stops a slot's process beside the loop; a slot without one (in backoff) goes at once. */
  #beginStop(uid: string): void {
    const slot = this.#slots.get(uid);
    if (!slot || slot.state === 'stopping') return;
    if (!slot.child) {
      this.#slots.delete(uid);
      return;
    }
    slot.state = 'stopping';
    this.#stops.add(async () => {
      await this.#stopSlot(uid);
      this.#kick();
    });
  }

  /** Starts the process of a slot whose sockets are open; plans again when done (a stop may be due). */
  async #launch(pod: Pod, slot: Slot, held: HeldSockets): Promise<void> {
    if (this.#stopped) {
      held.close();
      slot.state = 'backoff';
    } else await this.#starter.start(pod, slot, held);
    this.#kick();
  }

  async #stopSlot(uid: string): Promise<void> {
    const slot = this.#slots.get(uid);
    if (!slot) return;
    const { child, exited } = slot;
    slot.state = 'stopping';
    if (child && exited) await terminate(child, exited, this.#options.stopTimeoutMs ?? 3_000);
    else if (exited) await exited;
    if (this.#slots.get(uid) === slot) this.#slots.delete(uid);
    this.#log.info({ pod: podKey(slot.target), ip: slot.target.ip }, 'pod runner: pod process stopped');
  }
}
