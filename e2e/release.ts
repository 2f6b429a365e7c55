/** A release as a pod template change: the new image, and for a bad release the fault rate in the env. */
import { PODINFO_IMAGE } from '../src/demo/app.ts';
import type { Kube } from '../src/kube/client.ts';

/**
 * Sets the first container's image tag to `version` and its FAULT_RATE env (read by the pod runner's
 * processes, src/podrunner/behaviour.ts) to `errorRate`, or removes FAULT_RATE without one: one write,
 * so the operator sees one new revision.
 */
export async function releasePodTemplate(
  kube: Kube,
  namespace: string,
  name: string,
  version: string,
  errorRate?: number,
): Promise<void> {
  const dep = await kube.apps.readNamespacedDeployment({ name, namespace });
  const container = dep.spec!.template.spec!.containers[0];
  const image = `${(container.image ?? PODINFO_IMAGE).replace(/:[^:/]+$/, '')}:${version}`;
  const env = (container.env ?? []).filter((e) => e.name !== 'FAULT_RATE');
  if (errorRate) env.push({ name: 'FAULT_RATE', value: String(errorRate) });
  // A JSON patch of the two fields: the operator scales the same Deployment meanwhile.
  await kube.apps.patchNamespacedDeployment({
    name,
    namespace,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: image },
      { op: 'add', path: '/spec/template/spec/containers/0/env', value: env },
    ],
  });
}
