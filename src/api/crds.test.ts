import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allCrds, canaryCrd, crdFiles, CRD_FILE_HEADER } from './crds.ts';
import { canaryStatusSchema, type JSONSchemaProps } from './schema.ts';
import type { CanaryStatus } from './types.ts';

const CRD_DIR = fileURLToPath(new URL('../../charts/kanaria/crds/', import.meta.url));

/** Every schema node with its path. */
function* nodes(schema: JSONSchemaProps, path = ''): Generator<[string, JSONSchemaProps]> {
  yield [path, schema];
  for (const [k, v] of Object.entries(schema.properties ?? {})) yield* nodes(v, `${path}.${k}`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties) yield* nodes(schema.additionalProperties, `${path}{}`);
}

describe('committed CRD manifests', () => {
  const files = crdFiles();

  it('are exactly what `npm run gen:crds` writes now (run it after changing the schema)', () => {
    const committed = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'));
    expect(committed.sort()).toEqual(Object.keys(files).sort());
    for (const [file, text] of Object.entries(files)) {
      expect(readFileSync(`${CRD_DIR}${file}`, 'utf8'), file).toBe(text);
    }
  });

  it('start with the generated-file header and parse back to the same objects', () => {
    const byName = Object.fromEntries(allCrds().map((c) => [`${c.spec.names.plural}.yaml`, c]));
    for (const [file, text] of Object.entries(files)) {
      expect(text.startsWith(`#${CRD_FILE_HEADER}\n`)).toBe(true);
      expect(parse(text)).toEqual(byName[file]);
    }
  });
});

describe('CRDs', () => {
  it('define the three namespaced kinds of kanaria.dev/v1beta1 with short names and the kanaria category', () => {
    const summary = allCrds().map((c) => ({
      name: c.metadata.name,
      group: c.spec.group,
      scope: c.spec.scope,
      ...c.spec.names,
      versions: c.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources]),
    }));
    const common = { group: 'kanaria.dev', scope: 'Namespaced', categories: ['kanaria'] };
    const versions = [['v1beta1', true, true, { status: {} }]];
    expect(summary).toEqual([
      {
        ...common,
        name: 'canaries.kanaria.dev',
        kind: 'Canary',
        listKind: 'CanaryList',
        plural: 'canaries',
        singular: 'canary',
        shortNames: ['cn'],
        versions,
      },
      {
        ...common,
        name: 'metrictemplates.kanaria.dev',
        kind: 'MetricTemplate',
        listKind: 'MetricTemplateList',
        plural: 'metrictemplates',
        singular: 'metrictemplate',
        shortNames: ['mt'],
        versions,
      },
      {
        ...common,
        name: 'alertproviders.kanaria.dev',
        kind: 'AlertProvider',
        listKind: 'AlertProviderList',
        plural: 'alertproviders',
        singular: 'alertprovider',
        shortNames: ['ap'],
        versions,
      },
    ]);
  });

  it('show Status, Weight, FailedChecks and LastTransitionTime for canaries, and more with -o wide', () => {
    const columns = canaryCrd().spec.versions[0].additionalPrinterColumns;
    const row = (priority: number) =>
      columns.filter((c) => (c.priority ?? 0) === priority).map((c) => [c.name, c.jsonPath, c.type]);
    expect(row(0)).toEqual([
      ['Status', '.status.phase', 'string'],
      ['Weight', '.status.canaryWeight', 'integer'],
      ['FailedChecks', '.status.failedChecks', 'integer'],
      ['LastTransitionTime', '.status.lastTransitionTime', 'date'],
    ]);
    expect(row(1)).toEqual([
      ['StepWeight', '.spec.analysis.stepWeight', 'integer'],
      ['MaxWeight', '.spec.analysis.maxWeight', 'integer'],
      ['Interval', '.spec.analysis.interval', 'string'],
      ['Suspended', '.spec.suspend', 'boolean'],
    ]);
  });

  it('have structural schemas: every node typed, no unknown-field preservation, untyped anyOf, RE2 patterns', () => {
    for (const def of allCrds()) {
      for (const [path, node] of nodes(def.spec.versions[0].schema.openAPIV3Schema)) {
        const where = `${def.metadata.name}${path}`;
        expect(node.type !== undefined || node['x-kubernetes-int-or-string'] === true, where).toBe(true);
        expect(node, where).not.toHaveProperty('x-kubernetes-preserve-unknown-fields');
        for (const alt of node.anyOf ?? []) expect(Object.keys(alt), where).toEqual(['required']);
        if (node.pattern) expect(node.pattern, where).not.toMatch(/\(\?[=!<]|\\[1-9]/);
        if (node.required)
          expect(Object.keys(node.properties ?? {}), where).toEqual(expect.arrayContaining(node.required));
      }
    }
  });

  it('keep every CanaryStatus field in the status schema (the API server would prune the others)', () => {
    const fields: Record<keyof Required<CanaryStatus>, true> = {
      phase: true,
      trafficSince: true,
      pendingOutcome: true,
      previousWeight: true,
      observedSplit: true,
      migration: true,
      analysis: true,
      currentStep: true,
      stepStartTime: true,
      lastDecision: true,
      canaryWeight: true,
      failedChecks: true,
      iterations: true,
      lastAppliedSpec: true,
      lastPromotedSpec: true,
      revision: true,
      releaseStartTime: true,
      trackedConfigs: true,
      promotedConfigs: true,
      lastTransitionTime: true,
      lastStepTime: true,
      waitingSince: true,
      canaryReplicas: true,
      message: true,
      observedGeneration: true,
      conditions: true,
    };
    const status = canaryStatusSchema();
    expect(Object.keys(status.properties ?? {}).sort()).toEqual(Object.keys(fields).sort());
    expect(status.properties!.trackedConfigs.additionalProperties).toEqual({ type: 'string' });
    expect(status.properties!.promotedConfigs.additionalProperties).toEqual({ type: 'string' });
    expect(status.properties!.conditions.type).toBe('array');
  });
});
