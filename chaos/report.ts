/** The end of a chaos run: the counts table, the run's figures, a JSON report and the operator's warnings. */
import { readFileSync, writeFileSync } from 'node:fs';
import { FAULT_KINDS, resetCount, type FaultSettings, type ProxyStats } from './fault-proxy.ts';
import type { InvariantResult } from './invariants.ts';
import type { Note } from './notes.ts';
import { INVARIANTS, type Invariant, type ReleaseRecord } from './types.ts';

export const INVARIANT_TITLES: Record<Invariant, string> = {
  'no-traffic-after-failed': '1 no canary traffic for a revision after it Failed',
  'primary-only-analysed': '2 primary only gets analysed, never failed or bad images',
  'release-ends-as-expected': '3 every release ends as expected within its time limit',
  'weight-never-decreases': '4 canary weight never goes down during a release',
  'one-promotion-per-revision': '5 at most one promotion per revision',
};

export interface RunFigures {
  seed: number;
  releases: number;
  lanes: number;
  kills: number;
  operatorStarts: number;
  operatorCrashes: number;
  durationMs: number;
  watchRelists: number;
  observations: number;
  judges: unknown;
}

/** The invariant counts as a fixed-width table. */
export function countsTable(result: InvariantResult): string {
  const width = Math.max(...Object.values(INVARIANT_TITLES).map((t) => t.length));
  const rows = INVARIANTS.map(
    (i) => `${INVARIANT_TITLES[i].padEnd(width)}  ${String(result.counts[i]).padStart(5)}`,
  );
  return [
    `${'invariant'.padEnd(width)}  violations`,
    ...rows,
    `${'total'.padEnd(width)}  ${String(result.total).padStart(5)}`,
  ].join('\n');
}

/** Releases by kind and how they ended. */
export function releasesTable(releases: readonly ReleaseRecord[]): string {
  const byKind = new Map<string, Record<string, number>>();
  for (const r of releases) {
    const row = byKind.get(r.kind) ?? {};
    const key = `${r.outcome}${r.outcome === r.expected ? '' : ` (expected ${r.expected})`}`;
    row[key] = (row[key] ?? 0) + 1;
    byKind.set(r.kind, row);
  }
  return [...byKind]
    .map(
      ([kind, row]) =>
        `${kind.padEnd(22)} ${Object.entries(row)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
    )
    .join('\n');
}

/** Counts of the operator's warn/error log lines by message (pino JSON lines). */
export function operatorWarnings(logFile: string): { level: string; msg: string; count: number }[] {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 40) continue;
      const level = (entry.level ?? 0) >= 50 ? 'error' : 'warn';
      const msg = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`
        .replace(/chaos-[0-9a-f]{8}/g, 'chaos-*')
        .replace(/revision r\d+(-pushed)?/g, 'revision r*')
        .slice(0, 200);
      counts.set(`${level}\t${msg}`, (counts.get(`${level}\t${msg}`) ?? 0) + 1);
    } catch {
      /* not a log entry */
    }
  }
  return [...counts]
    .map(([key, count]) => {
      const [level, msg] = key.split('\t');
      return { level, msg, count };
    })
    .sort((a, b) => b.count - a.count);
}

export function formatReport(
  result: InvariantResult,
  figures: RunFigures,
  releases: readonly ReleaseRecord[],
  warnings: ReturnType<typeof operatorWarnings>,
  notes: readonly Note[],
  proxySection?: string,
): string {
  const lines = [
    '',
    '=== Kanaria chaos run ===',
    `seed ${figures.seed} (repeat with KANARIA_CHAOS_SEED=${figures.seed}), ${figures.lanes} apps at a time`,
    `releases ${figures.releases}, operator SIGKILLs ${figures.kills} (${(figures.kills / Math.max(1, figures.releases)).toFixed(2)} per release), operator starts ${figures.operatorStarts}` +
      `, exits on its own ${figures.operatorCrashes}, duration ${(figures.durationMs / 1000).toFixed(1)}s`,
    `watcher: ${figures.observations} observations, ${figures.watchRelists} re-LISTs (possible gaps)`,
    ...(proxySection ? ['', proxySection] : []),
    '',
    countsTable(result),
    '',
    releasesTable(releases),
  ];
  if (result.violations.length > 0) {
    lines.push('', 'violations (first 10 of each):');
    for (const i of INVARIANTS)
      for (const v of result.violations.filter((x) => x.invariant === i).slice(0, 10))
        lines.push(`  [${i}] ${v.ns}${v.rv ? ` rv ${v.rv}` : ''}: ${v.detail}`);
  }
  const kinds = [...new Set(notes.map((n) => n.kind))];
  if (kinds.length > 0) lines.push('', 'worth a look, not asserted (first 5 of each):');
  for (const kind of kinds) {
    const of = notes.filter((n) => n.kind === kind);
    lines.push(`  ${kind}: ${of.length}`);
    for (const n of of.slice(0, 5)) lines.push(`    ${n.ns} rv ${n.rv}: ${n.detail}`);
  }
  if (warnings.length > 0) {
    lines.push('', 'operator warn/error log lines (count, level, message):');
    for (const w of warnings.slice(0, 15)) lines.push(`  ${String(w.count).padStart(5)} ${w.level} ${w.msg}`);
  }
  return lines.join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** What the fault proxy saw and did: requests by verb, writes seen and faulted, faults by kind, resets. */
export function proxySection(stats: ProxyStats, settings: FaultSettings, certSource: string): string {
  const { seen, faulted } = stats.writes;
  const cuts = stats.faults['watch-cut-end'] + stats.faults['watch-cut-reset'];
  const byCount = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]);
  const resources = Object.entries(stats.writesByResource).sort((a, b) => b[1].seen - a[1].seen);
  return [
    `fault proxy (TLS certificate ${certSource}): ${pct(settings.writeShare)} of the operator's writes faulted, ` +
      `${pct(settings.readResetShare)} of its reads and watch starts reset, every watch cut after ` +
      `${settings.watchCutMinMs / 1000}-${settings.watchCutMaxMs / 1000}s`,
    `requests by verb: ${byCount(stats.requests)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ')}`,
    `writes seen ${seen}, faulted ${faulted} (${pct(faulted / Math.max(1, seen))})`,
    `connection resets ${resetCount(stats)}, watch cuts ${cuts} (${stats.faults['watch-cut-end']} ended, ` +
      `${stats.faults['watch-cut-reset']} reset), API server unreachable ${stats.upstreamErrors}`,
    'faults by kind:',
    ...FAULT_KINDS.map((k) => `  ${k.padEnd(28)} ${String(stats.faults[k]).padStart(6)}`),
    'writes by resource:          seen faulted',
    ...resources.map(
      ([r, n]) =>
        `  ${r.padEnd(24)} ${String(n.seen).padStart(6)} ${String(n.faulted).padStart(7)} (${pct(n.faulted / n.seen)})`,
    ),
  ].join('\n');
}

export function writeReport(file: string, content: object): void {
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
