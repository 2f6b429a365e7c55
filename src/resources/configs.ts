import type { V1PodSpec } from '../kube/types.ts';

export interface ConfigRef {
  kind: 'configmap' | 'secret';
  name: string;
  optional: boolean;
}

export function configKey(ref: { kind: string; name: string }): string {
  return `${ref.kind}/${ref.name}`;
}

/** Every ConfigMap and Secret a pod spec uses: volumes, projected sources, env and envFrom of all containers. */
export function referencedConfigs(pod: V1PodSpec | undefined): ConfigRef[] {
  const refs = new Map<string, ConfigRef>();
  const add = (kind: ConfigRef['kind'], name: string | undefined, optional: boolean | undefined) => {
    if (!name) return;
    const key = configKey({ kind, name });
    const prev = refs.get(key);
    // A config is optional only if every reference says so.
    refs.set(key, { kind, name, optional: (prev?.optional ?? true) && optional === true });
  };
  for (const v of pod?.volumes ?? []) {
    add('configmap', v.configMap?.name, v.configMap?.optional);
    add('secret', v.secret?.secretName, v.secret?.optional);
    for (const src of v.projected?.sources ?? []) {
      add('configmap', src.configMap?.name, src.configMap?.optional);
      add('secret', src.secret?.name, src.secret?.optional);
    }
  }
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      add('configmap', e.configMapRef?.name, e.configMapRef?.optional);
      add('secret', e.secretRef?.name, e.secretRef?.optional);
    }
    for (const e of c.env ?? []) {
      add('configmap', e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional);
      add('secret', e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
    }
  }
  return [...refs.values()];
}

/** A deep copy of the pod spec with each tracked config reference renamed by `rename`. */
export function renameConfigRefs(
  pod: V1PodSpec,
  tracked: Set<string>,
  rename: (name: string) => string,
): V1PodSpec {
  const copy = structuredClone(pod);
  const r = (kind: ConfigRef['kind'], name: string | undefined) =>
    name && tracked.has(configKey({ kind, name })) ? rename(name) : name;
  for (const v of copy.volumes ?? []) {
    if (v.configMap) v.configMap.name = r('configmap', v.configMap.name);
    if (v.secret) v.secret.secretName = r('secret', v.secret.secretName);
    for (const src of v.projected?.sources ?? []) {
      if (src.configMap) src.configMap.name = r('configmap', src.configMap.name);
      if (src.secret) src.secret.name = r('secret', src.secret.name);
    }
  }
  for (const c of [...(copy.initContainers ?? []), ...(copy.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) e.configMapRef.name = r('configmap', e.configMapRef.name);
      if (e.secretRef) e.secretRef.name = r('secret', e.secretRef.name);
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm) cm.name = r('configmap', cm.name) ?? cm.name;
      const sec = e.valueFrom?.secretKeyRef;
      if (sec) sec.name = r('secret', sec.name) ?? sec.name;
    }
  }
  return copy;
}

export interface ConfigData {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  type?: string;
}
