/**
 * What the controller itself measured, from its /metrics at the end of a run: how late its weight
 * steps were written after they were due, and how long Canaries waited for a worker.
 */

/** A Prometheus histogram as one exposition shows it: cumulative counts by upper bound, count and sum. */
export interface ScrapedHistogram {
  count: number;
  sum: number;
  /** [upper bound in seconds, observations at or below it], ascending; +Inf left out. */
  buckets: [number, number][];
}

const SERIES = /^(\w+?)_(bucket|sum|count)(?:\{([^}]*)\})? (\S+)$/gm;

/**
 * The histogram `name` from a /metrics text, summed over its series whose labels include `match`
 * (all series when empty); undefined when the text has none.
 */
export function histogramOf(
  text: string,
  name: string,
  match: Record<string, string> = {},
): ScrapedHistogram | undefined {
  let count: number | undefined;
  let sum = 0;
  const byBound = new Map<number, number>();
  for (const [, series, part, labelText, value] of text.matchAll(SERIES)) {
    if (series !== name) continue;
    const labels = Object.fromEntries(
      [...(labelText ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
    );
    if (Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    if (part === 'count') count = (count ?? 0) + Number(value);
    else if (part === 'sum') sum += Number(value);
    else if (labels.le !== '+Inf') {
      const bound = Number(labels.le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + Number(value));
    }
  }
  if (count === undefined) return undefined;
  return { count, sum, buckets: [...byBound].sort((a, b) => a[0] - b[0]) };
}

/**
 * The share of observations at or below `bound` seconds (a bucket bound), the mean in ms, and the
 * smallest bucket bound (ms) at or below which 99 % of them fall (absent when that is above every bound).
 */
export function histogramSummary(
  h: ScrapedHistogram,
  bound: number,
): { meanMs: number; within: number; p99AtMostMs?: number } {
  const at = h.buckets.find(([le]) => le === bound);
  if (!at) throw new Error(`no bucket le="${bound}"`);
  const p99 = h.count ? h.buckets.find(([, observed]) => observed >= h.count * 0.99) : undefined;
  return {
    meanMs: h.count ? Math.round((h.sum / h.count) * 1000) : 0,
    within: h.count ? +(at[1] / h.count).toFixed(4) : 1,
    ...(p99 ? { p99AtMostMs: Math.round(p99[0] * 1000) } : {}),
  };
}

interface Share {
  count: number;
  meanMs: number;
  /** The share of observations within the bound (500 ms for steps and their writing part, 100 ms for waiting, deciding, queue waits and checks). */
  within: number;
  /** The bucket bound 99 % of the observations are within (absent: above the largest). */
  p99AtMostMs?: number;
}

export interface ControllerView {
  stepDelay?: Share;
  /** The parts of the step delay: due to the taking reconcile's start, its start to the decision, the decision to routes written. */
  stepWait?: Share;
  stepDecide?: Share;
  stepWrite?: Share;
  /** Queue waits of every key, and of the keys a timer or check results queued. */
  queueWait?: Share;
  queueWaitTimer?: Share;
  queueWaitChecks?: Share;
  /** How long the analysis checks took (the benchmark's one webhook), from their start to their results in. */
  checkStage?: Share;
}

/** Reads the controller's step delay and queue wait from its /metrics; {} when it cannot. */
export async function controllerView(metricsUrl: string): Promise<ControllerView> {
  const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })
    .then((res) => (res.ok ? res.text() : ''))
    .catch(() => '');
  const share = (name: string, bound: number, match: Record<string, string> = {}): Share | undefined => {
    const h = histogramOf(text, name, match);
    if (!h) return undefined;
    return { count: h.count, ...histogramSummary(h, bound) };
  };
  const queue = 'kanaria_workqueue_queue_duration_seconds';
  const entries = Object.entries({
    stepDelay: share('kanaria_step_delay_seconds', 0.5),
    stepWait: share('kanaria_step_wait_seconds', 0.1),
    stepDecide: share('kanaria_step_decide_seconds', 0.1),
    stepWrite: share('kanaria_step_write_seconds', 0.5),
    queueWait: share(queue, 0.1),
    queueWaitTimer: share(queue, 0.1, { trigger: 'timer' }),
    queueWaitChecks: share(queue, 0.1, { trigger: 'checks' }),
    checkStage: share('kanaria_check_stage_seconds', 0.1, { stage: 'analysis' }),
  });
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as ControllerView;
}
