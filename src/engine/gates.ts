import type { Decision, NeedChecks } from './context.ts';

/**
 * The confirm-traffic-increase webhooks before the canary gets more traffic: `open` when they all pass
 * (or an approval of this revision opened them), else the checks to run or the held decision.
 */
export function trafficIncreaseGate(d: Decision): NeedChecks | undefined | 'open' {
  const confirm = d.checks('confirm-traffic-increase');
  if (!confirm) return { need: 'confirm-traffic-increase' };
  const closed = confirm.find((c) => !c.ok);
  if (!closed) return 'open';
  const { status } = d;
  if (status.message?.startsWith('waiting for traffic increase approval') !== true) {
    d.event('Normal', 'Synced', `Waiting for traffic increase approval of ${d.id}: ${closed.name}`);
    d.alerts.push({
      kind: 'waiting-approval',
      severity: 'info',
      message: `Waiting for approval to increase the traffic to ${d.id}`,
    });
  }
  status.message = `waiting for traffic increase approval: ${closed.message}`;
  return d.stepDone();
}
