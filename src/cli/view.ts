/**
 * What `kanaria get canary` shows, as plain data, and how it is built from the Canary and the
 * objects it owns. Pure: the objects and the time are inputs.
 */
import type { Canary, ObservedSplit } from '../api/types.ts';
import { maxWeightOf, stepOf, strategyOf } from '../engine/schedule.ts';
import { stepViews, type StepView } from './steps-view.ts';
import type { V1Deployment, V1Ingress, V1Service, V2HorizontalPodAutoscaler } from '../kube/types.ts';
import type { HTTPRoute } from '../router/httproute-types.ts';
import { httpRouteInfo, migrationOf } from './route-view.ts';
import { describeGateRecord } from '../gate/record.ts';
import { GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION } from '../resources/meta.ts';
import { DECISION_ANNOTATION, describeDecisionRecord } from '../gate/approval.ts';
import { namesOf } from '../resources/names.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../router/nginx.ts';
import { analysisViewOf, type AnalysisView } from './analysis-table.ts';
import { formatAge, formatTime } from './text.ts';

export { formatAge, formatTime } from './text.ts';

/** How a status reads at a glance; the renderer picks a symbol (and a colour) for it. */
export type Tone = 'ok' | 'progress' | 'paused' | 'failed' | 'idle';

export interface ResourceView {
  kind: string;
  name: string;
  tone?: Tone;
  status?: string;
  info?: string;
  children?: ResourceView[];
}

export interface EventView {
  type: string;
  reason: string;
  age: string;
  message: string;
}

export interface CanaryView {
  name: string;
  namespace: string;
  /** status.phase; `Unknown` before the controller wrote one. */
  phase: string;
  message?: string;
  suspended: boolean;
  strategy: 'canary' | 'ab' | 'bluegreen' | 'steps';
  /** analysis.steps, the one in force marked. */
  steps?: StepView[];
  /** Step of the weight schedule (canary strategy) or of analysis.steps. */
  step: { step: number; steps: number };
  /** Analysis iterations (A/B and Blue/Green). */
  iterations?: { done: number; total: number };
  weight: number;
  maxWeight: number;
  /** What the data plane did with the last interval's requests (status.observedSplit), as one line. */
  observed?: string;
  /** A move between providers (status.migration), as one line. */
  migration?: string;
  failedChecks: number;
  threshold: number;
  revision?: string;
  /** The gate API's records on the Canary: who opened or closed which gate, for which revision, when. */
  gates: { gate: 'confirm' | 'rollback' | 'decision'; record: string }[];
  /** `<time> (<age> ago)`. */
  lastTransition?: string;
  images: { image: string; role: 'stable' | 'canary' }[];
  /** The last events, oldest first. */
  events: EventView[];
  /** The objects the Canary owns or points at (the root is the Canary itself). */
  resources: ResourceView[];
  /** The latest analysis interval, per metric (status.analysis); absent before the first one. */
  analysis?: AnalysisView;
}

/** The fields of an events.k8s.io/v1 Event the view uses. */
export interface EventInput {
  type?: string;
  reason?: string;
  note?: string;
  eventTime?: Date | string;
  deprecatedLastTimestamp?: Date | string;
  series?: { count?: number; lastObservedTime?: Date | string };
  metadata?: { resourceVersion?: string; creationTimestamp?: Date | string };
}

export interface CanaryObjects {
  canary: Canary;
  primary?: V1Deployment;
  target?: V1Deployment;
  /** The Services found among apex, primary and canary. */
  services: V1Service[];
  canaryIngress?: V1Ingress;
  /** gatewayapi:v1: the HTTPRoute named after the apex Service. */
  httpRoute?: HTTPRoute;
  primaryHpa?: V2HorizontalPodAutoscaler;
  /** The ConfigMap/Secret copies the Canary owns. */
  configs: { kind: 'ConfigMap' | 'Secret'; name: string }[];
  events: EventInput[];
}

export const EVENTS_SHOWN = 5;

