import type { V1Deployment } from '../kube/types.ts';
import type { WorkloadView } from '../engine/model.ts';
import { hashOf } from './hash.ts';
import { PROMOTED_SPEC_ANNOTATION } from './meta.ts';

/**
 * Template hashes of objects read from the API server, by object and resourceVersion: every reconcile
 * hashes the target, and the watch cache hands out the same object until it changes.
 */
const hashedTemplates = new WeakMap<V1Deployment, { resourceVersion: string; hash: string }>();

/** The hash that identifies a target's pod template; a change of it starts a release. */
export function templateHash(dep: V1Deployment): string {
  const resourceVersion = dep.metadata?.resourceVersion;
  const known = resourceVersion ? hashedTemplates.get(dep) : undefined;
  if (known && known.resourceVersion === resourceVersion) return known.hash;
  const hash = hashOf(dep.spec?.template ?? {});
  if (resourceVersion) hashedTemplates.set(dep, { resourceVersion, hash });
  return hash;
}

/**
 * Readiness as a release needs it: the rollout observed, every replica updated, and at least
 * `threshold` percent of them available.
 */
export function workloadView(
  dep: V1Deployment | undefined,
  thresholdPercent: number,
  primary: boolean,
): WorkloadView {
  if (!dep)
    return {
      exists: false,
      replicas: 0,
      ready: false,
      readyReplicas: 0,
      available: false,
      notReadyReason: 'not found',
    };
  const replicas = dep.spec?.replicas ?? 1;
  const st = dep.status ?? {};
  const available = (st.availableReplicas ?? 0) > 0;
  const view = {
    exists: true,
    replicas,
    templateHash: primary ? dep.metadata?.annotations?.[PROMOTED_SPEC_ANNOTATION] : templateHash(dep),
    readyReplicas: st.readyReplicas ?? 0,
    available,
  };
  const notReady = (reason: string): WorkloadView => ({ ...view, ready: false, notReadyReason: reason });
  if ((st.observedGeneration ?? 0) < (dep.metadata?.generation ?? 0))
    return notReady('rollout not observed yet');
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return notReady(`deployment ${dep.metadata?.name} exceeded its progress deadline`);
  const updated = st.updatedReplicas ?? 0;
  if (updated < replicas) return notReady(`${updated} of ${replicas} updated replicas are available`);
  if ((st.replicas ?? 0) > updated)
    return notReady(`${(st.replicas ?? 0) - updated} old replicas are pending termination`);
  const needed = Math.ceil((replicas * thresholdPercent) / 100);
  if ((st.availableReplicas ?? 0) < needed)
    return notReady(
      `${st.availableReplicas ?? 0} of ${replicas} replicas are available (${thresholdPercent}% needed)`,
    );
  return { ...view, ready: true };
}
