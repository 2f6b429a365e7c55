import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../src/devcluster/ports.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { POD_PROCESS_SCRIPT } from '../../../src/podrunner/runner.ts';
import type { PodCounters, PodProcessConfig } from '../../../src/podrunner/pod-process.ts';

interface Started {
  child: ChildProcess;
  listening?: string[];
  code?: number | null;
  stderr: string;
}

/** Starts the simulated pod process the way the pod runner does; resolves when it listens or exits. */
function startPodProcess(config: PodProcessConfig, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [POD_PROCESS_SCRIPT, JSON.stringify(config)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const started: Started = { child, stderr: '' };
  child.stderr?.on('data', (chunk: Buffer) => (started.stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('message', (m) =>
      resolve({ ...started, listening: (m as { listening: string[] }).listening }),
    );
    child.once('close', (code) => resolve({ ...started, code, stderr: started.stderr }));
  });
}

describe('simulated pod process (on 127.0.0.1)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('answers like podinfo on every container port, injects faults and latency from its env, counts what it served', async () => {
    const ports = [await freePort(), await freePort()];
    const started = await startPodProcess(
      {
        ip: '127.0.0.1',
        ports,
        pod: 'podinfo-7d9f-abcde',
        namespace: 'test',
        image: 'ghcr.io/stefanprodan/podinfo:6.0.2',
        version: '6.0.2',
      },
      { HOSTNAME: 'podinfo-7d9f-abcde', FAULT_RATE: '0.5', LATENCY_MS: '100' },
    );
    children.push(started.child);
    expect(started.listening).toEqual(ports.map((p) => `127.0.0.1:${p}`));
    const base = `http://127.0.0.1:${ports[0]}`;

    const t0 = performance.now();
    const first = await fetch(`${base}/`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-pod-version')).toBe('6.0.2');
    expect(first.headers.get('x-pod-requests')).toBe('1');
    expect(await first.json()).toMatchObject({
      hostname: 'podinfo-7d9f-abcde',
      version: '6.0.2',
      message: 'greetings from podinfo v6.0.2',
    });
    const second = await fetch(`http://127.0.0.1:${ports[1]}/version`);
    expect(second.status).toBe(500);
    expect(await second.json()).toEqual({
      error: 'injected fault',
      hostname: 'podinfo-7d9f-abcde',
      version: '6.0.2',
    });
    expect((await fetch(`${base}/status/418`)).status).toBe(418);
    expect((await fetch(`${base}/token`, { method: 'POST' })).status).toBe(500);

    // Probes are neither counted nor failed nor delayed.
    const t1 = performance.now();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(90);
    const counters = (await (await fetch(`${base}/counters`)).json()) as PodCounters;
    expect(counters).toMatchObject({
      pod: 'podinfo-7d9f-abcde',
      version: '6.0.2',
      requests: 4,
      faults: 2,
      byStatus: { '200': 1, '418': 1, '500': 2 },
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",status="500"} 1');
    expect(metrics).toContain('http_requests_total{method="POST",status="500"} 1');
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{method="GET",status="200",le="0\.1"\} 0/);
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{method="GET",status="200",le="0\.25"\} 1/);
    expect(metrics).toContain('simulated_pod_info{pod="podinfo-7d9f-abcde",namespace="test",version="6.0.2"');

    const exited = new Promise<number | null>((resolve) =>
      started.child.once('exit', (code) => resolve(code)),
    );
    started.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(base)).rejects.toThrow();
  });

  it('exits with 2 and says why when its env is invalid or its address is not local', async () => {
    const config = {
      ip: '127.0.0.1',
      ports: [await freePort()],
      pod: 'p',
      namespace: 'n',
      image: 'i:1',
      version: '1',
    };
    const invalid = await startPodProcess(config, { FAULT_RATE: '60%' });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('invalid env: FAULT_RATE="60%" is not a number');

    // 192.0.2.0/24 (TEST-NET-1) is never assigned to this machine.
    const elsewhere = await startPodProcess({ ...config, ip: '192.0.2.10' }, {});
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('cannot listen on 192.0.2.10');
    expect(elsewhere.stderr).toContain('EADDRNOTAVAIL');
    expect(elsewhere.stderr).toContain('hack/in-netns.sh');
  });
});
