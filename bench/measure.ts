// What the benchmarks observe: canary phases and canary Ingress weights (timestamped as the watch
// delivers them), a controller process's CPU and memory, and its API requests from the audit log.
import { Watch } from '@kubernetes/client-node';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Kube } from '../src/kube/client.ts';

const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

interface Obj {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  status?: { phase?: string };
}

export interface Recorder {
  /** Per canary name: [time, phase] at each phase change. */
  phases: Map<string, [number, string][]>;
  /** Per app name (canary Ingress `<app>-canary`): [time, weight] at each weight change. */
  weights: Map<string, [number, number][]>;
  phaseOf(name: string): string | undefined;
  stop(): void;
}

function keepWatching(kube: Kube, path: string, onObj: (type: string, o: Obj) => void) {
  let stopped = false;
  let ctl: AbortController | undefined;
  const start = async () => {
    if (stopped) return;
    try {
      ctl = await new Watch(kube.kc).watch(
        path,
        { allowWatchBookmarks: false },
        (type, o: Obj) => onObj(type, o),
        () => {
          if (!stopped) setTimeout(start, 200);
        },
      );
    } catch {
      if (!stopped) setTimeout(start, 500);
    }
  };
  void start();
  return () => {
    stopped = true;
    ctl?.abort();
  };
}

/**
 * Watches the Canaries (of one API group) and Ingresses of the namespaces: of the one namespace, or
 * of all namespaces filtered to these (app names are unique over a run's namespaces).
 */
export function record(kube: Kube, namespaces: string[], group: string, version: string): Recorder {
  const phases = new Map<string, [number, string][]>();
  const weights = new Map<string, [number, number][]>();
  const scope = namespaces.length === 1 ? `/namespaces/${namespaces[0]}` : '';
  const wanted = new Set(namespaces);
  const ours = (o: Obj) => wanted.has(o.metadata?.namespace ?? '');
  const stops = [
    keepWatching(kube, `/apis/${group}/${version}${scope}/canaries`, (type, o) => {
      if (!ours(o)) return;
      const name = o.metadata?.name;
      const phase = o.status?.phase;
      if (!name || !phase || type === 'DELETED') return;
      const list = phases.get(name) ?? [];
      if (list.at(-1)?.[1] !== phase) list.push([Date.now(), phase]);
      phases.set(name, list);
    }),
    keepWatching(kube, `/apis/networking.k8s.io/v1${scope}/ingresses`, (type, o) => {
      if (!ours(o)) return;
      const name = o.metadata?.name;
      const w = Number(o.metadata?.annotations?.[WEIGHT]);
      if (!name?.endsWith('-canary') || !Number.isFinite(w) || type === 'DELETED') return;
      const app = name.slice(0, -'-canary'.length);
      const list = weights.get(app) ?? [];
      if (list.at(-1)?.[1] !== w) list.push([Date.now(), w]);
      weights.set(app, list);
    }),
  ];
  return {
    phases,
    weights,
    phaseOf: (name) => phases.get(name)?.at(-1)?.[1],
    stop: () => stops.forEach((s) => s()),
  };
}

