/**
 * The apps and their releases. Each app (a "lane") is the podinfo Deployment, Ingress and a Canary in its
 * own namespace, analysed by the test's webhook and Prometheus-API test server; it runs planned releases
 * one after the other: push a tag, act on the way (abort, second push) and wait for the end as the
 * watcher records it.
 */
import type { Canary, MetricTemplate } from '../src/api/types.ts';
import { patchCanary, readCanary } from '../src/kube/canaries.ts';
import { statusCode, type Kube } from '../src/kube/client.ts';
import { ABORT_ANNOTATION } from '../src/resources/meta.ts';
import { canaryManifest, createCanary, createPodinfo, PODINFO_IMAGE } from '../test/integration/fixtures.ts';
import { freshNamespace } from '../test/integration/helpers.ts';
import { ANALYSIS, expectedOutcome } from './plan.ts';
import { ERROR_RATE_MAX, ERROR_RATE_QUERY } from './servers.ts';
import type { ReleasePlan, ReleaseRecord, StatusObs } from './types.ts';
import type { Watcher } from './watcher.ts';

export const NS_PREFIX = 'chaos';
export const APP = 'podinfo';

export interface LaneContext {
  kube: Kube;
  watcher: Watcher;
  releaseTimeoutMs: number;
  log: (line: string) => void;
  /** Called as each release starts. */
  onReleaseStart: () => void;
}

/** Creates one app with its MetricTemplate and Canary in a fresh namespace and waits for Initialized. */
export async function setupLane(
  ctx: LaneContext,
  judges: { webhookUrl: string; prometheusUrl: string },
): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const ns = await freshNamespace(ctx.kube, NS_PREFIX);
  const namespace = ns.name;
  await createPodinfo(ctx.kube, namespace, { replicas: 1 });
  const template: MetricTemplate = {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'MetricTemplate',
    metadata: { name: 'canary-error-rate', namespace },
    spec: { provider: { type: 'prometheus', address: judges.prometheusUrl }, query: ERROR_RATE_QUERY },
  };
  await ctx.kube.custom.createNamespacedCustomObject({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'metrictemplates',
    namespace,
    body: template,
  });
  const canary: Canary = canaryManifest(namespace, {
    ...ANALYSIS,
    webhooks: [{ name: 'chaos-judge', type: 'rollout', url: judges.webhookUrl, timeout: '5s' }],
    metrics: [
      {
        name: 'error-rate',
        templateRef: { name: 'canary-error-rate' },
        interval: '1m',
        thresholdRange: { max: ERROR_RATE_MAX },
      },
    ],
  });
  canary.spec.progressDeadlineSeconds = 120;
  await createCanary(ctx.kube, canary);
  const ok = await ctx.watcher.waitStatus(
    namespace,
    (ss) => ss.find((s) => s.phase === 'Initialized'),
    Date.now() + ctx.releaseTimeoutMs,
  );
  if (!ok) throw new Error(`canary in ${namespace} was not Initialized within ${ctx.releaseTimeoutMs}ms`);
  return ns;
}

