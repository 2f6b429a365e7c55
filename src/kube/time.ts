import { V1MicroTime } from '@kubernetes/client-node';

/** A MicroTime field value (Lease renewTime, Event eventTime) for epoch milliseconds. */
export function microTime(ms: number): V1MicroTime {
  return new V1MicroTime(ms);
}

/**
 * Epoch milliseconds of a time field as read from the API server: the client types Time/MicroTime fields
 * as Date objects but may hand back the RFC 3339 string. Undefined when absent or unparseable.
 */
export function timeMs(value: Date | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
