/** Types of the kanaria.dev/v1beta1 API. Field names follow Flagger's Canary v1beta1 where they apply. */

import type { JudgeSpec, MetricComparison } from './analysis.ts';
import type { ReleaseStep } from './steps.ts';
import type { CanaryStatus, Condition } from './status-types.ts';

export * from './status-types.ts';

export const GROUP = 'kanaria.dev';
export const VERSION = 'v1beta1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string | Date;
  creationTimestamp?: string | Date;
}

export interface LocalObjectReference {
  apiVersion?: string;
  kind?: string;
  name: string;
}

export interface CrossNamespaceObjectReference extends LocalObjectReference {
  namespace?: string;
}

export interface LabelsAnnotations {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Gateway the HTTPRoute attaches to (a parentRef of provider gatewayapi:v1). */
export interface GatewayRef {
  name: string;
  /** The Canary's namespace when empty. */
  namespace?: string;
  /** One listener of the Gateway; all of them when empty. */
  sectionName?: string;
}

export interface CanaryService {
  name?: string;
  port: number;
  portName?: string;
  targetPort?: number | string;
  portDiscovery?: boolean;
  appProtocol?: string;
  apex?: LabelsAnnotations;
  primary?: LabelsAnnotations;
  canary?: LabelsAnnotations;
  /** gatewayapi:v1: the Gateways the HTTPRoute attaches to (its parentRefs). */
  gatewayRefs?: GatewayRef[];
  /** gatewayapi:v1: the HTTPRoute's hostnames. */
  hosts?: string[];
  /** gatewayapi:v1: request timeout of the HTTPRoute's rules, e.g. 15s. */
  timeout?: string;
}

export interface StringMatch {
  exact?: string;
  regex?: string;
  prefix?: string;
  suffix?: string;
}

export interface HttpMatch {
  headers?: Record<string, StringMatch>;
  /** gatewayapi:v1 only: query parameter conditions. */
  queryParams?: Record<string, StringMatch>;
}

export interface ThresholdRange {
  min?: number;
  max?: number;
}

export interface CanaryMetric {
  name: string;
  interval?: string;
  threshold?: number;
  thresholdRange?: ThresholdRange;
  query?: string;
  templateRef?: CrossNamespaceObjectReference;
  templateVariables?: Record<string, string>;
  /** Shown after the metric's values in status, events, alerts and the report, e.g. ms or %. */
  unit?: string;
  /** Judge the canary's series against the primary's (analysis.judge) instead of a fixed range. */
  compare?: MetricComparison;
}

export const HOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const;
export type HookType = (typeof HOOK_TYPES)[number];

export interface CanaryWebhook {
  name: string;
  type?: HookType;
  url: string;
  timeout?: string;
  retries?: number;
  metadata?: Record<string, string>;
  muteAlert?: boolean;
}

export type AlertSeverity = 'info' | 'warn' | 'error';

export interface CanaryAlert {
  name: string;
  severity?: AlertSeverity | '';
  providerRef: CrossNamespaceObjectReference;
  /** Slack user IDs who may approve or roll back this Canary's waiting releases (slack providers only). */
  approvers?: string[];
}

export interface ReleaseWindow {
  /** Cron expression (5 fields) for when the window opens. */
  schedule: string;
  /** How long the window stays open, e.g. 8h or 30m. */
  duration: string;
  /** IANA time zone the schedule is read in; UTC when empty. */
  timeZone?: string;
  /** allow: releases start only inside; deny: releases never start inside. */
  kind?: 'allow' | 'deny';
}

export interface CanaryAnalysis {
  interval: string;
  threshold?: number;
  maxWeight?: number;
  stepWeight?: number;
  stepWeights?: number[];
  stepWeightPromotion?: number;
  iterations?: number;
  match?: HttpMatch[];
  /** A release as an ordered list of steps, instead of stepWeight/stepWeights (see steps.ts). */
  steps?: ReleaseStep[];
  primaryReadyThreshold?: number;
  canaryReadyThreshold?: number;
  metrics?: CanaryMetric[];
  webhooks?: CanaryWebhook[];
  alerts?: CanaryAlert[];
  windows?: ReleaseWindow[];
  observedSplit?: ObservedSplitSpec;
  /** gatewayapi:v1: a user the canary answered gets a cookie that keeps them on it for the release. */
  sessionAffinity?: SessionAffinity;
  /** How compared metrics (metrics[].compare) are sampled and scored. */
  judge?: JudgeSpec;
}

/** Flagger's field: the cookie the canary sets, and how long it lives. */
export interface SessionAffinity {
  cookieName: string;
  /** Seconds; default 86400. */
  maxAge?: number;
}

/**
 * The observed-split check: after each weight step Kanaria counts, from the data plane's series, the share of
 * the app's requests that reached the canary, and halts the release when it is statistically incompatible
 * with the weight for `intervals` intervals in a row.
 */
export interface ObservedSplitSpec {
  /** On by default wherever the built-in metrics' Prometheus is known. */
  enabled?: boolean;
  /** Chance that one interval of a correctly routed canary is judged incompatible; default 0.001. */
  falseAlarmRate?: number;
  /** Consecutive incompatible intervals that halt the release; default 2. */
  intervals?: number;
  /** Intervals with fewer requests are not judged; default 50. */
  minRequests?: number;
}

/**
 * The controllers that can serve the Ingress's nginx.ingress.kubernetes.io annotations: ingress-nginx itself,
 * or Traefik's ingress-nginx compatibility provider (`kubernetesIngressNGINX`). They route alike; they differ in
 * the Prometheus series the built-in metrics read.
 */
export const INGRESS_CONTROLLERS = ['ingress-nginx', 'traefik'] as const;
export type IngressController = (typeof INGRESS_CONTROLLERS)[number];

/** Traffic providers, by Flagger's names: the ingress-nginx canary Ingress, or a Gateway API HTTPRoute. */
export const PROVIDERS = ['nginx', 'gatewayapi:v1'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const GATEWAY_API_PROVIDER = 'gatewayapi:v1';

export interface CanarySpec {
  provider?: string;
  metricsServer?: string;
  /** Which controller serves the Ingress, so which series the built-in metrics read; ingress-nginx when unset. */
  ingressController?: IngressController;
  targetRef: LocalObjectReference;
  ingressRef?: LocalObjectReference;
  autoscalerRef?: LocalObjectReference;
  service: CanaryService;
  analysis: CanaryAnalysis;
  progressDeadlineSeconds?: number;
  skipAnalysis?: boolean;
  suspend?: boolean;
  revertOnDeletion?: boolean;
  /** Moving between providers (see src/router/migration.ts). */
  migration?: MigrationSpec;
}

export interface MigrationSpec {
  /** How long the old route must count no request before it is removed; default 10m. */
  idleFor?: string;
}

export interface Canary {
  apiVersion: typeof API_VERSION;
  kind: 'Canary';
  metadata: ObjectMeta;
  spec: CanarySpec;
  status?: CanaryStatus;
}

export interface SecretReference {
  name: string;
}

export const METRIC_PROVIDER_TYPES = ['prometheus', 'datadog', 'newrelic', 'graphite', 'influxdb'] as const;
export type MetricProviderType = (typeof METRIC_PROVIDER_TYPES)[number];

export interface MetricTemplateProvider {
  type: MetricProviderType;
  /** API address of the provider; for prometheus the Canary's metricsServer is used when empty. */
  address?: string;
  /** Secret holding the provider's credentials (keys depend on the provider type). */
  secretRef?: SecretReference;
  /** Extra HTTP headers sent with each query, as in Flagger (a header may carry several values). */
  headers?: Record<string, string[]>;
  insecureSkipVerify?: boolean;
}

export interface MetricTemplateSpec {
  provider: MetricTemplateProvider;
  /** Query text; Go-template style variables such as {{ namespace }} and {{ interval }} are filled in. */
  query: string;
}

/** Status of MetricTemplate and AlertProvider objects. */
export interface ResourceStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface MetricTemplate {
  apiVersion: typeof API_VERSION;
  kind: 'MetricTemplate';
  metadata: ObjectMeta;
  spec: MetricTemplateSpec;
  status?: ResourceStatus;
}

export const ALERT_PROVIDER_TYPES = ['slack', 'msteams', 'discord', 'googlechat', 'webhook'] as const;
export type AlertProviderType = (typeof ALERT_PROVIDER_TYPES)[number];

export interface AlertProviderSpec {
  type: AlertProviderType;
  /** Webhook URL of the provider; taken from the Secret's `address` key when secretRef is set. */
  address?: string;
  /** Secret whose `address` key holds the webhook URL. */
  secretRef?: SecretReference;
  channel?: string;
  username?: string;
  /** HTTP(S) proxy URL used to reach the provider. */
  proxy?: string;
  /** Cluster name shown in the messages. */
  cluster?: string;
  /** Slack user IDs who may approve or roll back, from Slack, releases alerting through it (type slack only). */
  approvers?: string[];
}

export interface AlertProvider {
  apiVersion: typeof API_VERSION;
  kind: 'AlertProvider';
  metadata: ObjectMeta;
  spec: AlertProviderSpec;
  status?: ResourceStatus;
}
