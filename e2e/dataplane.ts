/**
 * Which data plane the e2e scenarios run against, from the environment (the same answer in the global
 * setup and in every test worker):
 *  - `cluster`: KANARIA_E2E_INGRESS_URL is set (a real cluster, ./real-cluster.ts);
 *  - `traefik`: a real Traefik in front of real pod processes (./traefik-env.ts), the default inside
 *    hack/in-netns.sh's network namespace (which sets KANARIA_NETNS_CIDR): `npm run e2e`;
 *  - `simulation`: the simulated ingress-nginx data plane (./simulation.ts), the default elsewhere and
 *    what KANARIA_E2E_DATAPLANE=simulation asks for: `npm run e2e:simulation`, no root needed.
 */
export type E2EDataPlane = 'cluster' | 'traefik' | 'simulation';

export function e2eDataPlane(vars: NodeJS.ProcessEnv = process.env): E2EDataPlane {
  if (vars.KANARIA_E2E_INGRESS_URL) return 'cluster';
  const asked = vars.KANARIA_E2E_DATAPLANE;
  if (asked === 'simulation') return 'simulation';
  if (asked === 'traefik') {
    if (!vars.KANARIA_NETNS_CIDR)
      throw new Error(
        'KANARIA_E2E_DATAPLANE=traefik needs the pod network of hack/in-netns.sh: run `npm run e2e` (as root)',
      );
    return 'traefik';
  }
  if (asked !== undefined && asked !== '')
    throw new Error(`KANARIA_E2E_DATAPLANE="${asked}": use traefik or simulation`);
  return vars.KANARIA_NETNS_CIDR ? 'traefik' : 'simulation';
}
