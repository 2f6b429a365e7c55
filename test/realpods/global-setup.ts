/**
 * The realpods suite's setup: inside `hack/in-netns.sh`'s network namespace (npm run test:realpods), a
 * local control plane whose fake nodes have podCIDR 198.18.0.0/16, with the pod runner (the SIMULATION of
 * the kubelet's containers) starting one real HTTP process per Running pod on its pod IP.
 *
 * Its state lives in a temporary directory (in-netns.sh's private TMPDIR), so it never meets a control
 * plane of the host's network namespace; the binaries come from the usual cache.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { COMPONENTS, ensureBinaries } from '../../src/devcluster/binaries.ts';
import { down, up } from '../../src/devcluster/cluster.ts';
import { NETNS_POD_CIDR } from '../../src/devcluster/pod-cidr.ts';
import { createKube } from '../../src/kube/client.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { PodRunner } from '../../src/podrunner/runner.ts';
import { serveStatus } from '../../src/podrunner/status-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    podRunnerUrl: string;
  }
}

/** The last address of the range; pods get the first ones. */
const PROBE_ADDRESS = '198.18.255.254';

async function canListenOn(address: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: address, port: 0 }, () => server.close(() => resolve(true)));
  });
}

export default async function setup(project: TestProject) {
  if (!(await canListenOn(PROBE_ADDRESS)))
    throw new Error(
      `${NETNS_POD_CIDR} is not a local address range here (${PROBE_ADDRESS} cannot be listened on): ` +
        'run this suite with `npm run test:realpods`, which runs it inside the network namespace of hack/in-netns.sh',
    );
  const bins = await ensureBinaries(COMPONENTS);
  const root = await mkdtemp(join(tmpdir(), 'kanaria-realpods-'));
  const binDir = join(root, 'bin');
  await mkdir(binDir);
  for (const [name, path] of Object.entries(bins)) await symlink(path, join(binDir, name));
  const env = { ...process.env, KANARIA_CACHE_DIR: root, KUBEBUILDER_ASSETS: binDir };
  const name = 'realpods';
  // The runner's warnings (a process that died, a missing ConfigMap) are what some tests provoke; a test
  // that times out quotes the runner's status. KANARIA_REALPODS_LOG=info shows every start and stop.
  const log = createLogger(process.env.KANARIA_REALPODS_LOG ?? 'error', process.stderr);

  let runner: PodRunner | undefined;
  let status: Awaited<ReturnType<typeof serveStatus>> | undefined;
  const teardown = async () => {
    await status?.close();
    await runner?.stop();
    await down(name, env);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const state = await up({ name, env, podCIDR: NETNS_POD_CIDR, log: (l) => log.info(l) });
    runner = new PodRunner({ kube: createKube(state.kubeconfig), log });
    await runner.start();
    status = await serveStatus(runner);
    project.provide('kubeconfig', state.kubeconfig);
    project.provide('podRunnerUrl', status.url);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
