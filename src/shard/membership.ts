/**
 * Sharding membership: each replica holds a member Lease of its own (label kanaria.dev/member) and
 * renews it every half retry period, publishing in it the view it acts on (annotation kanaria.dev/view, see
 * ownership.ts). Every round it also lists the member Leases: a peer is live while its Lease changed
 * less than its leaseDuration minus one retry period ago, by this replica's own monotonic clock (no
 * comparison of two machines' clocks), and the round after a peer's expiry runs at that moment.
 *
 * Why expiring a peer one retry period early is safe: a peer acts only within renewDeadline of the
 * start of its last renewal, which began before this replica saw the Lease change; renewDeadline is at
 * most leaseDuration minus two retry periods, so a peer's last write was admitted at least one retry
 * period before its Canaries are taken. With rounds every half retry period, a killed replica's
 * Canaries are taken within one lease duration of its last renewal (docs/sharding.md).
 *
 * When the live members change, the replica stops acting on the Canaries it loses, waits for the
 * reconciles of those in flight to end (`drain`), and only then publishes the new view, which is what
 * lets the next owner start. A replica that cannot renew within renewDeadline (< leaseDuration) acts on
 * nothing and writes nothing (`problem`), so its peers may take its Canaries once its Lease expired.
 */
import { createHash } from 'node:crypto';
import { describeError, orAbsent, statusCode, type Kube } from '../kube/client.ts';
import { FIELD_MANAGER } from '../kube/field-managers.ts';
import { microTime } from '../kube/time.ts';
import type { V1Lease } from '../kube/types.ts';
import type { Logger } from '../observability/logger.ts';
import { LeaseValidity } from '../controller/leader.ts';
import { claims, mayAct, ownerOf, sameView, viewOf, type PeerView } from './ownership.ts';

export const MEMBER_LABEL = 'kanaria.dev/member';
export const VIEW_ANNOTATION = 'kanaria.dev/view';

export interface MembershipOptions {
  kube: Kube;
  namespace: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  monotonic?: () => number;
  clock?: () => number;
  /** The Canaries this replica may act on changed: reconcile them all again (the filter skips the rest). */
  onChange(): void;
  /** Resolves once no reconcile is in flight for a key `keeps` refuses. */
  drain(keeps: (key: string) => boolean): Promise<void>;
}

/** The member Lease name of an identity: readable, and unique through a hash of the whole identity. */
export function memberLeaseName(identity: string): string {
  const readable = identity
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 10);
  return `kanaria-member-${readable ? `${readable}-` : ''}${digest}`;
}

function publishedView(lease: V1Lease): string[] | undefined {
  const raw = lease.metadata?.annotations?.[VIEW_ANNOTATION];
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((m) => typeof m === 'string') ? viewOf(parsed) : undefined;
  } catch {
    return undefined;
  }
}

