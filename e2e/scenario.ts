/** What the scenarios share: creating the Canary, watching a release and printing what it saw. */
import { expect } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary, CanaryAnalysis, CanaryService, CanarySpec, Phase } from '../src/api/types.ts';
import { applyObjects, podinfoCanary } from '../src/demo/app.ts';
import { readCanary } from '../src/kube/canaries.ts';
import type { Kube } from '../src/kube/client.ts';
import { waitFor } from '../test/integration/helpers.ts';
import type { AppUnderTest, E2EEnvironment } from './harness.ts';
import { hasConditions, httpRouteRules, ruleShare, type HttpRouteRule } from './http-route.ts';

export { countsBetween, recordCounts } from './counts-recorder.ts';
export { waitFor };

const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const P = 'nginx.ingress.kubernetes.io';

/** The walkthrough's metrics with windows short enough to react within a few seconds. */
export const WALKTHROUGH_METRICS: CanaryAnalysis['metrics'] = [
  { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '10s' },
  { name: 'request-duration', thresholdRange: { max: 1000 }, interval: '10s' },
];

/**
 * Fields of a Canary spec a scenario sets over the example's: `service` is merged field by field, and a
 * field given as undefined is removed (e.g. `ingressRef: undefined` for provider gatewayapi:v1).
 */
export type CanarySpecOverride = Omit<Partial<CanarySpec>, 'service'> & { service?: Partial<CanaryService> };

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function overSpec(spec: CanarySpec, over: CanarySpecOverride | undefined): CanarySpec {
  if (!over) return spec;
  const { service, ...rest } = over;
  return withoutUndefined({
    ...spec,
    ...rest,
    ...(service ? { service: withoutUndefined({ ...spec.service, ...service }) } : {}),
  });
}

/**
 * The example Canary (examples/podinfo/canary.yaml) with `analysis` over its own, the environment's
 * `canarySpec` and then `spec` (e.g. gatewayCanarySpec()) over the rest, created in `namespace`.
 */
export async function createCanary(
  env: Pick<E2EEnvironment, 'kube' | 'canarySpec'>,
  namespace: string,
  analysis: Partial<CanaryAnalysis>,
  spec?: CanarySpecOverride,
): Promise<Canary> {
  const canary = await podinfoCanary(namespace, { webhooks: [], ...analysis });
  canary.spec = overSpec({ ...canary.spec, ...env.canarySpec }, spec);
  await applyObjects(env.kube, [canary as never]);
  return canary;
}

/**
 * The Canary spec for provider gatewayapi:v1 on the app's Gateway (AppOptions.entry `gateway` or
 * `both`): an HTTPRoute attached to it with the Gateway host, Traefik's series for the built-in
 * metrics, and no ingressRef.
 */
export function gatewayCanarySpec(app: AppUnderTest): CanarySpecOverride {
  if (!app.gateway) throw new Error(`${app.namespace}: the app has no Gateway (AppOptions.entry)`);
  return {
    provider: 'gatewayapi:v1',
    ingressController: 'traefik',
    ingressRef: undefined,
    service: { gatewayRefs: [{ name: app.gateway.name }], hosts: [app.gateway.host] },
  };
}

/** Resolves once user requests reach the primary (its count grows between two reads). */
/**
 * Waits until the primary alone takes the users' traffic: over one second its pods counted new user
 * requests and the target's pods none. Right after initialisation the data plane can still hold the
 * apex Service's old endpoints (the target's first pods) for a moment; a request that lands there
 * would otherwise be counted as a user request to the canary.
 */
export async function waitForPrimaryTraffic(app: AppUnderTest, timeoutMs = 30_000): Promise<void> {
  let last = await app.counts();
  await waitFor(
    'user traffic on the primary only',
    async () => {
      const now = await app.counts();
      const settled = now.primary > last.primary && now.canary === last.canary;
      last = now;
      return settled;
    },
    timeoutMs,
    1000,
  );
}

export async function phaseOf(kube: Kube, namespace: string, name = 'podinfo'): Promise<Phase | undefined> {
  return (await readCanary(kube, namespace, name))?.status?.phase;
}

export async function waitForPhase(
  kube: Kube,
  namespace: string,
  phase: Phase,
  timeoutMs = 120_000,
  name = 'podinfo',
): Promise<Canary> {
  return waitFor(
    `canary ${name} ${phase}`,
    async () => {
      const c = await readCanary(kube, namespace, name);
      return c?.status?.phase === phase ? c : undefined;
    },
    timeoutMs,
    100,
  );
}

export interface RouteSample {
  at: number;
  weight: number;
  header?: string;
  headerValue?: string;
  cookie?: string;
}

const routeKey = (s: RouteSample) => `${s.weight}/${s.header ?? ''}/${s.headerValue ?? ''}/${s.cookie ?? ''}`;

