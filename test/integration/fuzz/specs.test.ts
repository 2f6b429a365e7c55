import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from '../../../src/api/defaults.ts';
import type { Canary, CanarySpec } from '../../../src/api/types.ts';
import { validateAlertProvider, validateCanary, validateMetricTemplate } from '../../../src/api/validate.ts';
import { startController, type RunningController } from '../../../src/controller/run.ts';
import { decide } from '../../../src/engine/decide.ts';
import { snapshotOf, newWorld } from '../../../src/engine/testing/world.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { freshNamespace, kubeconfigPath, testKube, waitFor } from '../helpers.ts';
import { alertProviderSpecArb, canarySpecArb, metricTemplateSpecArb } from './spec-arbitraries.ts';

/**
 * Generated specs against the real API server: each is created with a server-side dry run. A refusal
 * must name the field; an accepted spec must either validate or give issues that name their field,
 * and the engine must decide on it without throwing. A sample of the accepted ones is created for
 * real while the controller runs: each must get a Ready condition (InvalidSpec naming the field when
 * the validator found issues). KANARIA_FUZZ_SPECS sets the number per kind (CI: 1,500).
 */
const RUNS = Number(process.env.KANARIA_FUZZ_SPECS ?? 1500);
const REAL_SAMPLE = 40;
const FIELD = /spec(\.|\[|:| )/;

interface Tally {
  generated: number;
  refused: number;
  refusedWithoutField: number;
  accepted: number;
  acceptedWithIssues: number;
  issuesWithoutField: number;
  engineThrew: number;
}

const newTally = (): Tally => ({
  generated: 0,
  refused: 0,
  refusedWithoutField: 0,
  accepted: 0,
  acceptedWithIssues: 0,
  issuesWithoutField: 0,
  engineThrew: 0,
});

function errorMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    return (JSON.parse(String(body)) as { message?: string }).message ?? String(body);
  } catch {
    return String(body ?? err);
  }
}

async function inBatches<T>(items: T[], size: number, each: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size)
    await Promise.all(items.slice(i, i + size).map((item, j) => each(item, i + j)));
}

describe('generated specs on the real API server', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let controller: RunningController;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'fuzz');
    controller = await startController({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      log: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await ns.cleanup();
  });

  const create = (plural: string, body: object, dryRun: boolean) =>
    kube.custom.createNamespacedCustomObject({
      group: 'kanaria.dev',
      version: 'v1beta1',
      plural,
      namespace: ns.name,
      body,
      ...(dryRun ? { dryRun: 'All' } : {}),
    });

  it(`Canary: ${RUNS} specs refused with the field named, or handled by the controller`, async () => {
    const tally = newTally();
    const specs = fc.sample(canarySpecArb('app'), { numRuns: RUNS, seed: 20261201 });
    const sample: { name: string; field?: string }[] = [];
    await inBatches(specs, 16, async (spec, i) => {
      tally.generated++;
      const canary = { apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary', metadata: { name: `c${i}` }, spec };
      try {
        await create('canaries', canary, true);
      } catch (err) {
        tally.refused++;
        if (!FIELD.test(errorMessage(err))) tally.refusedWithoutField++;
        return;
      }
      tally.accepted++;
      const issues = validateCanary({
        ...canary,
        metadata: { name: `c${i}`, namespace: ns.name },
      } as unknown as Canary);
      if (issues.length > 0) tally.acceptedWithIssues++;
      if (issues.some((issue) => !issue.field.startsWith('spec'))) tally.issuesWithoutField++;
      try {
        const w = newWorld(withDefaults(spec as unknown as CanarySpec));
        const snapshot = snapshotOf(w);
        decide(
          issues.length ? { ...snapshot, problem: { reason: 'InvalidSpec', message: 'x' } } : snapshot,
          {},
          Date.parse('2026-12-01T00:00:00Z'),
        );
      } catch {
        tally.engineThrew++;
      }
      if (sample.length < REAL_SAMPLE && (issues.length > 0 || sample.length % 4 === 0))
        sample.push({ name: `c${i}`, field: issues[0]?.field });
    });
    await inBatches(sample, 8, async ({ name }, i) => {
      await create(
        'canaries',
        {
          ...{ apiVersion: 'kanaria.dev/v1beta1', kind: 'Canary' },
          metadata: { name },
          spec: specs[Number(name.slice(1))],
        },
        false,
      );
      void i;
    });
    const conditions = await waitFor(
      'a Ready condition on every created Canary',
      async () => {
        const list = (await kube.custom.listNamespacedCustomObject({
          group: 'kanaria.dev',
          version: 'v1beta1',
          plural: 'canaries',
          namespace: ns.name,
        })) as { items: Canary[] };
        const ready = list.items.map((c) => ({
          name: c.metadata.name,
          ready: c.status?.conditions?.find((x) => x.type === 'Ready'),
        }));
        return ready.length === sample.length && ready.every((r) => r.ready) ? ready : undefined;
      },
      90_000,
      500,
    );
    let conditionWithoutField = 0;
    for (const { name, field } of sample) {
      const ready = conditions.find((c) => c.name === name)!.ready!;
      if (field && !(ready.reason === 'InvalidSpec' && ready.message.includes(field)))
        conditionWithoutField++;
    }
    console.log(
      `Canary fuzz: ${tally.generated} specs, ${tally.refused} refused at admission (${tally.refusedWithoutField} without a field named), ` +
        `${tally.accepted} accepted (${tally.acceptedWithIssues} with validator issues, ${tally.issuesWithoutField} without a field), ` +
        `engine threw ${tally.engineThrew}; ${sample.length} created for real, ${conditionWithoutField} without InvalidSpec naming the field`,
    );
    expect(
      tally.refusedWithoutField + tally.issuesWithoutField + tally.engineThrew + conditionWithoutField,
    ).toBe(0);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.acceptedWithIssues).toBeGreaterThan(0);
  }, 600_000);

  for (const [plural, arb, validate] of [
    ['metrictemplates', metricTemplateSpecArb(), validateMetricTemplate],
    ['alertproviders', alertProviderSpecArb(), validateAlertProvider],
  ] as const) {
    it(`${plural}: ${RUNS} specs refused with the field named, or validated with the field named`, async () => {
      const tally = newTally();
      const specs = fc.sample(arb, { numRuns: RUNS, seed: 7 });
      await inBatches(specs, 16, async (spec, i) => {
        tally.generated++;
        const kind = plural === 'metrictemplates' ? 'MetricTemplate' : 'AlertProvider';
        const obj = {
          apiVersion: 'kanaria.dev/v1beta1',
          kind,
          metadata: { name: `x${i}`, namespace: ns.name },
          spec,
        };
        try {
          await create(plural, obj, true);
        } catch (err) {
          tally.refused++;
          if (!FIELD.test(errorMessage(err))) tally.refusedWithoutField++;
          return;
        }
        tally.accepted++;
        const issues = (validate as (o: unknown) => { field: string }[])(obj);
        if (issues.length > 0) tally.acceptedWithIssues++;
        if (issues.some((issue) => !issue.field.startsWith('spec'))) tally.issuesWithoutField++;
      });
      console.log(
        `${plural} fuzz: ${tally.generated} specs, ${tally.refused} refused (${tally.refusedWithoutField} without a field named), ${tally.accepted} accepted (${tally.acceptedWithIssues} with validator issues, ${tally.issuesWithoutField} without a field)`,
      );
      expect(tally.refusedWithoutField + tally.issuesWithoutField).toBe(0);
    }, 600_000);
  }
});
