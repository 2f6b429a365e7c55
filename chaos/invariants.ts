/**
 * The safety invariants, counted on what the watcher recorded (pure: plain observations in, counts out).
 *
 * Observations of one namespace are put in resourceVersion order, which is the order of the writes.
 * A Canary status names its revision by a hash; it is mapped to the image tag the target Deployment had
 * at the last image change before the status that first named that revision (the suite pushes a new tag
 * only after the previous release is recorded, or, for push-while-promoting, once it is Promoting).
 * Traffic on the canary Ingress goes to the target's pods, so for invariant 1 an Ingress write is about
 * the tag the target had when it was written; for invariant 4 it belongs to the release (revision) of the
 * latest status recorded before it, since the operator records a decision before it acts on it.
 */
import { INVARIANTS, type Invariant, type Observation, type ReleaseRecord, type Violation } from './types.ts';

export interface InvariantInput {
  observations: readonly Observation[];
  releases: readonly ReleaseRecord[];
  /** The tag each app starts with; the primary gets it at initialisation without analysis. */
  initialTag: string;
  /** analysis.maxWeight: a revision is analysed once a Progressing status shows this weight. */
  maxWeight: number;
}

export interface InvariantResult {
  counts: Record<Invariant, number>;
  total: number;
  violations: Violation[];
}

/** Observations grouped by namespace, each group in resourceVersion order. */
export function byNamespace(observations: readonly Observation[]): Map<string, Observation[]> {
  const out = new Map<string, Observation[]>();
  for (const o of observations) {
    let list = out.get(o.ns);
    if (!list) out.set(o.ns, (list = []));
    list.push(o);
  }
  for (const list of out.values()) list.sort((a, b) => a.rv - b.rv);
  return out;
}

/** revision hash → image tag, for one namespace's observations in rv order. */
export function revisionTags(lane: readonly Observation[]): Map<string, string> {
  const out = new Map<string, string>();
  let tag = '';
  for (const o of lane) {
    if (o.kind === 'target') tag = o.tag;
    if (o.kind === 'status' && o.revision && !out.has(o.revision)) out.set(o.revision, tag);
  }
  return out;
}

const routed = (o: { weight: number; header?: string; cookie?: string }) =>
  o.weight > 0 || o.header !== undefined || o.cookie !== undefined;

