// The step lag as the API server saw it, from the audit log's own timestamps (received, and completed:
// `stageTimestamp` of ResponseComplete), and where the time of the slowest steps went: before the step's
// status write reached the API server (timer, work queue, checks, decision), in the status write, between
// the two writes, and in the canary Ingress write. The harness's own watch (stepDelays) is the figure
// of record; this one does not depend on when the harness's event loop got to a watch event.
//
// Also a command, for the audit log of an earlier run (bench/<name>-<time>/audit.log in the cache):
//   node bench/step-parts.ts <audit.log> --bump 2026-12-04T11:29:18Z [--steps 5] [--interval-ms 10000]
import { parseArgs } from 'node:util';
import { eventsOf, percentile } from './measure.ts';

interface Write {
  received: number;
  completed: number;
  ingress: boolean;
}

interface AuditWrite {
  stage: string;
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  stageTimestamp?: string;
}

/** Milliseconds of one step (k ≥ 2) and of its parts: lag = the four parts − previousWriting. */
export interface StepPartsMs {
  lag: number;
  /** From the status write of the step before plus the interval to this step's status write arriving. */
  beforeStatus: number;
  statusWrite: number;
  betweenWrites: number;
  ingressWrite: number;
  /** The step before's status write received to its Ingress write completed (its timer started earlier). */
  previousWriting: number;
}

export interface StepParts {
  samples: number;
  lagMs: { p50: number; p99: number; max: number };
  /** Means over all steps, and over the slowest 2 % of them. */
  meanMs: StepPartsMs;
  slowestMeanMs: StepPartsMs;
}

const APP = /^(app-\d{4,})(-canary)?$/;

/**
 * Per app, its successful Canary status and canary Ingress writes since its bump, in time order. Only
 * for a controller that writes the canary Ingress once per weight step and nothing else in between
 * (Kanaria): the first `steps` Ingress writes are then the weight steps.
 */
async function writesPerApp(
  auditLog: string,
  username: string,
  bumps: Map<string, number> | number,
): Promise<Map<string, Write[]>> {
  const perApp = new Map<string, Write[]>();
  for await (const e of eventsOf<AuditWrite>(auditLog, username)) {
    if (e.stage !== 'ResponseComplete') continue;
    if (e.verb !== 'patch' && e.verb !== 'update') continue;
    if ((e.responseStatus?.code ?? 500) >= 300 || !e.stageTimestamp) continue;
    const match = APP.exec(e.objectRef?.name ?? '');
    if (!match) continue;
    const ingress = e.objectRef?.resource === 'ingresses' && match[2] === '-canary';
    const status = e.objectRef?.resource === 'canaries' && e.objectRef.subresource === 'status' && !match[2];
    const bump = typeof bumps === 'number' ? bumps : bumps.get(match[1]);
    const received = Date.parse(e.requestReceivedTimestamp);
    if ((!ingress && !status) || bump === undefined || received < bump) continue;
    const list = perApp.get(match[1]) ?? perApp.set(match[1], []).get(match[1])!;
    list.push({ received, completed: Date.parse(e.stageTimestamp), ingress });
  }
  for (const list of perApp.values()) list.sort((x, y) => x.received - y.received);
  return perApp;
}

/** Each weight step as [its status write, its canary Ingress write]: the last status write before it. */
function weightSteps(writes: Write[], steps: number): [Write, Write][] {
  const out: [Write, Write][] = [];
  let status: Write | undefined;
  for (const w of writes) {
    if (!w.ingress) status = w;
    else if (status) out.push([status, w]);
    if (out.length === steps) break;
  }
  return out;
}

function partsOf(prev: [Write, Write], cur: [Write, Write], intervalMs: number): StepPartsMs {
  const [status, ingress] = cur;
  return {
    lag: ingress.completed - prev[1].completed - intervalMs,
    beforeStatus: status.received - prev[0].received - intervalMs,
    statusWrite: status.completed - status.received,
    betweenWrites: ingress.received - status.completed,
    ingressWrite: ingress.completed - ingress.received,
    previousWriting: prev[1].completed - prev[0].received,
  };
}

