/**
 * The realpods suite's setup (and, with `installCrds`, the e2e suite's on real pods): inside `hack/in-netns.sh`'s network namespace (npm run test:realpods), a
 * local control plane whose fake nodes have podCIDR 198.18.0.0/16, with the pod runner (the SIMULATION of
 * the kubelet's containers) starting one real HTTP process per Running pod on its pod IP.
 *
 * Its state lives in a temporary directory (in-netns.sh's private TMPDIR), so it never meets a control
 * plane of the host's network namespace; the binaries come from the usual cache.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { installCrds } from '../../src/controller/install-crds.ts';
import { COMPONENTS, ensureBinaries } from '../../src/devcluster/binaries.ts';
import { down, up } from '../../src/devcluster/cluster.ts';
import { ensureGatewayApiCrds } from '../../src/devcluster/gateway-api.ts';
import { NETNS_POD_CIDR } from '../../src/devcluster/pod-cidr.ts';
import { createKube } from '../../src/kube/client.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { insidePodNetwork, OUTSIDE_POD_NETWORK } from '../../src/podrunner/pod-network.ts';
import { PodRunner } from '../../src/podrunner/runner.ts';
import { serveStatus } from '../../src/podrunner/status-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    podRunnerUrl: string;
  }
}

export interface RealPodsSetupOptions {
  /** The control plane's name (and its temporary directory's prefix). */
  name: string;
  /** Install Kanaria's CRDs once the control plane is up. */
  installCrds?: boolean;
  /** The npm script that runs the suite inside the namespace, for the error message outside it. */
  command: string;
}

export function realPodsSetup(options: RealPodsSetupOptions) {
  return (project: TestProject) => startRealPods(project, options);
}

export default realPodsSetup({ name: 'realpods', command: 'npm run test:realpods' });

async function startRealPods(project: TestProject, options: RealPodsSetupOptions) {
  if (!(await insidePodNetwork()))
    throw new Error(
      `${NETNS_POD_CIDR} is not a local address range here (${OUTSIDE_POD_NETWORK}): ` +
        `run this suite with \`${options.command}\`, which runs it inside the network namespace of hack/in-netns.sh`,
    );
  const bins = await ensureBinaries(COMPONENTS);
  const { name } = options;
  const root = await mkdtemp(join(tmpdir(), `kanaria-${name}-`));
  const binDir = join(root, 'bin');
  await mkdir(binDir);
  for (const [bin, path] of Object.entries(bins)) await symlink(path, join(binDir, bin));
  const env = { ...process.env, KANARIA_CACHE_DIR: root, KUBEBUILDER_ASSETS: binDir };
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
    const state = await up({
      name,
      env,
      podCIDR: NETNS_POD_CIDR,
      // From the usual cache, not the temporary one.
      gatewayApiCrdDir: await ensureGatewayApiCrds(),
      log: (l) => log.info(l),
    });
    if (options.installCrds) await installCrds(createKube(state.kubeconfig));
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
