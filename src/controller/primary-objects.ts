import type { KubernetesObject, V1ConfigMap, V1Secret } from '../kube/types.ts';
import { configKey, referencedConfigs } from '../resources/configs.ts';
import { hashOf } from '../resources/hash.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from '../resources/meta.ts';
import { namesOf, primaryName } from '../resources/names.ts';
import { buildBaseline } from '../resources/baseline.ts';
import { buildPrimary } from '../resources/primary.ts';
import { templateHash } from '../resources/workload.ts';
import type { ApplyContext } from './apply.ts';
import type { Caches } from './caches.ts';

/** The primary Deployment and the `<name>-primary` copies of the configs it uses, with their live objects. */
export function primaryObjects(
  ctx: ApplyContext,
  caches: Caches,
  owner: Owner,
  replicas: number | undefined,
): { desired: KubernetesObject; live: KubernetesObject | undefined }[] {
  const ns = ctx.canary.metadata.namespace!;
  const out: { desired: KubernetesObject; live: KubernetesObject | undefined }[] = [];
  const tracked = new Set<string>();
  for (const ref of referencedConfigs(ctx.target.spec?.template.spec)) {
    const src =
      ref.kind === 'configmap' ? caches.configMaps.get(ref.name, ns) : caches.secrets.get(ref.name, ns);
    if (!src) continue;
    tracked.add(configKey(ref));
    const copy: V1ConfigMap | V1Secret = {
      apiVersion: 'v1',
      kind: ref.kind === 'configmap' ? 'ConfigMap' : 'Secret',
      metadata: {
        name: primaryName(ref.name),
        namespace: ns,
        labels: { ...(src.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: 'kanaria' },
        ownerReferences: [ownerReference(owner)],
      },
      data: src.data ?? {},
      ...(ref.kind === 'secret'
        ? { type: (src as V1Secret).type }
        : { binaryData: (src as V1ConfigMap).binaryData ?? {} }),
    };
    const live =
      ref.kind === 'configmap'
        ? caches.configMaps.get(primaryName(ref.name), ns)
        : caches.secrets.get(primaryName(ref.name), ns);
    out.push({ desired: copy, live });
  }
  const promotedSpec = templateHash(ctx.target);
  const primary = buildPrimary({
    target: ctx.target,
    owner,
    selectorLabel: ctx.selectorLabel,
    tracked,
    promotedSpec,
    promotionId: hashOf({ promotedSpec, configs: ctx.configs }),
    replicas: ctx.spec.autoscalerRef ? undefined : replicas,
  });
  out.push({ desired: primary, live: caches.deployments.get(namesOf(ctx.spec).primary, ns) });
  return out;
}

/**
 * The baseline Deployment at `replicas`, built from the live primary's pod template (it uses the primary's
 * config copies); undefined before the primary exists, or when a stopped baseline was never created.
 */
export function baselineObject(
  ctx: ApplyContext,
  caches: Caches,
  owner: Owner,
  replicas: number,
): { desired: KubernetesObject; live: KubernetesObject | undefined } | undefined {
  const ns = ctx.canary.metadata.namespace!;
  const names = namesOf(ctx.spec);
  const primary = caches.deployments.get(names.primary, ns);
  const live = caches.deployments.get(names.baseline, ns);
  if (!primary || (!live && replicas === 0)) return undefined;
  return { desired: buildBaseline({ primary, owner, selectorLabel: ctx.selectorLabel, replicas }), live };
}
