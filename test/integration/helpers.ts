import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { createKube, type Kube } from '../../src/kube/client.ts';

export function testKube(): Kube {
  return createKube(inject('kubeconfig'));
}

export function kubeconfigPath(): string {
  return inject('kubeconfig');
}

/** A fresh namespace for one test; deleted by the returned cleanup. */
export async function freshNamespace(
  kube: Kube,
  prefix = 't',
): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kube.core.createNamespace({ body: { metadata: { name } } });
  // Pods need the namespace's default ServiceAccount, which kube-controller-manager creates.
  await waitFor(`default ServiceAccount in ${name}`, async () => {
    try {
      await kube.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      return true;
    } catch {
      return false;
    }
  });
  return {
    name,
    cleanup: async () => {
      await kube.core.deleteNamespace({ name }).catch(() => undefined);
    },
  };
}

/** Polls `check` until it returns a truthy value; fails with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${String(last)}` : ''}`,
  );
}
