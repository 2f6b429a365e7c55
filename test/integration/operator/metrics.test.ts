import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  canaryManifest,
  createCanary,
  deleteCanary,
  createPodinfo,
  getCanary,
  setImage,
} from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';

describe('operator /metrics, /healthz and /readyz', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let hooks: HookServer;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'metrics');
    hooks = await new HookServer().start();
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('warn'),
      listenAddress: '127.0.0.1:0',
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await hooks?.stop();
    await ns.cleanup();
  });

  it('exports the canary and controller series during a release', async () => {
    const namespace = ns.name;
    const url = controller.server!.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        webhooks: [{ name: 'always-ok', type: 'rollout', url: `${hooks.url}/ok`, timeout: '5s' }],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');
    const during = await waitFor(
      'weight on /metrics',
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return new RegExp(`kanaria_canary_weight\\{name="podinfo",namespace="${namespace}"\\} [1-9]`).test(
          text,
        )
          ? text
          : undefined;
      },
      30_000,
      100,
    );
    expect(during).toMatch(
      new RegExp(`kanaria_canary_status\\{name="podinfo",namespace="${namespace}"\\} 2`),
    );
    expect(during).toMatch(
      new RegExp(`kanaria_canary_failed_checks\\{name="podinfo",namespace="${namespace}"\\} 0`),
    );
    expect(during).toMatch(/kanaria_reconcile_duration_seconds_count\{outcome="ok"\} [1-9]/);
    expect(during).toMatch(/kanaria_workqueue_depth \d/);
    expect(during).toMatch(/kanaria_api_requests_total\{verb="apply"\} [1-9]/);
    expect(during).toMatch(/kanaria_api_requests_total\{verb="patch"\} [1-9]/);

    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    const after = await waitFor('release recorded', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /kanaria_releases_total\{outcome="succeeded"\} 1/.test(text) ? text : undefined;
    });
    expect(after).toMatch(
      new RegExp(
        `kanaria_release_duration_seconds_count\\{name="podinfo",namespace="${namespace}",outcome="succeeded"\\} 1`,
      ),
    );
    expect(after).toMatch(new RegExp(`kanaria_canary_status\\{name="podinfo",namespace="${namespace}"\\} 3`));
    // Weights 20, 30, 40 and 50 each came an interval after the step before: four step delays measured.
    expect(after).toMatch(/kanaria_step_delay_seconds_count 4\n/);
    expect(after).toMatch(/kanaria_step_write_seconds_count 4\n/);
    expect(after).toMatch(/kanaria_workqueue_queue_duration_seconds_count\{trigger="timer"\} [1-9]/);
    // Every analysis (here one rollout webhook) timed from its start to its results in.
    const analyses = hooks.callsTo('/ok').length;
    expect(analyses).toBeGreaterThanOrEqual(4);
    expect(after).toMatch(
      new RegExp(`kanaria_check_stage_seconds_count\\{stage="analysis"\\} ${analyses}\n`),
    );

    // A deleted Canary leaves no series behind (a fleet's churn would otherwise grow /metrics forever).
    await deleteCanary(kube, namespace);
    const gone = await waitFor('no series of the deleted canary', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text.includes(`namespace="${namespace}"`) ? undefined : text;
    });
    expect(gone).toMatch(/kanaria_releases_total\{outcome="succeeded"\} 1/);
  });
});
