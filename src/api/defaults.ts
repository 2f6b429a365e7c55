/**
 * Defaults of the Canary spec, applied by `withDefaults` to a copy (the stored object keeps what the user
 * wrote). Flagger's documented defaults are kept where Flagger has one:
 *
 *   spec.provider                        'nginx' (the only traffic provider)
 *   spec.ingressController               'ingress-nginx' (the built-in metrics read ingress-nginx's series)
 *   spec.progressDeadlineSeconds         600 (Flagger)
 *   spec.skipAnalysis / suspend / revertOnDeletion   false
 *   spec.targetRef                       apiVersion 'apps/v1', kind 'Deployment'
 *   spec.ingressRef                      apiVersion 'networking.k8s.io/v1', kind 'Ingress'
 *   spec.autoscalerRef                   apiVersion 'autoscaling/v2', kind 'HorizontalPodAutoscaler'
 *   spec.service.name                    spec.targetRef.name (Flagger)
 *   spec.service.portName                'http' (Flagger)
 *   spec.service.targetPort              spec.service.port (Flagger)
 *   spec.service.portDiscovery           false
 *   analysis.interval                    '1m' when empty (Flagger uses 60s); the schema requires it anyway
 *   analysis.threshold                   1 (Flagger)
 *   analysis.iterations                  0 (no A/B or Blue/Green iterations: weight-based canary)
 *   analysis.stepWeights                 left as given; when set, the last entry is the highest weight
 *   analysis.maxWeight                   the highest setWeight of steps, the last of stepWeights, else 100 (Flagger)
 *   analysis.stepWeight                  10 when none of stepWeights, steps, iterations is set; otherwise unset
 *   analysis.stepWeightPromotion         unset (the primary takes all traffic in one step)
 *   analysis.primaryReadyThreshold       100 (Flagger)
 *   analysis.canaryReadyThreshold        100 (Flagger)
 *   analysis.match/metrics/webhooks/alerts/windows   [] when absent
 *   metric.interval                      '1m' (Flagger)
 *   metric.thresholdRange                from the deprecated `threshold` when no range is given, as Flagger
 *                                        reads it: a minimum for request-success-rate, a maximum otherwise
 *   webhook.type                         'rollout' (Flagger)
 *   webhook.timeout                      '60s'
 *   webhook.retries                      0
 *   webhook.muteAlert                    false
 *   alert.severity                       'info' when absent or '' (Flagger)
 *   window.timeZone                      'UTC'
 *   window.kind                          'allow'
 */
import { topStepWeight } from './steps.ts';
import type {
  AlertSeverity,
  CanaryAlert,
  CanaryAnalysis,
  CanaryMetric,
  CanaryService,
  CanarySpec,
  CanaryWebhook,
  HookType,
  HttpMatch,
  IngressController,
  LocalObjectReference,
  ReleaseWindow,
} from './types.ts';

export { formatDuration, isPositiveDuration, parseDuration } from './duration.ts';

export const DEFAULT_PROVIDER = 'nginx';
export const DEFAULT_INGRESS_CONTROLLER: IngressController = 'ingress-nginx';
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_INTERVAL = '1m';
export const DEFAULT_THRESHOLD = 1;
export const DEFAULT_MAX_WEIGHT = 100;
export const DEFAULT_STEP_WEIGHT = 10;
export const DEFAULT_READY_THRESHOLD = 100;
export const DEFAULT_PORT_NAME = 'http';
export const DEFAULT_METRIC_INTERVAL = '1m';
export const DEFAULT_WEBHOOK_TYPE: HookType = 'rollout';
export const DEFAULT_WEBHOOK_TIMEOUT = '60s';
export const DEFAULT_SEVERITY: AlertSeverity = 'info';
export const DEFAULT_TIME_ZONE = 'UTC';

type Ref = LocalObjectReference & Required<Pick<LocalObjectReference, 'apiVersion' | 'kind'>>;

export type DefaultedMetric = CanaryMetric & Required<Pick<CanaryMetric, 'interval'>>;
export type DefaultedWebhook = CanaryWebhook &
  Required<Pick<CanaryWebhook, 'type' | 'timeout' | 'retries' | 'muteAlert'>>;
export type DefaultedAlert = CanaryAlert & { severity: AlertSeverity };
export type DefaultedWindow = ReleaseWindow & Required<Pick<ReleaseWindow, 'timeZone' | 'kind'>>;

export type DefaultedAnalysis = CanaryAnalysis &
  Required<
    Pick<
      CanaryAnalysis,
      'threshold' | 'maxWeight' | 'iterations' | 'primaryReadyThreshold' | 'canaryReadyThreshold'
    >
  > & {
    match: HttpMatch[];
    metrics: DefaultedMetric[];
    webhooks: DefaultedWebhook[];
    alerts: DefaultedAlert[];
    windows: DefaultedWindow[];
  };

