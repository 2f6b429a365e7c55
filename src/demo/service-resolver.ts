/**
 * Resolves `http://<service>.<namespace>[.svc[.cluster.local]][:port]/…` to one ready endpoint of that
 * Service, the way kube-proxy would route it: the Service port (the URL's, else 80) gives the port name,
 * the Service's EndpointSlices give the ready addresses and that port's number on them. Read at every
 * resolution, so a webhook reaches the pods that are ready when it runs. For the local control plane,
 * which has no cluster DNS and no kube-proxy: Service ClusterIPs route nowhere there, pod IPs do (inside
 * hack/in-netns.sh's network namespace).
 */
import { DiscoveryV1Api } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.ts';
import type { UrlResolver } from './loadtester.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `{ service, namespace }` of a Service URL's host name, or undefined when it is not one. */
export function serviceOf(url: URL): { service: string; namespace: string } | undefined {
  if (url.protocol !== 'http:') return undefined;
  const parts = url.hostname.split('.');
  const suffix = parts.slice(2).join('.');
  if (parts.length < 2 || !['', 'svc', 'svc.cluster.local'].includes(suffix)) return undefined;
  const [service, namespace] = parts;
  return LABEL.test(service) && LABEL.test(namespace) ? { service, namespace } : undefined;
}

export class ServiceResolveError extends Error {
  readonly code = 'ENOENDPOINTS';
}

export function serviceResolver(kube: Kube): UrlResolver {
  const discovery = kube.kc.makeApiClient(DiscoveryV1Api);
  let turn = 0;
  return {
    accepts: (url) => serviceOf(url) !== undefined,
    async resolve(url) {
      const { service, namespace } = serviceOf(url)!;
      const svc = await kube.core.readNamespacedService({ name: service, namespace });
      const wanted = Number(url.port || 80);
      const port = svc.spec?.ports?.find((p) => p.port === wanted);
      if (!port) throw new ServiceResolveError(`Service ${namespace}/${service} has no port ${wanted}`);
      const { items } = await discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      const targets = items.flatMap((slice) => {
        const number = slice.ports?.find((p) => (p.name ?? '') === (port.name ?? ''))?.port;
        if (number === undefined) return [];
        return (slice.endpoints ?? [])
          .filter((e) => e.conditions?.ready !== false)
          .flatMap((e) => e.addresses.map((address) => `${address}:${number}`));
      });
      if (targets.length === 0)
        throw new ServiceResolveError(
          `Service ${namespace}/${service} has no ready endpoint for port ${wanted}`,
        );
      targets.sort();
      const resolved = new URL(url);
      resolved.host = targets[turn++ % targets.length];
      return resolved;
    },
  };
}
