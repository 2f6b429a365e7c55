// node bench/write-cost.ts [--objects 200] [--rounds 6] [--concurrency 16]
//                          [--name bench-writes] [--base-port 19640] [--keep]
//
// What one of a weight step's writes costs the API server. On its own local control plane (no
// controller running), `objects` canary Ingresses and Canaries are created once; then each round
// writes every one of them once per variant, `concurrency` requests at a time, the variants taking
// turns so drift of the machine spreads over all of them alike:
//   ingress-apply   server-side apply (force) of the whole canary Ingress (built by the nginx router,
//                   owned by its Canary) with a new weight, as the operator writes its routes
//   ingress-merge   a JSON merge patch of the two annotations a weight step changes
//   status-merge    a merge patch of a Canary's status with its resourceVersion, as a step is recorded
//   status-plain    the same patch to a Canary of a copy of the CRD without its CEL rules
//                   (bench/crd-copies.ts): what the rules cost on a status write
//   status-full     the whole status a Canary carries at a weight step (bench/step-status.ts), written
//                   as the operator writes it (every field, by field manager kanaria), to a Canary
//                   that carries it: what status-merge's small status leaves out
//   status-lean     the same with conditions without lastUpdateTime and observedGeneration
//   status-delta    to a Canary carrying the whole step status, only what a weight step changes
//                   (weight, previous weight, step time, message, conditions): what the patch's size
//                   costs beside the object's
//   status-atomic   status-full to a Canary of a copy of the CRD whose conditions are an atomic list
//                   (bench/crd-copies.ts): what field management of the conditions map costs
//   event-create    an events.k8s.io/v1 Event about the Canary
// Prints, per variant, the CPU milliseconds kube-apiserver and etcd used per request (from
// /proc/<pid>/stat over the variant's turns) and the request latency p50/p99 seen by the client.
// Not a test: it prints figures and writes them to <cluster dir>/write-cost.json.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { PatchStrategy, setHeaderOptions, V1MicroTime } from '@kubernetes/client-node';
import { installCrds } from '../src/controller/install-crds.ts';
import { down, up } from '../src/devcluster/cluster.ts';
import { createKube, type Kube } from '../src/kube/client.ts';
import {
  ATOMIC_GROUP,
  canaryCrdWithAtomicConditions,
  canaryCrdWithoutRules,
  PLAIN_GROUP,
} from './crd-copies.ts';
import { cpuSecondsOf, percentile } from './measure.ts';
import { STATUS_TARGETS, type StatusVariant } from './step-status.ts';
import { appName, canaryIngress, canaryObject, HASH_ANNOTATION, PREFIX } from './write-objects.ts';

const { values: flags } = parseArgs({
  options: {
    objects: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '16' },
    name: { type: 'string', default: 'bench-writes' },
    'base-port': { type: 'string', default: '19640' },
    keep: { type: 'boolean', default: false },
  },
});
const OBJECTS = Number(flags.objects);
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = Number(flags.concurrency);
const NAMESPACE = 'writes';
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

type Variant =
  | 'ingress-apply'
  | 'ingress-merge'
  | 'status-merge'
  | 'status-plain'
  | 'status-full'
  | 'status-lean'
  | 'status-delta'
  | 'status-atomic'
  | 'event-create';
const VARIANTS: Variant[] = [
  'ingress-apply',
  'ingress-merge',
  'status-merge',
  'status-plain',
  'status-full',
  'status-lean',
  'status-delta',
  'status-atomic',
  'event-create',
];
/** Per status variant, its Canaries in app order. */
type Targets = Record<StatusVariant, Created[]>;

/** A Canary as created: the owner of its canary Ingress, and the version its status patches expect. */
interface Created {
  uid: string;
  resourceVersion: string;
}

