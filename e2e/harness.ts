/**
 * What an e2e scenario talks to, with three implementations (./dataplane.ts selects one):
 *  - traefik (`npm run e2e`, as root): the local control plane on the pod network of hack/in-netns.sh,
 *    one real HTTP process per Running pod (the pod runner, a SIMULATION of the kubelet's containers),
 *    a real Traefik serving the Ingresses with its ingress-nginx provider, real Prometheus scraping
 *    Traefik, the operator as its own process and Kanaria's load tester (./traefik-env.ts);
 *  - simulation (`npm run e2e:simulation`, no root): the same control plane and operator, but the
 *    SIMULATED ingress-nginx data plane in front of two test backends, all on 127.0.0.1 (./simulation.ts);
 *  - cluster: any cluster given by KUBECONFIG (with KANARIA_TEST_USE_KUBECONFIG=1) running real
 *    ingress-nginx, Prometheus and Kanaria installed from charts/kanaria, selected by
 *    KANARIA_E2E_INGRESS_URL (./real-cluster.ts; see e2e/kind/).
 * Scenarios only use these interfaces, so the same file runs against all three.
 */
import type { CanarySpec, CanaryWebhook } from '../src/api/types.ts';
import type { TrafficProfile } from '../src/dataplane/dataplane.ts';
import type { LoadTesterCall } from '../src/demo/loadtester.ts';
import type { Kube } from '../src/kube/client.ts';
import { e2eDataPlane } from './dataplane.ts';

export type { TrafficProfile };

/** User requests (those sent through the ingress) as counted where they arrived; totals never go down. */
export interface AppCounts {
  /** Requests that reached the primary (stable) version. */
  primary: number;
  /** Requests that reached the canary version. */
  canary: number;
  /** Of the canary's requests, those without the A/B header or cookie (AppOptions.abHeader/abCookie). */
  canaryUnmatched: number;
  /**
   * Of the primary's requests, those with the A/B header or cookie (the first of several A/B headers),
   * where the environment counts them (Traefik: the primary pods' own counters).
   */
  primaryMatched?: number;
  /** Requests that reached the canary not through the ingress (the webhooks'), where that is known. */
  canaryDirect?: number;
}

export interface ReleaseOptions {
  /**
   * Share of requests the new version answers with 500: part of the release where the pods can be told
   * so (FAULT_RATE in the pod template), else injected by the environment.
   */
  errorRate?: number;
}

/** The example app (examples/podinfo) deployed in one namespace, with generated user traffic. */
/**
 * How user requests enter the app: through its Ingress (the nginx provider's canary Ingress), through
 * its Gateway (the gatewayapi:v1 provider's HTTPRoute), or both (on one proxy, told apart by Host).
 */
export type EntryPath = 'ingress' | 'gateway';

/** The app's Gateway (AppOptions.entry `gateway` or `both`): where Kanaria's HTTPRoute attaches. */
export interface AppGateway {
  /** The Gateway's name, in the app's namespace: `gateway`. */
  name: string;
  /** The HTTPRoute's hostname: user requests through the Gateway carry it as Host. */
  host: string;
  /** The port a listener must have to be served by the proxy's web entry point. */
  listenerPort: number;
  /** The proxy's entry point the listener is served on, e.g. http://127.0.0.1:40123 */
  url: string;
}

