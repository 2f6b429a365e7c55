/**
 * The e2e environment on a real proxy (`npm run e2e`, inside hack/in-netns.sh's network namespace): the
 * control plane of e2e/global-setup.ts, whose pods get addresses from 198.18.0.0/16 and one real HTTP
 * process each from the pod runner (a SIMULATION of the kubelet's containers, src/podrunner); one real
 * Traefik serving every namespace's Ingresses with its ingress-nginx provider (which honours the canary
 * annotations Kanaria writes) and, with its Gateway API provider, the HTTPRoutes on the Gateway an app
 * gets with AppOptions.entry `gateway` or `both` (a listener on Traefik's web port; requests through it
 * carry the Host `gw-<namespace>.e2e.local`, those through the Ingress `<namespace>.e2e.local`); one real
 * Prometheus scraping Traefik alone; the operator as its own
 * process reading Traefik's series (`spec.ingressController: traefik`); Kanaria's load tester for the
 * webhooks; and per app and entry path a load generator sending user traffic through Traefik.
 *
 * What reached which version is what the pods' own processes counted (src/realproxy/pod-counts.ts). Webhooks reach
 * the canary pods through the load tester, which resolves `http://<service>.<namespace>/` to a ready
 * endpoint of the Service when it runs (no kube-proxy here: ClusterIPs route nowhere).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { applyObjects, podinfoObjects, releasePodTemplate } from '../src/demo/app.ts';
import { startLoadTester, type LoadTester } from '../src/demo/loadtester.ts';
import { serviceResolver } from '../src/demo/service-resolver.ts';
import { startPrometheus, type PrometheusServer } from '../src/devcluster/prometheus.ts';
import { createKube, type Kube } from '../src/kube/client.ts';
import { ensureTraefikGatewayClass, gatewayConditions, traefikGateway } from '../src/realproxy/gateway.ts';
import { ensureNginxIngressClass } from '../src/realproxy/ingress-class.ts';
import { startLoadGenerator, type LoadGenerator } from '../src/realproxy/load-generator.ts';
import { appCounts, processCounters, processesRunning } from '../src/realproxy/pod-counts.ts';
import { startTraefik, type Traefik } from '../src/realproxy/traefik.ts';
import { gatewayRouteWeights, routesIngressAt } from '../src/realproxy/traefik-api.ts';
import { freshNamespace, waitFor } from '../test/integration/helpers.ts';
import { waitForProcesses } from '../test/realpods/helpers.ts';
import type {
  AppGateway,
  AppOptions,
  AppUnderTest,
  E2EEnvironment,
  EntryPath,
  OperatorUnderTest,
} from './harness.ts';
import { loadTesterHooks } from './hooks.ts';
import { canaryShare, hasConditions, httpRouteRules, ruleShare } from './http-route.ts';
import { startLocalOperator } from './operator.ts';

/** Between Traefik's API showing a configuration and its handlers serving it: a few ms; kept wide. */
const API_TO_ROUTING_MS = 50;
/** Prometheus needs a few scrapes of a new target before rates over it mean anything. */
const PROMETHEUS_WARM_UP_MS = 5000;
interface Shared {
  kube: Kube;
  traefik: Traefik;
  loadTester: LoadTester;
  /** The pod runner's status server (e2e/global-setup.ts). */
  runnerUrl: string;
}

/** The header (name) every user request through `path` carries: `x-entry-ingress`, `x-entry-gateway`. */
export function entryHeader(path: EntryPath): string {
  return `x-entry-${path}`;
}

function addStatuses(into: Record<string, number>, from: Record<string, number>): void {
  for (const [status, n] of Object.entries(from)) into[status] = (into[status] ?? 0) + n;
}

