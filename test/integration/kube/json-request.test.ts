import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeError,
  fromKubeConfig,
  KubeConfig,
  statusCode,
  type Kube,
} from '../../../src/kube/client.ts';
import { sendJson } from '../../../src/kube/json-request.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { freshNamespace, testKube } from '../helpers.ts';

/** The writers' plain JSON requests, against the real API server and a server that never answers. */
describe('plain JSON requests to the API server', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'json');
  });
  afterAll(async () => ns?.cleanup());

  it('gives the API server’s code and message for an answer outside 2xx', async () => {
    const err = await sendJson(kube.kc, {
      method: 'PATCH',
      path: `/apis/kanaria.dev/v1beta1/namespaces/${ns.name}/canaries/missing/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Progressing' } },
    }).catch((e: unknown) => e);
    expect(statusCode(err)).toBe(404);
    expect(describeError(err)).toBe('404: canaries.kanaria.dev "missing" not found');
  });

  it('writes an Event whose time keeps its microseconds, and reads back what the API server stored', async () => {
    const writer = new KubeWriter(kube, 'json-test');
    await writer.createEvent({
      namespace: ns.name,
      regarding: { apiVersion: 'v1', kind: 'ConfigMap', name: 'about' },
      type: 'Warning',
      reason: 'Tested',
      action: 'Testing',
      note: 'x'.repeat(1_200),
      now: new Date('2026-12-05T10:00:00.123Z'),
    });
    const events = await kube.events.listNamespacedEvent({ namespace: ns.name });
    expect(events.items).toHaveLength(1);
    const [event] = events.items;
    expect(event).toMatchObject({ type: 'Warning', reason: 'Tested', reportingInstance: 'json-test' });
    expect(event.note).toHaveLength(1_000);
    expect(new Date(event.eventTime as unknown as string).toISOString()).toBe('2026-12-05T10:00:00.123Z');
    expect(event.regarding).toMatchObject({ kind: 'ConfigMap', name: 'about', namespace: ns.name });
  });

  describe('against a server that takes requests and never answers', () => {
    let silent: Server;
    const received: IncomingMessage[] = [];
    let silentKube: Kube;

    beforeAll(async () => {
      silent = createServer((req) => received.push(req));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'silent', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'someone', token: 'secret-token' }],
        contexts: [{ name: 'silent', cluster: 'silent', user: 'someone' }],
        currentContext: 'silent',
      });
      silentKube = fromKubeConfig(kc);
    });
    afterAll(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('sends the kubeconfig’s token and stops a write in flight once the writer’s signal aborts', async () => {
      const term = new AbortController();
      const writer = new KubeWriter(silentKube, 'json-test').withSignal(term.signal);
      const pending = writer
        .patchCanaryStatus('team', 'app', { phase: 'Progressing' }, '7')
        .catch((e: unknown) => e);
      await expect.poll(() => received.length).toBe(1);
      expect(received[0].headers.authorization).toBe('Bearer secret-token');
      expect(received[0].url).toBe(
        '/apis/kanaria.dev/v1beta1/namespaces/team/canaries/app/status?fieldManager=kanaria',
      );
      const started = performance.now();
      term.abort(new Error('leadership lost'));
      const err = await pending;
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(err).toBe(term.signal.reason);
    });
  });
});
