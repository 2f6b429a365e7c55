import {
  ApiException,
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import { Agent } from 'undici';

export interface Kube {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
  events: EventsV1Api;
  coordination: CoordinationV1Api;
  objects: KubernetesObjectApi;
  /** TokenReviews, for the gate API's authentication. */
  authn: AuthenticationV1Api;
  /** SubjectAccessReviews, for the gate API's authorisation. */
  authz: AuthorizationV1Api;
}

/** Clients for a kubeconfig file, or the default loading rules ($KUBECONFIG, ~/.kube/config, in-cluster). */
export function createKube(kubeconfigPath?: string): Kube {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return fromKubeConfig(kc);
}

type DispatcherFactory = (cluster: unknown, agentOptions: unknown) => unknown;

/**
 * The client builds a new HTTP dispatcher (connection pool) for every request, so every request pays a TCP
 * connect and a TLS handshake. One dispatcher per distinct set of TLS options lets requests share
 * keep-alive connections. Direct connections speak HTTP/1.1: undici 8 negotiates HTTP/2 by default, and
 * the teardown of an idle HTTP/2 session can surface as an uncaught exception ("socket idle timeout",
 * UND_ERR_INFO) that would end the operator.
 */
function shareDispatchers(kc: KubeConfig): void {
  const target = kc as unknown as { createDispatcher: DispatcherFactory };
  const create = target.createDispatcher.bind(kc);
  const cache = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const options = kc.createDispatcherOptions(cluster as never, agentOptions as never);
    const key = JSON.stringify(options);
    if (!cache.has(key))
      cache.set(
        key,
        options.type === 'agent'
          ? new Agent({ connect: options.connect, allowH2: false })
          : create(cluster, agentOptions),
      );
    return cache.get(key);
  };
}

export function fromKubeConfig(kc: KubeConfig): Kube {
  shareDispatchers(kc);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    events: kc.makeApiClient(EventsV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    authn: kc.makeApiClient(AuthenticationV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
  };
}

/** The HTTP status of a client error, when it is one. */
export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The answer of a read, or undefined when the API server says the object does not exist (404). */
export async function orAbsent<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

/** A one-line description of a client error: the API server's message when it sent one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = JSON.parse(String(err.body)) as { message?: string };
      if (body.message) return `${err.code}: ${body.message}`;
    } catch {
      /* not JSON */
    }
    return `${err.code}: ${String(err.body).slice(0, 300)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export { ApiException, KubeConfig };