/** Creates app `i`'s Canary of a status variant. */
async function createCanary(kube: Kube, i: number, variant: StatusVariant): Promise<Created> {
  const { group, suffix } = STATUS_TARGETS[variant];
  const created = (await kube.custom.createNamespacedCustomObject({
    group,
    version: 'v1beta1',
    plural: 'canaries',
    namespace: NAMESPACE,
    body: canaryObject(NAMESPACE, i, group, suffix),
  })) as { metadata?: { resourceVersion?: string; uid?: string } };
  return { uid: created.metadata?.uid ?? '', resourceVersion: created.metadata?.resourceVersion ?? '' };
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** One write of `variant` to object `i`; `step` makes every write change something. */
async function write(kube: Kube, variant: Variant, i: number, step: number, targets: Targets) {
  const name = appName(i);
  const weight = (step % 10) * 5 + 5;
  switch (variant) {
    case 'ingress-apply':
      await kube.objects.patch(
        canaryIngress(NAMESPACE, i, weight, targets['status-merge'][i].uid),
        undefined,
        undefined,
        'kanaria',
        true,
        PatchStrategy.ServerSideApply,
      );
      return;
    case 'ingress-merge':
      await kube.networking.patchNamespacedIngress(
        {
          name: `${name}-canary`,
          namespace: NAMESPACE,
          body: {
            metadata: {
              annotations: {
                [`${PREFIX}/canary-weight`]: String(weight),
                [HASH_ANNOTATION]: randomBytes(8).toString('hex'),
              },
            },
          },
          fieldManager: 'kanaria',
        },
        merge,
      );
      return;
    case 'status-merge':
    case 'status-plain':
    case 'status-full':
    case 'status-lean':
    case 'status-delta':
    case 'status-atomic': {
      const target = targets[variant][i];
      const { group, suffix, body } = STATUS_TARGETS[variant];
      const status = body(i, weight, new Date(), step === 0);
      const out = (await kube.custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version: 'v1beta1',
          plural: 'canaries',
          namespace: NAMESPACE,
          name: `${name}${suffix}`,
          body: { metadata: { resourceVersion: target.resourceVersion }, status },
          fieldManager: 'kanaria',
        },
        merge,
      )) as { metadata?: { resourceVersion?: string } };
      target.resourceVersion = out.metadata?.resourceVersion ?? '';
      return;
    }
    case 'event-create':
      await kube.events.createNamespacedEvent({
        namespace: NAMESPACE,
        body: {
          metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace: NAMESPACE },
          eventTime: new V1MicroTime(Date.now()),
          reportingController: 'kanaria.dev/controller',
          reportingInstance: 'bench',
          action: 'Progressing',
          reason: 'Progressing',
          note: `Advance ${name} canary weight ${weight}`,
          type: 'Normal',
          regarding: { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', name, namespace: NAMESPACE },
        },
      });
  }
}

/** Runs `task(i)` for every object, `CONCURRENCY` at a time; returns each request's latency in ms. */
async function forEachObject(task: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < OBJECTS) {
      const i = next++;
      const started = performance.now();
      await task(i);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return latencies;
}

async function main() {
  const state = await up({ name: flags.name, basePort: Number(flags['base-port']), nodes: 1, log });
  try {
    const kube = createKube(state.kubeconfig);
    await installCrds(kube);
    const { crd, dropped } = await canaryCrdWithoutRules();
    const plainDir = await mkdtemp(join(tmpdir(), 'kanaria-plain-crd-'));
    await writeFile(join(plainDir, 'canaries.yaml'), stringify(crd));
    await installCrds(kube, plainDir);
    log(`the Canary CRD copied to ${PLAIN_GROUP} without its ${dropped} CEL rules`);
    await writeFile(join(plainDir, 'canaries.yaml'), stringify(await canaryCrdWithAtomicConditions()));
    await installCrds(kube, plainDir);
    await rm(plainDir, { recursive: true });
    log(`the Canary CRD copied to ${ATOMIC_GROUP} with atomic conditions`);
    await kube.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const statusVariants = Object.keys(STATUS_TARGETS) as StatusVariant[];
    const targets = Object.fromEntries(statusVariants.map((v) => [v, [] as Created[]])) as Targets;
    await forEachObject(async (i) => {
      for (const v of statusVariants) {
        targets[v][i] = await createCanary(kube, i, v);
        await write(kube, v, i, 0, targets);
      }
      await write(kube, 'ingress-apply', i, 0, targets);
    });
    log(`created ${OBJECTS} canary Ingresses and Canaries`);
    const pids = { apiserver: state.pids['kube-apiserver']!, etcd: state.pids.etcd! };
    const totals = new Map(VARIANTS.map((v) => [v, { apiserver: 0, etcd: 0, latencies: [] as number[] }]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of VARIANTS) {
        const before = { apiserver: await cpuSecondsOf(pids.apiserver), etcd: await cpuSecondsOf(pids.etcd) };
        const latencies = await forEachObject((i) => write(kube, variant, i, round, targets));
        const total = totals.get(variant)!;
        total.apiserver += (await cpuSecondsOf(pids.apiserver)) - before.apiserver;
        total.etcd += (await cpuSecondsOf(pids.etcd)) - before.etcd;
        total.latencies.push(...latencies);
      }
      log(`round ${round} of ${ROUNDS} done`);
    }
    const requests = OBJECTS * ROUNDS;
    const figures = VARIANTS.map((variant) => {
      const total = totals.get(variant)!;
      return {
        variant,
        requests,
        apiserverCpuMsPerRequest: +((total.apiserver * 1000) / requests).toFixed(3),
        etcdCpuMsPerRequest: +((total.etcd * 1000) / requests).toFixed(3),
        latencyMs: {
          p50: +percentile(total.latencies, 50).toFixed(1),
          p99: +percentile(total.latencies, 99).toFixed(1),
        },
      };
    });
    for (const f of figures)
      console.log(
        `${f.variant.padEnd(14)} kube-apiserver ${f.apiserverCpuMsPerRequest.toFixed(2)} ms CPU/request, ` +
          `etcd ${f.etcdCpuMsPerRequest.toFixed(2)} ms; latency p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms ` +
          `(${f.requests} requests, ${CONCURRENCY} at a time)`,
      );
    await writeFile(join(state.dir, 'write-cost.json'), JSON.stringify(figures, null, 2));
  } finally {
    if (!flags.keep) await down(flags.name);
  }
}

await main();
