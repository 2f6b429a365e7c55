import type { TestProject } from 'vitest/node';
import { installCrds } from '../../src/controller/run.ts';
import { down, up } from '../../src/devcluster/cluster.ts';
import { createKube } from '../../src/kube/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

const CLUSTER = 'test';

/**
 * Starts one local control plane for the whole run (or uses $KUBECONFIG when KANARIA_TEST_USE_KUBECONFIG=1)
 * and stops it afterwards.
 */
export default async function setup(project: TestProject) {
  if (process.env.KANARIA_TEST_USE_KUBECONFIG === '1' && process.env.KUBECONFIG) {
    project.provide('kubeconfig', process.env.KUBECONFIG);
    await installCrds(createKube(process.env.KUBECONFIG));
    return;
  }
  await down(CLUSTER);
  const basePort = Number(process.env.KANARIA_TEST_CLUSTER_PORT ?? 17440);
  const state = await up({ name: CLUSTER, basePort });
  project.provide('kubeconfig', state.kubeconfig);
  await installCrds(createKube(state.kubeconfig));
  return async () => {
    await down(CLUSTER);
  };
}