async function traefikApp(
  { kube, traefik, loadTester, runnerUrl }: Shared,
  namespace: string,
  options: AppOptions,
): Promise<AppUnderTest> {
  const name = 'podinfo';
  const entry = options.entry ?? 'ingress';
  // Two entry paths on one Traefik (its web entry point) are told apart by the Host of the request.
  const hosts: Record<EntryPath, string> = {
    ingress: `${namespace}.e2e.local`,
    gateway: `gw-${namespace}.e2e.local`,
  };
  // minReadySeconds: KWOK reports a pod Ready at once, its process listens a moment later; the operator
  // waits for available replicas, so it sends no traffic to pods whose process may not listen yet.
  await applyObjects(kube, await podinfoObjects({ namespace, host: hosts.ingress, minReadySeconds: 1 }));
  let gateway: AppGateway | undefined;
  if (entry !== 'ingress') {
    gateway = {
      name: await traefikGateway(kube, { namespace, port: traefik.webPort }),
      host: hosts.gateway,
      listenerPort: traefik.webPort,
      url: traefik.url,
    };
    const gw = gateway.name;
    await waitFor(
      `Gateway ${gw} Accepted and Programmed by Traefik`,
      async () => {
        const c = await gatewayConditions(kube, namespace, gw);
        return ['Accepted', 'Programmed'].every((t) => c.some((x) => x.type === t && x.status === 'True'));
      },
      30_000,
      100,
    );
  }
  await waitForProcesses(kube, namespace, `app=${name}`, 2);
  const generators = new Map<EntryPath, LoadGenerator>();
  // Answers of generators already stopped, so a path's tally covers every rate it had.
  const answered: Record<EntryPath, Record<string, number>> = { ingress: {}, gateway: {} };
  const failedAt: Record<EntryPath, { at: number; status: number }[]> = { ingress: [], gateway: [] };
  const traffic = async (path: EntryPath, rps: number) => {
    if (path === 'gateway' && !gateway)
      throw new Error(`${namespace}: the app has no Gateway (AppOptions.entry)`);
    const old = generators.get(path);
    generators.delete(path);
    if (rps > 0)
      generators.set(
        path,
        startLoadGenerator({
          url: traefik.url,
          host: hosts[path],
          rps,
          traffic: options.traffic,
          // The pods count header names: this one tells which entry path a request took.
          headers: { [entryHeader(path)]: '1' },
        }),
      );
    await old?.stop();
    if (old) {
      addStatuses(answered[path], old.stats().statuses);
      failedAt[path].push(...old.failures());
    }
  };
  const answers = (path: EntryPath) => {
    const all = { ...answered[path] };
    const running = generators.get(path);
    if (running) addStatuses(all, running.stats().statuses);
    return all;
  };
  const rps = options.rps ?? 40;
  if (entry !== 'gateway') await traffic('ingress', rps);
  if (entry !== 'ingress') await traffic('gateway', rps);
  const abHeaders = [options.abHeader ?? 'x-canary'].flat();
  const canaryUrl = `http://${name}-canary.${namespace}`;

  // Observed through Traefik itself: once the canary Ingress says so (so an older state Traefik still
  // has is not mistaken for it), its API must show the canary backend at that weight.
  const ingressRoutedAt = async (weight: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    await waitFor(
      `canary weight ${weight} on the Ingress`,
      async () => {
        const ing = await kube.networking.readNamespacedIngress({ name: `${name}-canary`, namespace });
        return ing.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] === String(weight);
      },
      timeoutMs,
      20,
    );
    await waitFor(
      `canary weight ${weight} in Traefik`,
      async () => routesIngressAt(traefik.apiUrl, namespace, name, weight),
      Math.max(1_000, deadline - Date.now()),
      20,
    );
  };
  // The same for the Gateway: the HTTPRoute's weighted rule first, then the weighted service Traefik's
  // Gateway provider made of that rule (`…-<rule>-<hash>-wrr`).
  const gatewayRoutedAt = async (weight: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const rule = await waitFor(
      `canary weight ${weight} on the HTTPRoute ${name}`,
      async () => {
        const rules = await httpRouteRules(kube, namespace, name);
        const index = rules ? rules.findIndex((r) => !hasConditions(r)) : -1;
        if (!rules || index < 0) return undefined;
        return ruleShare(rules[index], `${name}-canary`) === weight ? { index } : undefined;
      },
      timeoutMs,
      20,
    );
    await waitFor(
      `canary weight ${weight} in Traefik's services of the HTTPRoute ${name}`,
      async () => {
        const served = (
          await gatewayRouteWeights(traefik.apiUrl, namespace, name, { gateway: gateway?.name })
        ).filter((r) => r.rule === rule.index);
        return (
          served.length > 0 && served.every((r) => canaryShare([...r.weights], `${name}-canary`) === weight)
        );
      },
      Math.max(1_000, deadline - Date.now()),
      20,
    );
  };

  // The ingress-nginx provider routes canary-by-header by a router `…-canary` whose rule adds
  // Header("<name>", "<value>") and whose service is the canary's `<ns>-<ingress>-<service>-<port>-canary`.
  const headerRouted = async (header: string) => {
    const res = await fetch(`${traefik.apiUrl}/http/routers?per_page=1000`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`traefik ${traefik.apiUrl}/http/routers: ${res.status}`);
    return ((await res.json()) as { rule?: string; service?: string }[]).some(
      (r) =>
        (r.service ?? '').startsWith(`${namespace}-${name}-`) &&
        (r.service ?? '').replace(/@.*$/, '').endsWith('-canary') &&
        // Header(...) for a header, HeaderRegexp("Cookie", ...) for ingress-nginx's canary-by-cookie.
        ['Header', 'HeaderRegexp'].some((f) => (r.rule ?? '').includes(`${f}(${JSON.stringify(header)}`)),
    );
  };

  return {
    namespace,
    name,
    gateway,
    traffic,
    answers,
    failures: (path: EntryPath) => [...failedAt[path], ...(generators.get(path)?.failures() ?? [])],
    async counts() {
      const processes = await processCounters(runnerUrl, namespace);
      const [first, ...more] = abHeaders.map((header) =>
        appCounts(processes, name, { header, cookie: options.abCookie }),
      );
      // Only user requests carry the A/B header or cookie: what the primary's pods counted of it.
      const primaryMatched = processes
        .filter((p) => p.labels.app === `${name}-primary`)
        .reduce(
          (sum, { counters }) =>
            sum +
            (options.abCookie
              ? (counters.cookieNames[options.abCookie] ?? 0)
              : (counters.headerNames[abHeaders[0].toLowerCase()] ?? 0)),
          0,
        );
      return {
        ...first,
        canaryUnmatched: Math.max(first.canaryUnmatched, ...more.map((c) => c.canaryUnmatched)),
        primaryMatched,
      };
    },
    async routedAt(weight, timeoutMs = 10_000, path = entry === 'gateway' ? 'gateway' : 'ingress') {
      if (path === 'gateway') await gatewayRoutedAt(weight, timeoutMs);
      else await ingressRoutedAt(weight, timeoutMs);
      await sleep(API_TO_ROUTING_MS);
      return Date.now();
    },
    async headerRoutedAt(header, present, timeoutMs = 10_000) {
      await waitFor(
        `header route ${header} ${present ? 'in' : 'gone from'} Traefik`,
        async () => (await headerRouted(header)) === present,
        timeoutMs,
        20,
      );
      await sleep(API_TO_ROUTING_MS);
      return Date.now();
    },
    targetStopped: () =>
      waitFor(
        "the target's pod processes to stop",
        async () => !(await processesRunning(runnerUrl, namespace, name)),
        30_000,
        100,
      ).then(() => undefined),
    release: async (version, { errorRate } = {}) => {
      await releasePodTemplate(kube, namespace, name, version, errorRate);
    },
    errorsReachHooks: true,
    hooks: loadTesterHooks(loadTester.url, canaryUrl),
    async stop() {
      for (const path of [...generators.keys()]) await traffic(path, 0);
    },
  };
}

