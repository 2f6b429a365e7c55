import { describe, expect, it } from 'vitest';
import { checkInvariants, revisionTags } from './invariants.ts';
import { findNotes } from './notes.ts';
import type { Observation, ReleaseRecord } from './types.ts';

/** A tiny DSL: observations of namespace `a` with rvs in the order written. */
function lane(...items: ReadonlyArray<Omit<Observation, 'ns' | 'rv' | 'at'>>): Observation[] {
  return items.map((o, i) => ({ ...o, ns: 'a', rv: (i + 1) * 10, at: 1000 + i }) as Observation);
}
const target = (tag: string) => ({ kind: 'target', tag }) as const;
const primary = (tag: string) => ({ kind: 'primary', tag }) as const;
const weight = (w: number, header?: string) => ({ kind: 'ingress', weight: w, header }) as const;
const status = (phase: string, revision: string, canaryWeight = 0, failedChecks = 0) =>
  ({ kind: 'status', phase, revision, canaryWeight, failedChecks }) as const;

function release(over: Partial<ReleaseRecord>): ReleaseRecord {
  return {
    id: 0,
    kind: 'healthy',
    tags: ['r0'],
    webhookBad: [],
    metricBad: [],
    ns: 'a',
    patchRvs: [30],
    expected: 'Succeeded',
    startedAt: 1000,
    deadlineAt: 100_000,
    endedAt: 2000,
    outcome: 'Succeeded',
    ...over,
  };
}

const init = [target('6.0.0'), primary('6.0.0'), status('Initialized', 'h0'), weight(0)];
const healthy = [
  target('r0'),
  status('Progressing', 'h1'),
  status('Progressing', 'h1', 20),
  weight(20),
  status('Progressing', 'h1', 40),
  weight(40),
  status('Progressing', 'h1', 60),
  weight(60),
  status('Promoting', 'h1', 60),
  primary('r0'),
  status('Finalising', 'h1', 0),
  weight(0),
  status('Succeeded', 'h1', 0),
];
const run = (observations: Observation[], releases: ReleaseRecord[] = []) =>
  checkInvariants({ observations, releases, initialTag: '6.0.0', maxWeight: 60 });

