/** Text for the terminal: the `kanaria get canary` view and the `kanaria list` table. Pure. */
import { stepLines } from './steps-view.ts';
import { analysisLines } from './analysis-table.ts';
import { pad, paint, table, withSymbol, type RenderOptions } from './text.ts';
import type { CanaryView, ResourceView } from './view.ts';
import { phaseTone } from './view.ts';

export { table, type RenderOptions } from './text.ts';

const STRATEGY: Record<CanaryView['strategy'], string> = {
  canary: 'Canary',
  ab: 'A/B testing',
  bluegreen: 'Blue/Green',
  steps: 'Steps',
};

/** `[███░░░░░░░] 30%`: one cell per 10 %. */
export function weightBar(weight: number, cells = 10): string {
  const w = Math.max(0, Math.min(100, weight));
  const filled = Math.round((w / 100) * cells);
  return `[${'█'.repeat(filled)}${'░'.repeat(cells - filled)}] ${weight}%`;
}

const LABEL = 17;
const field = (label: string, value: string) => `${pad(label ? `${label}:` : '', LABEL)}${value}`.trimEnd();

function treeRows(nodes: ResourceView[], prefix: string, opts: RenderOptions): string[][] {
  const rows: string[][] = [];
  nodes.forEach((node, i) => {
    const last = i === nodes.length - 1;
    rows.push([
      `${prefix}${last ? '└──' : '├──'}${node.name}`,
      node.kind,
      node.status ? withSymbol(node.status, node.tone, opts) : '',
      node.info ?? '',
    ]);
    if (node.children?.length)
      rows.push(...treeRows(node.children, `${prefix}${last ? '   ' : '│  '}`, opts));
  });
  return rows;
}

export function renderCanaryView(view: CanaryView, opts: RenderOptions = {}): string {
  const tone = phaseTone(view.phase);
  const lines: string[] = [
    field('Name', view.name),
    field('Namespace', view.namespace),
    field('Status', withSymbol(view.phase, tone, opts) + (view.suspended ? ' (suspended)' : '')),
  ];
  if (view.message) lines.push(field('Message', view.message));
  lines.push(field('Strategy', STRATEGY[view.strategy]));
  if (view.strategy === 'canary' || view.strategy === 'steps')
    lines.push(field('  Step', `${view.step.step}/${view.step.steps}`));
  if (view.iterations) lines.push(field('  Iteration', `${view.iterations.done}/${view.iterations.total}`));
  if (view.strategy === 'ab') lines.push(field('  Routing', 'by header/cookie match'));
  else lines.push(field('  Weight', `${weightBar(view.weight)} (max ${view.maxWeight}%)`));
  if (view.observed) lines.push(field('  Observed', view.observed));
  if (view.migration) lines.push(field('Migration', view.migration));
  lines.push(field('  Failed checks', `${view.failedChecks}/${view.threshold}`));
  if (view.revision) lines.push(field('Revision', view.revision));
  const label = { confirm: 'Gate', rollback: 'Rollback gate', decision: 'Decision' } as const;
  for (const g of view.gates) lines.push(field(label[g.gate], g.record));
  view.images.forEach((img, i) => lines.push(field(i === 0 ? 'Images' : '', `${img.image} (${img.role})`)));
  if (view.lastTransition) lines.push(field('Last transition', view.lastTransition));
  if (view.steps) lines.push('', ...stepLines(view.steps));
  if (view.analysis) lines.push('', ...analysisLines(view.analysis, opts));

  lines.push('');
  if (view.events.length === 0) lines.push('Events:          <none>');
  else {
    lines.push('Events:');
    lines.push(
      ...table(
        [
          ['TYPE', 'REASON', 'AGE', 'MESSAGE'],
          ...view.events.map((e) => [
            e.type === 'Warning' ? paint(e.type, 'failed', opts) : e.type,
            e.reason,
            e.age,
            e.message,
          ]),
        ],
        '  ',
      ),
    );
  }

  lines.push('');
  lines.push(
    ...table([
      ['NAME', 'KIND', 'STATUS', 'INFO'],
      [`⟳ ${view.name}`, 'Canary', withSymbol(view.phase, tone, opts), `weight ${view.weight}%`],
      ...treeRows(view.resources, '', opts),
    ]),
  );
  return `${lines.join('\n')}\n`;
}

export interface CanaryRow {
  namespace: string;
  name: string;
  phase: string;
  weight: number;
  failedChecks: number;
  threshold: number;
  lastTransition: string;
}

export function renderCanaryTable(rows: CanaryRow[]): string {
  const out = table([
    ['NAMESPACE', 'NAME', 'STATUS', 'WEIGHT', 'FAILED', 'LAST TRANSITION'],
    ...rows.map((r) => [
      r.namespace,
      r.name,
      r.phase,
      String(r.weight),
      `${r.failedChecks}/${r.threshold}`,
      r.lastTransition,
    ]),
  ]);
  return `${out.join('\n')}\n`;
}
