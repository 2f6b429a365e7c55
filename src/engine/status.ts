import type { Condition, Phase } from '../api/types.ts';

/** Sets or updates one condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>,
  nowIso: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const changed = !prev || prev.status !== next.status;
  const merged: Condition = {
    ...next,
    lastTransitionTime: changed ? nowIso : prev.lastTransitionTime,
    lastUpdateTime:
      prev && prev.reason === next.reason && prev.message === next.message ? prev.lastUpdateTime : nowIso,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** The Promoted condition tells, like Flagger's, whether the last release reached the primary. */
export function promotedCondition(phase: Phase, message: string, generation: number) {
  const status: Condition['status'] =
    phase === 'Succeeded' || phase === 'Initialized' ? 'True' : phase === 'Failed' ? 'False' : 'Unknown';
  return { type: 'Promoted', status, reason: phase, message, observedGeneration: generation };
}

export function sameConfigs(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => (a ?? {})[k] === (b ?? {})[k]);
}
