/**
 * Runs the pod runner (a SIMULATION of a kubelet's containers, see runner.ts) on its own until SIGINT or
 * SIGTERM, which stop every process it started:
 *
 *   hack/in-netns.sh bash -c 'export KANARIA_POD_CIDR=198.18.0.0/16; npx kanaria dev cluster up --name netns &&
 *     npx node src/podrunner/main.ts --kubeconfig ~/.cache/kanaria/clusters/netns/kubeconfig;
 *     npx kanaria dev cluster down --name netns'
 *
 * (Stop the cluster inside the namespace too: the process ids its state records are the namespace's.)
 *
 * Options: --kubeconfig <path> (default: $KUBECONFIG), --namespace <ns> (default: all),
 * --max-processes <n> (default 200), --status <host:port> (serve GET /processes there),
 * --log-level <level> (default info).
 */
import { parseArgs } from 'node:util';
import { createKube } from '../kube/client.ts';
import { createLogger } from '../observability/logger.ts';
import { DEFAULT_MAX_PROCESSES, PodRunner } from './runner.ts';
import { serveStatus } from './status-server.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'max-processes': { type: 'string', default: String(DEFAULT_MAX_PROCESSES) },
      status: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const log = createLogger(values['log-level'], process.stderr);
  const runner = new PodRunner({
    kube: createKube(values.kubeconfig),
    log,
    namespace: values.namespace,
    maxProcesses: Number(values['max-processes']),
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await runner.start();
  let status: Awaited<ReturnType<typeof serveStatus>> | undefined;
  if (values.status) {
    const [host, port] = values.status.split(/:(?=\d+$)/);
    status = await serveStatus(runner, host, Number(port));
    log.info({ url: `${status.url}/processes` }, 'pod runner: status served');
  }
  log.info({ processes: runner.status().processes.length }, 'pod runner: watching pods');
  await stopped;
  await status?.close();
  await runner.stop();
}

try {
  await main();
} catch (err) {
  process.stderr.write(`pod runner: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
