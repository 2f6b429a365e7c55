import { statusCode, type Kube } from '../kube/client.ts';

/** The ingress class the example's Ingress names, served by Traefik's ingress-nginx provider. */
export const NGINX_INGRESS_CLASS = 'nginx';

/**
 * Creates the IngressClass `nginx` of controller `k8s.io/ingress-nginx` unless it exists: Traefik's
 * ingress-nginx provider only serves Ingresses of a class with that controller.
 */
export async function ensureNginxIngressClass(kube: Kube): Promise<void> {
  await kube.networking
    .createIngressClass({
      body: { metadata: { name: NGINX_INGRESS_CLASS }, spec: { controller: 'k8s.io/ingress-nginx' } },
    })
    .catch((err: unknown) => {
      if (statusCode(err) !== 409) throw err;
    });
}
