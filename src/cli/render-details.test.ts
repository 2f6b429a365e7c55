import { describe, expect, it } from 'vitest';
import { formatGateRecord } from '../gate/record.ts';
import { renderCanaryTable, renderCanaryView, weightBar } from './render.ts';
import { buildCanaryView } from './view.ts';
import { NOW, objects, render } from './view-testing.ts';

describe('renderCanaryView: gates, decisions, colours and modes', () => {
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
