import type { Canary, CanarySpec, CanaryStatus } from '../api/types.ts';
import { API_VERSION } from '../api/types.ts';
import type { Action } from '../engine/model.ts';
import { recordedRoutes } from '../engine/routes.ts';
import { sameConfigs } from '../engine/status.ts';
import type { KubernetesObject, V1Deployment, V1Ingress, V1Service } from '../kube/types.ts';
import type { KubeWriter } from '../kube/writer.ts';
import { annotationOnlyPatch } from '../resources/annotation-patch.ts';
import { comparedFields, differences } from '../resources/compare.ts';
import { hashOf } from '../resources/hash.ts';
import { APPLIED_HASH_ANNOTATION, MANAGED_BY_LABEL, type Owner } from '../resources/meta.ts';
import { hasBaseline, namesOf } from '../resources/names.ts';
import { buildServices, serviceSelectorOnly } from '../resources/services.ts';
import { templateHash } from '../resources/workload.ts';
import { retiredRouteKind } from '../router/migration.ts';
import { activeRouters, routerOfKind, type Routes } from '../router/router.ts';
import { buildPrimaryHpa } from '../resources/hpa.ts';
import type { Caches } from './caches.ts';
import { InfraMemo } from './infra-memo.ts';
import { baselineObject, primaryObjects } from './primary-objects.ts';
import { conflictOr } from './record.ts';
import { liveRoute, ownedRoute } from './route-objects.ts';
import { SentWrites } from './sent-writes.ts';

export interface ApplyContext {
  canary: Canary;
  spec: CanarySpec;
  /** The status just recorded: what the objects must now reflect. */
  status: CanaryStatus;
  target: V1Deployment;
  ingress?: V1Ingress;
  selectorLabel: string;
  configs: Record<string, string>;
  primaryReady: boolean;
  /** Called before the first write; throws when the Canary moved on since the decision. */
  fence: () => Promise<void>;
  /** The Canary's resourceVersion once `status` was recorded; with it, an unchanged ensureInfra is skipped. */
  recordedVersion?: string;
}

export function ownerOf(canary: Canary): Owner {
  return { apiVersion: API_VERSION, kind: 'Canary', name: canary.metadata.name, uid: canary.metadata.uid! };
}

const PHASES_WITH_PRIMARY_TRAFFIC = new Set(['Initializing', undefined]);
/** Phases whose baseline the applier keeps as the status says (see keepBaseline), and those it runs in. */
const BASELINE_KEPT_PHASES = new Set([
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Succeeded',
  'Failed',
]);
const BASELINE_RUNS_PHASES = new Set(['Progressing', 'WaitingPromotion']);

/**
 * Executes plans: builds the desired objects and writes those whose live fields differ. Returns, for
 * each object it corrected although its last write had not changed, what was edited by hand.
 */
export class Applier {
  private readonly caches: Caches;
  private readonly memo: InfraMemo;
  private readonly writer: KubeWriter;
  private readonly prefix: string;
  private readonly ingressClass: string | undefined;
  private readonly sentWrites = new SentWrites();

  constructor(caches: Caches, writer: KubeWriter, prefix: string, ingressClass?: string) {
    this.memo = new InfraMemo(caches);
    this.caches = this.memo.caches;
    this.writer = writer;
    this.prefix = prefix;
    this.ingressClass = ingressClass;
  }

  /** Applies `desired` when the live object differs from it; returns a description of a hand edit. */
  private async applyIfChanged<T extends KubernetesObject>(
    ctx: ApplyContext,
    desired: T,
    live: KubernetesObject | undefined,
    patchable?: string,
  ): Promise<string[]> {
    const hash = hashOf(desired);
    // The applied hash tells a change of intent (including fields to drop); the live fields tell hand edits.
    const key = `${desired.kind}/${ctx.canary.metadata.namespace}/${desired.metadata?.name ?? ''}`;
    if (live && this.sentWrites.sentAlready(key, hash, live)) return [];
    const edited = live?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hash;
    const changed = live ? differences(comparedFields(desired), live) : ['(missing)'];
    if (edited && changed.length === 0) return [];
    // Only onto the version it was checked against: the API server refuses it if the object moved since.
    const liveVersion = live?.metadata?.resourceVersion;
    const patch =
      live && patchable && liveVersion ? annotationOnlyPatch(desired, live, patchable, hash) : undefined;
    desired.metadata = {
      ...desired.metadata,
      annotations: { ...(desired.metadata?.annotations ?? {}), [APPLIED_HASH_ANNOTATION]: hash },
    };
    await ctx.fence();
    const written = patch
      ? await this.writer.patchAnnotations(desired, patch, liveVersion!).catch((err: unknown) => {
          throw conflictOr(err, `${desired.kind} ${desired.metadata?.name}`);
        })
      : (await this.writer.apply(desired)).metadata?.resourceVersion;
    this.sentWrites.note(key, hash, written);
    return edited
      ? [`${live!.kind ?? desired.kind} ${desired.metadata.name}: ${changed.slice(0, 5).join(', ')}`]
      : [];
  }

