import type { Canary } from '../api/types.ts';
import { withDefaults, type DefaultedCanarySpec } from '../api/defaults.ts';
import { validateCanary, type ValidationIssue } from '../api/validate.ts';

export interface CheckedSpec {
  issues: readonly ValidationIssue[];
  /** The defaulted spec; frozen, since every reconcile of this generation shares it. */
  spec: DefaultedCanarySpec;
}

interface Entry extends CheckedSpec {
  uid: string;
  generation: number;
}

/**
 * A Canary's spec validated and defaulted once per generation (the API server bumps it on every spec
 * change), not on every reconcile: both depend on the spec alone.
 */
export class SpecMemo {
  private readonly entries = new Map<string, Entry>();

  of(canary: Canary): CheckedSpec {
    const { uid, generation, namespace, name } = canary.metadata;
    const key = `${namespace ?? ''}/${name}`;
    const known = this.entries.get(key);
    if (known && uid !== undefined && known.uid === uid && known.generation === generation) return known;
    const checked = { issues: validateCanary(canary), spec: deepFreeze(withDefaults(canary.spec)) };
    if (uid === undefined || generation === undefined) return checked;
    const entry = { ...checked, uid, generation };
    this.entries.set(key, entry);
    return entry;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
