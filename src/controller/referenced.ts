/**
 * The ConfigMaps and Secrets a reconcile of one Canary may read, so that the caches that hold only what is
 * asked for (src/kube/selective-cache.ts) hold them before the reconcile starts: the configs its target's
 * pod template uses and their `-primary` copies, the Secrets of the MetricTemplates its analysis names and
 * of its AlertProviders (or of the operator's default alert provider).
 */
import type { Canary } from '../api/types.ts';
import type { ObjectKey } from '../kube/selective-cache.ts';
import { referencedConfigs } from '../resources/configs.ts';
import { primaryName } from '../resources/names.ts';
import type { Caches } from './caches.ts';

export interface ReferencedObjects {
  configMaps: ObjectKey[];
  secrets: ObjectKey[];
}

export function referencedObjects(
  canary: Canary,
  caches: Pick<Caches, 'deployments' | 'metricTemplates' | 'alertProviders'>,
  defaultAlertSecret?: ObjectKey,
): ReferencedObjects {
  const namespace = canary.metadata.namespace ?? '';
  const configMaps: ObjectKey[] = [];
  const secrets: ObjectKey[] = [];
  const targetName = canary.spec?.targetRef?.name;
  const target = targetName ? caches.deployments.get(targetName, namespace) : undefined;
  for (const ref of referencedConfigs(target?.spec?.template.spec)) {
    const keys = ref.kind === 'configmap' ? configMaps : secrets;
    keys.push({ namespace, name: ref.name }, { namespace, name: primaryName(ref.name) });
  }
  const analysis = canary.spec?.analysis;
  for (const metric of analysis?.metrics ?? []) {
    if (!metric.templateRef) continue;
    const templateNamespace = metric.templateRef.namespace ?? namespace;
    const secretRef = caches.metricTemplates.get(metric.templateRef.name, templateNamespace)?.spec.provider
      .secretRef;
    if (secretRef) secrets.push({ namespace: templateNamespace, name: secretRef.name });
  }
  const alerts = analysis?.alerts ?? [];
  for (const alert of alerts) {
    const providerNamespace = alert.providerRef.namespace ?? namespace;
    const secretRef = caches.alertProviders.get(alert.providerRef.name, providerNamespace)?.spec.secretRef;
    if (secretRef) secrets.push({ namespace: providerNamespace, name: secretRef.name });
  }
  if (alerts.length === 0 && defaultAlertSecret) secrets.push(defaultAlertSecret);
  return { configMaps, secrets };
}
