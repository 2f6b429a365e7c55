/** `kanaria list`: one line per Canary, like the CRD's printer columns. */
import type { Command } from 'commander';
import type { Canary } from '../api/types.ts';
import { listCanaries } from '../kube/canaries.ts';
import { connect, run, withKubeFlags, type KubeFlags } from './common.ts';
import { renderCanaryTable, type CanaryRow } from './render.ts';
import { formatTime } from './view.ts';

interface ListFlags extends KubeFlags {
  allNamespaces?: boolean;
}

function timeText(t: string | Date | undefined): string {
  if (t === undefined) return '';
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? formatTime(ms) : String(t);
}

export function canaryRow(c: Canary): CanaryRow {
  const s = c.status ?? {};
  return {
    namespace: c.metadata.namespace ?? '',
    name: c.metadata.name,
    phase: (s.phase ?? 'Unknown') + (c.spec.suspend ? ' (suspended)' : ''),
    weight: s.canaryWeight ?? 0,
    failedChecks: s.failedChecks ?? 0,
    threshold: c.spec.analysis?.threshold ?? 1,
    lastTransition: timeText(s.lastTransitionTime),
  };
}

export function registerList(program: Command): void {
  withKubeFlags(
    program.command('list').description('list Canaries with their phase, weight and failed checks'),
  )
    .option('-A, --all-namespaces', 'list the Canaries of every namespace')
    .action(
      run(async (flags: ListFlags) => {
        const { kube, namespace } = connect(flags);
        const ns = flags.allNamespaces ? undefined : namespace;
        const { items } = await listCanaries(kube, ns);
        if (items.length === 0) {
          process.stderr.write(ns ? `No canaries found in namespace ${ns}.\n` : 'No canaries found.\n');
          return;
        }
        const rows = items
          .map(canaryRow)
          .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
        process.stdout.write(renderCanaryTable(rows));
      }),
    );
}
