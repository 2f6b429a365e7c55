import type { Logger } from 'pino';
import type { WatchCache } from '../kube/informer.ts';
import type { KubernetesObject } from '../kube/types.ts';

export interface OptionalWatchOptions<T extends KubernetesObject> {
  /** Whether the API server serves the resource and this controller may list it. */
  available: () => Promise<boolean>;
  /** Starts the watch cache. */
  start: () => WatchCache<T>;
  /** Told the cache once it has listed, when it started after the controller. */
  onLater: (cache: WatchCache<T>) => void;
  log: Logger;
  /** How often to look again while the resource is missing. */
  recheckMs?: number;
}

/**
 * A watch of a resource the controller works without (Gateway API's HTTPRoute): started at once when the
 * resource is there, else looked for again every `recheckMs`, so CRDs installed later are picked up
 * without a restart.
 */
export class OptionalWatch<T extends KubernetesObject> {
  private readonly o: OptionalWatchOptions<T>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: OptionalWatchOptions<T>) {
    this.o = options;
  }

  /** The cache when the resource is served now; otherwise undefined, and it is looked for later. */
  async first(): Promise<WatchCache<T> | undefined> {
    if (await this.o.available()) return this.o.start();
    this.schedule();
    return undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.retry(), this.o.recheckMs ?? 30_000);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    if (this.stopped) return;
    if (!(await this.o.available())) return this.schedule();
    if (this.stopped) return;
    const cache = this.o.start();
    await cache.synced;
    if (this.stopped) return;
    this.o.log.info('a resource that was missing is served now; its watch is on');
    this.o.onLater(cache);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
