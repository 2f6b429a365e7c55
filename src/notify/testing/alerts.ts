import type { Alert } from '../notifier.ts';

/** A rolled-back canary with the measurements that failed it; override what a test cares about. */
export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    canary: 'podinfo',
    namespace: 'test',
    cluster: 'prod-eu1',
    phase: 'Failed',
    weight: 20,
    severity: 'error',
    kind: 'rolled-back',
    message: 'Canary analysis failed, podinfo.test rolled back',
    reason: 'failed checks threshold reached 5',
    measurements: [
      { name: 'request-success-rate', value: 97.25, message: 'below threshold 99' },
      { name: 'request-duration', value: 612.123456, message: 'above threshold 500ms' },
      { name: 'load-test', message: 'webhook load-test failed: 500' },
    ],
    timestamp: '2026-01-05T10:04:00Z',
    ...overrides,
  };
}