export async function traefikEnvironment(kubeconfig: string): Promise<E2EEnvironment> {
  const kube = createKube(kubeconfig);
  await ensureNginxIngressClass(kube);
  await ensureTraefikGatewayClass(kube);
  let traefik: Traefik | undefined;
  let prometheus: PrometheusServer | undefined;
  let loadTester: LoadTester | undefined;
  try {
    // Retries of connection errors: see TraefikOptions.retryAttempts (a simulated pod is Ready before it listens).
    traefik = await startTraefik({ kubeconfig, gatewayApi: true, retryAttempts: 4 });
    prometheus = await startPrometheus({ scrapeTargets: [traefik.metricsTarget] });
    loadTester = await startLoadTester({ resolver: serviceResolver(kube) });
  } catch (err) {
    await prometheus?.stop();
    await traefik?.stop();
    throw err;
  }
  const promStarted = Date.now();
  const shared: Shared = { kube, traefik, loadTester, runnerUrl: inject('podRunnerUrl') };
  const prom = prometheus;
  const apps: AppUnderTest[] = [];
  const operators: OperatorUnderTest[] = [];
  return {
    kind: 'traefik',
    kube,
    kubeconfig,
    prometheusUrl: prom.url,
    // Traefik's ingress-nginx provider names the canary's service after the primary backend, with
    // -canary (see README); its Gateway provider after the route and the canary Service's backendRef.
    canaryRequestsQuery: (namespace) =>
      `sum(traefik_service_requests_total{service=~"${namespace}-.*-canary@kubernetesingressnginx|httproute-${namespace}-.*-svc-${namespace}-.*-canary-[0-9]+@kubernetesgateway"})`,
    canarySpec: { ingressController: 'traefik' },
    localReceiversReachable: true,
    loadTesterCalls: () => shared.loadTester.calls,
    namespace: (prefix) => freshNamespace(kube, prefix),
    async deployApp(namespace, options = {}) {
      const app = await traefikApp(shared, namespace, options);
      apps.push(app);
      const warm = promStarted + PROMETHEUS_WARM_UP_MS - Date.now();
      if (warm > 0) await sleep(warm);
      return app;
    },
    async startOperator(namespace) {
      const op = await startLocalOperator(kubeconfig, namespace, prom.url);
      operators.push(op);
      return op;
    },
    async stop() {
      for (const op of operators) await op.stop();
      for (const app of apps) await app.stop();
      await shared.loadTester.close();
      await prom.stop();
      await shared.traefik.stop();
    },
  };
}
