import { DiscoveryV1Api, type V1Pod } from '@kubernetes/client-node';
import { request, Agent } from 'node:http';
import { inject } from 'vitest';
import type { Kube } from '../../src/kube/client.ts';
import type { PodRunnerStatus } from '../../src/podrunner/runner.ts';
import type { PodCounters } from '../../src/podrunner/pod-process.ts';
import { waitFor } from '../integration/helpers.ts';

export { freshNamespace, testKube, waitFor } from '../integration/helpers.ts';

export async function runnerStatus(namespace: string): Promise<PodRunnerStatus> {
  const res = await fetch(`${inject('podRunnerUrl')}/processes?namespace=${namespace}`);
  return (await res.json()) as PodRunnerStatus;
}

/**
 * Waits until `count` pods of `labelSelector` are Running and the runner has a running process for each
 * of them (and `check` holds); returns the pods.
 */
export async function waitForProcesses(
  kube: Kube,
  namespace: string,
  labelSelector: string,
  count: number,
  check: (pods: V1Pod[], status: PodRunnerStatus) => boolean = () => true,
): Promise<V1Pod[]> {
  let seen = '';
  try {
    return await waitFor(`${count} pod processes for ${labelSelector} in ${namespace}`, async () => {
      const { items } = await kube.core.listNamespacedPod({ namespace, labelSelector });
      const status = await runnerStatus(namespace);
      seen = JSON.stringify({
        pods: items.map((p) => [
          p.metadata?.name,
          p.status?.phase,
          p.status?.podIP,
          p.metadata?.deletionTimestamp,
        ]),
        runner: status,
      });
      const pods = items.filter(
        (p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata?.deletionTimestamp,
      );
      const running = new Set(status.processes.filter((p) => p.state === 'running').map((p) => p.uid));
      const ok =
        pods.length === count && pods.every((p) => running.has(p.metadata?.uid ?? '')) && check(pods, status);
      return ok && pods;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${seen}`, { cause: err });
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function get(url: string): Promise<Answer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function counters(ip: string, port = 9898): Promise<PodCounters> {
  return (await get(`http://${ip}:${port}/counters`)).body as unknown as PodCounters;
}

/** The error code of a failed connection to `url` (e.g. ECONNREFUSED), or undefined when it answers. */
export async function connectError(url: string): Promise<string | undefined> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return undefined;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? String(err);
  }
}

/** The addresses of a Service's EndpointSlices whose endpoints are ready. */
export async function readyEndpoints(kube: Kube, namespace: string, service: string): Promise<string[]> {
  const discovery = kube.kc.makeApiClient(DiscoveryV1Api);
  const { items } = await discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return items
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready)
    .flatMap((e) => e.addresses)
    .sort();
}

export function podIPs(pods: V1Pod[]): string[] {
  return pods.map((p) => p.status?.podIP ?? '').sort();
}

/**
 * Sends `count` GET requests to `url` with a Host header (and `headers`), `concurrency` at a time over
 * kept-alive connections; returns how many answers came from each pod version, and the statuses.
 */
export async function load(
  url: string,
  host: string,
  count: number,
  concurrency = 8,
  headers: Record<string, string> = {},
): Promise<{ versions: Record<string, number>; statuses: Record<string, number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const versions: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { agent, headers: { ...headers, host }, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const version = String(res.headers['x-pod-version'] ?? 'none');
          versions[version] = (versions[version] ?? 0) + 1;
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { versions, statuses };
}

/** A Deployment of podinfo-like pod processes (the tag is the version they answer with) and its Service. */
export async function app(kube: Kube, namespace: string, name: string, version: string, replicas = 2) {
  await kube.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              {
                name: 'podinfo',
                image: `ghcr.io/stefanprodan/podinfo:${version}`,
                ports: [{ name: 'http', containerPort: 9898 }],
              },
            ],
          },
        },
      },
    },
  });
  await kube.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 'http' }] },
    },
  });
}
