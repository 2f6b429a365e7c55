// The sharding run's audit: who wrote to each Canary's objects when, from the benchmark control plane's
// audit log. A Canary is owned twice when a replica writes to its objects again after the other one has
// (A…B…A) — except the survivor continuing, after the kill, a Canary the killed replica had taken from it.
import { auditLines, percentile } from './measure.ts';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** `app-0001`, `app-0001-canary`, `app-0001-primary`, `app-0001.<hex>` (an Event about it): the app. */
const APP = /^(app-\d{4,})(?:$|[-.])/;

export interface Write {
  user: string;
  at: number;
  app: string;
}

export interface UserCounts {
  /** Every request (a watch once, when it starts). */
  requests: number;
  /** Writes to the run's Canaries, their status and the objects named after their apps. */
  canaryWrites: number;
  /** Writes to member Leases. */
  leaseWrites: number;
}

/** The writes of `users` to the run's Canaries' objects from `since` on, and each user's request counts. */
export async function readWrites(
  auditLog: string,
  users: string[],
  namespaces: string[],
  since: number,
): Promise<{ writes: Write[]; counts: Record<string, UserCounts> }> {
  const wanted = new Set(namespaces);
  const writes: Write[] = [];
  const counts = Object.fromEntries(
    users.map((u) => [u, { requests: 0, canaryWrites: 0, leaseWrites: 0 }]),
  ) as Record<string, UserCounts>;
  for await (const line of auditLines(auditLog)) {
    if (!users.some((u) => line.includes(u))) continue;
    const e = JSON.parse(line) as {
      stage: string;
      verb: string;
      user?: { username?: string };
      objectRef?: { resource?: string; namespace?: string; name?: string };
      requestReceivedTimestamp: string;
    };
    const c = counts[e.user?.username ?? ''];
    if (!c) continue;
    if (e.verb === 'watch' ? e.stage !== 'ResponseStarted' : e.stage !== 'ResponseComplete') continue;
    const at = Date.parse(e.requestReceivedTimestamp);
    if (at < since) continue;
    c.requests++;
    if (!WRITE_VERBS.has(e.verb)) continue;
    const ref = e.objectRef ?? {};
    if (ref.resource === 'leases') c.leaseWrites++;
    const app = APP.exec(ref.name ?? '')?.[1];
    if (!app || !wanted.has(ref.namespace ?? '') || ref.resource === 'leases') continue;
    c.canaryWrites++;
    writes.push({ user: e.user!.username!, at, app });
  }
  return { writes: writes.sort((x, y) => x.at - y.at), counts };
}

export interface Ownership {
  /** Canaries a replica wrote to again after the other had (other than the survivor after the kill). */
  ownedTwice: string[];
  /** Canaries written by both replicas before the kill (handed over when the members changed). */
  handedOverBeforeKill: number;
  /** Shortest time between the old owner's last write and the new owner's first at those handovers. */
  minHandoverGapMs?: number;
  /** Per Canary: the replica that wrote to it last before the kill. */
  ownerAtKill: Map<string, string>;
  /** Per Canary: the survivor's first write after the kill. */
  firstAfterKill: Map<string, number>;
}

interface Segment {
  user: string;
  first: number;
  last: number;
}

export function ownership(writes: Write[], killed: string, survivor: string, killedAt: number): Ownership {
  const segments = new Map<string, Segment[]>();
  const ownerAtKill = new Map<string, string>();
  const firstAfterKill = new Map<string, number>();
  for (const w of writes) {
    const list = segments.get(w.app) ?? [];
    segments.set(w.app, list);
    const last = list.at(-1);
    if (last?.user === w.user) last.last = w.at;
    else list.push({ user: w.user, first: w.at, last: w.at });
    if (w.at < killedAt) ownerAtKill.set(w.app, w.user);
    else if (w.user === survivor && !firstAfterKill.has(w.app)) firstAfterKill.set(w.app, w.at);
  }
  const ownedTwice: string[] = [];
  let handedOverBeforeKill = 0;
  let minHandoverGapMs: number | undefined;
  for (const [app, list] of segments) {
    const twice = list.some(
      (s, i) =>
        list.slice(0, i).some((p) => p.user === s.user) &&
        !(s.user === survivor && s.first >= killedAt && list[i - 1].user === killed),
    );
    if (twice) ownedTwice.push(app);
    const before = list.filter((s) => s.first < killedAt);
    if (before.length > 1) handedOverBeforeKill++;
    for (let i = 1; i < before.length; i++) {
      const gap = before[i].first - before[i - 1].last;
      minHandoverGapMs = Math.min(minHandoverGapMs ?? gap, gap);
    }
  }
  return {
    ownedTwice: ownedTwice.sort(),
    handedOverBeforeKill,
    minHandoverGapMs,
    ownerAtKill,
    firstAfterKill,
  };
}

/** For `owner`'s Canaries (its by the last write before the kill) still under way: kill → the survivor's first write. */
export function resumeDelays(
  o: Ownership,
  owner: string,
  underWay: (app: string) => boolean,
  killedAt: number,
) {
  const mine = [...o.ownerAtKill].filter(([app, user]) => user === owner && underWay(app)).map(([a]) => a);
  const delays = mine.flatMap((app) => {
    const t = o.firstAfterKill.get(app);
    return t === undefined ? [] : [t - killedAt];
  });
  return {
    canaries: mine.length,
    notContinued: mine.length - delays.length,
    p50Ms: percentile(delays, 50),
    maxMs: delays.length ? Math.max(...delays) : NaN,
  };
}