  /** Scales `live` unless our own scale to `replicas` is newer than the cached object (not seen yet). */
  private async scale(ctx: ApplyContext, live: V1Deployment, replicas: number): Promise<void> {
    const name = live.metadata!.name!;
    const namespace = live.metadata!.namespace ?? ctx.canary.metadata.namespace!;
    const key = `Deployment/${namespace}/${name}/scale`;
    const hash = `replicas=${replicas}`;
    if (this.sentWrites.sentAlready(key, hash, live)) return;
    await ctx.fence();
    this.sentWrites.note(key, hash, await this.writer.scaleDeployment(namespace, name, replicas));
  }

  /** Services, canary Ingress, primary HPA and, between releases, the primary: kept as the status says. */
  async ensureInfra(ctx: ApplyContext, reverting = false): Promise<string[]> {
    if (ctx.recordedVersion === undefined) return this.ensureInfraNow(ctx, reverting);
    const key = `${ctx.canary.metadata.namespace}/${ctx.canary.metadata.name}`;
    const inputs = JSON.stringify([
      ctx.recordedVersion,
      ctx.target.metadata?.resourceVersion,
      ctx.ingress?.metadata?.resourceVersion,
      ctx.selectorLabel,
      ctx.primaryReady,
      ctx.configs,
      reverting,
    ]);
    if (this.memo.isCurrent(key, inputs)) return [];
    return this.memo.run(key, inputs, (wrote: () => void) => {
      const fence = async () => {
        wrote();
        await ctx.fence();
      };
      return this.ensureInfraNow({ ...ctx, fence }, reverting);
    });
  }

  /** Forgets what the last ensureInfra of the Canary `namespace/name` found (it is gone). */
  forget(key: string): void {
    this.memo.forget(key);
  }

  private async ensureInfraNow(ctx: ApplyContext, reverting: boolean): Promise<string[]> {
    const ns = ctx.canary.metadata.namespace!;
    const names = namesOf(ctx.spec);
    const owner = ownerOf(ctx.canary);
    const drift: string[] = [];
    // The apex Service moves to the primary only once the primary is ready (never a gap for users).
    const apexSelectsTarget =
      reverting || (PHASES_WITH_PRIMARY_TRAFFIC.has(ctx.status.phase) && !ctx.primaryReady);
    for (const svc of buildServices({
      service: ctx.spec.service,
      names,
      target: ctx.target,
      selectorLabel: ctx.selectorLabel,
      owner,
      apexSelectsTarget,
      baseline: hasBaseline(ctx.spec),
    })) {
      const live = this.caches.services.get(svc.metadata!.name!, ns);
      // A Service the user created is never owned or retyped: only its selector is set.
      const desired = live && !isManaged(live) ? serviceSelectorOnly(svc) : svc;
      drift.push(...(await this.applyIfChanged(ctx, desired, live)));
    }
    if (!reverting) {
      drift.push(...(await this.setRoutes(ctx, recordedRoutes(ctx.spec, ctx.status))));
      await this.retireRoute(ctx);
    }
    if (names.hpa) {
      const hpa = this.caches.hpas.get(names.hpa, ns);
      if (hpa) {
        const desired = buildPrimaryHpa(hpa, owner);
        drift.push(
          ...(await this.applyIfChanged(ctx, desired, this.caches.hpas.get(desired.metadata!.name!, ns))),
        );
      }
    }
    if (!reverting) drift.push(...(await this.keepBaseline(ctx)));
    if (!reverting && this.targetIsPromoted(ctx)) {
      const primary = this.caches.deployments.get(names.primary, ns);
      if (primary) drift.push(...(await this.writePrimary(ctx, primary.spec?.replicas)));
    }
    return drift;
  }

  /**
   * The baseline as the recorded phase implies: at the canary's size while a release analyses, at 0 outside
   * a release. Left alone while promoting, when the primary's template changes under it.
   */
  private async keepBaseline(ctx: ApplyContext): Promise<string[]> {
    const phase = ctx.status.phase;
    if (!hasBaseline(ctx.spec) || !phase || !BASELINE_KEPT_PHASES.has(phase)) return [];
    const ns = ctx.canary.metadata.namespace!;
    const primary = this.caches.deployments.get(namesOf(ctx.spec).primary, ns);
    const replicas = BASELINE_RUNS_PHASES.has(phase)
      ? (ctx.status.canaryReplicas ?? Math.max(primary?.spec?.replicas ?? 1, 1))
      : 0;
    const baseline = baselineObject(ctx, this.caches, ownerOf(ctx.canary), replicas);
    return baseline ? this.applyIfChanged(ctx, baseline.desired, baseline.live) : [];
  }

