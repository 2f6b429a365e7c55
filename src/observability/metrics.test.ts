import { describe, expect, it } from 'vitest';
import { PHASES } from '../api/types.ts';
import { OperatorMetrics, PHASE_CODES } from './metrics.ts';

describe('PHASE_CODES', () => {
  it('gives every phase a distinct code from 0 to 10', () => {
    const codes = PHASES.map((p) => PHASE_CODES[p]);
    expect(new Set(codes).size).toBe(PHASES.length);
    expect([...codes].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(PHASE_CODES.Progressing).toBe(2);
    expect(PHASE_CODES.Failed).toBe(4);
  });
});

describe('OperatorMetrics', () => {
  it('renders per-canary gauges with name and namespace labels', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.recordStatus('podinfo', 'test', 'Progressing', 30, 1);
    const { contentType, body } = await m.render();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('kanaria_canary_status{name="podinfo",namespace="test"} 2');
    expect(body).toContain('kanaria_canary_weight{name="podinfo",namespace="test"} 30');
    expect(body).toContain('kanaria_canary_failed_checks{name="podinfo",namespace="test"} 1');
  });

  it('counts releases and observes their duration by outcome', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.releaseFinished('podinfo', 'test', 'succeeded', 400);
    m.releaseFinished('podinfo', 'test', 'succeeded', 500);
    const { body } = await m.render();
    expect(body).toContain('kanaria_releases_total{outcome="succeeded"} 2');
    expect(body).toContain('kanaria_releases_total{outcome="failed"} 0');
    expect(body).toContain(
      'kanaria_release_duration_seconds_count{name="podinfo",namespace="test",outcome="succeeded"} 2',
    );
    expect(body).toContain(
      'kanaria_release_duration_seconds_sum{name="podinfo",namespace="test",outcome="succeeded"} 900',
    );
    expect(body).toContain(
      'kanaria_release_duration_seconds_bucket{le="600",name="podinfo",namespace="test",outcome="succeeded"} 2',
    );
  });

  it('records reconciles, API requests, leadership, the queue depth and Events waiting read at scrape time', async () => {
    let depth = 3;
    let events = 7;
    const m = new OperatorMetrics({
      processMetrics: false,
      queueDepth: () => depth,
      eventsWaiting: () => events,
    });
    m.eventDropped();
    m.reconciled(0.02, 'ok');
    m.reconciled(0.3, 'error');
    m.reconciled(0.5, 'ok', 'timer');
    m.apiRequest('patch');
    m.apiRequest('patch');
    m.apiRequest('get');
    m.setLeader(true);
    let { body } = await m.render();
    expect(body).toContain('kanaria_reconcile_duration_seconds_count{outcome="ok"} 2');
    expect(body).toContain('kanaria_reconcile_duration_seconds_count{outcome="error"} 1');
    expect(body).toContain('kanaria_reconcile_busy_seconds_total{trigger="other"} 0.32');
    expect(body).toContain('kanaria_reconcile_busy_seconds_total{trigger="timer"} 0.5');
    expect(body).toContain('kanaria_api_requests_total{verb="patch"} 2');
    expect(body).toContain('kanaria_api_requests_total{verb="get"} 1');
    expect(body).toContain('kanaria_leader 1');
    expect(body).toContain('kanaria_workqueue_depth 3');
    expect(body).toContain('kanaria_events_waiting 7');
    expect(body).toContain('kanaria_events_dropped_total 1');
    depth = 0;
    events = 0;
    m.setLeader(false);
    ({ body } = await m.render());
    expect(body).toContain('kanaria_workqueue_depth 0');
    expect(body).toContain('kanaria_events_waiting 0');
    expect(body).toContain('kanaria_leader 0');
  });

  it('forgets every series of a deleted canary', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.recordStatus('a', 'ns', 'Succeeded', 0, 0);
    m.recordStatus('b', 'ns', 'Failed', 0, 2);
    m.releaseFinished('a', 'ns', 'failed', 60);
    m.forget('a', 'ns');
    const { body } = await m.render();
    expect(body).not.toContain('name="a"');
    expect(body).toContain('kanaria_canary_status{name="b",namespace="ns"} 4');
    expect(body).toContain('kanaria_releases_total{outcome="failed"} 1');
  });

  it('includes the process metrics on its own registry, not the global one', async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.recordStatus('only-a', 'ns', 'Initialized', 0, 0);
    const [ra, rb] = await Promise.all([a.render(), b.render()]);
    expect(ra.body).toContain('process_cpu_user_seconds_total');
    expect(ra.body).toContain('nodejs_heap_size_used_bytes');
    expect(ra.body).toContain('only-a');
    expect(rb.body).not.toContain('only-a');
    for (const name of [
      'kanaria_canary_status',
      'kanaria_canary_weight',
      'kanaria_canary_failed_checks',
      'kanaria_release_duration_seconds',
      'kanaria_releases_total',
      'kanaria_reconcile_duration_seconds',
      'kanaria_workqueue_depth',
      'kanaria_api_requests_total',
      'kanaria_leader',
    ]) {
      expect(rb.body).toContain(`# TYPE ${name} `);
    }
  });
});
