import type { Logger } from 'pino';
import type { AlertProvider, Canary, CanaryStatus, OutcomeAlert } from '../api/types.ts';
import type { EngineAlert } from '../engine/model.ts';
import type { KubernetesObject, V1Secret } from '../kube/types.ts';
import { AlertDispatcher, type AlertTarget } from '../notify/dispatch.ts';
import { createNotifier, type ProviderConfig } from '../notify/notifier.ts';
import { approvalHints } from '../notify/approval.ts';
import type { Cache } from './caches.ts';

export interface DefaultAlertProvider {
  type: ProviderConfig['type'];
  /** Secret (key `address`) holding the webhook URL; never a command-line literal. */
  secretName: string;
  secretNamespace: string;
}

export interface AlertSinkOptions {
  alertProviders: Cache<AlertProvider & KubernetesObject>;
  secrets: Cache<V1Secret>;
  clusterName?: string;
  defaultProvider?: DefaultAlertProvider;
  clock: () => number;
  log: Logger;
  dispatcher?: AlertDispatcher;
}

function secretValue(
  secrets: Cache<V1Secret>,
  name: string,
  namespace: string,
  key: string,
): string | undefined {
  const s = secrets.get(name, namespace);
  const b64 = s?.data?.[key];
  return b64 ? Buffer.from(b64, 'base64').toString('utf8').trim() : s?.stringData?.[key];
}

/**
 * Turns the engine's alerts into notifications: each Canary's `analysis.alerts` providers (or the
 * operator's default provider when it names none), filtered by severity, sent in the background.
 */
export function createAlertSink(o: AlertSinkOptions) {
  const dispatcher =
    o.dispatcher ??
    new AlertDispatcher({
      onError: (err, alert) =>
        o.log.warn({ canary: `${alert.namespace}/${alert.canary}`, code: err.code }, err.message),
    });

  const providerTarget = (
    name: string,
    namespace: string,
    minSeverity: AlertTarget['minSeverity'],
    entryApprovers: string[] = [],
  ): AlertTarget | string => {
    const p = o.alertProviders.get(name, namespace);
    if (!p) return `alert provider ${namespace}/${name} not found`;
    const address = p.spec.secretRef
      ? secretValue(o.secrets, p.spec.secretRef.name, namespace, 'address')
      : p.spec.address;
    if (!address)
      return `alert provider ${namespace}/${name} has no address (spec.address or its Secret's "address" key)`;
    const notifier = createNotifier({
      type: p.spec.type,
      address,
      channel: p.spec.channel,
      username: p.spec.username,
      proxy: p.spec.proxy,
      name: `${namespace}/${name}`,
      // Buttons only where someone may press them (see slack/approvers.ts).
      approvalButtons:
        p.spec.type === 'slack' && (entryApprovers.length > 0 || (p.spec.approvers ?? []).length > 0),
    });
    return { notifier, minSeverity, name: `${namespace}/${name}` };
  };

  const targetsOf = (canary: Canary): AlertTarget[] => {
    const ns = canary.metadata.namespace!;
    const refs = canary.spec.analysis?.alerts ?? [];
    const targets: AlertTarget[] = [];
    for (const ref of refs) {
      const t = providerTarget(
        ref.providerRef.name,
        ref.providerRef.namespace ?? ns,
        ref.severity || 'info',
        ref.approvers,
      );
      if (typeof t === 'string') o.log.warn({ canary: `${ns}/${canary.metadata.name}`, alert: ref.name }, t);
      else targets.push(t);
    }
    if (refs.length === 0 && o.defaultProvider) {
      const d = o.defaultProvider;
      const address = secretValue(o.secrets, d.secretName, d.secretNamespace, 'address');
      if (address)
        targets.push({
          notifier: createNotifier({ type: d.type, address, name: 'default' }),
          minSeverity: 'info',
          name: 'default',
        });
      else
        o.log.warn(
          `default alert provider: Secret ${d.secretNamespace}/${d.secretName} has no "address" key`,
        );
    }
    return targets;
  };

  const sink = (
    canary: Canary,
    alert: EngineAlert | OutcomeAlert,
    status: CanaryStatus,
  ): Promise<boolean> => {
    try {
      const targets = targetsOf(canary);
      if (targets.length === 0) return Promise.resolve(true);
      return dispatcher.send(
        {
          canary: canary.metadata.name,
          namespace: canary.metadata.namespace!,
          cluster: o.clusterName,
          phase: status.phase ?? '',
          weight: status.canaryWeight ?? 0,
          severity: alert.severity,
          kind: alert.kind,
          message: alert.message,
          reason: alert.reason,
          measurements: alert.measurements,
          timestamp: new Date(o.clock()).toISOString(),
          ...(alert.kind === 'waiting-approval' && status.revision
            ? {
                approval: approvalHints(
                  canary.metadata.namespace!,
                  canary.metadata.name!,
                  status.revision,
                  status.phase ?? '',
                ),
              }
            : {}),
        },
        targets,
      );
    } catch (err) {
      o.log.warn(
        { canary: `${canary.metadata.namespace}/${canary.metadata.name}` },
        `alert not sent: ${(err as Error).message}`,
      );
      return Promise.resolve(false);
    }
  };
  return { sink, dispatcher };
}
