// npm run bench:client -- [--objects 100] [--requests 3000] [--rounds 3] [--concurrency 16]
//                              [--name bench-client] [--base-port 19740]
//
// What a weight step's writes cost the operator's own process, on the client side. On its own local
// control plane (no controller running), `objects` Canaries and their canary Ingresses are created;
// then each round sends `requests` writes of each kind, `concurrency` at a time, three ways taking turns:
//   writer     through KubeWriter, as the operator writes (src/kube/json-request.ts: the kubeconfig's
//              authentication per request, undici's request(), the answer parsed as plain JSON)
//   generated  through client-node's generated APIs (WHATWG fetch, middleware, model serialisation both
//              ways), as the writer sent these writes before
//   bare       undici's request() with a fixed token and connection pool: no per-request authentication
// Kinds: the canary Ingress's weight annotations (merge patch), the Canary's whole step status (merge
// patch with its resourceVersion) and an events.k8s.io/v1 Event.
// Prints, per kind and way, this process's CPU milliseconds per request (process.cpuUsage over the
// turn) and the wall time per request. Not a test: figures only.
import { parseArgs } from 'node:util';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { installCrds } from '../src/controller/install-crds.ts';
import { down, up } from '../src/devcluster/cluster.ts';
import { createKube } from '../src/kube/client.ts';
import { eventBody, type EventInput } from '../src/kube/event-body.ts';
import { FIELD_MANAGER } from '../src/kube/field-managers.ts';
import { KubeWriter } from '../src/kube/writer.ts';
import { percentile } from './measure.ts';
import { stepStatus } from './step-status.ts';
import { appName, canaryIngress, canaryObject, HASH_ANNOTATION, PREFIX } from './write-objects.ts';

const { values: flags } = parseArgs({
  options: {
    objects: { type: 'string', default: '100' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    name: { type: 'string', default: 'bench-client' },
    'base-port': { type: 'string', default: '19740' },
  },
});
const OBJECTS = Number(flags.objects);
const REQUESTS = Number(flags.requests);
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = Number(flags.concurrency);
const NAMESPACE = 'client-cost';
const MERGE: string = PatchStrategy.MergePatch;
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

type Way = 'writer' | 'generated' | 'bare';
type Kind = 'ingress-weight' | 'canary-status' | 'event';
type Write = (n: number) => Promise<unknown>;
const KINDS: Kind[] = ['ingress-weight', 'canary-status', 'event'];
const WAYS: Way[] = ['writer', 'generated', 'bare'];

const ingressName = (i: number) => `${appName(i)}-canary`;
const weights = (n: number) => ({ [`${PREFIX}/canary-weight`]: String(n % 100), [HASH_ANNOTATION]: `h${n}` });
const event = (i: number, n: number): EventInput => ({
  namespace: NAMESPACE,
  regarding: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name: appName(i) },
  type: 'Normal',
  reason: 'Progressing',
  action: 'Progressing',
  note: `Advance ${appName(i)} canary weight ${n % 100}`,
  now: new Date(),
});

/** One turn: REQUESTS writes (write n goes to object n mod OBJECTS); [client CPU ms, wall ms] per request. */
async function turn(write: Write): Promise<[number, number]> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      // CONCURRENCY writes in flight over OBJECTS objects: two writes of one Canary never overlap.
      while (next < REQUESTS) await write(next++);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return [(cpu.user + cpu.system) / 1000 / REQUESTS, (performance.now() - t0) / REQUESTS];
}