function checkLane(
  ns: string,
  lane: readonly Observation[],
  input: InvariantInput,
  bad: ReadonlySet<string>,
  add: (v: Violation) => void,
): void {
  const tags = revisionTags(lane);
  const failedAt = new Map<string, number>();
  const reachedMax = new Set<string>();
  const analysed = new Set<string>();
  const promotions = new Map<string, number>();
  let target = '';
  let primary: string | undefined;
  let lastIngress: { weight: number; revision: string } | undefined;
  let lastStatus: { revision: string; phase: string; weight: number } | undefined;
  /** revision → rv of a drop of its weight to 0 that is not yet known to be the end. */
  const droppedToZero = new Map<string, number>();

  for (const o of lane) {
    switch (o.kind) {
      case 'target':
        target = o.tag;
        break;
      case 'status': {
        const tag = tags.get(o.revision) ?? '';
        if (o.phase === 'Failed' && !failedAt.has(tag)) failedAt.set(tag, o.rv);
        if (o.phase === 'Progressing' && o.canaryWeight >= input.maxWeight) reachedMax.add(tag);
        if (o.phase === 'Promoting' && reachedMax.has(tag)) analysed.add(tag);
        if (
          lastStatus?.revision === o.revision &&
          lastStatus.phase === 'Progressing' &&
          o.phase === 'Progressing' &&
          o.canaryWeight < lastStatus.weight
        )
          add({
            invariant: 'weight-never-decreases',
            ns,
            rv: o.rv,
            detail: `status of ${tag} in Progressing went from weight ${lastStatus.weight} to ${o.canaryWeight}`,
          });
        lastStatus = { revision: o.revision, phase: o.phase, weight: o.canaryWeight };
        break;
      }
      case 'ingress': {
        const failed = failedAt.get(target);
        if (routed(o) && failed !== undefined && o.rv > failed)
          add({
            invariant: 'no-traffic-after-failed',
            ns,
            rv: o.rv,
            detail: `canary Ingress routes to ${target} (weight ${o.weight}${o.header ? `, header ${o.header}` : ''}${o.cookie ? `, cookie ${o.cookie}` : ''}) after it Failed at rv ${failed}`,
          });
        // A weight write belongs to the release of the latest recorded status (decide, record, act).
        const release = lastStatus?.revision ?? '';
        const about = tags.get(release) ?? release;
        if (lastIngress && lastIngress.revision === release) {
          if (o.weight > 0 && o.weight < lastIngress.weight)
            add({
              invariant: 'weight-never-decreases',
              ns,
              rv: o.rv,
              detail: `canary weight in the release of ${about} went down from ${lastIngress.weight} to ${o.weight}`,
            });
          if (o.weight === 0 && lastIngress.weight > 0) droppedToZero.set(release, o.rv);
          const dropped = droppedToZero.get(release);
          if (o.weight > 0 && dropped !== undefined) {
            droppedToZero.delete(release);
            add({
              invariant: 'weight-never-decreases',
              ns,
              rv: o.rv,
              detail: `canary weight in the release of ${about} went to 0 at rv ${dropped} and back up to ${o.weight}: that 0 was not the end`,
            });
          }
        }
        lastIngress = { weight: o.weight, revision: release };
        break;
      }
      case 'primary': {
        if (o.tag === primary) break;
        const first = primary === undefined;
        primary = o.tag;
        const count = (promotions.get(o.tag) ?? 0) + 1;
        promotions.set(o.tag, count);
        if (count > 1)
          add({
            invariant: 'one-promotion-per-revision',
            ns,
            rv: o.rv,
            detail: `primary got ${o.tag} for the ${count}. time`,
          });
        if (first && o.tag === input.initialTag) break;
        const reasons: string[] = [];
        if (bad.has(o.tag)) reasons.push('the plan made it bad');
        const failed = failedAt.get(o.tag);
        if (failed !== undefined) reasons.push(`it Failed at rv ${failed}`);
        if (!analysed.has(o.tag))
          reasons.push(`no Progressing status at weight ${input.maxWeight} followed by Promoting for it`);
        if (reasons.length > 0)
          add({
            invariant: 'primary-only-analysed',
            ns,
            rv: o.rv,
            detail: `primary got ${o.tag}: ${reasons.join('; ')}`,
          });
        break;
      }
    }
  }
}

/** Invariant 3 for one release: the terminal status of its last tag's revision, within its time limit. */
function checkRelease(r: ReleaseRecord, lane: readonly Observation[], add: (v: Violation) => void): void {
  const tags = revisionTags(lane);
  const last = r.tags[r.tags.length - 1];
  const after = r.patchRvs[r.patchRvs.length - 1] ?? Infinity;
  const end = lane.find(
    (o) =>
      o.kind === 'status' &&
      o.rv > after &&
      tags.get(o.revision) === last &&
      (o.phase === 'Succeeded' || o.phase === 'Failed'),
  );
  const base = { invariant: 'release-ends-as-expected' as const, ns: r.ns, release: r.id };
  if (!end || end.kind !== 'status' || end.at > r.deadlineAt) {
    add({
      ...base,
      detail: `release ${r.id} (${r.kind}, ${r.tags.join(' then ')}) did not end within ${Math.round((r.deadlineAt - r.startedAt) / 1000)}s${end ? ` (it ended ${end.kind === 'status' ? end.phase : ''} later)` : ''}`,
    });
    return;
  }
  if (end.phase !== r.expected)
    add({
      ...base,
      rv: end.rv,
      detail: `release ${r.id} (${r.kind}, ${r.tags.join(' then ')}) ended ${end.phase}, expected ${r.expected}`,
    });
}

export function checkInvariants(input: InvariantInput): InvariantResult {
  const violations: Violation[] = [];
  const add = (v: Violation) => violations.push(v);
  const bad = new Set(input.releases.flatMap((r) => [...r.webhookBad, ...r.metricBad]));
  const lanes = byNamespace(input.observations);
  for (const [ns, lane] of lanes) checkLane(ns, lane, input, bad, add);
  for (const r of input.releases) checkRelease(r, lanes.get(r.ns) ?? [], add);
  const counts = Object.fromEntries(INVARIANTS.map((i) => [i, 0])) as Record<Invariant, number>;
  for (const v of violations) counts[v.invariant]++;
  return { counts, total: violations.length, violations };
}
