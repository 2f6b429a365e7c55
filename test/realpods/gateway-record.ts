/**
 * Asks a real Prometheus that scraped Traefik's Gateway provider series the queries later unit tests
 * answer from a recording; with KANARIA_RECORD_GATEWAY_ANSWERS=1 writes the answers to
 * src/checks/metrics/testdata/traefik-gateway-answers.json.
 */
import { writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import type { Kube } from '../../src/kube/client.ts';
import { promQuery } from './gateway-helpers.ts';
import { waitFor } from './helpers.ts';

export const RECORDING = process.env.KANARIA_RECORD_GATEWAY_ANSWERS === '1';
const FILE = new URL('../../src/checks/metrics/testdata/traefik-gateway-answers.json', import.meta.url);

/** Namespace `test` (a fixed name for the recording), created like freshNamespace's. */
export async function recordingNamespace(
  kube: Kube,
): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = 'test';
  await kube.core.createNamespace({ body: { metadata: { name } } });
  await waitFor(`default ServiceAccount in ${name}`, () =>
    kube.core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true),
  );
  return { name, cleanup: () => kube.core.deleteNamespace({ name }).then(() => undefined) };
}

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

export interface GatewayAnswers {
  about: string[];
  answers: Record<string, { query: string; answer: unknown }>;
  series: unknown;
}

/**
 * Waits until Prometheus has scraped Traefik's final counts (`counted`, by service label) of HTTPRoute
 * `split`, then asks the queries. The canary is the backend app-b.
 */
export async function recordGatewayAnswers(
  prometheusUrl: string,
  namespace: string,
  counted: Map<string, number>,
): Promise<GatewayAnswers> {
  const split = `httproute-${namespace}-split-gw-${namespace}-gateway-ep-web-0-`;
  const wanted = [...counted].filter(([s]) => s.startsWith(split));
  const seriesQuery = `traefik_service_requests_total{service=~"${split}.+@kubernetesgateway"}`;
  const bySumQuery = `sum by (service) (${seriesQuery})`;
  await waitFor('Prometheus to scrape the final counts', async () => {
    const { data } = (await promQuery(prometheusUrl, bySumQuery)) as Vector;
    const seen = new Map(data.result.map((r) => [r.metric.service, Number(r.value[1])]));
    return wanted.length === 2 && wanted.every(([s, n]) => seen.get(s) === n);
  });
  const canary = `service=~"${split}[0-9a-f]{20}-svc-${namespace}-app-b-[0-9]+@kubernetesgateway"`;
  const queries = {
    'split canary request-success-rate':
      `sum(rate(traefik_service_requests_total{${canary},code!~"5.."}[1m])) / ` +
      `sum(rate(traefik_service_requests_total{${canary}}[1m])) * 100`,
    'split canary request-duration':
      `sum(rate(traefik_service_request_duration_seconds_sum{${canary}}[1m])) / ` +
      `sum(rate(traefik_service_request_duration_seconds_count{${canary}}[1m])) * 1000`,
    'split requests by service': bySumQuery,
  };
  const answers: GatewayAnswers['answers'] = {};
  for (const [name, query] of Object.entries(queries))
    answers[name] = { query, answer: await promQuery(prometheusUrl, query) };
  const recorded: GatewayAnswers = {
    about: [
      'Answers of a real Prometheus (3.16.0) scraping Traefik 3.7.13 with its kubernetesGateway provider',
      `(Gateway API v1.6.1) on a local control plane, namespace ${namespace}: Gateway gateway (class of`,
      'traefik.io/gateway-controller, one HTTP listener on the entry point web), HTTPRoute split whose one rule',
      'has backendRefs app-a (weight 80, index 0) and app-b (weight 20, index 1), Services of two pod processes',
      'each; 2,000 requests at 8 in flight after a warm-up, no errors, scraped every 1 s. The service label is',
      'httproute-<ns>-<route>-gw-<ns>-<gateway>-ep-<entrypoint>-<rule index>-<20 hex digits>-svc-<ns>-<service>-<backendRef index>@kubernetesgateway',
      '(the hex digits hash the route, Gateway, entry point, rule index and the rule built from the match).',
      "'series' is the raw traefik_service_requests_total of the route after the traffic.",
    ],
    answers,
    series: await promQuery(prometheusUrl, seriesQuery),
  };
  // Formatted as `npm run lint` wants it.
  if (RECORDING)
    await writeFile(
      FILE,
      await format(JSON.stringify(recorded), { ...(await resolveConfig(FILE)), parser: 'json' }),
    );
  return recorded;
}
