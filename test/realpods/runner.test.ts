import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Kube } from '../../src/kube/client.ts';
import type { PodCountersStatus } from '../../src/podrunner/counters.ts';
import {
  counters,
  freshNamespace,
  get,
  runnerStatus,
  testKube,
  waitFor,
  waitForProcesses,
} from './helpers.ts';

function deployment(name: string, configMap: string) {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'podinfo',
              image: 'ghcr.io/stefanprodan/podinfo:6.1.0',
              ports: [{ containerPort: 9898 }],
              envFrom: [{ configMapRef: { name: configMap } }],
            },
          ],
        },
      },
    },
  };
}

describe('pod runner (the simulation of a kubelet’s containers)', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'runner');
  });
  afterAll(async () => ns.cleanup());

  it('takes env from a ConfigMap and restarts a process that died', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'slow-config' }, data: { FAULT_RATE: '0.5', LATENCY_MS: '150' } },
    });
    await kube.apps.createNamespacedDeployment({ namespace, body: deployment('slow', 'slow-config') });
    const [pod] = await waitForProcesses(kube, namespace, 'app=slow', 1);
    const url = `http://${pod.status?.podIP}:9898/`;
    const started = performance.now();
    expect((await get(url)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect((await get(url)).status).toBe(500);

    const [before] = (await runnerStatus(namespace)).processes;
    expect(before).toMatchObject({ state: 'running', restarts: 0, version: '6.1.0' });
    process.kill(before.pid!, 'SIGKILL');
    const after = await waitFor('the process to be restarted', async () => {
      const [p] = (await runnerStatus(namespace)).processes;
      return p?.state === 'running' && p.pid !== before.pid && p;
    });
    expect(after).toMatchObject({ restarts: 1, lastError: 'exited (SIGKILL)' });
    expect((await get(url)).status).toBe(200);
    expect((await counters(pod.status?.podIP ?? '')).requests).toBe(1);
  });

  it('keeps the final counters of processes stopped with their pods: totals never go down', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'gone-config' } } });
    await kube.apps.createNamespacedDeployment({ namespace, body: deployment('gone', 'gone-config') });
    const [pod] = await waitForProcesses(kube, namespace, 'app=gone', 1);
    const url = `http://${pod.status?.podIP}:9898/`;
    for (let i = 0; i < 3; i++) await fetch(url, { headers: { 'x-canary': 'insider' } });
    const listed = async () => {
      const res = await fetch(`${inject('podRunnerUrl')}/counters?namespace=${namespace}`);
      return ((await res.json()) as PodCountersStatus).processes.filter((p) => p.labels.app === 'gone');
    };
    expect((await listed()).map((p) => [p.state, p.counters.requests])).toEqual([['running', 3]]);
    await kube.apps.patchNamespacedDeploymentScale({
      name: 'gone',
      namespace,
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });
    const ended = await waitFor('the process to end', async () => {
      const [p] = await listed();
      return p?.state === 'ended' && p;
    });
    expect(ended).toMatchObject({ name: pod.metadata?.name, uid: pod.metadata?.uid });
    expect(ended.counters.requests).toBe(3);
    expect(ended.counters.headerNames['x-canary']).toBe(3);
  });

  it('keeps a pod whose ConfigMap is missing without a process until the ConfigMap exists', async () => {
    const namespace = ns.name;
    await kube.apps.createNamespacedDeployment({ namespace, body: deployment('late', 'late-config') });
    await waitFor('the runner to report the missing ConfigMap', async () => {
      const p = (await runnerStatus(namespace)).processes.find((x) => x.name.startsWith('late-'));
      return (
        p?.state === 'backoff' &&
        p.lastError === `env: ConfigMap ${namespace}/late-config (envFrom) not found`
      );
    });
    await kube.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'late-config' }, data: { FAULT_RATE: '1' } },
    });
    const [pod] = await waitForProcesses(kube, namespace, 'app=late', 1);
    expect((await get(`http://${pod.status?.podIP}:9898/`)).status).toBe(500);
  });
});
