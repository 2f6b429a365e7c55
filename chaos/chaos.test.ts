/**
 * The chaos suite: releases of mixed kinds on several apps at once while the operator, its own process,
 * is SIGKILLed at seeded-random moments and started again, and/or (KANARIA_CHAOS_FAULTS) talks to the API
 * server through a proxy that faults a share of its writes, resets connections and cuts watches. An
 * independent watcher records what happened; the safety invariants are counted on that record and must all
 * be 0. See chaos/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeconfigPath, testKube } from '../test/integration/helpers.ts';
import { chaosConfig, faultSettings } from './config.ts';
import { FaultProxy } from './fault-proxy.ts';
import { checkInvariants } from './invariants.ts';
import { OperatorKiller } from './killer.ts';
import { findNotes } from './notes.ts';
import { ANALYSIS, INITIAL_TAG, planReleases } from './plan.ts';
import { NS_PREFIX, runLane, setupLane, type LaneContext } from './releases.ts';
import { formatReport, operatorWarnings, proxySection, writeReport } from './report.ts';
import { seededRng } from './rng.ts';
import { startJudges, type Judges } from './servers.ts';
import type { ReleaseRecord } from './types.ts';
import { Watcher } from './watcher.ts';

const config = chaosConfig(process.env);
/** Every lane runs its share of releases one after the other, each within its time limit. */
const TEST_TIMEOUT_MS = Math.ceil(config.releases / config.lanes) * config.releaseTimeoutMs + 600_000;
/** After the last release the operator keeps running (and being killed) this long, to catch late writes. */
const TAIL_MS = 5000;

const MODE = [
  config.kills && 'the operator is SIGKILLed at random',
  config.faults > 0 && 'its API calls are faulted',
]
  .filter(Boolean)
  .join(' and ');
/** The share of writes the proxy must have faulted: 10 %, or two thirds of a configured share below 15 %. */
const MIN_FAULTED_SHARE = Math.min(0.1, (config.faults * 2) / 3);

describe(`chaos: releases while ${MODE || 'nothing is done to the operator'}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it(
    `${config.releases} releases keep every safety invariant`,
    async () => {
      const started = Date.now();
      const kubeconfig = kubeconfigPath();
      const kube = testKube();
      mkdirSync(config.outDir, { recursive: true });
      const logFile = join(config.outDir, 'operator.log');
      writeFileSync(logFile, '');
      console.log(
        `[chaos] seed ${config.seed} (KANARIA_CHAOS_SEED=${config.seed} repeats the plan and delays)`,
      );

      const plans = planReleases(config.releases, seededRng(config.seed));
      const webhookBad = new Set(plans.flatMap((p) => p.webhookBad));
      const metricBad = new Set(plans.flatMap((p) => p.metricBad));

      const watcher = Watcher.fromFile(kubeconfig, `${NS_PREFIX}-`);
      await watcher.start();
      cleanups.push(() => watcher.stop());
      // The operator alone goes through the proxy; the watcher and the test's own writes go direct.
      const proxy =
        config.faults > 0
          ? await FaultProxy.start(kubeconfig, faultSettings(config), seededRng(config.seed ^ 0x2545f491))
          : undefined;
      if (proxy) cleanups.push(() => proxy.close());
      const judges: Judges = await startJudges({
        currentTag: (ns) => watcher.currentTag(ns),
        webhookBad,
        metricBad,
      });
      cleanups.push(() => judges.close());

      let releasesStarted = 0;
      const chaos = new OperatorKiller({
        args: ['--kubeconfig', proxy?.kubeconfig ?? kubeconfig, '--log-level', 'info', '--no-gate'],
        rng: seededRng(config.seed ^ 0x5bd1e995),
        killMinMs: config.killMinMs,
        killMaxMs: config.killMaxMs,
        restartMaxMs: config.restartMaxMs,
        releasesStarted: () => releasesStarted,
        kills: config.kills,
        deadlineAt: started + TEST_TIMEOUT_MS,
        logFile,
      });
      chaos.start();
      cleanups.push(() => chaos.stop());
      const ctx: LaneContext = {
        kube,
        watcher,
        onReleaseStart: () => releasesStarted++,
        releaseTimeoutMs: config.releaseTimeoutMs,
        log: (line) =>
          console.log(
            `[chaos +${((Date.now() - started) / 1000).toFixed(0)}s, ${chaos.kills} kills] ${line}`,
          ),
      };
      const lanes = await Promise.all(Array.from({ length: config.lanes }, () => setupLane(ctx, judges)));
      for (const lane of lanes) cleanups.push(lane.cleanup);
      ctx.log(`${lanes.length} apps initialised: ${lanes.map((l) => l.name).join(', ')}`);

      const queue = [...plans];
      const records: ReleaseRecord[] = [];
      await Promise.all(lanes.map((lane) => runLane(ctx, lane.name, queue, records)));
      await sleep(TAIL_MS);
      await chaos.stop();
      await proxy?.close();
      await sleep(500);
      await watcher.stop();

      const result = checkInvariants({
        observations: watcher.observations,
        releases: records,
        initialTag: INITIAL_TAG,
        maxWeight: ANALYSIS.maxWeight,
      });
      const figures = {
        seed: config.seed,
        releases: records.length,
        lanes: config.lanes,
        kills: chaos.kills,
        operatorStarts: chaos.starts,
        operatorCrashes: chaos.crashes,
        durationMs: Date.now() - started,
        watchRelists: watcher.relists,
        observations: watcher.observations.length,
        judges: judges.tally,
      };
      const warnings = operatorWarnings(logFile);
      const notes = findNotes(watcher.observations, ANALYSIS.maxWeight);
      const faults = proxy && proxySection(proxy.stats, faultSettings(config), proxy.certSource);
      console.log(formatReport(result, figures, records, warnings, notes, faults));
      writeReport(join(config.outDir, 'report.json'), {
        config,
        figures,
        counts: result.counts,
        total: result.total,
        violations: result.violations,
        releases: records,
        notes,
        operatorWarnings: warnings,
        proxy: proxy && { stats: proxy.stats, settings: faultSettings(config), certSource: proxy.certSource },
      });
      writeReport(join(config.outDir, 'observations.json'), watcher.observations);
      if (proxy) writeReport(join(config.outDir, 'proxy-writes.json'), proxy.writes);
      console.log(`[chaos] report: ${join(config.outDir, 'report.json')}, operator log: ${logFile}`);

      expect(records).toHaveLength(config.releases);
      expect(result.total).toBe(0);
      if (proxy) {
        const { seen, faulted } = proxy.stats.writes;
        expect(seen).toBeGreaterThan(0);
        expect(faulted / seen).toBeGreaterThanOrEqual(MIN_FAULTED_SHARE);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