function timeOf(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The last `count` events in the order the API server stored them (resourceVersions of one etcd only grow). */
export function lastEvents(events: EventInput[], now: number, count = EVENTS_SHOWN): EventView[] {
  const rv = (e: EventInput) => BigInt(e.metadata?.resourceVersion ?? '0');
  return [...events]
    .sort((a, b) => {
      const x = rv(a);
      const y = rv(b);
      return x < y ? -1 : x > y ? 1 : 0;
    })
    .slice(-count)
    .map((e) => {
      const at = timeOf(
        e.series?.lastObservedTime ??
          e.eventTime ??
          e.deprecatedLastTimestamp ??
          e.metadata?.creationTimestamp,
      );
      const repeated = (e.series?.count ?? 1) > 1 ? ` (x${e.series?.count})` : '';
      return {
        type: e.type ?? '',
        reason: e.reason ?? '',
        age: at === undefined ? '' : formatAge(now - at),
        message: `${e.note ?? ''}${repeated}`,
      };
    });
}

function imagesOf(dep: V1Deployment | undefined): string[] {
  return (dep?.spec?.template.spec?.containers ?? []).map((c) => c.image ?? '');
}

function deploymentView(dep: V1Deployment | undefined, name: string, role: string): ResourceView {
  if (!dep) return { kind: 'Deployment', name, tone: 'failed', status: 'Missing', info: role };
  const replicas = dep.spec?.replicas ?? 1;
  const st = dep.status ?? {};
  const ready = st.readyReplicas ?? 0;
  const info = `${role}, ${ready}/${replicas} ready`;
  if (replicas === 0 && (st.replicas ?? 0) === 0)
    return { kind: 'Deployment', name, tone: 'idle', status: 'ScaledDown', info };
  const rolledOut =
    (st.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 0) &&
    (st.updatedReplicas ?? 0) >= replicas &&
    (st.replicas ?? 0) <= replicas &&
    ready >= replicas;
  return rolledOut
    ? { kind: 'Deployment', name, tone: 'ok', status: 'Ready', info }
    : { kind: 'Deployment', name, tone: 'progress', status: 'Progressing', info };
}

function serviceView(svc: V1Service, role: string): ResourceView {
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    kind: 'Service',
    name: svc.metadata?.name ?? '',
    info: `${role}${selector ? `, ${selector}` : ''}`,
  };
}

function ingressView(ing: V1Ingress, prefix: string): ResourceView {
  const a = ing.metadata?.annotations ?? {};
  const parts = [`canary-weight=${a[`${prefix}/canary-weight`] ?? '0'}`];
  for (const k of [
    'canary-by-header',
    'canary-by-header-value',
    'canary-by-header-pattern',
    'canary-by-cookie',
  ])
    if (a[`${prefix}/${k}`] !== undefined) parts.push(`${k}=${a[`${prefix}/${k}`]}`);
  return { kind: 'Ingress', name: ing.metadata?.name ?? '', info: `canary, ${parts.join(' ')}` };
}

export function phaseTone(phase: string): Tone | undefined {
  switch (phase) {
    case 'Succeeded':
    case 'Initialized':
      return 'ok';
    case 'Initializing':
    case 'Progressing':
    case 'Promoting':
    case 'Finalising':
    case 'Terminating':
      return 'progress';
    case 'Waiting':
    case 'WaitingPromotion':
      return 'paused';
    case 'Failed':
      return 'failed';
    case 'Terminated':
      return 'idle';
    default:
      return undefined;
  }
}

function gatesOf(canary: Canary): CanaryView['gates'] {
  const annotations = canary.metadata.annotations ?? {};
  const gates: CanaryView['gates'] = [];
  for (const [gate, key] of [
    ['confirm', GATE_ANNOTATION],
    ['rollback', ROLLBACK_GATE_ANNOTATION],
  ] as const) {
    const record = describeGateRecord(annotations[key], canary.status?.revision);
    if (record) gates.push({ gate, record });
  }
  const decision = describeDecisionRecord(annotations[DECISION_ANNOTATION], canary.status?.revision);
  if (decision) gates.push({ gate: 'decision', record: decision });
  return gates;
}