export type DefaultedService = CanaryService &
  Required<Pick<CanaryService, 'name' | 'portName' | 'targetPort' | 'portDiscovery'>>;

export type DefaultedCanarySpec = CanarySpec &
  Required<
    Pick<
      CanarySpec,
      | 'provider'
      | 'ingressController'
      | 'progressDeadlineSeconds'
      | 'skipAnalysis'
      | 'suspend'
      | 'revertOnDeletion'
    >
  > & {
    targetRef: Ref;
    ingressRef?: Ref;
    autoscalerRef?: Ref;
    service: DefaultedService;
    analysis: DefaultedAnalysis;
  };

function ref(r: LocalObjectReference, apiVersion: string, kind: string): Ref {
  return { ...r, apiVersion: r.apiVersion || apiVersion, kind: r.kind || kind };
}

function metricDefaults(m: CanaryMetric): DefaultedMetric {
  const out: DefaultedMetric = { ...m, interval: m.interval || DEFAULT_METRIC_INTERVAL };
  if (!m.thresholdRange && m.threshold !== undefined) {
    out.thresholdRange = m.name === 'request-success-rate' ? { min: m.threshold } : { max: m.threshold };
  }
  return out;
}

function webhookDefaults(h: CanaryWebhook): DefaultedWebhook {
  return {
    ...h,
    type: h.type || DEFAULT_WEBHOOK_TYPE,
    timeout: h.timeout || DEFAULT_WEBHOOK_TIMEOUT,
    retries: h.retries ?? 0,
    muteAlert: h.muteAlert ?? false,
  };
}

function analysisDefaults(a: CanaryAnalysis): DefaultedAnalysis {
  const stepWeights = a.stepWeights && a.stepWeights.length > 0 ? a.stepWeights : undefined;
  const steps = a.steps && a.steps.length > 0 ? a.steps : undefined;
  const iterations = a.iterations ?? 0;
  const out: DefaultedAnalysis = {
    ...a,
    interval: a.interval || DEFAULT_INTERVAL,
    threshold: a.threshold ?? DEFAULT_THRESHOLD,
    maxWeight:
      a.maxWeight ??
      (steps ? topStepWeight(steps) : stepWeights ? stepWeights[stepWeights.length - 1] : DEFAULT_MAX_WEIGHT),
    iterations,
    primaryReadyThreshold: a.primaryReadyThreshold ?? DEFAULT_READY_THRESHOLD,
    canaryReadyThreshold: a.canaryReadyThreshold ?? DEFAULT_READY_THRESHOLD,
    match: a.match ?? [],
    metrics: (a.metrics ?? []).map(metricDefaults),
    webhooks: (a.webhooks ?? []).map(webhookDefaults),
    alerts: (a.alerts ?? []).map((al) => ({ ...al, severity: al.severity || DEFAULT_SEVERITY })),
    windows: (a.windows ?? []).map((w) => ({
      ...w,
      timeZone: w.timeZone || DEFAULT_TIME_ZONE,
      kind: w.kind ?? 'allow',
    })),
  };
  if (out.stepWeight === undefined && !stepWeights && !steps && iterations === 0)
    out.stepWeight = DEFAULT_STEP_WEIGHT;
  return out;
}

/** A fully defaulted deep copy of `spec` (see the table at the top of this file); `spec` is not changed. */
export function withDefaults(spec: CanarySpec): DefaultedCanarySpec {
  const s = structuredClone(spec);
  // Tolerates a spec the schema would reject, so callers can default before (or regardless of) validation.
  const targetRef = s.targetRef ?? { name: '' };
  const service = s.service ?? ({} as CanaryService);
  const { ingressRef, autoscalerRef, ...rest } = s;
  const out: DefaultedCanarySpec = {
    ...rest,
    provider: s.provider || DEFAULT_PROVIDER,
    ingressController: s.ingressController || DEFAULT_INGRESS_CONTROLLER,
    progressDeadlineSeconds: s.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
    skipAnalysis: s.skipAnalysis ?? false,
    suspend: s.suspend ?? false,
    revertOnDeletion: s.revertOnDeletion ?? false,
    targetRef: ref(targetRef, 'apps/v1', 'Deployment'),
    service: {
      ...service,
      name: service.name || targetRef.name,
      portName: service.portName || DEFAULT_PORT_NAME,
      targetPort: service.targetPort ?? service.port,
      portDiscovery: service.portDiscovery ?? false,
    },
    analysis: analysisDefaults(s.analysis ?? ({} as CanaryAnalysis)),
  };
  if (ingressRef) out.ingressRef = ref(ingressRef, 'networking.k8s.io/v1', 'Ingress');
  if (autoscalerRef) out.autoscalerRef = ref(autoscalerRef, 'autoscaling/v2', 'HorizontalPodAutoscaler');
  return out;
}
