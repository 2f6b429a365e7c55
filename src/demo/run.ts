/**
 * `kanaria demo`: the reference walkthrough on this machine. A healthy release (6.0.0 → 6.0.1) is
 * promoted step by step, then a release whose canary answers 60% of its requests with 500
 * (6.0.1 → 6.0.2) is rolled back, both shown live; a summary follows, with the requests as the data
 * plane counted them (on Traefik: the pods' own counters).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary, Phase } from '../api/types.ts';
import type { DataPlaneKind, TrafficCounts } from './data-plane.ts';
import {
  DEMO_CLUSTER,
  DEMO_NAMESPACE,
  DEMO_RPS,
  DemoError,
  startDemoEnvironment,
  type DemoEnvironment,
} from './environment.ts';
import { LiveView } from './live.ts';
import type { Resources } from './resources.ts';

export interface DemoOptions {
  dataPlane: DataPlaneKind;
  keep: boolean;
  color: boolean;
  tty: boolean;
  out: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  basePort: number;
  signal: AbortSignal;
  resources: Resources;
}

export interface ReleaseResult {
  from: string;
  to: string;
  phase: Phase;
  seconds: number;
  weights: number[];
  canaryRequests: number;
  canaryErrors: number;
  /** Requests the canary got from the webhooks, where the data plane tells them apart. */
  canaryDirect?: number;
  /** Requests that reached the canary in the 3 s after the data plane routed by weight 0 (a rollback only). */
  canaryAfterRollback?: number;
  reason?: string;
}

const FINAL: readonly Phase[] = ['Succeeded', 'Failed'];
const RELEASE_TIMEOUT_MS = 180_000;
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const CANARY_ERROR_RATE = 0.6;
/** Requests routed before the weight went back to 0 may still be on their way to a pod for a moment. */
const IN_FLIGHT_MS = 200;

/** Resolves once `check` holds for the cached Canary; rejects on timeout or Ctrl-C. */
function waitForCanary(
  view: LiveView,
  what: string,
  check: (c: Canary) => boolean,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Canary> {
  return new Promise((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
      signal.removeEventListener('abort', aborted);
      if (err) reject(err);
      else resolve(view.canary!);
    };
    const test = () => {
      const c = view.canary;
      if (c && check(c)) finish();
    };
    const aborted = () => finish(new DemoError('interrupted'));
    const unsubscribe = view.onChange(test);
    const poll = setInterval(test, 500);
    const timer = setTimeout(() => {
      const notes = view.eventNotes().slice(-5).join('\n  ');
      finish(
        new DemoError(
          `timed out after ${timeoutMs / 1000}s waiting for ${what}; phase ${view.canary?.status?.phase ?? 'unknown'}, ` +
            `last events:\n  ${notes || '(none)'}`,
        ),
      );
    }, timeoutMs);
    signal.addEventListener('abort', aborted, { once: true });
    test();
  });
}

export interface DemoOutcome {
  results: ReleaseResult[];
  environment: DemoEnvironment;
}

