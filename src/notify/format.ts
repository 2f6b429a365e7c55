import type { Alert, AlertKind, AlertMeasurement, AlertSeverity } from './notifier.ts';

/** Shared wording for the payload builders, so every sink tells the same story. */

const KIND_LABELS: Record<AlertKind, string> = {
  initialized: 'initialized',
  'new-revision': 'new revision detected',
  'waiting-approval': 'waiting for approval',
  promoted: 'promoted',
  'rolled-back': 'rolled back',
  failed: 'failed',
  progress: 'progressing',
};

export const SEVERITY_COLORS: Record<AlertSeverity, string> = {
  info: '#2eb886',
  warn: '#daa038',
  error: '#a30200',
};

export function kindLabel(kind: AlertKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/** `podinfo.test`, Flagger's way of naming a canary in alerts. */
export function subject(alert: Alert): string {
  return `${alert.canary}.${alert.namespace}`;
}

/** `podinfo.test rolled back` */
export function headline(alert: Alert): string {
  return `${subject(alert)} ${kindLabel(alert.kind)}`;
}

/** A compact rendering: integers as is, others with up to 6 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

export interface Fact {
  name: string;
  value: string;
}

/** The labelled values every sink shows: cluster, phase, weight, severity (and reason when set). */
export function alertFacts(alert: Alert, options: { reason?: boolean } = {}): Fact[] {
  const facts: Fact[] = [];
  if (alert.cluster) facts.push({ name: 'Cluster', value: alert.cluster });
  facts.push(
    { name: 'Phase', value: alert.phase },
    { name: 'Weight', value: `${formatValue(alert.weight)}%` },
    { name: 'Severity', value: alert.severity },
  );
  if (options.reason && alert.reason) facts.push({ name: 'Reason', value: alert.reason });
  return facts;
}

/**
 * `request-success-rate = 97.5: below threshold 99` (the value part only when measured); with a verdict
 * `latency = 130.2 against control 100.1 ms, High: …`.
 */
export function measurementText(m: AlertMeasurement): string {
  const value = m.value === undefined ? '' : ` = ${formatValue(m.value)}`;
  const against = m.threshold ? ` against ${m.threshold}` : '';
  const verdict = m.verdict ? `${against || value ? ',' : ''} ${m.verdict}` : '';
  return `${m.name}${value}${against}${verdict}${m.message ? `: ${m.message}` : ''}`;
}

/** At most `max` measurements, then a line saying how many were left out. */
export function measurementLines(alert: Alert, max = 20): string[] {
  const all = alert.measurements ?? [];
  const lines = all.slice(0, max).map(measurementText);
  if (all.length > max) lines.push(`…and ${all.length - max} more`);
  return lines;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Epoch seconds of the alert's timestamp, or undefined when it does not parse. */
export function epochSeconds(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** One-line plain text, used where a service shows a notification preview. */
export function plainSummary(alert: Alert): string {
  const reason = alert.reason ? ` (${alert.reason})` : '';
  return `${headline(alert)}: ${alert.message}${reason}`;
}
