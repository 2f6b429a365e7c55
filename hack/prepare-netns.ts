/**
 * Fetches and builds what the suites inside hack/in-netns.sh's network namespace need (the control
 * plane's binaries, Traefik, Prometheus, the Gateway API CRDs) before they enter it: the namespace has
 * no network, so Go cannot reach the module proxy from there. Quick when everything is cached.
 */
import { COMPONENTS, ensureBinaries } from '../src/devcluster/binaries.ts';
import { ensureGatewayApiCrds } from '../src/devcluster/gateway-api.ts';

try {
  await ensureBinaries([...COMPONENTS, 'traefik', 'prometheus']);
  await ensureGatewayApiCrds(process.env, (line) => process.stderr.write(`${line}\n`));
} catch (err) {
  process.stderr.write(`prepare-netns: ${(err as Error).message}\n`);
  process.exit(1);
}
