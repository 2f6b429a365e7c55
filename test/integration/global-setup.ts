import type { TestProject } from 'vitest/node';
import { installCrds } from '../../src/controller/install-crds.ts';
import { clusterPorts, down, status, up } from '../../src/devcluster/cluster.ts';
import { installGatewayApiCrds } from '../../src/devcluster/gateway-api.ts';
import { isPortFree } from '../../src/devcluster/ports.ts';
import { createKube, statusCode, type Kube } from '../../src/kube/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

/** The first base port from 17440 on (steps of 10) that no other test run is using. */
async function freeBasePort(): Promise<number> {
  const first = Number(process.env.KANARIA_TEST_CLUSTER_PORT ?? 17440);
  for (let base = first; base < first + 200; base += 10) {
    const name = `test-${base}`;
    const s = await status(name);
    if (s.running) continue; // a concurrent run owns it
    if (s.state) await down(name); // left over from a run that died
    const ports = Object.values(clusterPorts(base));
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error(`no free port range for a local control plane from ${first} on`);
}

async function hasHttpRoutes(kube: Kube): Promise<boolean> {
  try {
    await kube.objects.read({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'httproutes.gateway.networking.k8s.io' },
    });
    return true;
  } catch (err) {
    if (statusCode(err) === 404) return false;
    throw err;
  }
}

/**
 * Starts one local control plane for the whole run (or uses $KUBECONFIG when KANARIA_TEST_USE_KUBECONFIG=1),
 * installs the CRDs (the Gateway API's standard ones come with `up`) and stops it afterwards.
 */
export default async function setup(project: TestProject) {
  if (process.env.KANARIA_TEST_USE_KUBECONFIG === '1' && process.env.KUBECONFIG) {
    project.provide('kubeconfig', process.env.KUBECONFIG);
    const kube = createKube(process.env.KUBECONFIG);
    await installCrds(kube);
    // A cluster from `up` has them already. Another cluster's own Gateway API CRDs (maybe another version
    // or channel) are left as they are; one without them gets the standard channel.
    if (!(await hasHttpRoutes(kube))) await installGatewayApiCrds(kube);
    return;
  }
  const basePort = await freeBasePort();
  const name = `test-${basePort}`;
  const state = await up({ name, basePort });
  project.provide('kubeconfig', state.kubeconfig);
  try {
    await installCrds(createKube(state.kubeconfig));
  } catch (err) {
    await down(name);
    throw err;
  }
  return async () => {
    await down(name);
  };
}
