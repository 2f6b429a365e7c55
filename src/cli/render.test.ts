import { describe, expect, it } from 'vitest';
import { ago, event, objects, render } from './view-testing.ts';

describe('renderCanaryView: a release from start to end', () => {
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
});