/** Sets the target's image tag; the Deployment's resourceVersion after the write. */
async function pushTag(kube: Kube, namespace: string, tag: string): Promise<number> {
  const d = await kube.apps.patchNamespacedDeployment({
    name: APP,
    namespace,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${PODINFO_IMAGE}:${tag}` },
    ],
  });
  return Number(d.metadata?.resourceVersion);
}

/** Statuses after `rv` naming a revision that no status up to `rv` named (the release pushed at `rv`). */
export function newStatuses(all: readonly StatusObs[], rv: number): StatusObs[] {
  const old = new Set(all.filter((s) => s.rv <= rv).map((s) => s.revision));
  return all.filter((s) => s.rv > rv && s.revision !== '' && !old.has(s.revision));
}

const TERMINAL = ['Succeeded', 'Failed'];

/**
 * Writes the abort annotation for the running revision once it is Progressing at `atWeight`, as
 * `kanaria abort` does but with the Canary's resourceVersion as a precondition: the annotation lands only
 * on a Canary whose recorded phase is Progressing for that revision. The Canary's resourceVersion after
 * the write, or undefined when the release had left Progressing first.
 */
async function abortWhenProgressing(
  ctx: LaneContext,
  ns: string,
  after: number,
  atWeight: number,
  deadlineAt: number,
): Promise<number | undefined> {
  const seen = await ctx.watcher.waitStatus(
    ns,
    (all) =>
      newStatuses(all, after).find(
        (s) =>
          (s.phase === 'Progressing' && s.canaryWeight >= atWeight) ||
          !['Progressing', 'Waiting'].includes(s.phase),
      ),
    deadlineAt,
  );
  if (!seen || seen.phase !== 'Progressing') return undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const c = await readCanary(ctx.kube, ns, APP);
    if (c?.status?.phase !== 'Progressing' || c.status.revision !== seen.revision) return undefined;
    try {
      const patched = await patchCanary(ctx.kube, ns, APP, {
        metadata: {
          resourceVersion: c.metadata.resourceVersion,
          annotations: { [ABORT_ANNOTATION]: seen.revision },
        },
      });
      return Number(patched?.metadata.resourceVersion);
    } catch (err) {
      if (statusCode(err) !== 409) throw err;
    }
  }
  return undefined;
}

/** Runs one planned release in namespace `ns` to its end (or its time limit). */
export async function runRelease(ctx: LaneContext, ns: string, plan: ReleasePlan): Promise<ReleaseRecord> {
  const startedAt = Date.now();
  const deadlineAt = startedAt + ctx.releaseTimeoutMs;
  const rec: ReleaseRecord = {
    ...plan,
    ns,
    patchRvs: [],
    expected: expectedOutcome(plan, false),
    startedAt,
    deadlineAt,
    endedAt: 0,
    outcome: 'timeout',
  };
  rec.patchRvs.push(await pushTag(ctx.kube, ns, plan.tags[0]));
  if (plan.kind === 'abort') {
    rec.abortRv = await abortWhenProgressing(ctx, ns, rec.patchRvs[0], plan.abortAtWeight ?? 20, deadlineAt);
    rec.expected = expectedOutcome(plan, rec.abortRv !== undefined);
  }
  if (plan.kind === 'push-while-promoting') {
    const seen = await ctx.watcher.waitStatus(
      ns,
      (all) =>
        newStatuses(all, rec.patchRvs[0]).find((s) => s.phase === 'Promoting' || TERMINAL.includes(s.phase)),
      deadlineAt,
    );
    rec.pushedIn = seen?.phase === 'Promoting' ? 'Promoting' : `missed (${seen?.phase ?? 'nothing seen'})`;
    rec.patchRvs.push(await pushTag(ctx.kube, ns, plan.tags[1]));
  }
  const last = rec.patchRvs[rec.patchRvs.length - 1];
  const end = await ctx.watcher.waitStatus(
    ns,
    (all) => newStatuses(all, last).find((s) => TERMINAL.includes(s.phase)),
    deadlineAt,
  );
  rec.endedAt = Date.now();
  rec.outcome = end ? (end.phase as ReleaseRecord['outcome']) : 'timeout';
  return rec;
}

/** Takes planned releases from the shared queue until it is empty. */
export async function runLane(
  ctx: LaneContext,
  ns: string,
  queue: ReleasePlan[],
  records: ReleaseRecord[],
): Promise<void> {
  for (let plan = queue.shift(); plan; plan = queue.shift()) {
    ctx.onReleaseStart();
    const r = await runRelease(ctx, ns, plan);
    records.push(r);
    const verdict = r.outcome === r.expected ? 'as expected' : `EXPECTED ${r.expected}`;
    const extra = r.pushedIn
      ? `, pushed in ${r.pushedIn}`
      : r.kind === 'abort'
        ? `, abort ${r.abortRv ? 'written' : 'came too late'}`
        : '';
    ctx.log(
      `release ${r.id} (${r.kind}: ${r.tags.join(' then ')}) in ${ns}: ${r.outcome} ${verdict} after ${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s${extra}`,
    );
  }
}
