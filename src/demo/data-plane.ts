/**
 * What serves and counts the demo's traffic: a real Traefik in front of the pod runner's processes
 * (./traefik-plane.ts), or the SIMULATED ingress-nginx in front of two test backends
 * (./simulated-plane.ts). The scenario (./run.ts) only uses this interface.
 */
import type { CanarySpec } from '../api/types.ts';
import type { Kube } from '../kube/client.ts';
import type { Resources } from './resources.ts';

export type DataPlaneKind = 'traefik' | 'simulated';

/** User requests that reached each version (totals never go down), and the 5xx answers each gave. */
export interface TrafficCounts {
  primary: number;
  canary: number;
  primaryErrors: number;
  canaryErrors: number;
  /** Requests that reached the canary directly (the webhooks'), where the data plane tells them apart. */
  canaryDirect?: number;
}

export interface DemoDataPlane {
  kind: DataPlaneKind;
  prometheusUrl: string;
  loadTesterUrl: string;
  /** The canary as the webhooks reach it. */
  canaryUrl: string;
  /** Merged over the demo Canary's spec (e.g. which ingress controller's series to read). */
  canarySpec: Partial<CanarySpec>;
  /** `minReadySeconds` of the example Deployment; undefined keeps the example's. */
  minReadySeconds?: number;
  /** Who counted the requests, for the summary, e.g. "the pods' own counters". */
  countedBy: string;
  /** Starts the user traffic, once the app and the operator run; returns what it is, to be said. */
  startTraffic(): Promise<string>;
  /** The latest counts, for the live header (which is drawn synchronously). */
  counts(): TrafficCounts;
  /** The counts now. */
  countNow(): Promise<TrafficCounts>;
  /** Starts a release of image tag `to`; with `errorRate`, a bad one. Returns what it did, to be said. */
  release(to: string, errorRate?: number): Promise<string>;
  /** The canary Ingress's weight as a release goes; returns something to say, if anything. */
  weightChanged(weight: number): string | undefined;
  /** A release ended (a simulated fault injection is switched off). */
  releaseDone(): void;
  /** Resolves true once the data plane itself routes by weight 0, false after `timeoutMs`. */
  routesWeightZero(timeoutMs: number): Promise<boolean>;
  /** Lines for the summary about the traffic as the sender saw it. */
  summaryLines(): string[];
  /** How to reach the app and the data plane while they keep running (--keep). */
  reachHints(): string[];
}

export interface PlaneContext {
  kube: Kube;
  kubeconfig: string;
  namespace: string;
  resources: Resources;
  env: NodeJS.ProcessEnv;
  rps: number;
  /** How long the user traffic may run at most. */
  maxTrafficMs: number;
  /** Where the demo's logs go (the operator's, the pod runner's). */
  logDir: string;
  say: (line: string) => void;
}

export function portOf(url: string): number {
  return Number(new URL(url.includes('://') ? url : `http://${url}`).port);
}
