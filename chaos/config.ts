/** The chaos run's size and timing, from environment variables (read once, by the test file). */
import { randomInt } from 'node:crypto';
import type { FaultSettings } from './fault-proxy.ts';

export interface ChaosConfig {
  /** Releases in the run (KANARIA_CHAOS_RELEASES, default 100). */
  releases: number;
  /** Canaries releasing at the same time, each in its own namespace (KANARIA_CHAOS_LANES, default 8). */
  lanes: number;
  /** Seed of the plan, the kill delays and the pauses (KANARIA_CHAOS_SEED, default random). */
  seed: number;
  /** The operator is SIGKILLed a random time in [killMinMs, killMaxMs] after it was started. */
  killMinMs: number;
  killMaxMs: number;
  /** Pause in [0, restartMaxMs] before the next operator process starts. */
  restartMaxMs: number;
  /** Time limit of one release, from its first image change to its final status. */
  releaseTimeoutMs: number;
  /** Where the report and the operator's log go. */
  outDir: string;
  /**
   * Share of the operator's writes the fault proxy faults (KANARIA_CHAOS_FAULTS, default 0: no proxy, the
   * operator talks to the API server directly).
   */
  faults: number;
  /** Share of the operator's reads (watches included) whose connection the proxy resets before forwarding. */
  readResets: number;
  /** Whether the operator is SIGKILLed (KANARIA_CHAOS_KILLS, default 1 without faults and 0 with them). */
  kills: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function share(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new Error(`${name} must be a share in [0, 1], got "${raw}"`);
  return n;
}

export function chaosConfig(env: NodeJS.ProcessEnv): ChaosConfig {
  const releases = int(env, 'KANARIA_CHAOS_RELEASES', 100, 1);
  const killMinMs = int(env, 'KANARIA_CHAOS_KILL_MIN_MS', 300, 0);
  const faults = share(env, 'KANARIA_CHAOS_FAULTS', 0);
  const config: ChaosConfig = {
    releases,
    lanes: Math.min(releases, int(env, 'KANARIA_CHAOS_LANES', 8, 1)),
    seed: int(env, 'KANARIA_CHAOS_SEED', randomInt(1, 2 ** 31), 0),
    killMinMs,
    killMaxMs: int(env, 'KANARIA_CHAOS_KILL_MAX_MS', 8000, killMinMs),
    restartMaxMs: int(env, 'KANARIA_CHAOS_RESTART_MAX_MS', 1000, 0),
    releaseTimeoutMs: int(env, 'KANARIA_CHAOS_RELEASE_TIMEOUT_MS', 240_000, 1000),
    outDir: env.KANARIA_CHAOS_OUT || '.chaos',
    faults,
    readResets: faults > 0 ? share(env, 'KANARIA_CHAOS_READ_RESETS', 0.1) : 0,
    kills: int(env, 'KANARIA_CHAOS_KILLS', faults > 0 ? 0 : 1, 0) > 0,
  };
  return config;
}

/**
 * The fault proxy's settings for a run: of the faulted writes a fifth is reset before it is forwarded, a fifth
 * is written and then answered 500 or reset, the rest are answered 409, 429 or 500 unwritten; every watch is
 * cut after 1–10 s.
 */
export function faultSettings(config: ChaosConfig): FaultSettings {
  return {
    writeShare: config.faults,
    lostShare: 0.2,
    resetShare: 0.2,
    readResetShare: config.readResets,
    watchCutMinMs: 1000,
    watchCutMaxMs: 10_000,
  };
}
