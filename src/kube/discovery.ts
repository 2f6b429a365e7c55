import type { Logger } from 'pino';
import type { Kube } from './client.ts';
import { describeError, statusCode } from './client.ts';

export interface OptionalResource {
  group: string;
  version: string;
  plural: string;
}

/**
 * Whether the API server serves a resource Kanaria can work without (say Gateway API's HTTPRoute), and this
 * controller may list it in `namespace` (or all): a missing CRD or missing RBAC must not keep the controller
 * from starting, since a watch on it would never sync. Other failures count as absent too, logged.
 */
export async function canWatch(
  kube: Kube,
  r: OptionalResource,
  namespace: string | undefined,
  log: Logger,
): Promise<boolean> {
  const what = `${r.plural}.${r.group}/${r.version}`;
  try {
    const found = await kube.custom.getAPIResources({ group: r.group, version: r.version });
    if (!found.resources.some((x) => x.name === r.plural)) {
      log.info({ resource: what }, 'resource not served; its watch is off');
      return false;
    }
    const page = { group: r.group, version: r.version, plural: r.plural, limit: 1 };
    await (namespace
      ? kube.custom.listNamespacedCustomObject({ ...page, namespace })
      : kube.custom.listClusterCustomObject(page));
    return true;
  } catch (err) {
    const level = statusCode(err) === 404 ? 'info' : 'warn';
    log[level]({ resource: what, err: describeError(err) }, 'resource not available; its watch is off');
    return false;
  }
}