function mean(rows: StepPartsMs[]): StepPartsMs {
  const avg = (key: keyof StepPartsMs) =>
    Math.round(rows.reduce((sum, r) => sum + r[key], 0) / Math.max(1, rows.length));
  return {
    lag: avg('lag'),
    beforeStatus: avg('beforeStatus'),
    statusWrite: avg('statusWrite'),
    betweenWrites: avg('betweenWrites'),
    ingressWrite: avg('ingressWrite'),
    previousWriting: avg('previousWriting'),
  };
}

export async function stepPartsFromAudit(
  auditLog: string,
  username: string,
  /** Per app, or one time for all. */
  bumps: Map<string, number> | number,
  steps: number,
  intervalMs: number,
): Promise<StepParts | undefined> {
  const rows: StepPartsMs[] = [];
  for (const writes of (await writesPerApp(auditLog, username, bumps)).values()) {
    const made = weightSteps(writes, steps);
    for (let k = 1; k < made.length; k++) rows.push(partsOf(made[k - 1], made[k], intervalMs));
  }
  if (rows.length === 0) return undefined;
  rows.sort((x, y) => x.lag - y.lag);
  const lags = rows.map((r) => Math.round(r.lag));
  return {
    samples: rows.length,
    lagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1] },
    meanMs: mean(rows),
    slowestMeanMs: mean(rows.slice(rows.length - Math.max(1, Math.floor(rows.length / 50)))),
  };
}

/** One line for the run's log and the report. */
export function describeStepParts(p: StepParts): string {
  const parts = (m: StepPartsMs) =>
    `${m.lag} ms = ${m.beforeStatus} before the status write + ${m.statusWrite} status write + ` +
    `${m.betweenWrites} between + ${m.ingressWrite} Ingress write − ${m.previousWriting} the step before's writing`;
  return (
    `step lag at the API server p50 ${p.lagMs.p50} / p99 ${p.lagMs.p99} / max ${p.lagMs.max} ms ` +
    `(${p.samples} steps); mean ${parts(p.meanMs)}; slowest 2 % mean ${parts(p.slowestMeanMs)}`
  );
}

/** RESULTS.md's section: per scale run of Kanaria that has them, the lag at the API server and its parts. */
export function renderStepParts(runs: [string, StepParts][]): string[] {
  if (runs.length === 0) return [];
  const row = (m: StepPartsMs) =>
    `${m.lag} = ${m.beforeStatus} + ${m.statusWrite} + ${m.betweenWrites} + ${m.ingressWrite} − ${m.previousWriting}`;
  return [
    '',
    '### Kanaria: the step lag at the API server, and where the slowest steps wait',
    '',
    "From the audit log's timestamps of each step's status and canary Ingress writes (bench/step-parts.ts). Parts, in ms: lag = before the status write arrives (timer, work queue, checks, decision) + status write + between the writes + Ingress write − the step before's writing.",
    '',
    '| Run | Steps | Lag p50 / p99 / max (ms) | Mean: parts | Slowest 2 %: parts |',
    '|---|---|---|---|---|',
    ...runs.map(
      ([name, p]) =>
        `| ${name} | ${p.samples} | ${p.lagMs.p50} / ${p.lagMs.p99} / ${p.lagMs.max} | ${row(p.meanMs)} | ${row(p.slowestMeanMs)} |`,
    ),
  ];
}

if (import.meta.main) {
  const { values: flags, positionals } = parseArgs({
    options: {
      bump: { type: 'string' },
      steps: { type: 'string', default: '5' },
      'interval-ms': { type: 'string', default: '10000' },
      user: { type: 'string', default: 'system:serviceaccount:bench-system:kanaria' },
    },
    allowPositionals: true,
  });
  const bump = Date.parse(flags.bump ?? '');
  if (positionals.length !== 1 || Number.isNaN(bump)) {
    console.error(
      'usage: node bench/step-parts.ts <audit.log> --bump <ISO time> [--steps 5] [--interval-ms 10000]',
    );
    process.exit(2);
  }
  const parts = await stepPartsFromAudit(
    positionals[0],
    flags.user,
    bump,
    Number(flags.steps),
    Number(flags['interval-ms']),
  );
  console.log(parts ? describeStepParts(parts) : `no weight steps of ${flags.user} after the bump`);
}
