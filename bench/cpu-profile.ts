// npx node bench/cpu-profile.ts <file.cpuprofile> [--top 30] [--from S --to S]
// Sums a V8 CPU profile (node --cpu-prof, written by `npm run bench -- --cpu-prof`): self time by function
// and by where its code lives (a package under node_modules, a file of Kanaria, or Node itself), and
// inclusive time of Kanaria's own functions, so that the cost of a reconcile can be split by module.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values: flags, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '30' },
    // Only the samples taken this many seconds after the profile began (e.g. a run's busiest minute).
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: 'Infinity' },
  },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: bench/cpu-profile.ts <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const top = Number(flags.top);

/** Where a function's code lives: a package, one of Kanaria's files, or Node and V8 themselves. */
function placeOf(url: string): string {
  if (!url) return '(native, gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node:*';
  const own = /\/(src|dist)\/(.+)$/.exec(url);
  return own ? own[2] : url;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
const [fromUs, toUs] = [Number(flags.from) * 1e6, Number(flags.to) * 1e6];
let sinceStartUs = 0;
profile.samples.forEach((id, i) => {
  sinceStartUs += profile.timeDeltas[i] ?? 0;
  if (sinceStartUs < fromUs || sinceStartUs > toUs) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const selfByFunction = new Map<string, number>();
const selfByPlace = new Map<string, number>();
const inclusiveOwn = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') {
    idle += us;
    continue;
  }
  total += us;
  const fn = `${functionName || '(anonymous)'} ${placeOf(url)}:${lineNumber + 1}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + us);
  selfByPlace.set(placeOf(url), (selfByPlace.get(placeOf(url)) ?? 0) + us);
  // Inclusive time of Kanaria's functions: each counted once per sample even when recursive.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)!.callFrame;
    if (!/\/(src|dist)\//.test(frame.url) || frame.url.includes('node_modules')) continue;
    const key = `${frame.functionName || '(anonymous)'} ${placeOf(frame.url)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusiveOwn.set(key, (inclusiveOwn.get(key) ?? 0) + us);
  }
}

const s = (us: number) => (us / 1e6).toFixed(2).padStart(8);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const table = (title: string, rows: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${s(us)} s ${pct(us)}  ${name}`);
};
console.log(
  `${positionals[0]}: ${s(total)} s on CPU, ${s(idle)} s idle, over ${s(profile.endTime - profile.startTime)} s`,
);
table('Self time by place', selfByPlace);
table('Self time by function', selfByFunction);
table("Inclusive time of Kanaria's functions", inclusiveOwn);
