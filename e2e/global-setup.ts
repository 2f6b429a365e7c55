/**
 * The e2e suite's setup for the data plane e2eDataPlane() selects: on Traefik, a control plane on the pod
 * network of hack/in-netns.sh with the pod runner (the realpods setup, with the CRDs); otherwise the
 * integration tests' control plane (or $KUBECONFIG on a real cluster).
 */
import type { TestProject } from 'vitest/node';
import integrationSetup from '../test/integration/global-setup.ts';
import { realPodsSetup } from '../test/realpods/global-setup.ts';
import { e2eDataPlane } from './dataplane.ts';

export default async function setup(project: TestProject) {
  if (e2eDataPlane() !== 'traefik') return integrationSetup(project);
  return realPodsSetup({ name: 'e2e', installCrds: true, command: 'npm run e2e' })(project);
}