const state = await up({ name: flags.name, basePort: Number(flags['base-port']), nodes: 1, log });
try {
  const kube = createKube(state.kubeconfig);
  await installCrds(kube);
  await kube.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  /** Each Canary's last resourceVersion: its status patches expect it. */
  const versions: string[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const created = (await kube.custom.createNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural: 'canaries',
      namespace: NAMESPACE,
      body: canaryObject(NAMESPACE, i),
    })) as { metadata: { uid: string; resourceVersion: string } };
    versions.push(created.metadata.resourceVersion);
    await kube.networking.createNamespacedIngress({
      namespace: NAMESPACE,
      body: canaryIngress(NAMESPACE, i, 0, created.metadata.uid),
    });
  }
  log(`${OBJECTS} Canaries and canary Ingresses created`);

  const writer = new KubeWriter(kube, 'bench');
  const server = kube.kc.getCurrentCluster()!.server;
  const token = kube.kc.getCurrentUser()!.token!;
  const agent = new Agent({ connect: { rejectUnauthorized: false }, allowH2: false });
  const bare = async (method: 'PATCH' | 'POST', path: string, contentType: string, body: unknown) => {
    const res = await request(`${server}${path}?fieldManager=${FIELD_MANAGER}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': contentType },
      body: JSON.stringify(body),
    });
    const answer = (await res.body.json()) as { metadata?: { resourceVersion?: string } };
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode}`);
    return answer.metadata?.resourceVersion;
  };
  const statusOf = (n: number) => ({
    metadata: { resourceVersion: versions[n % OBJECTS] },
    status: stepStatus(n % OBJECTS, n % 100, new Date()),
  });
  const merge = setHeaderOptions('Content-Type', MERGE);

  const writes: Record<Way, Record<Kind, Write>> = {
    writer: {
      'ingress-weight': (n) =>
        writer.patchAnnotations(
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: ingressName(n % OBJECTS), namespace: NAMESPACE },
          },
          weights(n),
          undefined as unknown as string,
        ),
      'canary-status': async (n) => {
        const { metadata, status } = statusOf(n);
        const version = await writer.patchCanaryStatus(
          NAMESPACE,
          appName(n % OBJECTS),
          status,
          metadata.resourceVersion,
        );
        versions[n % OBJECTS] = version ?? '';
      },
      event: (n) => writer.createEvent(event(n % OBJECTS, n)),
    },
    generated: {
      'ingress-weight': (n) =>
        kube.objects.patch(
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: ingressName(n % OBJECTS), namespace: NAMESPACE, annotations: weights(n) },
          },
          undefined,
          undefined,
          FIELD_MANAGER,
          undefined,
          PatchStrategy.MergePatch,
        ),
      'canary-status': async (n) => {
        const out = (await kube.custom.patchNamespacedCustomObjectStatus(
          {
            group: 'kanaria.dev',
            version: 'v1beta1',
            plural: 'canaries',
            namespace: NAMESPACE,
            name: appName(n % OBJECTS),
            body: statusOf(n),
            fieldManager: FIELD_MANAGER,
          },
          merge,
        )) as { metadata?: { resourceVersion?: string } };
        versions[n % OBJECTS] = out.metadata?.resourceVersion ?? '';
      },
      event: (n) =>
        kube.events.createNamespacedEvent({
          namespace: NAMESPACE,
          body: eventBody(event(n % OBJECTS, n), 'bench'),
          fieldManager: FIELD_MANAGER,
        }),
    },
    bare: {
      'ingress-weight': (n) =>
        bare(
          'PATCH',
          `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses/${ingressName(n % OBJECTS)}`,
          MERGE,
          {
            metadata: { annotations: weights(n) },
          },
        ),
      'canary-status': async (n) => {
        const path = `/apis/kanaria.dev/v1beta1/namespaces/${NAMESPACE}/canaries/${appName(n % OBJECTS)}/status`;
        versions[n % OBJECTS] = (await bare('PATCH', path, MERGE, statusOf(n))) ?? '';
      },
      event: (n) =>
        bare(
          'POST',
          `/apis/events.k8s.io/v1/namespaces/${NAMESPACE}/events`,
          'application/json',
          eventBody(event(n % OBJECTS, n), 'bench'),
        ),
    },
  };

  const results = new Map<string, [number, number][]>();
  // Round 0 is not counted: it warms the JIT and the connections.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const kind of KINDS)
      for (const way of WAYS) {
        const figures = await turn(writes[way][kind]);
        if (round === 0) continue;
        const key = `${kind} ${way}`;
        results.set(key, [...(results.get(key) ?? []), figures]);
        log(
          `round ${round}/${ROUNDS} ${key}: ${figures[0].toFixed(3)} ms CPU, ${figures[1].toFixed(2)} ms wall per request`,
        );
      }
  }
  console.log(
    `\n${REQUESTS} requests per turn, ${CONCURRENCY} at a time, ${ROUNDS} rounds; medians of the rounds\n`,
  );
  console.log('| write | way | client CPU per request (ms) | min–max | wall per request (ms) |');
  console.log('|---|---|---|---|---|');
  for (const [key, figures] of results) {
    const [kind, way] = key.split(' ');
    const cpu = figures.map(([c]) => c);
    const wall = figures.map(([, w]) => w);
    const range = `${Math.min(...cpu).toFixed(3)}–${Math.max(...cpu).toFixed(3)}`;
    console.log(
      `| ${kind} | ${way} | ${percentile(cpu, 50).toFixed(3)} | ${range} | ${percentile(wall, 50).toFixed(2)} |`,
    );
  }
} finally {
  await down(flags.name);
}
