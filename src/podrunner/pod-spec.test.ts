import { describe, expect, it } from 'vitest';
import {
  decide,
  expand,
  resolveEnv,
  sameTarget,
  type EnvSources,
  type Pod,
  type PodTarget,
} from './pod-spec.ts';

function pod(overrides: { spec?: Partial<NonNullable<Pod['spec']>>; status?: Pod['status'] } = {}): Pod {
  return {
    metadata: {
      name: 'podinfo-abc',
      namespace: 'test',
      uid: 'u-1',
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
      labels: { app: 'podinfo' },
    },
    spec: {
      nodeName: 'kwok-node-0',
      containers: [
        {
          name: 'podinfo',
          image: 'ghcr.io/stefanprodan/podinfo:6.0.1',
          ports: [
            { name: 'http', containerPort: 9898 },
            { name: 'grpc', containerPort: 9999 },
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
          ],
        },
      ],
      ...overrides.spec,
    },
    status: overrides.status ?? { phase: 'Running', podIP: '198.18.0.4', hostIP: '10.0.0.1' },
  };
}

function target(p: Pod): PodTarget {
  const d = decide(p);
  if (!('target' in d)) throw new Error(`skipped: ${d.skip}`);
  return d.target;
}

describe('decide', () => {
  it('gives a Running pod with an IP a process on its TCP container ports with its image tag as version', () => {
    expect(decide(pod())).toEqual({
      target: {
        uid: 'u-1',
        namespace: 'test',
        name: 'podinfo-abc',
        ip: '198.18.0.4',
        ports: [9898, 9999],
        container: 'podinfo',
        image: 'ghcr.io/stefanprodan/podinfo:6.0.1',
        version: '6.0.1',
        created: Date.parse('2026-01-01T00:00:00Z'),
        labels: { app: 'podinfo' },
      },
    });
  });

  it("listens on podinfo's 9898 when the container declares no TCP port", () => {
    const p = pod();
    p.spec!.containers[0].ports = undefined;
    expect(target(p).ports).toEqual([9898]);
  });

  it('gives no process to pods that are not running, have no IP, are being deleted or use the host network', () => {
    expect(decide(pod({ status: { phase: 'Pending' } }))).toEqual({ skip: 'phase Pending' });
    expect(decide(pod({ status: { phase: 'Succeeded', podIP: '198.18.0.4' } }))).toEqual({
      skip: 'phase Succeeded',
    });
    expect(decide(pod({ status: { phase: 'Running' } }))).toEqual({ skip: 'no pod IP' });
    expect(decide(pod({ spec: { hostNetwork: true, containers: [] } }))).toEqual({ skip: 'host network' });
    const deleting = pod();
    deleting.metadata!.deletionTimestamp = new Date();
    expect(decide(deleting)).toEqual({ skip: 'being deleted' });
  });

  it('needs a restart when the image changes, not when labels do', () => {
    const before = target(pod());
    const relabelled = pod();
    relabelled.metadata!.labels = { app: 'podinfo', extra: 'x' };
    expect(sameTarget(before, target(relabelled))).toBe(true);
    const updated = pod();
    updated.spec!.containers[0].image = 'ghcr.io/stefanprodan/podinfo:6.0.2';
    expect(sameTarget(before, target(updated))).toBe(false);
  });
});

describe('resolveEnv', () => {
  const sources: EnvSources = {
    configMap: async (ns, name) =>
      ns === 'test' && name === 'podinfo-config' ? { FAULT_RATE: '0.6', 'bad key': 'x' } : undefined,
    secret: async (ns, name) =>
      ns === 'test' && name === 'podinfo-secret' ? { token: 's3cret' } : undefined,
  };

  it('resolves literals with $(VAR) expansion, field refs, ConfigMap and Secret keys, envFrom with prefix', async () => {
    const p = pod();
    p.spec!.containers[0].envFrom = [
      { configMapRef: { name: 'podinfo-config' } },
      { secretRef: { name: 'podinfo-secret' }, prefix: 'S_' },
      { configMapRef: { name: 'absent', optional: true } },
    ];
    p.spec!.containers[0].env = [
      { name: 'LATENCY_MS', value: '200' },
      { name: 'MESSAGE', value: 'latency $(LATENCY_MS) costs $$(LATENCY_MS), $(UNDEFINED) stays' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      {
        name: 'FAULT_STATUS',
        valueFrom: { configMapKeyRef: { name: 'podinfo-config', key: 'missing', optional: true } },
      },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'podinfo-secret', key: 'token' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    ];
    expect(await resolveEnv(p, sources)).toEqual({
      HOSTNAME: 'podinfo-abc',
      FAULT_RATE: '0.6',
      S_token: 's3cret',
      LATENCY_MS: '200',
      MESSAGE: 'latency 200 costs $(LATENCY_MS), $(UNDEFINED) stays',
      POD_IP: '198.18.0.4',
      APP: 'podinfo',
      TOKEN: 's3cret',
    });
  });

  it('fails on a required source that does not exist, naming it', async () => {
    const missingMap = pod();
    missingMap.spec!.containers[0].envFrom = [{ configMapRef: { name: 'absent' } }];
    await expect(resolveEnv(missingMap, sources)).rejects.toThrow(
      'ConfigMap test/absent (envFrom) not found',
    );
    const missingKey = pod();
    missingKey.spec!.containers[0].env = [
      { name: 'X', valueFrom: { secretKeyRef: { name: 'podinfo-secret', key: 'nope' } } },
    ];
    await expect(resolveEnv(missingKey, sources)).rejects.toThrow(
      'X: key "nope" of Secret test/podinfo-secret not found',
    );
  });

  it('expands like a kubelet', () => {
    expect(expand('$(A)-$(B)-$$(A)-$(', { A: '1' })).toBe('1-$(B)-$(A)-$(');
  });
});
