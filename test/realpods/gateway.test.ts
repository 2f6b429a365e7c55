/**
 * Traefik's Gateway API provider (providers.kubernetesGateway) in front of pod processes: HTTPRoutes on a
 * Gateway whose listener is Traefik's web entry point, weights and header matches checked by the pods'
 * own counters, and the route status Traefik writes.
 *
 * Recorded with Traefik 3.7.13 and Gateway API v1.6.1 (run of 2026-12-01):
 * - The service label of each weighted backend of rule 0 of HTTPRoute `split` (Gateway `gateway`, entry
 *   point `web`) in namespace <ns>:
 *     httproute-<ns>-split-gw-<ns>-gateway-ep-web-0-<hash>-svc-<ns>-app-a-0@kubernetesgateway  (weight 80)
 *     httproute-<ns>-split-gw-<ns>-gateway-ep-web-0-<hash>-svc-<ns>-app-b-1@kubernetesgateway  (weight 20)
 *   e.g. httproute-gateway-03d3e3e5-split-gw-gateway-03d3e3e5-gateway-ep-web-0-3c2bd04ffee3d19850b0-svc-
 *   gateway-03d3e3e5-app-b-1@kubernetesgateway (one label, wrapped here). <hash> is 20 hex digits (the
 *   first 10 bytes of a SHA-256 over namespace, route, Gateway namespace and name, entry point, rule index
 *   and the Traefik rule built from the match, hostnames included), the same for both backends; a rule
 *   with several matches becomes one router per match, each with its own hash and its own services
 *   (read in Traefik's source, pkg/provider/kubernetes/gateway/httproute.go; not measured here). The
 *   last number is the backendRef's index in the rule. Match the hash with [0-9a-f]{20}, do not compute it.
 *   The weighted service itself (`…-<hash>-wrr`) has no series of its own.
 * - A parentRef naming a Gateway that does not exist gets no status from Traefik at all (it only writes
 *   status for parents that are its Gateways); a Gateway whose listener does not allow the route's
 *   namespace gets Accepted=False reason NotAllowedByListeners; a sectionName no listener has gets
 *   Accepted=False reason NoMatchingParent.
 * KANARIA_RECORD_GATEWAY_ANSWERS=1 (with namespace `test`) rewrites
 * src/checks/metrics/testdata/traefik-gateway-answers.json from a real Prometheus scraping this Traefik.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Kube } from '../../src/kube/client.ts';
import { startPrometheus, type PrometheusServer } from '../../src/devcluster/prometheus.ts';
import { gatewayConditions, httpRouteParents, traefikGateway } from '../../src/realproxy/gateway.ts';
import { findTraefik, startTraefik, TRAEFIK_MISSING, type Traefik } from '../../src/realproxy/traefik.ts';
import { freshNamespace, load, testKube, waitFor, waitForProcesses } from './helpers.ts';
import {
  app,
  appTallies,
  gatewayServiceRequests,
  httpRoute,
  promQuery,
  tallyDelta,
} from './gateway-helpers.ts';
import { recordGatewayAnswers, RECORDING, recordingNamespace } from './gateway-record.ts';

const traefikBinary = await findTraefik();
if (!traefikBinary) throw new Error(`realpods: ${TRAEFIK_MISSING}`);

const REQUESTS = 2_000;
const CANARY_WEIGHT = 20;
const SPLIT_HOST = 'split.example.local';
const AB_HOST = 'ab.example.local';
const BOTH = { 'x-canary': 'yes', 'x-team': 'qa' };
const PER_KIND = 100;

describe('Traefik (Gateway API provider) in front of pod processes', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let proxy: Traefik | undefined;
  let prometheus: PrometheusServer | undefined;
  let namespace: string;

  beforeAll(async () => {
    kube = testKube();
    ns = RECORDING ? await recordingNamespace(kube) : await freshNamespace(kube, 'gateway');
    namespace = ns.name;
    await app(kube, namespace, 'app-a', '1.0.0');
    await app(kube, namespace, 'app-b', '2.0.0');
    await waitForProcesses(kube, namespace, 'app=app-a', 2);
    await waitForProcesses(kube, namespace, 'app=app-b', 2);
    proxy = await startTraefik({
      binary: traefikBinary,
      kubeconfig: inject('kubeconfig'),
      namespace,
      gatewayApi: true,
    });
    prometheus = await startPrometheus({ scrapeTargets: [proxy.metricsTarget] });
    // Its first scrape comes about 5 s after start (target discovery's update interval); the series must
    // be scraped before the traffic, or rate() over them finds a single sample.
    const url = prometheus.url;
    await waitFor('Prometheus to scrape Traefik', async () => {
      const { data } = (await promQuery(url, 'up')) as { data: { result: unknown[] } };
      return data.result.length > 0;
    });
    await traefikGateway(kube, { namespace, port: proxy.webPort });
    // Its listener only allows routes from namespaces with a label no namespace has.
    await traefikGateway(kube, {
      namespace,
      name: 'closed',
      port: proxy.webPort,
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchLabels: { 'kanaria.dev/gateway': 'granted' } } },
      },
    });
    const a = { name: 'app-a', port: 80 };
    const b = { name: 'app-b', port: 80 };
    await httpRoute(kube, namespace, 'split', SPLIT_HOST, { name: 'gateway' }, [
      {
        backendRefs: [
          { ...a, weight: 100 - CANARY_WEIGHT },
          { ...b, weight: CANARY_WEIGHT },
        ],
      },
    ]);
    const both = Object.entries(BOTH).map(([name, value]) => ({ name, value }));
    await httpRoute(kube, namespace, 'ab', AB_HOST, { name: 'gateway' }, [
      { matches: [{ headers: both }], backendRefs: [b] },
      { backendRefs: [a] },
    ]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await proxy?.stop();
    await ns?.cleanup();
  });

  const traefikFailure = async (err: Error) => {
    throw new Error(`${err.message}\n--- traefik log:\n${await proxy!.logTail(30)}`);
  };

  it('Traefik accepts the Gateway and programs its listener', async () => {
    const conditions = await waitFor('Gateway Accepted and Programmed', async () => {
      const c = await gatewayConditions(kube, namespace, 'gateway');
      const ok = ['Accepted', 'Programmed'].every((t) => c.some((x) => x.type === t && x.status === 'True'));
      return ok && c;
    }).catch(traefikFailure);
    console.log(
      `Gateway conditions: ${conditions!.map((c) => `${c.type}=${c.status} (${c.reason})`).join(', ')}`,
    );
  });

  it(`splits ${REQUESTS} requests 80/20 by backendRef weights: the pods' own counters show it`, async () => {
    const url = `${proxy!.url}/`;
    await waitFor('Traefik to route the HTTPRoute to both backends', async () => {
      const { versions } = await load(url, SPLIT_HOST, 10, 1);
      return versions['1.0.0'] > 0 && versions['2.0.0'] > 0;
    }).catch(traefikFailure);
    const before = await appTallies(namespace);
    const traefikBefore = await gatewayServiceRequests(proxy!.metricsUrl);
    const { versions, statuses } = await load(url, SPLIT_HOST, REQUESTS);
    const after = await appTallies(namespace);
    const a = tallyDelta(after['app-a'], before['app-a']).requests;
    const b = tallyDelta(after['app-b'], before['app-b']).requests;
    const traefikAfter = await gatewayServiceRequests(proxy!.metricsUrl);
    const traefik = [...traefikAfter].map(([service, n]) => [service, n - (traefikBefore.get(service) ?? 0)]);
    const p = CANARY_WEIGHT / 100;
    const expected = REQUESTS * p;
    const tolerance = Math.ceil(4 * Math.sqrt(REQUESTS * p * (1 - p)));
    console.log(
      `${REQUESTS} requests through the Gateway listener: app-b (weight ${CANARY_WEIGHT}) served ${b} ` +
        `(expected ${expected} ± ${tolerance}), app-a ${a}; Traefik's services:\n` +
        traefik.map(([s, n]) => `  ${s} ${n}`).join('\n'),
    );
    expect(statuses).toEqual({ 200: REQUESTS });
    expect(a + b).toBe(REQUESTS);
    expect(versions['2.0.0'] ?? 0).toBe(b);
    expect(Math.abs(b - expected)).toBeLessThanOrEqual(tolerance);

    const label = (service: string, index: number) =>
      new RegExp(
        `^httproute-${namespace}-split-gw-${namespace}-gateway-ep-web-0-[0-9a-f]{20}-svc-${namespace}-${service}-${index}@kubernetesgateway$`,
      );
    const counted = (re: RegExp) => traefik.filter(([s]) => re.test(String(s)));
    expect(counted(label('app-a', 0))).toEqual([[expect.any(String), a]]);
    expect(counted(label('app-b', 1))).toEqual([[expect.any(String), b]]);
  });

  it('a rule with two header matches sends only requests carrying both headers to app-b', async () => {
    const url = `${proxy!.url}/`;
    await waitFor('Traefik to route the header match', async () => {
      const { versions } = await load(url, AB_HOST, 1, 1, BOTH);
      return versions['2.0.0'] === 1;
    }).catch(traefikFailure);
    const before = await appTallies(namespace);
    const kinds: Record<string, Record<string, string>> = {
      none: {},
      'x-canary only': { 'x-canary': BOTH['x-canary'] },
      'x-team only': { 'x-team': BOTH['x-team'] },
      'x-canary: no, x-team: qa': { ...BOTH, 'x-canary': 'no' },
      both: BOTH,
    };
    const answered: Record<string, Record<string, number>> = {};
    for (const [kind, headers] of Object.entries(kinds))
      answered[kind] = (await load(url, AB_HOST, PER_KIND, 8, headers)).versions;
    const after = await appTallies(namespace);
    const b = tallyDelta(after['app-b'], before['app-b']);
    const a = tallyDelta(after['app-a'], before['app-a']);
    console.log(
      `header matches (${PER_KIND} requests each): ${JSON.stringify(answered)}; app-b's pods counted ` +
        `${b.requests} (x-canary ${b.headers['x-canary'] ?? 0}, x-team ${b.headers['x-team'] ?? 0}), ` +
        `app-a's ${a.requests} (x-canary ${a.headers['x-canary'] ?? 0}, x-team ${a.headers['x-team'] ?? 0})`,
    );
    expect(answered.both).toEqual({ '2.0.0': PER_KIND });
    for (const kind of Object.keys(kinds).filter((k) => k !== 'both'))
      expect(answered[kind], kind).toEqual({ '1.0.0': PER_KIND });
    expect(b).toEqual({
      requests: PER_KIND,
      headers: expect.objectContaining({ 'x-canary': PER_KIND, 'x-team': PER_KIND }),
    });
    expect(a.requests).toBe(4 * PER_KIND);
    expect(a.headers['x-team']).toBe(2 * PER_KIND);
  });

  it("Traefik writes the routes' parent status: Accepted=True and ResolvedRefs=True", async () => {
    for (const route of ['split', 'ab']) {
      const parents = await waitFor(`status.parents of ${route}`, async () => {
        const p = await httpRouteParents(kube, namespace, route);
        return p.length > 0 && p;
      });
      console.log(`${route}: ${JSON.stringify(parents)}`);
      expect(parents).toHaveLength(1);
      expect(parents[0].parentRef).toMatchObject({ name: 'gateway' });
      expect(parents[0].controllerName).toBe('traefik.io/gateway-controller');
      const byType = Object.fromEntries(parents[0].conditions.map((c) => [c.type, [c.status, c.reason]]));
      expect(byType).toEqual({ Accepted: ['True', 'Accepted'], ResolvedRefs: ['True', 'ResolvedRefs'] });
    }
  });

  it('routes whose Gateway does not exist, has no such listener, or does not allow them are not served', async () => {
    const backend = [{ backendRefs: [{ name: 'app-b', port: 80 }] }];
    await httpRoute(kube, namespace, 'refused', 'refused.example.local', { name: 'closed' }, backend);
    await httpRoute(
      kube,
      namespace,
      'nolistener',
      'nolistener.example.local',
      { name: 'gateway', sectionName: 'tls' },
      backend,
    );
    await httpRoute(kube, namespace, 'orphan', 'orphan.example.local', { name: 'no-such-gateway' }, backend);
    const reasons: Record<string, string> = {};
    for (const route of ['refused', 'nolistener']) {
      const parents = await waitFor(`status.parents of ${route}`, async () => {
        const p = await httpRouteParents(kube, namespace, route);
        return p.length > 0 && p;
      }).catch(traefikFailure);
      const accepted = parents!.flatMap((p) => p.conditions).find((c) => c.type === 'Accepted');
      expect(accepted?.status, route).toBe('False');
      reasons[route] = `${accepted?.reason}: ${accepted?.message ?? ''}`;
    }
    // Traefik has written the other routes' status since the orphan was created; it writes none for it.
    const orphan = await httpRouteParents(kube, namespace, 'orphan');
    console.log(
      `not accepted: ${JSON.stringify(reasons)}; orphan's status.parents: ${JSON.stringify(orphan)}`,
    );
    expect(reasons.refused).toMatch(/^NotAllowedByListeners/);
    expect(reasons.nolistener).toMatch(/^NoMatchingParent/);
    expect(orphan).toEqual([]);
    for (const host of ['refused.example.local', 'nolistener.example.local', 'orphan.example.local']) {
      const { statuses, versions } = await load(`${proxy!.url}/`, host, 5, 1);
      expect(statuses, host).toEqual({ 404: 5 });
      expect(versions, host).toEqual({ none: 5 });
    }
  });

  it('Prometheus scrapes the weighted backends under their service labels', async () => {
    const counted = await gatewayServiceRequests(proxy!.metricsUrl);
    const answers = await recordGatewayAnswers(prometheus!.url, namespace, counted);
    console.log(`Prometheus: ${JSON.stringify(answers.series)}`);
    const value = (name: string) =>
      (answers.answers[name].answer as { data: { result: { value: [number, string] }[] } }).data.result.map(
        (r) => Number(r.value[1]),
      );
    expect(value('split canary request-success-rate')).toEqual([100]);
    expect(value('split canary request-duration')).toEqual([expect.any(Number)]);
    expect(value('split requests by service').sort((x, y) => x - y)).toEqual(
      [...counted]
        .filter(([s]) => s.includes('-split-'))
        .map(([, n]) => n)
        .sort((x, y) => x - y),
    );
    if (RECORDING) console.log('recorded src/checks/metrics/testdata/traefik-gateway-answers.json');
  });
});
