/**
 * The live `kanaria get canary --watch` view of the demo: watch caches of the namespace's Canaries,
 * Deployments, Ingresses and Events feed the same loader and renderer as the CLI. On a terminal the
 * screen is redrawn with the demo's header above the view; elsewhere (a pipe, a log) each new event and
 * each change of phase or weight becomes one line, so a transcript reads as a timeline.
 */
import type { Canary } from '../api/types.ts';
import { CLEAR_SCREEN } from '../cli/get.ts';
import { loadCanaryObjects, type CachedReads } from '../cli/load.ts';
import { namespaceCaches, type NamespaceCaches } from '../cli/namespace-caches.ts';
import { renderCanaryView } from '../cli/render.ts';
import { buildCanaryView, formatAge } from '../cli/view.ts';
import type { EventsV1Event } from '../kube/canaries.ts';
import type { V1Ingress } from '../kube/types.ts';
import type { Kube } from '../kube/client.ts';

export interface LiveViewOptions {
  kube: Kube;
  namespace: string;
  name: string;
  out: { write(text: string): unknown };
  /** Redraw the screen (a terminal) or print a timeline (anything else). */
  tty: boolean;
  color: boolean;
  /** Lines shown above the view on a terminal: what the demo is doing, traffic counters. */
  header: () => string[];
  /** Start of the timeline's `+12.3s` offsets; default when the view starts. */
  since?: number;
}

const DEBOUNCE_MS = 150;
const TICK_MS = 1000;

export class LiveView {
  #o: LiveViewOptions;
  #watch: NamespaceCaches | undefined;
  #caches: NamespaceCaches['caches'] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #drawing: Promise<void> = Promise.resolve();
  #last = '';
  #printed = new Set<string>();
  #lastState = '';
  #listeners = new Set<() => void>();
  #since: number;
  #stopped = false;

  constructor(options: LiveViewOptions) {
    this.#o = options;
    this.#since = options.since ?? Date.now();
  }

  /** The Canary as the watch cache has it. */
  get canary(): Canary | undefined {
    return this.#caches?.canaries.get(this.#o.name, this.#o.namespace);
  }

  /** The canary Ingress as the watch cache has it. */
  ingress(name: string): V1Ingress | undefined {
    return this.#caches?.ingresses.get(name, this.#o.namespace);
  }

  /** Notes of the Canary's events, oldest first. */
  eventNotes(): string[] {
    return this.#events().map((e) => e.note ?? '');
  }

  /** Calls `fn` after every change the caches see; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async start(): Promise<void> {
    const { kube, namespace } = this.#o;
    const changed = () => {
      for (const fn of this.#listeners) fn();
      this.#schedule();
    };
    this.#watch = namespaceCaches(kube, namespace, changed);
    this.#caches = this.#watch.caches;
    await this.#watch.synced;
    if (this.#o.tty) this.#ticker = setInterval(() => this.#schedule(), TICK_MS);
    this.#schedule();
  }

  /** Prints a line: above the view's timeline, or into the header area on a terminal (via `header`). */
  note(line: string): void {
    if (!this.#o.tty) {
      this.#timeline();
      this.#o.out.write(`${this.#offset()}  ${line}\n`);
    } else this.#schedule();
  }

  /** The full `kanaria get canary` view, as text. */
  async render(): Promise<string> {
    const objects = await loadCanaryObjects(this.#o.kube, this.#o.namespace, this.#o.name, this.#reads());
    if (!objects) return `canary ${this.#o.name} not found in namespace ${this.#o.namespace}\n`;
    return renderCanaryView(buildCanaryView(objects, Date.now()), { color: this.#o.color });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#timer) clearTimeout(this.#timer);
    await this.#drawing;
    await this.#watch?.stop();
    this.#caches = undefined;
  }

  #reads(): CachedReads {
    const c = this.#caches!;
    return {
      canary: (ns, n) => c.canaries.get(n, ns),
      deployment: (ns, n) => c.deployments.get(n, ns),
      ingress: (ns, n) => c.ingresses.get(n, ns),
      events: (ns, n) => c.events.list(ns).filter((e) => e.regarding?.name === n),
    };
  }

  #events(): EventsV1Event[] {
    const rv = (e: EventsV1Event) => BigInt(e.metadata?.resourceVersion ?? '0');
    return (this.#caches?.events.list(this.#o.namespace) ?? [])
      .filter((e) => e.regarding?.name === this.#o.name && (e.regarding?.kind ?? 'Canary') === 'Canary')
      .sort((a, b) => (rv(a) < rv(b) ? -1 : rv(a) > rv(b) ? 1 : 0));
  }

  #offset(): string {
    return `+${formatAge(Date.now() - this.#since).padStart(5)}`;
  }

  #schedule(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const draw = () => (this.#o.tty ? this.#redraw() : this.#timeline());
      this.#drawing = this.#drawing.then(draw, draw);
    }, DEBOUNCE_MS);
  }

  async #redraw(): Promise<void> {
    if (!this.#caches || this.#stopped) return;
    let view: string;
    try {
      view = await this.render();
    } catch (err) {
      view = `refresh failed: ${err instanceof Error ? err.message : String(err)}\n`;
    }
    const text = `${this.#o.header().join('\n')}\n\n${view}`;
    if (text === this.#last) return;
    this.#last = text;
    this.#o.out.write(`${CLEAR_SCREEN}${text}`);
  }

  #timeline(): void {
    if (!this.#caches) return;
    const out: string[] = [];
    const canary = this.canary;
    const phase = canary?.status?.phase;
    if (canary && phase) {
      const s = canary.status ?? {};
      const state = `${phase} weight ${s.canaryWeight ?? 0}% failed checks ${s.failedChecks ?? 0}`;
      if (state !== this.#lastState) {
        this.#lastState = state;
        out.push(
          `● ${phase.padEnd(12)} weight ${String(s.canaryWeight ?? 0).padStart(3)}%  failed checks ${s.failedChecks ?? 0}/${canary.spec.analysis.threshold ?? 1}`,
        );
      }
    }
    for (const e of this.#events()) {
      const key = `${e.metadata?.uid}/${e.series?.count ?? 1}`;
      if (this.#printed.has(key)) continue;
      this.#printed.add(key);
      const repeated = (e.series?.count ?? 1) > 1 ? ` (x${e.series?.count})` : '';
      out.push(`  ${(e.type ?? '').padEnd(7)} ${e.note ?? ''}${repeated}`);
    }
    for (const line of out) this.#o.out.write(`${this.#offset()}  ${line}\n`);
  }
}
