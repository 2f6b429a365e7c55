import { describe, expect, it } from 'vitest';
import type { Canary, CanaryStatus } from '../api/types.ts';
import { formatGateRecord } from '../gate/record.ts';
import type { V1Deployment, V1Ingress, V1Service } from '../kube/types.ts';
import { renderCanaryTable, renderCanaryView, weightBar } from './render.ts';
import { buildCanaryView, type CanaryObjects, type EventInput } from './view.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const IMAGE = 'ghcr.io/stefanprodan/podinfo';

function canary(status: CanaryStatus): Canary {
  return {
    apiVersion: 'kanaria.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', uid: 'u1' },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' },
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '1m', threshold: 2, maxWeight: 50, stepWeight: 10 },
    },
    status,
  };
}

function deployment(name: string, tag: string, replicas: number, ready: number): V1Deployment {
  return {
    metadata: { name, namespace: 'test', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { spec: { containers: [{ name: 'podinfod', image: `${IMAGE}:${tag}` }] } },
    },
    status: {
      observedGeneration: 2,
      replicas: Math.max(replicas, ready),
      updatedReplicas: ready,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

const service = (name: string, app: string): V1Service => ({
  metadata: { name, namespace: 'test' },
  spec: { selector: { app } },
});

const ingress = (weight: number): V1Ingress => ({
  metadata: {
    name: 'podinfo-canary',
    namespace: 'test',
    annotations: {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': String(weight),
    },
  },
});

const event = (rv: number, secondsAgo: number, note: string, type = 'Normal'): EventInput => ({
  type,
  reason: 'Synced',
  note,
  eventTime: ago(secondsAgo),
  metadata: { resourceVersion: String(rv) },
});

function objects(
  status: CanaryStatus,
  target: { tag: string; replicas: number; ready: number },
  weight: number,
  events: EventInput[],
  stable = '6.0.0',
): CanaryObjects {
  return {
    canary: canary(status),
    primary: deployment('podinfo-primary', stable, 2, 2),
    target: deployment('podinfo', target.tag, target.replicas, target.ready),
    services: [
      service('podinfo', 'podinfo-primary'),
      service('podinfo-primary', 'podinfo-primary'),
      service('podinfo-canary', 'podinfo'),
    ],
    canaryIngress: ingress(weight),
    configs: [{ kind: 'ConfigMap', name: 'podinfo-config-primary' }],
    events,
  };
}

const render = (o: CanaryObjects) => renderCanaryView(buildCanaryView(o, NOW));

describe('renderCanaryView', () => {
  it('shows an initialised canary', () => {
    const out = render(
      objects(
        {
          phase: 'Initialized',
          canaryWeight: 0,
          failedChecks: 0,
          message: 'initialization done',
          lastTransitionTime: ago(300),
        },
        { tag: '6.0.0', replicas: 0, ready: 0 },
        0,
        [
          event(
            120,
            310,
            'Initializing podinfo.test: creating the primary Deployment, Services and canary Ingress',
          ),
          event(180, 300, 'Initialization done! podinfo.test'),
        ],
      ),
    );
    expect(out).toMatchInlineSnapshot(`
      "Name:            podinfo
      Namespace:       test
      Status:          ✔ Initialized
      Message:         initialization done
      Strategy:        Canary
        Step:          0/5
        Weight:        [░░░░░░░░░░] 0% (max 50%)
        Failed checks: 0/2
      Images:          ghcr.io/stefanprodan/podinfo:6.0.0 (stable)
      Last transition: 2025-03-01T11:55:00Z (5m ago)

      Events:
        TYPE    REASON  AGE    MESSAGE
        Normal  Synced  5m10s  Initializing podinfo.test: creating the primary Deployment, Services and canary Ingress
        Normal  Synced  5m     Initialization done! podinfo.test

      NAME                          KIND        STATUS         INFO
      ⟳ podinfo                     Canary      ✔ Initialized  weight 0%
      ├──podinfo-primary            Deployment  ✔ Ready        primary, 2/2 ready
      │  └──podinfo-config-primary  ConfigMap                  primary copy
      ├──podinfo                    Deployment  ○ ScaledDown   canary, 0/0 ready
      ├──podinfo                    Service                    apex, app=podinfo-primary
      ├──podinfo-primary            Service                    primary, app=podinfo-primary
      ├──podinfo-canary             Service                    canary, app=podinfo
      └──podinfo-canary             Ingress                    canary, canary-weight=0
      "
    `);
  });

  it('shows a canary progressing at 30 % (step 3/5)', () => {
    const out = render(
      objects(
        {
          phase: 'Progressing',
          canaryWeight: 30,
          failedChecks: 1,
          revision: '5d41402abc4b2a76',
          message: 'canary weight 30',
          lastTransitionTime: ago(190),
          observedSplit: {
            at: ago(8),
            weight: 30,
            previousWeight: 20,
            canaryRequests: 366,
            requests: 1240,
            share: 29.5,
            pValue: 1,
            incompatibleIntervals: 0,
          },
        },
        { tag: '6.0.1', replicas: 2, ready: 2 },
        30,
        [
          event(900, 190, 'New revision detected! Scaling up podinfo.test'),
          event(950, 130, 'Advance podinfo.test canary weight 10'),
          event(1000, 70, 'Advance podinfo.test canary weight 20'),
          event(1010, 40, 'Halt advancement podinfo.test request-success-rate 91.2 < 99', 'Warning'),
          event(1100, 10, 'Advance podinfo.test canary weight 30'),
          // Older than the five above although listed last: order comes from resourceVersion.
          event(850, 3600, 'Initialization done! podinfo.test'),
        ],
      ),
    );
    expect(out).toMatchInlineSnapshot(`
      "Name:            podinfo
      Namespace:       test
      Status:          ◌ Progressing
      Message:         canary weight 30
      Strategy:        Canary
        Step:          3/5
        Weight:        [███░░░░░░░] 30% (max 50%)
        Observed:      29.5% of 1,240 requests at weight 30 (8s ago)
        Failed checks: 1/2
      Revision:        5d41402abc4b2a76
      Images:          ghcr.io/stefanprodan/podinfo:6.0.0 (stable)
                       ghcr.io/stefanprodan/podinfo:6.0.1 (canary)
      Last transition: 2025-03-01T11:56:50Z (3m10s ago)

      Events:
        TYPE     REASON  AGE    MESSAGE
        Normal   Synced  3m10s  New revision detected! Scaling up podinfo.test
        Normal   Synced  2m10s  Advance podinfo.test canary weight 10
        Normal   Synced  1m10s  Advance podinfo.test canary weight 20
        Warning  Synced  40s    Halt advancement podinfo.test request-success-rate 91.2 < 99
        Normal   Synced  10s    Advance podinfo.test canary weight 30

      NAME                          KIND        STATUS         INFO
      ⟳ podinfo                     Canary      ◌ Progressing  weight 30%
      ├──podinfo-primary            Deployment  ✔ Ready        primary, 2/2 ready
      │  └──podinfo-config-primary  ConfigMap                  primary copy
      ├──podinfo                    Deployment  ✔ Ready        canary, 2/2 ready
      ├──podinfo                    Service                    apex, app=podinfo-primary
      ├──podinfo-primary            Service                    primary, app=podinfo-primary
      ├──podinfo-canary             Service                    canary, app=podinfo
      └──podinfo-canary             Ingress                    canary, canary-weight=30
      "
    `);
  });

  it('shows a failed release', () => {
    const out = render(
      objects(
        {
          phase: 'Failed',
          canaryWeight: 0,
          failedChecks: 2,
          revision: '5d41402abc4b2a76',
          message: 'webhook load-test failed: 500 Internal Server Error',
          lastTransitionTime: ago(5),
        },
        { tag: '6.0.1', replicas: 0, ready: 0 },
        0,
        [
          event(10, 65, 'Halt advancement podinfo.test webhook load-test failed: 500', 'Warning'),
          event(11, 5, 'Rolling back podinfo.test failed checks threshold reached 2', 'Warning'),
          event(
            12,
            5,
            'Canary failed! Scaling down podinfo.test: webhook load-test failed: 500 Internal Server Error',
            'Warning',
          ),
        ],
      ),
    );
    expect(out).toMatchInlineSnapshot(`
      "Name:            podinfo
      Namespace:       test
      Status:          ✖ Failed
      Message:         webhook load-test failed: 500 Internal Server Error
      Strategy:        Canary
        Step:          0/5
        Weight:        [░░░░░░░░░░] 0% (max 50%)
        Failed checks: 2/2
      Revision:        5d41402abc4b2a76
      Images:          ghcr.io/stefanprodan/podinfo:6.0.0 (stable)
      Last transition: 2025-03-01T11:59:55Z (5s ago)

      Events:
        TYPE     REASON  AGE   MESSAGE
        Warning  Synced  1m5s  Halt advancement podinfo.test webhook load-test failed: 500
        Warning  Synced  5s    Rolling back podinfo.test failed checks threshold reached 2
        Warning  Synced  5s    Canary failed! Scaling down podinfo.test: webhook load-test failed: 500 Internal Server Error

      NAME                          KIND        STATUS        INFO
      ⟳ podinfo                     Canary      ✖ Failed      weight 0%
      ├──podinfo-primary            Deployment  ✔ Ready       primary, 2/2 ready
      │  └──podinfo-config-primary  ConfigMap                 primary copy
      ├──podinfo                    Deployment  ○ ScaledDown  canary, 0/0 ready
      ├──podinfo                    Service                   apex, app=podinfo-primary
      ├──podinfo-primary            Service                   primary, app=podinfo-primary
      ├──podinfo-canary             Service                   canary, app=podinfo
      └──podinfo-canary             Ingress                   canary, canary-weight=0
      "
    `);
  });

  it('shows a succeeded release', () => {
    const out = render(
      objects(
        {
          phase: 'Succeeded',
          canaryWeight: 0,
          failedChecks: 0,
          revision: '5d41402abc4b2a76',
          message: 'promotion completed',
          lastTransitionTime: ago(7260),
        },
        { tag: '6.0.1', replicas: 0, ready: 0 },
        0,
        [
          event(20, 7300, 'Copying podinfo.test template spec to podinfo-primary.test'),
          event(21, 7270, 'Routing all traffic to primary'),
          event(22, 7260, 'Promotion completed! Scaling down podinfo.test'),
        ],
        '6.0.1',
      ),
    );
    expect(out).toMatchInlineSnapshot(`
      "Name:            podinfo
      Namespace:       test
      Status:          ✔ Succeeded
      Message:         promotion completed
      Strategy:        Canary
        Step:          0/5
        Weight:        [░░░░░░░░░░] 0% (max 50%)
        Failed checks: 0/2
      Revision:        5d41402abc4b2a76
      Images:          ghcr.io/stefanprodan/podinfo:6.0.1 (stable)
      Last transition: 2025-03-01T09:59:00Z (2h1m ago)

      Events:
        TYPE    REASON  AGE   MESSAGE
        Normal  Synced  2h1m  Copying podinfo.test template spec to podinfo-primary.test
        Normal  Synced  2h1m  Routing all traffic to primary
        Normal  Synced  2h1m  Promotion completed! Scaling down podinfo.test

      NAME                          KIND        STATUS        INFO
      ⟳ podinfo                     Canary      ✔ Succeeded   weight 0%
      ├──podinfo-primary            Deployment  ✔ Ready       primary, 2/2 ready
      │  └──podinfo-config-primary  ConfigMap                 primary copy
      ├──podinfo                    Deployment  ○ ScaledDown  canary, 0/0 ready
      ├──podinfo                    Service                   apex, app=podinfo-primary
      ├──podinfo-primary            Service                   primary, app=podinfo-primary
      ├──podinfo-canary             Service                   canary, app=podinfo
      └──podinfo-canary             Ingress                   canary, canary-weight=0
      "
    `);
  });

  it('shows who opened or closed the gates, and for which revision', () => {
    const o = objects(
      { phase: 'Waiting', revision: 'rev-2' },
      { tag: '6.0.2', replicas: 0, ready: 0 },
      0,
      [],
    );
    o.canary.metadata.annotations = {
      'gate.kanaria.dev/confirm': formatGateRecord({
        state: 'open',
        revision: 'rev-1',
        by: 'system:serviceaccount:test:approver',
        at: '2025-03-01T11:00:00.000Z',
      }),
      'gate.kanaria.dev/rollback': 'open',
    };
    const lines = render(o).split('\n');
    expect(lines.filter((l) => /^(Rollback gate|Gate):/.test(l))).toEqual([
      'Gate:            open for revision rev-1 by system:serviceaccount:test:approver at 2025-03-01T11:00:00.000Z (an earlier revision: closed for the current one)',
      'Rollback gate:   open (old format: treated as closed)',
    ]);
  });

  it('shows the last decision made from Slack or the gate API, and whose it was', () => {
    const o = objects(
      { phase: 'WaitingPromotion', revision: 'rev-2' },
      { tag: '6.0.2', replicas: 1, ready: 1 },
      20,
      [],
    );
    o.canary.metadata.annotations = {
      'kanaria.dev/release-decision': JSON.stringify({
        decision: 'approve',
        revision: 'rev-2',
        by: 'Slack user alice (U024BE7LH)',
        via: 'Slack',
        at: '2026-12-02T11:00:00.000Z',
      }),
    };
    expect(
      render(o)
        .split('\n')
        .filter((l) => l.startsWith('Decision:')),
    ).toEqual([
      'Decision:        approve of revision rev-2 by Slack user alice (U024BE7LH) via Slack at 2026-12-02T11:00:00.000Z',
    ]);
  });

  it('colours symbols only when asked', () => {
    const o = objects({ phase: 'Failed' }, { tag: '6.0.1', replicas: 0, ready: 0 }, 0, []);
    expect(renderCanaryView(buildCanaryView(o, NOW))).not.toContain('\x1b[');
    expect(renderCanaryView(buildCanaryView(o, NOW), { color: true })).toContain('\x1b[31m✖ Failed\x1b[0m');
  });

  it('shows iterations for Blue/Green and routing for A/B', () => {
    const o = objects(
      { phase: 'Progressing', iterations: 3 },
      { tag: '6.0.1', replicas: 2, ready: 1 },
      0,
      [],
    );
    o.canary.spec.analysis = { interval: '1m', iterations: 10 };
    let out = render(o);
    expect(out).toContain(
      'Strategy:        Blue/Green\n  Iteration:     3/10\n  Weight:        [░░░░░░░░░░] 0%',
    );
    expect(out).toMatch(/├──podinfo\s+Deployment\s+◌ Progressing\s+canary, 1\/2 ready/);
    o.canary.spec.analysis.match = [{ headers: { 'x-canary': { exact: 'insider' } } }];
    out = render(o);
    expect(out).toContain(
      'Strategy:        A/B testing\n  Iteration:     3/10\n  Routing:       by header/cookie match',
    );
  });
});

describe('weightBar', () => {
  it('fills one cell per 10 %', () => {
    expect(weightBar(0)).toBe('[░░░░░░░░░░] 0%');
    expect(weightBar(50)).toBe('[█████░░░░░] 50%');
    expect(weightBar(100)).toBe('[██████████] 100%');
  });
});

describe('renderCanaryTable', () => {
  it('aligns the columns', () => {
    expect(
      renderCanaryTable([
        {
          namespace: 'test',
          name: 'podinfo',
          phase: 'Progressing',
          weight: 30,
          failedChecks: 1,
          threshold: 2,
          lastTransition: '2025-03-01T11:56:50Z',
        },
        {
          namespace: 'prod',
          name: 'checkout-api',
          phase: 'Succeeded',
          weight: 0,
          failedChecks: 0,
          threshold: 5,
          lastTransition: '2025-02-28T09:00:00Z',
        },
      ]),
    ).toMatchInlineSnapshot(`
      "NAMESPACE  NAME          STATUS       WEIGHT  FAILED  LAST TRANSITION
      test       podinfo       Progressing  30      1/2     2025-03-01T11:56:50Z
      prod       checkout-api  Succeeded    0       0/5     2025-02-28T09:00:00Z
      "
    `);
  });
});
