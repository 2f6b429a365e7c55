import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { HookServer } from '../hook-server.ts';
import { json, startFakeServer, text, type FakeServer } from '../metrics/fake-server.ts';

const group = { group: 'kanaria.dev', version: 'v1beta1' };
const plant = (what: string) => `planted-${what}-${randomBytes(6).toString('hex')}`;

/**
 * Unique strings planted in every Secret the operator reads (the target's Secret, a metric template's
 * credentials, an alert provider's webhook URL) must appear nowhere it writes or says: its logs,
 * Events, Canary status, alerts and /metrics, across a promotion, a rollback and provider errors
 * whose answers quote the credentials back.
 */
describe('nothing secret leaks', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let slack: HookServer;
  let prometheus: FakeServer;
  let logText = '';
  let failing = false;
  const appSecret = plant('app');
  const token = plant('token');
  const slackPath = plant('slack');
  const planted = [appSecret, token, slackPath];

  beforeAll(async () => {
    kube = testKube();
    slack = await new HookServer().start();
    prometheus = await startFakeServer((req, res) => {
      if (failing)
        // A provider that quotes the credentials back in its error, as some proxies do.
        return text(res, 401, `invalid credentials: ${String(req.headers.authorization)} (token ${token})`);
      json(res, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0'] }] },
      });
    });
    ns = await freshNamespace(kube, 'leaks');
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
    await slack?.stop();
    await prometheus?.close();
    await ns?.cleanup();
  });

  it('keeps planted Secret values out of logs, Events, status, alerts and /metrics', async () => {
    const namespace = ns.name;
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'podinfo-secret' }, stringData: { API_KEY: appSecret } },
    });
    await kube.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'prom' }, stringData: { token } },
    });
    await kube.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'slack-url' },
        stringData: { address: `${slack.url}/services/${slackPath}` },
      },
    });
    for (const [plural, kind, name, spec] of [
      [
        'metrictemplates',
        'MetricTemplate',
        'errors',
        {
          provider: { type: 'prometheus', address: prometheus.url, secretRef: { name: 'prom' } },
          query: 'sum(errors{namespace="{{ namespace }}"})',
        },
      ],
      ['alertproviders', 'AlertProvider', 'slack', { type: 'slack', secretRef: { name: 'slack-url' } }],
    ] as const)
      await kube.custom.createNamespacedCustomObject({
        ...group,
        plural,
        namespace,
        body: { apiVersion: 'kanaria.dev/v1beta1', kind, metadata: { name }, spec },
      });
    await createPodinfo(kube, namespace);
    await kube.apps.patchNamespacedDeployment({
      name: 'podinfo',
      namespace,
      body: [
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/env',
          value: [
            { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'podinfo-secret', key: 'API_KEY' } } },
          ],
        },
      ],
    });
    await createCanary(kube, {
      ...canaryManifest(namespace, {
        interval: '1s',
        threshold: 1,
        maxWeight: 20,
        metrics: [{ name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { max: 1 } }],
        alerts: [{ name: 'slack', severity: 'info', providerRef: { name: 'slack' } }],
      }),
    });
    const phase = async () => (await getCanary(kube, namespace)).status?.phase;
    await waitFor('Initialized', async () => (await phase()) === 'Initialized');
    await setImage(kube, namespace, '6.0.1');
    await waitFor('Succeeded', async () => (await phase()) === 'Succeeded', 60_000);
    failing = true;
    await setImage(kube, namespace, '6.0.2');
    await waitFor('Failed', async () => (await phase()) === 'Failed', 60_000);
    await waitFor('the rollback alert', async () =>
      slack.calls.some((c) => JSON.stringify(c.body).includes('rolled back')),
    );

    // The copy the primary uses is the one place the target's Secret may go.
    const copy = await kube.core.readNamespacedSecret({ name: 'podinfo-secret-primary', namespace });
    expect(Buffer.from(copy.data?.API_KEY ?? '', 'base64').toString()).toBe(appSecret);

    const events = await kube.events.listNamespacedEvent({ namespace });
    const places: Record<string, string> = {
      logs: logText,
      events: JSON.stringify(events.items.map((e) => [e.reason, e.note])),
      status: JSON.stringify((await getCanary(kube, namespace)).status),
      alerts: JSON.stringify(slack.calls.map((c) => c.body)),
      metrics: await controller.metrics.registry.metrics(),
    };
    const found = Object.entries(places).flatMap(([where, content]) =>
      planted.filter((p) => content.includes(p)).map((p) => `${where}: ${p.split('-')[1]}`),
    );
    console.log(
      `leaks: ${planted.length} planted strings, ${Object.values(places).reduce((n, c) => n + c.length, 0)} characters searched in ${Object.keys(places).join(', ')}; found: ${found.length ? found.join('; ') : 'none'}; ${slack.calls.length} alerts, ${events.items.length} events`,
    );
    expect(found).toEqual([]);
    // The provider errors did reach the messages, redacted.
    expect(places.events).toContain('[redacted]');
  });
});
