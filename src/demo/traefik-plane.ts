/**
 * The demo's data plane on a REAL proxy, inside hack/in-netns.sh's network namespace: the pod runner (a
 * SIMULATION of the kubelet's containers) gives every Running pod of the namespace one real HTTP process
 * on its pod IP; a real Traefik serves the namespace's Ingresses with its ingress-nginx provider (which
 * honours the canary annotations Kanaria writes); the real Prometheus scrapes Traefik; the load tester
 * reaches `http://<service>.<namespace>/` through the Services' EndpointSlices; a load generator sends
 * the user traffic through Traefik with the app's Host header. What reached which version is what the
 * pods' own processes counted; a bad release is a pod template change (FAULT_RATE).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrometheus } from '../devcluster/prometheus.ts';
import { createLogger } from '../observability/logger.ts';
import { PodRunner } from '../podrunner/runner.ts';
import { ensureNginxIngressClass } from '../realproxy/ingress-class.ts';
import { startLoadGenerator, type LoadGenerator } from '../realproxy/load-generator.ts';
import { appCounts } from '../realproxy/pod-counts.ts';
import { routesIngressAt } from '../realproxy/traefik-api.ts';
import { startTraefik } from '../realproxy/traefik.ts';
import { releasePodTemplate } from './app.ts';
import { portOf, type DemoDataPlane, type PlaneContext, type TrafficCounts } from './data-plane.ts';
import { startLoadTester } from './loadtester.ts';
import { serviceResolver } from './service-resolver.ts';

/** The example Ingress's host. */
const APP_HOST = 'app.example.com';
const APP = 'podinfo';
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const COUNT_EVERY_MS = 1000;

export async function startTraefikPlane(c: PlaneContext, traefikBinary: string): Promise<DemoDataPlane> {
  const { kube, namespace, resources, say } = c;
  const runnerLog = join(c.logDir, 'pod-runner.log');
  const runnerStream = createWriteStream(runnerLog, { flags: 'w' });
  const runner = new PodRunner({ kube, namespace, log: createLogger('info', runnerStream) });
  resources.add('pod runner', async () => {
    await runner.stop();
    await new Promise<void>((resolve) => runnerStream.end(() => resolve()));
  });
  await runner.start();
  await ensureNginxIngressClass(kube);
  const traefik = await startTraefik({ binary: traefikBinary, kubeconfig: c.kubeconfig, namespace });
  resources.add('traefik', () => traefik.stop());
  const prometheus = await startPrometheus({ scrapeTargets: [traefik.metricsTarget], env: c.env });
  resources.add('prometheus', () => prometheus.stop());
  const loadTester = await startLoadTester({ resolver: serviceResolver(kube) });
  resources.add('load tester', () => loadTester.close());
  for (const url of [traefik.url, traefik.metricsUrl, traefik.apiUrl, prometheus.url, loadTester.url])
    resources.ports.add(portOf(url));
  say(
    `pod runner: one real HTTP process per Running pod of ${namespace} on its pod IP (log ${runnerLog}); ` +
      `Traefik ${traefik.url} (ingress-nginx provider), Prometheus ${prometheus.url} scraping Traefik ` +
      `every 1s, load tester ${loadTester.url}`,
  );

  let latest: TrafficCounts = { primary: 0, canary: 0, primaryErrors: 0, canaryErrors: 0 };
  const countNow = async (): Promise<TrafficCounts> => {
    const { primary, canary, primaryErrors, canaryErrors, canaryDirect } = appCounts(
      await runner.counters(namespace),
      APP,
    );
    latest = { primary, canary, primaryErrors, canaryErrors, canaryDirect };
    return latest;
  };
  let generator: LoadGenerator | undefined;
  let failingRelease: string | undefined;
  return {
    kind: 'traefik',
    prometheusUrl: prometheus.url,
    loadTesterUrl: loadTester.url,
    canaryUrl: `http://${APP}-canary.${namespace}`,
    canarySpec: { ingressController: 'traefik' },
    // KWOK reports a pod Ready at once and its process listens a moment later: the operator waits for
    // available replicas, so with this it sends no traffic to a pod whose process may not listen yet.
    minReadySeconds: 1,
    countedBy: "the pods' own counters",
    async startTraffic() {
      const started = startLoadGenerator({
        url: traefik.url,
        host: APP_HOST,
        rps: c.rps,
        maxDurationMs: c.maxTrafficMs,
      });
      generator = started;
      resources.add('load generator', () => started.stop());
      const poll = setInterval(() => void countNow().catch(() => undefined), COUNT_EVERY_MS);
      resources.add('pod counts', async () => clearInterval(poll));
      return `load generator: ${c.rps} requests/s through Traefik ${traefik.url} with Host: ${APP_HOST}`;
    },
    counts: () => latest,
    countNow,
    async release(to, errorRate) {
      failingRelease = errorRate ? to : undefined;
      const image = await releasePodTemplate(kube, namespace, APP, to, errorRate);
      return (
        `kubectl -n ${namespace} set image deployment/${APP} ${APP}=${image}` +
        (errorRate
          ? ` plus env FAULT_RATE=${errorRate}: its pods answer ${errorRate * 100}% of requests with 500`
          : '')
      );
    },
    weightChanged(weight) {
      if (failingRelease === undefined || weight <= 0) return undefined;
      const version = failingRelease;
      failingRelease = undefined;
      return `${version} passed its acceptance test and its pods take ${weight}% of the traffic through Traefik`;
    },
    releaseDone() {
      failingRelease = undefined;
    },
    // Once the Ingress says so (so an older state Traefik still has is not mistaken for it), Traefik's
    // own API must show the canary backend at weight 0.
    async routesWeightZero(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const ing = await kube.networking.readNamespacedIngress({ name: `${APP}-canary`, namespace });
        if (ing.metadata?.annotations?.[WEIGHT] === '0') {
          if (await routesIngressAt(traefik.apiUrl, namespace, APP, 0)) return true;
        }
        await sleep(20);
      }
      return false;
    },
    summaryLines() {
      const s = generator?.stats();
      if (!s) return [];
      const statuses = Object.entries(s.statuses)
        .map(([status, n]) => `${status === '0' ? 'no answer' : status} ${n}`)
        .join(', ');
      return [
        `  load generator   sent ${s.sent} through Traefik (answers: ${statuses}; dropped ${s.dropped})`,
      ];
    },
    reachHints: () => [
      `  (the pod template still carries FAULT_RATE from release 2: \`kubectl -n ${namespace} set env ` +
        `deployment/${APP} FAULT_RATE-\` first makes the next release a good one)`,
      `  curl -H 'Host: ${APP_HOST}' ${traefik.url}/`,
      `  curl ${traefik.apiUrl}/http/services     # Traefik's routing, the canary's weight`,
      `  Prometheus ${prometheus.url}`,
    ],
  };
}
