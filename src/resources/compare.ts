import type { KubernetesObject } from '../kube/types.ts';

/**
 * Where a live object differs from what Kanaria wants it to be. Only the fields Kanaria sets count:
 * fields the API server defaults or others add are ignored, so a live object read back after an
 * apply compares equal, and a hand edit of a field Kanaria sets does not.
 */
export function differences(desired: unknown, live: unknown, path = ''): string[] {
  if (desired === undefined || desired === null) return [];
  if (Array.isArray(desired)) {
    const list = Array.isArray(live) ? live : [];
    if (desired.length === 0) return list.length === 0 ? [] : [path || '.'];
    if (list.length !== desired.length) return [path || '.'];
    return desired.flatMap((item, i) => differences(item, list[i], `${path}[${i}]`));
  }
  if (typeof desired === 'object') {
    const map = live && typeof live === 'object' ? (live as Record<string, unknown>) : undefined;
    const entries = Object.entries(desired as Record<string, unknown>);
    if (!map) return entries.length === 0 ? [] : [path || '.'];
    return entries.flatMap(([k, v]) => differences(v, map[k], path ? `${path}.${k}` : k));
  }
  if (desired === '' && (live === undefined || live === null)) return [];
  return desired === live ? [] : [path || '.'];
}

/** The fields of `desired` a live object is compared on: labels, annotations and everything but metadata. */
export function comparedFields(desired: KubernetesObject): Record<string, unknown> {
  const {
    metadata,
    apiVersion: _v,
    kind: _k,
    ...rest
  } = desired as Record<string, unknown> & KubernetesObject;
  return { metadata: { labels: metadata?.labels, annotations: metadata?.annotations }, ...rest };
}
