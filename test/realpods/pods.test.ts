import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../../src/kube/client.ts';
import {
  connectError,
  counters,
  freshNamespace,
  get,
  podIPs,
  readyEndpoints,
  runnerStatus,
  testKube,
  waitFor,
  waitForProcesses,
} from './helpers.ts';

const IMAGE = 'ghcr.io/stefanprodan/podinfo';

describe('pods that really serve (simulated containers on pod IPs)', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let namespace: string;
  let pods: V1Pod[] = [];

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'realpods');
    namespace = ns.name;
  });
  afterAll(async () => ns.cleanup());

  it('gives each of 3 replicas of podinfo:6.0.1 a process answering on its pod IP, listed ready by the Service', async () => {
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'podinfo' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'podinfo' } },
          template: {
            metadata: { labels: { app: 'podinfo' } },
            spec: {
              containers: [
                { name: 'podinfo', image: `${IMAGE}:6.0.1`, ports: [{ name: 'http', containerPort: 9898 }] },
              ],
            },
          },
        },
      },
    });
    await kube.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'podinfo' },
        spec: { selector: { app: 'podinfo' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    const started = performance.now();
    pods = await waitForProcesses(kube, namespace, 'app=podinfo', 3, (_, s) => s.processes.length === 3);
    console.log(`3 pod processes running ${Math.round(performance.now() - started)} ms after the Deployment`);

    for (const pod of pods) {
      expect(pod.status?.podIP).toMatch(/^198\.18\.\d+\.\d+$/);
      const answer = await get(`http://${pod.status?.podIP}:9898/`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ version: '6.0.1', hostname: pod.metadata?.name });
      expect(answer.headers.get('x-pod-version')).toBe('6.0.1');
    }
    const status = await runnerStatus(namespace);
    expect(status.processes.map((p) => p.ip).sort()).toEqual(podIPs(pods));
    expect(status.processes.every((p) => p.version === '6.0.1' && p.ports.join() === '9898')).toBe(true);

    await waitFor('the EndpointSlice to list the 3 pod IPs as ready', async () => {
      const ready = await readyEndpoints(kube, namespace, 'podinfo');
      return ready.join() === podIPs(pods).join();
    });
  });

  it('counts the requests each process served', async () => {
    for (const pod of pods) {
      const ip = pod.status?.podIP ?? '';
      const before = await counters(ip);
      for (let i = 0; i < 5; i++) await get(`http://${ip}:9898/`);
      const answer = await get(`http://${ip}:9898/version`);
      expect(answer.body).toEqual({ version: '6.0.1', commit: '' });
      const after = await counters(ip);
      expect(after.requests - before.requests).toBe(6);
      expect((after.byStatus['200'] ?? 0) - (before.byStatus['200'] ?? 0)).toBe(6);
      expect(Number(answer.headers.get('x-pod-requests'))).toBe(after.requests);
      const metrics = await (await fetch(`http://${ip}:9898/metrics`)).text();
      expect(metrics).toContain(`http_requests_total{method="GET",status="200"} ${after.byStatus['200']}`);
      expect(metrics).toContain(`version="6.0.1"`);
    }
  });

  it('stops the processes of the pods a scale-down removes', async () => {
    await kube.apps.patchNamespacedDeployment({
      namespace,
      name: 'podinfo',
      body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
    });
    const remaining = await waitForProcesses(
      kube,
      namespace,
      'app=podinfo',
      1,
      (_, status) => status.processes.length === 1,
    );
    const gone = podIPs(pods).filter((ip) => ip !== remaining[0].status?.podIP);
    expect(gone).toHaveLength(2);
    for (const ip of gone) expect(await connectError(`http://${ip}:9898/`)).toBe('ECONNREFUSED');
    expect((await get(`http://${remaining[0].status?.podIP}:9898/`)).body.version).toBe('6.0.1');
    pods = remaining;
  });

  it('runs a rollout to podinfo:6.0.2 with FAULT_RATE=1: the new processes answer 500 and report 6.0.2', async () => {
    await kube.apps.patchNamespacedDeployment({
      namespace,
      name: 'podinfo',
      body: [
        { op: 'replace', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${IMAGE}:6.0.2` },
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/env',
          value: [{ name: 'FAULT_RATE', value: '1' }],
        },
      ],
    });
    const released = await waitForProcesses(
      kube,
      namespace,
      'app=podinfo',
      2,
      (_, status) => status.processes.length === 2 && status.processes.every((p) => p.version === '6.0.2'),
    );
    expect(released.map((p) => p.metadata?.uid)).not.toContain(pods[0].metadata?.uid);
    for (const pod of released) {
      const ip = pod.status?.podIP ?? '';
      for (const path of ['/', '/', '/version']) {
        const answer = await get(`http://${ip}:9898${path}`);
        expect(answer.status).toBe(500);
        expect(answer.body).toMatchObject({ version: '6.0.2', hostname: pod.metadata?.name });
      }
      const served = await counters(ip);
      expect(served).toMatchObject({ version: '6.0.2', requests: 3, faults: 3, byStatus: { '500': 3 } });
    }
    await waitFor('the EndpointSlice to list the 2 new pod IPs as ready', async () => {
      const ready = await readyEndpoints(kube, namespace, 'podinfo');
      return ready.join() === podIPs(released).join();
    });
  });
});
