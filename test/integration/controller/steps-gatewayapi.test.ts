/**
 * analysis.steps on provider gatewayapi:v1 against the real control plane: the header route is an
 * HTTPRoute rule before the weighted one, kept beside the weights; both open pauses are approved from
 * Slack by the same user, the second press writing a new approval for the pause it waits at.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStep } from '../../../src/api/steps.ts';
import type { Canary } from '../../../src/api/types.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import type { HTTPRoute } from '../../../src/router/httproute-types.ts';
import { controllerEnv } from '../controller-env.ts';
import { createCanary, createPodinfo, notesOnceSeen, getCanary, setImage } from '../fixtures.ts';
import { waitFor } from '../helpers.ts';
import { acceptRoute, gatewayCanary, readRoute, weightsOf } from './httproutes.ts';
import { ALICE, ALICE_BY, startSlackApprovals, type SlackApprovals } from './steps-slack.ts';

const STEPS: ReleaseStep[] = [
  { setHeaderRoute: { match: [{ headers: { 'x-canary': { exact: 'insider' } } }] }, interval: '3s' },
  { setWeight: 10, interval: '3s' },
  { pause: {} },
  { setWeight: 30 },
  { pause: {} },
  { setWeight: 50 },
];

/** The header rule (the one before the weighted rule) and the weighted rule's split, for comparing. */
function routeView(route: HTTPRoute | undefined) {
  const rules = route?.spec?.rules ?? [];
  return {
    header: rules.length > 1 ? rules[0].matches?.[0].headers : undefined,
    headerTo: rules.length > 1 ? weightsOf({ spec: { rules: [rules[0]] } }) : undefined,
    weighted: weightsOf(route),
  };
}

const INSIDER = [{ type: 'Exact', name: 'x-canary', value: 'insider' }];
const TO_CANARY = ['st-primary=0', 'st-canary=100'];

describe('analysis.steps with gatewayapi:v1', () => {
  const log = createLogger('warn');
  const env = controllerEnv('steps-gw', { log });
  let slack: SlackApprovals;
  beforeAll(async () => {
    slack = await startSlackApprovals(env.kube, log);
  });
  afterAll(async () => {
    await slack?.close();
  });

  it('a match rule before the weighted rule; each open pause approved from Slack while it waits', async () => {
    const { kube } = env;
    const namespace = env.ns.name;
    const view = async () => routeView(await readRoute(kube, namespace, 'st'));
    // The route write follows the status that records a step: wait for it, then compare.
    const viewBecomes = async (expected: Record<string, unknown>) => {
      const matches = async () => {
        const now = await view();
        return Object.entries(expected).every(([k, v]) => isDeepStrictEqual(now[k as keyof typeof now], v));
      };
      await waitFor('the HTTPRoute of the step', matches, 10_000).catch(() => undefined);
      expect(await view()).toMatchObject(expected);
    };
    const atStep = (index: number) => async (): Promise<Canary | undefined> => {
      const c = await getCanary(kube, namespace, 'st');
      return c.status?.currentStep === index && c.status.phase === 'Progressing' ? c : undefined;
    };
    await slack.createProvider(namespace);
    await createPodinfo(kube, namespace, { name: 'st' });
    const manifest = gatewayCanary(namespace, 'st');
    manifest.spec.analysis = {
      interval: '1s',
      threshold: 2,
      steps: STEPS,
      alerts: [{ name: 'team', severity: 'info', providerRef: { name: 'slack' } }],
    };
    await createCanary(kube, manifest);
    await waitFor('the HTTPRoute', () => readRoute(kube, namespace, 'st'));
    await acceptRoute(kube, namespace, 'st');
    await waitFor(
      'Initialized',
      async () => (await getCanary(kube, namespace, 'st')).status?.phase === 'Initialized',
    );
    await setImage(kube, namespace, '6.0.1', 'st');

    const headerStep = await waitFor('step 0', atStep(0));
    const revision = headerStep.status!.revision!;
    await viewBecomes({
      header: INSIDER,
      headerTo: TO_CANARY,
      weighted: ['st-primary=100', 'st-canary=0'],
    });
    await waitFor('step 1', atStep(1));
    await viewBecomes({ weighted: ['st-primary=90', 'st-canary=10'] });

    const release = { namespace, name: 'st', revision };
    await waitFor('the first pause', atStep(2));
    expect(await slack.press(release, ALICE)).toEqual({
      status: 200,
      text: `release ${revision} of st.${namespace} approved by ${ALICE_BY}`,
    });
    const second = await waitFor('the second pause', atStep(4));
    await viewBecomes({
      header: INSIDER,
      headerTo: TO_CANARY,
      weighted: ['st-primary=70', 'st-canary=30'],
    });
    const firstAt = second.status?.lastDecision?.at;
    expect(firstAt).toBeDefined();

    // The same user approves the second pause: a new record, not "already approved".
    expect(await slack.press(release, ALICE)).toEqual({
      status: 200,
      text: `release ${revision} of st.${namespace} approved by ${ALICE_BY}`,
    });
    const last = await waitFor('past the second pause', async () => {
      const c = await getCanary(kube, namespace, 'st');
      return (c.status?.currentStep ?? 0) >= 5 || c.status?.phase !== 'Progressing' ? c : undefined;
    });
    expect(last.status?.lastDecision).toMatchObject({ by: ALICE_BY, via: 'Slack' });
    expect(Date.parse(last.status!.lastDecision!.at)).toBeGreaterThan(Date.parse(firstAt!));
    const approvals = (notes: string[]) =>
      notes.filter((n) => n.includes(`approved by ${ALICE_BY}: continuing`));
    const notes = await notesOnceSeen(kube, namespace, 'st', (now) => approvals(now).length >= 2);
    expect(approvals(notes)).toEqual([
      `Pause at step 3/6 of st.${namespace} approved by ${ALICE_BY}: continuing`,
      `Pause at step 5/6 of st.${namespace} approved by ${ALICE_BY}: continuing`,
    ]);

    await waitFor(
      'Succeeded',
      async () => (await getCanary(kube, namespace, 'st')).status?.phase === 'Succeeded',
      90_000,
    );
    const after = await readRoute(kube, namespace, 'st');
    expect(after?.spec?.rules).toHaveLength(1);
    expect(weightsOf(after)).toEqual(['st-primary=100', 'st-canary=0']);
  }, 180_000);
});
