/**
 * The demo's SIMULATED data plane (`kanaria demo --data-plane simulated`, and the fallback where no
 * network namespace can be made): two test backends on 127.0.0.1 behind the simulated ingress-nginx,
 * which splits its requests by the canary Ingress's weight the way ingress-nginx's balancer does and
 * records `nginx_ingress_controller_*` series for the real Prometheus. A bad release is injected into the
 * canary backend once it takes traffic (the backends are not the pods).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TestBackend } from '../dataplane/backend.ts';
import { SimulatedNginx } from '../dataplane/dataplane.ts';
import { SimulatedNginxExporter } from '../dataplane/exporter.ts';
import { startPrometheus } from '../devcluster/prometheus.ts';
import { setImage } from './app.ts';
import { portOf, type DemoDataPlane, type PlaneContext, type TrafficCounts } from './data-plane.ts';
import { startLoadTester } from './loadtester.ts';

export async function startSimulatedPlane(c: PlaneContext): Promise<DemoDataPlane> {
  const { resources, say } = c;
  const primary = await TestBackend.start({ name: 'podinfo-primary' });
  resources.add('primary test backend', () => primary.close());
  const canary = await TestBackend.start({ name: 'podinfo-canary' });
  resources.add('canary test backend', () => canary.close());
  const exporter = new SimulatedNginxExporter();
  await exporter.listen(0);
  resources.add('simulated ingress-nginx /metrics', () => exporter.close());
  const prometheus = await startPrometheus({ scrapeTargets: [exporter.target!], env: c.env });
  resources.add('prometheus', () => prometheus.stop());
  const loadTester = await startLoadTester();
  resources.add('load tester', () => loadTester.close());
  for (const port of [primary.port, canary.port, prometheus.port, loadTester.port, portOf(exporter.target!)])
    resources.ports.add(port);
  say(
    `test backends ${primary.url} (primary) and ${canary.url} (canary), Prometheus ${prometheus.url} ` +
      `scraping the simulated ingress-nginx at ${exporter.target} every 1s, load tester ${loadTester.url}`,
  );

  const sim = new SimulatedNginx({
    kube: c.kube,
    namespace: c.namespace,
    ingress: 'podinfo',
    primary,
    canary,
    exporter,
    rps: c.rps,
    maxDurationMs: c.maxTrafficMs,
  });
  let pendingErrorRate: number | undefined;
  const counts = (): TrafficCounts => {
    const s = sim.stats;
    return {
      primary: s.primary,
      canary: s.canary,
      primaryErrors: s.errors.primary,
      canaryErrors: s.errors.canary,
    };
  };
  return {
    kind: 'simulated',
    prometheusUrl: prometheus.url,
    loadTesterUrl: loadTester.url,
    canaryUrl: canary.url,
    canarySpec: {},
    countedBy: 'the simulated ingress-nginx',
    async startTraffic() {
      await sim.start();
      resources.add('simulated traffic', () => sim.stop());
      return `simulated ingress-nginx: ${c.rps} requests/s to app.example.com, split by the podinfo-canary Ingress`;
    },
    counts,
    countNow: async () => counts(),
    async release(to, errorRate) {
      pendingErrorRate = errorRate;
      const image = await setImage(c.kube, c.namespace, to);
      return `kubectl -n ${c.namespace} set image deployment/podinfo podinfo=${image}`;
    },
    weightChanged(weight) {
      if (pendingErrorRate === undefined || weight <= 0) return undefined;
      const rate = pendingErrorRate;
      pendingErrorRate = undefined;
      canary.setErrorRate(rate);
      return (
        `the new version passed its acceptance test and takes ${weight}% of the traffic: its backend now ` +
        `answers ${rate * 100}% of requests with 500`
      );
    },
    releaseDone() {
      pendingErrorRate = undefined;
      canary.setErrorRate(0);
    },
    async routesWeightZero(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (sim.routes?.rules?.weight !== 0 && Date.now() < deadline) await sleep(20);
      return sim.routes?.rules?.weight === 0;
    },
    summaryLines() {
      const s = sim.stats;
      return [
        `  generated        ${s.primary + s.canary} requests, ${s.dropped} dropped, ${s.unrouted} unrouted`,
      ];
    },
    reachHints: () => [
      `  Prometheus ${prometheus.url} (the simulated nginx_ingress_controller_* series)`,
      `  test backends ${primary.url} and ${canary.url}`,
    ],
  };
}
