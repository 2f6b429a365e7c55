/**
 * The pod runner against the real API server, with pods whose status the test sets itself (KWOK leaves
 * pods annotated `kwok.x-k8s.io/status: custom` alone) on loopback addresses: a pod's sockets accept
 * connections as soon as the runner sees the pod, even while another pod's process is still starting.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/devcluster/ports.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { PodRunner } from '../../../src/podrunner/runner.ts';
import { freshNamespace, testKube, waitFor } from '../helpers.ts';

const SLOW_START_MS = 5_000;

/** Runs Node, after SLOW_START_MS for pods named `slow-…`: a process that takes long to start. */
async function slowNode(dir: string): Promise<string> {
  const path = join(dir, 'node');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      `case "$*" in *'"pod":"slow-'*) /bin/sleep ${SLOW_START_MS / 1000} ;; esac`,
      `exec '${process.execPath}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}

async function runningPod(kube: Kube, namespace: string, name: string, ip: string, port: number) {
  await kube.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, annotations: { 'kwok.x-k8s.io/status': 'custom' } },
      spec: {
        nodeName: 'kwok-node-0',
        containers: [{ name: 'podinfo', image: 'podinfo:6.0.1', ports: [{ containerPort: port }] }],
      },
    },
  });
  await kube.core.patchNamespacedPodStatus({
    name,
    namespace,
    body: [
      {
        op: 'add',
        path: '/status',
        value: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
      },
    ],
  });
}

function accepts(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('pod runner sockets', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let dir: string;
  let runner: PodRunner;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'runner');
    dir = await mkdtemp(join(tmpdir(), 'kanaria-runner-'));
    runner = new PodRunner({
      kube,
      log: createLogger('error'),
      namespace: ns.name,
      nodeBinary: await slowNode(dir),
      compileCacheDir: join(dir, 'compile-cache'),
    });
    await runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await ns?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens a new pod’s sockets while another pod’s process is still starting', async () => {
    const namespace = ns.name;
    const port = await freePort();
    const state = (name: string) => runner.status().processes.find((p) => p.name === name)?.state;
    await runningPod(kube, namespace, 'slow-0', '127.0.0.51', port);
    await waitFor('slow-0 starting', async () => state('slow-0') === 'starting', 10_000, 20);
    const created = performance.now();
    await runningPod(kube, namespace, 'fast-0', '127.0.0.52', port);
    await waitFor('fast-0 accepting connections', () => accepts('127.0.0.52', port), 10_000, 20);
    const acceptedAfter = performance.now() - created;
    const slowState = state('slow-0');
    console.log(
      `fast-0 accepted connections ${acceptedAfter.toFixed(0)} ms after it was created; slow-0 was ${slowState}`,
    );
    expect(slowState).toBe('starting');
    const answer = await fetch(`http://127.0.0.52:${port}/version`);
    expect(answer.status).toBe(200);
    await waitFor('slow-0 running', async () => state('slow-0') === 'running', 15_000, 50);
    expect((await fetch(`http://127.0.0.51:${port}/version`)).status).toBe(200);
  });
});
