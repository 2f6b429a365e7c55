// The memory soak in bench/RESULTS.md and its one-line summary.
import type { SoakResult } from './soak.ts';

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');

export function soakSummary(r: SoakResult): string {
  return (
    `[soak n=${r.n} namespaces=${r.namespaces} background=${r.background ? 'yes' : 'no'}] ${r.minutes} min, ` +
    `${r.releases} releases (${r.failed} failed): RSS after ${f(r.referenceMinute, 1)} min ${f(r.rssAfter5MinMiB)} MiB, at the end ` +
    `${f(r.rssEndMiB)} MiB (${r.growth >= 0 ? '+' : ''}${f(r.growth * 100, 1)} %), peak ${f(r.peakRssMiB)} MiB`
  );
}

export function renderSoak(runs: Record<string, SoakResult> | undefined): string[] {
  const list = Object.values(runs ?? {}).sort((x, y) => x.n - y.n);
  if (!list.length) return [];
  return [
    '',
    '## Memory soak: Canaries releasing continuously',
    '',
    "One Kanaria process (with the chart's `nodeOptions`) while every Canary's image is bumped again as soon",
    'as its release has ended; RSS sampled every 15 s. Target: RSS at the end within 10 % of the RSS after',
    'the first 5 minutes (bench/soak.ts).',
    '',
    '| Run | Minutes | Releases (failed) | RSS after 5 min (MiB) | RSS at the end (MiB) | Change | Peak RSS (MiB) | CPU (s) |',
    '|---|---|---|---|---|---|---|---|',
    ...list.map(
      (r) =>
        `| N=${r.n}, ${r.namespaces} ns, ${r.background ? 'background' : 'no background'}, interval ${r.intervalMs / 1000}s | ${r.minutes} | ${r.releases} (${r.failed}) | ${f(r.rssAfter5MinMiB)} | ${f(r.rssEndMiB)} | ${r.growth >= 0 ? '+' : ''}${f(r.growth * 100, 1)} % | ${f(r.peakRssMiB)} | ${f(r.cpuSeconds)} |`,
    ),
  ];
}
