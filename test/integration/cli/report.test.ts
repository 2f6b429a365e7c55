import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRecord } from '../../../src/api/analysis.ts';
import type { Canary, CanaryStatus } from '../../../src/api/types.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { canaryManifest, createCanary, getCanary } from '../fixtures.ts';
import { freshNamespace, testKube } from '../helpers.ts';
import { runCli } from './support.ts';

const ANALYSIS: AnalysisRecord = {
  revision: 'rev-1',
  omittedIntervals: 1,
  intervals: [
    {
      at: '2026-03-14T09:01:00.000Z',
      weight: 10,
      observedWeight: 9.6,
      metrics: [
        { kind: 'threshold', metric: 'request-duration', unit: 'ms', value: 310, max: 500, verdict: 'Pass' },
        {
          kind: 'control',
          metric: 'latency',
          unit: 'ms',
          canary: 101,
          control: 100,
          canarySize: 20,
          controlSize: 20,
          estimate: 1,
          interval: { lower: -2, upper: 3.5 },
          confidenceLevel: 0.98,
          pValue: 0.41,
          w: 230,
          effectSize: 1.01,
          verdict: 'Pass',
        },
      ],
      judgement: { decision: 'pass', score: 100 },
    },
    {
      at: '2026-03-14T09:02:00.000Z',
      weight: 20,
      metrics: [
        {
          kind: 'threshold',
          metric: 'request-duration',
          unit: 'ms',
          value: 318,
          max: 500,
          verdict: 'Pass',
          reason: 'request-duration 318 ms ≤ max 500 ms',
        },
        {
          kind: 'control',
          metric: 'latency',
          unit: 'ms',
          canary: 130.4,
          control: 100,
          canarySize: 20,
          controlSize: 20,
          estimate: 30.1,
          interval: { lower: 27, upper: 33.2 },
          confidenceLevel: 0.98,
          pValue: 0.0003,
          w: 400,
          effectSize: 1.3,
          verdict: 'High',
          reason: 'latency: canary higher than control',
        },
      ],
      judgement: { decision: 'fail', score: 0, reason: 'score 0 < marginal 50; not passed: latency High' },
    },
  ],
};

const STATUS: CanaryStatus = {
  phase: 'Failed',
  revision: 'rev-1',
  releaseStartTime: '2026-03-14T09:00:00Z',
  lastTransitionTime: '2026-03-14T09:02:10Z',
  message: 'rolled back: latency High',
  analysis: ANALYSIS,
};

async function writeStatus(kube: Kube, namespace: string, status: CanaryStatus): Promise<Canary> {
  const canary = await getCanary(kube, namespace);
  return (await kube.custom.replaceNamespacedCustomObjectStatus({
    group: 'kanaria.dev',
    version: 'v1beta1',
    plural: 'canaries',
    namespace,
    name: 'podinfo',
    body: { ...canary, status },
  })) as Canary;
}

describe('kanaria report', () => {
  let kube: Kube;
  let ns: { name: string; cleanup: () => Promise<void> };
  let dir: string;

  beforeAll(async () => {
    kube = testKube();
    ns = await freshNamespace(kube, 'cli-report');
    dir = mkdtempSync(join(tmpdir(), 'kanaria-report-'));
    await createCanary(kube, canaryManifest(ns.name));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ns.cleanup();
  });

  it('says what is missing: the Canary, or its analysis', async () => {
    const missing = await runCli(['report', 'nope', '-n', ns.name, '-o', join(dir, 'x.html')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`canary nope not found in namespace ${ns.name}\n`);
    const early = await runCli(['report', 'podinfo', '-n', ns.name, '-o', join(dir, 'x.html')]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      new RegExp(
        `^canary podinfo in namespace ${ns.name}: no analysis recorded yet: the report covers releases with metric checks`,
      ),
    );
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });

  it('writes the report of status.analysis, and get canary shows its latest interval', async () => {
    const written = await writeStatus(kube, ns.name, STATUS);
    expect(written.status?.analysis).toEqual(ANALYSIS);

    const file = join(dir, 'podinfo.html');
    const res = await runCli(['report', 'podinfo', '-n', ns.name, '-o', file]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${file}\n`);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`Release report: ${ns.name}/podinfo`);
    expect(html).toContain('<code>rev-1</code>');
    expect(html.match(/<section class="panel metric"/g)).toHaveLength(2);
    expect(html).toContain('data-metric="request-duration"');
    expect(html).toContain('data-metric="latency"');
    expect(html.match(/class="badge verdict verdict-Pass"/g)).toHaveLength(3);
    expect(html.match(/class="badge verdict verdict-High"/g)).toHaveLength(1);
    expect(html).toContain('decision-fail');
    expect(html).toContain('1 earlier interval left out of status');

    const get = await runCli(['get', 'canary', 'podinfo', '-n', ns.name]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^Analysis: +interval 3 of revision rev-1, at 2026-03-14T09:02:00Z/m);
    expect(get.stdout).toMatch(/^ {2}METRIC +VERDICT +VALUE +AGAINST +DETAIL$/m);
    expect(get.stdout).toMatch(/^ {2}request-duration +✔ Pass +318 ms +≤ 500 ms +request-duration 318 ms/m);
    expect(get.stdout).toMatch(
      /^ {2}latency +✖ High +130\.4 ms +control 100 ms +p=0\.0003 est \+30\.1 ms \[27\.\.33\.2\] n=20\/20$/m,
    );
    expect(get.stdout).toMatch(/^ {2}Judge: fail, score 0: score 0 < marginal 50/m);
  });

  it('still writes the report of the analysed release once a newer one is recorded, and names it', async () => {
    await writeStatus(kube, ns.name, {
      ...STATUS,
      phase: 'Progressing',
      revision: 'rev-2',
      analysis: { ...ANALYSIS, held: { reason: 'score 60 is marginal', since: '2026-03-14T09:02:00Z' } },
    });
    const file = join(dir, 'stale.html');
    const res = await runCli(['report', 'podinfo', '-n', ns.name, '-o', file]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(
      'the report is about revision rev-1, the last one analysed; the current release is revision rev-2',
    );
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<code>rev-1</code>');
    expect(html).toContain('an earlier release than the current revision rev-2');

    const get = await runCli(['get', 'canary', 'podinfo', '-n', ns.name]);
    expect(get.stdout).toContain('Held for promotion: score 60 is marginal (kanaria promote podinfo)');
  });
});