describe('chaos invariants', () => {
  it('maps a revision to the tag the target had when the revision was first recorded', () => {
    const tags = revisionTags(lane(...init, ...healthy, target('r1'), status('Progressing', 'h2')));
    expect(Object.fromEntries(tags)).toEqual({ h0: '6.0.0', h1: 'r0', h2: 'r1' });
  });

  it('finds nothing wrong with a healthy release and a failed one', () => {
    const obs = lane(
      ...init,
      ...healthy,
      target('r1'),
      status('Progressing', 'h2'),
      status('Progressing', 'h2', 20),
      weight(20),
      status('Progressing', 'h2', 20, 1),
      status('Failed', 'h2', 0, 2),
      weight(0),
    );
    const result = run(obs, [
      release({}),
      release({ id: 1, tags: ['r1'], webhookBad: ['r1'], patchRvs: [140], expected: 'Failed' }),
    ]);
    expect(result.violations).toEqual([]);
    expect(result.total).toBe(0);
  });

  it('1: counts routing writes for a revision after it Failed, not for the next one', () => {
    const obs = lane(
      ...init,
      target('r1'),
      status('Progressing', 'h2', 20),
      weight(20),
      status('Failed', 'h2', 0, 2),
      weight(40),
      weight(0, 'x-canary'),
      weight(0),
      target('r2'),
      status('Progressing', 'h3', 20),
      weight(20),
    );
    const { counts } = run(obs);
    expect(counts['no-traffic-after-failed']).toBe(2);
  });

  it('2: a bad, failed or unanalysed tag on the primary is a violation', () => {
    const unanalysed = run(lane(...init, target('r0'), status('Progressing', 'h1', 20), primary('r0')));
    expect(unanalysed.counts['primary-only-analysed']).toBe(1);
    expect(unanalysed.violations[0].detail).toContain('no Progressing status at weight 60');

    const bad = run(lane(...init, ...healthy), [release({ webhookBad: ['r0'], expected: 'Failed' })]);
    expect(bad.counts['primary-only-analysed']).toBe(1);
    expect(bad.violations.find((v) => v.invariant === 'primary-only-analysed')?.detail).toContain('bad');
  });

  it('2: a tag pushed during Promoting must not reach the primary on the analysis of the one before', () => {
    const obs = lane(
      ...init,
      ...healthy.slice(0, 9), // up to Promoting h1 (r0)
      target('r0-pushed'),
      primary('r0-pushed'),
    );
    const { counts, violations } = run(obs);
    expect(counts['primary-only-analysed']).toBe(1);
    expect(violations[0].detail).toContain('primary got r0-pushed');
  });

  it('3: a release must end as expected within its time limit', () => {
    const obs = lane(...init, ...healthy);
    expect(run(obs, [release({ expected: 'Failed' })]).counts['release-ends-as-expected']).toBe(1);
    expect(run(obs, [release({ deadlineAt: 1005 })]).counts['release-ends-as-expected']).toBe(1);
    // A terminal status of the previous revision after the patch does not end the release.
    const stale = lane(...init, target('r0'), status('Initialized', 'h0'), status('Succeeded', 'h0'));
    expect(run(stale, [release({})]).violations[0].detail).toContain('did not end');
  });

  it('4: the weight may only go down to 0 at the end', () => {
    const p = (w: number) => status('Progressing', 'h1', w);
    const down = lane(...init, target('r0'), p(20), weight(20), p(40), weight(40), weight(20));
    expect(run(down).counts['weight-never-decreases']).toBe(1);
    const reset = lane(...init, target('r0'), p(20), weight(20), weight(0), weight(20));
    expect(run(reset).counts['weight-never-decreases']).toBe(1);
    const statusDown = lane(
      ...init,
      target('r0'),
      status('Progressing', 'h1', 40),
      status('Progressing', 'h1', 20),
    );
    expect(run(statusDown).counts['weight-never-decreases']).toBe(1);
    // A new revision starting again from 0 is not a decrease of the old one, even when the old release's
    // last write lands after the target changed.
    const restart = lane(
      ...init,
      target('r0'),
      p(60),
      status('Promoting', 'h1', 60),
      target('r1'),
      weight(60),
      status('Progressing', 'h2', 0),
      weight(0),
      status('Progressing', 'h2', 20),
      weight(20),
    );
    expect(run(restart).violations).toEqual([]);
  });

  it('4: an operator acting on a stale status lowers the weight (seen in a run)', () => {
    const obs = lane(
      ...init,
      target('r5'),
      status('Progressing', 'h5', 20),
      weight(20),
      status('Progressing', 'h5', 40), // recorded, then the process was killed before routing it
      status('Progressing', 'h5', 60),
      weight(60),
      weight(40), // the next process's reconcile with the status at 40 still in its cache
      weight(60),
    );
    const { counts, violations } = run(obs);
    expect(counts['weight-never-decreases']).toBe(1);
    expect(violations[0].detail).toBe('canary weight in the release of r5 went down from 60 to 40');
  });

  it('5: a second template change to the same tag is a second promotion', () => {
    const obs = lane(...init, ...healthy, primary('6.0.0'), primary('r0'));
    const { counts } = run(obs);
    expect(counts['one-promotion-per-revision']).toBe(2); // 6.0.0 again, r0 again
  });

  it('notes a promotion below maxWeight and traffic written for a tag no status is about yet', () => {
    const obs = lane(
      ...init,
      target('r3'),
      status('Progressing', 'h3', 40),
      weight(40),
      status('Progressing', 'h3', 60), // killed before routing it
      status('Promoting', 'h3', 60),
      target('r3-pushed'),
      weight(60), // the route repaired after the push
      status('Progressing', 'h4', 0),
      weight(0),
    );
    expect(findNotes(obs, 60).map((n) => n.kind)).toEqual([
      'promoted-below-max-weight',
      'traffic-to-unrecorded-revision',
    ]);
    expect(findNotes(lane(...init, ...healthy), 60)).toEqual([]);
  });
});
