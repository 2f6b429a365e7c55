/**
 * The operator as its own process (`kanaria controller`), SIGKILLed a seeded-random time after each
 * start (sooner while there were fewer kills than releases) and started again after a short
 * seeded-random pause, until `stop()` or the deadline; with `kills: false` it is only started again when it
 * exits by itself. Each process's output is appended to one log file with a header line per process.
 */
import { appendFileSync } from 'node:fs';
import { OperatorProcess } from '../test/integration/operator/process.ts';
import type { Rng } from './rng.ts';

export interface KillerOptions {
  /** Arguments of `kanaria controller` (the listen address is added per process). */
  args: string[];
  rng: Rng;
  killMinMs: number;
  killMaxMs: number;
  restartMaxMs: number;
  /**
   * Releases started so far: while the kills are fewer, the time to the next kill is drawn from the first
   * eighth of the range and the pause from the first quarter, so that a run has at least about one kill
   * per release (kills slow the releases down, so this settles).
   */
  releasesStarted: () => number;
  /**
   * false: the operator is never killed; a process that exits by itself is started again after a pause. The
   * delays below are then unused.
   */
  kills: boolean;
  /** The loop ends by itself at this time (ms since the epoch) even if nobody calls stop(). */
  deadlineAt: number;
  logFile: string;
}

export class OperatorKiller {
  starts = 0;
  kills = 0;
  /** Processes that exited by themselves (before their kill was due). */
  crashes = 0;
  private current?: OperatorProcess;
  /** The process whose up-time is running (the pause before its kill). */
  private upOf?: OperatorProcess;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly onExit = () => this.current?.child.kill('SIGKILL');

  private readonly o: KillerOptions;

  constructor(options: KillerOptions) {
    this.o = options;
  }

  /** Starts the first operator process and the kill loop. */
  start(): void {
    process.once('exit', this.onExit);
    this.loop = this.run();
  }

  /** Ends the loop and stops the operator (SIGTERM, SIGKILL after 10s). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    process.removeListener('exit', this.onExit);
  }

  private async pause(ms: number): Promise<void> {
    const until = Math.min(Date.now() + ms, this.o.deadlineAt);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private done(): boolean {
    return this.stopped || Date.now() >= this.o.deadlineAt;
  }

  private async run(): Promise<void> {
    const { rng } = this.o;
    while (!this.done()) {
      const op = await OperatorProcess.start(this.o.args);
      this.current = op;
      this.starts++;
      // A process that exits by itself ends its up-time at once (without kills it is the only way to end it).
      op.child.once('exit', () => {
        if (this.upOf === op) this.wake?.();
      });
      const startedAt = Date.now();
      const behind = this.kills < this.o.releasesStarted();
      const { killMinMs: min, killMaxMs: max } = this.o;
      const upMs = rng.int(min, behind ? Math.round(min + (max - min) / 8) : max);
      const restartMs = rng.int(0, behind ? Math.round(this.o.restartMaxMs / 4) : this.o.restartMaxMs);
      this.upOf = op;
      await this.pause(this.o.kills ? upMs : this.o.deadlineAt - Date.now());
      this.upOf = undefined;
      if (this.done()) {
        const timer = setTimeout(() => void op.kill('SIGKILL'), 10_000);
        await op.kill('SIGTERM');
        clearTimeout(timer);
        this.log(op, startedAt, 'stopped (SIGTERM) at the end of the run');
        break;
      }
      if (op.child.exitCode !== null || op.child.signalCode !== null) {
        this.crashes++;
        const how = op.child.exitCode !== null ? `code ${op.child.exitCode}` : op.child.signalCode;
        this.log(op, startedAt, `exited by itself (${how}) after ${Date.now() - startedAt}ms`);
        await this.pause(restartMs);
        continue;
      }
      await op.kill('SIGKILL');
      this.kills++;
      this.log(op, startedAt, `SIGKILLed after ${Date.now() - startedAt}ms; next start in ${restartMs}ms`);
      await this.pause(restartMs);
    }
    this.current = undefined;
  }

  private log(op: OperatorProcess, startedAt: number, end: string): void {
    const head = `--- operator process #${this.starts} pid ${op.child.pid} started ${new Date(startedAt).toISOString()}, ${end}\n`;
    appendFileSync(this.o.logFile, head + op.output + (op.output.endsWith('\n') || !op.output ? '' : '\n'));
  }
}