export class Membership {
  readonly #o: Required<Omit<MembershipOptions, 'onChange' | 'drain' | 'log'>> &
    Pick<MembershipOptions, 'onChange' | 'drain' | 'log'>;
  readonly #validity: LeaseValidity;
  readonly #leaseName: string;
  /** Per member Lease name: its last resourceVersion and when this replica first saw it (monotonic). */
  readonly #observed = new Map<string, { version: string; at: number }>();
  /** Monotonic time at which the first live peer expires unless it renews (Infinity: no peer). */
  #nextExpiry = Infinity;
  #own: V1Lease | undefined;
  #published: string[] | undefined;
  /** While a view change drains: the view being moved to (keys it does not give us are let go). */
  #next: string[] | undefined;
  #peers: PeerView[] = [];
  /**
   * The view this replica had published when it last read its peers. Two replicas whose views differ may
   * both claim a Canary; each acts on a claim only after reading its peers once the claim was published,
   * so whichever published second sees the other's claim and holds back.
   */
  #confirmed: string[] | undefined;
  #fingerprint = '';
  #running = false;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  constructor(options: MembershipOptions) {
    this.#o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      monotonic: () => performance.now(),
      clock: Date.now,
      ...(Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined),
      ) as MembershipOptions),
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.#o;
    if (!(
      leaseDurationMs - 2 * retryPeriodMs >= renewDeadlineMs &&
      renewDeadlineMs > retryPeriodMs &&
      retryPeriodMs > 0
    ))
      throw new Error(
        `sharding needs leaseDuration - 2 × retryPeriod ≥ renewDeadline > retryPeriod > 0 (got ${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs} ms)`,
      );
    this.#validity = new LeaseValidity(renewDeadlineMs, this.#o.monotonic);
    this.#leaseName = memberLeaseName(this.#o.identity);
  }

  get identity(): string {
    return this.#o.identity;
  }

  /** Why this replica may not write now, or undefined while its member Lease is current. */
  problem(): string | undefined {
    const problem = this.#validity.problem();
    return problem === 'not the leader' ? 'the member lease is not held' : problem;
  }

  /** Whether this replica may reconcile the Canary `key` now. */
  mayAct(key: string): boolean {
    if (this.#validity.problem() !== undefined) return false;
    const self = { id: this.#o.identity, view: this.#published };
    if (!mayAct(self, this.#peers, key)) return false;
    if (!claims({ id: this.#o.identity, view: this.#confirmed }, key)) return false;
    // Moving to another view: the keys it takes from us stop now, before the drain.
    return this.#next === undefined || ownerOf(this.#next, key) === this.#o.identity;
  }

  /** The live members as last seen (this replica included once its Lease is written). */
  members(): string[] {
    return viewOf([this.#o.identity, ...this.#peers.map((p) => p.id)]);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        await this.#round();
        if (!this.#running) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          const untilExpiry = this.#nextExpiry - this.#o.monotonic() + 1;
          this.#timer = setTimeout(resolve, Math.max(0, Math.min(this.#o.retryPeriodMs / 2, untilExpiry)));
        });
      }
    })();
  }

  /** Stops renewing and deletes the member Lease, so peers take over at their next round. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#loop;
    this.#validity.lost();
    try {
      await this.#o.kube.coordination.deleteNamespacedLease({
        name: this.#leaseName,
        namespace: this.#o.namespace,
      });
    } catch (err) {
      if (statusCode(err) !== 404)
        this.#o.log.warn({ err: describeError(err) }, 'could not delete the member lease');
    }
  }

  async #round(): Promise<void> {
    try {
      await this.#observePeers();
      const target = viewOf([this.#o.identity, ...this.#peers.map((p) => p.id)]);
      // Members only left (a peer died or stopped): with rendezvous hashing this replica loses no
      // Canary, so there is nothing to drain and the new view goes out with this renewal.
      const onlyLeft = this.#published !== undefined && target.every((m) => this.#published!.includes(m));
      // Otherwise renewed first with the view in force, so that a long drain never lets the Lease lapse.
      await this.#renew(onlyLeft ? target : (this.#published ?? target));
      if (this.#published === undefined || !sameView(target, this.#published)) {
        if (onlyLeft)
          this.#o.log.info({ members: target }, 'sharding: taking over the Canaries of members gone');
        else if (this.#published !== undefined) {
          this.#next = target;
          this.#notifyIfChanged();
          await this.#o.drain((key) => this.mayAct(key));
          await this.#renew(target);
          this.#o.log.info({ members: target }, 'sharding: acting on a new view of the members');
        }
        this.#published = target;
        this.#next = undefined;
        // The new claims count once the peers were read after they were published (see mayAct).
        await this.#observePeers();
      }
    } catch (err) {
      this.#o.log.warn({ err: describeError(err), lease: this.#leaseName }, 'member lease round failed');
    }
    this.#notifyIfChanged();
  }

  /** Lists the member Leases; the claims this replica had published before the LIST now count. */
  async #observePeers(): Promise<void> {
    const { kube, namespace, monotonic, leaseDurationMs, retryPeriodMs, identity } = this.#o;
    const publishedBefore = this.#published;
    const listed = await kube.coordination.listNamespacedLease({
      namespace,
      labelSelector: `${MEMBER_LABEL}=true`,
    });
    const now = monotonic();
    const seen = new Set<string>();
    const peers: PeerView[] = [];
    let nextExpiry = Infinity;
    for (const lease of listed.items) {
      const name = lease.metadata?.name ?? '';
      seen.add(name);
      const version = lease.metadata?.resourceVersion ?? '';
      const before = this.#observed.get(name);
      const at = before?.version === version ? before.at : now;
      this.#observed.set(name, { version, at });
      const id = lease.spec?.holderIdentity;
      const live = (lease.spec?.leaseDurationSeconds ?? leaseDurationMs / 1000) * 1000 - retryPeriodMs;
      if (!id || id === identity || now - at >= live) continue;
      peers.push({ id, view: publishedView(lease) });
      nextExpiry = Math.min(nextExpiry, at + live);
    }
    this.#nextExpiry = nextExpiry;
    for (const name of this.#observed.keys()) if (!seen.has(name)) this.#observed.delete(name);
    this.#peers = peers.sort((a, b) => a.id.localeCompare(b.id));
    this.#confirmed = publishedBefore;
  }

  async #renew(view: string[]): Promise<void> {
    const { kube, namespace, identity, clock, monotonic, leaseDurationMs, renewDeadlineMs } = this.#o;
    const started = monotonic();
    const now = microTime(clock());
    const metadata = {
      name: this.#leaseName,
      namespace,
      labels: { [MEMBER_LABEL]: 'true' },
      annotations: { [VIEW_ANNOTATION]: JSON.stringify(view) },
    };
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: this.#own?.spec?.acquireTime ?? now,
    };
    try {
      this.#own = this.#own
        ? await kube.coordination.replaceNamespacedLease({
            fieldManager: FIELD_MANAGER,
            name: this.#leaseName,
            namespace,
            body: { ...this.#own, metadata: { ...this.#own.metadata, ...metadata }, spec },
          })
        : await kube.coordination.createNamespacedLease({
            namespace,
            body: { metadata, spec },
            fieldManager: FIELD_MANAGER,
          });
    } catch (err) {
      // Someone changed or deleted it (or it exists from an earlier process of this identity): read again.
      const code = statusCode(err);
      if (code === 409 || code === 404) this.#own = await this.#readOwn();
      throw err;
    }
    if (monotonic() - started < renewDeadlineMs) this.#validity.renewed(started);
  }

  #readOwn(): Promise<V1Lease | undefined> {
    return orAbsent(
      this.#o.kube.coordination.readNamespacedLease({ name: this.#leaseName, namespace: this.#o.namespace }),
    );
  }

  #notifyIfChanged(): void {
    const fingerprint = JSON.stringify([
      this.#validity.holds(),
      this.#published,
      this.#confirmed,
      this.#next,
      this.#peers.map((p) => [p.id, p.view]),
    ]);
    if (fingerprint === this.#fingerprint) return;
    this.#fingerprint = fingerprint;
    this.#o.onChange();
  }
}
