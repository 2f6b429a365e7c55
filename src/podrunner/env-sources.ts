/** The pod runner's reads of ConfigMaps and Secrets for a pod's env. */
import { statusCode, type Kube } from '../kube/client.ts';
import type { EnvSources } from './pod-spec.ts';

/** Reads ConfigMaps and Secrets for env resolution; a 404 is "not found", other errors propagate. */
export function apiEnvSources(kube: Kube): EnvSources {
  const notFound = (err: unknown) => {
    if (statusCode(err) === 404) return undefined;
    throw err;
  };
  return {
    configMap: (namespace, name) =>
      kube.core.readNamespacedConfigMap({ namespace, name }).then((cm) => cm.data ?? {}, notFound),
    secret: (namespace, name) =>
      kube.core
        .readNamespacedSecret({ namespace, name })
        .then(
          (s) =>
            Object.fromEntries(
              Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
            ),
          notFound,
        ),
  };
}
