import type { Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startController, type RunningController } from '../../src/controller/run.ts';
import type { Kube } from '../../src/kube/client.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { freshNamespace, kubeconfigPath, testKube } from './helpers.ts';

export interface ControllerEnv {
  kube: Kube;
  ns: { name: string; cleanup: () => Promise<void> };
  controller: RunningController;
}

/**
 * For a describe block: a fresh namespace and the operator running in-process for it, set up before
 * the first test and stopped and deleted after the last. The fields are filled in by then.
 */
export function controllerEnv(prefix: string, options: { log?: Logger } = {}): ControllerEnv {
  const env = {} as ControllerEnv;
  beforeAll(async () => {
    env.kube = testKube();
    env.ns = await freshNamespace(env.kube, prefix);
    env.controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: env.ns.name,
      log: options.log ?? createLogger('warn'),
    });
  });
  afterAll(async () => {
    await env.controller?.stop();
    await env.ns?.cleanup();
  });
  return env;
}
