/**
 * What a SIMULATED pod's process does besides answering like podinfo, read from the pod's own
 * environment, so that a bad release is an image and env change in the pod template:
 *
 * | env           | meaning                                                                 | default |
 * |---------------|-------------------------------------------------------------------------|---------|
 * | `FAULT_RATE`  | fraction of requests answered with `FAULT_STATUS`, 0..1                 | 0       |
 * | `FAULT_STATUS`| the status of an injected fault, 500..599                               | 500     |
 * | `FAULT_SEED`  | draw faults from a generator seeded with this integer                   | (none)  |
 * | `LATENCY_MS`  | delay added to every request before it is answered, 0..60000            | 0       |
 *
 * Without a seed faults are evenly spaced: the n-th request fails when floor(n·rate) grows, so a
 * rate of 0.25 fails exactly every 4th request and any window of requests fails at that rate ±1.
 */
export interface Behaviour {
  faultRate: number;
  faultStatus: number;
  faultSeed?: number;
  latencyMs: number;
}

export class BehaviourError extends Error {
  readonly code = 'EBEHAVIOUR';
}

function numberFrom(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new BehaviourError(`${name}="${raw}" is not a number`);
  return value;
}

/** The behaviour an environment asks for; a value out of range is an error that names it. */
export function parseBehaviour(env: Readonly<Record<string, string | undefined>>): Behaviour {
  const faultRate = numberFrom(env, 'FAULT_RATE') ?? 0;
  if (faultRate < 0 || faultRate > 1) throw new BehaviourError(`FAULT_RATE=${faultRate} is not in 0..1`);
  const faultStatus = numberFrom(env, 'FAULT_STATUS') ?? 500;
  if (!Number.isInteger(faultStatus) || faultStatus < 500 || faultStatus > 599)
    throw new BehaviourError(`FAULT_STATUS=${faultStatus} is not a status in 500..599`);
  const latencyMs = numberFrom(env, 'LATENCY_MS') ?? 0;
  if (latencyMs < 0 || latencyMs > 60_000)
    throw new BehaviourError(`LATENCY_MS=${latencyMs} is not in 0..60000`);
  const faultSeed = numberFrom(env, 'FAULT_SEED');
  if (faultSeed !== undefined && !Number.isInteger(faultSeed))
    throw new BehaviourError(`FAULT_SEED=${faultSeed} is not an integer`);
  return { faultRate, faultStatus, latencyMs, ...(faultSeed === undefined ? {} : { faultSeed }) };
}

/**
 * A fault schedule: `next()` says whether the next request fails. Evenly spaced without a random
 * source, else each request fails with probability `rate`.
 */
export function faultSchedule(rate: number, random?: () => number): { next(): boolean } {
  let served = 0;
  let failed = 0;
  return {
    next() {
      if (random) return random() < rate;
      served += 1;
      const due = Math.floor(served * rate + 1e-9);
      if (due > failed) {
        failed = due;
        return true;
      }
      return false;
    },
  };
}
