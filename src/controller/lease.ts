/** Pure rules of leader election on a coordination.k8s.io/v1 Lease: who may take it, and what to write. */
import { microTime, timeMs } from '../kube/time.ts';
import type { V1Lease } from '../kube/types.ts';

/** What a candidate may do with the Lease it just read. */
export type LeaseDecision =
  /** No Lease yet: create it, holding it. */
  | { kind: 'create' }
  /** Free (released) or expired: take it over with the resourceVersion read. */
  | { kind: 'acquire'; previousHolder?: string }
  /** Held by us: renew it. */
  | { kind: 'renew' }
  /** Held by someone else whose lease runs until `expiresAt`. */
  | { kind: 'wait'; holder: string; expiresAt: number };

/**
 * Whether `identity` may take or keep `lease` at `now` (epoch ms). The Lease is expired once
 * renewTime + leaseDuration < now, with the holder's own leaseDurationSeconds when it wrote one, else
 * `leaseDurationMs`. `observedAt` — when this candidate first saw the Lease's current version, by its own
 * clock — pushes the expiry to at least observedAt + leaseDuration, so a clock running ahead of the
 * holder's never takes a Lease early.
 */
export function leaseDecision(
  lease: V1Lease | undefined,
  identity: string,
  now: number,
  leaseDurationMs: number,
  observedAt?: number,
): LeaseDecision {
  if (!lease) return { kind: 'create' };
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  if (holder === identity) return { kind: 'renew' };
  if (holder === '') return { kind: 'acquire' };
  const duration = spec.leaseDurationSeconds ? spec.leaseDurationSeconds * 1000 : leaseDurationMs;
  const renewed = timeMs(spec.renewTime) ?? timeMs(spec.acquireTime);
  const since = Math.max(renewed ?? -Infinity, observedAt ?? -Infinity);
  if (since === -Infinity) return { kind: 'acquire', previousHolder: holder };
  const expiresAt = since + duration;
  return expiresAt < now ? { kind: 'acquire', previousHolder: holder } : { kind: 'wait', holder, expiresAt };
}

/** The Lease spec written by `identity` at `now` for a decision to create, acquire or renew. */
export function leaseSpecFor(
  decision: Exclude<LeaseDecision, { kind: 'wait' }>,
  current: V1Lease | undefined,
  identity: string,
  now: number,
  leaseDurationMs: number,
): NonNullable<V1Lease['spec']> {
  const spec = current?.spec ?? {};
  const transitions = spec.leaseTransitions ?? 0;
  const base = {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
    renewTime: microTime(now),
  };
  switch (decision.kind) {
    case 'create':
      return { ...base, acquireTime: microTime(now), leaseTransitions: 0 };
    case 'acquire':
      return { ...base, acquireTime: microTime(now), leaseTransitions: transitions + 1 };
    case 'renew':
      return {
        ...base,
        acquireTime: spec.acquireTime ? microTime(timeMs(spec.acquireTime) ?? now) : microTime(now),
        leaseTransitions: transitions,
      };
  }
}
