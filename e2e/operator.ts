/** The operator as its own process (`kanaria controller`), watching one namespace: shared by the local environments. */
import { setTimeout as sleep } from 'node:timers/promises';
import { OperatorProcess } from '../test/integration/operator/process.ts';
import type { OperatorUnderTest } from './harness.ts';

/** SIGTERM (the operator stops its workers and exits), SIGKILL if that takes too long. */
async function stopOperator(op: OperatorProcess): Promise<void> {
  const timer = setTimeout(() => void op.kill('SIGKILL'), 10_000);
  await op.kill('SIGTERM');
  clearTimeout(timer);
}

/** Starts the operator and resolves once it answers /readyz; `stop()` of the result ends it. */
export async function startLocalOperator(
  kubeconfig: string,
  namespace: string,
  prometheusUrl: string,
): Promise<OperatorUnderTest> {
  const op = await OperatorProcess.start([
    '--kubeconfig',
    kubeconfig,
    '--namespace',
    namespace,
    '--metrics-server',
    prometheusUrl,
    '--log-level',
    'info',
  ]);
  // Never outlive the test process, even when it ends without afterAll.
  const killOnExit = () => op.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  op.child.once('exit', () => process.removeListener('exit', killOnExit));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${op.url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) break;
    if (op.child.exitCode !== null || Date.now() > deadline) {
      await stopOperator(op);
      throw new Error(`the operator did not become ready; its output:\n${op.output.slice(-3000)}`);
    }
    await sleep(100);
  }
  let stopped: Promise<void> | undefined;
  return {
    gateUrl: op.gateUrl,
    output: () => op.output,
    running: async () =>
      op.child.exitCode === null &&
      op.child.signalCode === null &&
      (await fetch(`${op.url}/readyz`)
        .then((r) => r.ok)
        .catch(() => false)),
    stop: () => (stopped ??= stopOperator(op)),
  };
}
