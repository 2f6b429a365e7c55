import type { Command } from 'commander';
import { DEFAULT_BASE_PORT, down, status, up } from '../devcluster/cluster.ts';

export function registerDevCluster(program: Command): void {
  const dev = program.command('dev').description('local development helpers');
  const cluster = dev
    .command('cluster')
    .description('a local control plane (etcd, kube-apiserver, controller-manager, scheduler, KWOK nodes)');
  const basePort = () => Number(process.env.KANARIA_CLUSTER_PORT ?? DEFAULT_BASE_PORT);

  cluster
    .command('up')
    .description('start the local control plane and write its kubeconfig')
    .option('--name <name>', 'cluster name (state lives in ~/.cache/kanaria/clusters/<name>)', 'dev')
    .option('--nodes <n>', 'number of fake KWOK nodes', '3')
    .action(async (opts: { name: string; nodes: string }) => {
      const state = await up({ name: opts.name, basePort: basePort(), nodes: Number(opts.nodes) });
      process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
    });

  cluster
    .command('down')
    .description('stop the local control plane and remove its state')
    .option('--name <name>', 'cluster name', 'dev')
    .action(async (opts: { name: string }) => {
      const stopped = await down(opts.name);
      process.stdout.write(
        stopped ? `cluster "${opts.name}" stopped\n` : `cluster "${opts.name}" was not running\n`,
      );
    });

  cluster
    .command('status')
    .description('show whether the local control plane runs and answers')
    .option('--name <name>', 'cluster name', 'dev')
    .action(async (opts: { name: string }) => {
      const s = await status(opts.name);
      if (!s.state) {
        process.stdout.write(`cluster "${opts.name}" is not running\n`);
        process.exitCode = 1;
        return;
      }
      for (const [c, up] of Object.entries(s.components))
        process.stdout.write(`${c.padEnd(24)} ${up ? 'running' : 'stopped'}\n`);
      process.stdout.write(
        `api server ${s.state.server} ${s.ready ? 'ready' : 'NOT ready'}\nkubeconfig ${s.state.kubeconfig}\n`,
      );
      if (!s.ready) process.exitCode = 1;
    });
}
