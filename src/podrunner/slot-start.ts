/**
 * Starting one pod's process for the pod runner: its sockets first (the reconcile loop opens them at once),
 * then its env and its process (beside the loop); a failure puts the slot in backoff.
 */
import { describeError } from '../kube/client.ts';
import { backoffDelay } from '../kube/retry.ts';
import type { Logger } from '../observability/logger.ts';
import { processCounters, type ProcessCounters } from './counters.ts';
import { alive, launchPodProcess } from './launch.ts';
import { podKey } from './plan.ts';
import { holdSockets, listenOnPod, type HeldSockets } from './pod-sockets.ts';
import { resolveEnv, type EnvSources, type Pod } from './pod-spec.ts';
import type { Slot } from './slot.ts';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface SlotStarterOptions {
  log: Logger;
  sources: EnvSources;
  nodeBinary: string;
  /** A module preloaded before pod-process.ts (see launch.ts). */
  bootstrap: string;
  startTimeoutMs: number;
  /** A process that was stopped or ended by itself, with the counters it sent last. */
  onEnded: (ended: ProcessCounters) => void;
  /** A running process exited by itself: its slot is now in backoff. */
  onCrashed: () => void;
}

export class SlotStarter {
  readonly #options: SlotStarterOptions;

  constructor(options: SlotStarterOptions) {
    this.#options = options;
  }

  /** Listens on the pod's address and ports for its process to come; undefined (and backoff) if it cannot. */
  async openSockets(slot: Slot): Promise<HeldSockets | undefined> {
    const { target } = slot;
    if (slot.failures > 0) slot.restarts += 1;
    slot.state = 'starting';
    try {
      return holdSockets(await listenOnPod(target.ip, target.ports), target.ports);
    } catch (err) {
      this.fail(slot, (err as Error).message);
      return undefined;
    }
  }

  /** Starts the process with the sockets held for it; resolves once it listens or the slot is in backoff. */
  async start(pod: Pod, slot: Slot, held: HeldSockets): Promise<void> {
    const { target } = slot;
    const options = this.#options;
    let env: Record<string, string>;
    try {
      env = await resolveEnv(pod, options.sources);
    } catch (err) {
      held.close();
      return this.fail(slot, `env: ${describeError(err)}`);
    }
    const launch = launchPodProcess({
      target,
      env,
      held,
      nodeBinary: options.nodeBinary,
      bootstrap: options.bootstrap,
      startTimeoutMs: options.startTimeoutMs,
      onClosed: (pid, final) => {
        if (final && pid) options.onEnded(processCounters(target, pid, 'ended', final));
      },
    });
    const { child } = launch;
    slot.child = child;
    slot.exited = launch.exited;
    const outcome = await launch.listening;
    const stderr = () => (launch.stderr() ? `: ${launch.stderr()}` : '');
    if (!outcome.ok) {
      held.close();
      const exited = slot.exited;
      if (alive(child)) child.kill('SIGKILL');
      await exited;
      return this.fail(slot, `${outcome.reason}${stderr()}`);
    }
    slot.state = 'running';
    slot.failures = 0;
    slot.retryAt = undefined;
    slot.startedAt = new Date();
    options.log.info(
      { pod: podKey(target), ip: target.ip, ports: target.ports, version: target.version, pid: child.pid },
      'pod runner: pod process started',
    );
    child.once('exit', (code, signal) => {
      if (slot.child !== child || slot.state !== 'running') return;
      void slot.exited?.then(() => {
        if (slot.child !== child || slot.state !== 'running') return;
        this.fail(slot, `exited (${signal ?? `code ${code}`})${stderr()}`);
        options.onCrashed();
      });
    });
  }

  /** Puts the slot in backoff: it is started again after a delay that grows with its failures. */
  fail(slot: Slot, message: string): void {
    slot.state = 'backoff';
    slot.child = undefined;
    slot.exited = undefined;
    slot.failures += 1;
    slot.lastError = message;
    const delay = backoffDelay(slot.failures, FIRST_RETRY_MS, MAX_RETRY_MS);
    slot.retryAt = Date.now() + delay;
    this.#options.log.warn(
      { pod: podKey(slot.target), err: message, retryInMs: delay },
      'pod runner: pod process failed; restarting it later',
    );
  }
}
