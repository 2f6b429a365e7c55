/**
 * `kanaria demo`: one command that shows a release end to end on this machine, and cleans up after
 * itself on Ctrl-C at any moment. `kanaria demo loadtester` runs the project's load tester alone.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { clusterDir } from '../devcluster/cluster.ts';
import { isPortFree } from '../devcluster/ports.ts';
import { DEMO_BASE_PORT, DEMO_CLUSTER } from '../demo/environment.ts';
import { startLoadTester } from '../demo/loadtester.ts';
import { Resources } from '../demo/resources.ts';
import { runDemo } from '../demo/run.ts';
import { errorText } from './common.ts';

interface DemoFlags {
  keep?: boolean;
  color: boolean;
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

async function demo(flags: DemoFlags): Promise<number> {
  const out = process.stdout;
  const tty = out.isTTY === true;
  const color = flags.color && tty && !process.env.NO_COLOR;
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const resources = new Resources(err);
  const abort = new AbortController();
  const basePort = Number(process.env.KANARIA_CLUSTER_PORT ?? DEMO_BASE_PORT);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000) {
    err(`KANARIA_CLUSTER_PORT "${process.env.KANARIA_CLUSTER_PORT}" is not a port between 1024 and 65000`);
    return 2;
  }

  const stopAll = async (why: string): Promise<void> => {
    if (resources.empty) return;
    out.write(`\n${why}: stopping the operator, traffic, Prometheus and the control plane…\n`);
    // A second Ctrl-C while stopping would otherwise kill the process half-way.
    const patience = () => err('still stopping (the control plane takes a few seconds)…');
    process.on('SIGINT', patience);
    await resources.closeAll();
    const busy: number[] = [];
    for (const port of resources.ports) if (!(await isPortFree(port))) busy.push(port);
    process.off('SIGINT', patience);
    if (busy.length) err(`still listening on 127.0.0.1: ${busy.join(', ')}`);
    else out.write('stopped; nothing left running.\n');
  };

  const scenario = runDemo({
    keep: flags.keep === true,
    color,
    tty,
    out,
    env: process.env,
    basePort,
    signal: abort.signal,
    resources,
  });
  const signal = interrupted();
  const first = await Promise.race([
    scenario.then(
      () => ({ kind: 'done' as const }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
    signal.then((name) => ({ kind: 'signal' as const, name })),
  ]);

  if (first.kind === 'signal') {
    abort.abort();
    await stopAll(`${first.name} received`);
    // Whatever the scenario was starting when interrupted registers itself and is stopped at once.
    await Promise.race([scenario.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    await resources.closeAll();
    return 130;
  }
  if (first.kind === 'failed') {
    err(`demo failed: ${errorText(first.error)}`);
    await stopAll('demo failed');
    return 1;
  }
  if (flags.keep) {
    out.write(
      '\nEverything keeps running (--keep). In another terminal:\n' +
        `  export KUBECONFIG=${join(clusterDir(DEMO_CLUSTER), 'kubeconfig')}\n` +
        '  npx kanaria get canary podinfo -n test --watch\n' +
        '  kubectl -n test set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:6.0.3\n' +
        'Ctrl-C here stops everything.\n',
    );
    const name = await signal;
    abort.abort();
    await stopAll(`${name} received`);
    return 0;
  }
  await stopAll('demo finished');
  return 0;
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description(
      'show a release end to end on this machine: local control plane, simulated ingress-nginx, ' +
        'real Prometheus and the operator; a healthy release is promoted, a failing one rolled back',
    )
    .option('--keep', 'leave everything running after the scenario, until Ctrl-C')
    .option('--no-color', 'no ANSI colours')
    .action(async (flags: DemoFlags) => {
      process.exit(await demo(flags));
    });

  cmd
    .command('loadtester')
    .description(
      "run Kanaria's load tester on 127.0.0.1: webhook target for acceptance tests (metadata.type " +
        'request) and bounded load (metadata.type load) against loopback URLs',
    )
    .option('--port <port>', 'port on 127.0.0.1', '8089')
    .action(async (flags: { port: string }) => {
      const tester = await startLoadTester({
        port: Number(flags.port),
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      process.stdout.write(`load tester listening on ${tester.url}; Ctrl-C stops it\n`);
      await interrupted();
      await tester.close();
    });
}
