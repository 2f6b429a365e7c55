/**
 * An independent recorder of what the operator does, on its own watches of the API server (plain
 * `@kubernetes/client-node` LIST + WATCH, none of the operator's code): every change of the canary
 * Ingress's routing annotations, of the target's and the `-primary` Deployment's image, and of the
 * Canary's status, each with the resourceVersion of the write. Only namespaces with the given prefix count.
 */
import { AppsV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api, Watch } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Observation, StatusObs } from './types.ts';

const NGINX = 'nginx.ingress.kubernetes.io';

interface Meta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
}
interface AnyObject {
  metadata?: Meta;
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: Record<string, unknown>;
}
/** An observation before it gets its namespace, resourceVersion and time. */
type Unstamped<T> = T extends Observation ? Omit<T, 'ns' | 'rv' | 'at'> : never;
type Obs = Unstamped<Observation>;

/** The part of an object the suite records, or undefined for objects it does not follow. */
export function observe(resource: string, app: string, obj: AnyObject): Obs | undefined {
  const name = obj.metadata?.name;
  const tagOf = () =>
    (obj.spec?.template?.spec?.containers ?? []).map((c) => c.image?.split(':').pop()).join(',');
  if (resource === 'deployments' && name === app) return { kind: 'target', tag: tagOf() };
  if (resource === 'deployments' && name === `${app}-primary`) return { kind: 'primary', tag: tagOf() };
  if (resource === 'ingresses' && name === `${app}-canary`) {
    const a = obj.metadata?.annotations ?? {};
    const o: Obs = { kind: 'ingress', weight: Number.parseInt(a[`${NGINX}/canary-weight`] ?? '0', 10) || 0 };
    if (a[`${NGINX}/canary-by-header`] !== undefined) o.header = a[`${NGINX}/canary-by-header`];
    if (a[`${NGINX}/canary-by-cookie`] !== undefined) o.cookie = a[`${NGINX}/canary-by-cookie`];
    return o;
  }
  if (resource === 'canaries' && name === app) {
    const s = obj.status ?? {};
    const o: Obs = {
      kind: 'status',
      phase: String(s.phase ?? ''),
      canaryWeight: Number(s.canaryWeight ?? 0),
      failedChecks: Number(s.failedChecks ?? 0),
      revision: String(s.revision ?? ''),
    };
    const pending = (s.pendingOutcome as { events?: unknown[] } | undefined)?.events;
    if (pending) o.pendingEvents = pending.length;
    return o;
  }
  return undefined;
}

const SOURCES = [
  { resource: 'deployments', path: '/apis/apps/v1/deployments' },
  { resource: 'ingresses', path: '/apis/networking.k8s.io/v1/ingresses' },
  { resource: 'canaries', path: '/apis/kanaria.dev/v1beta1/canaries' },
];

export class Watcher {
  /** Everything recorded, in the order it arrived (sort by rv to get the order of the writes). */
  readonly observations: Observation[] = [];
  /** Full LISTs after the first one (a watch that expired): writes between them may be missing. */
  relists = 0;
  private readonly last = new Map<string, string>();
  private readonly byNs = new Map<string, Observation[]>();
  private readonly aborts = new Set<AbortController>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;

  private readonly kc: KubeConfig;
  private readonly nsPrefix: string;
  private readonly app: string;

  constructor(kc: KubeConfig, nsPrefix: string, app = 'podinfo') {
    this.kc = kc;
    this.nsPrefix = nsPrefix;
    this.app = app;
  }

  static fromFile(kubeconfig: string, nsPrefix: string): Watcher {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    return new Watcher(kc, nsPrefix);
  }

  /** Lists and watches every source; resolves once the first LISTs are recorded. */
  async start(): Promise<void> {
    const listed = SOURCES.map((s) => {
      let resolve!: () => void;
      const p = new Promise<void>((r) => (resolve = r));
      this.loops.push(this.loop(s.resource, s.path, resolve));
      return p;
    });
    await Promise.all(listed);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    await Promise.all(this.loops);
  }

