/** `kanaria status NAME`: waits for the pending or running release to end, for scripts and CI. */
import type { Command } from 'commander';
import { parseDuration } from '../api/duration.ts';
import type { Canary } from '../api/types.ts';
import { canariesPath } from '../kube/canaries.ts';
import type { Kube } from '../kube/client.ts';
import { watchCache } from '../kube/informer.ts';
import type { KubernetesObject, V1Deployment } from '../kube/types.ts';
import { createLogger } from '../observability/logger.ts';
import { templateHash } from '../resources/workload.ts';
import { CliError, connect, mustReadCanary, run, withKubeFlags, type KubeFlags } from './common.ts';

interface StatusFlags extends KubeFlags {
  timeout: string;
}

export const EXIT_SUCCEEDED = 0;
export const EXIT_FAILED = 1;
export const EXIT_TIMEOUT = 2;

export interface Outcome {
  code: typeof EXIT_SUCCEEDED | typeof EXIT_FAILED;
  message: string;
}

/**
 * How the release of a Canary ended, or undefined while one is pending or running: the phase is not
 * final, the controller has not seen the Canary's latest spec, or the target's pod template changed
 * and the controller has not picked the change up yet.
 */
export function outcomeOf(canary: Canary | undefined, target: V1Deployment | undefined): Outcome | undefined {
  if (!canary) return { code: EXIT_FAILED, message: 'the canary was deleted' };
  const id = `${canary.metadata.name}.${canary.metadata.namespace}`;
  const status = canary.status ?? {};
  if ((status.observedGeneration ?? 0) < (canary.metadata.generation ?? 0)) return undefined;
  if (target && status.lastAppliedSpec && templateHash(target) !== status.lastAppliedSpec) return undefined;
  const revision = status.revision ? ` ${status.revision}` : '';
  switch (status.phase) {
    case 'Succeeded':
      return { code: EXIT_SUCCEEDED, message: `${id}: release${revision} succeeded` };
    case 'Initialized':
      return { code: EXIT_SUCCEEDED, message: `${id}: initialized, no release pending` };
    case 'Failed':
      return {
        code: EXIT_FAILED,
        message: `${id}: release${revision} failed: ${status.message ?? ''}`.trim(),
      };
    case 'Terminated':
      return { code: EXIT_FAILED, message: `${id}: terminated` };
    default:
      return undefined;
  }
}

/** One line per phase or message change. */
export function progressLine(canary: Canary, at: Date): string {
  const s = canary.status ?? {};
  const weight =
    s.phase === 'Progressing' || s.phase === 'WaitingPromotion' ? ` weight=${s.canaryWeight ?? 0}` : '';
  return `${at.toISOString().slice(11, 19)} ${s.phase ?? 'Unknown'}${weight}${s.message ? `: ${s.message}` : ''}`;
}

export function registerStatus(program: Command): void {
  withKubeFlags(
    program
      .command('status')
      .description(
        'wait for the pending or running release to end: exit 0 when it succeeded, 1 when it failed, 2 on timeout',
      )
      .argument('<name>', 'Canary name'),
  )
    .option('--timeout <duration>', 'how long to wait, e.g. 30s, 10m or 1h', '10m')
    .action(
      run(async (name: string, flags: StatusFlags) => {
        let timeoutMs: number;
        try {
          timeoutMs = parseDuration(flags.timeout);
        } catch (err) {
          throw new CliError(`--timeout: ${(err as Error).message}`);
        }
        const { kube, namespace } = connect(flags);
        const initial = await mustReadCanary(kube, namespace, name);
        return waitForOutcome(kube, namespace, name, initial, timeoutMs);
      }),
    );
}

async function waitForOutcome(
  kube: Kube,
  namespace: string,
  name: string,
  initial: Canary,
  timeoutMs: number,
): Promise<number> {
  const log = createLogger('warn', process.stderr);
  let lastLine = '';
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let synced = false;
  const canaries = watchCache<Canary & KubernetesObject>(
    kube.kc,
    canariesPath(namespace),
    () =>
      kube.custom.listNamespacedCustomObject({
        group: 'kanaria.dev',
        version: 'v1beta1',
        plural: 'canaries',
        namespace,
      }) as Promise<{ items: (Canary & KubernetesObject)[] }>,
    () => synced && evaluate(),
    log,
  );
  const deployments = watchCache<V1Deployment>(
    kube.kc,
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    () => kube.apps.listNamespacedDeployment({ namespace }),
    () => synced && evaluate(),
    log,
  );

  function evaluate(canary: Canary | undefined = canaries.get(name, namespace)): void {
    if (canary) {
      const line = progressLine(canary, new Date());
      if (line.slice(9) !== lastLine.slice(9)) process.stdout.write(`${line}\n`);
      lastLine = line;
    }
    const outcome = outcomeOf(canary, canary && deployments.get(canary.spec.targetRef.name, namespace));
    if (!outcome) return;
    (outcome.code === EXIT_SUCCEEDED ? process.stdout : process.stderr).write(`${outcome.message}\n`);
    finish(outcome.code);
  }

  const timer = setTimeout(() => {
    const c = canaries.get(name, namespace) ?? initial;
    const s = c.status ?? {};
    process.stderr.write(
      `timed out after ${formatTimeout(timeoutMs)} waiting for the release of ${name}.${namespace} to end: ` +
        `still ${s.phase ?? 'Unknown'}${s.message ? ` (${s.message})` : ''}\n`,
    );
    finish(EXIT_TIMEOUT);
  }, timeoutMs);
  const interrupt = () => finish(130);
  process.once('SIGINT', interrupt);
  try {
    await Promise.race([Promise.all([canaries.synced, deployments.synced]), finished]);
    synced = true;
    evaluate();
    return await finished;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', interrupt);
    await Promise.all([canaries.stop(), deployments.stop()]);
  }
}

function formatTimeout(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}