export async function runDemo(o: DemoOptions): Promise<DemoOutcome> {
  const { out, signal, color } = o;
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const started = Date.now();
  const story: string[] = [];
  const shown: { view?: LiveView } = {};
  const say = (line: string) => {
    story.push(line);
    if (shown.view) shown.view.note(bold(`==> ${line}`));
    else out.write(`${bold('==>')} ${line}\n`);
  };

  const env = await startDemoEnvironment({
    dataPlane: o.dataPlane,
    resources: o.resources,
    env: o.env,
    basePort: o.basePort,
    maxTrafficMs: o.keep ? 30 * 60_000 : 10 * 60_000,
    say,
    signal,
  });
  const { plane } = env;
  const traffic = () => {
    const s = plane.counts();
    return (
      `traffic  ${DEMO_RPS} req/s → primary ${s.primary} (5xx ${s.primaryErrors}) · ` +
      `canary ${s.canary} (5xx ${s.canaryErrors})  counted by ${plane.countedBy}`
    );
  };
  const view = new LiveView({
    kube: env.kube,
    namespace: DEMO_NAMESPACE,
    name: 'podinfo',
    out,
    tty: o.tty,
    color,
    since: started,
    header: () => {
      const width = Math.max(40, ((out as { columns?: number }).columns ?? 120) - 1);
      const fit = (l: string) => ([...l].length > width ? `${[...l].slice(0, width - 1).join('')}…` : l);
      return [
        bold('kanaria demo') + dim(`  (local control plane "${DEMO_CLUSTER}", Ctrl-C stops everything)`),
        ...story.slice(-4).map((l) => dim(fit(`  ${l}`))),
        traffic(),
      ];
    },
  });
  shown.view = view;
  await view.start();
  o.resources.add('live view', () => view.stop());

  await waitForCanary(view, 'Initialized', (c) => c.status?.phase === 'Initialized', 120_000, signal);
  say('canary initialised: podinfo-primary runs 6.0.0 and serves all traffic; podinfo is scaled to 0');
  // Before it, the example's own pods (app=podinfo, the canary's label) served the app.
  const initialised = await plane.countNow();

  const results: ReleaseResult[] = [];
  const release = async (from: string, to: string, failing: boolean): Promise<ReleaseResult> => {
    const live = view;
    const weights: number[] = [];
    const before = await plane.countNow();
    let active = false;
    const record = () => {
      const w = Number(live.ingress('podinfo-canary')?.metadata?.annotations?.[WEIGHT]);
      if (Number.isFinite(w) && weights.at(-1) !== w) weights.push(w);
      const phase = live.canary?.status?.phase;
      if (phase && !FINAL.includes(phase) && phase !== 'Initialized') active = true;
      const note = Number.isFinite(w) ? plane.weightChanged(w) : undefined;
      if (note) say(note);
    };
    record();
    const unsubscribe = live.onChange(record);
    const t0 = Date.now();
    say(`release ${results.length + 1}: ${await plane.release(to, failing ? CANARY_ERROR_RATE : undefined)}`);
    const done = await waitForCanary(
      live,
      `release ${to} to finish`,
      (c) => active && FINAL.includes(c.status?.phase ?? 'Initialized'),
      RELEASE_TIMEOUT_MS,
      signal,
    );
    const seconds = Math.round((Date.now() - t0) / 1000);
    const result: ReleaseResult = {
      from,
      to,
      phase: done.status!.phase!,
      seconds,
      weights,
      canaryRequests: 0,
      canaryErrors: 0,
    };
    if (result.phase === 'Failed') {
      result.reason = done.status?.message;
      // The rollback set the weight to 0; from the moment the data plane routes by it, nothing may reach the canary.
      if (await plane.routesWeightZero(5000)) {
        await sleep(IN_FLIGHT_MS);
        const atZero = await plane.countNow();
        await sleep(3000);
        result.canaryAfterRollback = (await plane.countNow()).canary - atZero.canary;
      }
    }
    // The last events of the step (e.g. "Promotion completed!") land right after the phase.
    await sleep(1000);
    unsubscribe();
    record();
    const after: TrafficCounts = await plane.countNow();
    result.canaryRequests = after.canary - before.canary;
    result.canaryErrors = after.canaryErrors - before.canaryErrors;
    if (after.canaryDirect !== undefined)
      result.canaryDirect = after.canaryDirect - (before.canaryDirect ?? 0);
    plane.releaseDone();
    say(
      `release ${results.length + 1} ${result.phase} after ${seconds}s; weights ${weights.join(' → ')}` +
        (result.reason ? `; ${result.reason}` : ''),
    );
    if (!o.tty) out.write(`\n${await live.render()}\n`);
    return result;
  };

  results.push(await release('6.0.0', '6.0.1', false));
  results.push(await release('6.0.1', '6.0.2', true));

  if (o.tty) {
    const final = await view.render();
    await view.stop();
    out.write(`\x1b[2J\x1b[H${final}\n`);
  }
  const primary = await env.kube.apps.readNamespacedDeployment({
    name: 'podinfo-primary',
    namespace: DEMO_NAMESPACE,
  });
  const image = primary.spec?.template.spec?.containers[0].image ?? '?';
  const now = await plane.countNow();
  const totals: TrafficCounts = {
    primary: now.primary - initialised.primary,
    canary: now.canary - initialised.canary,
    primaryErrors: now.primaryErrors - initialised.primaryErrors,
    canaryErrors: now.canaryErrors - initialised.canaryErrors,
  };
  out.write(renderSummary(results, image, totals, env, bold));
  return { results, environment: env };
}

export function renderSummary(
  results: ReleaseResult[],
  primaryImage: string,
  totals: TrafficCounts,
  env: Pick<DemoEnvironment, 'plane' | 'operatorLog'>,
  bold: (s: string) => string = (s) => s,
): string {
  const { plane } = env;
  const where =
    plane.kind === 'traefik'
      ? 'real Traefik in front of real pod processes; requests as the pods counted them'
      : 'SIMULATED ingress-nginx in front of two test backends; requests as it counted them';
  const lines = [bold('Summary'), `  data plane       ${where}`, ''];
  results.forEach((r, i) => {
    lines.push(`  release ${i + 1}  ${r.from} → ${r.to}  ${r.phase} after ${r.seconds}s`);
    lines.push(`    canary weights   ${r.weights.join(' → ')}`);
    const direct = r.canaryDirect === undefined ? '' : ` (+${r.canaryDirect} from the webhooks)`;
    lines.push(
      `    canary traffic   ${r.canaryRequests} user requests${direct}; ${r.canaryErrors} answers were 5xx`,
    );
    if (r.reason) lines.push(`    reason           ${r.reason}`);
    if (r.canaryAfterRollback !== undefined)
      lines.push(`    after rollback   ${r.canaryAfterRollback} requests reached the canary`);
  });
  const s = totals;
  lines.push('');
  lines.push(`  primary runs     ${primaryImage}`);
  lines.push(
    `  user traffic     ${s.primary + s.canary} requests since the canary was initialised: ` +
      `primary ${s.primary}, canary ${s.canary}`,
  );
  lines.push(...plane.summaryLines());
  lines.push(`  operator log     ${env.operatorLog}`);
  return `${lines.join('\n')}\n`;
}