/** Calls `read` every 50ms and keeps each distinct routing state it returns with the time it was seen. */
function pollRoutes(read: () => Promise<RouteSample | undefined>) {
  const samples: RouteSample[] = [];
  let stopped = false;
  const sampleOnce = async () => {
    try {
      const sample = await read();
      const last = samples.at(-1);
      if (sample && (!last || routeKey(last) !== routeKey(sample))) samples.push(sample);
    } catch {
      // not there yet
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await sleep(50);
    }
  })();
  return {
    samples,
    /** Distinct consecutive weights seen. */
    weights: () => samples.map((s) => s.weight).filter((w, i, all) => i === 0 || all[i - 1] !== w),
    /** Stops polling after one last sample, so a change made just before the call is never missed. */
    stop: async () => {
      stopped = true;
      await loop;
      await sampleOnce();
    },
  };
}

/** Polls the canary Ingress every 50ms and keeps each distinct routing state with the time it was seen. */
export function watchRoutes(kube: Kube, namespace: string, ingress = 'podinfo-canary') {
  return pollRoutes(async () => {
    const a = (await kube.networking.readNamespacedIngress({ name: ingress, namespace })).metadata
      ?.annotations;
    const sample: RouteSample = {
      at: Date.now(),
      weight: Number(a?.[WEIGHT] ?? 'NaN'),
      header: a?.[`${P}/canary-by-header`],
      headerValue: a?.[`${P}/canary-by-header-value`],
      cookie: a?.[`${P}/canary-by-cookie`],
    };
    return Number.isFinite(sample.weight) ? sample : undefined;
  });
}

/**
 * What an HTTPRoute Kanaria writes routes by, as a RouteSample: `weight` is the canary's share of the
 * rule without conditions; while a rule with header conditions sends requests to the canary, `header`
 * and `headerValue` list its headers' names and values (comma separated, one match's after another).
 */
export function httpRouteSample(
  rules: HttpRouteRule[],
  at: number,
  canaryService = 'podinfo-canary',
): RouteSample | undefined {
  const weighted = rules.find((r) => !hasConditions(r));
  if (!weighted) return undefined;
  const ab = rules.filter((r) => hasConditions(r) && ruleShare(r, canaryService) > 0);
  const headers = ab.flatMap((r) => (r.matches ?? []).flatMap((m) => m.headers ?? []));
  return {
    at,
    weight: ruleShare(weighted, canaryService),
    ...(headers.length
      ? { header: headers.map((h) => h.name).join(','), headerValue: headers.map((h) => h.value).join(',') }
      : {}),
  };
}

/** Like watchRoutes, for the HTTPRoute of provider gatewayapi:v1 (named after the apex Service). */
export function watchHttpRoute(kube: Kube, namespace: string, route = 'podinfo') {
  return pollRoutes(async () => {
    const rules = await httpRouteRules(kube, namespace, route);
    return rules && httpRouteSample(rules, Date.now());
  });
}

/** Prints what a scenario saw, under its name, so a run's output reads as a report. */
export function report(scenario: string, lines: string[]): void {
  console.log([`[${scenario}]`, ...lines.map((l) => `  ${l}`)].join('\n'));
}

/** The Canary's own events (not its Deployments'), oldest first, as `<type> <note>`. */
export async function eventNotes(kube: Kube, namespace: string, name = 'podinfo'): Promise<string[]> {
  const list = await kube.events.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  return list.items
    .filter((e) => e.regarding?.kind === 'Canary')
    .sort((a, b) => {
      const x = BigInt(a.metadata?.resourceVersion ?? '0');
      const y = BigInt(b.metadata?.resourceVersion ?? '0');
      return x < y ? -1 : x > y ? 1 : 0;
    })
    .map(
      (e) =>
        `${(e.type ?? '').padEnd(7)} ${e.note ?? ''}${(e.series?.count ?? 1) > 1 ? ` (x${e.series?.count})` : ''}`,
    );
}

/** When the Canary's first event whose note contains `text` happened (ms since the epoch), if it did. */
export async function eventTime(
  kube: Kube,
  namespace: string,
  text: string,
  name = 'podinfo',
): Promise<number | undefined> {
  const list = await kube.events.listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
  const times = list.items
    .filter((e) => e.regarding?.kind === 'Canary' && e.note?.includes(text))
    .map((e) => new Date(e.eventTime ?? e.metadata?.creationTimestamp ?? NaN).getTime())
    .filter(Number.isFinite);
  return times.length ? Math.min(...times) : undefined;
}

/** The count of requests to the canary Prometheus holds for the namespace (what the operator judged by). */
export async function prometheusCanaryRequests(env: E2EEnvironment, namespace: string): Promise<number> {
  const query = env.canaryRequestsQuery(namespace);
  const res = await fetch(`${env.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
  return Number(body.data?.result?.[0]?.value[1] ?? 0);
}

/**
 * The observed-split check must never fire on a proxy that routes by the weight: its Warning says
 * "… requests reached the canary".
 */
export function expectNoSplitAlarm(notes: string[]): void {
  expect(notes.filter((n) => n.includes('requests reached the canary'))).toEqual([]);
}