export interface AppUnderTest {
  namespace: string;
  /** Deployment, Ingress and Canary name: `podinfo`. */
  name: string;
  counts(): Promise<AppCounts>;
  /**
   * Resolves with the time from which the data plane routes by `weight` on `path` (default: the app's
   * Gateway when it only has that entry, else its Ingress): the simulation's own view of the canary
   * Ingress; Traefik's, from its API, once the canary Ingress (or the HTTPRoute) says so; on a real
   * ingress-nginx, a settle period after the Ingress says so.
   */
  routedAt(weight: number, timeoutMs?: number, path?: EntryPath): Promise<number>;
  /**
   * Resolves with the time from which the data plane sends the requests carrying `header` to the canary
   * by a header route (`present`), or no longer has that route (`!present`), through the app's Ingress;
   * where the environment can tell (Traefik: its API shows the canary router).
   */
  headerRoutedAt?(header: string, present: boolean, timeoutMs?: number): Promise<number>;
  /** The app's Gateway, where the environment serves Gateway API routes and AppOptions.entry asked for it. */
  gateway?: AppGateway;
  /**
   * Sets the user traffic sent through `path` to `rps` requests per second (0 stops it), with the
   * app's traffic profiles; where the environment can do so (Traefik).
   */
  traffic?(path: EntryPath, rps: number): Promise<void>;
  /**
   * The answers the user traffic through `path` got so far, by status (0: no answer), over every rate
   * `traffic` set; where the environment generates the traffic itself (Traefik).
   */
  answers?(path: EntryPath): Record<string, number>;
  /** When the user traffic through `path` got answers other than 2xx (epoch ms), where `answers` is known. */
  failures?(path: EntryPath): { at: number; status: number }[];
  /**
   * Resolves once no process of the target's (canary's) pods runs any more, where pods are simulated
   * processes (the pod runner): the operator scales the target to 0 once it is initialised, and a stopped
   * pod keeps serving a moment (its drain) while KWOK may already give its address to a new pod, whose
   * process cannot listen until then; a release right after would start canary pods that refuse
   * connections for that moment (a real kubelet frees no address a terminating pod still uses).
   */
  targetStopped?(): Promise<void>;
  /** Starts a release: the Deployment's image becomes `version` (with `errorRate`, a bad one). */
  release(version: string, options?: ReleaseOptions): Promise<void>;
  /**
   * Whether a release's errors also reach the webhooks' requests to the canary (they do where the pods
   * or the backend fail every kind of request; on a real cluster only the user traffic asks for 500s).
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
  /**
   * Header whose absence on canary requests `counts().canaryUnmatched` counts. With several (Traefik
   * only), the largest count of canary requests lacking one of them: 0 exactly when every canary request
   * carried all of them.
   */
  abHeader?: string | string[];
  /** Cookie whose absence on canary requests `counts().canaryUnmatched` counts (instead of abHeader). */
  abCookie?: string;
  /**
   * Which entry paths the app has and gets user traffic on (`rps` each): its Ingress (the default), a
   * Gateway `gateway` in its namespace (AppUnderTest.gateway), or both. Environments without Gateway API
   * routing refuse `gateway` and `both`.
   */
  entry?: 'ingress' | 'gateway' | 'both';
}

export interface OperatorUnderTest {
  /** Base URL of the operator's gate API as the operator itself reaches it (`…/gate/check`). */
  gateUrl: string;
  /** The operator's log so far (empty when it runs elsewhere). */
  output(): string;
  /** Whether the operator's process still runs and answers /readyz, where this side started it. */
  running?(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface E2EEnvironment {
  kind: 'simulation' | 'traefik' | 'cluster';
  kube: Kube;
  kubeconfig: string;
  /** Prometheus that scrapes the ingress controller. */
  prometheusUrl: string;
  /** The Prometheus query for all requests the ingress controller sent to a namespace's canary. */
  canaryRequestsQuery(namespace: string): string;
  /** Merged over the Canary spec of every scenario (e.g. which ingress controller's series to read). */
  canarySpec?: Partial<CanarySpec>;
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

/** ingress-nginx's request series, which the simulation and a real ingress-nginx record. */
export function nginxCanaryRequestsQuery(namespace: string): string {
  return `sum(nginx_ingress_controller_requests{namespace="${namespace}",canary!=""})`;
}

/** The environment the variables select (see ./dataplane.ts). */
export async function e2eEnvironment(kubeconfig: string): Promise<E2EEnvironment> {
  switch (e2eDataPlane()) {
    case 'cluster': {
      const { realClusterEnvironment } = await import('./real-cluster.ts');
      return realClusterEnvironment(kubeconfig, process.env);
    }
    case 'traefik': {
      const { traefikEnvironment } = await import('./traefik-env.ts');
      return traefikEnvironment(kubeconfig);
    }
    case 'simulation': {
      const { simulationEnvironment } = await import('./simulation.ts');
      return simulationEnvironment(kubeconfig);
    }
  }
}

/**
 * For environments that only route through the Ingress and tell canary requests apart by one header:
 * refuses AppOptions they cannot honour (an entry through a Gateway, several A/B headers) and returns
 * the one A/B header.
 */
export function ingressOnlyOptions(kind: E2EEnvironment['kind'], options: AppOptions): string | undefined {
  if (options.entry && options.entry !== 'ingress')
    throw new Error(`the ${kind} environment has no Gateway API routing (AppOptions.entry ${options.entry})`);
  if (Array.isArray(options.abHeader) && options.abHeader.length > 1)
    throw new Error(`the ${kind} environment counts canary requests by one A/B header only`);
  return Array.isArray(options.abHeader) ? options.abHeader[0] : options.abHeader;
}