export async function waitUntil(what: string, cond: () => boolean, timeoutMs: number, abort: AbortSignal) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (abort.aborted) throw new Error(`aborted while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${Math.round(timeoutMs / 1000)}s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now();
}

/** First time at or after `since` that the canary reached `phase`. */
export function phaseAt(rec: Recorder, name: string, phase: string, since: number): number | undefined {
  return rec.phases.get(name)?.find(([t, p]) => t >= since && p === phase)?.[0];
}

/**
 * Step delays of one release: for step k (weight k × stepWeight) the time it came after step k−1
 * minus the interval (step 0 is the template change). Step 1 also includes change detection and
 * the canary's scale-up, so it is returned apart.
 */
export function stepDelays(
  changes: [number, number][],
  bumpedAt: number,
  stepWeight: number,
  steps: number,
  intervalMs: number,
): { first?: number; later: number[]; missing: number } {
  const times: (number | undefined)[] = [];
  for (let k = 1; k <= steps; k++)
    times.push(changes.find(([t, w]) => t >= bumpedAt && w === k * stepWeight)?.[0]);
  const later: number[] = [];
  let missing = 0;
  for (let k = 1; k < steps; k++) {
    const prev = times[k - 1];
    const cur = times[k];
    if (prev === undefined || cur === undefined) missing++;
    else later.push(cur - prev - intervalMs);
  }
  return { first: times[0] !== undefined ? times[0] - bumpedAt : undefined, later, missing };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14, 15)
}

/** When each canary's weight rose above 0 or changed while above it, over all canaries. */
export function weightChangeTimes(rec: Recorder): number[] {
  return [...rec.weights.values()].flatMap((changes) => changes.filter(([, w]) => w > 0).map(([t]) => t));
}

export async function procStats(
  pid: number,
): Promise<{ cpuSeconds: number; hwmMiB: number; rssMiB: number }> {
  const cpuSeconds = await cpuSecondsOf(pid);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuSeconds, hwmMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/** Requests by verb that `username` made with requestReceivedTimestamp in [from, to). */
/**
 * The audit log's files in time order: kube-apiserver rotates `audit.log` to `audit-<time>.log` when it
 * grows past --audit-log-maxsize, so a long run may have several.
 */
export async function auditFiles(auditLog: string): Promise<string[]> {
  const dir = dirname(auditLog);
  const rotated = (await readdir(dir)).filter((f) => /^audit-.+\.log$/.test(f)).sort();
  return [...rotated.map((f) => join(dir, f)), auditLog];
}

/** Every line of the audit log, its rotated files first. */
export async function* auditLines(auditLog: string): AsyncGenerator<string> {
  for (const file of await auditFiles(auditLog))
    yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

interface AuditEvent {
  stage: string;
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; name?: string };
  requestReceivedTimestamp: string;
}

/** The audit events of `username`'s requests, parsed (the cheap text check first). */
export async function* eventsOf<T extends { user?: { username?: string } }>(
  auditLog: string,
  username: string,
): AsyncGenerator<T> {
  for await (const line of auditLines(auditLog)) {
    if (!line.includes(username)) continue;
    const e = JSON.parse(line) as T;
    if (e.user?.username === username) yield e;
  }
}

/** A watch is counted when it starts; every other request when it completes. */
function counted(e: AuditEvent): boolean {
  return e.verb === 'watch' ? e.stage === 'ResponseStarted' : e.stage === 'ResponseComplete';
}

function verbResource(e: AuditEvent): string {
  const ref = e.objectRef ?? {};
  return `${e.verb} ${ref.resource ?? '-'}${ref.subresource ? '/' + ref.subresource : ''}`;
}

/** `app-0001`, `app-0001-canary`, `app-0001-primary`, `app-0001.<hex>` (an Event about it): the app. */
const APP_OF_OBJECT = /^(app-\d{4,})(?:[-.]|$)/;

/**
 * The requests one weight step costs: per app, the user's requests on that app's objects (its Canary,
 * Deployments, Services, canary Ingress, Events) after its first canary-Ingress write since the bump, up to
 * and including its `steps[app]`-th, divided by the steps in between. Start-up and promotion are left out:
 * this is the cost of a step while the release runs.
 */
export async function requestsPerWeightStep(
  auditLog: string,
  username: string,
  bumps: Map<string, number>,
  steps: Map<string, number>,
): Promise<{ perStep: number; byVerbResource: Record<string, number>; steps: number }> {
  const perApp = new Map<string, { at: number; what: string; ingress: boolean }[]>();
  for await (const e of eventsOf<AuditEvent>(auditLog, username)) {
    if (!counted(e)) continue;
    const app = APP_OF_OBJECT.exec(e.objectRef?.name ?? '')?.[1];
    const bump = app === undefined ? undefined : bumps.get(app);
    const at = Date.parse(e.requestReceivedTimestamp);
    if (app === undefined || bump === undefined || at < bump) continue;
    const ingress =
      e.objectRef?.resource === 'ingresses' &&
      e.objectRef.name === `${app}-canary` &&
      (e.verb === 'patch' || e.verb === 'update');
    (perApp.get(app) ?? perApp.set(app, []).get(app)!).push({ at, what: verbResource(e), ingress });
  }
  const byVerbResource: Record<string, number> = {};
  let total = 0;
  let intervals = 0;
  for (const [app, requests] of perApp) {
    requests.sort((x, y) => x.at - y.at);
    const writes = requests.filter((r) => r.ingress).slice(0, steps.get(app) ?? 0);
    if (writes.length < 2) continue;
    const from = writes[0].at;
    const to = writes[writes.length - 1].at;
    for (const r of requests) {
      if (r.at <= from || r.at > to) continue;
      byVerbResource[r.what] = (byVerbResource[r.what] ?? 0) + 1;
      total++;
    }
    intervals += writes.length - 1;
  }
  const per = (v: number) => +(v / Math.max(1, intervals)).toFixed(2);
  return {
    perStep: per(total),
    byVerbResource: Object.fromEntries(Object.entries(byVerbResource).map(([k, v]) => [k, per(v)])),
    steps: intervals,
  };
}

export async function countRequests(
  auditLog: string,
  username: string,
  from: number,
  to: number,
): Promise<{ byVerb: Record<string, number>; byVerbResource: Record<string, number>; total: number }> {
  const byVerb: Record<string, number> = {};
  const byVerbResource: Record<string, number> = {};
  let total = 0;
  for await (const e of eventsOf<AuditEvent>(auditLog, username)) {
    if (!counted(e)) continue;
    const t = Date.parse(e.requestReceivedTimestamp);
    if (t < from || t >= to) continue;
    const key = verbResource(e);
    byVerb[e.verb] = (byVerb[e.verb] ?? 0) + 1;
    byVerbResource[key] = (byVerbResource[key] ?? 0) + 1;
    total++;
  }
  return { byVerb, byVerbResource, total };
}
