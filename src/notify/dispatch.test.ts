import { describe, expect, it } from 'vitest';
import { AlertDispatcher, severityAllows, targetsFor, type AlertTarget } from './dispatch.ts';
import { NotifyError } from './errors.ts';
import type { Alert, AlertSeverity, Notifier } from './notifier.ts';
import { sampleAlert } from './testing/alerts.ts';

class Recorder implements Notifier {
  readonly alerts: Alert[] = [];
  post(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return Promise.resolve();
  }
}

const never: Notifier = { post: () => new Promise(() => {}) };

describe('severityAllows', () => {
  const table: [AlertSeverity | '' | undefined, AlertSeverity[]][] = [
    [undefined, ['info', 'warn', 'error']],
    ['', ['info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ];
  it.each(table)('a target with %j takes %j', (min, allowed) => {
    for (const s of ['info', 'warn', 'error'] as const)
      expect(severityAllows(min, s)).toBe(allowed.includes(s));
  });

  it('filters targets', () => {
    const n = new Recorder();
    const targets: AlertTarget[] = [{ notifier: n, minSeverity: 'error' }, { notifier: n }];
    expect(targetsFor(targets, sampleAlert({ severity: 'warn' }))).toEqual([targets[1]]);
    expect(targetsFor(targets, sampleAlert({ severity: 'error' }))).toEqual(targets);
  });
});

describe('AlertDispatcher', () => {
  it('returns before any notifier runs and delivers by the time it is idle', async () => {
    const all = new Recorder();
    const errorsOnly = new Recorder();
    const d = new AlertDispatcher({
      targets: [{ notifier: all }, { notifier: errorsOnly, minSeverity: 'error' }],
    });
    d.send(sampleAlert({ severity: 'info', kind: 'progress' }));
    d.send(sampleAlert());
    expect(all.alerts).toHaveLength(0);
    await d.idle();
    expect(all.alerts.map((a) => a.kind)).toEqual(['progress', 'rolled-back']);
    expect(errorsOnly.alerts.map((a) => a.kind)).toEqual(['rolled-back']);
    expect(d.stats()).toEqual({ inFlight: 0, delivered: 3, failed: 0, dropped: 0 });
  });

  it('sends to per-call targets', async () => {
    const n = new Recorder();
    const d = new AlertDispatcher();
    d.send(sampleAlert(), [{ notifier: n, minSeverity: 'warn' }]);
    d.send(sampleAlert({ severity: 'info' }), [{ notifier: n, minSeverity: 'warn' }]);
    await d.idle();
    expect(n.alerts).toHaveLength(1);
  });

  it('reports failures, including notifiers that throw synchronously, and survives a throwing onError', async () => {
    const errors: NotifyError[] = [];
    const failing: Notifier = {
      post: () => Promise.reject(new NotifyError('ERR_HTTP', 'slack alert failed: 500', { statusCode: 500 })),
    };
    const throwing: Notifier = {
      post: () => {
        throw new Error('boom at https://hooks.example.com/secret');
      },
    };
    const d = new AlertDispatcher({
      targets: [{ notifier: failing }, { notifier: throwing }],
      onError: (err) => {
        errors.push(err);
        throw new Error('logger broke');
      },
    });
    expect(() => d.send(sampleAlert())).not.toThrow();
    await d.idle();
    expect(errors.map((e) => e.code).sort()).toEqual(['ERR_HTTP', 'ERR_UNKNOWN']);
    expect(errors.map((e) => e.message).join()).not.toContain('hooks.example.com');
    expect(d.stats().failed).toBe(2);
  });

  it('gives up on a notifier that never answers after the timeout', async () => {
    const errors: NotifyError[] = [];
    const d = new AlertDispatcher({
      targets: [{ notifier: never, name: 'ops/pager' }],
      timeoutMs: 20,
      onError: (e) => errors.push(e),
    });
    d.send(sampleAlert());
    expect(d.stats().inFlight).toBe(1);
    await d.idle();
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('ERR_TIMEOUT');
    expect(errors[0].message).toBe('alert for podinfo.test to ops/pager not delivered: timed out');
    expect(d.stats().inFlight).toBe(0);
  });

  it('passes an abort signal that fires at the timeout', async () => {
    let seen: AbortSignal | undefined;
    const watcher: Notifier = {
      post: (_a, signal) => {
        seen = signal;
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        );
      },
    };
    const d = new AlertDispatcher({ targets: [{ notifier: watcher }], timeoutMs: 20 });
    d.send(sampleAlert());
    await d.idle();
    expect(seen?.aborted).toBe(true);
  });

  it('drops and counts alerts beyond the in-flight bound', async () => {
    const errors: NotifyError[] = [];
    const d = new AlertDispatcher({
      targets: [{ notifier: never }],
      maxInFlight: 2,
      timeoutMs: 30,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++) d.send(sampleAlert());
    expect(d.stats()).toMatchObject({ inFlight: 2, dropped: 3 });
    await d.idle();
    expect(errors.filter((e) => e.code === 'ERR_DROPPED')).toHaveLength(3);
    expect(errors.filter((e) => e.code === 'ERR_TIMEOUT')).toHaveLength(2);
    d.send(sampleAlert());
    expect(d.stats()).toMatchObject({ inFlight: 1, dropped: 3 });
    await d.idle();
  });
});
