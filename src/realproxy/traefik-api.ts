/**
 * What a running Traefik routes by, read from its JSON API: the ingress-nginx provider turns a main
 * Ingress with a canary Ingress into a `weighted` service `<ns>-<ingress>-<service>-<port>-wrr` whose
 * children are the primary backend and the canary backend (named like the primary with `-canary`), with
 * the canary weight Traefik applies.
 */

interface ApiService {
  name: string;
  type?: string;
  weighted?: { services?: { name: string; weight?: number }[] };
}

/**
 * The canary weight of each weighted service of the ingress-nginx provider whose name starts with
 * `<namespace>-<ingress>-`, by service name; empty when Traefik routes that Ingress without a canary.
 */
export async function canaryWeights(
  apiUrl: string,
  namespace: string,
  ingress: string,
): Promise<Map<string, number>> {
  const res = await fetch(`${apiUrl}/http/services`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`traefik ${apiUrl}/http/services: ${res.status}`);
  const weights = new Map<string, number>();
  for (const service of (await res.json()) as ApiService[]) {
    if (service.type !== 'weighted' || !service.name.startsWith(`${namespace}-${ingress}-`)) continue;
    const canary = service.weighted?.services?.find((s) => s.name.endsWith('-canary'));
    if (canary) weights.set(service.name, canary.weight ?? 0);
  }
  return weights;
}
