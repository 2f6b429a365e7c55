/**
 * `kanaria demo`: one command that shows a release end to end on this machine, and cleans up after
 * itself on Ctrl-C at any moment. Its data plane is a real Traefik in front of real pod processes, inside
 * a private network namespace it re-runs itself in (root), or the simulated ingress-nginx (asked for, or
 * where no namespace can be made). `kanaria demo loadtester` runs the project's load tester alone.
 */
import type { Command } from 'commander';
import { isPortFree } from '../devcluster/ports.ts';
import type { DataPlaneKind } from '../demo/data-plane.ts';
import { DEMO_BASE_PORT, DEMO_NAMESPACE, prepareDemo } from '../demo/environment.ts';
import { startLoadTester } from '../demo/loadtester.ts';
import { netnsHostPid, netnsProblem, REAL_PROXY_HOW, rerunInNetns } from '../demo/netns.ts';
import { Resources } from '../demo/resources.ts';
import { runDemo, type DemoOutcome } from '../demo/run.ts';
import { insidePodNetwork } from '../podrunner/pod-network.ts';
import { errorText, portNumber } from './common.ts';

interface DemoFlags {
  keep?: boolean;
  color: boolean;
  dataPlane: string;
}

const CHOICES = ['auto', 'traefik', 'simulated'];

/**
 * The data plane to run here, or the exit status of the demo re-run inside a network namespace (or of
 * a choice that cannot be met).
 */
async function chooseDataPlane(choice: string, err: (l: string) => void): Promise<DataPlaneKind | number> {
  if (!CHOICES.includes(choice)) {
    err(`--data-plane "${choice}": use ${CHOICES.join(', ')}`);
    return 2;
  }
  if (choice === 'simulated') return 'simulated';
  if (process.env.KANARIA_NETNS_CIDR && (await insidePodNetwork())) return 'traefik';
  const problem = await netnsProblem();
  if (!problem) {
    // The namespace has no network: what Go must fetch or build is done out here first.
    try {
      await prepareDemo('traefik', {
        env: process.env,
        say: (line) => process.stdout.write(`==> ${line}\n`),
      });
    } catch (error) {
      err(`demo failed: ${errorText(error)}`);
      return 1;
    }
    return rerunInNetns();
  }
  if (choice === 'traefik') {
    err(
      `kanaria demo: the real proxy runs in a private network namespace, and ${problem}: ${REAL_PROXY_HOW}`,
    );
    return 2;
  }
  err(
    `kanaria demo: the demo on a real Traefik in front of real pod processes runs in a private network ` +
      `namespace, and ${problem}. Running it on the SIMULATED ingress-nginx data plane instead. For the real ` +
      `proxy, ${REAL_PROXY_HOW}; --data-plane simulated chooses the simulation without this note.`,
  );
  return 'simulated';
}

async function keepHints(outcome: DemoOutcome): Promise<string> {
  const { environment } = outcome;
  const pid = environment.plane.kind === 'traefik' ? await netnsHostPid() : undefined;
  const lines = ['', 'Everything keeps running (--keep).'];
  if (pid)
    lines.push(
      "It runs in the demo's private network namespace; join it from another terminal, as root:",
      `  nsenter --net=/proc/${pid}/ns/net bash`,
      'and there:',
    );
  else lines.push('In another terminal:');
  lines.push(
    `  export KUBECONFIG=${environment.cluster.kubeconfig}`,
    `  npx kanaria get canary podinfo -n ${DEMO_NAMESPACE} --watch`,
    `  kubectl -n ${DEMO_NAMESPACE} set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:6.0.3`,
    ...environment.plane.reachHints(),
    `Ctrl-C here stops everything${pid ? ' and ends the namespace' : ''}.`,
  );
  return `${lines.join('\n')}\n`;
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
  const dataPlane = await chooseDataPlane(flags.dataPlane, err);
  if (typeof dataPlane === 'number') return dataPlane;
  const resources = new Resources(err);
  const abort = new AbortController();
  const basePort = Number(process.env.KANARIA_CLUSTER_PORT ?? DEMO_BASE_PORT);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000) {
    err(`KANARIA_CLUSTER_PORT "${process.env.KANARIA_CLUSTER_PORT}" is not a port between 1024 and 65000`);
    return 2;
  }

  const stopAll = async (why: string): Promise<void> => {
    if (resources.empty) return;
    out.write(
      `\n${why}: stopping the traffic, the operator, the data plane, Prometheus and the control plane…\n`,
    );
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
    dataPlane,
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
      (outcome) => ({ kind: 'done' as const, outcome }),
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
    out.write(await keepHints(first.outcome));
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
      'show a release end to end on this machine: local control plane, a real Traefik in front of real ' +
        'pod processes (as root, in a private network namespace) or the simulated ingress-nginx, real ' +
        'Prometheus and the operator; a healthy release is promoted, a failing one rolled back',
    )
    .option(
      '--data-plane <kind>',
      'traefik (real proxy, needs root, unshare and ip), simulated, or auto: traefik where it can run, ' +
        'else simulated with a note saying why',
      'auto',
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
    .option('--port <port>', 'port on 127.0.0.1', portNumber, 8089)
    .action(async (flags: { port: number }) => {
      const tester = await startLoadTester({
        port: flags.port,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      process.stdout.write(`load tester listening on ${tester.url}; Ctrl-C stops it\n`);
      await interrupted();
      await tester.close();
    });
}
