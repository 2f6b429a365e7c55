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

/** The unlabelled histogram `name` from a /metrics text, or undefined when the text has none. */
export function histogramOf(text: string, name: string): ScrapedHistogram | undefined {
  const value = (suffix: string) => {
    const m = new RegExp(`^${name}_${suffix} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const count = value('count');
  const sum = value('sum');
  if (count === undefined || sum === undefined) return undefined;
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm')))
    if (m[1] !== '+Inf') buckets.push([Number(m[1]), Number(m[2])]);
  return { count, sum, buckets: buckets.sort((a, b) => a[0] - b[0]) };
}

/** The share of observations at or below `bound` seconds (a bucket bound), and the mean, in ms. */
export function histogramSummary(h: ScrapedHistogram, bound: number): { meanMs: number; within: number } {
  const at = h.buckets.find(([le]) => le === bound);
  if (!at) throw new Error(`no bucket le="${bound}"`);
  return {
    meanMs: h.count ? Math.round((h.sum / h.count) * 1000) : 0,
    within: h.count ? +(at[1] / h.count).toFixed(4) : 1,
  };
}

export interface ControllerView {
  stepDelay?: { count: number; meanMs: number; within500ms: number };
  /** The writing part of the step delay (decision to routes written). */
  stepWrite?: { count: number; meanMs: number; within500ms: number };
  queueWait?: { count: number; meanMs: number; within100ms: number };
}

/** Reads the controller's step delay and queue wait from its /metrics; {} when it cannot. */
export async function controllerView(metricsUrl: string): Promise<ControllerView> {
  const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })
    .then((res) => (res.ok ? res.text() : ''))
    .catch(() => '');
  const step = histogramOf(text, 'kanaria_step_delay_seconds');
  const write = histogramOf(text, 'kanaria_step_write_seconds');
  const queue = histogramOf(text, 'kanaria_workqueue_queue_duration_seconds');
  const view: ControllerView = {};
  if (step) {
    const { meanMs, within } = histogramSummary(step, 0.5);
    view.stepDelay = { count: step.count, meanMs, within500ms: within };
  }
  if (write) {
    const { meanMs, within } = histogramSummary(write, 0.5);
    view.stepWrite = { count: write.count, meanMs, within500ms: within };
  }
  if (queue) {
    const { meanMs, within } = histogramSummary(queue, 0.1);
    view.queueWait = { count: queue.count, meanMs, within100ms: within };
  }
  return view;
}
