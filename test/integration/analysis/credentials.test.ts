import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { canaryManifest, createCanary, createPodinfo, getCanary, setImage } from '../fixtures.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { json, startFakeServer, type FakeServer } from '../metrics/fake-server.ts';

const seen = (server: FakeServer, planted: string) =>
  server.requests.filter((r) =>
    `${r.method} ${r.url.href} ${JSON.stringify(r.headers)} ${r.body}`.includes(planted),
  ).length;

async function createObject(kube: Kube, namespace: string, plural: string, body: object) {
  await kube.custom.createNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural,
    namespace,
    body,
  });
}

/** Credentials go only to their template's own address, never to one a Canary names. */
describe('metric credentials stay with their address', () => {
  let kube: Kube;
  let team: { name: string; cleanup: () => Promise<void> };
  let other: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;
  let canaryListener: FakeServer;
  let templatePrometheus: FakeServer;
  const datadogKey = `planted-dd-${randomBytes(8).toString('hex')}`;
  const bearer = `planted-bearer-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    kube = testKube();
    team = await freshNamespace(kube, 'creds');
    other = await freshNamespace(kube, 'creds-owner');
    const vector = {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] },
    };
    canaryListener = await startFakeServer((_req, res) => json(res, 200, vector));
    templatePrometheus = await startFakeServer((_req, res) => json(res, 200, vector));
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: undefined,
      log: createLogger('warn'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await canaryListener?.close();
    await templatePrometheus?.close();
    await team?.cleanup();
    await other?.cleanup();
  });

  it('a datadog template without an address and another namespace’s prometheus template never send their keys to the Canary’s metricsServer', async () => {
    const namespace = team.name;
    await kube.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'datadog' },
        stringData: { datadog_api_key: datadogKey, datadog_application_key: `${datadogKey}-app` },
      },
    });
    await createObject(kube, namespace, 'metrictemplates', {
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: 'dd' },
      spec: { provider: { type: 'datadog', secretRef: { name: 'datadog' } }, query: 'avg:errors{*}' },
    });
    await kube.core.createNamespacedSecret({
      namespace: other.name,
      body: { metadata: { name: 'prom' }, stringData: { token: bearer } },
    });
    await createObject(kube, other.name, 'metrictemplates', {
      apiVersion: 'kanaria.dev/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: 'shared' },
      spec: {
        provider: { type: 'prometheus', address: templatePrometheus.url, secretRef: { name: 'prom' } },
        query: 'vector(1)',
      },
    });
    await createPodinfo(kube, namespace);
    const canary = canaryManifest(namespace, {
      interval: '1s',
      threshold: 1,
      metrics: [
        {
          name: 'shared',
          templateRef: { name: 'shared', namespace: other.name },
          thresholdRange: { min: 0 },
        },
        { name: 'errors', templateRef: { name: 'dd' }, thresholdRange: { max: 10 } },
      ],
    });
    canary.spec.metricsServer = canaryListener.url;
    await createCanary(kube, canary);
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace)).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1');
    // The datadog check cannot reach its public endpoint here, so the release fails: that is fine.
    await waitFor(
      'the release to end',
      async () => ['Succeeded', 'Failed'].includes((await getCanary(kube, namespace)).status?.phase ?? ''),
      60_000,
    );
    const atTemplate = seen(templatePrometheus, bearer);
    console.log(
      `credentials: the Canary's metricsServer got ${canaryListener.requests.length} requests, ` +
        `${seen(canaryListener, datadogKey)} with the datadog key, ${seen(canaryListener, bearer)} with the bearer token; ` +
        `the template's own Prometheus got the bearer token ${atTemplate} times`,
    );
    expect(seen(canaryListener, datadogKey)).toBe(0);
    expect(seen(canaryListener, bearer)).toBe(0);
    expect(atTemplate).toBeGreaterThan(0);
  });
});
