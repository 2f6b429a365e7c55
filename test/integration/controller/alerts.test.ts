import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, eventsOf, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';

const group = { group: 'kanaria.dev', version: 'v1beta1' };

describe('Slack alerts', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let slack: HookServer;
  let hooks: HookServer;
  let logText = '';

  beforeAll(async () => {
    kube = testKube();
    slack = await new HookServer().start();
    hooks = await new HookServer().start();
    ns = await freshNamespace(kube, 'alerts');
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logText += String(chunk);
        cb();
      },
    });
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('debug', sink),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await slack.stop();
    await hooks.stop();
    await ns.cleanup();
  });

  it('posts Block Kit messages for a release and a rollback, filters by severity, never shows the URL', async () => {
    const namespace = ns.name;
    const secretUrl = `${slack.url}/services/T000/B000/s3cr3t-token`;
    const errorsOnlyUrl = `${slack.url}/services/T000/B001/errors-only`;
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'slack-url' }, stringData: { address: secretUrl } },
    });
    await kube.custom.createNamespacedCustomObject({
      ...group,
      plural: 'alertproviders',
      namespace,
      body: {
        apiVersion: 'kanaria.dev/v1beta1',
        kind: 'AlertProvider',
        metadata: { name: 'slack' },
        spec: { type: 'slack', channel: 'releases', secretRef: { name: 'slack-url' } },
      },
    });
    await kube.custom.createNamespacedCustomObject({
      ...group,
      plural: 'alertproviders',
      namespace,
      body: {
        apiVersion: 'kanaria.dev/v1beta1',
        kind: 'AlertProvider',
        metadata: { name: 'oncall' },
        spec: { type: 'slack', address: errorsOnlyUrl },
      },
    });
    await createPodinfo(kube, namespace);
    await createCanary(
      kube,
      canaryManifest(namespace, {
        threshold: 1,
        webhooks: [{ name: 'load-test', type: 'rollout', url: `${hooks.url}/load`, timeout: '5s' }],
        alerts: [
          { name: 'team', severity: 'info', providerRef: { name: 'slack' } },
          { name: 'oncall', severity: 'error', providerRef: { name: 'oncall' } },
        ],
      }),
    );
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');
    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Succeeded',
      90_000,
    );
    await waitFor('promotion alert', async () =>
      slack
        .callsTo('/services/T000/B000/s3cr3t-token')
        .some((c) => JSON.stringify(c.body).includes('Promotion completed')),
    );

    hooks.answer('/load', 500);
    await setImage(kube, namespace, '6.0.2');
    await waitFor(
      'Failed',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Failed',
      90_000,
    );
    await waitFor(
      'rollback alerts',
      async () => slack.callsTo('/services/T000/B001/errors-only').length >= 1,
    );

    const team = slack.callsTo('/services/T000/B000/s3cr3t-token').map((c) => JSON.stringify(c.body));
    expect(team.some((t) => t.includes('Initialization done'))).toBe(true);
    expect(team.some((t) => t.includes('New revision detected'))).toBe(true);
    expect(team.some((t) => t.includes('rolled back') && t.includes('500'))).toBe(true);
    const first = slack.callsTo('/services/T000/B000/s3cr3t-token')[0].body as {
      blocks?: unknown[];
      channel?: string;
      text?: string;
    };
    expect(Array.isArray(first.blocks)).toBe(true);
    expect(first.channel).toBe('releases');
    expect(JSON.stringify(first)).toContain(namespace);

    // The error-only provider got the rollback and nothing informational.
    const oncall = slack.callsTo('/services/T000/B001/errors-only').map((c) => JSON.stringify(c.body));
    expect(oncall.length).toBeGreaterThanOrEqual(1);
    expect(
      oncall.every((t) => !t.includes('Initialization done') && !t.includes('Promotion completed')),
    ).toBe(true);
    expect(oncall.some((t) => t.includes('rolled back'))).toBe(true);

    const notes = (await eventsOf(kube, namespace)).map((e) => e.note).join('\n');
    for (const secret of ['s3cr3t-token', 'errors-only', slack.url]) {
      expect(logText).not.toContain(secret);
      expect(notes).not.toContain(secret);
    }
    expect(logText).toContain('Halt advancement');
  });
});
