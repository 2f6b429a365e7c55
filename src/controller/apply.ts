import type { Canary, CanarySpec } from '../api/types.ts';
import { API_VERSION } from '../api/types.ts';
import type { Action } from '../engine/model.ts';
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Ingress, V1Secret } from '../kube/types.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { configKey, referencedConfigs } from '../resources/configs.ts';
import { hashOf } from '../resources/hash.ts';
import { APPLIED_HASH_ANNOTATION, MANAGED_BY_LABEL, ownerReference, type Owner } from '../resources/meta.ts';
import { namesOf, primaryName } from '../resources/names.ts';
import { buildPrimary } from '../resources/primary.ts';
import { buildServices } from '../resources/services.ts';
import { templateHash } from '../resources/workload.ts';
import { buildCanaryIngress, routesOf, type Routes } from '../router/nginx.ts';
import { buildPrimaryHpa } from '../resources/hpa.ts';
import type { Caches } from './caches.ts';

export interface ApplyContext {
  canary: Canary;
  spec: CanarySpec;
  target: V1Deployment;
  ingress?: V1Ingress;
  selectorLabel: string;
  configs: Record<string, string>;
}

function ownerOf(canary: Canary): Owner {
  return { apiVersion: API_VERSION, kind: 'Canary', name: canary.metadata.name, uid: canary.metadata.uid! };
}

/** Executes plans: builds the desired objects and writes only those that differ from the watch cache. */
export class Applier {
  private readonly caches: Caches;
  private readonly writer: KubeWriter;
  private readonly prefix: string;
  private readonly ingressClass: string | undefined;

  constructor(caches: Caches, writer: KubeWriter, prefix: string, ingressClass?: string) {
    this.caches = caches;
    this.writer = writer;
    this.prefix = prefix;
    this.ingressClass = ingressClass;
  }

  /** Applies `desired` unless the cached object carries the same applied hash already. */
  private async applyIfChanged<T extends KubernetesObject>(
    desired: T,
    cached: KubernetesObject | undefined,
  ): Promise<void> {
    const hash = hashOf(desired);
    if (cached?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hash) return;
    desired.metadata = {
      ...desired.metadata,
      annotations: { ...(desired.metadata?.annotations ?? {}), [APPLIED_HASH_ANNOTATION]: hash },
    };
    await this.writer.apply(desired);
  }

  /** Services, canary Ingress and primary HPA: kept in line with the Canary and its sources on every pass. */
  async ensureInfra(ctx: ApplyContext, apexSelectsTarget = false): Promise<void> {
    const ns = ctx.canary.metadata.namespace!;
    const names = namesOf(ctx.spec);
    const owner = ownerOf(ctx.canary);
    for (const svc of buildServices({
      service: ctx.spec.service,
      names,
      target: ctx.target,
      selectorLabel: ctx.selectorLabel,
      owner,
      apexSelectsTarget,
    })) {
      await this.applyIfChanged(svc, this.caches.services.get(svc.metadata!.name!, ns));
    }
    if (ctx.ingress && names.canaryIngress) {
      const current = this.caches.ingresses.get(names.canaryIngress, ns);
      await this.setRoutes(ctx, routesOf(current, this.prefix) ?? { weight: 0, match: false });
    }
    if (names.hpa) {
      const hpa = this.caches.hpas.get(names.hpa, ns);
      if (hpa) {
        const desired = buildPrimaryHpa(hpa, owner);
        await this.applyIfChanged(desired, this.caches.hpas.get(desired.metadata!.name!, ns));
      }
    }
  }

  async setRoutes(ctx: ApplyContext, routes: Routes): Promise<void> {
    if (!ctx.ingress) return;
    const names = namesOf(ctx.spec);
    const desired = buildCanaryIngress({
      source: ctx.ingress,
      apexService: names.apex,
      canaryService: names.canaryService,
      owner: ownerOf(ctx.canary),
      prefix: this.prefix,
      routes,
      match: ctx.spec.analysis.match,
      ingressClass: this.ingressClass,
    });
    await this.applyIfChanged(
      desired,
      this.caches.ingresses.get(desired.metadata!.name!, ctx.canary.metadata.namespace),
    );
  }

  /** Copies the tracked ConfigMaps/Secrets as `<name>-primary` and the target's template to the primary. */
  private async writePrimary(ctx: ApplyContext, replicas: number | undefined): Promise<void> {
    const ns = ctx.canary.metadata.namespace!;
    const owner = ownerOf(ctx.canary);
    const tracked = new Set<string>();
    for (const ref of referencedConfigs(ctx.target.spec?.template.spec)) {
      const src =
        ref.kind === 'configmap'
          ? this.caches.configMaps.get(ref.name, ns)
          : this.caches.secrets.get(ref.name, ns);
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
      const cached =
        ref.kind === 'configmap'
          ? this.caches.configMaps.get(primaryName(ref.name), ns)
          : this.caches.secrets.get(primaryName(ref.name), ns);
      await this.applyIfChanged(copy, cached);
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
    await this.applyIfChanged(primary, this.caches.deployments.get(primary.metadata!.name!, ns));
  }

  async execute(ctx: ApplyContext, action: Action): Promise<void> {
    const ns = ctx.canary.metadata.namespace!;
    const names = namesOf(ctx.spec);
    switch (action.type) {
      case 'initPrimary': {
        const existing = this.caches.deployments.get(names.primary, ns);
        // Once the primary exists its template only changes by promotion.
        if (!existing) await this.writePrimary(ctx, Math.max(ctx.target.spec?.replicas ?? 1, 1));
        return;
      }
      case 'promote': {
        const primary = this.caches.deployments.get(names.primary, ns);
        const replicas =
          (ctx.target.spec?.replicas ?? 0) > 0 ? ctx.target.spec!.replicas! : (primary?.spec?.replicas ?? 1);
        await this.writePrimary(ctx, replicas);
        return;
      }
      case 'scaleTarget':
        if ((ctx.target.spec?.replicas ?? 1) !== action.replicas)
          await this.writer.scaleDeployment(ns, names.target, action.replicas);
        return;
      case 'setWeight':
        await this.setRoutes(ctx, { weight: action.weight, match: action.match });
        return;
      case 'revertOnDeletion': {
        const primary = this.caches.deployments.get(names.primary, ns);
        const replicas = Math.max(primary?.spec?.replicas ?? 1, 1);
        if ((ctx.target.spec?.replicas ?? 0) !== replicas)
          await this.writer.scaleDeployment(ns, names.target, replicas);
        await this.ensureInfra(ctx, true);
        await this.setRoutes(ctx, { weight: 0, match: false });
        return;
      }
      case 'removeFinalizer':
      case 'runHooks':
        return; // handled by the reconciler: they are not object writes
    }
  }
}
