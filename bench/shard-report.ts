// The sharding run in bench/RESULTS.md (one column per run) and its one-line summary.
import type { ShardResult } from './shard.ts';

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const s = (ms: number | undefined) => f(ms === undefined ? undefined : ms / 1000);

const title = (r: ShardResult) =>
  `N=${r.n}, ${r.namespaces} ns, ${r.background ? 'background' : 'no background'}, lease ${r.leaseDurationMs / 1000}s`;

export function shardSummary(r: ShardResult): string {
  const { a, b } = r.replicas;
  return (
    `[shard ${title(r)}] shares A ${a.share} / B ${b.share}; owned twice ${r.ownedTwice}; A's ${r.resume.canaries} ` +
    `Canaries under way at the kill continued by B after p50 ${s(r.resume.p50Ms)}s, max ${s(r.resume.maxMs)}s ` +
    `(lease ${r.leaseDurationMs / 1000}s) ` +
    `(${r.resume.notContinued} not); B had all after ${s(r.takeoverMs)}s; ${r.unfinished ? `${r.unfinished} unfinished after` : 'all finished in'} ` +
    `${s(r.allSucceededMs)}s; writes A ${a.api.canaryWrites} / B ${b.api.canaryWrites}; CPU A ${f(a.releaseCpuS)} / B ${f(b.releaseCpuS)} s`
  );
}

export function renderSharding(runs: Record<string, ShardResult> | undefined): string[] {
  const list = Object.values(runs ?? {}).sort(
    (x, y) => x.n - y.n || Number(x.background) - Number(y.background),
  );
  if (!list.length) return [];
  const row = (measure: string, cell: (r: ShardResult) => string, target = '') =>
    `| ${measure} | ${list.map(cell).join(' | ')} | ${target} |`;
  const both = (r: ShardResult, g: (x: ShardResult['replicas']['a']) => string) =>
    `${g(r.replicas.a)} / ${g(r.replicas.b)}`;
  return [
    '',
    '## Sharding: two Kanaria replicas, one killed mid-release',
    '',
    'Two Kanaria processes with `--sharding` (each with its own ServiceAccount, so the audit log tells their',
    'requests apart) split the Canaries; every image is bumped and replica A is killed with SIGKILL once about',
    'half the weight steps are done. From the audit log, per Canary, the order of the replicas writing to its',
    'objects (the Canary and its status, the Deployments, Services and Ingresses named after its app, Events',
    'named after it): a Canary is **owned twice** when a replica writes to it again after the other has',
    "(A…B…A), except B continuing after the kill a Canary A had taken from it. B's first write to each of A's",
    'Canaries still under way is timed from the kill. Bench/shard.ts; see docs/sharding.md for the protocol.',
    '',
    `| Measure | ${list.map(title).join(' | ')} | Target |`,
    `|---|${list.map(() => '---|').join('')}---|`,
    row('Interval × steps', (r) => `${r.intervalMs / 1000}s × ${r.steps}`),
    row('Kanaria ran', (r) => r.runtime ?? '–'),
    row('Cold start until all Initialized (s)', (r) => s(r.coldStartMs)),
    row('Share once Initialized, A / B (Canaries)', (r) => both(r, (x) => String(x.share)), 'both > 0'),
    row('Cold start CPU, A / B (s)', (r) => both(r, (x) => f(x.coldStartCpuS))),
    row('Release CPU, A until killed / B (s)', (r) => both(r, (x) => f(x.releaseCpuS))),
    row('Peak RSS, A / B (MiB)', (r) => both(r, (x) => f(x.peakRssMiB, 0))),
    row("Writes to Canaries' objects, A / B", (r) => both(r, (x) => String(x.api.canaryWrites))),
    row('Requests in all (Lease writes), A / B', (r) =>
      both(r, (x) => `${x.api.requests} (${x.api.leaseWrites})`),
    ),
    row(
      'Handed over before the kill (min gap, ms)',
      (r) => `${r.handedOverBeforeKill} (${f(r.minHandoverGapMs, 0)})`,
    ),
    row(
      'Busiest minute before the kill: steps/s; cores A, B, kube-apiserver, etcd, kube-controller-manager',
      (r) =>
        r.burst
          ? `${r.burst.stepsPerS}; ${['a', 'b', 'kube-apiserver', 'etcd', 'kube-controller-manager'].map((p) => f(r.burst?.cores[p], 2)).join(', ')}`
          : '–',
    ),
    row('Killed at (weight steps made / all)', (r) => `${r.stepsAtKill} / ${r.n * r.steps}`),
    row("A's share at the kill; of it under way", (r) => `${r.aShareAtKill}; ${r.resume.canaries}`),
    row(
      "Kill → B's first write to each of A's, p50 / max (s)",
      (r) =>
        `${s(r.resume.p50Ms)} / ${s(r.resume.maxMs)} (max ${f(r.resume.maxMs / r.leaseDurationMs, 2)} × lease)` +
        (r.resume.notContinued ? `, ${r.resume.notContinued} never` : ''),
      '≤ 1 × lease (issue); docs/sharding.md: lease + 2 retry periods',
    ),
    row("Kill → B's next write to each of its own under way, p50 / max (s): B's backlog", (r) =>
      r.survivorOwn ? `${s(r.survivorOwn.p50Ms)} / ${s(r.survivorOwn.maxMs)}` : '–',
    ),
    row('Kill → B reconciles every Canary (`kanaria_shard_canaries` = N) (s)', (r) => s(r.takeoverMs)),
    row(
      'Canaries owned twice',
      (r) => `${r.ownedTwice}${r.ownedTwice ? ` (${r.ownedTwiceExamples.join(', ')})` : ''}`,
      '0',
    ),
    row(
      'Release p50 / max; all finished (s)',
      (r) =>
        `${s(r.releaseMs.p50)} / ${s(r.releaseMs.max)}; ${r.unfinished ? '> ' : ''}${s(r.allSucceededMs)}`,
    ),
    row('Failed; unfinished at the time limit', (r) => `${r.failed}; ${r.unfinished}`, '0; 0'),
  ];
}