  /** Observations of one namespace in arrival order (within one kind that is resourceVersion order). */
  of(ns: string): readonly Observation[] {
    return this.byNs.get(ns) ?? [];
  }

  /** The latest image tag of the target Deployment in `ns` (what its canary pods run). */
  currentTag(ns: string): string | undefined {
    let best: Observation | undefined;
    for (const o of this.of(ns)) if (o.kind === 'target' && (!best || o.rv > best.rv)) best = o;
    return best?.kind === 'target' ? best.tag : undefined;
  }

  /** Canary status observations of `ns` written after `rv`. */
  statusesAfter(ns: string, rv: number): StatusObs[] {
    return this.of(ns).filter((o): o is StatusObs => o.kind === 'status' && o.rv > rv);
  }

  /** Polls the recorded statuses of `ns` until `pick` returns something; undefined at the deadline. */
  async waitStatus<T>(
    ns: string,
    pick: (statuses: readonly StatusObs[]) => T | undefined,
    deadlineAt: number,
  ): Promise<T | undefined> {
    while (Date.now() < deadlineAt && !this.stopped) {
      const found = pick(this.statusesAfter(ns, 0));
      if (found !== undefined) return found;
      await sleep(25);
    }
    return undefined;
  }

  private record(resource: string, obj: AnyObject): void {
    const ns = obj.metadata?.namespace ?? '';
    if (!ns.startsWith(this.nsPrefix)) return;
    const seen = observe(resource, this.app, obj);
    if (!seen) return;
    const key = `${seen.kind}/${ns}`;
    const signature = JSON.stringify(seen);
    if (this.last.get(key) === signature) return;
    this.last.set(key, signature);
    const o = { ...seen, ns, rv: Number(obj.metadata?.resourceVersion ?? 0), at: Date.now() } as Observation;
    this.observations.push(o);
    let list = this.byNs.get(ns);
    if (!list) this.byNs.set(ns, (list = []));
    list.push(o);
  }

  private async list(resource: string): Promise<string> {
    const kc = this.kc;
    const list =
      resource === 'deployments'
        ? await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()
        : resource === 'ingresses'
          ? await kc.makeApiClient(NetworkingV1Api).listIngressForAllNamespaces()
          : ((await kc
              .makeApiClient(CustomObjectsApi)
              .listClusterCustomObject({ group: 'kanaria.dev', version: 'v1beta1', plural: 'canaries' })) as {
              items: AnyObject[];
              metadata?: Meta;
            });
    for (const item of list.items) this.record(resource, item as AnyObject);
    return list.metadata?.resourceVersion ?? '';
  }

  private async loop(resource: string, path: string, listed: () => void): Promise<void> {
    let rv = '';
    let first = true;
    while (!this.stopped) {
      try {
        if (!rv) {
          rv = await this.list(resource);
          if (!first) this.relists++;
          first = false;
          listed();
        }
        rv = await this.watchOnce(resource, path, rv);
      } catch {
        if (!this.stopped) await sleep(200);
      }
    }
  }

  /** One watch from `rv` until the server or the client closes it; the rv to go on from ('' = LIST again). */
  private watchOnce(resource: string, path: string, from: string): Promise<string> {
    let rv = from;
    return new Promise((resolve) => {
      let controller: AbortController | undefined;
      const done = () => {
        if (controller) this.aborts.delete(controller);
        resolve(rv);
      };
      new Watch(this.kc)
        .watch(
          path,
          { resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds: 20 },
          (type: string, obj: AnyObject & { code?: number }) => {
            if (type === 'ERROR') {
              if (obj.code === 410) rv = '';
              return;
            }
            rv = obj.metadata?.resourceVersion ?? rv;
            if (type === 'ADDED' || type === 'MODIFIED') this.record(resource, obj);
          },
          done,
        )
        .then((c) => {
          controller = c;
          this.aborts.add(c);
          if (this.stopped) c.abort();
        })
        .catch(done);
    });
  }
}
