import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { histogramOf, histogramSummary } from './controller-view.ts';
import { countRequests, requestsPerWeightStep } from './measure.ts';

const USER = 'system:serviceaccount:bench-system:kanaria';
const T0 = Date.parse('2026-12-02T07:00:00Z');

function event(seconds: number, verb: string, resource: string, name: string, extra: object = {}): string {
  return JSON.stringify({
    stage: 'ResponseComplete',
    verb,
    user: { username: USER },
    objectRef: { resource, name, ...extra },
    requestReceivedTimestamp: new Date(T0 + seconds * 1000).toISOString(),
  });
}

/** One weight step of app-0001 at `seconds`: status, canary Ingress, Event. */
function step(seconds: number): string[] {
  return [
    event(seconds, 'patch', 'canaries', 'app-0001', { subresource: 'status' }),
    event(seconds + 0.1, 'patch', 'ingresses', 'app-0001-canary'),
    event(seconds + 0.2, 'create', 'events', 'app-0001.17a2b'),
  ];
}

describe('the benchmark reads the audit log', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the rotated files too, in time order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    await writeFile(
      join(dir, 'audit-2026-12-02T07-00-05.000.log'),
      [...step(1), ...step(11)].join('\n') + '\n',
    );
    await writeFile(
      join(dir, 'audit.log'),
      [...step(21), event(22, 'get', 'deployments', 'app-0001')].join('\n') + '\n',
    );
    const all = await countRequests(join(dir, 'audit.log'), USER, T0, T0 + 60_000);
    expect(all.total).toBe(10);
    expect(all.byVerbResource['patch canaries/status']).toBe(3);
  });

  it('costs a weight step from the first to the last weight step: start-up and promotion left out', async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    const lines = [
      // start of the release (before the first step): not counted
      event(0.5, 'patch', 'deployments', 'app-0001'),
      ...step(1),
      ...step(11),
      event(15, 'get', 'deployments', 'app-0001-primary'),
      ...step(21),
      // promotion after the last step: not counted
      event(30, 'patch', 'deployments', 'app-0001-primary'),
      event(31, 'patch', 'ingresses', 'app-0001-canary'),
      // another app and another user: not counted
      ...step(12).map((l) => l.replaceAll('app-0001', 'app-0002')),
      event(12, 'get', 'deployments', 'app-0001').replace(USER, 'someone-else'),
    ];
    await writeFile(join(dir, 'audit.log'), lines.join('\n') + '\n');
    const bumps = new Map([['app-0001', T0]]);
    const result = await requestsPerWeightStep(
      join(dir, 'audit.log'),
      USER,
      bumps,
      new Map([['app-0001', 3]]),
    );
    // Steps 2 and 3 after step 1: 6 requests of the steps, 1 GET in between.
    expect(result).toEqual({
      perStep: 3.5,
      byVerbResource: {
        'patch canaries/status': 1,
        'patch ingresses': 1,
        'create events': 1,
        'get deployments': 0.5,
      },
      steps: 2,
    });
  });
});

describe('the benchmark reads the controller histograms', () => {
  const text = [
    '# HELP kanaria_step_delay_seconds How late',
    '# TYPE kanaria_step_delay_seconds histogram',
    'kanaria_step_delay_seconds_bucket{le="0.25"} 90',
    'kanaria_step_delay_seconds_bucket{le="0.5"} 96',
    'kanaria_step_delay_seconds_bucket{le="1"} 100',
    'kanaria_step_delay_seconds_bucket{le="+Inf"} 100',
    'kanaria_step_delay_seconds_sum 21.5',
    'kanaria_step_delay_seconds_count 100',
    'kanaria_step_delay_seconds_other 3',
  ].join('\n');

  it('reads counts by bound, and the share within a bound with the mean', () => {
    const h = histogramOf(text, 'kanaria_step_delay_seconds')!;
    expect(h).toEqual({
      count: 100,
      sum: 21.5,
      buckets: [
        [0.25, 90],
        [0.5, 96],
        [1, 100],
      ],
    });
    expect(histogramSummary(h, 0.5)).toEqual({ meanMs: 215, within: 0.96, p99AtMostMs: 1000 });
    expect(() => histogramSummary(h, 0.3)).toThrow('no bucket le="0.3"');
    // No observations: nothing to place a p99 in.
    expect(histogramSummary({ count: 0, sum: 0, buckets: [[0.5, 0]] }, 0.5)).toEqual({
      meanMs: 0,
      within: 1,
    });
    expect(histogramOf(text, 'kanaria_workqueue_queue_duration_seconds')).toBeUndefined();
  });

  it('sums the series of a labelled histogram, or those whose labels match', () => {
    const labelled = [
      'kanaria_workqueue_queue_duration_seconds_bucket{le="0.1",trigger="timer"} 8',
      'kanaria_workqueue_queue_duration_seconds_bucket{le="+Inf",trigger="timer"} 10',
      'kanaria_workqueue_queue_duration_seconds_sum{trigger="timer"} 4',
      'kanaria_workqueue_queue_duration_seconds_count{trigger="timer"} 10',
      'kanaria_workqueue_queue_duration_seconds_bucket{le="0.1",trigger="Deployment"} 10',
      'kanaria_workqueue_queue_duration_seconds_bucket{le="+Inf",trigger="Deployment"} 30',
      'kanaria_workqueue_queue_duration_seconds_sum{trigger="Deployment"} 60',
      'kanaria_workqueue_queue_duration_seconds_count{trigger="Deployment"} 30',
    ].join('\n');
    const name = 'kanaria_workqueue_queue_duration_seconds';
    expect(histogramOf(labelled, name)).toEqual({ count: 40, sum: 64, buckets: [[0.1, 18]] });
    expect(histogramSummary(histogramOf(labelled, name, { trigger: 'timer' })!, 0.1)).toEqual({
      meanMs: 400,
      within: 0.8,
    });
    expect(histogramOf(labelled, name, { trigger: 'checks' })).toBeUndefined();
  });
});
