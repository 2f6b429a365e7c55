/**
 * What an e2e scenario talks to, with two implementations:
 *  - simulation (default): the local control plane of the test setup, the operator as its own process,
 *    the SIMULATED ingress-nginx data plane in front of two test backends, real Prometheus and
 *    Kanaria's load tester, all on 127.0.0.1 (./simulation.ts);
 *  - cluster: any cluster given by KUBECONFIG (with KANARIA_TEST_USE_KUBECONFIG=1) running real
 *    ingress-nginx, Prometheus and Kanaria installed from charts/kanaria, selected by
 *    KANARIA_E2E_INGRESS_URL (./real-cluster.ts; see e2e/kind/).
 * Scenarios only use these interfaces, so the same file runs against both.
 */
import type { CanaryWebhook } from '../src/api/types.ts';
import type { TrafficProfile } from '../src/dataplane/dataplane.ts';
import type { LoadTesterCall } from '../src/demo/loadtester.ts';
import type { Kube } from '../src/kube/client.ts';

export type { TrafficProfile };

export interface AppCounts {
  /** Requests that reached the primary (stable) version. */
  primary: number;
  /** Requests that reached the canary version. */
  canary: number;
  /** Of the canary's requests, those without the A/B header (see AppOptions.abHeader). */
  canaryWithoutHeader: number;
}

/** The example app (examples/podinfo) deployed in one namespace, with generated user traffic. */
export interface AppUnderTest {
  namespace: string;
  /** Deployment, Ingress and Canary name: `podinfo`. */
  name: string;
  counts(): AppCounts;
  /** Requests that reached the canary at or after `t` (ms since the epoch). */
  canarySince(t: number): number;
  /**
   * Resolves with the time from which the data plane routes by `weight`: the simulation's own view of
   * the canary Ingress; on a real ingress-nginx, a settle period after the Ingress says so.
   */
  routedAt(weight: number, timeoutMs?: number): Promise<number>;
  /** Makes the canary version answer this share of requests with 500. */
  setCanaryErrorRate(rate: number): Promise<void>;
  /**
   * Whether those errors also reach the webhooks' requests to the canary (the simulation's backend
   * fails every kind of request; on a real cluster only the generated user traffic asks for 500s).
   */
  errorsReachHooks: boolean;
  /** Webhooks of the project's load tester (or Flagger's on a real cluster) aimed at the canary. */
  hooks: {
    /** pre-rollout acceptance test: POST <canary>/token must answer a token. */
    acceptance(): CanaryWebhook;
    /** rollout load test: bounded load on the canary for about a second. */
    load(): CanaryWebhook;
    /** rollout smoke test: a few GETs on the canary must answer 200. */
    smoke(): CanaryWebhook;
  };
  stop(): Promise<void>;
}

export interface AppOptions {
  rps?: number;
  traffic?: TrafficProfile[];
  /** Header whose presence on canary requests `counts().canaryWithoutHeader` tells apart. */
  abHeader?: string;
}

export interface OperatorUnderTest {
  /** Base URL of the operator's gate API as the operator itself reaches it (`…/gate/check`). */
  gateUrl: string;
  /** The operator's log so far (empty when it runs elsewhere). */
  output(): string;
  stop(): Promise<void>;
}

export interface E2EEnvironment {
  kind: 'simulation' | 'cluster';
  kube: Kube;
  kubeconfig: string;
  /** Prometheus that scrapes the ingress controller. */
  prometheusUrl: string;
  /** Whether an HTTP server on 127.0.0.1 here (a Slack receiver) is reachable by the operator. */
  localReceiversReachable: boolean;
  /** The webhook calls the load tester answered, when it runs in this process. */
  loadTesterCalls?: () => readonly LoadTesterCall[];
  /** A fresh namespace, deleted by `cleanup`. */
  namespace(prefix: string): Promise<{ name: string; cleanup: () => Promise<void> }>;
  deployApp(namespace: string, options?: AppOptions): Promise<AppUnderTest>;
  /** The operator watching `namespace`: its own process here, the installed one on a cluster. */
  startOperator(namespace: string): Promise<OperatorUnderTest>;
  stop(): Promise<void>;
}

/** The environment the variables select: a real cluster when KANARIA_E2E_INGRESS_URL is set. */
export async function e2eEnvironment(kubeconfig: string): Promise<E2EEnvironment> {
  if (process.env.KANARIA_E2E_INGRESS_URL) {
    const { realClusterEnvironment } = await import('./real-cluster.ts');
    return realClusterEnvironment(kubeconfig, process.env);
  }
  const { simulationEnvironment } = await import('./simulation.ts');
  return simulationEnvironment(kubeconfig);
}
