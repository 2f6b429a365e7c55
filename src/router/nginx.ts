import type { HttpMatch } from '../api/types.ts';
import type { V1Ingress, V1IngressBackend } from '../kube/types.ts';
import { MANAGED_BY_LABEL, ownerReference, type Owner } from '../resources/meta.ts';

export const DEFAULT_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';

export interface Routes {
  weight: number;
  /** True when header/cookie rules route the canary (A/B testing, or a header route of analysis.steps). */
  match: boolean;
  /**
   * The header route of analysis.steps, in force beside `weight` (header and cookie rules take precedence
   * over the weight). Without it, A/B routes use analysis.match and give the weight no share.
   */
  rules?: HttpMatch[];
}

export interface CanaryIngressInput {
  source: V1Ingress;
  apexService: string;
  canaryService: string;
  owner: Owner;
  prefix?: string;
  routes: Routes;
  match?: HttpMatch[];
  /** Ingress class for a canary Ingress whose source names none. */
  ingressClass?: string;
}

/** True when some rule or the default backend of the Ingress sends traffic to `service`. */
export function usesService(ingress: V1Ingress, service: string): boolean {
  let found = ingress.spec?.defaultBackend?.service?.name === service;
  for (const rule of ingress.spec?.rules ?? [])
    for (const path of rule.http?.paths ?? []) if (path.backend.service?.name === service) found = true;
  return found;
}

function renameBackend(backend: V1IngressBackend | undefined, from: string, to: string): void {
  if (backend?.service?.name === from) backend.service.name = to;
}

/** ingress-nginx annotations for header/cookie routing; only one header (or a cookie) can be expressed. */
export function matchAnnotations(prefix: string, match: HttpMatch[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of match ?? []) {
    for (const [header, value] of Object.entries(m.headers ?? {})) {
      if (header.toLowerCase() === 'cookie') {
        out[`${prefix}/canary-by-cookie`] = value.exact ?? value.regex ?? '';
        continue;
      }
      out[`${prefix}/canary-by-header`] = header;
      if (value.exact !== undefined) out[`${prefix}/canary-by-header-value`] = value.exact;
      if (value.regex !== undefined) out[`${prefix}/canary-by-header-pattern`] = value.regex;
    }
  }
  return out;
}

/**
 * The `<ingress>-canary` Ingress: a copy of the source whose apex backends point to the canary Service,
 * with the source's own canary annotations dropped and the routing annotations set.
 */
export function buildCanaryIngress(input: CanaryIngressInput): V1Ingress {
  const prefix = input.prefix ?? DEFAULT_ANNOTATION_PREFIX;
  const { source } = input;
  const spec = structuredClone(source.spec ?? {});
  if (
    input.ingressClass &&
    !spec.ingressClassName &&
    !source.metadata?.annotations?.['kubernetes.io/ingress.class']
  )
    spec.ingressClassName = input.ingressClass;
  renameBackend(spec.defaultBackend, input.apexService, input.canaryService);
  for (const rule of spec.rules ?? [])
    for (const path of rule.http?.paths ?? [])
      renameBackend(path.backend, input.apexService, input.canaryService);
  const inherited = Object.fromEntries(
    Object.entries(source.metadata?.annotations ?? {}).filter(
      ([k]) => !k.startsWith(`${prefix}/canary`) && k !== 'kubectl.kubernetes.io/last-applied-configuration',
    ),
  );
  const routing: Record<string, string> = {
    [`${prefix}/canary`]: 'true',
    [`${prefix}/canary-weight`]: String(input.routes.match && !input.routes.rules ? 0 : input.routes.weight),
    ...(input.routes.match ? matchAnnotations(prefix, input.routes.rules ?? input.match) : {}),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: `${source.metadata!.name}-canary`,
      namespace: source.metadata!.namespace,
      labels: { ...(source.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: 'kanaria' },
      annotations: { ...inherited, ...routing },
      ownerReferences: [ownerReference(input.owner)],
    },
    spec,
  };
}

/** The routes a canary Ingress carries now. */
export function routesOf(
  ingress: V1Ingress | undefined,
  prefix = DEFAULT_ANNOTATION_PREFIX,
): Routes | undefined {
  const a = ingress?.metadata?.annotations;
  if (!a) return undefined;
  const weight = Number.parseInt(a[`${prefix}/canary-weight`] ?? '0', 10);
  const match =
    a[`${prefix}/canary-by-header`] !== undefined || a[`${prefix}/canary-by-cookie`] !== undefined;
  return { weight: Number.isFinite(weight) ? weight : 0, match };
}
