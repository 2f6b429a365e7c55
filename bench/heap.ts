/**
 * Kanaria's memory in the benchmark: the Node.js options it runs with (the chart's), heap snapshots of
 * the process (started with --heapsnapshot-signal=SIGUSR2 --diagnostic-dir), and a summary of one: self
 * size by constructor, largest first.
 *
 *   npx node bench/heap.ts <file.heapsnapshot> [top]
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const CHART_VALUES = resolve(fileURLToPath(import.meta.url), '../../charts/kanaria/values.yaml');

/** The Node.js options the chart runs the operator with (`nodeOptions`): the benchmark runs it the same way. */
export async function chartNodeOptions(): Promise<string[]> {
  const values = parse(await readFile(CHART_VALUES, 'utf8')) as { nodeOptions?: string };
  return (values.nodeOptions ?? '').split(/\s+/).filter(Boolean);
}

/** Asks the process for a snapshot and waits until the file has stopped growing; returns its path. */
export async function heapSnapshot(pid: number, dir: string, log: (l: string) => void): Promise<string> {
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 180_000;
  let last = -1;
  while (Date.now() < deadline) {
    await sleep(1000);
    const file = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const size = (await stat(join(dir, file))).size;
    if (size > 0 && size === last) {
      log(`heap snapshot ${join(dir, file)} (${(size / 2 ** 20).toFixed(0)} MiB)`);
      return join(dir, file);
    }
    last = size;
  }
  throw new Error(`no heap snapshot in ${dir} within 180 s`);
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per node type and name ("object Foo", "string", "code" …). */
export function summarize(snapshot: Snapshot): { name: string; bytes: number; count: number }[] {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type} ${snapshot.strings[snapshot.nodes[i + nameAt]]}`
        : type;
    const entry = totals.get(name) ?? { bytes: 0, count: 0 };
    entry.bytes += snapshot.nodes[i + sizeAt];
    entry.count += 1;
    totals.set(name, entry);
  }
  return [...totals].map(([name, t]) => ({ name, ...t })).sort((a, b) => b.bytes - a.bytes);
}

if (import.meta.main) {
  const [file, top = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx node bench/heap.ts <file.heapsnapshot> [top]');
  const rows = summarize(JSON.parse(await readFile(file, 'utf8')) as Snapshot);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`total self size ${(total / 2 ** 20).toFixed(1)} MiB in ${rows.length} kinds`);
  for (const r of rows.slice(0, Number(top)))
    console.log(
      `${(r.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB ${String(r.count).padStart(9)}  ${r.name}`,
    );
}