export function buildCanaryView(
  objects: CanaryObjects,
  now: number,
  ingressAnnotationPrefix = DEFAULT_ANNOTATION_PREFIX,
): CanaryView {
  const { canary, primary, target } = objects;
  const spec = canary.spec;
  const status = canary.status ?? {};
  const analysis = spec.analysis;
  const names = namesOf(spec);
  const strategy = strategyOf(analysis);
  const weight = status.canaryWeight ?? 0;
  const phase = status.phase ?? 'Unknown';
  const transition = timeOf(status.lastTransitionTime);

  const images: CanaryView['images'] = imagesOf(primary).map((image) => ({ image, role: 'stable' }));
  if ((target?.spec?.replicas ?? 0) > 0)
    for (const image of imagesOf(target)) images.push({ image, role: 'canary' });

  const primaryNode = deploymentView(primary, names.primary, 'primary');
  primaryNode.children = objects.configs.map((c) => ({ kind: c.kind, name: c.name, info: 'primary copy' }));
  const resources: ResourceView[] = [primaryNode, deploymentView(target, names.target, 'canary')];
  const roles: [string, string][] = [
    [names.apex, 'apex'],
    [names.primaryService, 'primary'],
    [names.canaryService, 'canary'],
  ];
  for (const [svcName, role] of roles) {
    const svc = objects.services.find((s) => s.metadata?.name === svcName);
    if (svc) resources.push(serviceView(svc, role));
  }
  if (objects.canaryIngress) resources.push(ingressView(objects.canaryIngress, ingressAnnotationPrefix));
  if (objects.httpRoute)
    resources.push({ kind: 'HTTPRoute', name: names.apex, info: httpRouteInfo(objects.httpRoute, canary) });
  if (objects.primaryHpa) {
    const h = objects.primaryHpa;
    resources.push({
      kind: 'HorizontalPodAutoscaler',
      name: h.metadata?.name ?? '',
      info: `primary, ${h.spec?.minReplicas ?? 1}-${h.spec?.maxReplicas} replicas, now ${h.status?.currentReplicas ?? 0}`,
    });
  }

  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? '',
    phase,
    message: status.message,
    suspended: spec.suspend === true,
    strategy,
    step: stepOf(weight, analysis, status.currentStep),
    steps: stepViews(canary),
    iterations:
      strategy === 'canary' || strategy === 'steps'
        ? undefined
        : { done: status.iterations ?? 0, total: analysis.iterations ?? 0 },
    weight,
    maxWeight: strategy === 'bluegreen' ? 100 : maxWeightOf(analysis),
    observed: observedSplitOf(status.observedSplit, now),
    migration: migrationOf(status.migration),
    failedChecks: status.failedChecks ?? 0,
    threshold: analysis.threshold ?? 1,
    revision: status.revision,
    gates: gatesOf(canary),
    lastTransition:
      transition === undefined ? undefined : `${formatTime(transition)} (${formatAge(now - transition)} ago)`,
    images,
    events: lastEvents(objects.events, now),
    resources,
    analysis: analysisViewOf(canary, now),
  };
}

/** "19.6% of 1,240 requests at weight 20 (12s ago)", with the verdict when the split was off. */
export function observedSplitOf(split: ObservedSplit | undefined, now: number): string | undefined {
  if (!split) return undefined;
  const at = timeOf(split.at);
  const age = at === undefined ? '' : ` (${formatAge(now - at)} ago)`;
  const base = `${split.share.toFixed(1)}% of ${split.requests.toLocaleString('en-US')} requests at weight ${split.weight}${age}`;
  if (split.pValue === undefined) return `${base}, too few to judge`;
  return split.incompatibleIntervals > 0
    ? `${base}, incompatible with the weight ${split.incompatibleIntervals}x in a row`
    : base;
}