  /** Between releases the target holds the promoted revision, so the primary can be rebuilt from it. */
  private targetIsPromoted(ctx: ApplyContext): boolean {
    const phase = ctx.status.phase;
    if (!phase || phase === 'Initializing' || phase === 'Terminating' || phase === 'Terminated') return false;
    return (
      templateHash(ctx.target) === ctx.status.lastPromotedSpec &&
      sameConfigs(ctx.configs, ctx.status.promotedConfigs)
    );
  }

  /**
   * Writes the canary routes (canary Ingress, HTTPRoute, or both while migrating). A route its Gateway has
   * not accepted gets no canary traffic yet; an HTTPRoute someone else owns is never written.
   */
  async setRoutes(ctx: ApplyContext, routes: Routes): Promise<string[]> {
    const options = { prefix: this.prefix, ingressClass: this.ingressClass };
    const namespace = ctx.canary.metadata.namespace!;
    const drift: string[] = [];
    for (const router of activeRouters(ctx.spec, ctx.status, options)) {
      const live = liveRoute(router, this.caches, ctx.spec, namespace);
      if (live && router.routeKind === 'gateway' && !ownedRoute(live, ctx.canary)) continue;
      const accepted = router.readiness(live, ctx.spec, namespace)?.ready ?? true;
      const desired = router.build({
        spec: ctx.spec,
        namespace,
        owner: ownerOf(ctx.canary),
        routes: accepted ? routes : { weight: 0, match: false },
        source: ctx.ingress,
        revision: ctx.status.revision,
      });
      if (desired) drift.push(...(await this.applyIfChanged(ctx, desired, live, router.weightAnnotation)));
    }
    return drift;
  }

  /** Deletes the route a finished migration left behind (only if this Canary owns it). */
  private async retireRoute(ctx: ApplyContext): Promise<void> {
    const kind = retiredRouteKind(ctx.spec, ctx.status);
    if (!kind) return;
    const router = routerOfKind(kind, { prefix: this.prefix });
    const live = liveRoute(router, this.caches, ctx.spec, ctx.canary.metadata.namespace!);
    if (!live || !ownedRoute(live, ctx.canary)) return;
    await ctx.fence();
    await this.writer.delete(live);
  }

  /** Copies the tracked ConfigMaps/Secrets as `<name>-primary` and the target's template to the primary. */
  private async writePrimary(ctx: ApplyContext, replicas: number | undefined): Promise<string[]> {
    const drift: string[] = [];
    for (const { desired, live } of primaryObjects(ctx, this.caches, ownerOf(ctx.canary), replicas))
      drift.push(...(await this.applyIfChanged(ctx, desired, live)));
    return drift;
  }

  async execute(ctx: ApplyContext, action: Action): Promise<string[]> {
    const ns = ctx.canary.metadata.namespace!;
    const names = namesOf(ctx.spec);
    switch (action.type) {
      case 'initPrimary': {
        const existing = this.caches.deployments.get(names.primary, ns);
        // Once the primary exists its template only changes by promotion.
        if (!existing) return this.writePrimary(ctx, Math.max(ctx.target.spec?.replicas ?? 1, 1));
        return [];
      }
      case 'promote': {
        // Only exactly the analysed revision reaches the primary; a target that moved on is left alone
        // (the engine restarts the analysis for it on its next pass).
        if (templateHash(ctx.target) !== action.templateHash || !sameConfigs(ctx.configs, action.configs))
          return [];
        const primary = this.caches.deployments.get(names.primary, ns);
        const replicas =
          (ctx.target.spec?.replicas ?? 0) > 0 ? ctx.target.spec!.replicas! : (primary?.spec?.replicas ?? 1);
        return this.writePrimary(ctx, replicas);
      }
      case 'scaleTarget':
        if ((ctx.target.spec?.replicas ?? 1) !== action.replicas)
          await this.scale(ctx, ctx.target, action.replicas);
        return [];
      case 'scaleBaseline': {
        const baseline = baselineObject(ctx, this.caches, ownerOf(ctx.canary), action.replicas);
        return baseline ? this.applyIfChanged(ctx, baseline.desired, baseline.live) : [];
      }
      case 'setWeight':
        return this.setRoutes(ctx, {
          weight: action.weight,
          match: action.match,
          ...(action.rules ? { rules: action.rules } : {}),
        });
      case 'revertOnDeletion': {
        const primary = this.caches.deployments.get(names.primary, ns);
        const replicas = Math.max(primary?.spec?.replicas ?? 1, 1);
        if ((ctx.target.spec?.replicas ?? 0) !== replicas) await this.scale(ctx, ctx.target, replicas);
        await this.ensureInfra(ctx, true);
        await this.setRoutes(ctx, { weight: 0, match: false });
        return [];
      }
      case 'removeFinalizer':
        return []; // handled by the reconciler: not an object write
    }
  }
}

function isManaged(obj: V1Service): boolean {
  return obj.metadata?.labels?.[MANAGED_BY_LABEL] === 'kanaria';
}
