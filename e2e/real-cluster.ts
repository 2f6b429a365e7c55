/**
 * The e2e environment on a real cluster (kind with ingress-nginx, Prometheus and Kanaria installed from
 * charts/kanaria; see e2e/kind/). Thin on purpose: real podinfo pods serve the app, user traffic goes
 * through the ingress controller at KANARIA_E2E_INGRESS_URL, Flagger's load tester in namespace
 * `kanaria-e2e` runs the webhooks, and the operator is the one the chart installed.
 *
 * Which version answered is read from podinfo's JSON (`hostname` is the pod name: `podinfo-primary-…`
 * for the primary); a bad release's errors are injected the way the Flagger tutorial does it, by
 * requesting `/status/500` for a share of the traffic.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyObjects, podinfoObjects, setImage } from '../src/demo/app.ts';
import { createKube, type Kube } from '../src/kube/client.ts';
import { freshNamespace, waitFor } from '../test/integration/helpers.ts';
import {
  ingressOnlyOptions,
  nginxCanaryRequestsQuery,
  type AppOptions,
  type AppUnderTest,
  type E2EEnvironment,
  type TrafficProfile,
} from './harness.ts';

const SETTLE_MS = 3000; // ingress-nginx applies canary weights through its Lua balancer within ~1s

interface Answer {
  status: number;
  hostname?: string;
}

function get(url: URL, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(url, { headers, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body.length < 4096 ? (body += c) : undefined));
      res.on('end', () => {
        let hostname: string | undefined;
        try {
          hostname = (JSON.parse(body) as { hostname?: string }).hostname;
        } catch {
          // not podinfo's JSON (an error page)
        }
        resolve({ status: res.statusCode ?? 0, hostname });
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0 }));
    req.end();
  });
}

function generator(
  base: URL,
  host: string,
  name: string,
  options: AppOptions,
): Omit<AppUnderTest, 'namespace' | 'name' | 'routedAt' | 'hooks' | 'release'> & {
  setErrorRate(rate: number): void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const rps = options.rps ?? 20;
  const profiles: TrafficProfile[] = options.traffic ?? [];
  const header = (ingressOnlyOptions('cluster', options) ?? 'x-canary').toLowerCase();
  const counts = { primary: 0, canary: 0, canaryUnmatched: 0 };
  let errorRate = 0;
  let seq = 0;
  let inFlight = 0;
  const tick = () => {
    if (inFlight >= 50) return;
    const u = (seq++ * 0.6180339887498949) % 1;
    let acc = 0;
    const profile = profiles.find((p) => (acc += p.share) > u);
    const cookie = Object.entries(profile?.cookies ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const headers: Record<string, string> = { host, ...profile?.headers, ...(cookie ? { cookie } : {}) };
    const matched = options.abCookie
      ? profile?.cookies?.[options.abCookie] !== undefined
      : headers[header] !== undefined;
    const path = (seq * 0.7548776662466927) % 1 < errorRate ? '/status/500' : '/';
    inFlight += 1;
    void get(new URL(path, base), headers, agent).then((a) => {
      inFlight -= 1;
      if (a.hostname?.startsWith(`${name}-primary-`)) counts.primary += 1;
      else if (a.hostname?.startsWith(`${name}-`)) {
        counts.canary += 1;
        if (!matched) counts.canaryUnmatched += 1;
      }
    });
  };
  const timer = setInterval(tick, 1000 / rps);
  const deadline = setTimeout(() => clearInterval(timer), 240_000);
  return {
    counts: async () => ({ ...counts }),
    setErrorRate: (rate) => {
      errorRate = rate;
    },
    errorsReachHooks: false,
    async stop() {
      clearInterval(timer);
      clearTimeout(deadline);
      while (inFlight > 0) await sleep(50);
      agent.destroy();
    },
  };
}

async function deploymentReady(kube: Kube, namespace: string, name: string): Promise<boolean> {
  const d = await kube.apps.readNamespacedDeployment({ name, namespace });
  return (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1);
}

export async function realClusterEnvironment(
  kubeconfig: string,
  vars: NodeJS.ProcessEnv,
): Promise<E2EEnvironment> {
  const kube = createKube(kubeconfig);
  const ingress = new URL(vars.KANARIA_E2E_INGRESS_URL!);
  const prometheusUrl = vars.KANARIA_E2E_PROMETHEUS_URL;
  if (!prometheusUrl) throw new Error('KANARIA_E2E_PROMETHEUS_URL is required with KANARIA_E2E_INGRESS_URL');
  const gateUrl = vars.KANARIA_E2E_GATE_URL ?? 'http://kanaria.kanaria-system:8081';
  const loadTester = vars.KANARIA_E2E_LOADTESTER_URL ?? 'http://flagger-loadtester.kanaria-e2e/';
  const apps: AppUnderTest[] = [];
  return {
    kind: 'cluster',
    kube,
    kubeconfig,
    prometheusUrl,
    canaryRequestsQuery: nginxCanaryRequestsQuery,
    localReceiversReachable: false,
    namespace: (prefix) => freshNamespace(kube, prefix),
    async deployApp(namespace, options = {}) {
      const name = 'podinfo';
      const host = `${namespace}.e2e.local`;
      await applyObjects(kube, await podinfoObjects({ namespace, host }));
      await waitFor(`deployment ${name} ready`, () => deploymentReady(kube, namespace, name), 180_000, 1000);
      const canarySvc = `http://${name}-canary.${namespace}`;
      const cmd = (hookName: string, type: 'pre-rollout' | 'rollout', command: string) => ({
        name: hookName,
        type,
        url: loadTester,
        timeout: '30s',
        metadata: { type: 'bash', cmd: command },
      });
      const { setErrorRate, ...traffic } = generator(ingress, host, name, options);
      const app: AppUnderTest = {
        namespace,
        name,
        ...traffic,
        // Real podinfo has no fault switch in its env: the user traffic asks for 500s instead.
        async release(version, { errorRate = 0 } = {}) {
          setErrorRate(errorRate);
          await setImage(kube, namespace, version);
        },
        async routedAt(weight, timeoutMs = 30_000) {
          await waitFor(
            `canary weight ${weight} on the Ingress`,
            async () => {
              const ing = await kube.networking.readNamespacedIngress({ name: `${name}-canary`, namespace });
              return (
                ing.metadata?.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] === String(weight)
              );
            },
            timeoutMs,
            100,
          );
          await sleep(SETTLE_MS);
          return Date.now();
        },
        hooks: {
          acceptance: () =>
            cmd('acceptance-test', 'pre-rollout', `curl -sd 'test' ${canarySvc}/token | grep token`),
          // Without a type, Flagger's load tester runs the command in the background, as in its tutorial.
          load: () => ({
            name: 'load-test',
            type: 'rollout',
            url: loadTester,
            timeout: '5s',
            metadata: { cmd: `hey -z 1s -q 10 -c 2 ${canarySvc}/` },
          }),
          smoke: () => cmd('smoke-test', 'rollout', `curl -sf ${canarySvc}/`),
        },
      };
      apps.push(app);
      return app;
    },
    async startOperator() {
      return { gateUrl, output: () => '', stop: async () => undefined };
    },
    async stop() {
      for (const app of apps) await app.stop();
    },
  };
}
