/**
 * The value of a gate annotation (GATE_ANNOTATION, ROLLBACK_GATE_ANNOTATION): what state the gate was
 * put in, for which revision of the Canary (its status.revision then), by whom (the user named by the
 * TokenReview) and when. A gate is open only for the revision it was opened for, so an approval never
 * carries over to the next release. The value is JSON with the keys in a fixed order, e.g.
 * `{"state":"open","revision":"5d8f…","by":"system:serviceaccount:team-a:deployer","at":"2026-05-04T10:00:00.000Z"}`.
 * Values written before revisions were recorded (plain `open` or `closed`) read as closed.
 */
export type GateState = 'open' | 'closed';

export interface GateRecord {
  state: GateState;
  /** The Canary's status.revision when the gate was set; absent when it had none. */
  revision?: string;
  /** Who set it: the authenticated user name. */
  by?: string;
  /** When, RFC 3339. */
  at?: string;
}

export function formatGateRecord(record: GateRecord): string {
  const { state, revision, by, at } = record;
  return JSON.stringify({ state, revision, by, at });
}

const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/** The record an annotation value holds; undefined when absent, in the old plain format, or malformed. */
export function parseGateRecord(value: string | undefined): GateRecord | undefined {
  if (!value?.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { state, revision, by, at } = parsed as Record<string, unknown>;
  if (state !== 'open' && state !== 'closed') return undefined;
  if (!optionalString(revision) || !optionalString(by) || !optionalString(at)) return undefined;
  const record: GateRecord = { state };
  if (revision) record.revision = revision;
  if (by) record.by = by;
  if (at) record.at = at;
  return record;
}

/** True only when the gate was opened for exactly this (non-empty) revision. */
export function isOpenFor(value: string | undefined, revision: string | undefined): boolean {
  const record = parseGateRecord(value);
  return !!revision && record?.state === 'open' && record.revision === revision;
}

/** One line for people: `open for revision 5d8f… by alice at …`, or `closed …`. */
export function describeGateRecord(value: string | undefined, currentRevision?: string): string | undefined {
  const record = parseGateRecord(value);
  if (!record) return value === undefined ? undefined : `${value} (old format: treated as closed)`;
  const parts: string[] = [record.state];
  if (record.revision) parts.push(`for revision ${record.revision}`);
  if (record.by) parts.push(`by ${record.by}`);
  if (record.at) parts.push(`at ${record.at}`);
  if (record.state === 'open' && currentRevision !== undefined && record.revision !== currentRevision)
    parts.push('(an earlier revision: closed for the current one)');
  return parts.join(' ');
}
